"""``specc lock``: write (or check) ``model-env.lock`` next to the spec."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from specc.commands._common import EXIT_INVALID, EXIT_OK, add_strict_argument

HELP = "resolve the spec's dependencies into model-env.lock (hashed pins, runtime-aware) or check it is fresh"
EPILOG = """\
examples:
  specc lock                              resolve ./model-env.toml into ./model-env.lock
  specc lock --check                      exit 1 when the lock is missing or stale (pre-commit, CI)
  specc lock --upgrade-package numpy      re-resolve numpy only; every other pin is kept
  specc lock --upgrade                    re-resolve everything (a runtime's versions stay preferred)
  specc lock --platform linux-64 --platform linux-aarch64
  specc lock --conda                      write model-env.conda.yml for conda-lock (and run it if possible)

Python is resolved by `uv pip compile` for runtime.python and linux x86_64
(x86_64-manylinux_2_28) unless --platform says otherwise, with sha256 hashes.
Index credentials come from the environment (${NAME} placeholders); the lock keeps
the placeholders.  With runtime.databricks, the runtime's preinstalled versions are
preferred, and every locked version that differs from them is reported.  Re-locking
keeps existing pins unless --upgrade/--upgrade-package says otherwise.  Editing model
code or artifacts never makes the lock stale.

exit codes: 0 ok, 1 invalid spec, stale/missing lock (--check) or resolution failure,
2 usage error, 3 internal error.
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    p = sub.add_parser(
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
        help="uv --python-platform to lock for, or linux-64/linux-aarch64 (repeatable; default: the lock's, "
        "else x86_64-manylinux_2_28)",
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
    return p


def _resolve(path: str) -> str:
    p = Path(path)
    if p.is_dir():
        return str(p / "model-env.toml")
    if p.name.endswith(".lock"):  # pre-commit passes changed lock files too
        return str(p.with_name("model-env.toml"))
    return path


def run(args: argparse.Namespace) -> int:
    specs = list(dict.fromkeys(_resolve(p) for p in args.paths))
    return max(_run_one(spec_path, args) for spec_path in specs)


def _run_one(spec_path: str, args: argparse.Namespace) -> int:
    from specc.commands._common import load_for_command
    from specc.lockfile import LockError, lock_path_for, read_lock, stale_message, stale_parts, write_lock

    spec, _result = load_for_command(spec_path, strict=args.strict, fmt="text")
    if spec is None:
        return EXIT_INVALID
    lock_path = lock_path_for(spec_path)
    shown = _display(lock_path)

    if args.conda:
        return _conda(spec, spec_path, args)

    if args.check:
        try:
            lock = read_lock(lock_path)
        except LockError as exc:
            print(f"specc lock --check: {_display_msg(exc, lock_path)}", file=sys.stderr)
            return EXIT_INVALID
        parts = stale_parts(lock, spec)
        if parts:
            print(f"specc lock --check: {stale_message(shown, parts)}", file=sys.stderr)
            return EXIT_INVALID
        print(f"{shown} is up to date", file=sys.stderr)
        return EXIT_OK

    from specc.lock import DEFAULT_PLATFORM, LockFailed, lock_spec

    previous = None
    if lock_path.is_file():
        try:
            previous = read_lock(lock_path)
        except LockError as exc:
            print(f"specc lock: warning: ignoring the existing lock: {exc}", file=sys.stderr)
    platforms = args.platform or (previous.python.platforms if previous else [DEFAULT_PLATFORM])
    try:
        result = lock_spec(
            spec,
            platforms=platforms,
            previous=previous,
            upgrade=args.upgrade,
            upgrade_packages=args.upgrade_package,
        )
    except LockFailed as exc:
        print(f"specc lock: {exc}", file=sys.stderr)
        return EXIT_INVALID
    for w in result.warnings:
        print(f"{shown}: warning: {w}", file=sys.stderr)
    if args.strict and result.warnings:
        print(f"specc lock: {len(result.warnings)} warning(s) with --strict; nothing written", file=sys.stderr)
        return EXIT_INVALID
    write_lock(lock_path, result.lock, Path(spec_path).name)
    n = len(result.lock.python.packages)
    print(f"wrote {shown} ({n} Python package{'s' if n != 1 else ''} for {', '.join(platforms)})", file=sys.stderr)
    return EXIT_OK


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _display_msg(exc: Exception, lock_path: Path) -> str:
    return str(exc).replace(str(lock_path), _display(lock_path))


def _conda(spec: object, spec_path: str, args: argparse.Namespace) -> int:
    from specc.condalock import conda_environment, run_conda_lock
    from specc.output import write_file_atomic

    out = args.conda_file or Path(spec_path).parent / "model-env.conda.yml"
    platforms = list(dict.fromkeys(_conda_platform(p) for p in args.platform)) or ["linux-64"]
    text, notes = conda_environment(spec, spec_name=Path(spec_path).name, platforms=platforms)
    write_file_atomic(out, text)
    for n in notes:
        print(f"{_display(out)}: note: {n}", file=sys.stderr)
    print(f"wrote {_display(out)} (conda-lock environment file)", file=sys.stderr)
    ok, message = run_conda_lock(out, platforms=platforms)
    print(message, file=sys.stderr)
    return EXIT_OK if ok is not False else EXIT_INVALID


def _conda_platform(p: str) -> str:
    """conda subdir of a --platform value (x86_64-manylinux_2_28 → linux-64)."""
    p = p.strip().lower()
    if p.startswith(("x86_64-", "linux/amd64", "linux-x86_64")) or p == "linux-64":
        return "linux-64"
    if p.startswith(("aarch64-", "linux/arm64", "linux-arm64")) or p == "linux-aarch64":
        return "linux-aarch64"
    return p
