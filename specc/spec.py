"""The ``model-env.toml`` data model, in two shapes: what a user may write and the normalized spec.

* ``*Input`` models (:class:`SpecInput` and its sections) describe what a user may write:
  short string forms and full table forms, strict TOML types, no unknown keys;
* :class:`EnvSpec` is the one canonical, normalized form every compiler and target consumes:
  frozen, table forms only, names canonicalised, sets sorted and de-duplicated, every default
  filled in, file hashes recorded.

The classes here are the *compiled* models (:mod:`specc._models`): the pydantic-core
validators and serializers of their definitions in :mod:`specc.spec_defs` (fields,
descriptions, JSON Schema, docs), without pydantic's model machinery, so a command starts fast
(issue #10).  They behave as the pydantic models do for everything specc uses
(:mod:`specc.coremodel`).  The syntax rules (:mod:`specc.syntax`) and the models' behaviour
(:mod:`specc.spec_methods`) are re-exported.  Any other name of :mod:`specc.spec_defs` (type
aliases such as ``Requirement``) is read from there on first use.
"""

from __future__ import annotations

from typing import Any

from specc import _models, syntax
from specc._models import *  # noqa: F403 - the compiled models, by their definitions' names
from specc.coremodel import CoreModel as CoreModel
from specc.spec_methods import MavenCoordinate as MavenCoordinate
from specc.spec_methods import short_or_table as short_or_table
from specc.spec_methods import wheel_filename_problem as wheel_filename_problem
from specc.syntax import *  # noqa: F403 - the syntax rules and name helpers

__all__ = [
    *_models.__all__,
    *syntax.__all__,
    "CoreModel",
    "MavenCoordinate",
    "short_or_table",
    "wheel_filename_problem",
]


def __getattr__(name: str) -> Any:
    # a definition-only name (a type alias such as ``Requirement``): from the definitions,
    # which import pydantic (so only the code that asks pays for it)
    if name.startswith("__"):
        raise AttributeError(name)
    from specc import spec_defs

    try:
        return getattr(spec_defs, name)
    except AttributeError:
        raise AttributeError(f"module 'specc.spec' has no attribute {name!r}") from None
