"""``model-env.lock``: the frozen view of a spec's dependencies, and its freshness.

The lock is TOML with a stable order (see ``docs/lock.md``).  It records the
contract's per-ecosystem dependency hashes of the spec it was made from
("Hashes and provenance"), so :func:`stale_parts` names exactly which part of
the spec changed since (``runtime``, ``python``, ``apt``, ``maven``, ``r``).
Code and artifact hashes are deliberately not recorded: editing model code or
an artifact never makes a lock stale.

This module only reads, writes and checks the file (standard library and
pydantic); resolving is :mod:`specc.lock`.  The published JSON Schema
(``schemas/model-env-lock.schema.json``) is generated from the models below.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specc import __version__
from specc._models import LockedPython, LockedPythonPackage, LockedR, LockFile  # noqa: F401 - re-exported
from specc.schema import BASE_ID, DRAFT, _tidy, register

if TYPE_CHECKING:
    from specc.diagnostics import Diagnostic

LOCK_NAME = "model-env.lock"
LOCK_VERSION = 1
PARTS = ("runtime", "python", "apt", "maven", "r")

#: What each part covers, for --check messages.
PART_MEANING = {
    "runtime": "runtime.python, runtime.databricks or runtime.cuda",
    "python": "python requirements, constraints, indexes, wheels or the Python version",
    "apt": "apt packages or debs",
    "maven": "maven repository, packages or jars",
    "r": "r repository, packages or sources",
    "implied-requirements": "the model's mlflow pin, targets.docker.serve or the model-server packages it implies",
    "platforms": "a target now installs on a platform the lock has no resolution for",
}


#: The platform ``specc compile --locked`` must cover.  An MLflow model has no platform of its
#: own; its requirements.txt is installed where it is served: Databricks Model Serving, and the
#: images ``mlflow models build-docker`` and specc's Docker target build by default, all linux
#: x86_64.  So compile takes the pins of this platform and fails (SPC620) on a lock without it.
COMPILE_PLATFORM = "x86_64-manylinux_2_28"

_ALIASES = {
    "linux-64": "x86_64-manylinux_2_28",
    "linux-x86_64": "x86_64-manylinux_2_28",
    "linux/amd64": "x86_64-manylinux_2_28",
    # Docker's amd64 variants are x86-64 microarchitecture levels: manylinux x86_64 wheels run on all
    "linux/amd64/v2": "x86_64-manylinux_2_28",
    "linux/amd64/v3": "x86_64-manylinux_2_28",
    "linux/amd64/v4": "x86_64-manylinux_2_28",
    "linux-aarch64": "aarch64-manylinux_2_28",
    "linux-arm64": "aarch64-manylinux_2_28",
    "linux/arm64": "aarch64-manylinux_2_28",
    "linux/arm64/v8": "aarch64-manylinux_2_28",
    "linux/riscv64": "riscv64-unknown-linux",
}


def normalize_platform(value: str) -> str:
    """uv's ``--python-platform`` spelling of a platform (``linux/arm64`` → ``aarch64-manylinux_2_28``).

    Docker platforms uv has no resolution for (``linux/ppc64le``, ``linux/arm/v7``, ``linux/386``,
    ``linux/s390x``) come back unchanged, still ``os/arch``: see :func:`lockable_platform`.
    """
    return _ALIASES.get(value.strip().lower(), value.strip())


def lockable_platform(platform: str) -> bool:
    """Whether uv can resolve for ``platform`` (a :func:`normalize_platform` result).

    uv's ``--python-platform`` values are ``arch-vendor-os`` or ``arch-manylinux...`` triples;
    a Docker ``os/arch`` value left unchanged by :func:`normalize_platform` has none.
    """
    return "/" not in platform


# AWS Graviton instance families (m6g, m6gd, c7gn, r8g, ...): a letter family, a generation, then "g".
_GRAVITON = re.compile(r"^[a-z]+\d+g[a-z]*\.", re.IGNORECASE)


def databricks_node_platform(node_type: str | None) -> str:
    """The uv platform a Databricks node type runs: Graviton (AWS) and Tau T2A (GCP) are aarch64."""
    if node_type and (_GRAVITON.match(node_type) or node_type.lower().startswith("t2a-")):
        return "aarch64-manylinux_2_28"
    return "x86_64-manylinux_2_28"


#: The targets whose ``--locked`` installs from the lock, in the order their platforms are locked
#: (so a fresh lock's first platform is :data:`COMPILE_PLATFORM`, the one ``python_packages()``
#: defaults to).
LOCKED_TARGETS = ("mlflow", "docker", "databricks")

_COMMANDS = {
    "mlflow": "compile",
    "docker": "render --target docker",
    "databricks": "render --target databricks",
}


def target_platform(spec: Any, target: str) -> tuple[str, tuple[str | int, ...]]:
    """The platform ``--locked`` on ``target`` needs, and the spec path that decides it.

    ``docker``: ``targets.docker.platform`` (default linux/amd64); ``databricks``: the job cluster's
    node type (serverless and unset: x86_64); ``mlflow`` (``specc compile``): :data:`COMPILE_PLATFORM`.
    The one answer to "which platform does this target install on": :func:`platform_needs` (what
    ``specc lock`` resolves and ``lock --check`` expects) and ``--locked`` (SPC620) both ask it.
    """
    if target == "docker":
        docker = spec.targets.docker
        return normalize_platform(docker.platform or "linux/amd64"), ("targets", "docker", "platform")
    if target == "databricks":
        if _serverless(spec):  # no job cluster: a serverless environment runs linux x86_64
            return COMPILE_PLATFORM, ("runtime", "databricks")
        cluster = getattr(spec.targets.databricks, "cluster", None)
        node = getattr(cluster, "node_type", None) if cluster is not None else None
        return databricks_node_platform(node), ("targets", "databricks", "cluster", "node-type")
    return COMPILE_PLATFORM, ()


def _serverless(spec: Any) -> bool:
    """Whether ``runtime.databricks`` is a serverless environment (its job has no cluster)."""
    name = getattr(spec.runtime, "databricks", None)
    if not name:
        return False
    from specc.runtimes import get_runtime  # standard library only

    info = get_runtime(name)
    return bool(info is not None and info.serverless)


@dataclass(frozen=True)
class PlatformNeed:
    """One target's platform: what ``--locked`` on it installs on, and what in the spec decides it.

    ``platform``: uv's spelling (``aarch64-manylinux_2_28``), or a Docker ``os/arch`` uv cannot
    resolve for (:attr:`lockable` False); ``target``: ``mlflow``, ``docker`` or ``databricks``;
    ``path``: the spec key (``("targets", "databricks", "cluster", "node-type")``, ``()`` for
    compile); ``value``: that key's value as the spec has it (None when unset: the default).
    """

    platform: str
    target: str
    path: tuple[str | int, ...] = ()
    value: str | None = None

    @property
    def command(self) -> str:
        """The specc command that installs on it (``render --target databricks``)."""
        return _COMMANDS.get(self.target, self.target)

    @property
    def lockable(self) -> bool:
        return lockable_platform(self.platform)

    def because(self) -> str:
        """Why: ``targets.databricks.cluster.node-type = "m6gd.xlarge"``, or the default that applies."""
        key = ".".join(str(k) for k in self.path)
        if self.target == "mlflow":
            return "an MLflow model's requirements are installed on linux x86_64"
        if self.value is None:
            return f"{key} is unset: linux/amd64" if self.target == "docker" else f"{key} is unset"
        return f"{key} = {json.dumps(self.value)}"

    def describe(self) -> str:
        """``render --target databricks needs aarch64-manylinux_2_28 (targets...node-type = "m6gd.xlarge")``."""
        return f"`{self.command} --locked` needs {self.platform} ({self.because()})"


def platform_needs(spec: Any) -> list[PlatformNeed]:
    """The platform of every target the spec implies (:func:`specc.backends.implied_targets`:
    MLflow always, Docker and Databricks when the spec asks for them), by :func:`target_platform`,
    in :data:`LOCKED_TARGETS` order.

    MLflow compile needs :data:`COMPILE_PLATFORM`; Docker its ``targets.docker.platform`` (one
    value: the spec has no list); Databricks its cluster's node type.  A Databricks Model Serving
    endpoint installs the model's own requirements.txt, which is compile's platform (already the
    first need).  A target the spec does not imply has its defaults (linux x86_64), so rendering it
    ``--locked`` anyway needs nothing more.
    """
    from specc.backends import implied_targets  # light: the backends' modules load on first use

    implied = set(implied_targets(spec))
    needs = []
    for target in (t for t in LOCKED_TARGETS if t in implied):
        platform, path = target_platform(spec, target)
        value: str | None = None
        if target == "docker":
            value = spec.targets.docker.platform
        elif target == "databricks":
            node = getattr(getattr(spec.targets.databricks, "cluster", None), "node_type", None)
            value = spec.runtime.databricks if path == ("runtime", "databricks") else node
        needs.append(PlatformNeed(platform, target, path, value))
    return needs


def required_platforms(spec: Any) -> list[str]:
    """The platforms a fresh ``specc lock`` resolves for: every target's (:func:`platform_needs`)
    that uv can resolve, first seen first (x86_64 first), each once."""
    return list(dict.fromkeys(n.platform for n in platform_needs(spec) if n.lockable))


def missing_platforms(lock: LockFile, spec: Any) -> list[PlatformNeed]:
    """The needs of ``spec``'s targets (:func:`platform_needs`) whose platform ``lock`` lacks
    (uv-resolvable ones only: the others can never be locked; ``--locked`` reports them)."""
    if not lock.python.packages and not lock.python.platforms:  # nothing locked: nothing to install
        return []
    have = set(lock.python.platforms)
    return [n for n in platform_needs(spec) if n.lockable and n.platform not in have]


def platforms_detail(missing: list[PlatformNeed], lock: LockFile) -> str:
    """The ``platforms`` part of a stale message: which target needs which platform, and why."""
    needs = "; ".join(n.describe() for n in missing)
    return f"platforms ({needs}; the lock has {', '.join(lock.python.platforms) or 'none'})"


# --- schema ---------------------------------------------------------------------------------------


def _lock_schema() -> dict[str, Any]:
    from pydantic.json_schema import GenerateJsonSchema

    class _Gen(GenerateJsonSchema):
        def generate(self, schema: Any, mode: Any = "validation") -> Any:
            out = super().generate(schema, mode=mode)
            out["$schema"] = DRAFT
            out["$id"] = f"{BASE_ID}/model-env-lock.schema.json"
            return out

    schema = LockFile.model_json_schema(by_alias=True, schema_generator=_Gen)
    schema["description"] = (
        "model-env.lock, format version 1: the hashed, resolved view of a model-env.toml's dependencies (specc lock)."
    )
    tidy: dict[str, Any] = _tidy(schema)
    return tidy


register("model-env-lock.schema.json", _lock_schema)


# --- reading and writing --------------------------------------------------------------------------


class LockError(Exception):
    """The lock file is missing, unreadable or stale; the message says which and what to do.

    ``code``: SPC611 missing, SPC612 unreadable or of another format version, SPC613 stale.
    """

    def __init__(self, message: str, code: str = "SPC612", hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.hint = hint

    def diagnostic(self, file: str | None = None) -> Diagnostic:
        """The error as a diagnostic (``file``: how to show the lock's path)."""
        from specc.diagnostics import Diagnostic

        return Diagnostic(code=self.code, severity="error", message=str(self), hint=self.hint, file=file)


def lock_path_for(spec_path: str | Path) -> Path:
    """``model-env.lock`` next to the spec (``path`` may be the spec file or its folder)."""
    p = Path(spec_path)
    folder = p if p.is_dir() else p.parent
    return folder / LOCK_NAME


def read_lock(path: str | Path) -> LockFile:
    """The lock at ``path``; :class:`LockError` (SPC611 missing, SPC612 unreadable or invalid)."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    from pydantic_core import ValidationError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LockError(f"{path}: no lock file; run `specc lock`", "SPC611") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockError(f"{path}: not valid TOML ({exc}); re-create it with `specc lock`") from None
    if data.get("lock-version") != LOCK_VERSION:
        raise LockError(
            f"{path}: lock-version {data.get('lock-version')!r} is not supported (expected {LOCK_VERSION}); "
            "re-create it with `specc lock`"
        )
    try:
        return LockFile.model_validate(data)
    except ValidationError as exc:
        raise LockError(
            f"{path}: not a valid model-env.lock ({exc.error_count()} problems: {exc.errors()[0]['msg']} "
            f"at {'.'.join(str(x) for x in exc.errors()[0]['loc'])}); re-create it with `specc lock`"
        ) from None


def stale_parts(lock: LockFile, spec: Any, *, platforms: bool = False) -> list[str]:
    """Parts of ``spec`` (an EnvSpec) the lock no longer matches: each part whose dependency hash
    differs from the lock's, in PARTS order, then ``"implied-requirements"`` when what the spec
    implies (:func:`specc.lock.implied_requirements`, e.g. the model server of an image with
    ``targets.docker.serve``) differs from what the lock was resolved with: the lock's packages
    depend on those lines as much as on the spec's own.

    ``platforms``: also ``"platforms"`` when a target needs a platform the lock lacks
    (:func:`missing_platforms`).  ``specc lock --check`` asks for it; ``--locked`` does not (it
    checks the one target it renders: SPC620, :func:`load_fresh_lock`).
    """
    from specc.lock import implied_requirements  # resolving module; importing it runs nothing

    parts = [part for part in PARTS if getattr(lock.spec, part) != getattr(spec.hashes, part)]
    if sorted(lock.python.implied_requirements) != sorted(implied_requirements(spec)):
        parts.append("implied-requirements")
    if platforms and missing_platforms(lock, spec):
        parts.append("platforms")
    return parts


def stale_message(lock_path: str | Path, parts: list[str], details: dict[str, str] | None = None) -> str:
    """``<lock> is stale: python (... changed); ...``; ``details`` replaces a part's generic text."""
    details = details or {}
    what = "; ".join(details.get(p) or f"{p} ({PART_MEANING[p]} changed)" for p in parts)
    return f"{lock_path} is stale: {what}; run `specc lock` and commit the result"


def check_lock(lock: LockFile, spec: Any, lock_path: str | Path) -> LockError | None:
    """What ``specc lock --check`` reports: None when ``lock`` is fresh for ``spec``, else a
    :class:`LockError` (SPC613) naming every stale part, the platforms included (which target
    needs which platform the lock lacks, and why; the hint says ``specc lock`` adds it)."""
    parts = stale_parts(lock, spec, platforms=True)
    if not parts:
        return None
    details = {}
    hint = None
    if "platforms" in parts:
        missing = missing_platforms(lock, spec)
        details["platforms"] = platforms_detail(missing, lock)
        hint = (
            "`specc lock` adds "
            + ", ".join(dict.fromkeys(n.platform for n in missing))
            + " and keeps the platforms already locked"
        )
    return LockError(stale_message(lock_path, parts, details), "SPC613", hint)


def load_fresh_lock(spec: Any, lock_path: str | Path | None = None, *, target: str | None = None) -> LockFile:
    """The lock next to ``spec``, or :class:`LockError` when it is missing or stale (``--locked``).

    With ``target`` (``"docker"``, ``"databricks"``, ``"mlflow"``: what ``--locked`` renders), the
    lock must also cover the platform that target installs on (:func:`target_platform`), else
    LockError with code SPC620.
    """
    if lock_path is None:
        if not spec.spec_path:
            raise LockError("the spec was not loaded from a file, so there is no model-env.lock next to it")
        lock_path = lock_path_for(spec.spec_path)
    lock = read_lock(lock_path)
    parts = stale_parts(lock, spec)
    if parts:
        raise LockError(stale_message(lock_path, parts), "SPC613")
    if target is not None:
        platform, path = target_platform(spec, target)
        missing = lock.require_platform(platform, target=target, path=path)
        if missing is not None:
            raise LockError(missing.message, "SPC620", missing.hint)
    return lock


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(isinstance(v, str) for v in value) and (len(value) > 1 and sum(len(v) for v in value) > 80):
            return "[\n" + "".join(f"  {_toml_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to the lock")


def _table(lines: list[str], header: str, data: dict[str, Any]) -> None:
    """Scalars and arrays of ``data`` under ``[header]``; nested tables/arrays of tables after it."""
    simple = {k: v for k, v in data.items() if not isinstance(v, dict) and not _is_table_array(v)}
    nested = {k: v for k, v in data.items() if k not in simple}
    lines.append("")
    lines.append(f"[{header}]")
    for k, v in simple.items():
        lines.append(f"{k} = {_toml_value(v)}")
    for k, v in nested.items():
        if isinstance(v, dict):
            _table(lines, f"{header}.{k}", v)
        else:
            for item in v:
                lines.append("")
                lines.append(f"[[{header}.{k}]]")
                for ik, iv in item.items():
                    lines.append(f"{ik} = {_toml_value(iv)}")


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(i, dict) for i in v)


def dump_lock(lock: LockFile, spec_name: str = "model-env.toml") -> str:
    """The file's text: a provenance comment, then a stable, human-diffable TOML layout."""
    data = lock.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=False)
    # Empty lists inside package entries are noise; drop them (defaults restore them on reading).
    if not data["python"].get("implied-requirements"):
        data["python"].pop("implied-requirements", None)  # most locks have none; keep their text unchanged
    for sec in ("python", "apt", "maven", "r"):
        for key, items in list(data.get(sec, {}).items()):
            if _is_table_array(items):
                data[sec][key] = [{k: v for k, v in i.items() if v != [] and v is not False} for i in items]
    # LockedR extends the spec's R, so its snapshot comes last in the model; the file has
    # always written it right after the repository.
    r_order = ("repository", "snapshot", "packages", "sources")
    data["r"] = {k: data["r"][k] for k in sorted(data["r"], key=lambda k: r_order.index(k) if k in r_order else 99)}
    lines = [
        f"# {LOCK_NAME}: generated by specc {lock.specc_version} from {spec_name}; do not edit by hand.",
        "# Re-create with `specc lock`; `specc lock --check` fails when the spec changed since.",
        "# Format: https://github.com/specc-dev/specc/blob/main/docs/lock.md",
        f"lock-version = {lock.lock_version}",
        f"specc-version = {_toml_value(lock.specc_version)}",
    ]
    for sec in ("spec", "runtime", "python", "apt", "maven", "r"):
        _table(lines, sec, data[sec])
    return "\n".join(lines) + "\n"


def write_lock(path: str | Path, lock: LockFile, spec_name: str = "model-env.toml") -> None:
    from specc.output import write_file_atomic

    write_file_atomic(Path(path), dump_lock(lock, spec_name))


def new_lock(spec: Any, python: LockedPython) -> LockFile:
    """A lock for ``spec`` (an EnvSpec) with the given Python section; other ecosystems as declared."""
    import re

    snapshot = None
    if spec.r.repository:
        m = re.search(r"/(\d{4}-\d{2}-\d{2})/?$", spec.r.repository)
        snapshot = m.group(1) if m else None
    return LockFile(
        lock_version=LOCK_VERSION,
        specc_version=__version__,
        spec=spec.hashes.dependency_hashes(),
        runtime=spec.runtime,
        python=python,
        apt=spec.apt,
        maven=spec.maven,
        r=LockedR(repository=spec.r.repository, snapshot=snapshot, packages=spec.r.packages, sources=spec.r.sources),
    )


def pip_lines(lock: LockFile, *, platform: str | None = None, hashes: bool = True, implied: bool = True) -> list[str]:
    """requirements.txt lines of the locked packages: ``name==version --hash=sha256:...`` (one line each).

    Local wheels are left out (targets ship and install them from their own paths).  ``implied``:
    False leaves out what only ``python.implied-requirements`` need (the model's ``mlflow==`` pin
    and the serving image's packages): the Databricks cluster libraries, which run the runtime's
    own MLflow (docs/lock.md, "The model's mlflow pin").  The MLflow model's requirements, the
    Docker image and ``--verify`` take everything.
    """
    out = []
    for p in lock.python_packages(platform):
        if p.path or (p.implied_only and not implied):
            continue
        line = p.requirement()
        if hashes and p.hashes:
            line += "".join(f" --hash={h}" for h in p.hashes)
        out.append(line)
    return out
