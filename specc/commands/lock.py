"""``specc lock``: write (or check) ``model-env.lock`` next to the spec."""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from specc.diagnostics import Diagnostic

# Parsing `specc lock` imports no model (no pydantic, no specc.spec): the index pages a re-lock
# reads are refreshed before they are imported (specc/lockahead.py); specc.commands._common is
# light for that.
from specc.commands._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, add_format_argument, add_strict_argument

if TYPE_CHECKING:
    from specc.lockahead import Refreshing
    from specc.lockfile import LockFile
    from specc.spec import EnvSpec

HELP = "resolve the spec's dependencies into model-env.lock (hashed pins, runtime-aware) or check it is fresh"
EPILOG = """\
examples:
  specc lock                              resolve ./model-env.toml into ./model-env.lock
  specc lock --check                      exit 1 when the lock is missing or stale (pre-commit, CI)
  specc lock --upgrade-package numpy      re-resolve numpy only; every other pin is kept
  specc lock --upgrade                    re-resolve everything (a runtime's versions stay preferred)
  specc lock --platform linux-aarch64     add aarch64 to the lock's platforms (x86_64 stays)
  specc lock --replace-platforms --platform linux-aarch64   aarch64 only
  specc lock --replace-platforms          only the platforms the spec's targets need
  specc lock --check --verify             CI: fresh, and the locked set installs and imports here
  specc lock --format json                diagnostics as JSON on stdout (the schema of validate's)
  specc lock --conda                      write model-env.conda.yml for conda-lock (and run it if possible)

Python is resolved by `uv pip compile` for runtime.python and every platform the
spec's targets install on (x86_64-manylinux_2_28 for compile; aarch64-manylinux_2_28
too for a Graviton cluster node type or a linux/arm64 image), with sha256 hashes.
Re-locking keeps the lock's platforms and adds any a target now needs (SPC607);
`--check` reports a lock that lacks one.
Index credentials come from the environment (${NAME} placeholders); the lock keeps
the placeholders.  With runtime.databricks, the runtime's preinstalled versions are
preferred, and every locked version that differs from them is reported.  Re-locking
keeps existing pins unless --upgrade/--upgrade-package says otherwise.  Editing model
code or artifacts never makes the lock stale.  A platform-specific package kept at the
runtime's version is never locked next to a dependency moved across a major version
(numpy 1.x -> 2.x): specc keeps the dependency in the runtime's major version, or
re-resolves the package (docs/lock.md).  Every message has an SPC6xx code.

exit codes: 0 ok, 1 invalid spec, stale/missing lock (--check), resolution or
verification failure, 2 usage error, 3 internal error.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "lock",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "paths",
        nargs="*",
        default=["model-env.toml"],
        metavar="PATH",
        help="spec files, folders holding model-env.toml, or model-env.lock files (default: ./model-env.toml)",
    )
    p.add_argument("--check", action="store_true", help="do not resolve; exit 1 naming the stale part, if any")
    p.add_argument("--upgrade", "-U", action="store_true", help="ignore the existing pins (minimal updates otherwise)")
    p.add_argument(
        "--upgrade-package",
        "-P",
        action="append",
        default=[],
        metavar="NAME",
        help="re-resolve this package only (repeatable)",
    )
    p.add_argument(
        "--platform",
        action="append",
        default=[],
        metavar="PLATFORM",
        help="uv --python-platform to lock for, or linux-64/linux-aarch64 (repeatable); added to the platforms "
        "the lock already has (without a lock: exactly these; default: every platform the spec's targets need)",
    )
    p.add_argument(
        "--replace-platforms",
        action="store_true",
        help="lock only the --platform values given (none: the platforms the spec's targets need), dropping "
        "the platforms the existing lock has",
    )
    p.add_argument(
        "--offline",
        action="store_true",
        help="resolve from uv's cache only, asking no index (no network; also when UV_OFFLINE is set): the lock "
        "is then as current as the cache, and a package never fetched here fails",
    )
    p.add_argument(
        "--verify",
        action="store_true",
        help="before writing the new lock (or with --check: the existing lock), install the locked set for this "
        "machine's platform in a throwaway environment and import every distribution's modules (on a Databricks "
        "runtime, over the runtime's own packages); a new lock that fails is not written",
    )
    p.add_argument(
        "--no-overlay",
        action="store_true",
        help="with --verify on a Databricks runtime: verify the locked set alone, without the runtime's packages "
        "that depend on what it moves (faster; proves less)",
    )
    p.add_argument(
        "--conda",
        action="store_true",
        help="write a conda-lock environment file (model-env.conda.yml) and run conda-lock when possible",
    )
    p.add_argument(
        "--conda-file", type=Path, help="where --conda writes (default: model-env.conda.yml next to the spec)"
    )
    add_strict_argument(p)
    add_format_argument(p)
    from specc.pylock import add_arguments  # --format pylock, --pylock-file (stdlib-only module)

    add_arguments(p)
    return p


def _resolve(path: str) -> str:
    p = Path(path)
    if p.is_dir() and (p / "model-env.toml").exists():  # else the folder itself: SPC002 says what it holds
        return str(p / "model-env.toml")
    if p.name.endswith(".lock"):  # pre-commit passes changed lock files too
        return str(p.with_name("model-env.toml"))
    return path


#: flags that change what a resolution does, so meaningless with --check (which resolves nothing)
_NOT_WITH_CHECK = {
    "offline": "--offline",
    "upgrade": "--upgrade",
    "upgrade_package": "--upgrade-package",
    "platform": "--platform",
    "replace_platforms": "--replace-platforms",
    "conda": "--conda",
    "conda_file": "--conda-file",
}
#: a package name (PEP 508 / the core metadata ``Name`` field), as --upgrade-package takes it
_NAME = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")
#: what uv's --python-platform takes (an ``arch-vendor-os`` triple, ``arch-manylinux_2_NN``...)
#: or its shorthands, after specc's own aliases (linux-64, linux/arm64...)
_PLATFORM = re.compile(r"^(?:linux|windows|macos|(?:x86_64|aarch64|i686|riscv64|arm64|wasm32)-[a-z0-9_.-]+)$")


def offline_asked(args: argparse.Namespace) -> bool:
    """``--offline``, or uv's own ``UV_OFFLINE`` set to a value uv takes as true (:func:`env_flag`)."""
    from specc.lockahead import env_flag

    return bool(getattr(args, "offline", False)) or env_flag("UV_OFFLINE")


def usage_problem(args: argparse.Namespace) -> str | None:
    """Why ``args`` cannot be one ``specc lock`` run as given (a flag --check would ignore, a
    value that is no package name or platform), or None.  Checked before anything resolves:
    such values used to reach uv and come back as "the requirements cannot be satisfied"."""
    if getattr(args, "format", "text") == "pylock":
        return None  # the export has its own rules (specc.pylock)
    if args.check:
        ignored = [flag for attr, flag in _NOT_WITH_CHECK.items() if getattr(args, attr, None)]
        if ignored:
            return (
                f"{', '.join(ignored)} {'does' if len(ignored) == 1 else 'do'} nothing with --check, which "
                "resolves nothing; drop --check to re-lock"
            )
    if args.no_overlay and not args.verify:
        return "--no-overlay changes what --verify installs; use it with --verify"
    for name in args.upgrade_package:
        if not _NAME.match(name):
            return f"--upgrade-package takes a package name, not {name!r} (e.g. --upgrade-package numpy)"
    from specc.lockfile import lockable_platform, normalize_platform

    for value in args.platform:
        plat = normalize_platform(value)
        if not lockable_platform(plat) or not _PLATFORM.match(plat):
            return (
                f"--platform {value!r} is not a platform uv can lock for: use linux-64, linux-aarch64 (or "
                "linux/amd64, linux/arm64), or one of uv's --python-platform values such as x86_64-manylinux_2_28"
            )
    return None


def run(args: argparse.Namespace) -> int:
    problem = usage_problem(args)
    if problem is not None:
        print(f"specc lock: {problem}", file=sys.stderr)
        return EXIT_USAGE
    specs = list(dict.fromkeys(_resolve(p) for p in args.paths))
    collected: list[Diagnostic] = []  # --format json: one report for every spec, on stdout
    code = max(_run_one(spec_path, args, collected) for spec_path in specs)
    if getattr(args, "format", "text") == "json":
        from specc.commands._common import report

        report(collected, {}, "json", stream=sys.stdout)
    return code


def _run_one(spec_path: str, args: argparse.Namespace, collected: list[Diagnostic]) -> int:
    from specc.lockahead import start_refresh

    # a re-lock's index pages are refreshed now, while the spec is validated (specc/lockahead.py)
    ahead = start_refresh(spec_path, args)
    try:
        return _run_one_ahead(spec_path, args, collected, ahead)
    finally:
        if ahead is not None:
            ahead.close()


def _run_one_ahead(
    spec_path: str, args: argparse.Namespace, collected: list[Diagnostic], ahead: Refreshing | None
) -> int:
    from specc.commands._common import apply_strict, load_for_command, report

    fmt = getattr(args, "format", "text")
    # the spec alone: a lock resolves Python packages, whatever a target would refuse to render
    spec, result = load_for_command(spec_path, strict=args.strict, fmt=fmt, targets=())
    if fmt == "json":
        collected.extend(result.diagnostics)  # the spec's own (validation) diagnostics first
    if spec is None:
        return EXIT_INVALID
    if fmt == "pylock":  # export the fresh lock as pylock.toml (PEP 751): specc.pylock
        from specc.pylock import export_command

        diags, code = export_command(spec, spec_path, args)
    elif args.conda:
        diags, code = _conda(spec, spec_path, args)
    else:
        diags, code = _lock_one(spec, spec_path, args, ahead, locate=result.locate)
    diags = apply_strict(diags, args.strict)
    if args.strict and code == EXIT_OK and any(d.severity == "error" for d in diags):
        code = EXIT_INVALID
    if fmt == "json":
        collected.extend(diags)
    elif diags:
        report(diags, result.sources, "text")
    return code


def _lock_one(
    spec: EnvSpec,
    spec_path: str,
    args: argparse.Namespace,
    ahead: Refreshing | None = None,
    locate: Callable[[list[Diagnostic]], list[Diagnostic]] | None = None,
) -> tuple[list[Diagnostic], int]:
    """Lock (or check) one spec: its diagnostics and exit code; progress lines go to stderr.
    ``locate`` places a diagnostic about a spec value (a path, SPC602 naming a requirement the
    index lacks) at its line in the spec."""
    from specc.diagnostics import Diagnostic
    from specc.lockfile import LockError, check_lock, lock_path_for, read_lock, write_lock

    lock_path = lock_path_for(spec_path)
    shown = _display(lock_path)
    diags: list[Diagnostic] = []

    if args.check:
        try:
            lock = read_lock(lock_path)
        except LockError as exc:
            return [_relabel(exc.diagnostic(shown), lock_path)], EXIT_INVALID
        stale = check_lock(lock, spec, shown)  # the platforms the targets need included
        if stale is not None:
            return [stale.diagnostic(shown)], EXIT_INVALID
        print(f"{shown} is up to date", file=sys.stderr)
        if args.verify:
            return _verify(spec, lock, shown, diags, args.no_overlay)
        return diags, EXIT_OK

    from specc.lock import LockFailed, lock_platforms, lock_spec

    previous = None
    if lock_path.is_file():
        try:
            previous = read_lock(lock_path)
        except LockError as exc:
            d = exc.diagnostic(shown)
            diags.append(
                Diagnostic(
                    code="SPC610",
                    severity="warning",
                    message=f"ignoring the existing lock: {_display_msg(exc, lock_path)}",
                    hint="it is re-created from the spec; its pins are not kept",
                    file=d.file,
                )
            )
    # the spec's targets' platforms, the lock's, and --platform (docs/lock.md, "Platforms")
    platforms, said = lock_platforms(
        spec,
        previous=list(previous.python.platforms) if previous is not None else None,
        asked=args.platform,
        replace=args.replace_platforms,
    )
    diags += [_with_file(d, shown) for d in said]
    try:
        result = lock_spec(
            spec,
            platforms=platforms,
            previous=previous,
            upgrade=args.upgrade,
            upgrade_packages=args.upgrade_package,
            ahead=ahead,
            offline=offline_asked(args),
        )
    except LockFailed as exc:
        failed = [locate([d])[0] if locate is not None and d.path else d for d in exc.diagnostics]
        return diags + [_with_file(d, shown) for d in failed], EXIT_INVALID
    located = [locate([d])[0] if locate is not None and d.path else d for d in result.diagnostics]
    diags += [_with_file(d, shown) for d in located]
    diags += _unknown_upgrades(args.upgrade_package, previous, result.lock, shown)
    if args.strict and diags:
        print(f"specc lock: {len(diags)} warning(s) with --strict; nothing written", file=sys.stderr)
        return diags, EXIT_INVALID
    n = len(result.lock.python.packages)
    what = f"{n} Python package{'s' if n != 1 else ''} for {', '.join(platforms)}"
    if args.verify:  # the new lock is proven before it replaces the old one
        diags, code = _verify(spec, result.lock, shown, diags, args.no_overlay)
        if code != EXIT_OK:
            kept = f"{shown} is unchanged" if lock_path.exists() else f"no {shown} was written"
            print(f"specc lock: --verify failed; nothing written ({kept})", file=sys.stderr)
            return diags, code
    write_lock(lock_path, result.lock, Path(spec_path).name)
    print(f"wrote {shown} ({what})", file=sys.stderr)
    return diags, EXIT_OK


def _unknown_upgrades(names: list[str], previous: LockFile | None, lock: LockFile, shown: str) -> list[Diagnostic]:
    """SPC615 for each ``--upgrade-package`` that names no package of the previous or new lock."""
    from specc.diagnostics import Diagnostic
    from specc.lock import canonical_name

    known = {canonical_name(p.name) for p in lock.python.packages}
    if previous is not None:
        known |= {canonical_name(p.name) for p in previous.python.packages}
    return [
        Diagnostic.warning(
            "SPC615",
            message=f"--upgrade-package {name}: no package of that name is locked, so nothing was upgraded",
            hint="check the name (`specc lock` locks the names in model-env.lock)",
            file=shown,
        )
        for name in dict.fromkeys(names)
        if canonical_name(name) not in known
    ]


def _verify(
    spec: EnvSpec, lock: LockFile, shown: str, diags: list[Diagnostic], overlay_off: bool
) -> tuple[list[Diagnostic], int]:
    from specc.verify import verify_lock

    got = verify_lock(spec, lock, lock_file=shown, overlay=not overlay_off)
    diags = diags + got.diagnostics
    if got.ok:
        extra = f", over {len(got.overlay)} of the runtime's packages" if got.overlay else ""
        dists = f"{got.distributions} distribution{'' if got.distributions == 1 else 's'}"
        mods = f"{len(got.modules)} module{'' if len(got.modules) == 1 else 's'}"
        print(
            f"verified {shown}: {dists} install on {got.platform} (Python {got.python}){extra}; "
            f"{mods} import ({got.seconds:.1f} s)",
            file=sys.stderr,
        )
        return diags, EXIT_OK
    return diags, EXIT_INVALID


def _with_file(d: Diagnostic, shown: str) -> Diagnostic:
    return d if d.file else dataclasses.replace(d, file=shown)


def _relabel(d: Diagnostic, lock_path: Path) -> Diagnostic:
    return dataclasses.replace(d, message=d.message.replace(str(lock_path), _display(lock_path)))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _display_msg(exc: Exception, lock_path: Path) -> str:
    return str(exc).replace(str(lock_path), _display(lock_path))


def _conda(spec: EnvSpec, spec_path: str, args: argparse.Namespace) -> tuple[list[Diagnostic], int]:
    from specc.condalock import conda_environment, run_conda_lock
    from specc.diagnostics import Diagnostic
    from specc.output import write_file_atomic

    out = args.conda_file or Path(spec_path).parent / "model-env.conda.yml"
    shown = _display(out)
    platforms = list(dict.fromkeys(_conda_platform(p) for p in args.platform)) or ["linux-64"]
    text, notes = conda_environment(spec, spec_name=Path(spec_path).name, platforms=platforms)
    write_file_atomic(out, text)
    diags = [Diagnostic(code="SPC650", severity="warning", message=n, file=shown) for n in notes]
    print(f"wrote {shown} (conda-lock environment file)", file=sys.stderr)
    ok, message = run_conda_lock(out, platforms=platforms)
    if ok is None:  # could not run: the file is ready, the message says what is missing
        diags.append(Diagnostic(code="SPC651", severity="warning", message=message, file=shown))
    elif ok is False:
        diags.append(Diagnostic(code="SPC652", severity="error", message=message, file=shown))
    else:
        print(message, file=sys.stderr)
    return diags, EXIT_OK if ok is not False else EXIT_INVALID


def _conda_platform(p: str) -> str:
    """conda subdir of a --platform value (x86_64-manylinux_2_28 → linux-64)."""
    p = p.strip().lower()
    if p.startswith(("x86_64-", "linux/amd64", "linux-x86_64")) or p == "linux-64":
        return "linux-64"
    if p.startswith(("aarch64-", "linux/arm64", "linux-arm64")) or p == "linux-aarch64":
        return "linux-aarch64"
    return p
