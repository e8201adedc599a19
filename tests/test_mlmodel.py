"""specc.mlmodel: MLmodel files MLflow really writes, read back; malformed ones are clear errors."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

import specc
from specc.mlmodel import MLmodel, MLmodelError, parse_mlmodel, read_mlmodel
from tests.helpers import mlflow_tracking

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """kitchen-sink logged twice through specc.mlflow.log_model: sklearn (with an input example), pyfunc."""
    import mlflow
    import numpy as np
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    from specc.mlflow import log_model

    spec = specc.load(ROOT / "examples" / "kitchen-sink" / "model-env.toml")
    with mlflow_tracking(tmp_path_factory.mktemp("mlflow"), "specc-mlmodel") as _root, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the spec's Python may differ from this one: not the point here
        model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
        with mlflow.start_run() as run:
            sk = log_model(
                mlflow.sklearn,
                spec,
                sk_model=model,
                name="model",
                signature=infer_signature(np.array([[0.0]]), np.array([0])),
                input_example=np.array([[0.0]]),
            )

        class Echo(mlflow.pyfunc.PythonModel):
            def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
                return model_input

        with mlflow.start_run():
            py = log_model(mlflow.pyfunc, spec, python_model=Echo(), name="model")
        yield {
            "run_id": run.info.run_id,
            "sklearn": (sk, Path(mlflow.artifacts.download_artifacts(sk.model_uri))),
            "pyfunc": (py, Path(mlflow.artifacts.download_artifacts(py.model_uri))),
        }


def test_reads_a_logged_sklearn_model(logged: dict[str, Any]) -> None:
    import mlflow

    info, folder = logged["sklearn"]
    m = read_mlmodel(folder)
    assert m.flavor_names == ("python_function", "sklearn")
    assert m.logged_flavor == "sklearn"
    assert m.loader_module == "mlflow.sklearn"
    assert m.flavor("sklearn") is not None and m.flavor("sklearn").get("serialization_format")  # type: ignore[union-attr]
    assert m.flavor("pyfunc") is m.flavor("python_function")
    assert m.python_version == ".".join(map(str, sys.version_info[:3]))
    assert m.python_minor == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert m.mlflow_version == mlflow.__version__
    assert m.run_id == logged["run_id"]
    assert m.model_uuid == info.model_uuid
    assert m.utc_time_created == info.utc_time_created
    assert m.has_signature and m.has_input_example
    assert m.databricks_runtime is None
    assert read_mlmodel(folder / "MLmodel") == m  # the folder or the file itself


def test_reads_pyfunc_artifacts_of_a_logged_model(logged: dict[str, Any]) -> None:
    _, folder = logged["pyfunc"]
    m = read_mlmodel(folder)
    assert m.logged_flavor == "pyfunc"
    assert m.artifact("specc_environment") == "artifacts/specc-environment.json"
    assert m.artifact("vocab") == "artifacts/vocab.json"
    assert m.artifact("nope") is None
    assert not m.has_signature  # the Echo model has no type hints, and no example was given
    for where in m.pyfunc_artifacts.values():
        assert (folder / where).exists()


def test_hand_written_edge_cases() -> None:
    m = parse_mlmodel(
        "databricks_runtime: '15.4'\n"
        "utc_time_created: 2024-06-03 12:34:56.5\n"  # unquoted: YAML reads a timestamp
        "flavors:\n  python_function:\n    python_version: 3.11.9\n    loader_module: my_loader\n  custom:\n"
    )
    assert isinstance(m, MLmodel)
    assert m.databricks_runtime == "15.4"
    assert m.utc_time_created == "2024-06-03 12:34:56.500000"
    assert m.python_version == "3.11.9" and m.loader_module == "my_loader"
    assert m.logged_flavor == "custom" and m.flavor("custom").options == {}  # type: ignore[union-attr]
    assert m.mlflow_version is None and m.run_id is None and not m.has_signature
    bare = parse_mlmodel("artifact_path: model\n")
    assert bare.flavors == () and bare.logged_flavor == "pyfunc" and bare.loader_module is None
    assert bare.python_minor is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "MLmodel: empty file"),
        ("- a\n- b\n", "expected a mapping of keys, got a list"),
        ("flavors: sklearn\n", "flavors: expected a mapping of flavor names, got the string 'sklearn'"),
        ("flavors:\n  sklearn: 3\n", "flavors.sklearn: expected a mapping, got the number 3"),
        (
            "flavors:\n  python_function:\n    python_version: 3.10\n",
            r"python_version: expected a string, got the number 3.1 \(quote it",
        ),
        ("mlflow_version: [2]\n", "mlflow_version: expected a string, got a list"),
        ("flavors:\n  python_function:\n    artifacts: {a: {uri: x}}\n", "artifacts.a: expected a table with a `path`"),
        ("flavors: {a: 1\n", r"not valid YAML \(line 2, column 1\)"),
        ("a: !!python/object:os.system x\n", "not valid YAML"),  # a safe loader: no Python objects
    ],
)
def test_malformed_mlmodel_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(MLmodelError, match=message):
        parse_mlmodel(text)


def test_missing_or_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(MLmodelError, match=f"{tmp_path}: not an MLflow model \\(no MLmodel file\\)"):
        read_mlmodel(tmp_path)
    (tmp_path / "MLmodel").write_bytes(b"\xff\xfe")
    with pytest.raises(MLmodelError, match="MLmodel: cannot read it"):
        read_mlmodel(tmp_path)
    (tmp_path / "MLmodel").write_text("flavors: {x: 1}\n", encoding="utf-8")
    with pytest.raises(MLmodelError, match=rf"{tmp_path}/MLmodel: flavors\.x"):
        read_mlmodel(tmp_path)


def test_importing_the_reader_does_not_import_yaml() -> None:
    code = "import sys, specc.mlmodel; assert 'yaml' not in sys.modules, 'yaml imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
