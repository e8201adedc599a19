"""``specc pin --from-env``: exact pins from the installed versions, written into model-env.toml."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from specc.commands._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, add_spec_argument, report

HELP = "pin the spec's requirements to the versions installed in this Python environment"
EPILOG = """\
examples:
  specc pin --from-env                  pin ./model-env.toml from this environment
  specc pin --from-env --dry-run        show the diff, write nothing
  specc pin --from-env examples/x       a folder holding model-env.toml

Every requirement of python.requirements that is not an exact pin gets the installed
version: "pandas>=2" becomes "pandas==2.2.3" (extras and markers kept), a table's
`specifier` becomes `version`.  Only those values change; comments and formatting are
kept, and the file is replaced atomically.  A package that is not installed, or whose
installed version the spec's range excludes, is an error and nothing is written.
Requirements from requirements-files are listed with the pin to write, not rewritten.
Run it in the environment you trained in (see docs/pin.md).

exit codes: 0 ok, 1 not installed / out of range / invalid spec, 2 usage error.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "pin",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_spec_argument(p)
    p.add_argument(
        "--from-env",
        action="store_true",
        help="take the versions from this Python environment (importlib.metadata); required",
    )
    p.add_argument("--dry-run", action="store_true", help="print the diff on stdout and write nothing")
    return p


def run(args: argparse.Namespace) -> int:
    from specc.commands._common import load_for_command
    from specc.pin import PinError, plan_pins

    if not args.from_env:
        print("specc pin: say where the versions come from: --from-env", file=sys.stderr)
        return EXIT_USAGE
    p = Path(args.path)
    path = str(p / "model-env.toml") if p.is_dir() else args.path
    # Range warnings (SPC202) are what pinning fixes; only errors are shown before refusing.
    spec, result = load_for_command(path, fmt="quiet")
    if spec is None:
        report([d for d in result.diagnostics if d.severity == "error"], result.sources)
        print(f"specc pin: {path} is invalid; nothing written (`specc validate` lists every problem)", file=sys.stderr)
        return EXIT_INVALID
    try:
        plan = plan_pins(path)
    except PinError as exc:
        print(f"specc pin: {exc}", file=sys.stderr)
        return EXIT_INVALID
    for item in plan.items:
        if item.status in ("not-installed", "violates"):
            print(f"{path}: error: {item.where}: {item.message}", file=sys.stderr)
        elif item.status == "file":
            print(f"{item.where}: note: {item.name}: {item.message}", file=sys.stderr)
        elif item.status == "skipped":
            print(f"{path}: note: {item.where}: {item.name}: {item.message}", file=sys.stderr)
    if plan.errors:
        print(f"specc pin: {path} not changed ({len(plan.errors)} requirement(s) cannot be pinned)", file=sys.stderr)
        return EXIT_INVALID
    pinned = [i for i in plan.items if i.status == "pinned"]
    if args.dry_run:
        sys.stdout.write(plan.diff())
        print(f"specc pin: {len(pinned)} requirement(s) would be pinned (dry run, nothing written)", file=sys.stderr)
        return EXIT_OK
    if not plan.changed:
        print(f"specc pin: {path}: every requirement is already pinned", file=sys.stderr)
        return EXIT_OK
    plan.write()
    for item in pinned:
        print(f"pinned {item.where}: {item.before} -> {item.after}", file=sys.stderr)
    print(f"specc pin: wrote {path} ({len(pinned)} requirement(s) pinned)", file=sys.stderr)
    return EXIT_OK
