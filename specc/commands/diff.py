"""``specc diff OLD NEW``: what changes between two environments, per target (specc/diff.py)."""

from __future__ import annotations

import argparse
import json
import sys

from specc.commands._common import EXIT_OK, EXIT_USAGE, report

HELP = "compare two specs, locks or logged models: packages, Docker layers rebuilt, Databricks restart"
EXIT_DIFFERS = 1
EPILOG = """\
examples:
  specc diff old/model-env.toml model-env.toml     two specs (files or folders)
  git worktree add /tmp/prev HEAD~1 && specc diff /tmp/prev/models/churn models/churn    this commit's change
  specc diff old/model-env.lock model-env.lock      two locks: upgraded pins
  specc diff models:/churn/3 .                       a registered model against this spec
  specc diff runs:/RUN_ID/model . --target docker    one target only
  specc diff a b --format json                       the report for tools (schemas/specc-diff.schema.json)

OLD and NEW are each a model-env.toml or its folder, a model-env.lock, or a logged MLflow
model (a folder holding MLmodel, models:/NAME/VERSION, runs:/RUN_ID/PATH).  A model logged by
specc is compared through its specc-environment.json (and its requirements.txt for packages
that spec does not name: a model logged from a lock against that lock is no change); another
through its requirements.txt, python_env.yaml and MLmodel.  For each target (those either side implies, or --target):
packages added, removed and changed per ecosystem (pip, apt, Maven, R, wheels/jars/debs by
sha256, env vars — credential-looking values never shown — secrets by reference, runtime,
Python and base image), the Docker build steps a rebuild invalidates (both specs rendered in
memory; named by Dockerfile line), and whether a running Databricks cluster must restart.
See docs/diff.md.

exit codes (like diff(1)): 0 no differences, 1 differences, 2 usage error or invalid input
(a spec that does not validate, an unreadable lock or model: reported as diagnostics, never as
a difference), 3 internal error.  Note: other specc commands exit 1 on invalid input; diff
keeps 1 for "differs", as diff(1) and `git diff --exit-code` do.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "diff",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("old", metavar="OLD", help="spec file or folder, model-env.lock, or logged model (folder or URI)")
    p.add_argument("new", metavar="NEW", help="the same kinds; what OLD becomes")
    p.add_argument(
        "--target",
        "-t",
        action="append",
        choices=("mlflow", "docker", "databricks"),
        help="report this target (repeatable; default: the targets either side declares or implies)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="a readable report on stdout (default), or JSON (schemas/specc-diff.schema.json)",
    )
    return p


#: SPC204, a path the spec names does not exist: what a spec copied out of git history meets
MISSING_PATH = "SPC204"
_MISSING_PATH_HINT = (
    "specc diff: {arg} names files that are not next to it. A spec's paths are relative to its folder, "
    "so a spec copied out of history (git show REV:model-env.toml > old.toml) finds none of them: check "
    "the revision out instead (git worktree add /tmp/prev REV) and compare its folder, "
    "specc diff /tmp/prev/<folder> <folder>"
)


def run(args: argparse.Namespace) -> int:
    from specc.diagnostics import render_json, sort_key
    from specc.diff import DiffInputError, diff_sides, load_side, render_text

    sides = []
    for arg in (args.old, args.new):
        try:
            sides.append(load_side(arg))
        except DiffInputError as exc:
            diags = sorted(exc.diagnostics, key=sort_key)
            if args.format == "json":
                print(render_json(diags))
            else:
                report(diags, exc.sources)
                print(f"specc diff: cannot compare {arg}: invalid input, not a difference", file=sys.stderr)
                if any(d.code == MISSING_PATH for d in diags):
                    print(_MISSING_PATH_HINT.format(arg=arg), file=sys.stderr)
            return EXIT_USAGE
    result = diff_sides(sides[0], sides[1], args.target)
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        sys.stdout.write(render_text(result))
    return EXIT_DIFFERS if result.differs else EXIT_OK
