"""The example training script a newcomer follows really logs a model that loads and predicts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES

pytestmark = pytest.mark.slow


def test_sklearn_basic_train_script_logs_a_loadable_model(tmp_path: Path) -> None:
    # a user's fresh shell: no MLflow settings but the tracking store we choose
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env |= {"MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}", "PYTHONPATH": ""}
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / "sklearn-basic" / "train.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    uri = run.stdout.strip().splitlines()[-1]
    assert uri.startswith("models:/")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    check = (
        "import mlflow, pandas as pd, sys\n"
        f"m = mlflow.pyfunc.load_model({uri!r})\n"
        "X = pd.DataFrame([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]],"
        " columns=['sepal_length','sepal_width','petal_length','petal_width'])\n"
        "print([int(v) for v in m.predict(X)])\n"
        "reqs = open(mlflow.pyfunc.get_model_dependencies(" + repr(uri) + ")).read()\n"
        "print('scikit-learn==1.9.1' in reqs, 'uv.lock' not in reqs)\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", check], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    lines = loaded.stdout.strip().splitlines()
    assert lines[-2] == "[0, 2]"
    assert lines[-1] == "True True"
