"""``specc lock --verify``: install the locked set into a throwaway environment and import it.

What a lock promises is that its set installs and imports together; metadata cannot prove
that (a wheel built against numpy 1.x declares ``numpy>=1.16``), so this module tries it:

1. Pick the lock's platform this machine runs (linux x86_64 → ``x86_64-*``, glibc new enough
   for its manylinux tag) and an interpreter of the spec's Python (an installed one: uv does
   not download one here).  When either is missing: SPC632, nothing else is tried.
2. **On a Databricks runtime, the overlay first**: a cluster keeps its preinstalled packages
   and installs the lock over them.  So the runtime's own versions of the preinstalled
   packages that depend (directly) on anything the lock moves off the runtime's version, with
   what they need from the runtime, are installed first (from the runtime manifest, their
   dependency edges from the package index's metadata).
3. The locked set for that platform, ``uv pip install --no-deps --require-hashes`` (the lock's
   exact files, nothing resolved again), through uv's cache.
4. Every locked distribution's top-level modules, read from its installed ``RECORD``
   (``top_level.txt`` is often missing), are imported, each in its own process (one crash
   cannot hide another); the overlay's packages too.  Names that are not identifiers and
   folders that are not part of a library (``tests``, ``docs``, ...) are skipped.

Every failure is a diagnostic: SPC630 a locked distribution's module does not import, SPC631
the locked set does not install, SPC632 this machine cannot verify, SPC633 a runtime package
does not import over the lock, SPC634 (warning) the overlay could not be set up, SPC635
(warning) a runtime package fails on the runtime's own versions too, without the lock.
"""

from __future__ import annotations

import io
import json
import os
import platform as _platform
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specc.diagnostics import Diagnostic
from specc.lockfile import LockFile, pip_lines

__all__ = ["VerifyResult", "machine_platform", "module_names", "runtime_dependents", "verify_lock"]

#: top-level folders wheels ship that are not meant to be imported as a library
NOT_LIBRARIES = frozenset({"tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks", "bench"})
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MANYLINUX = re.compile(r"^(x86_64|aarch64)-manylinux_(\d+)_(\d+)$")
PYPI_SIMPLE = "https://pypi.org/simple/{name}/"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


@dataclass
class VerifyResult:
    """What was installed and imported, and every problem (SPC63x)."""

    platform: str | None = None
    python: str | None = None
    distributions: int = 0
    modules: list[tuple[str, str]] = field(default_factory=list)  # (distribution, module) imported
    overlay: list[str] = field(default_factory=list)  # runtime packages installed under the lock
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


#: where the runtime's own packages are installed from for the overlay (the manifests list PyPI
#: versions; Databricks installs them from PyPI)
RUNTIME_INDEX = "https://pypi.org/simple"


def _diag(code: str, severity: str, message: str, hint: str | None = None, file: str | None = None) -> Diagnostic:
    return Diagnostic(code=code, severity=severity, message=message, hint=hint, file=file)  # type: ignore[arg-type]


def machine_platform(lock_platforms: Sequence[str]) -> tuple[str | None, str]:
    """The locked platform this machine can install, and this machine's description.

    A ``<arch>-manylinux_X_Y`` platform needs linux on that architecture with glibc >= X.Y.
    """
    machine = _platform.machine().lower()
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    libc = os.confstr("CS_GNU_LIBC_VERSION") if hasattr(os, "confstr") else None  # "glibc 2.36"
    glibc: tuple[int, ...] = ()
    if libc and libc.startswith("glibc "):
        glibc = tuple(int(x) for x in libc.split()[1].split(".")[:2] if x.isdigit())
    here = f"{sys.platform} {arch}" + (f" glibc {'.'.join(map(str, glibc))}" if glibc else "")
    if not sys.platform.startswith("linux"):
        return None, here
    for plat in lock_platforms:
        m = _MANYLINUX.match(plat)
        if m and m.group(1) == arch and glibc >= (int(m.group(2)), int(m.group(3))):
            return plat, here
        if plat in (f"{arch}-unknown-linux-gnu", f"linux_{arch}"):
            return plat, here
    return None, here


def module_names(record: str) -> list[str]:
    """Top-level importable modules of a distribution, from its RECORD's text (sorted)."""
    out: set[str] = set()
    for line in record.splitlines():
        path = line.split(",", 1)[0].strip().strip('"')
        if not path or path.startswith(("../", "/")):
            continue
        head, sep, _rest = path.partition("/")
        if sep:  # a package folder (or .dist-info / .data, skipped below)
            if head.endswith((".dist-info", ".data")) or head == "__pycache__":
                continue
            name = head
        else:
            if not head.endswith((".py", ".so", ".pyd")):
                continue  # .pth and other files are not modules
            name = head.split(".", 1)[0]
        if _IDENT.match(name) and name not in NOT_LIBRARIES:
            out.add(name)
    return sorted(out)


def _site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python*/site-packages"))
    return found[0] if found else venv / "Lib" / "site-packages"


def _installed_records(site: Path) -> dict[str, tuple[str, str]]:
    """Canonical name → (version, RECORD text) of every distribution in ``site``."""
    from specc.lock import canonical_name

    out: dict[str, tuple[str, str]] = {}
    for info in site.glob("*.dist-info"):
        meta = info / "METADATA"
        name = version = None
        try:
            for line in meta.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("Name:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("Version:"):
                    version = line.split(":", 1)[1].strip()
                elif not line.strip():
                    break
            record = (info / "RECORD").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if name and version:
            out[canonical_name(name)] = (version, record)
    return out


def _marker_env(python: str, plat: str) -> dict[str, str]:
    arch = plat.split("-", 1)[0]
    full = python if python.count(".") >= 2 else f"{python}.0"
    return {
        "python_version": ".".join(python.split(".")[:2]),
        "python_full_version": full,
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": arch,
        "os_name": "posix",
        "platform_release": "",
        "platform_version": "",
        "implementation_version": full,
        "extra": "",
    }


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "specc" / "requires-dist"


def _version_wheels(name: str, version: str, timeout: float) -> list[tuple[str, str, bool]]:
    """``(filename, url, has PEP 658 metadata)`` of each wheel of ``name==version`` on PyPI, from
    the project's simple page (JSON, PEP 691).  Raises urllib's and JSON's errors."""
    import urllib.request

    from specc.lock import canonical_name

    req = urllib.request.Request(PYPI_SIMPLE.format(name=name), headers={"Accept": SIMPLE_JSON})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        files = json.loads(resp.read().decode("utf-8")).get("files", [])
    out = []
    for f in files:
        fn = str(f.get("filename", ""))
        parts = fn[:-4].split("-") if fn.endswith(".whl") else []
        if len(parts) >= 5 and canonical_name(parts[0]) == name and parts[1] == version:
            has_meta = bool(f.get("core-metadata") or f.get("dist-info-metadata"))
            out.append((fn, str(f["url"]).split("#", 1)[0], has_meta))
    return out


def _cache_put(path: Path, value: object) -> None:
    """Write ``value`` as JSON to ``path`` atomically; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def _requires_dist(name: str, version: str, timeout: float = 30.0) -> list[str] | None:
    """``Requires-Dist`` of ``name==version`` from PyPI (cached: a release's metadata never changes).

    Read as uv reads it: the project's simple page (JSON, PEP 691), then the core metadata
    file served next to one of the version's wheels (PEP 658); None when neither is there.
    """
    cache = _cache_dir() / f"{name}-{version}.json"
    try:
        return list(json.loads(cache.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    import urllib.error
    import urllib.request

    try:
        wheels = sorted((not meta, not _is_pure(fn), url) for fn, url, meta in _version_wheels(name, version, timeout))
        if not wheels:
            return None
        url = wheels[0][2]
        try:
            with urllib.request.urlopen(url + ".metadata", timeout=timeout) as resp:
                text = resp.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError:  # no PEP 658 file: read METADATA out of the wheel, by range requests
            text = _wheel_metadata(url, timeout)
    except (urllib.error.URLError, OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    requires = []
    for line in text.split("\n\n", 1)[0].splitlines():
        if line.lower().startswith("requires-dist:"):
            requires.append(line.split(":", 1)[1].strip())
    _cache_put(cache, requires)
    return requires


class _RangeReader(io.RawIOBase):
    """A remote file read with HTTP range requests (what zipfile needs to list a wheel and read one member)."""

    def __init__(self, url: str, timeout: float) -> None:
        import urllib.request

        self.url, self.timeout, self.pos = url, timeout, 0
        req = urllib.request.Request(url, headers={"Range": "bytes=-65536"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            self.tail = resp.read()
            total = (resp.headers.get("Content-Range") or "").rsplit("/", 1)[-1]
        self.size = int(total) if total.isdigit() else len(self.tail)
        self.tail_start = self.size - len(self.tail)

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = offset if whence == 0 else (self.pos + offset if whence == 1 else self.size + offset)
        return self.pos

    def read(self, n: int = -1) -> bytes:
        end = self.size if n is None or n < 0 else min(self.size, self.pos + n)
        data: bytes
        if self.pos >= self.tail_start:
            data = self.tail[self.pos - self.tail_start : end - self.tail_start]
        else:
            import urllib.request

            req = urllib.request.Request(self.url, headers={"Range": f"bytes={self.pos}-{end - 1}"})
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                data = bytes(resp.read())
        self.pos += len(data)
        return data


def _wheel_metadata(url: str, timeout: float) -> str:
    with zipfile.ZipFile(_RangeReader(url, timeout)) as zf:
        name = next(n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        return zf.read(name).decode("utf-8", errors="replace")


def ships_c_api(name: str, version: str, timeout: float = 10.0) -> bool | None:
    """Whether ``name==version``'s wheels ship C headers (``*.h``): a C API that compiled packages
    build against (numpy's ``numpy/_core/include``, pyarrow's ``pyarrow/include``, torch's
    ``include``), so that a dependent's wheel built for one major version may not load with
    another.  pandas and most others ship none: a compiled dependent of theirs uses their Python
    API only.  Read from one of the version's wheels on PyPI (its file list, by HTTP range
    requests; cached under ``~/.cache/specc/c-api``, as a release's files never change); None
    when that cannot be read (offline, not on PyPI, no wheel): callers take the safe side."""
    cache = _cache_dir().parent / "c-api" / f"{name}-{version}.json"
    try:
        return bool(json.loads(cache.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    import urllib.error

    try:
        # a platform-specific wheel first: the one a build links against
        wheels = sorted((_is_pure(fn), fn, url) for fn, url, _ in _version_wheels(name, version, timeout))
        if not wheels:
            return None
        with zipfile.ZipFile(_RangeReader(wheels[0][2], timeout)) as zf:
            found = any(n.endswith(".h") for n in zf.namelist())
    except (urllib.error.URLError, OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    _cache_put(cache, found)
    return found


def _is_pure(filename: str) -> bool:
    return filename.endswith("-none-any.whl")


def runtime_edges(runtime: Mapping[str, str], *, python: str, platform: str) -> tuple[dict[str, set[str]], list[str]]:
    """Each runtime package's dependencies among the runtime's packages (``{name: {dep, ...}}``,
    markers evaluated for ``python`` on ``platform``), and the names whose metadata was
    unavailable (from the index's metadata of the exact versions, cached)."""
    from packaging.markers import InvalidMarker
    from packaging.requirements import InvalidRequirement, Requirement

    from specc.lock import canonical_name

    env = _marker_env(python, platform)
    names = sorted(runtime)
    with ThreadPoolExecutor(max_workers=16) as pool:
        metas = dict(zip(names, pool.map(lambda n: _requires_dist(n, runtime[n]), names), strict=True))
    deps: dict[str, set[str]] = {}
    unknown = []
    for n, reqs in metas.items():
        if reqs is None:
            unknown.append(n)
            continue
        out: set[str] = set()
        for text in reqs:
            try:
                req = Requirement(text)
                if req.marker is not None and not req.marker.evaluate(env):
                    continue
            except (InvalidRequirement, InvalidMarker):
                continue
            dep = canonical_name(req.name)
            if dep in runtime and dep != n:
                out.add(dep)
        deps[n] = out
    return deps, sorted(unknown)


def runtime_dependents(
    runtime: Mapping[str, str], moved: Iterable[str], *, python: str, platform: str
) -> tuple[dict[str, str], list[str]]:
    """The runtime packages to install under the lock, and the names whose metadata was unavailable.

    Those are the preinstalled packages that depend directly on a ``moved`` package (the ones
    a cluster would import with the lock's versions), plus everything they need from the
    runtime (closure over the runtime's own packages), as ``{name: runtime version}``.
    """
    deps, unknown = runtime_edges(runtime, python=python, platform=platform)
    moved_set = set(moved)
    chosen = {n for n, d in deps.items() if d & moved_set and n not in moved_set}
    todo = list(chosen)
    while todo:
        n = todo.pop()
        for d in deps.get(n, ()):
            if d not in chosen and d not in moved_set:
                chosen.add(d)
                todo.append(d)
    return {n: runtime[n] for n in sorted(chosen)}, sorted(unknown)


def _run(cmd: Sequence[str], env: Mapping[str, str] | None = None, timeout: float | None = None) -> tuple[int, str]:
    try:
        proc = subprocess.run(list(cmd), capture_output=True, text=True, env=env, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, f"timed out after {timeout:.0f} s"
    return proc.returncode, (proc.stderr or proc.stdout or "").strip()


def _import_error(stderr: str) -> str:
    """The line of a failed import that says why (the exception, and numpy's ABI notice when present)."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    if not lines:
        return "the interpreter exited without a message"
    last = lines[-1]
    if any("compiled using NumPy 1.x cannot be run" in ln for ln in lines):
        return f"{last} (numpy: a module compiled using NumPy 1.x cannot be run in NumPy 2.x)"
    return last


def _import_all(python: Path, modules: Sequence[tuple[str, str]], jobs: int) -> dict[tuple[str, str], str | None]:
    """Import each ``(distribution, module)`` in its own process; the error text, or None when it imports."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env["PYTHONNOUSERSITE"] = "1"
    env.setdefault("MPLBACKEND", "Agg")  # no display here

    def one(item: tuple[str, str]) -> str | None:
        code, out = _run([str(python), "-I", "-c", f"import {item[1]}"], env=env, timeout=300)
        return None if code == 0 else _import_error(out)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return dict(zip(modules, pool.map(one, modules), strict=True))


def verify_lock(
    spec: Any,
    lock: LockFile,
    *,
    lock_file: str | None = None,
    environ: Mapping[str, str] | None = None,
    overlay: bool = True,
    jobs: int | None = None,
) -> VerifyResult:
    """Install ``lock`` (for this machine's platform) in a throwaway venv and import everything.

    ``spec`` is the EnvSpec the lock was made from (indexes, credentials, the runtime);
    ``lock_file`` is how diagnostics name the lock.  Never raises for what it finds: every
    problem is a diagnostic of the result.
    """
    from specc.lock import LockFailed, find_uv, runtime_packages, uv_env

    t0 = time.perf_counter()
    res = VerifyResult()
    environ = os.environ if environ is None else environ
    plat, here = machine_platform(lock.python.platforms)
    if plat is None:
        res.diagnostics.append(
            _diag(
                "SPC632",
                "error",
                f"this machine ({here}) cannot verify the lock: it has no resolution for this machine's platform "
                f"(it has {', '.join(lock.python.platforms) or 'none'})",
                "run `specc lock --verify` on a machine of a locked platform (a linux CI runner), or add this "
                "machine's platform with `specc lock --platform ...`",
                lock_file,
            )
        )
        return res
    res.platform = plat
    try:
        uv = find_uv()
        env, _secrets = uv_env(spec, environ)
    except LockFailed as exc:
        res.diagnostics.extend(exc.diagnostics)
        return res
    env = {**env, "UV_PYTHON_DOWNLOADS": "never"}
    with tempfile.TemporaryDirectory(prefix="specc-verify-") as tmp:
        venv = Path(tmp) / "venv"
        code, out = _run([uv, "venv", "--quiet", "--python", lock.python.python_version, str(venv)], env=env)
        if code != 0:
            res.diagnostics.append(
                _diag(
                    "SPC632",
                    "error",
                    f"this machine cannot verify the lock: no Python {lock.python.python_version} here ({out})",
                    f"install Python {lock.python.python_version} (e.g. `uv python install "
                    f"{lock.python.python_version}`) and run `specc lock --verify` again",
                    lock_file,
                )
            )
            return res
        python = venv / "bin" / "python"
        res.python = lock.python.python_version

        # 1. the runtime's packages a cluster keeps under the lock (Databricks only)
        runtime = runtime_packages(spec)
        locked = {p.name: p for p in lock.python_packages(plat)}
        under: dict[str, str] = {}
        moved: list[str] = []
        if overlay and runtime:
            # what the cluster installs moves them: the lock without its implied-only packages (the
            # Databricks target leaves those out: the model's mlflow pin, a serving image's server)
            moved = [
                n
                for n, p in locked.items()
                if n in runtime and p.version and p.version != runtime[n] and not p.implied_only
            ]
            if moved:
                under, unknown = runtime_dependents(runtime, moved, python=lock.python.python_version, platform=plat)
                under = {n: v for n, v in under.items() if n not in locked}
                local = sorted(n for n, v in under.items() if "+" in v)
                if local or unknown:
                    skipped = [f"{n} {under.get(n) or runtime[n]}" for n in sorted(set(local) | set(unknown))]
                    res.diagnostics.append(
                        _diag(
                            "SPC634",
                            "warning",
                            "the overlay leaves out runtime packages not on PyPI or without metadata there: "
                            + ", ".join(skipped),
                            "they are not imported with the lock here; a cluster still has them",
                            lock_file,
                        )
                    )
                    under = {n: v for n, v in under.items() if n not in local}
                if under:
                    req = Path(tmp) / "runtime.txt"
                    req.write_text("".join(f"{n}=={v}\n" for n, v in under.items()), encoding="utf-8")
                    code, out = _run(
                        [uv, "pip", "install", "--quiet", "--python", str(python), "--no-deps", "-r", str(req)],
                        env={**env, "UV_INDEX_URL": RUNTIME_INDEX, "UV_EXTRA_INDEX_URL": ""},
                    )
                    if code != 0:
                        res.diagnostics.append(
                            _diag(
                                "SPC634",
                                "warning",
                                f"the runtime's packages could not be installed under the lock ({out}); only the "
                                "lock is verified",
                                None,
                                lock_file,
                            )
                        )
                        under = {}
        res.overlay = [f"{n}=={v}" for n, v in under.items()]

        # 2. the lock, exactly: its files by hash, no resolution
        lines = pip_lines(lock, platform=plat, hashes=True)
        base = Path(spec.base_dir or ".")
        for p in locked.values():
            if p.path:
                lines.append(f"{(base / p.path).resolve()} " + " ".join(f"--hash={h}" for h in p.hashes))
        req = Path(tmp) / "lock.txt"
        req.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        code, out = _run(
            [uv, "pip", "install", "--quiet", "--python", str(python), "--no-deps", "--require-hashes", "-r", str(req)],
            env=env,
        )
        if code != 0:
            res.diagnostics.append(
                _diag(
                    "SPC631",
                    "error",
                    f"the locked set does not install on {plat} with Python {lock.python.python_version}: {out}",
                    "re-create the lock with `specc lock` (a file may have been removed from the index)",
                    lock_file,
                )
            )
            return res
        res.distributions = len(locked)

        # 3. import every top-level module of both sides, each in its own process
        site = _site_packages(venv)
        records = _installed_records(site)
        todo: list[tuple[str, str]] = []
        for name in sorted(set(locked) | set(under)):
            rec = records.get(name)
            if rec is not None:
                todo += [(name, m) for m in module_names(rec[1])]
        errors = _import_all(python, todo, jobs or (os.cpu_count() or 2))
        # a preinstalled package that fails over the lock may fail on the runtime's own versions
        # too (tensorflow-io-gcs-filesystem next to the runtime's tensorflow): not the lock's doing
        suspects = [(d, m) for (d, m), e in errors.items() if e is not None and d in under and d not in locked]
        already = _baseline_failures(uv, env, lock, plat, tmp, suspects, runtime, [*under, *moved])
        for (dist, module), error in errors.items():
            if error is None:
                res.modules.append((dist, module))
                continue
            version = records[dist][0]
            provided = _runtime_provides(error, spec, runtime, locked)
            if provided:
                res.diagnostics.append(
                    _diag(
                        "SPC634",
                        "warning",
                        f"{dist} {version}: `import {module}` needs {provided}, which "
                        f"{spec.runtime.databricks} provides; it is not installed here, so this import is not verified",
                        None,
                        lock_file,
                    )
                )
            elif already.get((dist, module)) == error:  # the same failure without the lock
                res.diagnostics.append(
                    _diag(
                        "SPC635",
                        "warning",
                        f"{dist} {version} (preinstalled on {spec.runtime.databricks}): `import {module}` fails the "
                        f"same way on the runtime's own versions, without the lock: {error}",
                        "not caused by the lock (a cluster has it either way), so not counted against it",
                        lock_file,
                    )
                )
            elif dist in locked:
                res.diagnostics.append(
                    _diag(
                        "SPC630",
                        "error",
                        f"{dist} {version} (locked): `import {module}` fails: {error}",
                        _import_hint(dist, lock, runtime),
                        lock_file,
                    )
                )
            else:
                res.diagnostics.append(
                    _diag(
                        "SPC633",
                        "error",
                        f"{dist} {version} (preinstalled on {spec.runtime.databricks}): `import {module}` fails "
                        f"over the locked set: {error}",
                        "a cluster would break the same way; keep the packages it depends on at the runtime's "
                        "major version (pin them in python.requirements) or install on a newer runtime",
                        lock_file,
                    )
                )
    res.seconds = time.perf_counter() - t0
    return res


def _baseline_failures(
    uv: str,
    env: Mapping[str, str],
    lock: LockFile,
    plat: str,
    tmp: str,
    suspects: Sequence[tuple[str, str]],
    runtime: Mapping[str, str],
    overlaid: Iterable[str] = (),
) -> dict[tuple[str, str], str]:
    """The ``(distribution, module)`` imports that failed over the lock and fail without it too,
    with their error there: imported in a second environment holding only the runtime's own
    versions of the overlay's packages (``overlaid``: the runtime packages installed under the
    lock and those the lock moves; a package may import one it does not declare, as
    tensorflow-io-gcs-filesystem imports tensorflow), of each suspect, and of everything they
    need from the runtime (the index's metadata): what a cluster has without the lock.  Empty
    when there is nothing to check or that environment cannot be set up (every failure stays
    the lock's)."""
    if not suspects:
        return {}
    edges, _ = runtime_edges(runtime, python=lock.python.python_version, platform=plat)
    chosen: set[str] = set()
    todo = [d for d, _ in suspects] + list(overlaid)
    while todo:
        n = todo.pop()
        if n in chosen or n not in runtime or "+" in runtime[n]:  # a local build is on no index
            continue
        chosen.add(n)
        todo += sorted(edges.get(n, ()))
    venv = Path(tmp) / "baseline"
    code, _ = _run([uv, "venv", "--quiet", "--python", lock.python.python_version, str(venv)], env=env)
    if code != 0 or not chosen:
        return {}
    python = venv / "bin" / "python"
    req = Path(tmp) / "baseline.txt"
    req.write_text("".join(f"{n}=={runtime[n]}\n" for n in sorted(chosen)), encoding="utf-8")
    pypi = {**env, "UV_INDEX_URL": RUNTIME_INDEX, "UV_EXTRA_INDEX_URL": ""}
    code, _ = _run([uv, "pip", "install", "--quiet", "--python", str(python), "--no-deps", "-r", str(req)], env=pypi)
    if code != 0:
        return {}
    again = _import_all(python, list(suspects), os.cpu_count() or 2)
    return {item: error for item, error in again.items() if error is not None}


# The missing module, however the import reports it: ``ModuleNotFoundError: No module named 'x'``,
# or the same words re-raised by the package (evaluate's last line is ``No module named 'torch'``)
_NO_MODULE = re.compile(r"\bNo module named '([^']+)'")


def _runtime_provides(error: str, spec: Any, runtime: Mapping[str, str], locked: Mapping[str, Any]) -> str | None:
    """The runtime package a failed import is missing, when the runtime provides it and the lock does not.

    A Databricks runtime provides its preinstalled packages and, outside pip, PySpark itself
    (``pyspark`` is in no manifest): a locked package that imports them works on the cluster.
    """
    if not spec.runtime.databricks:
        return None
    m = _NO_MODULE.search(error)
    if m is None:
        return None
    from specc.lock import canonical_name
    from specc.runtimes import get_runtime

    top = m.group(1).split(".", 1)[0]
    name = canonical_name(top)
    if name in locked:
        return None
    if name in runtime:
        return f"{name} {runtime[name]}"
    info = get_runtime(spec.runtime.databricks)
    if name == "pyspark" and info is not None and info.spark:
        return f"pyspark (Spark {info.spark})"
    return None


def _import_hint(dist: str, lock: LockFile, runtime: Mapping[str, str]) -> str:
    moved = [p for p in lock.python.packages if p.preinstalled]
    if moved:
        names = ", ".join(f"{p.name} {p.preinstalled} → {p.version}" for p in moved[:4])
        return (
            f"the lock moves packages off the runtime's versions ({names}); re-lock, or pin {dist} to a release "
            "built for the locked versions"
        )
    return f"pin another {dist} in python.requirements and re-lock, or report it to {dist}'s maintainers"
