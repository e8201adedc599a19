"""The Python API: ``specc.load`` and friends, for notebooks and build scripts."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from specc.diagnostics import Diagnostic, render_text
from specc.document import LoadError, parse_spec_bytes, read_spec_file
from specc.spec import EnvSpec
from specc.validate import Result, validate_document

DEFAULT_SPEC = "model-env.toml"


class SpecError(ValueError):
    """The spec is invalid; ``diagnostics`` lists every problem (``str()`` renders them)."""

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, str] | None = None) -> None:
        self.diagnostics = diagnostics
        self.sources = sources or {}
        super().__init__("\n" + render_text(diagnostics, self.sources))

    def __reduce__(self) -> tuple[Any, ...]:  # pickled with its own arguments (process pools)
        return (type(self), (self.diagnostics, self.sources))


def check(
    path: str | os.PathLike[str] = DEFAULT_SPEC,
    *,
    display: str | None = None,
    targets: Iterable[str] | None = None,
) -> Result:
    """Validate a spec file; never raises for bad input (the result carries diagnostics).

    ``display`` is the name diagnostics give the file (default: ``path`` as given);
    ``targets`` the targets whose capabilities the spec must fit (default: the ones
    it declares or implies).  The result keeps the parsed document and the origins:
    place any later diagnostic with :meth:`Result.locate`, never by reading the file again.
    """
    p = Path(path)
    try:
        doc = read_spec_file(p, display or str(path))
    except LoadError as exc:
        sources = {exc.source.name: exc.source.text} if exc.source else {}
        return Result(None, exc.diagnostics, sources)
    return validate_document(doc, targets=targets)


def check_text(
    text: str,
    *,
    base_dir: str | os.PathLike[str] | None = None,
    name: str = DEFAULT_SPEC,
    targets: Iterable[str] | None = None,
) -> Result:
    """Validate spec text as if it were ``base_dir/name`` (default: the current folder)."""
    path = Path(base_dir or ".").resolve() / name
    try:
        doc = parse_spec_bytes(text.encode("utf-8"), name, path)
    except LoadError as exc:
        sources = {exc.source.name: exc.source.text} if exc.source else {}
        return Result(None, exc.diagnostics, sources)
    return validate_document(doc, targets=targets)


def load(path: str | os.PathLike[str] = DEFAULT_SPEC, *, strict: bool = False) -> EnvSpec:
    """Load, validate and normalize a ``model-env.toml``.

    Raises :class:`SpecError` listing every problem when the spec is invalid
    (or, with ``strict=True``, has warnings).  Warnings are otherwise available
    from :func:`check`.
    """
    result = check(path)
    problems = [d for d in result.diagnostics if d.severity == "error" or strict]
    if result.spec is None or problems:
        raise SpecError(problems or result.diagnostics, result.sources)
    return result.spec
