"""``[runtime]``: the Python version, a Databricks Runtime, CUDA."""

from __future__ import annotations

from specc.diagnostics import Origin
from specc.spec import CUDA_VERSION, PACKAGE_NAME, PYTHON_VERSION, Runtime, RuntimeInput
from specc.validate import pythons
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
        elif (verdict := pythons.problem(sec.python)) is not None:
            severity, message, hint = verdict
            (ctx.error if severity == "error" else ctx.warning)("SPC132", ("runtime", "python"), message, hint)
            ok = ok and severity != "error"
    else:
        ok = False
    if sec.cuda is not None and not ctx.check(CUDA_VERSION, ("runtime", "cuda"), sec.cuda):
        ok = False
    key = None
    if sec.databricks is not None:
        key = _resolve(ctx, sec.databricks, gpu=sec.cuda is not None)
        ok = ok and key is not None
    overrides = _overrides(ctx, sec)
    if not ok or overrides is None:
        return None
    for name in ("python", "databricks", "cuda"):
        if getattr(sec, name) is not None:
            ctx.record(("runtime", name), Origin(("runtime", name)))
    return Runtime(python=sec.python, databricks=key, cuda=sec.cuda, overrides=overrides)


def stand_in(sec: RuntimeInput | None) -> tuple[Runtime | None, frozenset[str]]:
    """For an invalid ``[runtime]``: a Runtime of its valid parts, to check the OTHER sections against.

    ``(runtime, unsure)``: ``runtime`` is None when even the Python version is unusable
    (nothing can be checked against an unknown Python); its ``databricks`` is None when it
    does not resolve (the pipeline then skips the Databricks target, whose checks need the
    runtime); its ``overrides`` are the valid names.  ``unsure`` holds the codes whose
    answer the stand-in cannot give (SPC215 when an override name is invalid: it may have
    meant to acknowledge the replacement).  Reports nothing: the errors
    were reported by :func:`validate`.  The stand-in never leaves validation (the spec
    has errors, so the result has no spec); diagnostics on ``runtime.*`` found against it
    are dropped by the pipeline.
    """
    from specc import runtimes

    if sec is None or not PYTHON_VERSION.matches(sec.python) or int(sec.python.split(".")[1]) < MIN_MINOR:
        return None, frozenset()
    from packaging.utils import canonicalize_name

    valid = [n for n in sec.overrides if PACKAGE_NAME.matches(n)]
    unsure = frozenset({"SPC215"}) if len(valid) < len(sec.overrides) else frozenset()
    overrides = tuple(sorted({canonicalize_name(n) for n in valid}))
    cuda = sec.cuda if sec.cuda is not None and CUDA_VERSION.matches(sec.cuda) else None
    key = runtimes.resolve_runtime(sec.databricks, gpu=sec.cuda is not None) if sec.databricks is not None else None
    return Runtime(python=sec.python, databricks=key, cuda=cuda, overrides=overrides), unsure


def _overrides(ctx: Context, sec: RuntimeInput) -> tuple[str, ...] | None:
    """``runtime.overrides`` canonical (PEP 503), sorted, one each; None when a name is invalid.

    Whether each one really replaces a preinstalled package is the Databricks target's check
    (it knows the runtime's packages): :func:`specc.backends.databricks.runtime_compat`.
    """
    from packaging.utils import canonicalize_name

    seen: dict[str, int] = {}
    ok = True
    for k, name in enumerate(sec.overrides):
        path = ("runtime", "overrides", k)
        if not ctx.check(PACKAGE_NAME, path, name):
            ok = False
            continue
        canonical = canonicalize_name(name)
        if canonical in seen:
            ctx.warning(
                "SPC216",
                path,
                f'"{name}" is acknowledged twice in runtime.overrides',
                f"remove runtime.overrides[{k}]",
            )
            continue
        seen[canonical] = k
    if not ok:
        return None
    out = tuple(sorted(seen))
    for k, name in enumerate(out):
        ctx.record(("runtime", "overrides", k), Origin(("runtime", "overrides", seen[name])))
    return out


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
