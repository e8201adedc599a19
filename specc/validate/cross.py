"""Rules across sections: the Python and CUDA of a Databricks runtime, and what it preinstalls.

These rules see only normalized values; their diagnostics carry normalized
paths (``("python", "requirements", 3)``), located through the origins like a
target's.
"""

from __future__ import annotations

from specc.diagnostics import Diagnostic
from specc.spec import Maven, Python, Runtime


def validate(runtime: Runtime | None, python: Python, maven: Maven) -> list[Diagnostic]:
    if runtime is None or runtime.databricks is None:
        return []
    from specc import compat, runtimes

    info = runtimes.get_runtime(runtime.databricks)
    if info is None:
        return []
    out: list[Diagnostic] = []
    mm = runtime.python_minor
    if info.python != mm:
        out.append(
            Diagnostic.error(
                "SPC212",
                message=f"runtime.python is {runtime.python} but Databricks runtime {info.key} "
                f"runs Python {info.python}",
                path=("runtime", "python"),
                hint=f'log and serve on the same Python: set python = "{info.python}", '
                f"or pick a runtime with Python {mm}",
            )
        )
    if runtime.cuda is not None and not info.gpu and not info.serverless:
        out.append(
            Diagnostic.warning(
                "SPC213",
                message=f"cuda is set but {info.key} is not a GPU runtime",
                path=("runtime", "cuda"),
                hint='use a gpu-ml runtime (e.g. the short form "15.4-ml" with cuda set), or drop cuda',
            )
        )
    out += compat.check_runtime_compat(
        info, maven=((("maven", "packages", k, "coordinates"), p) for k, p in enumerate(maven.packages))
    )
    out += compat.preinstalled_overrides(info, python.requirements, lambda k: ("python", "requirements", k))
    return out
