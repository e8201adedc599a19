"""Resolving a spec into a :class:`~specc.lockfile.LockFile` with ``uv pip compile``.

* The spec's Python version and each platform its targets install on
  (:func:`lock_platforms`: ``x86_64-manylinux_2_28`` for compile, plus a Graviton
  cluster's or an arm64 image's ``aarch64-manylinux_2_28``) are passed to uv, with
  ``--generate-hashes``; one resolution per platform, merged (same version on every
  platform: one entry, union of hashes).
* Index URLs keep their ``${NAME}`` placeholders in the lock.  uv gets the
  expanded URLs through its environment (``UV_INDEX_URL``,
  ``UV_EXTRA_INDEX_URL``), never on its command line, and the values are
  scrubbed from anything uv prints.
* Preferences, not constraints: uv reads its "existing output file" (``-o``)
  as preferred versions.  We seed it with the Databricks runtime's preinstalled
  versions, overridden by the previous lock's pins (so re-locking keeps pins;
  ``--upgrade`` drops the previous pins, ``--upgrade-package`` drops one and
  tells uv to ignore any preference for it).  A spec that needs a newer
  version than the runtime's still resolves; each difference is reported (SPC601).
* **Preferences that keep imports working** (docs/lock.md, "Runtime preferences
  and compiled packages").  Package metadata carries no ABI bounds (pyarrow 14
  says ``numpy>=1.16.6`` although its wheels were built against numpy 1.x), but
  it does carry the dependency edges (uv's ``# via`` annotations) and whether a
  distribution is platform-specific (its wheel's tags).  When the resolution
  moves a runtime package M across a major version (numpy 1.23.5 → 2.x), every
  *platform-specific* package P that depends on M and is still held at the
  runtime's version by a preference is at risk.  The rule, applied until
  nothing is at risk: first try to keep M within the runtime's major version
  (``M<2`` as a constraint: the runtime's other compiled packages then keep
  working on a cluster too); where the requirements do not allow that, drop
  P's preference (``--upgrade-package P``) and re-resolve.  A P that stays at
  the runtime's version even then is pinned by the spec: an error (SPC604)
  naming the pair and the choices.  No package names are built in.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specc.diagnostics import Diagnostic
from specc.lockahead import (
    RESOLVER_LOG,
    PageRefresh,
    Refreshing,
    UvCompile,
    base_env,
    build_interpreter,
    env_flag,
    locate_uv,
    offline_incomplete,
    pins_text,
    valid_pin,
    visited_names,
)
from specc.lockfile import _ALIASES, LockedPython, LockedPythonPackage, LockFile, new_lock, normalize_platform
from specc.spec import WheelRef

DEFAULT_PLATFORM = "x86_64-manylinux_2_28"
PLATFORM_ALIASES = _ALIASES
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: How many re-resolutions the compiled-package rule may take before giving up (each round
#: settles at least one package, so real specs need one or two).
MAX_ROUNDS = 8

Key = tuple[str, str | None, str | None, str | None]  # (name, version, url, path)


class LockFailed(Exception):
    """Resolution failed; ``diagnostics`` say why (SPC6xx), the message is their text."""

    def __init__(self, diagnostics: Diagnostic | Sequence[Diagnostic]) -> None:
        self.diagnostics = [diagnostics] if isinstance(diagnostics, Diagnostic) else list(diagnostics)
        super().__init__("; ".join(d.message for d in self.diagnostics))


def _diag(code: str, severity: str, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code=code, severity=severity, message=message, hint=hint)  # type: ignore[arg-type]


@dataclass
class LockResult:
    """The lock and every message about it (SPC6xx diagnostics, warnings only: errors raise)."""

    lock: LockFile
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """The diagnostics' messages (the pre-diagnostics interface)."""
        return [d.message for d in self.diagnostics]


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def find_uv() -> str:
    """The uv binary (:func:`specc.lockahead.locate_uv`); :class:`LockFailed` (SPC602) when there is none."""
    found = locate_uv()
    if found is not None:
        return found
    raise LockFailed(
        _diag(
            "SPC602",
            "error",
            "uv is not installed",
            "install it with `pip install 'specc-env[lock]'` (or `pip install uv`)",
        )
    )


def uv_version(uv: str) -> str:
    """``uv 0.13.9``: from the ``uv`` distribution's metadata when ``uv`` is its binary (no process started)."""
    if Path(uv).parent == Path(sys.executable).parent:
        import importlib.metadata

        try:
            return f"uv {importlib.metadata.version('uv')}"
        except importlib.metadata.PackageNotFoundError:
            pass
    out = subprocess.run([uv, "--version"], capture_output=True, text=True, check=False).stdout.split()
    return f"uv {out[1]}" if len(out) > 1 else "uv"


def expand_placeholders(url: str, environ: Mapping[str, str]) -> tuple[str, list[str]]:
    """``url`` with ``${NAME}`` replaced from ``environ``; also the names that were missing."""
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in environ:
            missing.append(name)
            return ""
        from urllib.parse import quote

        return quote(environ[name], safe="")

    return _PLACEHOLDER.sub(sub, url), missing


def uv_env(spec: Any, environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """uv's environment: indexes with credentials expanded; also the secret values to scrub.

    Raises :class:`LockFailed` (SPC603) naming every placeholder the environment does not set.
    """
    env = base_env()
    secrets: list[str] = []
    missing: list[str] = []
    py = spec.python
    if py.index_url:
        url, miss = expand_placeholders(py.index_url, environ)
        missing += miss
        env["UV_INDEX_URL"] = url
    if py.extra_index_urls:
        urls = []
        for u in py.extra_index_urls:
            url, miss = expand_placeholders(u, environ)
            missing += miss
            urls.append(url)
        env["UV_EXTRA_INDEX_URL"] = " ".join(urls)
    for u in (py.index_url or "", *py.extra_index_urls):
        for name in _PLACEHOLDER.findall(u):
            if environ.get(name):
                secrets.append(environ[name])
    # direct references: uv expands ${NAME} in requirement files itself, from its environment
    for q in py.requirements:
        for name in _PLACEHOLDER.findall(q.url or ""):
            if name in environ:
                env[name] = environ[name]
                secrets.append(environ[name])
            else:
                missing.append(name)
    if missing:
        names = sorted(set(missing))
        raise LockFailed(
            _diag(
                "SPC603",
                "error",
                f"the package indexes need {', '.join(names)} but the environment does not set "
                + ("it" if len(names) == 1 else "them"),
                f"export {names[0]}=... (credentials are read from the environment only, never written to the lock)",
            )
        )
    return env, secrets


_uv_env = uv_env  # the name earlier versions used


#: uv's messages when an index cannot be reached (DNS, connection, TLS, timeouts), not a conflict
_NETWORK_FAILURE = re.compile(
    r"dns error|failed to lookup address|connection refused|error sending request|tcp connect error|"
    r"timed out|certificate|network is unreachable|no route to host",
    re.IGNORECASE,
)


#: uv's words for a requirement the index cannot give at all (uv 0.13): the name is unknown, the
#: exact version does not exist, or every version is below/above what is asked
_NOT_FOUND = re.compile(r"Because ([A-Za-z0-9][A-Za-z0-9._-]*) was not found in the package registry")
#: uv's warning for ``pkg[extra]`` when the package defines no such extra (uv 0.13)
_UNKNOWN_EXTRA = re.compile(
    r"warning: The package `([A-Za-z0-9][A-Za-z0-9._-]*)==[^`]*` does not have an extra named `([^`]+)`"
)
_NOT_CACHED = re.compile(r"Because ([A-Za-z0-9][A-Za-z0-9._-]*) was not found in the cache")
_NO_VERSION = re.compile(r"Because there is no version of ([A-Za-z0-9][A-Za-z0-9._-]*)(==\S+?) and you require")
_ONLY = re.compile(r"Because only ([A-Za-z0-9][A-Za-z0-9._-]*)(\S*) is available and you require \1(\S*?),")


def _missing_from_index(message: str) -> tuple[str, str] | None:
    """``(name, hint)`` when uv failed because the index does not have a requirement (no such
    package, no such version), which "cannot be satisfied together" would misdescribe."""
    m = _NOT_FOUND.search(message)
    if m:
        name = m.group(1)
        return name, (
            f"no package named {name} on the index: check the name's spelling, or list the index that has it "
            "(python.index-url or python.extra-index-urls)"
        )
    m = _NOT_CACHED.search(message)
    if m:
        name = m.group(1)
        return name, (
            f"{name} is not in uv's cache, and this lock asks no index (--offline, UV_OFFLINE): "
            "lock once with the network to fetch it"
        )
    m = _NO_VERSION.search(message)
    if m:
        name = m.group(1)
        return name, f"the index has no {name}{m.group(2)}: check the version (it may be yanked or never released)"
    m = _ONLY.search(message)
    if m:
        name = m.group(1)
        only, asked = f"{name}{m.group(2)}", f"{name}{m.group(3)}"
        return name, f"the index has only {only}, but the spec asks for {asked}: check the version"
    return None


#: SPC602's hint when no index could be reached
NETWORK_HINT = (
    "uv could not reach a package index (see its message above): check the index URLs, the network or "
    "proxy, and that every ${NAME} in an index URL is set in the environment; `specc lock --offline` "
    "resolves from uv's cache alone"
)


def _scrub(text: str, secrets: Sequence[str]) -> str:
    # only the credentials' own characters: a short user name ("aws") is masked in a URL's
    # userinfo, not in every word or host name that contains it
    from specc.diagnostics import scrub

    return scrub(text, secrets)


@dataclass(frozen=True)
class UvEntry:
    """One entry of uv's requirements.txt output: the requirement, its hashes, and who needs it."""

    requirement: str
    hashes: list[str]
    via: list[str] = field(default_factory=list)  # canonical names of the packages depending on it
    sources: list[str] = field(default_factory=list)  # names of the input files (``-r file``) listing it


def parse_uv_output(text: str) -> list[UvEntry]:
    """Entries of uv's annotated requirements.txt output (``--generate-hashes``, ``# via`` comments).

    A ``# via`` block follows its entry: ``# via pkg`` or ``# via`` then ``#   pkg`` lines;
    ``-r file`` sources go to ``sources`` (the file's name), ``-c file`` ones are left out.
    """
    entries: list[UvEntry] = []
    cur = ""
    in_via = False

    def flush() -> None:
        nonlocal cur
        if cur.strip():
            req, hashes = _split_hashes(cur)
            entries.append(UvEntry(req, hashes, [], []))
        cur = ""

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            in_via = False
            continue
        if line.startswith("#"):
            flush()
            body = line[1:].strip()
            if body.startswith("via"):
                in_via = True
                rest = body[3:].strip()
                if rest:
                    _add_via(entries, rest)
            elif in_via and raw.startswith("    #   ") and body:
                _add_via(entries, body)
            else:
                in_via = False
            continue
        in_via = False
        if line.endswith("\\"):
            cur += " " + line[:-1]
        else:
            cur += " " + line
            flush()
    flush()
    return entries


def _add_via(entries: list[UvEntry], source: str) -> None:
    if entries and source.startswith("-r "):
        entries[-1].sources.append(Path(source[3:].strip()).name)
        return
    if not entries or source.startswith(("-c ", "--")):
        return
    name = source.split()[0]
    entries[-1].via.append(canonical_name(name.split("[")[0]))


def _parse_uv_output(text: str) -> list[tuple[str, list[str]]]:
    """``(requirement, hashes)`` per entry of uv's requirements.txt output."""
    return [(e.requirement, e.hashes) for e in parse_uv_output(text)]


def _names(text: str) -> set[str]:
    """Canonical names of the ``name==version`` entries of uv's requirements.txt output."""
    out = set()
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#") and "==" in line:
            out.add(canonical_name(line.split("==", 1)[0].split("[")[0].strip()))
    return out


def _split_hashes(logical: str) -> tuple[str, list[str]]:
    parts = logical.split()
    hashes = sorted({p[len("--hash=") :] for p in parts if p.startswith("--hash=")})
    req = " ".join(p for p in parts if not p.startswith("--hash="))
    return req.strip(), hashes


def runtime_packages(spec: Any) -> dict[str, str]:
    """The Databricks runtime's preinstalled packages (empty without a runtime)."""
    if not spec.runtime.databricks:
        return {}
    from specc.runtimes import get_runtime

    info = get_runtime(spec.runtime.databricks)
    return dict(info.packages()) if info else {}


def _runtime_switched(previous: LockFile, spec: Any) -> bool:
    """Whether the previous lock was made for another Databricks runtime than the spec's."""
    return (previous.runtime.databricks or None) != (spec.runtime.databricks or None)


#: The names MLflow counts as "the model already requires MLflow" (``mlflow.utils.environment.
#: _is_mlflow_requirement``, MLflow 3.17.2): with one of them among the requirements it adds no pin.
MLFLOW_REQUIREMENT_NAMES = frozenset({"mlflow", "mlflow-skinny", "mlflow-tracing"})


def model_mlflow_version(spec: Any) -> str:
    """The MLflow version the logged model is assumed to carry in its ``mlflow==`` pin.

    One MLflow per lock, where the model runs: an image that serves the model
    (``targets.docker.serve``) serves it with the Docker target's MLflow
    (:data:`specc.backends.docker.DEFAULT_SERVING_MLFLOW`, also without a runtime); otherwise a
    Databricks runtime's own (``mlflow`` or ``mlflow-skinny`` from the runtime manifest: the
    cluster logs and loads the model with it); otherwise the Docker target's default.
    """
    from specc.backends.docker import DEFAULT_SERVING_MLFLOW

    default = DEFAULT_SERVING_MLFLOW.split("==", 1)[1]
    docker = getattr(spec.targets, "docker", None)
    if docker is not None and docker.serve:
        return default
    runtime = runtime_packages(spec)
    for name in ("mlflow", "mlflow-skinny"):
        version = runtime.get(name)
        if version and _valid_pin("mlflow", version):
            return version
    return default


def model_mlflow_pin(spec: Any) -> str | None:
    """``mlflow==<version>``: the line MLflow adds to every logged model's requirements, or None.

    MLflow prepends ``mlflow==<its own version>`` to a model's requirements unless one of them
    already names mlflow, mlflow-skinny or mlflow-tracing (:data:`MLFLOW_REQUIREMENT_NAMES`); so
    does this: a spec that lists one of them has its own line locked instead.  A spec without
    Python requirements or wheels has no pin either (nothing to resolve it with; its lock stays
    empty and needs no index).  The version is :func:`model_mlflow_version`.
    """
    names = {canonical_name(q.name) for q in spec.python.requirements if q.name}
    names |= {canonical_name(w.project) for w in spec.python.wheels}
    if not names or names & MLFLOW_REQUIREMENT_NAMES:  # no Python packages: nothing to lock it with
        return None
    return f"mlflow=={model_mlflow_version(spec)}"


def implied_requirements(spec: Any) -> list[str]:
    """Requirement lines a target installs although the spec does not list them (locked with the spec's).

    1. The logged model's ``mlflow==`` pin (:func:`model_mlflow_pin`): MLflow adds it to every
       model's requirements, so the environment that serves the model installs it with the
       spec's packages; locking it proves the two resolve (and import, ``--verify``) together.
    2. What the scoring server of a Docker image that serves (``targets.docker.serve``) needs
       beyond the spec (mlflow-skinny unless the spec lists mlflow itself, and the packages
       ``mlflow models serve`` imports): the Docker target's ``--locked`` install takes nothing
       unhashed, so what serves the model must be in the lock.  One source of truth with the
       image: :func:`specc.backends.docker.serving_lines`.

    Packages only these lines need are ``implied-only`` in the lock; targets that install
    neither the model's requirements nor a model server (the Databricks cluster libraries)
    leave them out (docs/lock.md, "The model's mlflow pin").
    """
    out: list[str] = []
    pin = model_mlflow_pin(spec)
    if pin is not None:
        out.append(pin)
    docker = getattr(spec.targets, "docker", None)
    if docker is not None and docker.serve:
        from specc.backends.docker import serving_lines

        out += [line for line in serving_lines(spec) if line not in out]
    return out


@dataclass
class _Resolution:
    """One platform's ``uv pip compile`` result."""

    entries: dict[Key, list[str]]  # key -> hashes
    versions: dict[str, str]  # canonical name -> version (index packages only)
    dependents: dict[str, set[str]]  # canonical name -> packages that depend on it
    roots: set[str] = field(default_factory=set)  # names the spec's own requirements (and wheels) list

    def reachable(self) -> set[str]:
        """Names the spec's own requirements need (the roots and everything they depend on)."""
        needs: dict[str, set[str]] = {}
        for dep, users in self.dependents.items():
            for user in users:
                needs.setdefault(user, set()).add(dep)
        seen = set(self.roots)
        todo = list(seen)
        while todo:
            for dep in needs.get(todo.pop(), ()):
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        return seen


@dataclass(frozen=True)
class AbiRisk:
    """A platform-specific package held at the runtime's version next to a dependency moved across a major."""

    package: str  # P, e.g. pyarrow
    version: str  # P's (the runtime's) version
    dependency: str  # M, e.g. numpy
    runtime_version: str  # M's runtime version
    locked_version: str  # M's locked version
    platform: str


def major(version: str) -> tuple[int, ...] | None:
    """The part of a version whose change signals an incompatible release: ``(1,)``; ``(0, 14)`` for 0.x."""
    from packaging.version import InvalidVersion, Version

    try:
        rel = Version(version).release
    except InvalidVersion:
        return None
    return rel[:2] if rel[0] == 0 and len(rel) > 1 else rel[:1]


def _next_major(version: str) -> str:
    m = major(version) or (0,)
    return f"{m[0]}.{m[1] + 1}" if len(m) == 2 else str(m[0] + 1)


#: after an offline answer that looked at packages whose pages this lock had not refreshed yet:
#: how many times those pages are refreshed and the offline resolution tried again (each round
#: reaches one dependency level further) before the resolution asks the index the usual way
MAX_REFRESH_ROUNDS = 3


class _Resolver:
    """Runs ``uv pip compile`` for one spec; shared state of one ``specc lock``.

    Any resolution may be answered from uv's cache (``--offline``) under one rule: the answer is
    kept only when every package uv's resolver looked at (:func:`specc.lockahead.visited_names`)
    had its index page read from the index during this ``specc lock``, by an online resolution or
    by a page refresh (:class:`specc.lockahead.PageRefresh`); so no page older than this lock
    decides anything.  Otherwise, or when uv cannot answer offline, the resolution runs online.

    * When every index is PyPI's (``cacheable``: a file's metadata, read from the cache, is
      immutable there), every resolution starts from the cache.  A re-lock (``refresh``: the
      previous lock's index packages and the spec's requirement names) first refreshes those
      pages in one concurrent round (``ahead``: that refresh, started before the spec was
      validated).  Pages an offline answer looked at beyond what was refreshed are refreshed
      in turn and the offline resolution tried again, up to :data:`MAX_REFRESH_ROUNDS` times
      (a first lock learns its pages that way, from a warm cache).  A private index is asked
      online first.
    * Every later resolution of the same lock (a re-resolution of the compiled-package rule,
      another platform, the tags query) runs offline first: the first one has just read its pages.
    """

    def __init__(
        self,
        spec: Any,
        uv: str,
        env: dict[str, str],
        secrets: list[str],
        tmpdir: Path,
        ahead: Refreshing | None = None,
        refresh: Iterable[str] = (),
        offline: bool = False,
    ) -> None:
        self.spec = spec
        self.offline = offline  # `specc lock --offline`: uv's cache only, no index asked
        self.uv = uv
        self.env = env
        self.secrets = secrets
        self.tmp = tmpdir
        self.base = Path(spec.base_dir or ".")
        self.wheel_by_abs = {str((self.base / w.path).resolve()): w for w in spec.python.wheels}
        self.spec_urls = {q.name: q.url for q in spec.python.requirements if q.url}
        self.runs = 0
        self.online_runs = 0
        self.offline_kept = 0
        self.refresh_runs = 0
        self.ahead = ahead
        self.cacheable = self._cacheable() and not offline
        self.to_refresh: set[str] = set(refresh) if self.cacheable else set()
        # names whose index pages this lock read from the index; a local wheel or path is read
        # from its file, never from a page, so it is as current as the file itself
        self.refreshed: set[str] = {w.project for w in spec.python.wheels}
        local = [q for q in spec.python.requirements if (q.url or "").startswith("file:")]
        self.refreshed |= {canonical_name(q.name) for q in local}
        self._specific: dict[tuple[str, str, str], bool] = {}
        self.unknown_extras: set[tuple[str, str]] = set()  # (package, extra) uv warned about

    def _cacheable(self) -> bool:
        """Whether a resolution may start from the cache: PyPI only (no index of the spec's own),
        no remote direct reference (a branch moves without any index page changing), a cache."""
        py = self.spec.python
        if py.index_url or py.extra_index_urls or env_flag("UV_NO_CACHE", self.env):
            return False
        return not any(q.url and not q.url.startswith("file:") for q in py.requirements)

    def compile(
        self,
        inputs: Sequence[tuple[str, str]],
        platform: str,
        preferred: Mapping[str, str],
        upgrade: set[str],
        holds: Mapping[str, str],
    ) -> _Resolution:
        """Resolve for one platform; raises :class:`LockFailed` (SPC602) with uv's message.

        ``inputs``: ``(file name, text)`` of each requirements file, the spec's first."""
        cons_lines = [q.line for q in self.spec.python.constraints]
        cons_lines += [f"{n}<{bound}" for n, bound in sorted(holds.items())]
        call = UvCompile(
            uv=self.uv,
            inputs=tuple(inputs),
            preferred=pins_text(preferred),
            constraints="".join(line + "\n" for line in cons_lines) if cons_lines else None,
            python=self.spec.runtime.python,
            platform=platform,
            upgrade=tuple(sorted(upgrade)),
            env=tuple(sorted(self.env.items())),
            cwd=str(self.base),
            interpreter=build_interpreter(self.spec.runtime.python),
        )
        if self.to_refresh:  # a re-lock's first resolution: the pages it will read, all at once
            names, self.to_refresh = self.to_refresh, set()
            self._refresh(names)
        # from the cache first: always where it may decide (PyPI), else once this lock has
        # read pages from the index (a private index's later resolutions)
        text = self._offline(call) if self.cacheable or self.online_runs or self.refresh_runs else None
        if text is None:
            text = self._online(call, platform)
        res = _Resolution({}, {}, {})
        spec_input = inputs[0][0]
        for e in parse_uv_output(text):
            key = _entry_key(e.requirement, self.wheel_by_abs, self.base, self.spec_urls)
            res.entries[key] = e.hashes
            name, version, url, path = key
            if spec_input in e.sources:
                res.roots.add(name)
            if version is not None and url is None and path is None:
                res.versions[name] = version
            for dep in e.via:
                res.dependents.setdefault(name, set()).add(dep)
        return res

    def _folder(self) -> Path:
        self.runs += 1
        return self.tmp / f"run-{self.runs}"

    def _refresh(self, names: Iterable[str]) -> set[str]:
        """Revalidate the index pages of ``names`` (the head start's result when it was made
        for this environment); returns the names refreshed now (none when uv failed)."""
        todo = set(names) - self.refreshed
        ahead, self.ahead = self.ahead, None
        if ahead is not None:
            if dict(ahead.refresh.env) == self.env:  # the same indexes: its pages are this lock's
                self.refresh_runs += 1
                got = ahead.wait()
                self.refreshed |= got
                todo -= got
                if not got:  # it failed: the same names would fail again (no network...)
                    self.cacheable = False
                    todo = set()
                    self._unreachable(ahead.error)
            ahead.close()
        if not todo:
            return set(names) & self.refreshed
        self.refresh_runs += 1
        refresh = PageRefresh(
            uv=self.uv,
            names=tuple(sorted(todo)),
            python=self.spec.runtime.python,
            env=tuple(sorted(self.env.items())),
            cwd=str(self.base),
        )
        running = Refreshing.start(refresh, self.tmp / f"refresh-{self.refresh_runs}")
        got = running.wait()
        if not got:  # the index cannot be asked (no network, a name it lacks): no more rounds
            self.cacheable = False
            self._unreachable(running.error)
        self.refreshed |= got
        return set(names) & self.refreshed

    def _online(self, call: UvCompile, platform: str) -> str:
        folder = self._folder()
        proc = (call._replace(offline=True) if self.offline else call).run(folder)
        self.online_runs += 1
        if proc.returncode != 0:
            msg = _scrub((proc.stderr or proc.stdout).strip(), self.secrets)
            hint = "the requirements cannot be satisfied together; uv's explanation above names the conflict"
            pin = model_mlflow_pin(self.spec)
            culprit = _missing_from_index(msg)
            if culprit is not None:  # one requirement the index does not have at all
                name, hint = culprit
                path = self._requirement_path(name)
                raise LockFailed(
                    Diagnostic.error(
                        "SPC602",
                        message=f"uv pip compile failed for Python {self.spec.runtime.python} on {platform}:\n{msg}",
                        hint=hint,
                        path=path or (),
                    )
                )
            if _NETWORK_FAILURE.search(msg):  # not the requirements: an index uv could not reach
                hint = NETWORK_HINT
            elif pin is not None and any(pin in text for _, text in call.inputs) and "mlflow" in msg:
                hint += (
                    f"; `{pin}` is the pin MLflow adds to the logged model (docs/lock.md, \"The model's mlflow "
                    'pin"): list the MLflow you log with (mlflow or mlflow-skinny) in python.requirements'
                )
            raise LockFailed(
                _diag(
                    "SPC602",
                    "error",
                    f"uv pip compile failed for Python {self.spec.runtime.python} on {platform}:\n{msg}",
                    hint,
                )
            )
        text = (folder / "out.txt").read_text(encoding="utf-8")
        self.refreshed |= _names(text)
        self._note_warnings(proc.stderr)
        return text

    def _note_warnings(self, stderr: str) -> None:
        """Keep what uv warns about that changes what gets installed: an extra the package lacks."""
        for m in _UNKNOWN_EXTRA.finditer(stderr or ""):
            self.unknown_extras.add((canonical_name(m.group(1)), m.group(2)))

    def _unreachable(self, error: str) -> None:
        """Raise SPC602 at once when a refresh failed because no index can be reached (DNS, a
        refused connection, TLS): an online resolution would only wait for the same retries."""
        if not _NETWORK_FAILURE.search(error):
            return
        raise LockFailed(
            _diag(
                "SPC602",
                "error",
                f"uv cannot reach the package index:\n{_scrub(error, self.secrets)}",
                NETWORK_HINT,
            )
        )

    def _requirement_path(self, name: str) -> tuple[str | int, ...] | None:
        """``("python", "requirements", k)`` of the spec's requirement named ``name``, or None
        (a dependency, not one of the spec's lines)."""
        want = canonical_name(name)
        for k, q in enumerate(self.spec.python.requirements):
            if canonical_name(q.name) == want:
                return ("python", "requirements", k)
        return None

    def _offline(self, call: UvCompile) -> str | None:
        """uv's output from the cache alone, or None: uv could not answer offline, or skipped a
        version whose metadata is not cached (it backs off and succeeds: a warning in its log),
        or its log does not say which packages it looked at, or it looked at a package whose
        page this lock did not read from the index (and refreshing those pages did not settle it)."""
        env = dict(call.env)
        env[RESOLVER_LOG[0]] = RESOLVER_LOG[1]
        offline = call._replace(offline=True, env=tuple(sorted(env.items())))
        for attempt in range(MAX_REFRESH_ROUNDS + 1):
            folder = self._folder()
            proc = offline.run(folder)
            if proc.returncode != 0:
                return None
            if offline_incomplete(proc.stderr):
                return None  # a version skipped for want of cached metadata: online decides
            text = (folder / "out.txt").read_text(encoding="utf-8")
            visited = visited_names(proc.stderr)
            if not visited or not _names(text) <= visited:
                return None  # which pages decided is unknown (another uv's log wording)
            missing = visited - self.refreshed
            if not missing:
                self.offline_kept += 1
                self._note_warnings(proc.stderr)
                return text
            if not self.cacheable or attempt == MAX_REFRESH_ROUNDS or self._refresh(missing) != missing:
                return None
        return None  # pragma: no cover - the loop returns

    def platform_specific(self, packages: Mapping[str, str], platform: str) -> dict[str, bool]:
        """Whether each ``name: version`` installs a platform-specific distribution on ``platform``.

        Asks uv which file it would install (``--format pylock.toml``, no dependencies): a wheel
        tagged ``*-none-any`` is pure; any other wheel, or only an sdist (it may compile), is not.
        """
        todo = {n: v for n, v in packages.items() if (n, v, platform) not in self._specific}
        if todo:
            self.runs += 1
            folder = self.tmp / f"tags-{self.runs}"
            folder.mkdir()
            req = folder / "requirements.in"
            req.write_text("".join(f"{n}=={v}\n" for n, v in sorted(todo.items())), encoding="utf-8")
            out = folder / "pylock.toml"
            cmd = [
                self.uv,
                "pip",
                "compile",
                str(req),
                "--no-deps",
                "--python-version",
                self.spec.runtime.python,
                "--python-platform",
                platform,
                "--format",
                "pylock.toml",
                "--quiet",
                "--output-file",
                str(out),
            ]
            interpreter = build_interpreter(self.spec.runtime.python)
            if interpreter is not None:  # as every resolution of the lock: no interpreter discovery
                cmd += ["--python", interpreter]
            # offline first: the first resolution of this lock just read these packages' pages
            proc = subprocess.run(
                [*cmd, "--offline"], capture_output=True, text=True, env=self.env, cwd=str(self.base), check=False
            )
            if proc.returncode != 0 and not self.offline:
                proc = subprocess.run(
                    cmd, capture_output=True, text=True, env=self.env, cwd=str(self.base), check=False
                )
            found: dict[str, bool] = {}
            if proc.returncode == 0:
                if sys.version_info >= (3, 11):
                    import tomllib
                else:  # pragma: no cover
                    import tomli as tomllib

                for pkg in tomllib.loads(out.read_text(encoding="utf-8")).get("packages", []):
                    wheels = [w.get("name") or w.get("url", "").rsplit("/", 1)[-1] for w in pkg.get("wheels", [])]
                    found[canonical_name(pkg["name"])] = not wheels or any(not _pure_wheel(w) for w in wheels)
            for n, v in todo.items():
                # unknown (uv could not tell): treat as platform-specific, the safe side of the rule
                self._specific[(n, v, platform)] = found.get(n, True)
        return {n: self._specific[(n, v, platform)] for n, v in packages.items()}


def _pure_wheel(filename: str) -> bool:
    """``x-1.0-py3-none-any.whl`` → True; ``x-1.0-cp311-cp311-manylinux_2_28_x86_64.whl`` → False."""
    stem = filename[: -len(".whl")] if filename.endswith(".whl") else filename
    parts = stem.split("-")
    if len(parts) < 5:
        return False
    abi, plat = parts[-2], parts[-1]
    return abi == "none" and plat == "any"


def resolve_python(
    spec: Any,
    *,
    platforms: Sequence[str] | None = None,
    previous: LockFile | None = None,
    upgrade: bool = False,
    upgrade_packages: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    uv: str | None = None,
    ahead: Refreshing | None = None,
    offline: bool = False,
) -> tuple[LockedPython, list[Diagnostic]]:
    """Resolve the spec's Python dependencies; return the section and its warnings (SPC6xx).

    ``platforms``: uv platforms (or aliases) to resolve for, one resolution each; None: every
    platform the spec's targets need (:func:`specc.lockfile.required_platforms`; the CLI picks
    them with :func:`lock_platforms`).

    Raises :class:`LockFailed` with error diagnostics (SPC602 uv failed, SPC603 a credential
    is missing, SPC604 a compiled package cannot be kept with a dependency's major move).
    ``offline``: resolve from uv's cache only (``specc lock --offline``; no page is refreshed).
    ``ahead``: the refresh of the index pages a re-lock reads, started early
    (:func:`specc.lockahead.start_refresh`); used when it was made for the same indexes.
    """
    environ = os.environ if environ is None else environ
    uv = uv or find_uv()
    py = spec.python
    if platforms is None:  # what `specc lock` resolves for a spec without a lock: its targets' platforms
        from specc.lockfile import required_platforms

        platforms = required_platforms(spec)
    platforms = list(dict.fromkeys(normalize_platform(p) for p in platforms)) or [DEFAULT_PLATFORM]
    env, secrets = uv_env(spec, environ)
    upgrade_set = {canonical_name(n) for n in upgrade_packages}
    runtime = {n: v for n, v in runtime_packages(spec).items() if _valid_pin(n, v)}

    # Preferences: the runtime's versions, then the previous lock's pins over them.  When the
    # spec names another runtime than the previous lock's (15.4 ML -> 16.4 ML), the new
    # runtime's versions win over those pins: they were chosen for the old runtime (its own
    # versions, or none preinstalled), and keeping them would replace the new cluster's copies.
    preferred: dict[str, str] = dict(runtime)
    if previous is not None and not upgrade:
        switched = _runtime_switched(previous, spec)
        for p in previous.python.packages:
            if p.version and not p.url and not p.path and _valid_pin(p.name, p.version):
                if switched and p.name in runtime:
                    continue
                preferred[p.name] = p.version
    for name in upgrade_set:
        preferred.pop(name, None)

    implied = implied_requirements(spec)
    spec_lines = [q.line for q in py.requirements]
    if not spec_lines and not implied and not py.wheels:
        return _python_section(spec, platforms, uv, [], implied), []
    diags: list[Diagnostic] = []
    with tempfile.TemporaryDirectory(prefix="specc-lock-") as tmp:
        refresh: set[str] = set()
        if previous is not None:  # a re-lock: the pages it will read are known (docs/lock.md, "Cost")
            refresh = {canonical_name(p.name) for p in previous.python.packages if not p.url and not p.path}
            refresh |= {canonical_name(q.name) for q in py.requirements if not q.url}
        r = _Resolver(spec, uv, env, secrets, Path(tmp), ahead, refresh, offline=offline)
        inputs = [("requirements.in", "\n".join(spec_lines + list(r.wheel_by_abs)) + "\n")]
        if implied:  # a file of its own: uv's annotations then tell what only the implied lines need
            inputs.append(("implied.in", "".join(line + "\n" for line in implied)))

        holds: dict[str, str] = {}  # name -> upper bound keeping it in the runtime's major version
        dropped: set[str] = set()  # runtime preferences given up for a compiled package's sake
        tried_holds: set[str] = set()

        def run(extra_holds: Mapping[str, str] = {}) -> dict[str, _Resolution]:
            prefs = {n: v for n, v in preferred.items() if n not in dropped}
            return {
                plat: r.compile(inputs, plat, prefs, upgrade_set | dropped, {**holds, **extra_holds})
                for plat in platforms
            }

        results = run()
        if runtime:
            for _ in range(MAX_ROUNDS):
                risks = _abi_risks(results, runtime, r)
                if not risks:
                    break
                moved = sorted({k.dependency for k in risks} - tried_holds)
                held = False
                for name in moved:  # first: keep the dependency in the runtime's major version
                    tried_holds.add(name)
                    bound = _next_major(runtime[name])
                    try:
                        attempt = run({name: bound})
                    except LockFailed:
                        continue
                    holds[name] = bound
                    results, held = attempt, True
                    diags.append(
                        _diag(
                            "SPC605",
                            "warning",
                            f"{name} is kept below {bound} (the runtime's {runtime[name]} is {name} "
                            f"{'.'.join(map(str, major(runtime[name]) or ()))}.x): "
                            + ", ".join(sorted({f"{k.package} {k.version}" for k in risks if k.dependency == name}))
                            + f" (platform-specific, preferred at the runtime's version) depend on {name}",
                            f"a {name} of another major version would need them rebuilt; "
                            "`specc lock --verify` imports the locked set",
                        )
                    )
                    break
                if held:
                    continue
                to_drop = {k.package for k in risks} - dropped
                if not to_drop:  # preferences already dropped: the spec itself holds the pair
                    raise LockFailed([_conflict(k, spec) for k in _dedupe(risks)])
                for k in _dedupe(risks):
                    if k.package in to_drop:
                        diags.append(
                            _diag(
                                "SPC606",
                                "warning",
                                f"the runtime's {k.package} {k.version} is not kept: it is platform-specific and "
                                f"depends on {k.dependency}, which moves from the runtime's {k.runtime_version} "
                                f"to {k.locked_version} (another major version)",
                                f"{k.package} is re-resolved to a version built for {k.dependency} "
                                f"{k.locked_version}; `specc lock --verify` imports the locked set",
                            )
                        )
                dropped |= to_drop
                results = run()
            else:
                raise LockFailed(
                    _diag(
                        "SPC604",
                        "error",
                        f"the compiled-package rule did not settle after {MAX_ROUNDS} resolutions",
                        "pin the packages named in the warnings above",
                    )
                )

    from packaging.utils import canonicalize_name

    resolved = {plat: res.entries for plat, res in results.items()}
    packages = _merge(resolved, platforms, r.wheel_by_abs)
    needed = set().union(*(res.reachable() for res in results.values())) if implied else None
    final = []
    for p in packages:
        only_implied = needed is not None and p.name not in needed
        if only_implied:
            p = p.model_copy(update={"implied_only": True})
        pre = runtime.get(p.name) or runtime_packages(spec).get(p.name)
        if pre is not None and p.version is not None and not _same_version(pre, p.version):
            p = p.model_copy(update={"preinstalled": pre})
        # a replacement runtime.overrides acknowledges was reported by validate (SPC215) and accepted
        acknowledged = canonicalize_name(p.name) in spec.runtime.overrides
        if (
            pre is not None
            and p.version is not None
            and not _same_version(pre, p.version)
            and not only_implied
            and not acknowledged
        ):
            needers = sorted(set().union(*(res.dependents.get(p.name, set()) for res in results.values())))
            direct = any(p.name in res.roots for res in results.values())
            if direct or not needers:
                hint = "pin the runtime's version in python.requirements if the spec allows it"
            else:  # a dependency's needs moved it: say whose, and how to accept it
                hint = (
                    f"needed by {', '.join(needers[:5])}{', ...' if len(needers) > 5 else ''}: pin {p.name}=={pre} "
                    f'in python.requirements if they allow it, or acknowledge it: runtime.overrides = ["{p.name}"]'
                )
            diags.append(
                _diag(
                    "SPC601",
                    "warning",
                    f"{p.name} is locked at {p.version}, but {spec.runtime.databricks} preinstalls {pre}; "
                    f"the cluster's copy will be replaced by {p.version}",
                    hint,
                )
            )
        final.append(p)
    for name, extra in sorted(r.unknown_extras):
        diags.append(
            Diagnostic.warning(
                "SPC614",
                message=f"{name} has no extra named `{extra}`: nothing is installed for it",
                path=r._requirement_path(name) or (),
                hint=f"check the extra's spelling in the {name} requirement (the package's metadata lists its extras)",
            )
        )
    # an acknowledged replacement the lock does not make (validate cannot tell: a dependency may)
    locked_versions = {p.name: p.version for p in final}
    for index, name in enumerate(spec.runtime.overrides):
        pre = runtime.get(name)
        have = locked_versions.get(name)
        if pre is not None and (have is None or _same_version(pre, have)):
            diags.append(
                Diagnostic.warning(
                    "SPC216",
                    message=f'runtime.overrides acknowledges replacing "{name}", but the lock keeps '
                    f"{spec.runtime.databricks}'s {name} {pre}",
                    path=("runtime", "overrides", index),
                    hint=f'remove "{name}" from runtime.overrides',
                )
            )
    section = _python_section(spec, platforms, uv, final, implied)
    dumped = section.model_dump_json()
    for value in secrets:
        if len(value) >= 4 and value in dumped:  # defence in depth: a credential must never reach the lock
            raise LockFailed(
                _diag(
                    "SPC603",
                    "error",
                    "refusing to write the lock: a credential from the environment appears in uv's output",
                )
            )
    return section, diags


def _dedupe(risks: Sequence[AbiRisk]) -> list[AbiRisk]:
    seen: dict[tuple[str, str], AbiRisk] = {}
    for k in risks:
        seen.setdefault((k.package, k.dependency), k)
    return [seen[key] for key in sorted(seen)]


def _conflict(k: AbiRisk, spec: Any) -> Diagnostic:
    return _diag(
        "SPC604",
        "error",
        f"{k.package} {k.version} (the runtime's, platform-specific) depends on {k.dependency}, which the "
        f"requirements move from the runtime's {k.runtime_version} to {k.locked_version}: a compiled package "
        f"built for {k.dependency} {k.runtime_version.split('.')[0]}.x may not import with {k.dependency} "
        f"{k.locked_version}, and the spec keeps {k.package} at {k.version}",
        f"choices: allow {k.dependency}<{_next_major(k.runtime_version)} (relax what needs {k.dependency} "
        f"{k.locked_version}), or allow another {k.package} (relax its pin or constraint); "
        "then `specc lock --verify`",
    )


def _abi_risks(
    results: Mapping[str, _Resolution],
    runtime: Mapping[str, str],
    r: _Resolver,
    c_api: Callable[[str, str], bool | None] | None = None,
) -> list[AbiRisk]:
    """Platform-specific packages at the runtime's version whose dependency moved across a major
    version, when that dependency has a C API to build against (``c_api(name, runtime version)``:
    :func:`specc.verify.ships_c_api`; None, when it cannot tell, counts as yes).  A dependency
    without one (pandas) is used through Python only: its major move is no binary risk."""
    if c_api is None:
        from specc.verify import ships_c_api

        c_api = ships_c_api
    risks: list[AbiRisk] = []
    for plat, res in results.items():
        candidates: dict[str, list[tuple[str, str]]] = {}  # P -> [(M, M's locked version)]
        for m_name, m_version in res.versions.items():
            rt = runtime.get(m_name)
            if rt is None or major(rt) is None or major(m_version) is None or major(rt) == major(m_version):
                continue
            if not any(p in runtime for p in res.dependents.get(m_name, ())) or c_api(m_name, rt) is False:
                continue
            for p_name in res.dependents.get(m_name, ()):
                p_version = res.versions.get(p_name)
                if p_version is not None and p_name in runtime and _same_version(runtime[p_name], p_version):
                    candidates.setdefault(p_name, []).append((m_name, m_version))
        if not candidates:
            continue
        specific = r.platform_specific({p: res.versions[p] for p in candidates}, plat)
        for p_name, moves in sorted(candidates.items()):
            if specific.get(p_name):
                for m_name, m_version in moves:
                    risks.append(AbiRisk(p_name, res.versions[p_name], m_name, runtime[m_name], m_version, plat))
    return risks


_valid_pin = valid_pin


def _same_version(a: str, b: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        va, vb = Version(a), Version(b)
    except InvalidVersion:
        return a == b
    # torch 2.3.1+cu121 preinstalled counts as 2.3.1
    return va == vb or va.public == vb.public


def _entry_key(req: str, wheel_by_abs: Mapping[str, WheelRef], base: Path, spec_urls: Mapping[str, str]) -> Key:
    """(name, version, url, path) of one uv output entry."""
    req = req.split(";")[0].strip()
    if " @ " in req:
        name, url = (s.strip() for s in req.split(" @ ", 1))
        if url.startswith("file://"):
            local = url[len("file://") :]
            w = wheel_by_abs.get(str(Path(local).resolve()))
            if w is not None:
                return (w.project, w.version, None, w.path)
        name = canonical_name(name.split("[")[0])
        # keep the spec's spelling (${NAME} placeholders), never the URL uv expanded
        return (name, None, spec_urls.get(name, url), None)
    if "==" in req:
        name, version = req.split("==", 1)
        name = name.split("[")[0]
        return (canonical_name(name), version.strip(), None, None)
    absolute = str((base / req).resolve())
    if absolute in wheel_by_abs:
        w = wheel_by_abs[absolute]
        return (w.project, w.version, None, w.path)
    raise LockFailed(_diag("SPC602", "error", f"unexpected line in uv's output: {req!r}"))


def _merge(
    resolved: Mapping[str, Mapping[Key, list[str]]],
    platforms: Sequence[str],
    wheel_by_abs: Mapping[str, WheelRef],
) -> list[LockedPythonPackage]:
    keys: dict[Key, list[str]] = {}
    for plat in platforms:
        for key in resolved.get(plat, {}):
            keys.setdefault(key, []).append(plat)
    wheels_by_path = {w.path: w for w in wheel_by_abs.values()}
    out = []
    for key, plats in keys.items():
        name, version, url, path = key
        hashes: set[str] = set()
        for plat in plats:
            hashes.update(resolved[plat][key])
        if path is not None:  # the spec's own wheel: its recorded sha256
            hashes = {f"sha256:{wheels_by_path[path].sha256}"}
        out.append(
            LockedPythonPackage(
                name=name,
                version=version,
                url=url,
                path=path,
                hashes=sorted(hashes),
                platforms=[] if len(plats) == len(platforms) else sorted(plats),
            )
        )
    return sorted(out, key=lambda p: (p.name, p.version or "", p.platforms))


def _python_section(
    spec: Any, platforms: Sequence[str], uv: str, packages: list[LockedPythonPackage], implied: Sequence[str] = ()
) -> LockedPython:
    return LockedPython(
        python_version=spec.runtime.python,
        platforms=list(platforms),
        resolver=uv_version(uv),
        index_url=spec.python.index_url,
        extra_index_urls=list(spec.python.extra_index_urls),
        implied_requirements=list(implied),
        packages=packages,
    )


def lock_platforms(
    spec: Any,
    *,
    previous: Sequence[str] | None = None,
    asked: Sequence[str] = (),
    replace: bool = False,
) -> tuple[list[str], list[Diagnostic]]:
    """The platforms ``specc lock`` resolves for, and what it says about them (docs/lock.md, "Platforms").

    ``previous``: the existing lock's platforms (None: no lock); ``asked``: ``--platform``
    values; ``replace``: ``--replace-platforms``.

    * No lock and no ``--platform``: every platform the spec's targets need
      (:func:`specc.lockfile.required_platforms`: x86_64 for compile first, then the Docker
      image's and the Databricks cluster's), each once.
    * An explicit list wins: ``--platform`` without a lock, or ``--replace-platforms --platform``,
      locks exactly those (``--replace-platforms`` alone: what the spec needs).  A target platform
      left out is warning SPC608 (its ``--locked`` fails with SPC620; ``lock --check`` reports it).
    * Re-locking keeps the lock's platforms, adds ``--platform`` values, then adds every platform a
      target needs that the lock lacks: warning SPC607 for each (the lock grew).
    * A target platform uv cannot resolve for (a Docker ``linux/ppc64le``): warning SPC609.
    """
    from specc.lockfile import platform_needs

    needs = platform_needs(spec)
    needed = list(dict.fromkeys(n.platform for n in needs if n.lockable))
    wanted = list(dict.fromkeys(normalize_platform(p) for p in asked))
    diags: list[Diagnostic] = []
    if replace or (previous is None and wanted):
        # an explicit list in one order whatever the order of the flags (x86_64 first, as every
        # target's own list): two people asking for the same platforms get the same lock
        platforms = sorted(wanted, key=lambda p: (not p.startswith("x86_64"), p)) or needed
    else:
        base = list(dict.fromkeys([*(previous or ()), *wanted]))
        added = [p for p in needed if p not in base]
        platforms = base + added
        for plat in added if previous else ():
            why = "; ".join(n.describe() for n in needs if n.platform == plat)
            diags.append(
                _diag(
                    "SPC607",
                    "warning",
                    f"added {plat} to the lock's platforms ({', '.join(previous or ())}): {why}",
                    f"ask for it (`specc lock --platform {plat}`) to lock it without this warning; "
                    "`--replace-platforms` locks only what the spec's targets need",
                )
            )
    for plat in dict.fromkeys(n.platform for n in needs if n.lockable and n.platform not in platforms):
        why = "; ".join(n.describe() for n in needs if n.platform == plat)
        diags.append(
            _diag(
                "SPC608",
                "warning",
                f"the lock is made for {', '.join(platforms)} only, but {why}: it will fail with SPC620, "
                f"and `specc lock --check` reports the lock stale",
                f"add `--platform {plat}`, or re-lock without --platform to lock every platform the targets need",
            )
        )
    for n in needs:
        if not n.lockable:
            diags.append(
                _diag(
                    "SPC609",
                    "warning",
                    f"{n.because()}: uv cannot resolve for {n.platform}, so `{n.command} --locked` "
                    "cannot use this lock",
                    "uv resolves linux/amd64 and linux/arm64 (and riscv64); build for one of them, or render "
                    "that target without --locked",
                )
            )
    return platforms, diags


def lock_spec(
    spec: Any,
    *,
    platforms: Sequence[str] | None = None,
    previous: LockFile | None = None,
    upgrade: bool = False,
    upgrade_packages: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    ahead: Refreshing | None = None,
    offline: bool = False,
) -> LockResult:
    """Resolve ``spec`` (an EnvSpec) into a lock; its diagnostics are warnings (errors raise LockFailed).

    ``platforms``: None resolves every platform the spec's targets need (as a fresh `specc lock`).
    """
    python, diags = resolve_python(
        spec,
        platforms=platforms,
        previous=previous,
        upgrade=upgrade,
        upgrade_packages=upgrade_packages,
        environ=environ,
        ahead=ahead,
        offline=offline,
    )
    return LockResult(lock=new_lock(spec, python), diagnostics=diags)
