"""``[mlflow]``: how `specc compile` fills MLflow's log_model arguments."""

from __future__ import annotations

from specc.diagnostics import Origin
from specc.spec import FLAVOR, Mlflow, MlflowInput
from specc.validate import flavors
from specc.validate.context import Context


def validate(ctx: Context, sec: MlflowInput | None) -> Mlflow:
    if sec is None:
        return Mlflow()
    flavor = sec.flavor
    if flavor is not None and not ctx.check(FLAVOR, ("mlflow", "flavor"), flavor):
        flavor = None
    elif flavor is not None and flavor not in flavors.KNOWN:
        close = flavors.suggestions(flavor)
        ctx.error(
            "SPC133",
            ("mlflow", "flavor"),
            f'unknown MLflow flavor "{flavor}"',
            ("did you mean " + " or ".join(f'"{c}"' for c in close) + "? " if close else "")
            + 'name the module you log with, e.g. "sklearn" for mlflow.sklearn (docs/format.md lists them)',
        )
        flavor = None
    for name in sec.model_fields_set & {"pip", "flavor"}:  # defaults come from nowhere
        ctx.record(("mlflow", name), Origin(("mlflow", name)))
    return Mlflow(pip=sec.pip, flavor=flavor)
