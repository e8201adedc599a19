"""``specc import`` of a model specc logged gives back the spec it was logged from.

Found as a user: ``specc import models:/churn/1`` of a model logged from a spec on Databricks
Runtime 15.4 ML read only MLflow's ``requirements.txt``: the written spec lost
``runtime.databricks``, ``runtime.overrides`` and every target option, listed the lock's 39
transitive pins as requirements, and reported ``code/specc-environment`` (specc's own folder) as
the model's code; ``specc diff`` of the model against the imported spec then showed 9 changes.
Now the importer reads ``specc-environment.json`` (as ``render --from-model`` and ``diff`` do),
and the diff of the model against its import is "no differences" for several spec shapes.
Real MLflow, a sqlite store, no mocks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomllib

from tests.helpers import run_cli

HEAD = 'spec-version = 1\n[model]\nname = "{name}"\n'
SHAPES = {
    "plain": '[runtime]\npython = "3.11"\n[python]\nrequirements = ["scikit-learn==1.5.2", "pandas>=2.1"]\n',
    "databricks": (
        '[runtime]\npython = "3.11"\ndatabricks = "15.4-ml"\noverrides = ["scikit-learn"]\n'
        '[python]\nrequirements = ["scikit-learn==1.5.2", "nltk==3.8.1"]\nconstraints = ["urllib3<3"]\n'
        'extra-index-urls = ["https://${PKGS_TOKEN}@pkgs.example.com/simple"]\n'
        '[secrets.PKGS_TOKEN]\ndatabricks = "ml/pkgs-token"\n'
        '[apt]\npackages = ["libgomp1"]\n'
        '[maven]\npackages = [{ coordinates = "org.xerial:sqlite-jdbc:3.45.1.0", '
        'exclusions = ["org.slf4j:slf4j-api"] }]\n'
        '[env]\nOMP_NUM_THREADS = "4"\n'
        '[targets.databricks]\nlibraries-dir = "/Volumes/ml/default/libs"\n'
        'notebook-dir = "/Workspace/Users/me@example.com/specc"\n'
        '[targets.databricks.cluster]\nnode-type = "i3.xlarge"\nworkers = 2\n'
    ),
    "serving": (
        '[runtime]\npython = "3.11"\n[python]\nrequirements = ["scikit-learn==1.5.2"]\n'
        '[apt]\npackages = ["curl=7.88.1-10+deb12u8"]\n'
        '[targets.docker]\nserve = true\nport = 9000\nbase-image = "python:3.11-slim-bookworm"\n'
    ),
}


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """shape → the runs:/ URI of a model logged from that spec with specc.mlflow.log_model."""
    mlflow = pytest.importorskip("mlflow")
    import specc
    import specc.mlflow
    from tests.helpers import mlflow_tracking

    class Echo(mlflow.pyfunc.PythonModel):  # type: ignore[misc, name-defined]
        def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
            return model_input

    root = tmp_path_factory.mktemp("e2e-import")
    uris = {}
    with mlflow_tracking(root, "specc-e2e-import"):
        for shape, body in SHAPES.items():
            folder = root / shape
            folder.mkdir()
            (folder / "model-env.toml").write_text(HEAD.format(name=f"m-{shape}") + body, encoding="utf-8")
            spec = specc.load(folder / "model-env.toml")
            with mlflow.start_run():
                info = specc.mlflow.log_model(mlflow.pyfunc, spec, python_model=Echo(), name="model")
            uris[shape] = info.model_uri
        yield uris


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_import_of_a_specc_logged_model_is_its_spec(logged: dict[str, str], shape: str, tmp_path: Path) -> None:
    uri = logged[shape]
    out = tmp_path / "model-env.toml"
    r = run_cli("import", uri, "--out", str(out))
    assert r.code == 0, r.err
    written = out.read_text(encoding="utf-8")
    assert "specc-environment.json: python.requirements[0]" in written
    assert "code/specc-environment" not in r.err  # specc's own folder is not the model's code
    r = run_cli("validate", str(out))  # warnings as the logged spec's own (a range, SPC202; 15.4 ML, SPC215)
    assert r.code == 0, r.err
    r = run_cli("diff", uri, str(out), "--format", "json")
    report = json.loads(r.out)
    assert (r.code, report["changes"]) == (0, []), r.out + r.err
    # the spec's own requirements, not MLflow's additions (its mlflow== pin, cloudpickle)
    data = tomllib.loads(written)
    names = [line.split("=")[0].split(">")[0] for line in data["python"]["requirements"]]
    assert "mlflow" not in names and "cloudpickle" not in names


def test_import_is_deterministic(logged: dict[str, str], tmp_path: Path) -> None:
    texts = []
    for i in range(2):
        out = tmp_path / f"{i}.toml"
        assert run_cli("import", logged["databricks"], "--out", str(out)).code == 0
        texts.append(out.read_bytes())
    assert texts[0] == texts[1]
