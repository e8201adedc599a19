"""`specc import` from conda environment files: python=, the pip section, conda packages mapped
to PyPI through the vendored name mapping, channels, build strings and unmappable packages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomllib
from hypothesis import given, settings
from hypothesis import strategies as st

from specc.importers.conda import (
    _parse_subset,
    conda_name_to_pypi,
    conda_to_requirement,
    parse_match_spec,
    pep440,
)
from tests.helpers import run_cli
from tests.test_import_requirements import codes, file_text, import_case, round_trip, write

ML_ENV = {
    "environment.yml": """\
name: churn-train
channels:
  - pytorch
  - conda-forge
  - nodefaults
dependencies:
  - python=3.11
  - numpy=1.26.4
  - pandas>=2.2,<2.3
  - scikit-learn==1.5.1
  - pytorch=2.3.1=py3.11_cpu_0
  - conda-forge::matplotlib-base=3.8.4
  - py-xgboost=2.1.0
  - msgpack-python
  - libgcc-ng>=12
  - cudatoolkit=11.8
  - mkl
  - pip
  - pip:
    - --extra-index-url https://deploy:Pa55w0rdPa55w0rd@pkgs.acme.example/simple
    - acme-features==0.4.2
    - -r requirements-pip.txt
variables:
  OMP_NUM_THREADS: "4"
  TOKENIZERS_PARALLELISM: "false"
""",
    "requirements-pip.txt": "shap==0.46.0\n",
}

MLFLOW_CONDA = {
    "conda.yaml": """\
channels:
- conda-forge
dependencies:
- python=3.10.14
- pip<=24.0
- pip:
  - mlflow==2.16.2
  - cloudpickle==3.0.0
  - scikit-learn==1.5.1
name: mlflow-env
""",
}

UNMAPPABLE = {
    "env.yaml": """\
name: r-and-system
channels: [conda-forge, bioconda]
dependencies:
  - python>=3.10
  - r-base=4.3
  - r-forecast
  - openjdk=17
  - graphviz
  - python-graphviz=0.20.3
  - numpy[version=">=1.26,<2"]
  - foo==1.2|1.3
  - libarchive
  - librosa=0.10.2
  - 42
prefix: /opt/conda/envs/r-and-system
""",
}


def test_ml_environment(tmp_path: Path) -> None:
    src = write(tmp_path / "churn", ML_ENV)
    out, report = import_case("conda-ml", src / "environment.yml")
    data = tomllib.loads(out.read_text())
    assert data["runtime"]["python"] == "3.11"
    reqs = data["python"]["requirements"]
    assert reqs[:5] == [
        "numpy==1.26.4.*",
        "pandas<2.3,>=2.2",
        "scikit-learn==1.5.1",
        "torch==2.3.1",
        "matplotlib==3.8.4.*",
    ]
    assert {"xgboost==2.1.0.*", "msgpack", "acme-features==0.4.2", "shap==0.46.0"} <= set(reqs)
    assert data["env"] == {"OMP_NUM_THREADS": "4", "TOKENIZERS_PARALLELISM": "false"}
    assert "Pa55w0rdPa55w0rd" not in out.read_text()
    by_line = {(d["code"], d["line"]) for d in report["diagnostics"] if d["file"] == "environment.yml"}
    assert {("SPC717", 2), ("SPC715", 11), ("SPC716", 15), ("SPC716", 16), ("SPC716", 17), ("SPC716", 18)} <= by_line
    torch = next(d for d in report["diagnostics"] if d["code"] == "SPC715" and d["line"] == 11)
    assert "PyPI name torch" in torch["message"] and 'build string "py3.11_cpu_0" dropped' in torch["message"]
    files = round_trip(out)
    assert "torch==2.3.1" in file_text(files["docker"], "deps/python/requirements.txt")


def test_mlflow_style_conda_yaml(tmp_path: Path) -> None:
    src = write(tmp_path / "model", MLFLOW_CONDA)
    out, report = import_case("conda-mlflow", src / "conda.yaml")
    data = tomllib.loads(out.read_text())
    assert data["runtime"]["python"] == "3.10"
    assert data["python"]["requirements"] == ["mlflow==2.16.2", "cloudpickle==3.0.0", "scikit-learn==1.5.1"]
    assert codes(report) == ["SPC716", "SPC717"]  # pip itself, the channel
    round_trip(out)


def test_unmappable_packages_are_reported_not_dropped(tmp_path: Path) -> None:
    src = write(tmp_path / "r", UNMAPPABLE)
    out, report = import_case("conda-unmappable", src / "env.yaml")
    data = tomllib.loads(out.read_text())
    assert data["python"]["requirements"] == ["graphviz==0.20.3.*", "numpy<2,>=1.26", "foo", "librosa==0.10.2.*"]
    got = {(d["code"], d["line"]) for d in report["diagnostics"]}
    # python>=3.10 (no single version), r-base, r-forecast, openjdk, graphviz (the C library), the
    # | alternative's version, libarchive, the number, prefix: each reported at its line
    expected = [("SPC716", 4), ("SPC716", 5), ("SPC716", 6), ("SPC716", 7), ("SPC716", 8), ("SPC715", 11)]
    expected += [("SPC716", 12), ("SPC718", 14), ("SPC718", 15), ("SPC717", 2)]
    assert set(expected) <= got
    round_trip(out)


def test_python_range_without_python_flag_is_assumed_and_said(tmp_path: Path) -> None:
    src = write(tmp_path / "e", {"environment.yml": "dependencies:\n  - python>=3.10\n  - numpy=2.0.1\n"})
    r = run_cli("import", str(src / "environment.yml"), "--format", "json")
    assert r.code == 0
    assert "SPC705" in {d["code"] for d in json.loads(r.out)["diagnostics"]}


def test_invalid_yaml_is_an_error_with_its_line(tmp_path: Path) -> None:
    src = write(tmp_path / "bad", {"environment.yml": "dependencies:\n  - numpy\n  - [unclosed\n"})
    r = run_cli("import", str(src / "environment.yml"), "--format", "json")
    assert r.code == 1
    (d,) = json.loads(r.out)["diagnostics"]
    assert d["code"] == "SPC700" and d["file"] == "environment.yml" and d["line"] == 4
    assert not (src / "model-env.toml").exists()


@pytest.mark.parametrize(
    ("spec", "requirement"),
    [
        ("numpy>=1.24,<2", "numpy<2,>=1.24"),
        ("numpy=1.26", "numpy==1.26.*"),
        ("numpy==1.26.4", "numpy==1.26.4"),
        ("numpy 1.26.*", "numpy==1.26.*"),
        ("pytorch=2.3.1=py3.11_cpu_0", "torch==2.3.1"),
        ("conda-forge::matplotlib-base", "matplotlib"),
        ("msgpack-python>=1", "msgpack>=1"),
        ("python-graphviz", "graphviz"),
        ("opencv=4.10.0", "opencv-python==4.10.0.*"),
        ("python=3.11", None),
        ("libgcc-ng", None),
        ("cudatoolkit=11.8", None),
        ("r-ggplot2", None),
        ("pip", None),
        ("foo 1.0|2.0", "foo"),
    ],
)
def test_conda_to_requirement(spec: str, requirement: str | None) -> None:
    assert conda_to_requirement(spec) == requirement


def test_conda_name_to_pypi_uses_the_vendored_mapping() -> None:
    assert conda_name_to_pypi("pytorch") == "torch"
    assert conda_name_to_pypi("dask-core") == "dask"
    assert conda_name_to_pypi("typing_extensions") == "typing-extensions"
    assert conda_name_to_pypi("Scikit_Learn") == "scikit-learn"  # unknown: the same name, canonical
    assert conda_name_to_pypi("librosa") == "librosa"  # a lib- prefix that is a Python package
    assert conda_name_to_pypi("libxml2") is None
    data = json.loads((Path(__file__).resolve().parent.parent / "specc/importers/conda_pypi_names.json").read_text())
    assert "grayskull" in data["source"] and len(data["grayskull"]) > 100


@pytest.mark.parametrize(
    "spec",
    ["numpy", "numpy>=1.24,<2", "numpy=1.26", "numpy=1.26.4=py311_0", "numpy 1.26.* py311_0", "numpy==1.2",
     "conda-forge::numpy=1.26", "numpy 1.26.4", "numpy >=1.24, <2", "numpy >= 1.24", "numpy=1.2*", "numpy *",
     "numpy 1.26.4 *", "Scikit_Learn>=1.5", "python=3.11.7", "pytorch::pytorch 2.3.1 py3.11_cuda12.1_0",
     "https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda",
     "numpy-1.26.4-py311h64a7726_0.tar.bz2", "numpy~=1.26.0", "numpy!=1.25.0"],
)  # fmt: skip
def test_the_subset_parser_agrees_with_rattler(spec: str) -> None:
    """Without py-rattler the documented subset gives what rattler's MatchSpec gives."""
    pytest.importorskip("rattler")
    full = parse_match_spec(spec)
    sub = _parse_subset(spec)
    assert (sub.name, pep440(sub.version), sub.build) == (full.name, pep440(full.version), full.build)
    assert sub.channel == full.channel or (sub.channel or "").startswith(full.channel or "-")
    assert sub.dropped == full.dropped


_NAMES = st.sampled_from(["numpy", "scikit-learn", "py-xgboost", "msgpack-python", "Pandas", "ruamel.yaml"])
_VERSIONS = st.from_regex(r"(0|[1-9][0-9]?)(\.(0|[1-9][0-9]?)){0,2}", fullmatch=True)  # rattler drops leading zeros


@settings(max_examples=300, deadline=None)
@given(
    name=_NAMES,
    form=st.sampled_from(["{n}={v}", "{n}={v}={b}", "{n} {v}", "{n} {v} {b}", "{n}=={v}", "{n}>={v}",
                          "{n}>={v},<{w}", "{n} >={v}, <{w}", "{n}={v}.*", "{n} {v}.*", "{c}::{n}={v}",
                          "{n}<={v}", "{n}!={v}", "{n}"]),
    v=_VERSIONS,
    w=_VERSIONS,
    b=st.from_regex(r"(py3[0-9]{1,2}|h[0-9a-f]{7})_[0-9]", fullmatch=True),
    c=st.sampled_from(["conda-forge", "pytorch", "bioconda"]),
)  # fmt: skip
def test_the_subset_agrees_with_rattler_on_generated_specs(
    name: str, form: str, v: str, w: str, b: str, c: str
) -> None:
    """The documented forms, generated: the subset and rattler give the same name, PEP 440
    specifier, build string and channel."""
    pytest.importorskip("rattler")
    spec = form.format(n=name, v=v, w=w, b=b, c=c)
    full = parse_match_spec(spec)
    sub = _parse_subset(spec)
    assert (sub.name, pep440(sub.version), sub.build, sub.channel) == (
        full.name,
        pep440(full.version),
        full.build,
        full.channel,
    ), spec


@pytest.mark.parametrize(
    ("spec", "requirement", "dropped"),
    [
        ("pkg >=1.2[extras=[fast,gpu]]", "pkg[fast,gpu]>=1.2", ()),
        ('pkg[version=">=1.2", extras=[fast,gpu]]', "pkg[fast,gpu]>=1.2", ()),
        ('numpy[license=BSD, md5=d41d8cd98f00b204e9800998ecf8427e]', "numpy", ('key "license"', 'key "md5"')),
        ("conda-forge/linux-64::numpy=1.26", "numpy==1.26.*", ('subdir "linux-64"',)),
        ('foo[when="python>=3.9"]', "foo", ('the condition "python>=3.9" (the package is installed everywhere)',)),
        ("https://user:s3cr3t@conda.acme.example/t/numpy-1.26.4-py311h64a7726_0.conda", "numpy==1.26.4",
         ("the package file's URL",)),
    ],
)  # fmt: skip
def test_what_rattler_reads_beyond_the_subset(spec: str, requirement: str, dropped: tuple[str, ...]) -> None:
    """Bracket keys, subdirs and conditions have no pip form: each is named (the environment
    file's import reports it), never silently dropped; conda extras become pip extras; a package
    URL is read by its file name and never repeated (it may hold a token)."""
    pytest.importorskip("rattler")
    parsed = parse_match_spec(spec)
    assert conda_to_requirement(spec) == requirement
    assert parsed.dropped == dropped
    assert "s3cr3t" not in repr(parsed)


def test_importing_an_environment_leaves_sys_path_and_conda_lock_alone(tmp_path: Path) -> None:
    """Parsing match specs imports neither conda-lock (slow, and it puts its vendored Poetry
    first on sys.path for the rest of the process) nor anything that changes sys.path; a fresh
    interpreter shows it, since the test process may have loaded conda-lock already."""
    import subprocess
    import sys

    src = write(tmp_path / "e", ML_ENV)
    code = (
        "import sys; before = list(sys.path)\n"
        "from specc.cli import main\n"
        f"rc = main(['import', {str(src / 'environment.yml')!r}, '--python', '3.11', '--format', 'json'])\n"
        "assert rc == 0, rc\n"
        "assert sys.path == before, [p for p in sys.path if p not in before]\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('conda_lock', 'conda', 'requests', 'dulwich'))\n"
        "assert not loaded, loaded\n"
        "import tomli; assert '_vendor' not in tomli.__file__\n"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (src / "model-env.toml").is_file()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"numpy=<>!,.*|:[]\"' 0123456789abc_-", "é", "\n"]), max_size=30))
def test_any_match_spec_gives_a_requirement_or_none(text: str) -> None:
    """conda_to_requirement never raises, and what it returns is PEP 508."""
    from packaging.requirements import Requirement

    result = conda_to_requirement(text)
    if result is not None:
        assert str(Requirement(result)) == result


def test_variables_the_spec_refuses_are_reported(tmp_path: Path) -> None:
    src = write(
        tmp_path / "v",
        {"environment.yml": 'dependencies: [python=3.11]\nvariables:\n  my-var: "1"\n  GOOD: "2"\n  FLAG: true\n'},
    )
    r = run_cli("import", str(src / "environment.yml"), "--format", "json")
    assert r.code == 0, r.out
    data = tomllib.loads((src / "model-env.toml").read_text())
    assert data["env"] == {"GOOD": "2"}
    got = {(d["code"], d["line"]) for d in json.loads(r.out)["diagnostics"]}
    assert {("SPC706", 3), ("SPC718", 5)} <= got


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.text(alphabet=st.sampled_from([*"AZ_az09-.\"'$(){} ", "é", "\n"]), min_size=1, max_size=12),
        st.text(alphabet=st.sampled_from([*"ab\"'\\$(){}`; ", "\n", "\x7f", "💥"]), max_size=20),
        max_size=5,
    )
)
def test_hostile_variables_never_break_the_spec(variables: dict[str, str]) -> None:
    """Whatever the names and values, the written spec is TOML that validates, and a name the
    spec refuses is reported (SPC706), never written."""
    import tempfile

    import yaml

    from specc.importers.base import Draft
    from specc.importers.conda import read_environment
    from specc.importers.writer import complete, finish

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "environment.yml").write_text(
            yaml.safe_dump({"dependencies": ["python=3.11"], "variables": variables}), encoding="utf-8"
        )
        draft = Draft("conda", root=folder)
        read_environment(folder / "environment.yml", draft)
        complete(draft, name="v", python="3.11", name_source="test", python_source="--python")
        text, result = finish(draft, folder / "model-env.toml")
    assert not [d for d in result.diagnostics if d.severity == "error"]
    env = tomllib.loads(text).get("env", {})
    assert all(env[k] == v for k, v in env.items() if k in variables)
    dropped = sum(1 for n in draft.notes if n.code == "SPC706")
    assert len(env) + dropped == len(variables)


def test_without_rattler_the_subset_imports_the_same_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """py-rattler is an extra: without it the same environment imports to the same spec."""
    from specc.importers import conda

    with_lib = write(tmp_path / "a", ML_ENV)
    assert run_cli("import", str(with_lib / "environment.yml"), "--python", "3.11", "--name", "x").code == 0
    monkeypatch.setattr(conda, "_rattler_matchspec", lambda: None)
    without = write(tmp_path / "b", ML_ENV)
    assert run_cli("import", str(without / "environment.yml"), "--python", "3.11", "--name", "x").code == 0
    assert (with_lib / "model-env.toml").read_bytes() == (without / "model-env.toml").read_bytes()
