"""Train the iris classifier and log it with the environment from model-env.toml.

Run from anywhere:  python examples/sklearn-basic/train.py
(MLFLOW_TRACKING_URI picks the tracking store, e.g. sqlite:///mlflow.db; tests run this
script for real and load the logged model back.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import mlflow
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import specc
import specc.mlflow

HERE = Path(__file__).resolve().parent
# The [code] path: importable while training here, shipped with the model by specc.
sys.path.insert(0, str(HERE / "src"))
from iris_features import FEATURES, add_ratio_features  # noqa: E402

iris = load_iris(as_frame=True)
X = iris.data.set_axis(FEATURES, axis=1)
y = iris.target

model = make_pipeline(
    FunctionTransformer(add_ratio_features),
    StandardScaler(),
    LogisticRegression(max_iter=500),
).fit(X, y)

# specc turns the spec into log_model arguments: pip_requirements (exact pins plus the
# sklearn flavor's defaults), code_paths, and the non-Python dependency artifact.
# Nothing in model-env.toml is repeated here.
spec = specc.load(HERE / "model-env.toml")
with mlflow.start_run():
    info = specc.mlflow.log_model(
        mlflow.sklearn,
        spec,
        sk_model=model,
        name="model",
        input_example=X.head(3),
        # the pipeline calls our own function, which skops (MLflow's default format)
        # refuses to load without a trust list; cloudpickle stores it by reference
        serialization_format="cloudpickle",
    )
print(info.model_uri)
