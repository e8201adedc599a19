"""``specc validate``: check a spec and report every problem at once."""

from __future__ import annotations

import argparse
import json
import sys

from specc.commands._common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    add_format_argument,
    add_strict_argument,
    apply_strict,
    report,
)
from specc.diagnostics import mask_spec_values, render_json, sort_key, summary_line

HELP = "check a model-env.toml and report every problem (file:line:col, code, hint)"
EPILOG = """\
examples:
  specc validate                          ./model-env.toml
  specc validate models/churn             a folder holding model-env.toml
  specc validate */model-env.toml         several specs (exit 1 if any is invalid)
  specc validate --strict                 warnings fail too (for CI)
  specc validate --normalized > env.json  the canonical form every target consumes
  specc validate --format json            diagnostics for tools and editors

exit codes: 0 valid (warnings allowed), 1 invalid, 2 usage error, 3 internal error.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "validate",
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
        help="spec files, or folders holding model-env.toml (default: ./model-env.toml)",
    )
    add_strict_argument(p)
    add_format_argument(p)
    p.add_argument(
        "--normalized",
        action="store_true",
        help="print the normalized spec as JSON on stdout (canonical names, sorted, defaults filled, hashes)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only (no warnings, no summary when valid)")
    return p


def run(args: argparse.Namespace) -> int:
    if args.normalized and len(args.paths) > 1:
        print("specc validate: --normalized takes one spec", file=sys.stderr)
        return EXIT_USAGE
    if len(args.paths) == 1:
        return _one(args, args.paths[0])
    if args.format == "json":
        return _many_json(args)
    codes = [_one(args, path) for path in args.paths]
    return max(codes)


def _many_json(args: argparse.Namespace) -> int:
    from specc.api import check

    diags = []
    files = []  # each spec's verdict: a tool need not group the diagnostics by file itself
    for path in args.paths:
        mine = apply_strict(check(path, display=path).diagnostics, args.strict)
        errors = sum(d.severity == "error" for d in mine)
        files.append({"file": path, "valid": not errors, "errors": errors, "warnings": len(mine) - errors})
        diags += mine
    diags.sort(key=lambda d: (d.file or "", *sort_key(d)))
    payload = json.loads(render_json(diags))
    payload["files"] = files
    print(json.dumps(payload, indent=2, ensure_ascii=False))
    return EXIT_INVALID if any(d.severity == "error" for d in diags) else EXIT_OK


def _one(args: argparse.Namespace, path: str) -> int:
    from specc.api import check

    args.path = path
    result = check(args.path, display=args.path)
    diags = sorted(apply_strict(result.diagnostics, args.strict), key=sort_key)
    failed = any(d.severity == "error" for d in diags)
    if args.format == "json":
        payload = json.loads(render_json(diags))
        if args.normalized:
            payload["spec"] = None if failed or result.spec is None else mask_spec_values(result.spec.to_dict())
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_INVALID if failed else EXIT_OK
    # -q: errors only; warnings still count in the summary line of an invalid spec
    report([d for d in diags if d.severity == "error"] if args.quiet else diags, result.sources)
    if failed:
        print(f"{args.path}: invalid ({summary_line(diags)})", file=sys.stderr)
        return EXIT_INVALID
    if args.normalized and result.spec is not None:
        # the same masking as the diagnostics: a credential-looking [env] value, a URL's credential
        masked = mask_spec_values(result.spec.to_dict())
        sys.stdout.write(json.dumps(masked, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    if not args.quiet:
        print(f"{args.path}: ok ({summary_line(diags)})", file=sys.stderr)
    return EXIT_OK
