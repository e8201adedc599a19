"""``specc lock --format pylock``: the lock exported as ``pylock.toml`` (PEP 751).

``model-env.lock`` records each distribution's name, version and accepted sha256 hashes, but
not the files' URLs, which an installer reading ``pylock.toml`` needs (pip and uv install the
``url``/``path`` of a wheel or sdist and check its hashes).  The export therefore asks
``uv pip compile --format pylock.toml --no-deps`` for the locked pins (exactly those, for the
lock's Python and one platform; uv reads its cache first, ``UV_OFFLINE=1`` keeps it off the
network) and keeps only what the lock allows:

* every package's version must be the lock's, else SPC761;
* of each package's files, only those whose sha256 the lock accepts are kept; a package left
  with no file is SPC761 (the index no longer serves what was locked);
* the spec's own wheels are written as ``path`` entries (relative to the exported file) with
  the sha256 the spec records;
* URLs lose their user information, and no credential value from the environment may appear in
  the result (SPC603, as for ``specc lock``);
* packages only ``python.implied-requirements`` need (the model's mlflow pin, an image's server) are
  left out, with a warning naming them (SPC763): the file holds the spec's own packages.

The result is checked with ``packaging.pylock`` (the reference reader pip vendors) before it
is written atomically.  Installing: ``pip install -r pylock.toml`` (pip >= 25.1, experimental
there) or ``uv pip sync pylock.toml`` / ``uv pip install -r pylock.toml``.

This module is imported by ``specc lock``'s parser: it imports only the standard library at
module level.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from specc.diagnostics import Diagnostic
    from specc.lockfile import LockFile
    from specc.spec import EnvSpec

__all__ = ["PylockError", "add_arguments", "dump_pylock", "export_command", "export_pylock", "is_pylock_name"]

EXPORT_FAILED = "SPC760"
MISMATCH = "SPC761"
BAD_NAME = "SPC762"
LEFT_OUT = "SPC763"

#: PEP 751: ``pylock.toml`` or ``pylock.<name>.toml`` (name without dots).
_NAME = re.compile(r"^pylock\.([^.]+\.)?toml$")

#: ``environments`` marker of each uv platform family (PEP 751 ``environments``).
_ENVIRONMENTS = {
    "x86_64-manylinux": "sys_platform == 'linux' and platform_machine == 'x86_64'",
    "aarch64-manylinux": "sys_platform == 'linux' and platform_machine == 'aarch64'",
}


class PylockError(Exception):
    """The export failed; ``diagnostics`` say why (SPC603, SPC760, SPC761)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


def is_pylock_name(name: str) -> bool:
    """Whether a file name is one PEP 751 allows (``pylock.toml``, ``pylock.dev.toml``)."""
    return bool(_NAME.match(name))


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``specc lock``'s ``--format pylock`` choice and ``--pylock-file``."""
    for action in p._actions:
        if "--format" in action.option_strings:
            action.choices = (*(action.choices or ()), "pylock")
            action.help = "diagnostics as text (default) or JSON; pylock: export the lock as pylock.toml (PEP 751)"
    # the examples of `specc lock --help` teach the export too (added here: the epilog is lock's)
    examples = (
        "  specc lock --format pylock              export the lock as ./pylock.toml (PEP 751): "
        "uv pip sync pylock.toml\n"
        "  specc lock --format pylock --platform linux-aarch64 --pylock-file pylock.arm.toml\n"
        "                                          aarch64's, once locked (specc lock --platform linux-aarch64)\n"
    )
    if p.epilog and "--format pylock" not in p.epilog and "\n\n" in p.epilog:
        head, _, tail = p.epilog.partition("\n\n")  # the examples block, then the prose
        p.epilog = f"{head}\n{examples.rstrip()}\n\n{tail}"
    p.add_argument(
        "--pylock-file",
        type=Path,
        metavar="FILE",
        help="where --format pylock writes (default: pylock.toml next to the spec; pylock.<name>.toml allowed)",
    )


def _error(code: str, message: str, hint: str | None = None, severity: str = "error") -> Diagnostic:
    from specc.diagnostics import Diagnostic

    return Diagnostic.create(code, severity=severity, message=message, hint=hint)  # type: ignore[arg-type]


def _public(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, parts.fragment))


def _index_urls(spec: EnvSpec) -> list[str]:
    """The spec's index URLs (``index-url`` first), as written (with their ``${NAME}`` placeholders)."""
    py = spec.python
    return [u for u in [py.index_url, *py.extra_index_urls] if u]


def _environment(platform: str) -> str | None:
    for prefix, marker in _ENVIRONMENTS.items():
        if platform.startswith(prefix):
            return marker
    return None


def export_pylock(
    spec: EnvSpec,
    lock: LockFile,
    *,
    platform: str,
    out_dir: Path,
    environ: Mapping[str, str] | None = None,
    uv: str | None = None,
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The pylock data (PEP 751 keys, TOML-ready) for ``platform``, and warnings (SPC763).

    ``out_dir``: the folder the file goes to (the spec's wheels are written relative to it).
    Raises :class:`PylockError` (uv failed: SPC760; the index disagrees with the lock: SPC761;
    a credential in uv's output: SPC603) and :class:`specc.lock.LockFailed` (uv missing, an
    index placeholder the environment does not set).
    """
    from specc.lock import find_uv, uv_env

    environ = os.environ if environ is None else environ
    uv = uv or find_uv()
    env, secrets = uv_env(spec, environ)
    if environ.get("UV_OFFLINE"):  # uv_env passes no UV_* setting on; this one keeps uv on its cache
        env["UV_OFFLINE"] = environ["UV_OFFLINE"]
    warnings: list[Diagnostic] = []
    wanted = lock.python_packages(platform)
    left = sorted(p.name for p in wanted if p.implied_only)
    if left:
        warnings.append(
            _error(
                LEFT_OUT,
                f"left out of pylock.toml: {len(left)} package{'s' if len(left) != 1 else ''} only "
                f"python.implied-requirements ({', '.join(lock.python.implied_requirements) or 'none'}) need "
                f"({', '.join(left[:3])}{', ...' if len(left) > 3 else ''})",
                "the file holds the spec's own packages; the model's mlflow pin and an image's model server are "
                "installed by `specc compile --locked` and `specc render --target docker --locked`",
                "warning",
            )
        )
    by_name = {p.name: p for p in wanted if not p.implied_only and not p.path}
    packages: list[dict[str, Any]] = []
    if by_name:
        packages += _from_uv(spec, lock, by_name, platform, uv, env, secrets)
    base = Path(spec.base_dir) if spec.base_dir else Path.cwd()
    for w in spec.python.wheels:
        rel = Path(os.path.relpath(base / w.path, out_dir.resolve())).as_posix()
        packages.append(
            {"name": w.project, "version": w.version, "wheels": [{"path": rel, "hashes": {"sha256": w.sha256}}]}
        )
    packages.sort(key=lambda p: (p["name"], p.get("version", "")))
    data: dict[str, Any] = {"lock-version": "1.0"}
    marker = _environment(platform)
    if marker:
        data["environments"] = [marker]
    data["requires-python"] = f"=={lock.python.python_version}.*"
    data["created-by"] = "specc"
    data["packages"] = packages
    return data, warnings


def _from_uv(
    spec: EnvSpec,
    lock: LockFile,
    by_name: Mapping[str, Any],
    platform: str,
    uv: str,
    env: dict[str, str],
    secrets: list[str],
) -> list[dict[str, Any]]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    from specc.lock import _scrub

    lines = []
    for p in by_name.values():
        line = p.requirement() + "".join(f" --hash={h}" for h in p.hashes)
        lines.append(line)
    with tempfile.TemporaryDirectory(prefix="specc-pylock-") as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = Path(tmp) / "pylock.toml"
        cmd = [
            uv,
            "pip",
            "compile",
            str(req),
            "--format",
            "pylock.toml",
            "--no-deps",
            "--no-header",
            "--quiet",
            "--python-version",
            lock.python.python_version,
            "--python-platform",
            platform,
            "--output-file",
            str(out),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0 or not out.is_file():
            msg = _scrub((proc.stderr or proc.stdout).strip(), secrets)
            raise PylockError(
                [
                    _error(
                        EXPORT_FAILED,
                        f"uv could not list the locked files for {platform}:\n{msg}",
                        "the index (or, offline, uv's cache) must serve every locked version; "
                        "run `specc lock --check` and retry online",
                    )
                ]
            )
        text = out.read_text(encoding="utf-8")
    for value in secrets:
        if value and value in text:
            raise PylockError(
                [
                    _error(
                        "SPC603",
                        "refusing to write pylock.toml: a credential from the environment appears in uv's output",
                        "keep credentials in ${NAME} placeholders of the index URLs",
                    )
                ]
            )
    got = tomllib.loads(text).get("packages", [])
    problems: list[Diagnostic] = []
    out_packages = []
    seen = set()
    for pkg in got:
        name = pkg.get("name")
        locked = by_name.get(name)
        if locked is None:
            continue
        seen.add(name)
        if locked.version is not None and pkg.get("version") not in (None, locked.version):
            problems.append(
                _error(MISMATCH, f"{name}: uv lists version {pkg.get('version')}, the lock has {locked.version}")
            )
            continue
        allowed = {h.removeprefix("sha256:") for h in locked.hashes}
        entry = _kept(pkg, allowed)
        if entry is None:
            problems.append(
                _error(
                    MISMATCH,
                    f"{name} {locked.version}: none of the files the index serves has a hash the lock accepts",
                    "the index replaced the files; re-lock with `specc lock --upgrade-package " + name + "`",
                )
            )
            continue
        out_packages.append(entry)
    for name in sorted(set(by_name) - seen):
        problems.append(_error(MISMATCH, f"{name}: uv listed no file for it on {platform}"))
    if problems:
        raise PylockError(problems)
    return out_packages


def _kept(pkg: Mapping[str, Any], allowed: set[str]) -> dict[str, Any] | None:
    """``pkg`` (uv's entry) with only the files whose sha256 the lock accepts; None if none remains."""
    entry: dict[str, Any] = {"name": pkg["name"]}
    if "version" in pkg:
        entry["version"] = pkg["version"]
    if "index" in pkg:
        entry["index"] = _public(pkg["index"])

    def ok(f: Mapping[str, Any]) -> bool:
        return f.get("hashes", {}).get("sha256") in allowed

    def clean(f: Mapping[str, Any]) -> dict[str, Any]:
        g = dict(f)
        if "url" in g:
            g["url"] = _public(g["url"])
        return g

    files = 0
    if "sdist" in pkg and ok(pkg["sdist"]):
        entry["sdist"] = clean(pkg["sdist"])
        files += 1
    wheels = [clean(w) for w in pkg.get("wheels", []) if ok(w)]
    if wheels:
        entry["wheels"] = wheels
        files += len(wheels)
    if "archive" in pkg and ok(pkg["archive"]):
        entry["archive"] = clean(pkg["archive"])
        files += 1
    return entry if files else None


# --- TOML -----------------------------------------------------------------------------------------


def _value(v: Any) -> str:
    import datetime as dt

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dt.datetime):
        return v.isoformat().replace("+00:00", "Z")
    if isinstance(v, list):
        return "[" + ", ".join(_value(i) for i in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(i)}" for k, i in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to pylock.toml")


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def dump_pylock(data: Mapping[str, Any], header: str = "") -> str:
    """The file's text: top-level keys, then one ``[[packages]]`` table per package.

    Files are inline tables (one per line for wheels), as uv writes them; the text is read
    back with ``packaging.pylock`` by :func:`check_pylock`.
    """
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for k, v in data.items():
        if k != "packages":
            lines.append(f"{_key(k)} = {_value(v)}")
    for pkg in data.get("packages", []):
        lines += ["", "[[packages]]"]
        for k, v in pkg.items():
            if k == "wheels":
                lines.append("wheels = [")
                lines += [f"  {_value(w)}," for w in v]
                lines.append("]")
            else:
                lines.append(f"{_key(k)} = {_value(v)}")
    return "\n".join(lines) + "\n"


def check_pylock(text: str) -> None:
    """Parse ``text`` and validate it with ``packaging.pylock`` (PEP 751); ValueError when invalid."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        from packaging.pylock import Pylock
    except ImportError:  # packaging < 25.1: parse only
        tomllib.loads(text)
        return
    try:
        Pylock.from_dict(tomllib.loads(text))
    except Exception as exc:
        raise ValueError(f"not a valid pylock.toml: {exc}") from None


# --- the command ----------------------------------------------------------------------------------


#: ``specc lock`` flags that resolve or check, with what to run instead; the export only reads
#: the fresh lock, so with ``--format pylock`` each would be silently ignored.
_NOT_WITH_PYLOCK = {
    "check": ("--check", "`specc lock --check` (the export itself refuses a stale lock)"),
    "upgrade": ("--upgrade", "`specc lock --upgrade`, then `specc lock --format pylock`"),
    "upgrade_package": ("--upgrade-package", "`specc lock --upgrade-package NAME`, then the export"),
    "replace_platforms": ("--replace-platforms", "`specc lock --replace-platforms --platform P`, then the export"),
    "verify": ("--verify", "`specc lock --check --verify`"),
    "no_overlay": ("--no-overlay", "`specc lock --check --verify --no-overlay`"),
    "conda": ("--conda", "`specc lock --conda` on its own"),
    "conda_file": ("--conda-file", "`specc lock --conda --conda-file FILE` on its own"),
}


def _usage_problem(args: argparse.Namespace) -> str | None:
    """Why ``args`` do not make one export (a flag it would ignore; one file for several specs), or None."""
    given = [(flag, instead) for attr, (flag, instead) in _NOT_WITH_PYLOCK.items() if getattr(args, attr, None)]
    if given:
        instead = given[0][1]
        names = ", ".join(f for f, _ in given)
        return (
            f"{names} {'does' if len(given) == 1 else 'do'} not apply to --format pylock, which exports the "
            f"fresh lock as it is; run {instead}"
        )
    if getattr(args, "pylock_file", None) and len(set(getattr(args, "paths", []) or [])) > 1:
        return "--pylock-file names one file, but several specs were given; export them one at a time"
    if getattr(args, "platform", None) and len(args.platform) > 1:
        return "--format pylock exports one platform (its file's `environments`); give one --platform"
    return None


def export_command(spec: EnvSpec, spec_path: str, args: argparse.Namespace) -> tuple[list[Diagnostic], int]:
    """``specc lock --format pylock``: export the fresh lock next to the spec; (diagnostics, exit code)."""
    from urllib.parse import urlsplit

    from specc import __version__
    from specc.lock import LockFailed
    from specc.lockfile import LockError, load_fresh_lock, lock_path_for, normalize_platform
    from specc.output import write_file_atomic

    usage = _usage_problem(args)
    if usage is not None:  # before anything: a flag the export would silently ignore
        print(f"specc lock: {usage}", file=sys.stderr)
        return [], 2
    lock_path = lock_path_for(spec_path)
    try:
        lock = load_fresh_lock(spec, lock_path)
    except LockError as exc:
        return [exc.diagnostic(str(lock_path))], 1
    platform = normalize_platform(args.platform[0]) if args.platform else lock.python.platforms[0]
    missing = lock.require_platform(platform, target="pylock.toml", file=str(lock_path))
    if missing is not None:
        return [missing], 1
    out = Path(args.pylock_file) if args.pylock_file else Path(spec_path).parent / "pylock.toml"
    from specc.commands.sbom import file_out_problem, unwritable
    from specc.output import OutputError

    problem = file_out_problem(out, instead=f"name the file, e.g. --pylock-file {out / 'pylock.toml'}", spec=spec)
    if problem is not None:  # before asking uv anything: nothing is written
        return [problem], 1
    if not is_pylock_name(out.name):
        bad = _error(
            BAD_NAME,
            f"{out}: PEP 751 names the file pylock.toml or pylock.<name>.toml",
            "installers recognise only those names, e.g. --pylock-file pylock.model.toml",
        )
        return [dataclasses.replace(bad, file=str(out))], 2
    try:
        data, diags = export_pylock(spec, lock, platform=platform, out_dir=out.parent)
    except PylockError as exc:
        return exc.diagnostics, 1
    except LockFailed as exc:
        return list(exc.diagnostics), 1
    diags = [d if d.file else dataclasses.replace(d, file=str(lock_path)) for d in diags]
    header = (
        f"pylock.toml: exported by specc {__version__} from {lock_path.name} ({platform}); do not edit by hand.\n"
        "Re-export with `specc lock --format pylock`.  Install: `pip install -r pylock.toml` or\n"
        "`uv pip sync pylock.toml`."
    )
    private = sorted(
        {u.netloc.rpartition("@")[2] for u in map(urlsplit, _index_urls(spec)) if "@" in u.netloc and u.netloc}
    )
    if private:  # the URLs below carry no credentials: the installer needs them from elsewhere
        header += (
            f"\nFiles of {', '.join(private)} need its credentials: put them in ~/.netrc (or $NETRC),\n"
            "which uv and pip read; this file never holds them."
        )
    text = dump_pylock(data, header)
    check_pylock(text)
    try:
        write_file_atomic(out, text)
    except OutputError as exc:
        return [*diags, unwritable(out, exc.message, exc.hint)], 1
    n = len(data["packages"])
    print(f"wrote {out} ({n} package{'s' if n != 1 else ''} for {platform}, PEP 751)", file=sys.stderr)
    return diags, 0
