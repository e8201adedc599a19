"""The MLflow flavors a model can be logged with: ``[mlflow] flavor`` must be one of them.

A typo (``sklaern``) used to pass validation and fail only when the model was logged
(``import mlflow.sklaern``).  Checked here against a vendored list, with the closest names as
the hint.

Provenance: ``MLFLOW_3`` are the ``mlflow.<name>`` modules of MLflow 3.17.2 (the version in
specc's test environment) that define both ``log_model`` and ``get_default_pip_requirements``
(read from the installed package's source, 2026-11-30: ``grep -l "^def log_model"`` over
``mlflow/<name>/``), plus ``python_function``, the name MLmodel gives pyfunc.  ``MLFLOW_2_ONLY``
are flavors MLflow 2.x had and MLflow 3.0 removed (its release notes: fastai, diviner,
promptflow, mleap, gluon); specc supports ``mlflow>=2.16``, so a spec may still name them.
Update with the same command when MLflow adds a flavor.
"""

from __future__ import annotations

MLFLOW_3 = frozenset(
    {
        "catboost",
        "diffusers",
        "dspy",
        "h2o",
        "johnsnowlabs",
        "keras",
        "langchain",
        "lightgbm",
        "llama_index",
        "onnx",
        "openai",
        "paddle",
        "pmdarima",
        "prophet",
        "pyfunc",
        "python_function",
        "pytorch",
        "sentence_transformers",
        "shap",
        "sklearn",
        "spacy",
        "spark",
        "statsmodels",
        "tensorflow",
        "transformers",
        "xgboost",
    }
)
MLFLOW_2_ONLY = frozenset({"diviner", "fastai", "gluon", "mleap", "promptflow"})
KNOWN = MLFLOW_3 | MLFLOW_2_ONLY


def suggestions(name: str) -> list[str]:
    """Known flavors close to ``name`` (a typo's likely meaning), best first."""
    import difflib  # only for a suggestion

    return difflib.get_close_matches(name, sorted(KNOWN), n=2, cutoff=0.6)
