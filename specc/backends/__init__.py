"""Render targets: an explicit registry, one module per target.

Each backend module exposes::

    TARGET: str                      # "docker"
    OPTIONS: frozenset[str]          # RenderOptions fields it understands beyond the common ones
    def render(spec: EnvSpec, options: RenderOptions) -> Rendered

``render`` is a pure function of the normalized spec and the options: it reads
no TOML and no environment; the only files it touches are the ones the spec
names (wheels, jars, code...), which it hands back by path for the writer to
copy.  Targets compose by each taking the whole spec, never by inheritance.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from specc.diagnostics import Diagnostic

if TYPE_CHECKING:
    from specc.spec import EnvSpec

BACKENDS: dict[str, str] = {
    "docker": "specc.backends.docker",
    "databricks": "specc.backends.databricks",
}


@dataclass(frozen=True)
class RenderOptions:
    """What a render needs besides the spec (all optional)."""

    strict: bool = False
    # a logged MLflow model folder to ship/serve (docker: --model; both: --from-model)
    model_dir: Path | None = None
    # True when the spec itself was rebuilt from a logged model's specc-environment.json
    from_model: bool = False
    # databricks: the cluster the Libraries API body targets
    cluster_id: str | None = None
    # the MLmodel's databricks_runtime, when rendering from a model
    model_databricks_runtime: str | None = None
    # issue 7: exact pins/hashes from model-env.lock
    locked: object | None = None


@dataclass
class Rendered:
    """A rendered output folder, not yet written.

    ``files`` maps a relative POSIX path to its bytes, or to a local file or
    folder to copy (wheels, code).  ``modes`` sets permissions (e.g. 0o755 for
    scripts).  ``diagnostics`` carries what the target could not express.
    """

    files: dict[str, bytes | Path] = field(default_factory=dict)
    modes: dict[str, int] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def get_backend(target: str) -> ModuleType:
    return importlib.import_module(BACKENDS[target])


def write_rendered(rendered: Rendered, dest: Path) -> None:
    """Write a Rendered tree into ``dest`` (an empty temporary folder)."""
    import shutil

    from specc.paths import IGNORED_NAMES, IGNORED_SUFFIXES

    def ignore(_dir: str, names: list[str]) -> set[str]:
        return {n for n in names if n in IGNORED_NAMES or n.endswith(IGNORED_SUFFIXES)}

    for rel in sorted(rendered.files):
        content = rendered.files[rel]
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            if content.is_dir():
                shutil.copytree(content, target, ignore=ignore, symlinks=False)
            else:
                shutil.copyfile(content, target)
        else:
            target.write_bytes(content)
        mode = rendered.modes.get(rel)
        if mode is not None:
            target.chmod(mode)


# --- capabilities: what each target cannot express, consulted by `specc validate` and `render` ----


def implied_targets(spec: EnvSpec) -> tuple[str, ...]:
    """The targets a spec declares or implies (``runtime.databricks`` implies Databricks).

    Placeholder of the contract: the typed registry replaces this.
    """
    out = ["mlflow"]
    if spec.runtime.databricks is not None:
        out.append("databricks")
    return tuple(out)


def check_capabilities(spec: EnvSpec, targets: Iterable[str]) -> list[Diagnostic]:
    """What ``targets`` cannot express in ``spec``, as diagnostics on normalized paths.

    Diagnostics carry the EnvSpec path (kebab-case keys) and no file/span; the
    validation pipeline locates them through ``spec.origins``.  Placeholder of
    the contract: each target's capability table replaces this body.
    """
    out: list[Diagnostic] = []
    if "databricks" not in targets or spec.runtime.databricks is None:
        return out
    from specc import runtimes

    info = runtimes.get_runtime(spec.runtime.databricks)
    if info is None or not info.serverless:
        return out
    if spec.apt.packages or spec.apt.debs:
        out.append(
            Diagnostic(
                "SPC301",
                "error",
                f"{info.key} is serverless, which runs no init scripts, so apt packages cannot be installed",
                ("apt",),
                'use a classic runtime (e.g. "15.4-ml") or drop the apt packages',
            )
        )
    py = spec.python
    if any("${" in u for u in (py.index_url or "", *py.extra_index_urls)):
        out.append(
            Diagnostic(
                "SPC301",
                "error",
                f"{info.key} is serverless, which runs no init scripts, so authenticated indexes cannot be used",
                ("python", "extra-index-urls") if py.extra_index_urls else ("python", "index-url"),
                "configure the workspace's default package repository instead, or use a classic runtime",
            )
        )
    return out
