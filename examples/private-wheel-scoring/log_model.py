"""Log the risk-scorer model with specc's arguments (the spec's requirements, the wheel, the code path).

    MLFLOW_TRACKING_URI=... python log_model.py [registered-model-name]

Prints the model URI. ``log()`` is what the tests call.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: The model reads two columns; a table may have more (they pass through the scoring job).
INPUTS = (("amount", "double"), ("age", "long"))


def log(registered_model_name: str | None = None) -> Any:
    """Log the model in the active MLflow tracking store; returns MLflow's ``ModelInfo``."""
    import mlflow
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    import specc
    from specc.mlflow import log_model

    sys.path.insert(0, str(HERE / "model_code"))
    try:
        from risk_model import RiskModel  # pickled by reference: code/risk_model.py at load
    finally:
        sys.path.remove(str(HERE / "model_code"))
    spec = specc.load(HERE / "model-env.toml")
    signature = ModelSignature(inputs=Schema([ColSpec(t, n) for n, t in INPUTS]), outputs=Schema([ColSpec("double")]))
    with mlflow.start_run():
        return log_model(
            mlflow.pyfunc,
            spec,
            python_model=RiskModel(),
            name="model",
            signature=signature,
            registered_model_name=registered_model_name,
        )


if __name__ == "__main__":
    print(log(sys.argv[1] if len(sys.argv) > 1 else None).model_uri)
