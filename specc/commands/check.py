"""``specc check``: drift between the spec and a logged model (``--model``) or this Python (``--env``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from specc.commands._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, add_spec_argument, report

HELP = "compare the spec with a logged MLflow model (--model) or with this Python environment (--env)"
EPILOG = """\
examples:
  specc check --model models:/churn/3              drift between ./model-env.toml and a registered model
  specc check examples/x --model mlruns/1/models/m-abc/artifacts    a local model folder
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
--locked), a package at another version than the lock's is drift.  One line per finding,
each with a stable code (docs/check.md).

exit codes: 0 no drift, 1 drift (or an invalid spec / unreadable model), 2 usage error.
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
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
        help="one line per finding (default) or a JSON report on stdout",
    )
    return p


def run(args: argparse.Namespace) -> int:
    from specc.commands._common import load_for_command
    from specc.drift import CheckError, check_env, check_env_lock, check_lock, check_model, find_lock
    from specc.output import dump_json

    if not args.model and not args.env:
        print("specc check: say what to compare the spec with: --model MODEL_URI_OR_DIR or --env", file=sys.stderr)
        return EXIT_USAGE
    p = Path(args.path)
    path = str(p / "model-env.toml") if p.is_dir() else args.path
    # The spec's own warnings (ranges, runtime overrides) are `specc validate`'s business; only
    # errors, which make the comparison meaningless, are shown here.
    spec, result = load_for_command(path, fmt="quiet")
    if spec is None:
        errors = [d for d in result.diagnostics if d.severity == "error"]
        if args.format == "json":
            from specc.diagnostics import render_json

            print(render_json(errors))
        else:
            report(errors, result.sources)
            print(f"specc check: {path} is invalid; fix it first (`specc validate`)", file=sys.stderr)
        return EXIT_INVALID
    try:
        lock, findings = None, []
        lock_path = None if args.no_lock else find_lock(spec)
        if lock_path is not None:
            lock, findings = check_lock(spec, lock_path)
        if args.env:
            found = check_env(spec)
            if lock is not None:
                seen = {f.subject for f in found}
                found += [f for f in check_env_lock(lock) if f.subject not in seen]
        else:
            found = check_model(spec, args.model, flavor=args.flavor, lock=lock)
        findings += found
    except CheckError as exc:
        print(f"specc check: {exc}", file=sys.stderr)
        return EXIT_INVALID
    target = "this Python environment" if args.env else args.model
    drift = any(f.severity == "error" for f in findings)
    if args.format == "json":
        sys.stdout.write(
            dump_json(
                {
                    "spec": path,
                    "against": "env" if args.env else args.model,
                    "lock": str(lock_path) if lock_path is not None else None,
                    "drift": drift,
                    "findings": [f.to_json() for f in findings],
                }
            )
        )
    else:
        for f in findings:
            print(f.line())
        errors = sum(f.severity == "error" for f in findings)
        warnings = len(findings) - errors
        if drift:
            print(
                f"specc check: {path} and {target} differ ({errors} error(s), {warnings} warning(s))", file=sys.stderr
            )
        else:
            extra = f" ({warnings} warning(s))" if warnings else ""
            print(f"specc check: {path} and {target} match{extra}", file=sys.stderr)
    return EXIT_INVALID if drift else EXIT_OK
