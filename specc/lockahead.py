"""The ``uv pip compile`` calls of ``specc lock``, and the index-page refresh started ahead.

Why (docs/lock.md, "Cost"): with a warm cache, ``uv pip compile`` spends most of its time asking
the index whether its cached pages are still current, one dependency level after another: a
package's dependencies are known only once its own page and metadata are in, so the requests
form a chain as deep as the dependency graph.  A re-lock already knows, from the previous lock,
which packages it is going to read.  So :func:`start_refresh` asks uv to revalidate every one of
those pages at once (``uv pip compile --no-deps --universal`` of their names: one concurrent
round of requests, no metadata), started from the raw files before the spec is validated; the
resolution then runs ``--offline`` against a cache whose pages this very ``specc lock`` has just
revalidated.  :class:`specc.lock._Resolver` keeps an offline answer only when every package uv's
resolver looked at (:func:`visited_names`, from uv's debug log) had its page refreshed by this
lock; otherwise it refreshes the pages it lacked and tries again, and in the end asks the index
the usual way.  The lock never depends on a page older than the ``specc lock`` that wrote it.

This module imports only the standard library and :mod:`specc.runtimes` (itself standard library
only), so it runs before the CLI imports pydantic.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

#: uv's environment keeps only these of the caller's ``UV_*`` variables (the index settings
#: come from the spec, never from the caller's environment).
KEPT_UV_VARIABLES = ("UV_CACHE_DIR", "UV_NO_CACHE")
_CANONICAL = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: PEP 440 versions in their normal form (a subset of what packaging accepts)
_PLAIN_VERSION = re.compile(r"^[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?$")
#: one element of a ``hashes = [...]`` array as specc.lockfile writes it, on its own line
_HASH_LINE = re.compile(r'^[ \t]*"sha256:[0-9a-f]{64}",[ \t]*\n', re.MULTILINE)


def base_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment uv runs in before the spec's indexes are added.

    * ``UV_NO_CONFIG=1``: the spec says which indexes to use, so neither the caller's ``UV_*``
      variables (dropped) nor a ``uv.toml`` or ``[tool.uv]`` found from the spec's folder or
      the user's configuration may change them (a ``uv.toml`` naming another index made a lock
      resolve against it without the lock saying so).
    * ``UV_PYTHON_DOWNLOADS=never``: a resolution needs an interpreter only to build an sdist's
      metadata, and when none of the spec's ``major.minor`` is installed uv would download one
      (tens of MB into the user's data folder, as a side effect of a lock) or, where downloads
      cannot be reached, retry for ~12 s on every resolution before it builds with another
      installed Python anyway.  With it, uv builds with another installed Python at once (its
      own fallback); ``specc lock --verify`` needs the spec's Python installed (SPC632).
    """
    environ = os.environ if environ is None else environ
    env = {k: v for k, v in environ.items() if not k.startswith("UV_") or k in KEPT_UV_VARIABLES}
    env["UV_NO_CONFIG"] = "1"
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def env_flag(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether a boolean ``UV_*`` variable is on, with the values uv takes as true (``1``, ``t``,
    ``true``, ``y``, ``yes``, ``on``, any case)."""
    value = (os.environ if environ is None else environ).get(name, "")
    return value.strip().lower() in ("1", "t", "true", "y", "yes", "on")


def build_interpreter(python: str) -> str | None:
    """The interpreter ``uv pip compile`` may use for builds (``--python``): this one, when it is
    the spec's ``major.minor``; else None (uv discovers one itself).

    uv needs an interpreter of the requested version only to build an sdist's metadata; when
    it is not told one, it searches virtual environments, managed installations and PATH, and
    a version manager's shim found there (pyenv's ``python3.11``) costs a resolution ~0.1 s
    (bench/lock.py).  The resolution itself targets ``--python-version`` either way.
    """
    if ".".join(python.split(".")[:2]) != f"{sys.version_info.major}.{sys.version_info.minor}":
        return None
    return sys.executable or None


def canonical_name(name: str) -> str:
    """PEP 503: lower-case, runs of ``-_.`` as one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locate_uv() -> str | None:
    """The uv binary: next to this Python (the venv's ``bin``), else on PATH, else the ``uv`` package's."""
    here = Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    if here.is_file():
        return str(here)
    found = shutil.which("uv")
    if found:
        return found
    try:  # the ``uv`` package from PyPI
        from uv import find_uv_bin  # type: ignore[import-not-found,unused-ignore]

        return str(find_uv_bin())
    except Exception:
        return None


def valid_pin(name: str, version: str) -> bool:
    """Whether ``name==version`` is a line uv accepts (runtime manifests hold a few odd versions)."""
    if _CANONICAL.match(name) and _PLAIN_VERSION.match(version):  # the usual case, without packaging
        return True
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version

    try:
        Requirement(f"{name}=={version}")
        Version(version)
    except (InvalidRequirement, InvalidVersion):
        return False
    return True


def pins_text(preferred: Mapping[str, str]) -> str:
    """The seeded output file: uv reads an existing output file as preferred versions."""
    return "".join(f"{n}=={v}\n" for n, v in sorted(preferred.items()))


class UvCompile(NamedTuple):
    """One ``uv pip compile`` run: what it reads and how it is called.

    Files are named inside the folder the run gets (``requirements.in``, ``implied.in``, the
    seeded ``out.txt``, ``constraints.txt``), so two equal values make byte-identical runs.
    """

    uv: str
    inputs: tuple[tuple[str, str], ...]  # (file name, text) of each requirements input, in order
    preferred: str  # text of the seeded output file (preferences)
    constraints: str | None
    python: str
    platform: str
    upgrade: tuple[str, ...]
    env: tuple[tuple[str, str], ...]  # sorted items
    cwd: str
    offline: bool = False
    interpreter: str | None = None  # uv's ``--python`` (see build_interpreter)

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in self.inputs:
            (folder / name).write_text(text, encoding="utf-8")
        (folder / "out.txt").write_text(self.preferred, encoding="utf-8")
        if self.constraints is not None:
            (folder / "constraints.txt").write_text(self.constraints, encoding="utf-8")

    def command(self, folder: Path) -> list[str]:
        cmd = [self.uv, "pip", "compile", *(str(folder / name) for name, _ in self.inputs)]
        cmd += ["--python-version", self.python, "--python-platform", self.platform]
        # no --quiet: uv's user-facing warnings (an extra the package lacks) are read from stderr
        cmd += ["--generate-hashes", "--no-header", "--annotation-style", "split"]
        cmd += ["--output-file", str(folder / "out.txt")]
        if self.constraints is not None:
            cmd += ["--constraint", str(folder / "constraints.txt")]
        for name in self.upgrade:
            cmd += ["--upgrade-package", name]
        if self.offline:
            cmd.append("--offline")
        if self.interpreter is not None:
            cmd += ["--python", self.interpreter]
        return cmd

    def run(self, folder: Path) -> subprocess.CompletedProcess[str]:
        """Write the files into ``folder`` and run uv there; uv's result is ``folder/out.txt``."""
        self.write(folder)
        return subprocess.run(
            self.command(folder), capture_output=True, text=True, env=dict(self.env), cwd=self.cwd, check=False
        )


#: the keys of a spec's ``[python]`` table (docs/format.md) without an index among them
_PYTHON_KEYS = frozenset({"requirements", "requirements-files", "constraints", "wheels"})
#: the name of a plain requirement line (``name[extras] >=1 ; marker``; not a URL, path or option)
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[=<>!~;]|$)")
#: uv's debug line for each package its resolver picks a version of (``uv_resolver``, every uv
#: release since 0.1): ``Searching for a compatible version of dask[complete] (==2024.8.0)``
_SEARCHING = re.compile(r"Searching for a compatible version of ([A-Za-z0-9][A-Za-z0-9._-]*)")
#: the environment that makes uv print those lines and every warning (on stderr; its output
#: file is unchanged)
RESOLVER_LOG = ("RUST_LOG", "warn,uv_resolver=debug")
#: a warning in uv's log (``WARN`` level), and the words uv uses when an offline run skips a
#: version whose metadata is not in its cache (it backs off to another version and succeeds)
_UV_WARNING = re.compile(r"^\s*WARN\b|needs to be downloaded", re.MULTILINE)


def visited_names(log: str) -> set[str]:
    """Canonical names of every package uv's resolver looked at, from its ``uv_resolver=debug``
    log: the packages whose index pages decided the resolution, chosen or not.  Empty when the
    log has no such line (another uv wording): callers then treat the set as unknown."""
    return {canonical_name(m) for m in _SEARCHING.findall(log)}


def offline_incomplete(log: str) -> bool:
    """Whether an ``--offline`` run's log (:data:`RESOLVER_LOG`) shows it may have answered
    differently than online: any warning, in particular a version skipped because its metadata
    is not in the cache (uv 0.13 says "`delta==2.0` needs to be downloaded from a registry",
    then backs off to an older version and exits 0)."""
    return _UV_WARNING.search(log) is not None


class PageRefresh(NamedTuple):
    """One ``uv pip compile --no-deps --universal`` of bare package names: uv revalidates each
    name's index page in one concurrent round (no metadata, no dependencies).  Its output is not
    used; what counts is that the pages in uv's cache are now the index's current ones."""

    uv: str
    names: tuple[str, ...]  # canonical, sorted
    python: str
    env: tuple[tuple[str, str], ...]  # sorted items: the same indexes as the resolutions
    cwd: str

    def command(self, folder: Path) -> list[str]:
        # --python: this interpreter, whatever the spec's Python (nothing is built without
        # dependencies, and uv's interpreter discovery can cost more than the refresh)
        cmd = [self.uv, "pip", "compile", str(folder / "names.in"), "--no-deps", "--universal"]
        cmd += ["--python-version", self.python, "--no-header", "--quiet", "--output-file", str(folder / "out.txt")]
        if sys.executable:
            cmd += ["--python", sys.executable]
        return cmd

    def start(self, folder: Path) -> subprocess.Popen[str]:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "names.in").write_text("".join(n + "\n" for n in self.names), encoding="utf-8")
        return subprocess.Popen(
            self.command(folder),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(self.env),
            cwd=self.cwd,
        )


class Refreshing:
    """A :class:`PageRefresh` under way (see the module docstring)."""

    def __init__(self, refresh: PageRefresh, folder: Path, proc: subprocess.Popen[str], *, own_folder: bool) -> None:
        self.refresh = refresh
        self.folder = folder
        self.proc: subprocess.Popen[str] | None = proc
        self.own_folder = own_folder  # a temporary folder of its own, removed by close()
        self.used = False
        self.error = ""  # uv's message when the refresh failed

    @classmethod
    def start(cls, refresh: PageRefresh, folder: Path | None = None) -> Refreshing:
        own = folder is None
        where = Path(tempfile.mkdtemp(prefix="specc-lock-refresh-")) if folder is None else folder
        return cls(refresh, where, refresh.start(where), own_folder=own)

    def wait(self) -> set[str]:
        """The names whose pages uv revalidated: all of them when it succeeded, else none (a
        name it could not resolve, an unreachable index: which pages it read is unknown)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return set()
        _, err = proc.communicate()
        self.used = True
        self.error = "" if proc.returncode == 0 else (err or "").strip()
        return set(self.refresh.names) if proc.returncode == 0 else set()

    def close(self) -> None:
        """Stop the refresh if nobody waited for it, and remove its folder when it is its own."""
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
        if self.own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def refresh_names(spec_path: Path) -> tuple[str, list[str]] | None:
    """From the raw files: the spec's Python version and the names whose pages a re-lock of
    ``spec_path`` will read (the existing lock's index packages, the spec's requirement names);
    None when there is no readable lock, or the spec or lock names an index of its own (the
    resolver refreshes nothing then: docs/lock.md, "Cost")."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    lock_path = spec_path.with_name("model-env.lock")
    try:
        spec = tomllib.loads(spec_path.read_text(encoding="utf-8"))
        # the lock without its hash lines (most of its bytes; each leaves a valid, shorter array)
        lock = tomllib.loads(_HASH_LINE.sub("", lock_path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None
    python = spec.get("python", {})
    locked = lock.get("python", {})
    runtime = spec.get("runtime", {})
    if not isinstance(python, dict) or not isinstance(locked, dict) or not isinstance(runtime, dict):
        return None
    # only what surely asks PyPI alone: no index in the spec or recorded in the lock, no key the
    # spec does not know (a misspelt `extra-index-url` must not send private names to PyPI), no
    # remote direct reference (the resolver asks online for those anyway)
    if python.get("index-url") or python.get("extra-index-urls") or not set(python) <= _PYTHON_KEYS:
        return None
    if locked.get("index-url") or locked.get("extra-index-urls"):
        return None
    reqs = python.get("requirements")
    if any(isinstance(q, str) and ("@" in q or "://" in q) for q in (reqs if isinstance(reqs, list) else [])):
        return None
    version = runtime.get("python") or lock.get("runtime", {}).get("python")
    if not isinstance(version, str) or not version:
        return None
    names: set[str] = set()
    for p in locked.get("packages", []):
        name = p.get("name") if isinstance(p, dict) else None
        if isinstance(name, str) and _CANONICAL.match(name) and not p.get("url") and not p.get("path"):
            names.add(name)
    lines = python.get("requirements")
    for line in lines if isinstance(lines, list) else []:
        m = _REQUIREMENT_NAME.match(line) if isinstance(line, str) else None
        if m:
            names.add(canonical_name(m.group(1)))
    return (version, sorted(names)) if names else None


def start_refresh(spec_path: str | Path, args: Any) -> Refreshing | None:
    """Start refreshing the index pages a re-lock of ``spec_path`` will read (``args``: ``specc
    lock``'s parsed options), or None when there is nothing to refresh or nothing resolves."""
    if args.check or args.conda or getattr(args, "offline", False) or env_flag("UV_OFFLINE"):
        return None
    if getattr(args, "format", "text") not in ("text", "json"):  # an export (--format pylock): nothing resolves
        return None
    try:
        env = base_env()
        if env_flag("UV_NO_CACHE", env):
            return None
        found = refresh_names(Path(spec_path).absolute())
        uv = locate_uv() if found is not None else None
        if found is None or uv is None:
            return None
        python, names = found
        refresh = PageRefresh(
            uv=uv,
            names=tuple(names),
            python=python,
            env=tuple(sorted(env.items())),
            cwd=str(Path(spec_path).absolute().parent),
        )
        return Refreshing.start(refresh)
    except Exception:  # a head start must never break the real run
        return None
