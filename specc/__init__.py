"""specc: one checked-in ``model-env.toml`` for a model's whole environment.

The public Python API is deliberately small::

    import specc
    spec = specc.load("model-env.toml")        # validated, normalized EnvSpec
    spec.python.requirements                    # canonical, de-duplicated

Heavy integrations (MLflow, databricks-sdk, uv) live in submodules that import
them lazily, so ``import specc`` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"

from specc.api import SpecError, load

__all__ = ["SpecError", "__version__", "load"]
