"""Train the iris classifier and log it with the environment from model-env.toml.

Run from this folder:  python train.py
(not executed by specc's tests; it shows how a model repository uses specc)
"""

from __future__ import annotations

import mlflow
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import specc
import specc.mlflow
from iris_features import FEATURES, add_ratio_features  # src/ is on sys.path via [code]

iris = load_iris(as_frame=True)
X = iris.data.set_axis(FEATURES, axis=1)
y = iris.target

model = make_pipeline(
    FunctionTransformer(add_ratio_features),
    StandardScaler(),
    LogisticRegression(max_iter=500),
).fit(X, y)

# specc turns the spec into log_model arguments: pip_requirements (exact pins plus the
# sklearn flavor's defaults), code_paths, artifacts and the non-Python dependency
# artifact.  Nothing in model-env.toml is repeated here.
spec = specc.load("model-env.toml")
with mlflow.start_run():
    mlflow.sklearn.log_model(
        model,
        name="model",
        input_example=X.head(3),
        **specc.mlflow.log_model_kwargs(spec),
    )
