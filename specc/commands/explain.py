"""``specc explain``: why each line of a rendered output is there (spec entry, file:line:col, rule).

Renders in memory exactly as ``specc render`` does (the same target flags, built from the
targets' options by :func:`specc.commands.render.add_target_flags`), writes nothing, and prints
the provenance of each line / JSON field (:mod:`specc.explain`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specc.commands._common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    add_format_argument,
    report,
)

if TYPE_CHECKING:
    from specc.validate import Result

HELP = "explain each line of a rendered output: the spec entry (file:line:col) and the rule that produced it"
EPILOG = """\
examples:
  specc explain --target docker                      every file, line by line, with its sources
  specc explain --target docker Dockerfile           one file
  specc explain examples/kitchen-sink -t docker Dockerfile:44   one line, with the spec text behind it
  specc explain examples/kitchen-sink -t databricks libraries.json#/libraries/0
                                                     one JSON field (an RFC 6901 pointer)
  specc explain -t docker requirements.txt:5         a unique file name is enough
  specc explain -t docker --locked Dockerfile        the render `specc render --locked` writes
  specc explain -t mlflow --format json > why.json   schemas/specc-explain.schema.json

Nothing is written: the target renders in memory.  Every line is listed; a line no
spec entry produced shows what of the target generated it ("generated [...]").
With a single argument, a folder or a *.toml file is the spec; anything else is FILE
(so is a folder without model-env.toml when ./model-env.toml exists).
exit codes: 0 ok, 1 invalid spec, the target cannot render it, or an unknown
file/line/field (SPC770-SPC774), 2 usage, 3 internal.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    from specc.backends import BACKENDS
    from specc.commands.render import add_target_flags

    p = sub.add_parser(
        "explain",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "path",
        nargs="?",
        default=None,
        metavar="PATH",
        help="the spec file, or a folder holding model-env.toml (default: ./model-env.toml)",
    )
    p.add_argument(
        "address",
        nargs="?",
        default=None,
        metavar="FILE[:LINE]",
        help="an output file, FILE:LINE for one line, FILE#/pointer for one JSON field (default: every file)",
    )
    p.add_argument("--target", "-t", required=True, choices=sorted(BACKENDS), help="the target to render")
    add_format_argument(p)
    add_target_flags(p, list(BACKENDS.values()))
    # `specc explain PATH --target T FILE`: positionals on both sides of the options
    p.parse_known_args = _Intermixed(p)  # type: ignore[method-assign,assignment]
    return p


class _Intermixed:
    """The explain parser's ``parse_known_args``: argparse's own intermixed parsing
    (:meth:`argparse.ArgumentParser.parse_known_intermixed_args`), so that a positional after an
    option (``PATH --target T FILE``) is not "unrecognized": the subcommand's parser is called
    with ``parse_known_args`` by argparse, which parses positionals in one run.  The
    intermixed parse calls ``parse_known_args`` itself (Python < 3.13): those inner calls get
    the plain method."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser
        self.busy = False

    def __call__(
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self.busy:
            return argparse.ArgumentParser.parse_known_args(self.parser, args, namespace)
        self.busy = True
        try:
            return self.parser.parse_known_intermixed_args(args, namespace)
        finally:
            self.busy = False


def _is_spec(arg: str) -> bool:
    """With one positional argument: a ``*.toml`` file or a folder is the spec, else an output
    FILE -- except a folder without ``model-env.toml`` while ``./model-env.toml`` exists: that is
    an output path the repository also has (``[code] paths = ["code/churn"]`` renders to
    ``code/churn``), so FILE."""
    if arg.endswith(".toml"):
        return True
    folder = Path(arg)
    if not folder.is_dir():
        return False
    return (folder / "model-env.toml").is_file() or not Path("model-env.toml").is_file()


def run(args: argparse.Namespace) -> int:
    from specc.backends import BACKENDS
    from specc.commands._common import load_for_command
    from specc.commands.render import (
        ModelCheckError,
        OptionError,
        check_model,
        foreign_flags,
        locate,
        target_options,
    )
    from specc.diagnostics import Diagnostic, render_json, sort_key
    from specc.explain import (
        ExplainError,
        explain,
        locator,
        masker,
        parse_address,
        render_text,
        select,
        to_json,
    )

    path, address = args.path, args.address
    if address is None and path is not None and not _is_spec(path):
        path, address = None, path
    path = path or "model-env.toml"
    backend = BACKENDS[args.target]
    foreign = foreign_flags(backend, args, list(BACKENDS.values()))
    if foreign:
        print(f"specc explain: {', '.join(foreign)} does not apply to --target {args.target}", file=sys.stderr)
        return EXIT_USAGE

    spec, result = load_for_command(path, fmt=args.format, targets=())
    if spec is None:
        if args.format == "json":
            report(result.diagnostics, result.sources, "json", stream=sys.stdout)
        return EXIT_INVALID
    sources = dict(result.sources)
    try:
        options = target_options(backend, args, spec)
    except OptionError as exc:
        print(f"specc explain: {exc}", file=sys.stderr)
        return EXIT_INVALID
    found: list[Diagnostic] = []
    if options.model_dir is not None:
        try:
            options, found, model_sources = check_model(spec, options, display=getattr(args, "model", None))
        except ModelCheckError as exc:
            print(f"specc explain: {exc}", file=sys.stderr)
            return EXIT_INVALID
        sources.update(model_sources)
    rendered = backend.render(spec, options)
    diags = found + locate(rendered.diagnostics, spec, result)
    if any(d.severity == "error" for d in diags):
        report(diags, sources, args.format, stream=sys.stdout if args.format == "json" else None)
        print(f"specc explain: the {args.target} target cannot render this spec; fix the errors above", file=sys.stderr)
        return EXIT_INVALID

    mask = masker(spec)
    explanation = explain(rendered, backend.name, _spec_name(result, path), locator(result), mask)
    # what a render flag put there (--cluster-id, --model-name...) is the flag's, not the target's
    from specc.backends.base import flags_of
    from specc.explain import with_flags

    given = {
        f.option: str(getattr(options, name))
        for name, f in flags_of(backend.options_type).items()
        if f.kind == "text" and getattr(options, name, None) not in (None, "")
    }
    explanation = with_flags(explanation, given)
    if options.model_dir is not None:  # the --model copy: the flag, not a spec entry, put it there
        from specc.explain import with_model

        explanation = with_model(explanation, Path(options.model_dir), str(getattr(args, "model", None) or ""))
    if getattr(options, "locked", None) is not None and spec.spec_path:
        # `--locked`: each pinned line also from the lock entry that pins it
        from specc.explain import with_lock
        from specc.lockfile import lock_path_for

        lock_file = lock_path_for(spec.spec_path)
        lock_name = str(Path(_spec_name(result, path)).parent / lock_file.name)
        try:
            lock_text = lock_file.read_text(encoding="utf-8")
        except OSError:
            lock_text = ""
        if lock_text:
            explanation = with_lock(explanation, lock_text, lock_name)
            sources[lock_name] = lock_text
    try:
        files = explanation.files if address is None else (select(explanation, parse_address(address)),)
    except ExplainError as exc:
        report([*diags, exc.diagnostic], sources, args.format, stream=sys.stdout if args.format == "json" else None)
        return EXIT_INVALID
    if args.format == "json":
        # the spec's own warnings too (text mode printed them while loading)
        warnings = [*result.diagnostics, *(d for d in diags if d not in result.diagnostics)]
        items: list[dict[str, Any]] = json.loads(render_json(sorted(warnings, key=sort_key)))["diagnostics"]
        print(json.dumps(to_json(explanation, files, items), indent=2, ensure_ascii=False))
        return EXIT_OK
    report(diags, sources)
    detail = address is not None and len(files[0].pieces) == 1
    text = render_text(files, detail=detail, sources=sources, mask=mask)
    if text:
        print(text)
    return EXIT_OK


def _spec_name(result: Result, path: str) -> str:
    """The spec as diagnostics name it (the document's display name)."""
    if result.document is not None:
        return result.document.source.name
    return path
