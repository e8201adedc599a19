"""The pyfunc model: a code path (shipped as code/risk_model.py) that uses the private wheel."""

import mlflow.pyfunc


class RiskModel(mlflow.pyfunc.PythonModel):
    """Predicts scorekit.risk(amount, age). scorekit is imported when predicting, so logging the
    model needs only MLflow; scoring needs the wheel the model ships (code/scorekit-*.whl)."""

    def predict(self, context, model_input, params=None):
        import scorekit

        return scorekit.risk(model_input["amount"].astype("float64"), model_input["age"].astype("float64"))
