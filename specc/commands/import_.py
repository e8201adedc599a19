"""``specc import``: write a model-env.toml from an environment another tool describes.

The flow: pick the kind (``--from``, else :func:`specc.importers.detect_kind`), fill a
:class:`~specc.importers.base.Draft` with that kind's importer, complete it (spec-version, the
model's name, the Python version, the secrets' mappings), render and validate it with specc's
own loader (entries the loader rejects are taken out and reported), then write it atomically.
Nothing is written when the source cannot be read, the kind is unknown, the output exists
without ``--force``, or the text would not validate.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from specc.commands._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, add_format_argument

if TYPE_CHECKING:
    from specc.diagnostics import Diagnostic
    from specc.importers.base import Importer

# the same text as specc/cli.py's COMMANDS entry (tests/test_startup.py compares them)
HELP = (
    "write a model-env.toml from another format: requirements.txt, environment.yml, repo2docker, "
    "cog, BentoML, Truss, pixi, pylock.toml or an MLflow model"
)
DESCRIPTION = (
    "Write a model-env.toml from requirements.txt, environment.yml, a repo2docker folder, an MLflow model, "
    "cog.yaml, bentofile.yaml, Truss's config.yaml, pixi.toml or pylock.toml."
)
#: the kinds of specc.importers.KINDS, written out so building the parser imports no importer
#: (tests/test_import_summary.py checks they agree)
KIND_NAMES = ("requirements", "conda", "repo2docker", "mlflow", "cog", "bentoml", "truss", "pixi", "pylock")
EPILOG = """\
examples:
  specc import requirements.txt                 requirements: pip's format (-r, -c, index URLs)
  specc import environment.yml --python 3.11    conda: pip section, conda packages mapped to PyPI
  specc import .                                repo2docker: the folder's root, binder/ or .binder/
  specc import mlruns/0/abc/artifacts/model     mlflow: a logged model's folder
  specc import models:/churn/3                  mlflow: a registered model (downloaded with mlflow)
  specc import runs:/<run id>/model --name churn   a run names no model: --name does (else SPC790)
  specc import cog.yaml                         cog: Replicate's build settings
  specc import bentofile.yaml                   bentoml: a BentoML build file
  specc import config.yaml --from truss         truss: a Truss config
  specc import pixi.toml                        pixi: the default environment of a pixi manifest
  specc import pylock.toml                      pylock: a PEP 751 lock's default install
  specc import cfg/reqs.txt --from requirements --force --format json

The kind is detected from the source (--from overrides it; `specc import --help` lists the
kinds). The spec goes to model-env.toml next to a file, inside a folder, or in the current
folder for a URI; an existing file is kept unless --force is given. Every entry carries a
`# from <source>` comment; everything not carried over is reported with a code (SPC7xx).
A model specc logged is imported from its specc-environment.json: the spec it was logged from.

exit codes: 0 written (warnings allowed), 1 nothing written (unreadable source, an existing
output, an invalid result), 2 usage error, 3 internal error.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "import",
        help=HELP,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("source", metavar="SOURCE", help="a file, a folder, or a models:/ or runs:/ URI")
    p.add_argument(
        "--from",
        dest="kind",
        metavar="KIND",
        help="the source's kind (default: detected): " + ", ".join(KIND_NAMES),
    )
    p.add_argument("--out", metavar="FILE", help="the spec to write (default: model-env.toml next to the source)")
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    p.add_argument(
        "--python",
        metavar="X.Y",
        help="runtime.python when the source names none (default: this interpreter's major.minor)",
    )
    p.add_argument("--name", help="model.name (default: the folder's name; for models:/NAME/..., the registered name)")
    add_format_argument(p)
    return p


def default_out(source: str, path: Path | None) -> Path:
    """model-env.toml next to a file, inside a folder, in the current folder for a URI."""
    if path is None:
        return Path("model-env.toml")
    return (path if path.is_dir() else path.parent) / "model-env.toml"


def run(args: argparse.Namespace) -> int:
    from specc.diagnostics import Diagnostic
    from specc.importers import KINDS, detect_kind, is_model_uri

    fmt = args.format
    uri = is_model_uri(args.source)
    path = None if uri else Path(args.source)
    out = Path(args.out) if args.out else default_out(args.source, path)

    def fail(
        code: str, message: str, hint: str | None = None, exit_code: int = EXIT_INVALID, file: str = "specc import"
    ) -> int:
        diag = Diagnostic.error(code, message=message, hint=hint, file=_one_line(file))
        _emit([diag], {}, fmt, out=None, kind=args.kind)
        return exit_code

    if args.kind is not None and args.kind not in KINDS:
        return fail("SPC701", f'unknown kind "{args.kind}"', "kinds: " + ", ".join(sorted(KINDS)), EXIT_USAGE)
    if args.python is not None:
        from specc.spec import PYTHON_VERSION

        if not PYTHON_VERSION.matches(args.python):
            return fail("SPC705", f'invalid --python "{args.python}"', "e.g. --python 3.11", EXIT_USAGE)
    if path is not None and not path.exists():
        return fail("SPC700", "no such file or folder", file=args.source)
    if path is not None and not _readable(path):
        # detection (and the default --out inside a folder) cannot look inside: say so
        return fail("SPC700", "cannot read it: permission denied", file=args.source)
    try:
        out_is_dir, out_exists = out.is_dir(), out.exists()
    except OSError as exc:
        return fail("SPC702", f"cannot check it: {exc.strerror or exc}", "choose another --out", file=str(out))
    if out_is_dir:
        return fail(
            "SPC702", "--out is a folder", "--out names the spec file to write, e.g. model-env.toml", file=str(out)
        )
    if out_exists and not args.force:
        return fail("SPC702", "already exists", "pass --force to replace it, or choose another --out", file=str(out))
    kind = args.kind or ("mlflow" if uri else detect_kind(path) if path is not None else None)
    if kind is None:
        return fail(
            "SPC701",
            "not a format specc imports",
            "name the kind with --from (" + ", ".join(sorted(KINDS)) + ")",
            file=args.source,
        )
    if uri and kind != "mlflow":
        return fail("SPC701", "an MLflow model URI", "drop --from, or pass --from mlflow", file=args.source)
    if args.kind is not None and path is not None and path.is_dir() and not _detects(KINDS[kind], path):
        # a folder the named kind does not recognize: its importer would only say "cannot read ."
        return fail(
            "SPC701",
            f"--from {kind}: the folder holds nothing {kind} reads",
            f"{kind} reads {KINDS[kind].summary}; name the file, or drop --from",
            file=args.source,
        )

    import tempfile

    with tempfile.TemporaryDirectory(prefix="specc-import-") as tmp:
        if uri:
            from specc.importers.mlflow_model import ModelDownloadError, download

            try:
                path = download(args.source, Path(tmp))
            except ModelDownloadError as exc:
                return fail("SPC707", str(exc), exc.hint, file=args.source)
        assert path is not None
        return _import(args, kind, path, out, uri=uri)


def _import(args: argparse.Namespace, kind: str, path: Path, out: Path, *, uri: bool) -> int:
    from specc.diagnostics import Diagnostic
    from specc.importers import KINDS
    from specc.importers.base import Draft
    from specc.importers.writer import complete, finish, notes_to_diagnostics
    from specc.output import OutputError, write_file_atomic
    from specc.spec import slug

    root = path if path.is_dir() else path.parent
    draft = Draft(kind, root=root, out_dir=out.parent, named=None if path.is_dir() else path)
    if uri:
        draft.origin = args.source
    KINDS[kind].read(path, draft)
    fmt = args.format
    if any(n.severity == "error" for n in draft.notes):
        diags = notes_to_diagnostics(draft.notes, default_file=_one_line(args.source))
        _emit(diags, _sources(diags, root), fmt, out=None, kind=kind)
        if fmt == "text":
            print("specc import: nothing written", file=sys.stderr)
        return EXIT_INVALID
    python = args.python or f"{sys.version_info.major}.{sys.version_info.minor}"
    if uri:
        name, name_source = _uri_name(args.source), args.source
    else:
        name, name_source = root.resolve().name, "the folder's name"
    if args.name:
        name, name_source = args.name, "--name"
        draft.remove(("model", "name"))  # the flag wins over a name the source gives
    shown = args.source if uri else (path.name or str(path))
    if uri and not args.name and not args.source.startswith("models:/") and draft.get(("model", "name")) is None:
        # a run holds no model name (only an artifact path), and the source did not give one
        draft.report(
            "SPC790",
            f'model.name is "{slug(name) or "model"}": a run names no model, only the artifact path',
            hint="pass --name NAME, or import the registered model (models:/NAME/VERSION)",
        )
    complete(
        draft, name=name, python=python, name_source=name_source, python_source="--python" if args.python else None
    )
    header = (
        f"Imported by `specc import` from {_one_line(shown)} ({kind}).\n"
        "Each entry says where it came from; review them, then run `specc validate`."
    )
    text, result = finish(draft, out, header=header)
    diags = notes_to_diagnostics(draft.notes, default_file=_one_line(shown))
    loader = list(result.diagnostics)
    sources = _sources(diags, root)
    sources.update(result.sources)
    if any(d.severity == "error" for d in loader):
        _emit(diags + loader, sources, fmt, out=None, kind=kind)
        if fmt == "text":
            print("specc import: nothing written (the result does not validate)", file=sys.stderr)
        return EXIT_INVALID
    try:
        write_file_atomic(out, text)
    except OutputError as exc:  # a folder that cannot hold it (no such folder on /proc, read-only, ...)
        refused = Diagnostic.error("SPC702", message=exc.message, hint=exc.hint, file=_one_line(str(out)))
        _emit(diags + loader + [refused], sources, fmt, out=None, kind=kind)
        if fmt == "text":
            print("specc import: nothing written", file=sys.stderr)
        return EXIT_INVALID
    _emit(diags + loader, sources, fmt, out=out, kind=kind)
    if fmt == "text":
        not_carried = _not_carried()
        carried = sum(1 for d in diags if d.code in not_carried)
        print(
            f"wrote {out} ({kind}; {carried} item{'s' if carried != 1 else ''} not carried over)"
            + "\nnext: review it, then run `specc validate`",
            file=sys.stderr,
        )
    return EXIT_OK


def _not_carried() -> frozenset[str]:
    """The codes that say an item of the source was left behind, for the summary line: from
    specc.codes, every import code (700 to 749) named ``*-not-carried`` or ``*-not-followed``, and
    ``import-entry-dropped`` (an entry the loader refused).  Codes of lossy but carried
    conversions (``conda-package-mapped``, ``peer-conda-package``, ``secret-value-dropped``: the
    variable is carried as a secret) do not count."""
    from specc.codes import CODES

    return frozenset(
        c.code
        for c in CODES.values()
        if 700 <= int(c.code[3:]) < 750
        and (c.name.endswith(("-not-carried", "-not-followed")) or c.name == "import-entry-dropped")
    )


def _detects(importer: Importer, path: Path) -> bool:
    """Whether ``importer`` recognizes the folder ``path`` or a file directly in it (the conda
    and requirements importers read a folder's environment.yml / requirements.txt, but detect
    files only, so that auto-detection leaves such folders to repo2docker)."""
    try:
        return importer.detect(path) or any(importer.detect(f) for f in sorted(path.iterdir()) if f.is_file())
    except OSError:
        return False


def _one_line(text: str) -> str:
    import re

    from specc.diagnostics import redact

    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", "?", redact(text))


def _uri_name(uri: str) -> str:
    """``models:/churn/3`` and ``models:/churn@champion`` → ``churn``; ``runs:/...`` → ``model``."""
    if uri.startswith("models:/"):
        rest = uri[len("models:/") :].strip("/")
        return rest.split("/")[0].split("@")[0] or "model"
    return "model"


def _sources(diags: list[Diagnostic], root: Path) -> dict[str, str]:
    """The texts of the files the diagnostics point into (for excerpts), read once each."""
    from specc.importers.base import decode_text

    out: dict[str, str] = {}
    for d in diags:
        file = d.file
        if not file or file in out:
            continue
        p = root / file
        try:
            if p.is_file() and p.stat().st_size < 1 << 20:
                data = p.read_bytes()
                try:
                    out[file] = decode_text(data)
                except (UnicodeDecodeError, LookupError):
                    out[file] = data.decode("utf-8", errors="replace")
        except OSError:
            continue
    return out


def _emit(diags: list[Diagnostic], sources: dict[str, str], fmt: str, *, out: Path | None, kind: str | None) -> None:
    """Diagnostics file by file, each file's in line order (JSON on stdout, text on stderr)."""
    from specc.commands._common import use_color
    from specc.diagnostics import render_json, render_text, sort_key

    ordered = sorted(diags, key=lambda d: (d.file or "", *sort_key(d)))
    if fmt == "json":
        print(render_json(ordered, extra={"output": str(out) if out else None, "kind": kind}))
        return
    if ordered:
        print(render_text(ordered, sources, color=use_color(sys.stderr)), file=sys.stderr)
        print(file=sys.stderr)


def _readable(path: Path) -> bool:
    """Whether this process may read the file ``path``, or list and enter the folder ``path``."""
    import os

    return os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0))
