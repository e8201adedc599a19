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

import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["SpecError", "__version__", "load"]

if TYPE_CHECKING:  # what the lazy names resolve to, for type checkers and editors
    from specc.api import SpecError, load


def __getattr__(name: str) -> Any:
    if name == "SpecError":
        from specc.api import SpecError

        return SpecError
    raise AttributeError(f"module 'specc' has no attribute {name!r}")


class _Package(types.ModuleType):
    """The ``specc`` package, whose ``load`` is the function even though a ``specc.load``
    submodule exists.

    Importing a submodule binds it as an attribute of its package, so once anything imports
    ``specc.load`` (the module), a lazily provided ``specc.load`` would become the module.  A
    property wins over that binding: it always answers the function, unless someone sets
    another value on purpose (a test's monkeypatch), which it then answers until reset.
    """

    _load_override: Any = None

    @property
    def load(self) -> Any:
        if self._load_override is not None:
            return self._load_override
        from specc.api import load

        return load

    @load.setter
    def load(self, value: Any) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == "specc.load":
            return  # the import system binding the submodule: the function stays
        self._load_override = value


sys.modules[__name__].__class__ = _Package
