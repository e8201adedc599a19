"""``specc pin --from-env``: exact pins from the installed versions, written into model-env.toml."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from specc.commands._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, add_spec_argument, report

if TYPE_CHECKING:
    from specc.validate import Result

HELP = "pin the spec's requirements to the versions installed in this Python environment"
EPILOG = """\
examples:
  specc pin --from-env                  pin ./model-env.toml from this environment
  specc pin --from-env --dry-run        show the diff, write nothing
  specc pin --from-env models/churn      a folder holding model-env.toml
  specc pin --from-env --rewrite-files  also pin the lines of requirements files (shared files: opt in)

Every requirement of python.requirements that is not an exact pin gets the installed
version: "pandas>=2" becomes "pandas==2.2.3" (extras and markers kept), a table's
`specifier` becomes `version`.  Only those values change; comments and formatting are
kept, and the file is replaced atomically.  A package that is not installed, or whose
installed version the spec's range excludes, is an error and nothing is written.
Unpinned lines of requirements-files, and of every file they include with -r/-c, are
listed as file:line with the pin to write; --rewrite-files rewrites them too.
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
    p.add_argument(
        "--rewrite-files",
        action="store_true",
        help="also rewrite the unpinned lines of requirements files (and the files they include with -r/-c); "
        "by default they are only listed, because such files are often shared with other tools",
    )
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
    spec, result = load_for_command(path, fmt="quiet", targets=())  # pins: the spec alone
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
            if args.rewrite_files and item.after is not None:
                # --rewrite-files pins this line: say so (the rewrite reports it, or the dry run here)
                if args.dry_run:
                    print(f"{item.where}: note: {item.name}: would be rewritten to `{item.after}`", file=sys.stderr)
                continue
            print(f"{item.where}: note: {item.name}: {item.message}", file=sys.stderr)
        elif item.status == "skipped":
            print(f"{path}: note: {item.where}: {item.name}: {item.message}", file=sys.stderr)
    if plan.errors:
        print(f"specc pin: {path} not changed ({len(plan.errors)} requirement(s) cannot be pinned)", file=sys.stderr)
        return EXIT_INVALID
    pinned = [i for i in plan.items if i.status == "pinned"]
    unpinned = len(plan.unpinned_in_files)  # lines of requirements files (nested -r/-c too)
    if args.dry_run:
        sys.stdout.write(_masked_diff(plan.diff(), result))
        rewritable = sum(1 for i in plan.unpinned_in_files if i.after is not None) if args.rewrite_files else 0
        extra = f"; {rewritable} requirements-file line(s) would be rewritten" if rewritable else ""
        if unpinned - rewritable:
            extra += f"; {unpinned - rewritable} line(s) of requirements files are not pinned (listed above)"
        print(
            f"specc pin: {len(pinned)} requirement(s) would be pinned (dry run, nothing written){extra}",
            file=sys.stderr,
        )
        return EXIT_OK
    if plan.changed:
        plan.write()
        for item in pinned:
            print(f"pinned {item.where}: {item.before} -> {item.after}", file=sys.stderr)
    files_done = 0
    if args.rewrite_files and plan.file_edits:
        from specc.pin import rewrite_files

        skipped = rewrite_files(plan.file_edits)
        folder = Path(path).resolve().parent
        for e in plan.file_edits:
            # the file as the notes name it: relative to the spec's folder
            shown = os.path.relpath(e.file.resolve(), folder)
            if e in skipped:
                print(
                    f"{shown}:{e.lineno}: note: not rewritten (a continued line); write `{e.new}` there",
                    file=sys.stderr,
                )
            else:
                files_done += 1
                print(f"pinned {shown}:{e.lineno}: {e.old} -> {e.new}", file=sys.stderr)
    left = unpinned - files_done
    # what is left after --rewrite-files is what it could not pin (not installed, a continued line)
    advice = "pin them there" if args.rewrite_files else "pin them there, or run again with --rewrite-files"
    tail = f"; {left} line(s) of requirements files are not pinned (listed above): {advice}" if left else ""
    if not plan.changed and not files_done:
        if left:
            print(f"specc pin: {path}: python.requirements is already pinned{tail}", file=sys.stderr)
        else:
            print(f"specc pin: {path}: every requirement is already pinned", file=sys.stderr)
        return EXIT_OK
    if not plan.changed:  # only requirements files were rewritten
        print(
            f"specc pin: {files_done} requirements-file line(s) pinned; {Path(path).name} is unchanged{tail}",
            file=sys.stderr,
        )
        return EXIT_OK
    files_part = f" and {files_done} requirements-file line(s)" if files_done else ""
    print(f"specc pin: wrote {path} ({len(pinned)} requirement(s){files_part} pinned){tail}", file=sys.stderr)
    return EXIT_OK


def _masked_diff(diff: str, result: Result) -> str:
    """The dry run's diff of the spec with credentials masked as in every diagnostic's excerpt:
    each value validation finds credential-like (``[env]`` credentials, pasted secrets) is
    masked where it stands quoted in the diff's lines, and URL credentials and token shapes
    are :func:`~specc.diagnostics.redact`-ed."""
    from specc.diagnostics import mask_value, redact
    from specc.validate.credentials import credential_paths

    if result.document is None:
        return redact(diff)
    for path in credential_paths(result.document.data):
        node: object = result.document.data
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, str) and node:
            for quote in ('"', "'"):
                diff = diff.replace(f"{quote}{node}{quote}", f"{quote}{mask_value(node)}{quote}")
    return redact(diff)
