"""What every command shares: loading a spec and reporting diagnostics."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from specc.diagnostics import Diagnostic, render_json, render_text, sort_key, summary_line

if TYPE_CHECKING:  # annotations only: the argument helpers stay light for every command's parser
    from specc.spec import EnvSpec
    from specc.validate import Result

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def add_spec_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "path",
        nargs="?",
        default="model-env.toml",
        metavar="PATH",
        help="the spec file, or a folder holding model-env.toml (default: ./model-env.toml)",
    )


def add_format_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="diagnostics as human-readable text (default) or JSON",
    )


def add_strict_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")


def use_color(stream: object = sys.stderr) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def apply_strict(diags: list[Diagnostic], strict: bool) -> list[Diagnostic]:
    if not strict:
        return diags
    return [d.with_severity("error") if d.severity == "warning" else d for d in diags]


def report(
    diagnostics: list[Diagnostic],
    sources: dict[str, str],
    fmt: str = "text",
    *,
    stream: TextIO | None = None,
) -> None:
    """Print diagnostics, sorted by position, text to stderr (JSON goes where asked)."""
    diags = sorted(diagnostics, key=sort_key)
    out = stream if stream is not None else sys.stderr
    if fmt == "json":
        print(render_json(diags), file=out)
        return
    if diags:
        print(render_text(diags, sources, color=use_color(out)), file=out)
        print(file=out)


def load_for_command(
    path: str, *, strict: bool = False, fmt: str = "text", targets: Iterable[str] | None = None
) -> tuple[EnvSpec | None, Result]:
    """Validate ``path``; print its diagnostics; return the spec when usable.

    Commands that produce output call this first and exit 1 when it returns
    None, so nothing is ever written from an invalid spec.  ``targets``: the
    targets whose capabilities the spec must fit (None: the ones it declares or
    implies; a render passes those plus its own target).  The returned Result
    keeps the parsed document and origins: a command places its later
    diagnostics (a target's, on normalized paths) with ``result.locate(...)``
    and prints them with ``result.sources``; it never reads the spec again.
    """
    from specc.api import check

    result = check(Path(path), display=path, targets=targets)
    diags = apply_strict(result.diagnostics, strict)
    if fmt == "text":
        report(diags, result.sources)
    if any(d.severity == "error" for d in diags):
        if fmt == "text":
            print(f"{path}: invalid ({summary_line(diags)})", file=sys.stderr)
        result.diagnostics = diags
        return None, result
    result.diagnostics = diags
    return result.spec, result
