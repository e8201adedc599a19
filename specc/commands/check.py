"""``specc check``: drift between the spec and a logged model (``--model``) or this Python (``--env``)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from specc.commands._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, add_spec_argument, report

if TYPE_CHECKING:
    from specc.diagnostics import Diagnostic
    from specc.validate import Result

HELP = "compare the spec with a logged MLflow model (--model) or with this Python environment (--env)"
EPILOG = """\
examples:
  specc check --model models:/churn/3              drift between ./model-env.toml and a registered model
  specc check models/churn --model mlruns/1/models/m-abc/artifacts    a local model folder
  specc check --env                                 is this Python what the spec asks for?
  specc check --model runs:/RUN_ID/model --format json

--model compiles the spec exactly as specc.mlflow.log_model_kwargs does for the flavor the
model was logged with, then compares: requirements (PEP 440-aware; MLflow's own mlflow==
pin and the flavor's default requirements are expected), constraints, code paths, wheels,
private packages and artifacts (sha256 of every file), specc-environment.json (runtime,
apt, maven, r, env, secrets, targets), the Python version (python_env.yaml, MLmodel) and
MLmodel's databricks_runtime, plus hazards (uv.lock/pyproject.toml in the model, absolute
paths in requirements.txt).  When model-env.lock sits next to the spec it is used too: a stale
lock is drift, a requirement pinned at the locked version is accepted (a model logged
--locked), a package at another version than the lock's is drift.  Findings are reported
like `specc validate`'s diagnostics (stderr; file:line of the model file, the spec entry, a
stable code: docs/check.md); --format json prints the same report as every command.

exit codes: 0 no drift, 1 drift (or an invalid spec / unreadable model), 2 usage error.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "check",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_spec_argument(p)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--model", "-m", metavar="MODEL_URI_OR_DIR", help="a logged model: folder, models:/, runs:/...")
    what.add_argument("--env", action="store_true", help="compare this Python environment with the spec")
    p.add_argument(
        "--no-lock",
        action="store_true",
        help="ignore model-env.lock next to the spec (default: compare against it too when present)",
    )
    p.add_argument("--flavor", help="the flavor the model was logged with (default: read from its MLmodel)")
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="findings as diagnostics on stderr (default) or a JSON report on stdout",
    )
    return p


def run(args: argparse.Namespace) -> int:
    from specc.commands._common import load_for_command
    from specc.diagnostics import has_errors, render_json, sort_key, summary_line
    from specc.drift import CheckError, check_env, check_lock, find_lock, model_report

    if not args.model and not args.env:
        print("specc check: say what to compare the spec with: --model MODEL_URI_OR_DIR or --env", file=sys.stderr)
        return EXIT_USAGE
    if args.flavor:
        from specc.validate import flavors

        if args.flavor not in flavors.KNOWN:  # the rule [mlflow] flavor follows (SPC133)
            close = flavors.suggestions(args.flavor)
            guess = " (did you mean " + " or ".join(repr(c) for c in close) + "?)" if close else ""
            print(f"specc check: error[SPC133] --flavor {args.flavor!r} is no MLflow flavor{guess}", file=sys.stderr)
            return EXIT_USAGE
    p = Path(args.path)
    path = str(p / "model-env.toml") if p.is_dir() and (p / "model-env.toml").exists() else args.path
    # The spec's own warnings (ranges, runtime overrides) are `specc validate`'s business; only
    # errors, which make the comparison meaningless, are shown here.
    spec, result = load_for_command(path, fmt="quiet", targets=())  # drift: the spec alone
    if spec is None:
        errors = sorted((d for d in result.diagnostics if d.severity == "error"), key=sort_key)
        if args.format == "json":
            print(render_json(errors))
        else:
            report(errors, result.sources)
            print(f"specc check: {path} is invalid; fix it first (`specc validate`)", file=sys.stderr)
        return EXIT_INVALID
    sources = dict(result.sources)
    diags: list[Diagnostic] = []
    lock = None
    lock_path = None if args.no_lock else find_lock(spec)
    lock_display = str(Path(path).with_name(lock_path.name)) if lock_path is not None else "model-env.lock"
    try:
        if lock_path is not None:
            lock, diags = check_lock(spec, lock_path, display=lock_display)
        if args.env:
            diags += check_env(spec, lock=lock, display=path, lock_display=lock_display)
        else:
            found = model_report(spec, args.model, flavor=args.flavor, lock=lock, display=args.model)
            diags += found.diagnostics
            sources.update(found.sources)
    except CheckError as exc:
        print(f"specc check: {exc}", file=sys.stderr)
        return EXIT_INVALID
    diags = sorted(_locate(diags, result, path), key=sort_key)
    drift = has_errors(diags)
    if args.format == "json":
        context = {
            "spec": path,
            "against": "env" if args.env else args.model,
            "lock": lock_display if lock_path is not None else None,
            "drift": drift,
        }
        print(render_json(diags, extra={"check": context}))
    else:
        report(diags, sources)
        target = "this Python environment" if args.env else args.model
        verdict = "differ" if drift else "match"
        print(f"specc check: {path} and {target} {verdict} ({summary_line(diags)})", file=sys.stderr)
    return EXIT_INVALID if drift else EXIT_OK


def _locate(diags: list[Diagnostic], result: Result, spec_file: str) -> list[Diagnostic]:
    """Findings on a normalized spec path, placed where that value is written: the line and
    column of its TOML entry, or the requirements-file line it came from (``result.locate``,
    through the origins validation recorded; the same placement ``validate`` and ``render`` use).

    Findings about a model's or the lock's files, and those already placed, stay as they are.
    """
    out = []
    for d in diags:
        if d.file != spec_file or not d.path or d.span is not None:
            out.append(d)
        else:
            out += result.locate([replace(d, file=None)])
    return out
