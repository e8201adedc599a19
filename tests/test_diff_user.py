"""``specc diff`` as a user meets it: faults found by using it on real model repositories, each
turned into a test together with the other cases of the same kind.

- a model MLflow logged without specc: the lines MLflow adds itself (its own ``mlflow==`` pin,
  the flavor's default requirements) are allowances, compared only when the other side names
  the package -- never dropped from the comparison when the spec pins the same package (the
  sklearn model's ``scikit-learn==1.9.1`` against a spec's ``scikit-learn==1.9.1`` was shown
  as "+ added").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from specc.diff import DiffResult, diff
from tests.helpers import run_cli

# MLmodel as MLflow 3 writes it for `mlflow.sklearn.log_model(model, name="plain")` (skops
# format outside Databricks); python_env.yaml likewise.
_MLMODEL = """\
artifact_path: plain
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.skops
    predict_fn: predict
    python_version: 3.11.7
  sklearn:
    code: null
    pickled_model: model.skops
    serialization_format: skops
    sklearn_version: 1.9.1
mlflow_version: 3.17.2
model_uuid: 0f4c2a3e0a6d4e0c9d0b8f2b1c3d4e5f
utc_time_created: '2026-11-30 12:16:11.521047'
"""
_PYTHON_ENV = "python: 3.11.7\nbuild_dependencies:\n- pip==26.3\ndependencies:\n- -r requirements.txt\n"


def bare_model(folder: Path, requirements: str) -> Path:
    """A sklearn model folder as MLflow logs it without specc (no specc-environment.json)."""
    folder.mkdir(parents=True)
    (folder / "MLmodel").write_text(_MLMODEL, encoding="utf-8")
    (folder / "python_env.yaml").write_text(_PYTHON_ENV, encoding="utf-8")
    (folder / "requirements.txt").write_text(requirements, encoding="utf-8")
    return folder


def spec(folder: Path, *requirements: str) -> Path:
    folder.mkdir(parents=True)
    reqs = ", ".join(f'"{r}"' for r in requirements)
    text = f'spec-version = 1\n[model]\nname = "churn"\n[runtime]\npython = "3.11"\n[python]\nrequirements = [{reqs}]\n'
    (folder / "model-env.toml").write_text(text, encoding="utf-8")
    return folder / "model-env.toml"


def pip_changes(result: DiffResult) -> list[tuple[str, str, str | None, str | None]]:
    return [(c.name, c.change, c.old, c.new) for c in result.changes if c.ecosystem == "pip"]


LOGGED = "mlflow==3.17.2\nnumpy==2.4.6\npandas==3.1.1\nscikit-learn==1.9.1\nskops==0.16.0\n"


@pytest.fixture(autouse=True)
def _needs_sklearn() -> None:
    # the sklearn flavor's default requirements are read from MLflow's own flavor module
    pytest.importorskip("mlflow")
    pytest.importorskip("sklearn")


def test_flavor_default_the_spec_pins_alike_is_no_change(tmp_path: Path) -> None:
    model = bare_model(tmp_path / "plain", LOGGED)
    new = spec(tmp_path / "spec", "scikit-learn==1.9.1", "pandas==3.1.1", "numpy==2.4.6")
    result = diff(str(model), str(new))
    assert pip_changes(result) == []  # not "+ scikit-learn ==1.9.1"
    assert not result.differs
    assert run_cli("diff", str(model), str(new)).code == 0


def test_flavor_default_the_spec_pins_otherwise_is_a_change(tmp_path: Path) -> None:
    model = bare_model(tmp_path / "plain", LOGGED)
    new = spec(tmp_path / "spec", "scikit-learn==1.5.2", "pandas==3.1.1", "numpy==2.4.6")
    assert pip_changes(diff(str(model), str(new))) == [("scikit-learn", "changed", "==1.9.1", "==1.5.2")]
    # the other direction: the spec is OLD, the model NEW
    assert pip_changes(diff(str(new), str(model))) == [("scikit-learn", "changed", "==1.5.2", "==1.9.1")]


def test_mlflow_pin_is_compared_only_when_the_spec_names_mlflow(tmp_path: Path) -> None:
    model = bare_model(tmp_path / "plain", LOGGED)
    same = spec(tmp_path / "same", "scikit-learn==1.9.1", "pandas==3.1.1", "numpy==2.4.6", "mlflow==3.17.2")
    older = spec(tmp_path / "older", "scikit-learn==1.9.1", "pandas==3.1.1", "numpy==2.4.6", "mlflow==3.1.0")
    unnamed = spec(tmp_path / "unnamed", "scikit-learn==1.9.1", "pandas==3.1.1", "numpy==2.4.6")
    assert pip_changes(diff(str(model), str(same))) == []
    assert pip_changes(diff(str(model), str(older))) == [("mlflow", "changed", "==3.17.2", "==3.1.0")]
    assert pip_changes(diff(str(model), str(unnamed))) == []  # MLflow's own pin is not "removed"


def test_allowances_the_spec_does_not_name_are_never_added_or_removed(tmp_path: Path) -> None:
    model = bare_model(tmp_path / "plain", LOGGED + "cloudpickle==3.1.3\n")
    new = spec(tmp_path / "spec", "pandas==3.1.1", "numpy==2.4.6", "xgboost==2.1.1")
    assert pip_changes(diff(str(model), str(new))) == [("xgboost", "added", None, "==2.1.1")]
    assert pip_changes(diff(str(new), str(model))) == [("xgboost", "removed", "==2.1.1", None)]


def test_two_bare_models_compare_their_flavor_defaults(tmp_path: Path) -> None:
    old = bare_model(tmp_path / "old", LOGGED)
    new = bare_model(tmp_path / "new", LOGGED.replace("scikit-learn==1.9.1", "scikit-learn==1.9.2"))
    assert pip_changes(diff(str(old), str(new))) == [("scikit-learn", "changed", "==1.9.1", "==1.9.2")]
    # a default one model has and the other lacks is MLflow's doing, not a difference
    fewer = bare_model(tmp_path / "fewer", LOGGED.replace("skops==0.16.0\n", ""))
    assert pip_changes(diff(str(old), str(fewer))) == []
