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
  accepts the preinstalled ``2.3.1+cu121`` exactly as pip would.  A replacement the
  spec acknowledges in ``runtime.overrides`` is not reported.

:func:`check_runtime_compat` is pure: callers pass ``(path, item)`` pairs.  The
Databricks backend (:func:`specc.backends.databricks.runtime_compat`, run by its
``facts``, hence by ``specc validate`` whenever the Databricks target is implied and by
``specc render --target databricks``) passes normalized paths
(``("python", "requirements", 3)``); they are placed through the spec's origins, so
each points at the line the user wrote (a requirements-file line included).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from specc.diagnostics import Diagnostic, TomlPath
from specc.runtimes import RuntimeInfo, scala_suffix_ok
from specc.spec import MavenPkg, Req

__all__ = ["check_runtime_compat", "replaced_packages"]

SCALA_MISMATCH = "SPC214"
PREINSTALLED_OVERRIDE = "SPC215"


def check_runtime_compat(
    runtime: RuntimeInfo,
    requirements: Iterable[tuple[TomlPath, Req]] = (),
    maven: Iterable[tuple[TomlPath, MavenPkg]] = (),
    *,
    acknowledged: Collection[str] = (),
) -> list[Diagnostic]:
    """Diagnostics for ``requirements`` and ``maven`` packages on ``runtime``.

    ``acknowledged``: PEP 503 names whose replacement the spec acknowledges
    (``runtime.overrides``); their SPC215 warning is not reported.
    """
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
        if req.name not in preinstalled:  # Req.name is canonical (PEP 503): most stop here
            continue
        # An acknowledgement is a reviewed "yes, replace the runtime's copy": it silences this
        # warning only.  A replacement that breaks imports (a compiled library the runtime ships,
        # built against the preinstalled version's ABI: numpy 2 under a pyarrow built for numpy 1,
        # the Lock issue's ABI rule) is an error no acknowledgement may silence: such a rule goes
        # here, before this test, and never reads `acknowledged`.
        if req.name in acknowledged:
            continue
        diag = _override(runtime, preinstalled, path, req)
        if diag is not None:
            out.append(diag)
    return out


def replaced_packages(runtime: RuntimeInfo, requirements: Iterable[Req]) -> dict[str, str]:
    """PEP 503 name → preinstalled version, for each requirement that replaces ``runtime``'s copy
    (its specifier excludes the preinstalled version)."""
    preinstalled = runtime.packages()
    out: dict[str, str] = {}
    for req in requirements:
        have = _replaces(preinstalled, req)
        if have is not None:
            out[canonicalize_name(req.name)] = have
    return out


def kept_packages(runtime: RuntimeInfo, requirements: Iterable[Req]) -> set[str]:
    """PEP 503 names of the preinstalled packages a requirement names with a specifier that
    admits the preinstalled version (``numpy==1.23.5`` on a runtime with numpy 1.23.5): the
    runtime's copy is kept, whatever the dependencies need."""
    preinstalled = runtime.packages()
    out: set[str] = set()
    for req in requirements:
        name = canonicalize_name(req.name)
        have = preinstalled.get(name)
        if have is None or req.url or not req.specifier:
            continue
        try:
            if SpecifierSet(req.specifier).contains(Version(have), prereleases=True):
                out.add(name)
        except (InvalidSpecifier, InvalidVersion):
            continue
    return out


def _replaces(preinstalled: Mapping[str, str], req: Req) -> str | None:
    """The preinstalled version ``req`` replaces, or None when it keeps it (or cannot say)."""
    have = preinstalled.get(canonicalize_name(req.name))
    if have is None or req.url or not req.specifier:
        return None
    try:
        if SpecifierSet(req.specifier).contains(Version(have), prereleases=True):
            return None
    except (InvalidSpecifier, InvalidVersion):
        return None
    return have


def _override(runtime: RuntimeInfo, preinstalled: Mapping[str, str], path: TomlPath, req: Req) -> Diagnostic | None:
    have = _replaces(preinstalled, req)
    if have is None:
        return None
    name = canonicalize_name(req.name)
    return Diagnostic.warning(
        PREINSTALLED_OVERRIDE,
        message=f'"{req.line}" replaces {req.name} {have}, preinstalled on {runtime.key}',
        path=path,
        hint="if you trained with this version, keep it and acknowledge the replacement: "
        f'runtime.overrides = ["{name}"]; if you trained on the runtime\'s copy, pin {req.name}=={have} '
        "(`specc pin --from-env`, run where you trained, writes the versions installed there)",
    )


def _suffix(artifact: str) -> str:
    return artifact.rsplit("_", 1)[-1]


def _with_suffix(artifact: str, scala: str) -> str:
    return f"{artifact.rsplit('_', 1)[0]}_{scala}"
