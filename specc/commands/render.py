"""``specc render --target docker|databricks``: deploy artifacts from one spec."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from specc.commands._common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    add_format_argument,
    add_spec_argument,
    add_strict_argument,
    apply_strict,
    report,
)

HELP = "render deploy artifacts: a Docker build context, or Databricks init script and API payloads"
EPILOG = """\
examples:
  specc render --target docker --out build/docker
  specc render --target docker examples/sklearn-basic --out /tmp/ctx --model path/to/logged/model
  specc render --target databricks --out build/dbx --cluster-id 0123-456789-abcdef12
  specc render --target docker --from-model models:/churn/3 --out build/docker
  specc render --target docker --locked --out build/docker   pip --require-hashes from model-env.lock

The output folder is written atomically: it is either the old folder or the
complete new one, and specc refuses to replace a folder it did not create.
exit codes: 0 ok, 1 invalid spec or the target cannot express it, 2 usage, 3 internal.
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    from specc.backends import BACKENDS

    p = sub.add_parser(
        "render",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_spec_argument(p)
    p.add_argument("--target", "-t", required=True, choices=sorted(BACKENDS), help="what to render")
    p.add_argument("--out", "-o", required=True, type=Path, help="output folder (written atomically)")
    add_strict_argument(p)
    add_format_argument(p)
    p.add_argument(
        "--from-model",
        metavar="MODEL_URI_OR_DIR",
        help="render from a logged MLflow model and its specc-environment.json instead of a spec",
    )
    p.add_argument("--model", metavar="DIR_OR_URI", type=str, help="docker: a logged MLflow model to copy in and serve")
    p.add_argument("--cluster-id", help="databricks: the cluster_id of the Libraries API body")
    p.add_argument("--locked", action="store_true", help="use exact pins from model-env.lock; fail if it is stale")
    return p


def run(args: argparse.Namespace) -> int:
    from specc.backends import RenderOptions, get_backend, write_rendered
    from specc.commands._common import load_for_command
    from specc.output import OutputError, atomic_dir, check_out_dir, dump_json

    backend = get_backend(args.target)
    unsupported = [
        flag
        for flag, value, field in (
            ("--model", args.model, "model_dir"),
            ("--cluster-id", args.cluster_id, "cluster_id"),
        )
        if value is not None and field not in backend.OPTIONS
    ]
    if unsupported:
        print(f"specc render: {', '.join(unsupported)} does not apply to --target {args.target}", file=sys.stderr)
        return EXIT_USAGE
    try:
        check_out_dir(args.out)
    except OutputError as exc:
        print(f"specc render: {exc.message}" + (f"\n  = hint: {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return EXIT_INVALID

    model_dir = None
    model_runtime = None
    if args.from_model:
        from specc.envartifact import FromModelError, load_from_model

        try:
            loaded = load_from_model(args.from_model)
        except FromModelError as exc:
            print(f"specc render: {exc}", file=sys.stderr)
            return EXIT_INVALID
        spec, model_dir, model_runtime = loaded.spec, loaded.model_dir, loaded.databricks_runtime
        sources: dict[str, str] = {}
    else:
        spec, result = load_for_command(args.path, strict=args.strict, fmt=args.format)
        sources = result.sources
        if spec is None:
            if args.format == "json":
                report(result.diagnostics, sources, "json", stream=sys.stdout)
            return EXIT_INVALID
        if args.model:
            from specc.envartifact import FromModelError, resolve_model_dir

            try:
                model_dir = resolve_model_dir(args.model)
            except FromModelError as exc:
                print(f"specc render: {exc}", file=sys.stderr)
                return EXIT_INVALID

    locked = None
    if args.locked:
        if args.from_model:
            print("specc render: --locked needs a spec and its model-env.lock, not --from-model", file=sys.stderr)
            return EXIT_USAGE
        from specc.lockfile import LockError, load_fresh_lock

        try:
            locked = load_fresh_lock(spec)
        except LockError as exc:
            print(f"specc render: --locked: {exc}", file=sys.stderr)
            return EXIT_INVALID
    options = RenderOptions(
        locked=locked,
        strict=args.strict,
        model_dir=model_dir,
        from_model=bool(args.from_model),
        cluster_id=args.cluster_id,
        model_databricks_runtime=model_runtime,
    )
    rendered = backend.render(spec, options)
    diags = apply_strict(_locate(rendered.diagnostics, args), args.strict)
    failed = any(d.severity == "error" for d in diags)
    if args.format == "json":
        report(diags, sources, "json", stream=sys.stdout)
    else:
        report(diags, sources)
    if failed:
        print(f"specc render: nothing written; fix the errors above ({args.target})", file=sys.stderr)
        return EXIT_INVALID
    from specc import __version__

    provenance = {
        "specc-version": __version__,
        "target": args.target,
        "model": spec.model.name,
        "dependency-hash": spec.hashes.dependencies,
        "hashes": spec.hashes.model_dump(mode="json"),
    }
    try:
        with atomic_dir(args.out) as tmp:
            write_rendered(rendered, tmp)
            (tmp / "specc-provenance.json").write_text(dump_json(provenance), encoding="utf-8")
    except OutputError as exc:
        print(f"specc render: {exc.message}", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "text":
        print(f"wrote {args.out}/ ({args.target}, {len(rendered.files)} files)", file=sys.stderr)
    return EXIT_OK


def _locate(diagnostics: list, args: argparse.Namespace) -> list:  # type: ignore[type-arg]
    """Give a target's diagnostics (TOML path only) the spec's file:line:col and excerpt."""
    if args.from_model or not diagnostics or all(d.span is not None for d in diagnostics):
        return diagnostics
    from specc.document import LoadError, read_spec_file

    try:
        doc = read_spec_file(Path(args.path), display=args.path)
    except LoadError:
        return diagnostics
    return [d if d.span is not None or not d.path else doc.locate(d) for d in diagnostics]
