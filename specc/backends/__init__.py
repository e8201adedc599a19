"""Render targets: a registry of backend objects, one module per target.

The contract (:mod:`specc.backends.base`): each target is an object with a ``name``, an
``options_type`` (a :class:`RenderOptions` subclass whose :func:`~specc.backends.base.flag`
fields are its CLI flags), a capability table and ``render(spec, options) -> Rendered``.
``render`` is a pure function of the normalized spec and the options: it reads no TOML and no
environment; the only files it touches are the ones the spec names (wheels, jars, code...),
which it hands back by path for the one writer (:func:`write_output`) to copy.  Targets
compose by each taking the whole spec, never by inheritance.

Adding a target: a module ``specc/backends/<name>.py`` with its options, its capability table
and ``BACKEND``, and one entry in :data:`BACKENDS` (``_entry("<name>")``).  Importing this
package stays light: no jinja2, mlflow or databricks-sdk (each target imports those inside
``render``), and no target module either: a registry entry imports its module on first use
(its options, table, facts or render), so ``specc validate`` loads only the targets the spec
implies and ``render --target docker`` none of Databricks' tables.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from specc.backends.base import (
    Backend,
    CapabilityTable,
    Facts,
    Flag,
    Ignored,
    Produced,
    Rendered,
    RenderOptions,
    Supported,
    Unsupported,
    check_table,
    flags_of,
    provenance_record,
    write_output,
    write_rendered,
)
from specc.diagnostics import Diagnostic

if TYPE_CHECKING:
    from specc.spec import EnvSpec

__all__ = [
    "BACKENDS",
    "Backend",
    "CapabilityTable",
    "Facts",
    "Flag",
    "Ignored",
    "Produced",
    "RenderOptions",
    "Rendered",
    "Supported",
    "Unsupported",
    "check_capabilities",
    "check_table",
    "flags_of",
    "get_backend",
    "implied_targets",
    "provenance_record",
    "write_output",
    "write_rendered",
]


class _Entry:
    """A registry entry: the target ``name``, whose module ``specc.backends.<name>`` (holding
    ``BACKEND``) is imported on first use of anything but the name.  Satisfies :class:`Backend`
    by handing every call to the module's object; ``entry.backend`` is that object."""

    __slots__ = ("_backend", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._backend: Backend | None = None

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            backend: Backend = importlib.import_module(f"specc.backends.{self.name}").BACKEND
            assert backend.name == self.name, f"specc.backends.{self.name}.BACKEND is named {backend.name!r}"
            self._backend = backend
        return self._backend

    @property
    def options_type(self) -> type[RenderOptions]:
        return self.backend.options_type

    @property
    def capabilities(self) -> CapabilityTable:
        return self.backend.capabilities

    def facts(self, spec: EnvSpec, options: RenderOptions | None = None) -> Facts:
        return self.backend.facts(spec, options)

    def render(self, spec: EnvSpec, options: RenderOptions) -> Rendered:
        return self.backend.render(spec, options)

    def __repr__(self) -> str:
        return f"<target {self.name}{'' if self._backend is None else ' (loaded)'}>"


def _entry(name: str) -> Backend:
    return _Entry(name)


#: Every target by name, in this order.  ``specc render --target`` offers these; ``specc
#: compile`` is "mlflow".  Each entry loads its module on first use (see the module docstring).
BACKENDS: dict[str, Backend] = {name: _entry(name) for name in ("docker", "databricks", "mlflow")}


def get_backend(target: str) -> Backend:
    """The backend named ``target``; KeyError when there is none."""
    return BACKENDS[target]


# --- capabilities: what each target cannot express, consulted by `specc validate` and `render` ----


def _written(spec: EnvSpec, *prefix: str | int) -> bool:
    """Whether the spec itself set something under ``prefix`` (its origins say so).

    The origins hold one entry per requirement (100,000 at scale): a path is sliced only when
    its first part matches."""
    n, first = len(prefix), prefix[0]
    return any(path[0] == first and path[:n] == prefix for path in spec.origins if path)


def implied_targets(spec: EnvSpec) -> tuple[str, ...]:
    """The targets a spec declares or implies, in registry order.

    ``mlflow`` always (``specc compile`` is how every model is logged); ``databricks`` when
    ``runtime.databricks`` is set or ``[targets.databricks]`` sets a non-default value; ``docker``
    when a ``[targets.docker]`` table is written.  "Written" comes from ``spec.origins``;
    a spec without origins (rebuilt from a model) falls back to non-default values.
    """
    from specc.spec import DatabricksTarget, DockerTarget

    has_origins = bool(spec.origins)
    out = []
    for name in BACKENDS:
        if name == "mlflow":
            out.append(name)
        elif name == "databricks":
            # a table holding only defaults (the normalized form writes them: requirements-library,
            # workers, data-security-mode) does not ask for this target
            if spec.runtime.databricks is not None or spec.targets.databricks != DatabricksTarget():
                out.append(name)
        elif name == "docker":
            written = _written(spec, "targets", "docker") if has_origins else False
            if written or spec.targets.docker != DockerTarget():
                out.append(name)
    return tuple(out)


def check_capabilities(spec: EnvSpec, targets: Iterable[str]) -> list[Diagnostic]:
    """What ``targets`` cannot express in ``spec``: each one's capability table, as diagnostics.

    The same diagnostics ``render`` reports for these targets before writing anything (so a
    spec ``specc validate`` accepts renders).  They carry normalized EnvSpec paths (kebab-case
    keys, 0-based indexes) and no file/span; the validation pipeline locates them through
    ``spec.origins``.  Diagnostics several targets share (same code, path and message) are
    reported once.  Unknown target names raise KeyError.
    """
    out: list[Diagnostic] = []
    for name in targets:
        backend = BACKENDS[name]
        for d in check_table(backend.capabilities, spec, backend.facts(spec)):
            if d not in out:
                out.append(d)
    return out
