"""`specc import` from MLflow models: a model really logged with mlflow to a temporary sqlite
store, imported as a folder, as a runs:/ URI and as a models:/ URI; and a model folder logged on
Databricks (hand-written in MLflow's layout: conda.yaml only, databricks_runtime, uv.lock).

The logged model's files name the installed mlflow, pip and setuptools versions; the goldens
mask those (and the hashes that depend on them), so an upgrade of mlflow does not break them."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomllib

from tests.helpers import mlflow_tracking, run_cli
from tests.test_import_requirements import GOLDEN, round_trip, write

mlflow = pytest.importorskip("mlflow")

_SECRET = "Sup3rS3cretT0ken"


def _mask(text: str) -> str:
    text = re.sub(r"\b(mlflow|pip|setuptools)(==|<=)[0-9][0-9a-z.]*", r"\1\2<version>", text)
    text = re.sub(r"runs:/[0-9a-f]{32}/", "runs:/<run id>/", text)
    return re.sub(r"sha256:[0-9a-f]{64}", "sha256:<masked>", text)


def _golden(case: str, out: Path, report: dict[str, Any]) -> None:
    """Like tests.test_import_requirements.import_case's goldens, versions masked."""
    import specc
    from tests.helpers import assert_golden

    assert_golden(GOLDEN / case / "model-env.toml", _mask(out.read_text()))
    assert_golden(GOLDEN / case / "normalized.json", _mask(specc.load(out).to_json()))
    lines = [
        f"{d['severity']} {d['code']} {d['file']}:{d['line']}: {d['message']}"
        for d in sorted(report["diagnostics"], key=lambda d: (d["file"] or "", d["line"] or 0, d["code"], d["message"]))
    ]
    assert_golden(GOLDEN / case / "diagnostics.txt", _mask("\n".join(lines) + "\n"))


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One pyfunc model logged with pip requirements (an index URL with a credential among them),
    a code path and an artifact, registered as "churn" version 1."""
    root = tmp_path_factory.mktemp("mlflow-import")
    src = write(root / "train", {"churn_utils/__init__.py": "THRESHOLD = 0.5\n", "vocab.json": '{"yes": 1}\n'})
    with mlflow_tracking(root, "specc-import") as store:

        class Churn(mlflow.pyfunc.PythonModel):  # type: ignore[name-defined,misc]
            def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
                return model_input

        with mlflow.start_run() as run:
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=Churn(),
                pip_requirements=[
                    "scikit-learn==1.5.1",
                    "pandas==2.2.2",
                    f"--extra-index-url https://ml-bot:{_SECRET}@pkgs.acme.example/simple",
                ],
                code_paths=[str(src / "churn_utils")],
                artifacts={"vocab": str(src / "vocab.json")},
                registered_model_name="churn",
            )
        folder = Path(mlflow.artifacts.download_artifacts(info.model_uri, dst_path=str(store / "downloaded")))
        yield {"run_id": run.info.run_id, "folder": folder, "store": store}


def test_logged_model_folder(logged: dict[str, Any], tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(logged["folder"], model)
    r = run_cli("import", str(model), "--name", "churn", "--format", "json")
    assert r.code == 0, r.out + r.err
    report = json.loads(r.out)
    out = model / "model-env.toml"
    assert Path(report["output"]) == out and report["kind"] == "mlflow"
    _golden("mlflow-folder", out, report)
    text = out.read_text()
    data = tomllib.loads(text)
    assert data["runtime"]["python"] == ".".join(mlflow.pyfunc.PYTHON_VERSION.split(".")[:2])
    assert data["python"]["requirements"][1:] == ["scikit-learn==1.5.1", "pandas==2.2.2"]
    assert data["python"]["requirements"][0] == f"mlflow=={mlflow.__version__}"
    assert data["code"]["paths"] == ["code/churn_utils"]
    assert data["artifacts"] == {"vocab": "artifacts/vocab.json"}
    assert data["python"]["extra-index-urls"] == [
        "https://${PKGS_ACME_EXAMPLE_USER}:${PKGS_ACME_EXAMPLE_PASSWORD}@pkgs.acme.example/simple"
    ]
    assert _SECRET not in text and _SECRET not in r.out  # MLflow wrote it into the model; specc does not
    got = {(d["code"], d["file"]) for d in report["diagnostics"]}
    assert {("SPC725", "conda.yaml"), ("SPC725", "python_env.yaml"), ("SPC704", "requirements.txt")} <= got
    files = round_trip(out)
    assert any(name.startswith("code/") or "churn_utils" in name for name in files["docker"])


def test_runs_uri(logged: dict[str, Any], tmp_path: Path) -> None:
    uri = f"runs:/{logged['run_id']}/model"
    r = run_cli("import", uri, "--name", "churn", "--format", "json", cwd=tmp_path)
    assert r.code == 0, r.out + r.err
    report = json.loads(r.out)
    out = tmp_path / "model-env.toml"
    assert out.is_file()
    _golden("mlflow-runs-uri", out, report)
    data = tomllib.loads(out.read_text())
    assert data["python"]["requirements"][1:] == ["scikit-learn==1.5.1", "pandas==2.2.2"]
    assert "code" not in data and "artifacts" not in data  # in a temporary folder: reported instead
    messages = [d["message"] for d in report["diagnostics"] if d["code"] == "SPC725"]
    assert any("code/ (churn_utils)" in m for m in messages) and any('artifact "vocab"' in m for m in messages)
    assert out.read_text().startswith(f"# Imported by `specc import` from {uri} (mlflow).")
    round_trip(out)


def test_models_uri_names_the_model(logged: dict[str, Any], tmp_path: Path) -> None:
    r = run_cli("import", "models:/churn/1", "--format", "json", cwd=tmp_path)
    assert r.code == 0, r.out + r.err
    data = tomllib.loads((tmp_path / "model-env.toml").read_text())
    assert data["model"]["name"] == "churn"
    assert "scikit-learn==1.5.1" in data["python"]["requirements"]


def test_a_missing_model_version_writes_nothing(logged: dict[str, Any], tmp_path: Path) -> None:
    r = run_cli("import", "models:/churn/9", cwd=tmp_path)
    assert r.code == 1 and "error[SPC707]" in r.err and "churn" in r.err
    assert list(tmp_path.iterdir()) == []
    r = run_cli("import", "models:/churn/9", "--from", "conda", cwd=tmp_path)
    assert r.code == 1 and "error[SPC701]" in r.err


DATABRICKS_MODEL = {
    "MLmodel": """\
artifact_path: model
databricks_runtime: 15.4.x-cpu-ml-scala2.12
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.0
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.3.0
mlflow_version: 2.11.4
model_uuid: 6c2f0b6b1c7e4f3f9d4f7d8a2b1c0e9f
run_id: 0d8f3c1e2b4a4d6f8e9a1b2c3d4e5f60
utc_time_created: '2024-07-01 09:12:44.123456'
""",
    "conda.yaml": """\
channels:
- conda-forge
dependencies:
- python=3.11.0
- pip<=23.2.1
- pip:
  - mlflow==2.11.4
  - cloudpickle==2.2.1
  - scikit-learn==1.3.0
  - lightgbm==4.3.0
name: mlflow-env
""",
    "python_env.yaml": "python: 3.11.0\nbuild_dependencies:\n- pip==23.2.1\n- setuptools==68.0.0\n- wheel==0.38.4\n"
    "dependencies:\n- -r requirements.txt\n",
    "uv.lock": 'version = 1\nrequires-python = ">=3.11"\n',
    "model.pkl": "",
}


def test_databricks_logged_model_folder(tmp_path: Path) -> None:
    model = write(tmp_path / "dbx-model", DATABRICKS_MODEL)
    r = run_cli("import", str(model), "--name", "churn-dbx", "--format", "json")
    assert r.code == 0, r.out + r.err
    report = json.loads(r.out)
    out = model / "model-env.toml"
    _golden("mlflow-databricks", out, report)
    data = tomllib.loads(out.read_text())
    assert data["runtime"] == {"python": "3.11", "databricks": "15.4.x-cpu-ml-scala2.12"}
    assert data["mlflow"] == {"flavor": "sklearn"}
    assert data["python"]["requirements"] == [
        "mlflow==2.11.4",
        "cloudpickle==2.2.1",
        "scikit-learn==1.3.0",
        "lightgbm==4.3.0",
    ]
    got = {(d["code"], d["file"]) for d in report["diagnostics"]}
    assert {("SPC725", "uv.lock"), ("SPC725", "python_env.yaml"), ("SPC716", "conda.yaml")} <= got
    round_trip(out)


def test_an_unknown_databricks_runtime_is_reported(tmp_path: Path) -> None:
    files = dict(DATABRICKS_MODEL)
    files["MLmodel"] = files["MLmodel"].replace("15.4.x-cpu-ml-scala2.12", "'99.1'")
    model = write(tmp_path / "m", files)
    r = run_cli("import", str(model), "--format", "json")
    assert r.code == 0
    (d,) = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "SPC726"]
    assert d["file"] == "MLmodel" and d["line"] == 2 and '"99.1"' in d["message"]


def test_a_bare_runtime_version_is_carried_with_a_warning(tmp_path: Path) -> None:
    """MLflow records DATABRICKS_RUNTIME_VERSION ("15.4" on the ML runtime too)."""
    files = dict(DATABRICKS_MODEL)
    files["MLmodel"] = files["MLmodel"].replace("15.4.x-cpu-ml-scala2.12", "'15.4'")
    model = write(tmp_path / "m", files)
    r = run_cli("import", str(model), "--format", "json")
    assert r.code == 0, r.out
    assert tomllib.loads((model / "model-env.toml").read_text())["runtime"]["databricks"] == "15.4"
    (d,) = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "SPC726"]
    assert "ML runtime" in d["message"] and '"15.4-ml"' in d["hint"]


def test_a_runs_uri_without_name_says_the_name_is_a_placeholder(logged: dict[str, Any], tmp_path: Path) -> None:
    # found as a user: runs:/<id>/model wrote model.name = "model" (the artifact path) silently
    uri = f"runs:/{logged['run_id']}/model"
    r = run_cli("import", uri, "--format", "json", cwd=tmp_path)
    assert r.code == 0, r.out + r.err
    (named,) = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "SPC790"]
    assert named["severity"] == "warning" and 'model.name is "model"' in named["message"]
    assert "--name" in named["hint"]
    # said only when it is so: --name, and a registered model, name the model
    r = run_cli("import", uri, "--name", "churn", "--format", "json", "--out", str(tmp_path / "a.toml"))
    assert r.code == 0 and "SPC790" not in r.out
    r = run_cli("import", "models:/churn/1", "--format", "json", "--out", str(tmp_path / "b.toml"))
    assert r.code == 0 and "SPC790" not in r.out
