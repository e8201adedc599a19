"""Feature engineering shared by training and serving.

Kept in its own package (listed under ``[code] paths``) so the exact same function runs
when the model is trained and when the logged model is loaded for inference.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["add_ratio_features", "FEATURES"]

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def add_ratio_features(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with length/width ratios added.

    The ratios separate versicolor from virginica better than the raw measurements.
    """
    out = df.copy()
    out["sepal_ratio"] = out["sepal_length"] / out["sepal_width"]
    out["petal_ratio"] = out["petal_length"] / out["petal_width"]
    return out
