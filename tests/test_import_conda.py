"""`specc import` from conda environment files: python=, the pip section, conda packages mapped
to PyPI through the vendored name mapping, channels, build strings and unmappable packages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
    assert codes(report) == ["SPC703", "SPC716", "SPC717"]  # --python 3.11 not used, pip itself, the channel
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
    assert "prefix-dev/parselmouth/blob/" in data["parselmouth"]["source"]


@pytest.mark.parametrize(
    ("conda", "pypi"),
    [
        ("msgpack-python", "msgpack"),  # parselmouth's renamed table (the name the files install first)
        ("python-graphviz", "graphviz"),
        ("pytables", "tables"),
        ("py-opencv", "opencv-python"),
        ("graphviz", None),  # conda-forge's graphviz is the C tool, not the Python binding
        ("tzdata", None),  # the time-zone database, not PyPI's tzdata
        ("arrow-cpp", None),
        ("fribidi", None),
        ("opencv", "opencv-python"),  # grayskull's curated entry wins over parselmouth's null
        ("numpy", "numpy"),
        ("Some_Unknown.Pkg", "some-unknown-pkg"),  # in no table: the same name, canonical
    ],
)
def test_conda_forge_names_through_the_parselmouth_mapping(conda: str, pypi: str | None) -> None:
    assert conda_name_to_pypi(conda) == pypi


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


CONDA_EXPORT = {
    "environment.yml": """\
name: churn-prod
channels:
  - conda-forge
  - defaults
dependencies:
  - _libgcc_mutex=0.1=conda_forge
  - _openmp_mutex=4.5=2_gnu
  - bzip2=1.0.8=hd590300_5
  - ca-certificates=2024.7.4=hbcca054_0
  - joblib=1.4.2=pyhd8ed1ab_0
  - ld_impl_linux-64=2.40=hf3520f5_7
  - libblas=3.9.0=22_linux64_openblas
  - libgcc-ng=14.1.0=h77fa898_0
  - libgfortran-ng=14.1.0=h69a702a_0
  - libopenblas=0.3.27=pthreads_hac2b453_1
  - libstdcxx-ng=14.1.0=hc0a3c3a_0
  - libzlib=1.3.1=h4ab18f5_1
  - ncurses=6.5=h59595ed_0
  - numpy=1.26.4=py311h64a7726_0
  - openssl=3.3.1=h4bc722e_2
  - pandas=2.2.2=py311h14de704_1
  - pip=24.0=pyhd8ed1ab_0
  - python=3.11.9=hb806964_0_cpython
  - python-dateutil=2.9.0=pyhd8ed1ab_0
  - python-tzdata=2024.1=pyhd8ed1ab_0
  - python_abi=3.11=4_cp311
  - pytz=2024.1=pyhd8ed1ab_0
  - readline=8.2=h8228510_1
  - scikit-learn=1.5.1=py311hd632256_0
  - scipy=1.14.0=py311h517d4fd_1
  - setuptools=70.1.1=pyhd8ed1ab_0
  - six=1.16.0=pyh6c4a22f_0
  - threadpoolctl=3.5.0=pyhc1e730c_0
  - tk=8.6.13=noxft_h4845f30_101
  - tzdata=2024a=h0c530f3_0
  - wheel=0.43.0=pyhd8ed1ab_1
  - xz=5.2.6=h166bdaf_0
  - fribidi=1.0.10=h36c2ea0_0
  - acme-codec=2.1=h36c2ea0_0
  - rich=13.7.1=pyhd8ed1ab_0
  - pip:
      - mlflow-skinny==2.14.3
      - shap==0.46.0
      - --index-url https://ci:Ex4mpleS3cret@pypi.corp.example/simple
prefix: /home/alice/miniconda3/envs/churn-prod
""",
}


def accounted_lines(out: Path, report: dict[str, Any], file: str) -> set[int]:
    """The lines of ``file`` that reached the written spec (``# from file:N``) or a diagnostic."""
    import re

    written = {int(n) for n in re.findall(rf"# from {re.escape(file)}:(\d+)", out.read_text())}
    reported = {d["line"] for d in report["diagnostics"] if d["file"] == file and d["line"]}
    return written | reported


def test_conda_env_export(tmp_path: Path) -> None:
    """`conda env export` output: build strings on every line, system libraries, conda
    metapackages (python_abi, _libgcc_mutex), conda's tzdata (the timezone database, not PyPI's
    tzdata, which conda calls python-tzdata), prefix:, a pip section with an index.  Every line
    is in the spec or in a diagnostic; no system library becomes a PyPI requirement."""
    src = write(tmp_path / "churn", CONDA_EXPORT)
    out, report = import_case("conda-export", src / "environment.yml")
    data = tomllib.loads(out.read_text())
    reqs = data["python"]["requirements"]
    assert reqs == [
        "joblib==1.4.2", "numpy==1.26.4", "pandas==2.2.2", "python-dateutil==2.9.0", "tzdata==2024.1",
        "pytz==2024.1", "scikit-learn==1.5.1", "scipy==1.14.0", "six==1.16.0", "threadpoolctl==3.5.0",
        "rich==13.7.1", "mlflow-skinny==2.14.3", "shap==0.46.0",
    ]  # fmt: skip
    assert data["runtime"]["python"] == "3.11"
    text = (src / "environment.yml").read_text()
    lines = {n for n, line in enumerate(text.splitlines(), 1) if line.strip() and line.strip() not in ("- pip:",)}
    lines -= {3, 4, 5}  # the channels' items and "dependencies:" (the channels are reported at line 2)
    assert lines <= accounted_lines(out, report, "environment.yml"), sorted(
        lines - accounted_lines(out, report, "environment.yml")
    )
    fribidi = [d for d in report["diagnostics"] if "fribidi" in d["message"]]  # in the conda-forge mapping
    assert fribidi and fribidi[0]["code"] == "SPC716" and "no PyPI equivalent" in fribidi[0]["message"]
    codec = [d for d in report["diagnostics"] if "acme-codec" in d["message"]]  # unknown: its build says C
    assert codec and codec[0]["code"] == "SPC716" and "compiled library" in codec[0]["message"]
    assert "Ex4mpleS3cret" not in out.read_text() + json.dumps(report)
    round_trip(out)


@pytest.mark.parametrize(
    ("spec", "requirement"),
    [
        ("fribidi=1.0.10=h36c2ea0_0", None),  # a hashed build without py: a C library
        ("acme-codec=2.1=h36c2ea0_0", None),  # unknown to every mapping: the build string decides
        ("tzdata=2024a=h0c530f3_0", None),
        ("python_abi=3.11=4_cp311", None),
        ("libopenblas=0.3.27=pthreads_hac2b453_1", None),
        ("rich=13.7.1=pyhd8ed1ab_0", "rich==13.7.1"),
        ("numpy=1.26.4=py311h64a7726_0", "numpy==1.26.4"),
        ("pytorch=2.3.1=py3.11_cuda12.1_cudnn8.9.2_0", "torch==2.3.1"),
        ("tensorflow=2.15.0=cpu_py311h6ac8430_2", "tensorflow==2.15.0"),
        ("somepkg=1.0=0", "somepkg==1.0"),  # no hash: no evidence, the name rule applies
        ("pytorch 2.3.* *cuda*", "torch==2.3.*"),  # a glob: no evidence
        ("llvmlite=0.43.0=py311h9c9ff8c_0", "llvmlite==0.43.0"),  # an llvm- prefix rule must not catch it
    ],
)
def test_build_strings_tell_libraries_from_python_packages(spec: str, requirement: str | None) -> None:
    assert conda_to_requirement(spec) == requirement


def test_a_credential_in_variables_becomes_a_secret(tmp_path: Path) -> None:
    """`variables: {HF_TOKEN: hf_...}` was written into [env] in clear text.  A variable named
    like a credential or holding a credential-shaped value is declared as a secret (SPC737),
    its value written nowhere: not the spec, not a message, not an excerpt."""
    token = "hf_abcdefghijklmnopqrstuvwxyzABCDEF12"
    env = (
        "dependencies: [python=3.11, numpy=1.26.4]\n"
        "variables:\n"
        "  HF_HOME: /opt/hf\n"
        f"  HF_TOKEN: {token}\n"
        "  DB_PASSWORD: hunter2hunter2\n"
        "  SOME_URL: https://svc:Sup3rSecretPw@db.example/x\n"
    )
    src = write(tmp_path / "v", {"environment.yml": env})
    for fmt in ("json", "text"):
        r = run_cli("import", str(src / "environment.yml"), "--format", fmt, "--force")
        assert r.code == 0, r.out + r.err
        for leaked in (token, "hunter2hunter2", "Sup3rSecretPw"):
            assert leaked not in r.out + r.err
    text = (src / "model-env.toml").read_text()
    data = tomllib.loads(text)
    assert data["env"] == {"HF_HOME": "/opt/hf"}
    assert set(data["secrets"]) == {"HF_TOKEN", "DB_PASSWORD", "SOME_URL"}
    for leaked in (token, "hunter2hunter2", "Sup3rSecretPw"):
        assert leaked not in text


@pytest.mark.parametrize(
    ("python", "expected"),
    [("python>=3.10,<3.11", "3.10"), ("python ~=3.12.0", "3.12"), ("python=3.11.9=hb806964_0_cpython", "3.11"),
     ("python 3.10.*", "3.10"), ("python>=3.10", None), ("python", None)],
)  # fmt: skip
def test_python_versions_read_as_every_importer_reads_them(python: str, expected: str | None, tmp_path: Path) -> None:
    """One reading of conda's python spec for the conda importer and the peers' (pixi, bentoml):
    `>=3.10,<3.11` names 3.10 (it said "no single Python version")."""
    src = write(tmp_path / "p", {"environment.yml": f"dependencies: ['{python}']\n"})
    r = run_cli("import", str(src / "environment.yml"), "--python", "3.9", "--format", "json")
    assert r.code == 0, r.out
    got = tomllib.loads((src / "model-env.toml").read_text())["runtime"]["python"]
    assert got == (expected or "3.9")


@pytest.mark.parametrize(
    ("name", "credential"),
    [("HF_TOKEN", True), ("DB_PASSWORD", True), ("WANDB_API_KEY", True), ("AWS_SECRET_ACCESS_KEY", True),
     ("GITHUB_PAT", True), ("PGPASSWD", True), ("TOKENIZERS_PARALLELISM", False), ("MAX_TOKENS", False),
     ("OMP_NUM_THREADS", False), ("SECRET", True), ("KEYRING_BACKEND", False)],
)  # fmt: skip
def test_credential_names_by_word(name: str, credential: bool) -> None:
    from specc.importers._peers import credential_name

    assert credential_name(name) is credential


def test_a_setting_named_like_a_token_stays_a_setting_in_every_kind(tmp_path: Path) -> None:
    """TOKENIZERS_PARALLELISM is a setting; the conda and cog importers keep it in [env]."""
    conda = write(
        tmp_path / "c",
        {"environment.yml": "dependencies: [python=3.11]\nvariables:\n  TOKENIZERS_PARALLELISM: 'false'\n"},
    )
    cog = write(
        tmp_path / "g",
        {"cog.yaml": 'build:\n  python_version: "3.11"\nenvironment:\n  - TOKENIZERS_PARALLELISM=false\n'},
    )
    for src in (conda / "environment.yml", cog / "cog.yaml"):
        assert run_cli("import", str(src)).code == 0
        assert tomllib.loads((src.parent / "model-env.toml").read_text())["env"] == {"TOKENIZERS_PARALLELISM": "false"}


_HF = "hf_abcdefghijklmnopqrstuvwxyzABCDEF12"


@pytest.mark.parametrize(
    ("name", "text"),
    [("environment.yml", "dependencies: [python=3.11]\nvariables:\n  HF_TOKEN: " + _HF + "\n"),
     ("cog.yaml", 'build:\n  python_version: "3.11"\nenvironment:\n  - HF_TOKEN=' + _HF + "\n")],
)  # fmt: skip
def test_a_credential_entry_names_its_file_not_the_folder(name: str, text: str, tmp_path: Path) -> None:
    """A credential's diagnostics carry no line (so no excerpt shows the value) but must name
    the file it is in; they named the imported folder instead ("cog", "v")."""
    src = write(tmp_path / "v", {name: text})
    r = run_cli("import", str(src / name), "--format", "json")
    assert r.code == 0, r.out
    secret_notes = [d for d in json.loads(r.out)["diagnostics"] if d["code"] in ("SPC704", "SPC737")]
    assert secret_notes
    assert all(d["file"] == name and d["line"] is None for d in secret_notes), secret_notes
    assert all("HF_TOKEN" in d["message"] for d in secret_notes)


def test_a_large_environment_imports_in_linear_time(tmp_path: Path) -> None:
    """Every conda package gives a note; Draft.report compared each new note with all earlier
    ones (5,000 packages: 12.5 million comparisons, several seconds)."""
    import time

    deps = "".join(f"  - pkg{i}=1.0.{i}\n" for i in range(5000))
    src = write(tmp_path / "big", {"environment.yml": "dependencies:\n" + deps})
    start = time.monotonic()
    r = run_cli("import", str(src / "environment.yml"), "--python", "3.11", "--format", "json")
    assert r.code == 0
    assert len(json.loads(r.out)["diagnostics"]) >= 5000
    assert time.monotonic() - start < 15


def test_reporting_is_linear() -> None:
    """50,000 distinct notes: the old list scan made it 1.25 billion comparisons."""
    import time

    from specc.importers.base import Draft

    draft = Draft("conda")
    start = time.monotonic()
    for i in range(50_000):
        draft.report("SPC715", f"package {i}", source=f"environment.yml:{i}")
    draft.report("SPC715", "package 7", source="environment.yml:7")  # a repeat is not added
    assert len(draft.notes) == 50_000
    assert time.monotonic() - start < 5


def test_an_environment_that_is_not_a_mapping_points_at_the_file(tmp_path: Path) -> None:
    src = write(tmp_path / "l", {"environment.yml": "- numpy\n- pandas\n"})
    r = run_cli("import", str(src / "environment.yml"), "--python", "3.11", "--format", "json")
    assert r.code == 1
    (d,) = json.loads(r.out)["diagnostics"]
    assert (d["code"], d["file"], d["line"]) == ("SPC700", "environment.yml", 1)


def test_the_vendoring_script_keeps_renamed_and_absent_names_only() -> None:
    """scripts/vendor_conda_names.py reduces parselmouth's mapping to what the lookup needs."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "vendor_conda_names.py"
    spec = importlib.util.spec_from_file_location("vendor_conda_names", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    renamed, absent = module.tables(
        {
            "numpy": ["numpy"],  # the same name: no entry
            "typing_extensions": ["typing-extensions"],  # the same once canonical: no entry
            "msgpack-python": ["msgpack", "msgpack-python"],  # the first PyPI name
            "PyTables": ["tables"],
            "libzlib": None,
            "tzdata": [],
        }
    )
    assert renamed == {"msgpack-python": "msgpack", "pytables": "tables"}
    assert absent == ["libzlib", "tzdata"]
