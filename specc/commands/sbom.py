"""``specc sbom``: a CycloneDX 1.6 bill of materials of what each target ships (specc.sbom)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from specc.commands._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, add_spec_argument, add_strict_argument, report

if TYPE_CHECKING:
    from datetime import datetime

    from specc.diagnostics import Diagnostic
    from specc.sbom import Plan
    from specc.spec import EnvSpec

HELP = "write a CycloneDX 1.6 SBOM of what each target ships (pip, apt, Maven, CRAN, private files, base)"
EPILOG = """\
examples:
  specc sbom --target docker                      the Docker image's SBOM (JSON) on stdout
  specc sbom --target docker --out sbom.cdx.json  ... written to a file (atomically)
  specc sbom --out sbom/                          one file per implied target: sbom/<target>.cdx.json
                                                  (specc creates or replaces the folder whole)
  specc sbom --target databricks --locked         every locked package with its sha256 hashes
  specc sbom --target mlflow --format xml         CycloneDX XML
  specc sbom --target docker --timestamp          add metadata.timestamp (the output then changes per run)

One SBOM per target, since the base differs: the Docker base image (a container
component), the Databricks runtime (a platform component), none for MLflow.  Package
URLs: pkg:pypi, pkg:deb/debian|ubuntu (distribution from the base), pkg:maven, pkg:cran;
private wheels, jars, debs and R sources are file components with the spec's sha256.
Unpinned requirements have no version (their specifier is a property); --locked lists
the lock's exact pins and hashes instead.  No dependency graph (the lock records no
edges), no secrets (URLs lose their credentials), no timestamp unless asked: the same
spec gives the same bytes.  Needs the sbom extra: pip install 'specc-env[sbom]'.
See docs/sbom.md.

exit codes: 0 written, 1 invalid spec, stale lock, missing library, output not writable
(SPC764; nothing is written), 2 usage error.
"""

_TARGETS = ("docker", "databricks", "mlflow")
NO_LIBRARY = "SPC752"
OUT_UNWRITABLE = "SPC764"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "sbom",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_spec_argument(p)
    p.add_argument(
        "--target",
        choices=_TARGETS,
        help="the target whose SBOM to write (default: every target the spec declares or implies)",
    )
    p.add_argument(
        "--locked", action="store_true", help="list model-env.lock's exact pins and hashes (fails if it is stale)"
    )
    p.add_argument(
        "--out",
        metavar="FILE|DIR",
        help="where to write (default: stdout).  With --target: the file.  Without: a folder specc creates "
        "or replaces whole, holding <target>.cdx.json for every implied target, even just one (an existing "
        "folder specc did not write is refused)",
    )
    p.add_argument("--format", choices=("json", "xml"), default="json", help="CycloneDX JSON (default) or XML")
    p.add_argument("--timestamp", action="store_true", help="record the current time (metadata.timestamp)")
    add_strict_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    from specc.commands._common import load_for_command

    suffix = Path(args.out).suffix.lower() if args.out and args.target else ""
    if suffix in (".json", ".xml") and suffix != f".{args.format}":  # a consumer goes by the extension
        print(
            f"specc sbom: --out {args.out} ends in {suffix} but --format is {args.format}; "
            f"name it {Path(args.out).with_suffix('.' + args.format)} or pass --format {suffix[1:]}",
            file=sys.stderr,
        )
        return EXIT_USAGE

    path = args.path
    if Path(path).is_dir():
        path = str(Path(path) / "model-env.toml")
    if args.target:
        targets: tuple[str, ...] = (args.target,)
        spec, result = load_for_command(path, strict=args.strict, targets=targets)
    else:
        spec, result = load_for_command(path, strict=args.strict)
        if spec is not None:
            from specc.backends import implied_targets

            targets = tuple(t for t in implied_targets(spec) if t in _TARGETS)
    if spec is None:
        return EXIT_INVALID
    if len(targets) > 1 and args.out is None:
        print(
            f"specc sbom: the spec implies {len(targets)} targets ({', '.join(targets)}); "
            "name one with --target, or give --out DIR for one file per target",
            file=sys.stderr,
        )
        return EXIT_USAGE
    # without --target, --out is always the folder of one file per implied target (even when the spec
    # implies one): what `--out sbom/` writes never depends on how many targets the spec has today
    several = args.target is None
    out = None if args.out is None else Path(args.out)
    problem = _out_problem(
        out, several=several, name=f"{targets[0] if targets else 'docker'}.cdx.{args.format}", spec=spec
    )
    if problem is None and out is not None and not several and args.out.endswith(("/", "\\")):
        problem = unwritable(
            out,
            f"{args.out} names a folder; with --target the output is one file",
            f"--out {out / f'{targets[0]}.cdx.{args.format}'}",
        )
    if problem is not None:  # before any work: nothing is written
        report([problem], result.sources)
        return EXIT_INVALID
    try:
        import cyclonedx  # noqa: F401
    except ImportError:
        from specc.diagnostics import Diagnostic

        missing = Diagnostic.error(
            NO_LIBRARY,
            message="specc sbom needs cyclonedx-python-lib, which is not installed",
            hint="pip install 'specc-env[sbom]'",
        )
        report([missing], result.sources)
        return EXIT_INVALID

    from specc.sbom import render

    texts: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for target in targets:
        p, got = _plan(spec, target, args.locked)
        diags += got
        if p is None:
            continue
        texts[target] = render(p, args.format, timestamp=_now() if args.timestamp else None)
    from specc.commands._common import apply_strict

    diags = apply_strict(result.locate(diags), args.strict)
    report(diags, result.sources)
    if any(d.severity == "error" for d in diags):
        return EXIT_INVALID
    from specc.output import OutputError

    try:
        _write(texts, out, args.format, several=several)
    except OutputError as exc:
        report([unwritable(Path(args.out), exc.message, exc.hint)], result.sources)
        return EXIT_INVALID
    return EXIT_OK


def unwritable(out: Path, message: str, hint: str | None = None) -> Diagnostic:
    """SPC764: the output ``out`` cannot be written (``specc sbom --out``, ``--pylock-file``)."""
    import dataclasses

    from specc.diagnostics import Diagnostic

    d = Diagnostic.error(
        OUT_UNWRITABLE, message=message, hint=hint or "choose a path in a folder you can write; nothing was written"
    )
    return dataclasses.replace(d, file=str(out))


def shipped_entry(spec: EnvSpec, out: Path) -> str | None:
    """The spec entry (``code.paths[0]``, ``artifacts.NAME``) whose file or folder holds the path
    ``out``, else None.  A file written there would ship with the model (the MLflow code copy,
    the image's build context) and change the code/artifact hash, so ``specc check`` would then
    report drift; an output *folder* is left out by its ``.specc-output`` marker, a file has none."""
    import os

    if spec.base_dir is None:
        return None
    real = os.path.realpath(out)
    entries = [(f"code.paths[{i}]", ref.path) for i, ref in enumerate(spec.code.paths)]
    entries += [(f"artifacts.{name}", ref.path) for name, ref in sorted(spec.artifacts.items())]
    for label, rel in entries:
        top = os.path.realpath(os.path.join(spec.base_dir, rel))
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return f"{label} ({rel})"
    return None


def file_out_problem(out: Path, *, instead: str, spec: EnvSpec | None = None) -> Diagnostic | None:
    """SPC764 when the file ``out`` cannot be written: a folder there, a file where a parent folder
    must be, a parent that cannot be created or written, or (given ``spec``) a place inside a file
    or folder the spec ships (:func:`shipped_entry`).  ``instead``: the hint for a folder."""
    import os

    shown = str(out)
    if out.is_dir():
        return unwritable(out, f"{shown} is a folder; the output is one file", instead)
    entry = None if spec is None else shipped_entry(spec, out)
    if entry is not None:
        return unwritable(
            out,
            f"{shown} lies inside {entry}, which ships with the model; written there it would be copied "
            "into the model and its build context and change the spec's hashes",
            "write it outside the spec's code and artifact folders, e.g. next to model-env.toml",
        )
    parent = Path(os.path.abspath(out)).parent
    while not parent.exists() and not parent.is_symlink() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return unwritable(out, f"cannot write {shown}: {parent} is a file, not a folder", "choose another path")
    if not os.access(parent, os.W_OK | os.X_OK):
        return unwritable(out, f"cannot write {shown}: {parent} is not writable", None)
    return None


def _out_problem(out: Path | None, *, several: bool, name: str, spec: EnvSpec) -> Diagnostic | None:
    if out is None:
        return None
    if several:
        from specc.output import OutputError, check_out_dir

        try:
            check_out_dir(out)
        except OutputError as exc:
            return unwritable(out, exc.message, exc.hint)
        return None
    problem = file_out_problem(out, instead=f"name the file, e.g. --out {out / name}", spec=spec)
    if problem is None and out.is_file() and not _is_sbom(out):
        problem = unwritable(
            out,
            f"{out} exists and is not a CycloneDX SBOM; writing the SBOM there would lose it",
            "choose another path (an SBOM specc wrote before is replaced); nothing was written",
        )
    return problem


def _is_sbom(path: Path) -> bool:
    """Whether ``path`` holds a CycloneDX document (JSON ``bomFormat``, or the XML namespace)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return b'"bomFormat"' in head or b"cyclonedx.org/schema/bom" in head


def _plan(spec: EnvSpec, target: str, locked: bool) -> tuple[Plan | None, list[Diagnostic]]:
    from specc.sbom import plan

    diags: list[Diagnostic] = []
    lock = None
    if locked:
        from specc.lockfile import LockError, load_fresh_lock

        try:
            lock = load_fresh_lock(spec, target=target)
        except LockError as exc:
            return None, [exc.diagnostic()]
    runtime = None
    if target == "databricks":
        from specc.backends.databricks import DatabricksOptions, pick_runtime

        runtime = pick_runtime(spec, DatabricksOptions(), diags)
        # runtime-compatibility findings are validate's and render's business, not the SBOM's
        diags = [d for d in diags if d.code in ("SPC320",)]
    p = plan(spec, target, lock=lock, runtime=runtime)
    return p, diags + p.diagnostics


def _now() -> datetime:
    import os
    from datetime import datetime, timezone

    # SOURCE_DATE_EPOCH (reproducible-builds.org) fixes "now" for reproducible pipelines
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(tz=timezone.utc).replace(microsecond=0)


def _write(texts: dict[str, str], out: Path | None, fmt: str, *, several: bool) -> None:
    from specc.output import write_file_atomic

    if out is None:
        for text in texts.values():
            sys.stdout.write(text)
        return
    if several:  # one folder, replaced whole: no bill of a target the spec no longer implies stays
        from specc.output import atomic_dir

        with atomic_dir(out) as tmp:
            for target, text in texts.items():
                (tmp / f"{target}.cdx.{fmt}").write_text(text, encoding="utf-8")
        for target in texts:
            print(f"wrote {out / f'{target}.cdx.{fmt}'} (CycloneDX 1.6, {target})", file=sys.stderr)
        return
    (target,) = texts
    write_file_atomic(out, texts[target])
    print(f"wrote {out} (CycloneDX 1.6, {target})", file=sys.stderr)
