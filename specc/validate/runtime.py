"""``[runtime]``: the Python version, a Databricks Runtime, CUDA."""

from __future__ import annotations

from specc.diagnostics import Origin
from specc.spec import CUDA_VERSION, PYTHON_VERSION, Runtime, RuntimeInput
from specc.validate.context import Context

# the oldest Python specc targets (MLflow and pip still support it)
MIN_MINOR = 8


def validate(ctx: Context, sec: RuntimeInput | None) -> Runtime | None:
    """A Runtime with the runtime key resolved, or None (reported) when any part is wrong."""
    if sec is None:
        return None
    ok = True
    if ctx.check(PYTHON_VERSION, ("runtime", "python"), sec.python):
        if int(sec.python.split(".")[1]) < MIN_MINOR:
            ctx.error(
                "SPC107", ("runtime", "python"), f"Python {sec.python} is not supported", "use Python 3.8 or newer"
            )
            ok = False
    else:
        ok = False
    if sec.cuda is not None and not ctx.check(CUDA_VERSION, ("runtime", "cuda"), sec.cuda):
        ok = False
    key = None
    if sec.databricks is not None:
        key = _resolve(ctx, sec.databricks, gpu=sec.cuda is not None)
        ok = ok and key is not None
    if not ok:
        return None
    for name in ("python", "databricks", "cuda"):
        if getattr(sec, name) is not None:
            ctx.record(("runtime", name), Origin(("runtime", name)))
    return Runtime(python=sec.python, databricks=key, cuda=sec.cuda)


def _resolve(ctx: Context, value: str, *, gpu: bool) -> str | None:
    from specc import runtimes

    key = runtimes.resolve_runtime(value, gpu=gpu)
    if key is None:
        suggestions = runtimes.suggest_runtimes(value)
        hint = (
            "did you mean " + " or ".join(f'"{s}"' for s in suggestions) + "?"
            if suggestions
            else "run `specc runtimes` to list the known runtimes"
        )
        ctx.error("SPC203", ("runtime", "databricks"), f'unknown Databricks runtime "{value}"', hint)
    return key
