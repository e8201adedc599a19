"""``specc render --target databricks --from-model``: the training runtime picks the spark_version.

A real MLflow model is saved with specc's log_model kwargs (so it carries
specc-environment.json and the private packages); then the MLmodel gets the
``databricks_runtime`` field MLflow writes when a model is saved on Databricks (setting
DATABRICKS_RUNTIME_VERSION instead would change how MLflow saves models).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from specc.api import check
from tests.test_databricks import render_cli

REPO = Path(__file__).resolve().parent.parent
KITCHEN_LIB = REPO / "examples" / "kitchen-sink" / "lib"

import mlflow  # noqa: E402


class Echo(mlflow.pyfunc.PythonModel):  # type: ignore[misc,name-defined]
    def predict(self, context, model_input: list[str], params=None) -> list[str]:  # type: ignore[no-untyped-def]
        return model_input


def _save_model(tmp_path: Path, runtime_section: str, databricks_runtime: str | None) -> Path:
    from specc.mlflow import log_model_kwargs

    spec_dir = tmp_path / "repo"
    (spec_dir / "lib").mkdir(parents=True)
    shutil.copyfile(KITCHEN_LIB / "libchurn_1.0_amd64.deb", spec_dir / "lib" / "libchurn_1.0_amd64.deb")
    (spec_dir / "model-env.toml").write_text(
        'spec-version = 1\n[model]\nname = "echo"\n'
        f'[runtime]\npython = "3.11"\n{runtime_section}'
        '[python]\nrequirements = ["nltk==3.9.1"]\n[apt]\ndebs = ["lib/libchurn_1.0_amd64.deb"]\n'
        '[targets.databricks]\nlibraries-dir = "/Volumes/ml/default/libs"\n',
        encoding="utf-8",
    )
    result = check(spec_dir / "model-env.toml")
    assert result.spec is not None, result.diagnostics
    model_dir = tmp_path / "model"
    mlflow.pyfunc.save_model(
        path=str(model_dir), python_model=Echo(), **log_model_kwargs(result.spec, "pyfunc", out_dir=tmp_path / "stage")
    )
    if databricks_runtime is not None:
        mlmodel = model_dir / "MLmodel"
        data = yaml.safe_load(mlmodel.read_text())
        data["databricks_runtime"] = databricks_runtime
        mlmodel.write_text(yaml.safe_dump(data, sort_keys=False))
    return model_dir


@pytest.mark.parametrize(
    ("runtime_section", "recorded", "want"),
    [
        ("", "15.4", "15.4.x-cpu-ml-scala2.12"),
        ('cuda = "12.4"\n', "15.4", "15.4.x-gpu-ml-scala2.12"),
        ('databricks = "15.4-ml"\n', "16.4", "15.4.x-cpu-ml-scala2.12"),  # the spec's own runtime wins
    ],
)
def test_training_runtime_picks_the_spark_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], runtime_section: str, recorded: str, want: str
) -> None:
    model_dir = _save_model(tmp_path, runtime_section, recorded)
    out = tmp_path / "out"
    assert render_cli("--target", "databricks", "--from-model", str(model_dir), "--out", str(out)) == 0
    err = capsys.readouterr().err
    assert "SPC320" not in err
    # checked against the chosen runtime's manifest: ML runtimes preinstall nltk 3.8.1
    assert 'warning[SPC215] python.requirements[0]: "nltk==3.9.1" replaces nltk 3.8.1' in err
    cluster = json.loads((out / "cluster.json").read_text())
    assert cluster["spark_version"] == want
    # the private deb travels inside the model and is uploaded from there
    (deb,) = [u for u in json.loads((out / "uploads.json").read_text()) if u["kind"] == "deb"]
    assert (out / deb["local"]).read_bytes() == (KITCHEN_LIB / "libchurn_1.0_amd64.deb").read_bytes()
    assert deb["remote"] == "/Volumes/ml/default/libs/echo/debs/libchurn_1.0_amd64.deb"


def test_training_runtime_with_another_python_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model_dir = _save_model(tmp_path, "", "16.4")  # 16.4 runs Python 3.12, the spec says 3.11
    out = tmp_path / "out"
    assert render_cli("--target", "databricks", "--from-model", str(model_dir), "--out", str(out)) == 1
    assert "SPC212" in capsys.readouterr().err
    assert not out.exists()


def test_no_recorded_runtime_falls_back_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model_dir = _save_model(tmp_path, "", None)
    out = tmp_path / "out"
    assert render_cli("--target", "databricks", "--from-model", str(model_dir), "--out", str(out)) == 0
    assert "SPC320" in capsys.readouterr().err
