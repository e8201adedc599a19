"""``specc compile``: MLflow log_model arguments and environment files from one spec."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from specc.commands._common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    add_spec_argument,
    add_strict_argument,
    apply_strict,
    report,
)

HELP = "compile the spec into MLflow log_model arguments (requirements, conda env, code paths, artifacts)"
EPILOG = """\
examples:
  specc compile --out build/mlflow                 ./model-env.toml -> build/mlflow/
  specc compile examples/sklearn-basic -o out      a folder holding model-env.toml
  specc compile --flavor pyfunc --out out          you log with mlflow.pyfunc, whatever [mlflow] says
  specc compile --format json                      print the log_model kwargs (paths relative to --out)
                                                   or, when it fails, the JSON diagnostics report
  specc compile --locked --out build/mlflow        exact pins from model-env.lock (fails if it is stale)

--out DIR receives requirements.txt, constraints.txt (when any), conda.yaml,
python_env.yaml, specc-environment.json, log_model.json (keyword arguments, paths
relative to DIR), specc-provenance.json, and copies of the code, wheels, artifacts and
private packages, so DIR alone is enough to log the model.  It is written atomically;
specc refuses to replace a folder it did not create.  The flavor's own default
requirements (exact mode) are merged at log time by specc.mlflow.log_model_kwargs.

exit codes: 0 ok, 1 invalid spec, 2 usage error, 3 internal error.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    from specc.backends import mlflow
    from specc.commands.render import add_target_flags

    p = sub.add_parser(
        "compile",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_spec_argument(p)
    p.add_argument("--out", "-o", type=Path, help="output folder (written atomically); required unless --format json")
    add_strict_argument(p)
    add_target_flags(p, [mlflow.BACKEND])  # --flavor, --locked: the mlflow target's options
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: write --out and report on stderr; json: print the log_model kwargs on stdout instead "
        "(the diagnostics report, as `specc validate --format json`, when it fails)",
    )
    return p


def _resolve(path: str) -> str:
    p = Path(path)
    # a folder without a spec stays the folder: its SPC002 says what it holds
    return str(p / "model-env.toml") if p.is_dir() and (p / "model-env.toml").exists() else path


def run(args: argparse.Namespace) -> int:
    """``specc render --target mlflow`` with compile's own CLI: ``--out`` optional under
    ``--format json``, which prints the log_model keyword arguments instead of writing.

    Under ``--format json`` stdout is the kwargs when the compile succeeds (its warnings go to
    stderr as text) and the common diagnostics report (``render_json``) when it fails, as for
    ``specc render --format json``; exit 1 then.
    """
    from specc.backends import mlflow, write_output
    from specc.commands._common import load_for_command
    from specc.commands.render import OptionError, locate, target_options
    from specc.output import OutputError, check_out_dir

    if args.out is None and args.format != "json":
        print("specc compile: --out DIR is required (or --format json to print the kwargs)", file=sys.stderr)
        return EXIT_USAGE
    if args.out is not None and args.format != "json":
        try:
            check_out_dir(args.out)
        except OutputError as exc:
            print(f"specc compile: {exc.message}" + (f"\n  = hint: {exc.hint}" if exc.hint else ""), file=sys.stderr)
            return EXIT_INVALID
    as_json = args.format == "json"
    # the mlflow target's capability table is checked by its render below, as for `specc render`
    spec, result = load_for_command(_resolve(args.path), strict=args.strict, fmt=args.format, targets=())
    if spec is None:
        if as_json:
            report(result.diagnostics, result.sources, "json", stream=sys.stdout)
        return EXIT_INVALID
    try:
        options = target_options(mlflow.BACKEND, args, spec, strict=args.strict)
    except OptionError as exc:
        print(f"specc compile: {exc}", file=sys.stderr)
        return EXIT_INVALID
    rendered = mlflow.BACKEND.render(spec, options)
    diags = apply_strict(locate(rendered.diagnostics, spec, result), args.strict)
    failed = any(d.severity == "error" for d in diags)
    if as_json and failed:
        # one report of everything this run found: validation's warnings and the target's diagnostics
        report(result.diagnostics + diags, result.sources, "json", stream=sys.stdout)
    else:
        if as_json:  # validation printed nothing (fmt json): its warnings go to stderr beside the kwargs
            report(result.diagnostics, result.sources)
        report(diags, result.sources)
    if failed:
        print("specc compile: nothing written; fix the errors above", file=sys.stderr)
        return EXIT_INVALID
    if as_json:
        content = rendered.files["log_model.json"]
        assert isinstance(content, bytes)
        sys.stdout.write(content.decode("utf-8"))
        return EXIT_OK
    try:
        write_output(rendered, spec, mlflow.TARGET, args.out)
    except OutputError as exc:
        print(f"specc compile: {exc.message}", file=sys.stderr)
        return EXIT_INVALID
    print(f"wrote {args.out}/ (mlflow, {rendered.note})", file=sys.stderr)
    return EXIT_OK
