"""`specc import` from repo2docker / Binder folders: configuration in the root, in binder/ and in
.binder/; runtime.txt, requirements.txt, environment.yml, apt.txt, install.R, DESCRIPTION; the
files specc does not translate reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import tomllib
from hypothesis import given, settings
from hypothesis import strategies as st

from specc.importers import detect_kind
from tests.helpers import run_cli
from tests.test_import_requirements import codes, file_text, import_case, round_trip, write

ROOT_CONFIG = {
    "runtime.txt": "python-3.10\n",
    "requirements.txt": "numpy==1.26.4\nscikit-learn==1.4.2\nmatplotlib==3.8.4\n",
    "apt.txt": "# system packages for the notebooks\nlibgomp1\ngraphviz\nfonts-dejavu-core  # plots\n",
    "postBuild": "#!/bin/bash\njupyter labextension install @jupyter-widgets/jupyterlab-manager\n",
    "notebooks/train.ipynb": "{}",
    "README.md": "# churn\n",
}

BINDER_R = {
    "binder/runtime.txt": "r-4.3-2024-06-03\n",
    "binder/install.R": """\
install.packages(c("forecast", "ggplot2", "data.table"))
install.packages("prophet")
remotes::install_version("tsibble", version = "1.1.4")
devtools::install_github("tidyverts/fable")
options(warn = 2)
""",
    "binder/apt.txt": "libcurl4-openssl-dev\nlibxml2-dev\n",
    "binder/start": '#!/bin/bash\nexport MODEL_DIR=/srv/model\nexec "$@"\n',
    "requirements.txt": "flask==3.0.3\n",  # ignored: binder/ wins
    "DESCRIPTION": "Package: ignored\n",
}

DOTBINDER_CONDA = {
    ".binder/environment.yml": """\
channels:
  - conda-forge
dependencies:
  - python=3.12
  - xarray=2024.6.0
  - netcdf4
  - pip:
    - pystac-client==0.8.2
""",
    # repo2docker's Conda buildpack reads none of these (see test_dot_binder_with_conda)
    ".binder/requirements.txt": "flask==3.0.3\n",
    ".binder/runtime.txt": "python-3.9\n",
    ".binder/DESCRIPTION": "Package: climatetools\nImports: ncdf4\n",
    ".binder/setup.py": "from setuptools import setup\nsetup()\n",
    ".binder/Pipfile": "[packages]\nrequests = '*'\n",
    ".binder/postBuild": "#!/bin/bash\njupyter lab build\n",
}


def test_root_config(tmp_path: Path) -> None:
    src = write(tmp_path / "churn", ROOT_CONFIG)
    assert detect_kind(src) == "repo2docker"
    out, report = import_case("repo2docker-root", src)
    assert out == src / "model-env.toml"
    data = tomllib.loads(out.read_text())
    assert data["runtime"]["python"] == "3.10"
    assert data["apt"]["packages"] == ["libgomp1", "graphviz", "fonts-dejavu-core"]
    assert data["python"]["requirements"] == ["numpy==1.26.4", "scikit-learn==1.4.2", "matplotlib==3.8.4"]
    assert codes(report) == ["SPC703", "SPC720"]  # --python 3.11 not used (runtime.txt names 3.10), postBuild
    files = round_trip(out)
    assert "graphviz" in file_text(files["docker"], "Dockerfile")


def test_binder_folder_with_r(tmp_path: Path) -> None:
    src = write(tmp_path / "forecast", BINDER_R)
    out, report = import_case("repo2docker-binder-r", src)
    data = tomllib.loads(out.read_text())
    assert data["r"]["repository"] == "https://packagemanager.posit.co/cran/2024-06-03"
    assert data["r"]["packages"] == [
        "forecast",
        "ggplot2",
        "data.table",
        "prophet",
        {"name": "tsibble", "version": "1.1.4"},
    ]
    assert data["apt"]["packages"] == ["libcurl4-openssl-dev", "libxml2-dev"]
    assert "python" not in data  # the root's requirements.txt is ignored
    got = {(d["code"], d["file"], d["line"]) for d in report["diagnostics"]}
    assert {
        ("SPC721", "binder/runtime.txt", 1),  # the R version
        ("SPC721", "binder/install.R", 4),  # install_github
        ("SPC721", "binder/install.R", 5),  # other R code
        ("SPC720", "binder/start", None),
        ("SPC720", "requirements.txt", None),  # the root's files are ignored when binder/ exists
        ("SPC720", "DESCRIPTION", None),
    } <= got
    files = round_trip(out)
    assert "tsibble" in "".join(file_text(files["docker"], n) for n in files["docker"] if n.endswith(".R"))


def test_dot_binder_with_conda(tmp_path: Path) -> None:
    """With environment.yml repo2docker builds with its Conda buildpack (app.py: CondaBuildPack
    detects before PythonBuildPack), which installs environment.yml only: requirements.txt and
    runtime.txt are ignored (conda/__init__.py python_version reads environment.yml), as are
    DESCRIPTION and setup.py inside .binder/ (read from the root only, ``not self.binder_dir``)."""
    src = write(tmp_path / "climate", DOTBINDER_CONDA)
    out, report = import_case("repo2docker-dotbinder", src)
    data = tomllib.loads(out.read_text())
    assert data["runtime"]["python"] == "3.12"
    assert data["python"]["requirements"] == ["xarray==2024.6.0.*", "netcdf4", "pystac-client==0.8.2"]
    assert "r" not in data
    got = {(d["code"], d["file"]) for d in report["diagnostics"]}
    ignored = ["requirements.txt", "runtime.txt", "DESCRIPTION", "setup.py", "Pipfile", "postBuild"]
    assert {("SPC720", f".binder/{n}") for n in ignored} <= got
    round_trip(out)


def test_a_folder_is_never_mistaken(tmp_path: Path) -> None:
    assert detect_kind(write(tmp_path / "a", {"README.md": "x"})) is None
    assert detect_kind(write(tmp_path / "b", {"binder/postBuild": "x"})) == "repo2docker"
    assert detect_kind(write(tmp_path / "c", {"MLmodel": "flavors: {}\n", "requirements.txt": "x\n"})) == "mlflow"
    assert detect_kind(write(tmp_path / "d", {"requirements.txt": "x\n"}) / "requirements.txt") == "requirements"
    assert detect_kind(write(tmp_path / "e", {"environment.yml": "x\n"}) / "environment.yml") == "conda"


_LINES = st.lists(
    st.sampled_from([*"abz09-.+=:\"'(),$#\\ ", "install.packages(", "c(", "remotes::install_version(", "\n", "é"]),
    max_size=30,
).map("".join)


@settings(max_examples=60, deadline=None)
@given(apt=_LINES, install_r=_LINES, runtime=_LINES, description=_LINES)
def test_hostile_config_files_never_break_the_spec(apt: str, install_r: str, runtime: str, description: str) -> None:
    """Whatever repo2docker's text files hold, the written spec is TOML that validates; what
    cannot be carried is reported, the rest kept."""
    import tempfile

    from specc.importers.base import Draft
    from specc.importers.repo2docker import read_folder
    from specc.importers.writer import complete, finish

    with tempfile.TemporaryDirectory() as tmp:
        folder = write(
            Path(tmp),
            {"apt.txt": apt, "install.R": install_r, "runtime.txt": runtime, "DESCRIPTION": "Imports: " + description},
        )
        draft = Draft("repo2docker", root=folder)
        read_folder(folder, draft)
        complete(draft, name="h", python="3.11", name_source="test", python_source="--python")
        text, result = finish(draft, folder / "model-env.toml")
    assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics
    assert tomllib.loads(text)["spec-version"] == 1


# --- repo2docker's own rules, one test each (jupyterhub/repo2docker at 808ae6bb, August 2026) -------


def _import(tmp_path: Path, files: dict[str, str], *extra: str) -> tuple[int, dict[str, Any], dict[str, Any]]:
    src = write(tmp_path / "repo", files)
    r = run_cli("import", str(src), "--python", "3.11", "--name", "r2d", "--format", "json", *extra)
    report = json.loads(r.out)
    spec = tomllib.loads((src / "model-env.toml").read_text()) if (src / "model-env.toml").is_file() else {}
    return r.code, report, spec


def _ignored(report: dict[str, Any]) -> set[str]:
    return {d["file"] for d in report["diagnostics"] if d["code"] == "SPC720" and "ignored" in d["message"]}


def test_binder_and_dot_binder_together_are_refused(tmp_path: Path) -> None:
    """buildpacks/base.py ``binder_dir``: "The repository contains both a 'binder' and a
    '.binder' directory. However they are exclusive." (a RuntimeError): nothing is written."""
    code, report, spec = _import(tmp_path, {"binder/requirements.txt": "numpy\n", ".binder/apt.txt": "curl\n"})
    assert code == 1 and not spec
    assert [d["code"] for d in report["diagnostics"]] == ["SPC722"]


def test_the_root_is_ignored_when_binder_exists(tmp_path: Path) -> None:
    """buildpacks/base.py ``binder_path``: every configuration file is looked up in the binder
    folder once one exists; the root's are never read."""
    code, report, spec = _import(
        tmp_path, {"binder/apt.txt": "curl\n", "requirements.txt": "flask==3.0.3\n", "apt.txt": "git\n"}
    )
    assert code == 0
    assert spec["apt"]["packages"] == ["curl"] and "python" not in spec
    assert {"requirements.txt", "apt.txt"} <= _ignored(report)


def test_a_dockerfile_wins_over_everything(tmp_path: Path) -> None:
    """app.py: DockerBuildPack detects first (``binder_path("Dockerfile")`` exists) and builds
    that Dockerfile alone; apt.txt, requirements.txt, environment.yml are not used."""
    files = {
        "binder/Dockerfile": "FROM python:3.11\n",
        "binder/apt.txt": "curl\n",
        "binder/requirements.txt": "numpy==2.1.3\n",
        "binder/environment.yml": "dependencies: [python=3.10]\n",
    }
    code, report, spec = _import(tmp_path, files)
    assert code == 0
    assert "apt" not in spec and "python" not in spec and spec["runtime"]["python"] == "3.11"  # --python
    assert {"binder/apt.txt", "binder/requirements.txt", "binder/environment.yml"} <= _ignored(report)
    assert ("SPC720", "binder/Dockerfile") in {(d["code"], d["file"]) for d in report["diagnostics"]}


def test_environment_yml_wins_over_requirements_and_runtime(tmp_path: Path) -> None:
    """app.py: CondaBuildPack detects before PythonBuildPack; CondaBuildPack installs no
    requirements.txt (PythonBuildPack._get_pip_scripts does) and takes Python from
    environment.yml's ``python=`` (CondaBuildPack.python_version), not runtime.txt."""
    files = {"environment.yml": "dependencies:\n  - python=3.10\n  - numpy=1.26.4\n",
             "requirements.txt": "flask==3.0.3\n", "runtime.txt": "python-3.12\n", "apt.txt": "curl\n"}  # fmt: skip
    code, report, spec = _import(tmp_path, files)
    assert code == 0
    assert spec["runtime"]["python"] == "3.10"
    assert spec["python"]["requirements"] == ["numpy==1.26.4.*"]
    assert spec["apt"]["packages"] == ["curl"]
    assert {"requirements.txt", "runtime.txt"} <= _ignored(report)


def test_an_r_runtime_reads_environment_requirements_and_install_r(tmp_path: Path) -> None:
    """r.py: RBuildPack (detected by ``r-...-YYYY-MM-DD`` in runtime.txt, before CondaBuildPack)
    extends PythonBuildPack, which extends CondaBuildPack: it installs environment.yml,
    requirements.txt and runs install.R."""
    files = {"runtime.txt": "r-4.3-2024-06-03\n", "environment.yml": "dependencies: [python=3.10, numpy=1.26.4]\n",
             "requirements.txt": "flask==3.0.3\n", "install.R": 'install.packages("forecast")\n'}  # fmt: skip
    code, report, spec = _import(tmp_path, files)
    assert code == 0, report
    assert spec["python"]["requirements"] == ["numpy==1.26.4.*", "flask==3.0.3"]
    assert spec["r"] == {"repository": "https://packagemanager.posit.co/cran/2024-06-03", "packages": ["forecast"]}
    assert not _ignored(report)


def test_install_r_without_an_r_runtime_is_ignored(tmp_path: Path) -> None:
    """r.py ``RBuildPack.detect``: R is used only with a dated ``r-`` runtime.txt or a root
    DESCRIPTION; otherwise the Python buildpack builds and install.R never runs."""
    code, report, spec = _import(
        tmp_path, {"install.R": 'install.packages("forecast")\n', "requirements.txt": "x==1\n"}
    )
    assert code == 0
    assert "r" not in spec and spec["python"]["requirements"] == ["x==1"]
    assert "install.R" in _ignored(report)


def test_a_root_description_selects_r(tmp_path: Path) -> None:
    """r.py ``RBuildPack.detect``: a DESCRIPTION in the root (no binder folder) selects R, which
    installs the package's dependencies (``remotes::install_local()``)."""
    code, _, spec = _import(tmp_path, {"DESCRIPTION": "Package: p\nImports: dplyr, ggplot2\n"})
    assert code == 0
    assert spec["r"]["packages"] == ["dplyr", "ggplot2"]


def test_a_pipfile_wins_over_requirements(tmp_path: Path) -> None:
    """app.py: PipfileBuildPack detects before PythonBuildPack and extends CondaBuildPack, so
    requirements.txt is not installed; runtime.txt still gives the Python version."""
    files = {
        "Pipfile": "[packages]\nrequests = '*'\n",
        "requirements.txt": "flask==3.0.3\n",
        "runtime.txt": "python-3.10\n",
    }
    code, report, spec = _import(tmp_path, files)
    assert code == 0
    assert "python" not in spec and spec["runtime"]["python"] == "3.10"
    assert "requirements.txt" in _ignored(report)


def test_nix_reads_apt_only(tmp_path: Path) -> None:
    """nix/__init__.py: NixBuildPack extends the base image (apt.txt, postBuild, start), not the
    Python buildpack: requirements.txt is not installed."""
    code, report, spec = _import(tmp_path, {"default.nix": "{}\n", "apt.txt": "curl\n", "requirements.txt": "x==1\n"})
    assert code == 0
    assert spec["apt"]["packages"] == ["curl"] and "python" not in spec
    assert "requirements.txt" in _ignored(report)


@pytest.mark.parametrize(
    ("text", "python", "repository", "reported"),
    [
        ("python-3.10\n", "3.10", None, False),
        ("python-3.10-2023-01-01", "3.10", None, False),  # name-version-date: the date is R's only
        ("python-3", "3.11", None, True),  # a major version: repo2docker's default Python
        ("python-3.10.4", "3.10", None, True),  # repo2docker's Conda base wants x.y
        ("r-4.3-2023-01-01", "3.11", "https://packagemanager.posit.co/cran/2023-01-01", True),  # R version reported
        ("r-2023-01-01", "3.11", "https://packagemanager.posit.co/cran/2023-01-01", False),
        ("r-4.3", "3.11", None, True),  # no date: repo2docker does not use R
        ("# the runtime\npython-3.10\n", "3.11", None, True),  # the whole file is read: invalid
        ("python-3.10 ", "3.10", None, False),  # stripped
        ("r-4.3-2023-02-30", "3.11", None, True),  # not a day
        ("python3.10", "3.11", None, True),  # one part
        ("julia-1.9", "3.11", None, True),
    ],
)
def test_runtime_txt_forms(text: str, python: str, repository: str | None, reported: bool, tmp_path: Path) -> None:
    """buildpacks/base.py ``BuildPack.runtime``: the whole file, stripped, split on "-" into 2
    (name-version), 4 (name-YYYY-MM-DD) or 5 (name-version-YYYY-MM-DD) non-empty parts, else
    ValueError; python/__init__.py: a one-part version means the default Python of that major."""
    code, report, spec = _import(tmp_path, {"runtime.txt": text, "apt.txt": "curl\n"})
    assert code == 0, report
    assert spec["runtime"]["python"] == python
    assert spec.get("r", {}).get("repository") == repository
    got = [d for d in report["diagnostics"] if d["code"] == "SPC721"]
    assert bool(got) == reported, got
    assert all(d["file"] == "runtime.txt" and d["line"] == 1 for d in got)


def test_a_description_package_itself_is_reported(tmp_path: Path) -> None:
    """r.py ``get_assemble_scripts``: with a root DESCRIPTION repo2docker runs
    ``remotes::install_local()`` (the package itself, then its dependencies), and ``detect``
    sets the snapshot date to two days before the build when runtime.txt gives none.  The
    binder-examples/binder-r-description DESCRIPTION (no Imports) gave a spec and no diagnostic."""
    description = (
        "Package: binderdescription\nVersion: 0.1\nTitle: Binder R DESCRIPTION support\n"
        "Description: Test that automatically building R packages works\n"
    )
    code, report, spec = _import(tmp_path, {"DESCRIPTION": description})
    assert code == 0
    got = {(d["code"], d["file"]) for d in report["diagnostics"]}
    assert {("SPC720", "DESCRIPTION"), ("SPC721", "DESCRIPTION")} <= got
    assert "r" not in spec


def test_install_r_calls_across_lines(tmp_path: Path) -> None:
    """`install.packages(c(\\n "a",\\n "b"\\n))` — the usual way to list many packages — was read
    line by line: every package of it was "R code not carried over".  Statements are read whole
    (brackets, strings, comments, `;`), each reported or carried at its first line."""
    install = (
        "install.packages(c(\n"
        '  "tidyverse",\n'
        '  "rmarkdown",   # reports ( not a bracket\n'
        '  "httr"\n'
        "))\n"
        'install.packages("data.table", dependencies = TRUE); install.packages("xml2")\n'
        "remotes::install_version(\n"
        '  "ggplot2",\n'
        '  version = "3.4.4"\n'
        ")\n"
        'x <- "not ( a bracket"\n'
        'BiocManager::install(c("DESeq2",\n  "edgeR"))\n'
    )
    code, report, spec = _import(tmp_path, {"runtime.txt": "r-2024-01-10\n", "install.R": install})
    assert code == 0, report
    assert spec["r"]["packages"] == [
        "tidyverse", "rmarkdown", "httr", "data.table", "xml2", {"name": "ggplot2", "version": "3.4.4"},
    ]  # fmt: skip
    got = {(d["line"], d["message"].split(":")[0]) for d in report["diagnostics"] if d["code"] == "SPC721"}
    assert got == {(11, "R code is not carried over"), (12, "R code is not carried over")}
