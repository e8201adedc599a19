"""Validate a parsed model-env.toml and build its canonical :class:`EnvSpec`.

The pipeline, one direction::

    Document ──shape──▶ TypedInput ──sections──▶ normalized parts + origins ──▶ EnvSpec
                                                                   │
                          cross-section rules, target capabilities ┘ (on normalized paths)

1. ``shape``: the ``*Input`` models type the document in one pydantic call; on
   failure each error becomes a diagnostic and removes only its own item, so the
   rest is still checked (every problem is reported in one run);
2. one module per section (``runtime``, ``python``, ``code``, ``apt``, ``maven``,
   ``r``, ``env``, ``secrets``, ``artifacts``, ``mlflow``, ``targets``) checks what
   a schema cannot say (PEP 508/440, paths inside the repository, secrets in
   URLs, conflicting pins), with the syntax rules the input models carry, and
   returns parsed normalized values, recording each value's origin;
3. ``cross`` rules and every implied target's capabilities
   (:func:`specc.backends.check_capabilities`) run on the normalized spec; their
   diagnostics carry normalized paths and are placed through the origins.

Nothing here reads the environment; the filesystem is read only for the files
the spec names (existence, confinement, sha256, requirements files).

The result keeps the parsed document and the origins, so a command that later
gets diagnostics on normalized paths (a target's render) places them with
:meth:`Result.locate` instead of reading the spec again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from specc.diagnostics import Diagnostic, Origins, PathPart, TomlPath
from specc.document import Document, Source
from specc.spec import EnvSpec

__all__ = ["Result", "locate", "validate_document"]

# diagnostics about a key (its name), not its value: the caret goes under the key
KEY_CODES = frozenset({"SPC101", "SPC113", "SPC114", "SPC125"})


@dataclass
class Result:
    """What validation produced.

    ``spec`` is the normalized spec when there is no error (its ``origins`` are
    ``origins``); ``diagnostics`` every problem found, each located (file, span);
    ``sources`` the text of every file they point into (the spec, requirements
    files), by the name they show; ``document`` the parsed spec (None when it
    could not be read); ``origins`` normalized path → :class:`~specc.diagnostics.Origin`,
    kept even when the spec is invalid.
    """

    spec: EnvSpec | None
    diagnostics: list[Diagnostic]
    sources: dict[str, str] = field(default_factory=dict)
    document: Document | None = None
    origins: Origins = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.spec is not None

    def locate(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        """Place diagnostics given on NORMALIZED paths (a target's, a capability's) in their source.

        For each diagnostic without a span: the longest prefix of its path that has an
        origin decides where it is: a requirements-file line (file and span of that
        line, path of its ``requirements-files`` entry), or the TOML entry the value
        came from, plus the rest of the path as far as the TOML spells it out
        (``("maven", "packages", 0, "coordinates")`` under a table entry, the entry
        itself under a short string).  Without an origin the same path is looked up
        in the TOML (its nearest written ancestor).  Diagnostics that already have a
        span, and every diagnostic when there is no document (a spec rebuilt from a
        logged model), are returned unchanged.  Uses only what validation kept: the
        spec file is not read again.
        """
        if self.document is None:
            return list(diagnostics)
        return locate(diagnostics, self.origins, self.document)

    def source(self, name: str) -> Source | None:
        """The text a diagnostic's ``file`` names, for excerpts."""
        text = self.sources.get(name)
        return Source.of(name, text) if text is not None else None


def locate(diagnostics: Iterable[Diagnostic], origins: Origins, doc: Document) -> list[Diagnostic]:
    """See :meth:`Result.locate`."""
    return [_locate_one(d, origins, doc) for d in diagnostics]


def _locate_one(d: Diagnostic, origins: Origins, doc: Document) -> Diagnostic:
    if d.span is not None:
        return d if d.file else replace(d, file=doc.source.name)
    key = d.code in KEY_CODES
    path = d.path
    for cut in range(len(path), 0, -1):
        origin = origins.get(path[:cut])
        if origin is None:
            continue
        if origin.file is not None:
            return replace(d, path=origin.path, file=origin.file, span=origin.span)
        return doc.locate(replace(d, path=_written(doc, origin.path, path[cut:])), key=key)
    return doc.locate(d, key=key)


def _written(doc: Document, base: TomlPath, rest: Sequence[PathPart]) -> TomlPath:
    """``base`` + as much of ``rest`` as the TOML writes out under it."""
    out = base
    for part in rest:
        nxt = (*out, part)
        if nxt not in doc.source_map.values:
            break
        out = nxt
    return out


def validate_document(doc: Document, *, targets: Iterable[str] | None = None) -> Result:
    """Validate a parsed document; every diagnostic is located in its source.

    ``targets``: the targets whose capabilities the spec must fit; None means the
    ones it declares or implies (:func:`specc.backends.implied_targets`).
    """
    from specc.gcpause import paused
    from specc.validate import pipeline

    # Building 100,000 requirements allocates millions of small objects that the cyclic
    # collector would re-scan many times over (see specc.gcpause); validation makes no cycles
    # it needs collected, so the collector pauses for the run and is restored as it was.
    with paused():
        return pipeline.run(doc, targets)
