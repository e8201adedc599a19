"""specc: one checked-in ``model-env.toml`` for a model's whole environment.

The public Python API is deliberately small::

    import specc
    spec = specc.load("model-env.toml")        # validated, normalized EnvSpec
    spec.python.requirements                    # canonical, de-duplicated

Heavy integrations (MLflow, databricks-sdk, uv) live in submodules that import
them lazily, so ``import specc`` stays cheap; ``load`` and ``SpecError`` import
the validation pipeline (pydantic models, packaging) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["SpecError", "__version__", "load"]

if TYPE_CHECKING:  # what the lazy names resolve to, for type checkers and editors
    from specc.api import SpecError, load


def __getattr__(name: str) -> Any:
    # PEP 562: the API (pydantic models, packaging) is imported on first use, so `import specc`
    # and the CLI's start-up stay cheap
    if name in ("SpecError", "load"):
        from specc import api

        return getattr(api, name)
    raise AttributeError(f"module 'specc' has no attribute {name!r}")


def __dir__() -> list[str]:  # the lazy names too, for tab completion
    return sorted({*globals(), *__all__})
