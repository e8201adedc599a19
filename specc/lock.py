"""Resolving a spec into a :class:`~specc.lockfile.LockFile` with ``uv pip compile``.

* The spec's Python version and each target platform (``x86_64-manylinux_2_28``
  by default) are passed to uv, with ``--generate-hashes``; one resolution per
  platform, merged (same version on every platform: one entry, union of hashes).
* Index URLs keep their ``${NAME}`` placeholders in the lock.  uv gets the
  expanded URLs through its environment (``UV_INDEX_URL``,
  ``UV_EXTRA_INDEX_URL``), never on its command line, and the values are
  scrubbed from anything uv prints.
* Preferences, not constraints: uv reads its "existing output file" (``-o``)
  as preferred versions.  We seed it with the Databricks runtime's preinstalled
  versions, overridden by the previous lock's pins (so re-locking keeps pins;
  ``--upgrade`` drops the previous pins, ``--upgrade-package`` drops one and
  tells uv to ignore any preference for it).  A spec that needs a newer
  version than the runtime's still resolves; each difference is reported.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specc.lockfile import LockedPython, LockedPythonPackage, LockFile, new_lock
from specc.spec import WheelRef

DEFAULT_PLATFORM = "x86_64-manylinux_2_28"
PLATFORM_ALIASES = {
    "linux-64": "x86_64-manylinux_2_28",
    "linux-x86_64": "x86_64-manylinux_2_28",
    "linux/amd64": "x86_64-manylinux_2_28",
    "linux-aarch64": "aarch64-manylinux_2_28",
    "linux-arm64": "aarch64-manylinux_2_28",
    "linux/arm64": "aarch64-manylinux_2_28",
}
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class LockFailed(Exception):
    """Resolution failed; the message is meant for the user."""


@dataclass
class LockResult:
    lock: LockFile
    warnings: list[str] = field(default_factory=list)


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def normalize_platform(value: str) -> str:
    return PLATFORM_ALIASES.get(value.strip().lower(), value.strip())


def find_uv() -> str:
    """The uv binary: next to this Python (the venv's ``bin``), else on PATH."""
    here = Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    if here.is_file():
        return str(here)
    found = shutil.which("uv")
    if found:
        return found
    try:  # the ``uv`` package from PyPI
        from uv import find_uv_bin  # type: ignore[import-not-found]

        return str(find_uv_bin())
    except Exception:
        pass
    raise LockFailed("uv is not installed; install it with `pip install 'specc-env[lock]'` (or `pip install uv`)")


def uv_version(uv: str) -> str:
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


def _uv_env(spec: Any, environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """uv's environment: indexes with credentials expanded; also the secret values to scrub."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_") or k in ("UV_CACHE_DIR", "UV_NO_CACHE")}
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
        names = ", ".join(sorted(set(missing)))
        raise LockFailed(
            f"the package indexes need {names} but the environment does not set it; "
            f"export {sorted(set(missing))[0]}=... (credentials are read from the environment only, "
            "never written to the lock)"
        )
    return env, secrets


def _scrub(text: str, secrets: Sequence[str]) -> str:
    # only the credentials' own characters: a short user name ("aws") is masked in a URL's
    # userinfo, not in every word or host name that contains it
    from specc.diagnostics import scrub

    return scrub(text, secrets)


def _parse_uv_output(text: str) -> list[tuple[str, list[str]]]:
    """``(requirement, hashes)`` per entry of uv's requirements.txt output."""
    entries: list[tuple[str, list[str]]] = []
    cur = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if cur.strip():
                entries.append(_split_hashes(cur))
            cur = ""
        elif line.endswith("\\"):
            cur += " " + line[:-1]
        else:
            entries.append(_split_hashes(cur + " " + line))
            cur = ""
    if cur.strip():
        entries.append(_split_hashes(cur))
    return entries


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


def resolve_python(
    spec: Any,
    *,
    platforms: Sequence[str] = (DEFAULT_PLATFORM,),
    previous: LockFile | None = None,
    upgrade: bool = False,
    upgrade_packages: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    uv: str | None = None,
) -> tuple[LockedPython, list[str]]:
    """Resolve the spec's Python dependencies; return the section and warnings."""
    environ = os.environ if environ is None else environ
    uv = uv or find_uv()
    base = Path(spec.base_dir or ".")
    py = spec.python
    platforms = list(dict.fromkeys(normalize_platform(p) for p in platforms)) or [DEFAULT_PLATFORM]
    env, secrets = _uv_env(spec, environ)
    upgrade_set = {canonical_name(n) for n in upgrade_packages}

    # Preferences: the runtime's versions, then the previous lock's pins over them.
    preferred: dict[str, str] = dict(runtime_packages(spec))
    if previous is not None and not upgrade:
        for p in previous.python.packages:
            if p.version and not p.url and not p.path:
                preferred[p.name] = p.version
    for name in upgrade_set:
        preferred.pop(name, None)
    preferred = {n: v for n, v in preferred.items() if _valid_pin(n, v)}

    wheel_by_abs = {str((base / w.path).resolve()): w for w in py.wheels}
    spec_urls = {q.name: q.url for q in py.requirements if q.url}
    resolved: dict[str, dict[tuple[str, str | None, str | None, str | None], list[str]]] = {}
    # per platform: key (name, version, url, path) -> hashes
    with tempfile.TemporaryDirectory(prefix="specc-lock-") as tmp:
        tmpdir = Path(tmp)
        req_in = tmpdir / "requirements.in"
        lines = [q.line for q in py.requirements] + list(wheel_by_abs)
        if not lines:
            return _python_section(spec, platforms, uv, []), []
        req_in.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cons = tmpdir / "constraints.txt"
        cons.write_text("".join(q.line + "\n" for q in py.constraints), encoding="utf-8")
        for plat in platforms:
            out = tmpdir / f"out-{plat}.txt"
            out.write_text("".join(f"{n}=={v}\n" for n, v in sorted(preferred.items())), encoding="utf-8")
            cmd = [
                uv,
                "pip",
                "compile",
                str(req_in),
                "--python-version",
                spec.runtime.python,
                "--python-platform",
                plat,
                "--generate-hashes",
                "--no-header",
                "--no-annotate",
                "--quiet",
                "--output-file",
                str(out),
            ]
            if py.constraints:
                cmd += ["--constraint", str(cons)]
            for name in sorted(upgrade_set):
                cmd += ["--upgrade-package", name]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(base), check=False)
            if proc.returncode != 0:
                msg = _scrub((proc.stderr or proc.stdout).strip(), secrets)
                raise LockFailed(f"uv pip compile failed for Python {spec.runtime.python} on {plat}:\n{msg}")
            for req, hashes in _parse_uv_output(out.read_text(encoding="utf-8")):
                key = _entry_key(req, wheel_by_abs, base, spec_urls)
                resolved.setdefault(plat, {})[key] = hashes

    packages = _merge(resolved, platforms, wheel_by_abs, base)
    rt = runtime_packages(spec)
    warnings = []
    final = []
    for p in packages:
        pre = rt.get(p.name)
        if pre is not None and p.version is not None and not _same_version(pre, p.version):
            p = p.model_copy(update={"preinstalled": pre})
            warnings.append(
                f"{p.name} is locked at {p.version}, but {spec.runtime.databricks} preinstalls {pre}; "
                f"the cluster's copy will be replaced by {p.version}"
            )
        final.append(p)
    section = _python_section(spec, platforms, uv, final)
    dumped = section.model_dump_json()
    for value in secrets:
        if len(value) >= 4 and value in dumped:  # defence in depth: a credential must never reach the lock
            raise LockFailed("refusing to write the lock: a credential from the environment appears in uv's output")
    return section, warnings


def _valid_pin(name: str, version: str) -> bool:
    """Whether ``name==version`` is a line uv accepts (runtime manifests hold a few odd versions)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version

    try:
        Requirement(f"{name}=={version}")
        Version(version)
    except (InvalidRequirement, InvalidVersion):
        return False
    return True


def _same_version(a: str, b: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        va, vb = Version(a), Version(b)
    except InvalidVersion:
        return a == b
    # torch 2.3.1+cu121 preinstalled counts as 2.3.1
    return va == vb or va.public == vb.public


def _entry_key(
    req: str, wheel_by_abs: Mapping[str, WheelRef], base: Path, spec_urls: Mapping[str, str]
) -> tuple[str, str | None, str | None, str | None]:
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
    raise LockFailed(f"unexpected line in uv's output: {req!r}")


def _merge(
    resolved: Mapping[str, Mapping[tuple[str, str | None, str | None, str | None], list[str]]],
    platforms: Sequence[str],
    wheel_by_abs: Mapping[str, WheelRef],
    base: Path,
) -> list[LockedPythonPackage]:
    keys: dict[tuple[str, str | None, str | None, str | None], list[str]] = {}
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


def _python_section(spec: Any, platforms: Sequence[str], uv: str, packages: list[LockedPythonPackage]) -> LockedPython:
    return LockedPython(
        python_version=spec.runtime.python,
        platforms=list(platforms),
        resolver=uv_version(uv),
        index_url=spec.python.index_url,
        extra_index_urls=list(spec.python.extra_index_urls),
        packages=packages,
    )


def lock_spec(
    spec: Any,
    *,
    platforms: Sequence[str] = (DEFAULT_PLATFORM,),
    previous: LockFile | None = None,
    upgrade: bool = False,
    upgrade_packages: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> LockResult:
    """Resolve ``spec`` (an EnvSpec) into a lock; warnings name runtime deviations."""
    python, warnings = resolve_python(
        spec,
        platforms=platforms,
        previous=previous,
        upgrade=upgrade,
        upgrade_packages=upgrade_packages,
        environ=environ,
    )
    return LockResult(lock=new_lock(spec, python), warnings=warnings)
