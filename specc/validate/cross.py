"""Rules across sections that hold whatever the target: the Python of a Databricks runtime.

What a runtime preinstalls (SPC214/SPC215), whether it is a GPU runtime (SPC213) and
what ``runtime.overrides`` acknowledges are the Databricks target's concern: its
:meth:`~specc.backends.databricks.DatabricksBackend.facts` report them, so ``specc
validate`` (which consults every implied target) and ``specc render --target
databricks`` print them, and ``specc compile`` or the Docker render do not.

These rules see only normalized values; their diagnostics carry normalized
paths (``("runtime", "python")``), located through the origins like a target's.
"""

from __future__ import annotations

from specc.diagnostics import Diagnostic
from specc.spec import Runtime


def validate(runtime: Runtime | None) -> list[Diagnostic]:
    """SPC212: ``runtime.python`` must be the Python the Databricks runtime runs (every target
    logs or serves with ``runtime.python``, so a mismatch is wrong whichever one is rendered)."""
    if runtime is None or runtime.databricks is None:
        return []
    from specc import runtimes

    info = runtimes.get_runtime(runtime.databricks)
    if info is None or info.python == runtime.python_minor:
        return []
    return [
        Diagnostic.error(
            "SPC212",
            message=f"runtime.python is {runtime.python} but Databricks runtime {info.key} runs Python {info.python}",
            path=("runtime", "python"),
            hint=f'log and serve on the same Python: set python = "{info.python}", '
            f"or pick a runtime with Python {runtime.python_minor}",
        )
    ]
