"""YAML reads an unquoted ``3.10`` as the float 3.1.  Versions and values the importers take
from YAML are read from the text as written: a hand-written ``python_env.yaml`` with
``python: 3.10`` gave runtime.python "3.1", a spec that does not validate (SPC107), so nothing
was written."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomllib

from tests.helpers import run_cli
from tests.test_import_requirements import write

MLMODEL = """\
artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    model_path: model.pkl
{python_version}    env:
      virtualenv: python_env.yaml
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.5.1
mlflow_version: 2.16.2
"""


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"python_env.yaml": "python: 3.10\nbuild_dependencies: [pip]\ndependencies: [-r requirements.txt]\n"}, "3.10"),
        ({"python_env.yaml": "python: 3.10.14\n"}, "3.10"),
        ({"python_env.yaml": "python: '3.12'\n"}, "3.12"),
        ({"MLmodel": MLMODEL.format(python_version="    python_version: 3.11.7\n")}, "3.11"),
    ],
)
def test_mlflow_python_versions_as_written(files: dict[str, str], expected: str, tmp_path: Path) -> None:
    base = {"MLmodel": MLMODEL.format(python_version=""), "requirements.txt": "scikit-learn==1.5.1\n", "model.pkl": ""}
    src = write(tmp_path / "m", {**base, **files})
    r = run_cli("import", str(src), "--python", "3.9", "--format", "json")
    assert r.code == 0, r.out
    assert tomllib.loads((src / "model-env.toml").read_text())["runtime"]["python"] == expected


def test_conda_variables_as_written(tmp_path: Path) -> None:
    src = write(
        tmp_path / "c",
        {
            "environment.yml": "dependencies: [python=3.11]\nvariables:\n"
            "  MODEL_VERSION: 1.10\n  WORKERS: 08\n  RATIO: 1e3\n"
        },
    )
    assert run_cli("import", str(src / "environment.yml")).code == 0
    env = tomllib.loads((src / "model-env.toml").read_text())["env"]
    assert env == {"MODEL_VERSION": "1.10", "WORKERS": "08", "RATIO": "1e3"}


def test_an_mlmodel_error_points_at_its_line(tmp_path: Path) -> None:
    """specc.mlmodel refuses an unquoted python_version (the float 3.1); the import's error
    named the folder, with no line.  It now points at MLmodel's line."""
    import json

    mlmodel = MLMODEL.format(python_version="    python_version: 3.10\n")
    src = write(tmp_path / "m", {"MLmodel": mlmodel, "requirements.txt": "x==1\n", "model.pkl": ""})
    r = run_cli("import", str(src), "--format", "json")
    assert r.code == 1
    (d,) = json.loads(r.out)["diagnostics"]
    assert (d["code"], d["file"], d["line"]) == ("SPC700", "MLmodel", 6)
    assert str(tmp_path) not in d["message"]
