"""Compatibility of a spec's dependencies with a Databricks runtime.

Two rules beyond the Python-version check that validation already does (SPC212):

* **SPC214 (error)**: a Maven artifact built for one Scala binary version
  (``spark-nlp_2.12``) on a runtime running another.  DBR <= 16.4 defaults to
  Scala 2.12; ``16.4.x-scala2.13`` and every 17.x runtime (Spark 4) run only
  2.13 (DBR 16.4 LTS release notes), and a ``_2.12`` jar there fails at class
  loading, long after the cluster started.
* **SPC215 (warning)**: a Python requirement whose specifier excludes the
  version the runtime preinstalls.  pip replaces the runtime's copy, and the
  runtime's own libraries were built and tested against the preinstalled one
  (``pandas``/``numpy``/``pyarrow`` under PySpark are the classic breakage).
  PEP 440 ``contains`` is used rather than string equality, so ``torch==2.3.1``
  accepts the preinstalled ``2.3.1+cu121`` exactly as pip would.

:func:`check_runtime_compat` is pure: callers pass ``(path, item)`` pairs.  Validation
passes normalized paths (``("python", "requirements", 3)``) and places the
diagnostics through the spec's origins, so each points at the line the user
wrote (a requirements-file line included) without walking the document again.  ``specc validate`` calls
it for the spec's runtime; the Databricks backend calls it again when the
runtime comes from a logged model or a default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from specc.diagnostics import Diagnostic, TomlPath
from specc.runtimes import RuntimeInfo, scala_suffix_ok
from specc.spec import MavenPkg, Req

__all__ = ["check_runtime_compat", "preinstalled_overrides"]

SCALA_MISMATCH = "SPC214"
PREINSTALLED_OVERRIDE = "SPC215"


def check_runtime_compat(
    runtime: RuntimeInfo,
    requirements: Iterable[tuple[TomlPath, Req]] = (),
    maven: Iterable[tuple[TomlPath, MavenPkg]] = (),
) -> list[Diagnostic]:
    """Diagnostics for ``requirements`` and ``maven`` packages on ``runtime``."""
    out: list[Diagnostic] = []
    for path, pkg in maven:
        coords = pkg.coords
        if scala_suffix_ok(runtime, coords.artifact) is False:
            want, got = runtime.scala or "?", _suffix(coords.artifact)
            out.append(
                Diagnostic.error(
                    SCALA_MISMATCH,
                    message=f'"{pkg.coordinates}" is built for Scala {got} but {runtime.key} runs Scala {want}',
                    path=path,
                    hint=f"use the artifact built for Scala {want} "
                    f'("{coords.group}:{_with_suffix(coords.artifact, want)}:...") or a runtime with Scala {got}',
                )
            )
    preinstalled = runtime.packages()
    for path, req in requirements:
        if req.name in preinstalled:  # Req.name is canonical; most requirements stop here
            diag = _override(runtime, preinstalled, path, req)
            if diag is not None:
                out.append(diag)
    return out


def preinstalled_overrides(
    runtime: RuntimeInfo, requirements: Sequence[Req], path: Callable[[int], TomlPath]
) -> list[Diagnostic]:
    """:func:`check_runtime_compat`'s SPC215 warnings for a sequence of requirements, the k-th
    reported at ``path(k)``.

    One set lookup per requirement against the runtime's manifest (indexed by canonical name
    once per process, :meth:`RuntimeInfo.packages`); a path is built only for the few the
    runtime preinstalls, so 100,000 requirements cost 100,000 lookups and nothing else.
    """
    preinstalled = runtime.packages()
    out: list[Diagnostic] = []
    for k in [k for k, req in enumerate(requirements) if req.name in preinstalled]:
        diag = _override(runtime, preinstalled, path(k), requirements[k])
        if diag is not None:
            out.append(diag)
    return out


def _override(runtime: RuntimeInfo, preinstalled: Mapping[str, str], path: TomlPath, req: Req) -> Diagnostic | None:
    have = preinstalled.get(req.name)  # Req.name is canonical (PEP 503)
    if have is None or req.url or not req.specifier:
        return None
    try:
        spec = SpecifierSet(req.specifier)
        if spec.contains(Version(have), prereleases=True):
            return None
    except (InvalidSpecifier, InvalidVersion):
        return None
    return Diagnostic.warning(
        PREINSTALLED_OVERRIDE,
        message=f'"{req.line}" replaces {req.name} {have}, preinstalled on {runtime.key}',
        path=path,
        hint=f"the runtime's own libraries were built against {req.name} {have}; pin {req.name}=={have} to keep it, "
        "or keep your pin knowing it overrides the runtime's copy",
    )


def _suffix(artifact: str) -> str:
    return artifact.rsplit("_", 1)[-1]


def _with_suffix(artifact: str, scala: str) -> str:
    return f"{artifact.rsplit('_', 1)[0]}_{scala}"
