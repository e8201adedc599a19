"""`specc import` from repo2docker / Binder folders: configuration in the root, in binder/ and in
.binder/; runtime.txt, requirements.txt, environment.yml, apt.txt, install.R, DESCRIPTION; the
files specc does not translate reported."""

from __future__ import annotations

from pathlib import Path

import tomllib
from hypothesis import given, settings
from hypothesis import strategies as st

from specc.importers import detect_kind
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
    ".binder/DESCRIPTION": """\
Package: climatetools
Title: Helpers
Version: 0.1.0
Depends: R (>= 4.1)
Imports:
    ncdf4,
    dplyr (>= 1.1.0),
    stats
""",
    ".binder/Dockerfile": "FROM jupyter/base-notebook\n",
    ".binder/setup.py": "from setuptools import setup\nsetup()\n",
    ".binder/Pipfile": "[packages]\nrequests = '*'\n",
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
    assert codes(report) == ["SPC720"]  # postBuild
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


def test_dot_binder_with_conda_and_description(tmp_path: Path) -> None:
    src = write(tmp_path / "climate", DOTBINDER_CONDA)
    out, report = import_case("repo2docker-dotbinder", src)
    data = tomllib.loads(out.read_text())
    assert data["runtime"]["python"] == "3.12"
    assert data["python"]["requirements"] == ["xarray==2024.6.0.*", "netcdf4", "pystac-client==0.8.2"]
    assert data["r"]["packages"] == ["ncdf4", "dplyr"]
    got = {(d["code"], d["file"], d["line"]) for d in report["diagnostics"]}
    assert {
        ("SPC720", ".binder/Dockerfile", None),
        ("SPC720", ".binder/setup.py", None),
        ("SPC720", ".binder/Pipfile", None),
        ("SPC721", ".binder/DESCRIPTION", 7),  # dplyr's version constraint
        ("SPC717", ".binder/environment.yml", 1),
    } <= got
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
