"""``specc explain``: which spec entry, and which rule of the target, produced each piece of a render.

Built on the provenance a render already carries (:attr:`specc.backends.base.Rendered.provenance`:
marks → output lines / JSON pointers → normalized EnvSpec paths) and on the validation result's
:meth:`~specc.validate.Result.locate` (normalized path → the written TOML entry and its
``file:line:col``, or a requirements file's line).  Nothing is written and the spec is not read
again.

Shapes:

- an output *text* file is explained line by line (``where`` is the 1-based line number);
  YAML files are rendered as text by every target and explained by line too;
- an output *JSON* file field by field (``where`` is an RFC 6901 JSON pointer): every scalar
  and empty container, plus every object key a spec entry named;
- a *copied* file or folder (wheels, code, private packages) as one piece, ``where`` = 1.

Each :class:`Piece` has the spec entries behind it (:class:`Source`: normalized path, the
written entry, its file, line and column, and the rule of the target that put it there), or
none: then :attr:`Piece.generated` names what of the target wrote it (``"docker: Dockerfile
template (apt packages ...)"``): every line and field is listed, boilerplate included.

Errors are :class:`ExplainError` carrying a diagnostic with a code in SPC770-SPC774
(docs/explain.md): an unknown output file, a line out of range, an unknown JSON pointer, an
address of the wrong kind.

The JSON form (``specc explain --format json``) is :func:`to_json`, published as
``schemas/specc-explain.schema.json`` (:func:`explain_schema`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from specc.diagnostics import Diagnostic, Span, TomlPath, format_path, redact

if TYPE_CHECKING:
    from specc.backends.base import Produced, Rendered
    from specc.spec import EnvSpec
    from specc.validate import Result

__all__ = [
    "EXPLAIN_VERSION",
    "Address",
    "ExplainError",
    "Explanation",
    "FileExplanation",
    "Located",
    "Piece",
    "Source",
    "explain",
    "explain_schema",
    "locator",
    "masker",
    "parse_address",
    "select",
    "to_json",
    "with_flags",
    "with_lock",
    "with_model",
]

#: Version of the JSON document (:func:`to_json`); bumped when a field changes meaning.
EXPLAIN_VERSION = 1

FileKind = Literal["text", "json", "copied"]


@dataclass(frozen=True)
class Located:
    """Where a normalized spec path was written: the TOML ``entry`` (path as written, e.g.
    ``("python", "requirements-files", 0)`` for a requirements-file line) and its ``file`` and
    ``span`` (a requirements file's line for a requirement read from one)."""

    entry: TomlPath
    file: str | None
    span: Span | None
    written: bool = True  # False: a default, placed at the nearest written table
    # further written entries behind the same path: a `requirements = [...]` list whose
    # normalized list also holds the lines of `requirements-files`
    more: tuple[Located, ...] = ()


#: normalized path → where it was written (built from ``Result.locate`` by the command)
Locator = Callable[[TomlPath], Located]


@dataclass(frozen=True)
class Source:
    """One spec entry behind a piece of output.

    ``path``: the normalized EnvSpec path the target marked; ``written``: whether the spec
    wrote that value (False for a default the target derived, e.g. the base image from
    ``[runtime]``: then ``entry`` is the nearest written table); ``rule``: the part of the
    target that put it there (the mark's rule, else the piece's section).
    """

    path: TomlPath
    entry: TomlPath
    file: str | None
    span: Span | None
    rule: str
    written: bool

    @property
    def at(self) -> str:
        """``file:line:col`` (``file`` alone without a span; "" without a file)."""
        if self.file is None:
            return ""
        if self.span is None:
            return self.file
        return f"{self.file}:{self.span.line}:{self.span.col}"


@dataclass(frozen=True)
class Piece:
    """One line (``where``: int) or JSON field (``where``: a pointer) of an output file."""

    where: int | str
    text: str
    sources: tuple[Source, ...]
    section: str  # the output's own heading the piece stands under ("" when none)
    generated: str  # for a piece with no source: what of the target wrote it; else ""

    @property
    def rules(self) -> tuple[str, ...]:
        """The distinct rules that produced the piece, in order (the generated rule when no source)."""
        if not self.sources:
            return (self.generated,)
        return tuple(dict.fromkeys(s.rule for s in self.sources))


@dataclass(frozen=True)
class FileExplanation:
    """One output file explained; ``copy`` is what a copied file or folder is a copy of (the
    source path the render copies), so that an address inside it can be checked."""

    file: str
    kind: FileKind
    pieces: tuple[Piece, ...]
    copy: Path | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Explanation:
    target: str
    spec: str  # the spec as diagnostics name it
    files: tuple[FileExplanation, ...]


class ExplainError(Exception):
    """The address asked for does not exist in the render; ``diagnostic`` says why (SPC77x)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def locator(result: Result) -> Locator:
    """normalized path → :class:`Located`, through ``result.locate`` (the one place that maps
    origins to the written entry and its span, as it does for a target's diagnostics; the spec
    is not read again).  ``span`` is None when the spec writes nothing on the path at all (then
    it is no source: :func:`explain` drops it).

    ``written`` says whether the spec wrote the value itself: the path, or a value holding it
    (a requirement string holds its ``name``), has an origin or is spelled in the TOML.  A path
    the TOML does not spell (a default: ``targets.docker.port`` under a written
    ``[targets.docker]``) and a path naming a whole table no origin records (the base image
    derived from ``[runtime]``) are not written: ``entry`` is then the nearest table the TOML
    does write, which ``span`` points at."""
    origins = result.origins
    doc = result.document

    def where(path: TomlPath) -> Located:
        # a carrier diagnostic: locate() places diagnostics, and only the path matters here
        (d,) = result.locate([Diagnostic.create("SPC770", message="", path=path)])
        if d.span is None or doc is None:
            written = d.span is not None and (
                d.path == path or any(path[:k] in origins for k in range(len(path), 0, -1))
            )
            return Located(d.path, d.file, d.span, written)
        if path in origins:
            return Located(d.path, d.file, d.span, True)
        if d.file is not None and d.file != doc.source.name:  # a requirements file's line
            return Located(d.path, d.file, d.span, True)
        entry = d.path
        spelled = doc.source_map.values
        held = holders().get(path, [])
        if entry not in spelled:
            common = _common(held)
            if common:  # a list the TOML does not spell whose items came from written entries
                return Located(common, doc.source.name, doc.source_map.value_span(doc.source, common), True)
        while entry and entry not in spelled:  # the nearest entry the TOML writes
            entry = entry[:-1]
        written = entry == d.path and not isinstance(_value_at(doc.data, entry), dict)
        elsewhere = _common([h for h in held if h[: len(entry)] != entry]) if written else ()
        more = (Located(elsewhere, doc.source.name, doc.source_map.value_span(doc.source, elsewhere)),)
        return Located(entry, d.file, d.span, written, more if elsewhere else ())

    index: dict[TomlPath, list[TomlPath]] = {}
    built: list[bool] = []

    def holders() -> dict[TomlPath, list[TomlPath]]:
        """A normalized list's path → the written entries its items came from, in order (the
        items' origins: ``python.constraints`` read from a ``-c`` file of
        ``python.requirements-files[0]`` → that entry).  Built once, on first use."""
        if not built:
            built.append(True)
            found: dict[TomlPath, dict[TomlPath, None]] = {}
            for key, origin in origins.items():
                if key and isinstance(key[-1], int):
                    found.setdefault(key[:-1], {})[origin.path] = None
            index.update((parent, list(entries)) for parent, entries in found.items())
        return index

    return where


def _common(paths: Sequence[TomlPath]) -> TomlPath:
    """The longest TOML path every one of ``paths`` starts with (``()`` for none): one entry
    itself, or the list several entries share (``python.requirements-files``)."""
    if not paths:
        return ()
    common = paths[0]
    for other in paths[1:]:
        n = 0
        while n < min(len(common), len(other)) and common[n] == other[n]:
            n += 1
        common = common[:n]
    return common


def _value_at(data: Any, path: TomlPath) -> Any:
    """The TOML document's value at ``path`` (None when it has none)."""
    node = data
    for part in path:
        inside = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not inside:
            return None
        node = node[part]
    return node


# --- building the explanation ------------------------------------------------------------------------


#: Hides credentials in a piece of text (:func:`masker`; :func:`specc.diagnostics.redact` by default).
Mask = Callable[[str], str]


def masker(spec: EnvSpec) -> Mask:
    """:func:`~specc.diagnostics.redact`, and every ``[env]`` value ``specc diff`` hides (its name
    says credential, ``*_TOKEN``, ``*API_KEY*``..., or its value looks like one: the rule of
    SPC404, :func:`specc.diff.env_hidden`) masked where it appears: anywhere when it is
    :data:`~specc.diagnostics.MIN_SCRUB_LENGTH` characters or longer, else on a line naming its
    variable or in a piece that is the value itself (a JSON field).  Each character becomes
    one ``*``, as diagnostics mask."""
    from specc.diagnostics import MIN_SCRUB_LENGTH
    from specc.diff import env_hidden

    hidden = sorted(
        ((name, value) for name, value in spec.env.items() if env_hidden(name, value)),
        key=lambda item: len(item[1]),
        reverse=True,
    )

    def mask(text: str) -> str:
        out = redact(text)
        for name, value in hidden:
            for form in dict.fromkeys((value, json.dumps(value, ensure_ascii=False)[1:-1])):
                if form and form in out:
                    whole = out.strip() == json.dumps(value, ensure_ascii=False)
                    if len(form) >= MIN_SCRUB_LENGTH or name in out or whole:
                        out = out.replace(form, "*" * len(form))
        return out

    return mask


def explain(rendered: Rendered, target: str, spec_name: str, locate: Locator, mask: Mask = redact) -> Explanation:
    """Every output file of ``rendered``, each line / field with its sources (see the module doc);
    ``mask`` hides credentials in the text shown (:func:`masker` for the spec's ``[env]``)."""
    provenance = rendered.provenance
    located: dict[TomlPath, Located] = {}

    def where_of(path: TomlPath) -> Located:
        if path not in located:
            located[path] = locate(path)
        return located[path]

    files = []
    for name in sorted(rendered.files):
        files.append(_explain_file(name, rendered.files[name], provenance.get(name, []), target, where_of, mask))
    return Explanation(target, spec_name, tuple(files))


def _explain_file(
    name: str, content: bytes | Path, produced: Sequence[Produced], target: str, where_of: Locator, mask: Mask
) -> FileExplanation:
    by_where: dict[int | str, list[Produced]] = {}
    for p in produced:
        by_where.setdefault(p.where, []).append(p)
    base = name.rsplit("/", 1)[-1]
    if not isinstance(content, bytes):
        kind: FileKind = "copied"
        text = f"(a copy of {content.name}{'/' if content.is_dir() else ''})"
        rule = f"{target}: copied file"
        raw: list[tuple[int | str, str, str]] = [(1, text, "")]
    elif name.endswith(".json"):
        kind = "json"
        rule = f"{target}: {base}"
        raw = list(_json_pieces(json.loads(content), set(by_where)))
    else:
        kind = "text"
        rule = f"{target}: {base} template"
        raw = list(_text_pieces(content.decode("utf-8", errors="replace"), markdown=name.endswith(".md")))
    pieces = []
    for where, text, section in raw:
        sources = _sources(by_where.get(where, ()), section, where_of)
        generated = "" if sources else (f"{rule} ({section})" if section else rule)
        pieces.append(Piece(where, mask(text), sources, section, generated))
    return FileExplanation(name, kind, tuple(pieces), None if isinstance(content, bytes) else content)


def _sources(produced: Sequence[Produced], section: str, where_of: Locator) -> tuple[Source, ...]:
    """The sources of one piece: each written entry once (the first mark's path and rule: marks
    come before the fields of a spec document, so a mark's rule wins)."""
    out: list[Source] = []
    seen: set[TomlPath] = set()
    placed: set[tuple[TomlPath, str | None, Span | None]] = set()
    for p in produced:
        for path in p.paths:
            if path in seen:
                continue
            seen.add(path)
            loc = where_of(path)
            if loc.span is None:  # the spec writes nothing on this path (a hash, a format version)
                continue
            if (loc.entry, loc.file, loc.span) in placed:
                continue
            placed.add((loc.entry, loc.file, loc.span))
            rule = p.rule_of(path) or section or "target"
            out.append(Source(path, loc.entry, loc.file, loc.span, rule, loc.written))
            for extra in loc.more:  # the other written entries behind the same list
                if (extra.entry, extra.file, extra.span) not in placed:
                    placed.add((extra.entry, extra.file, extra.span))
                    out.append(Source(path, extra.entry, extra.file, extra.span, rule, extra.written))
    return tuple(out)


# A pinned requirement line of a locked render: `name==version` (extras allowed), hashes after it;
# also a YAML list item (`- "name==version"`, conda.yaml's pip section).
_PIN = re.compile(r"^\s*(?:-\s+)?[\"']?(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\\"']+)")

#: The rule of a source in ``model-env.lock`` (:func:`with_lock`).
LOCK_RULE = "locked pin (model-env.lock)"


def with_lock(explanation: Explanation, lock_text: str, lock_name: str) -> Explanation:
    """``explanation`` of a ``--locked`` render with each pinned line (``name==version ...``
    in a text file, or a JSON string such as a ``pypi`` library's package) also traced to the
    lock entry that pins it: the ``[[python.packages]]`` of that name and version, at its
    ``name = ...`` in ``model-env.lock`` (``lock_name`` as diagnostics show it).  A package
    only the lock names (a transitive one) is otherwise "generated"; a requirement the spec
    names keeps its spec source first.  The lock's positions come from the TOML scanner
    validation uses (:func:`specc.document.scan`); ``path`` and ``entry`` of such a source are
    the lock's own TOML path (``python.packages[12]``)."""
    import sys

    from packaging.utils import canonicalize_name

    from specc.document import Source as Text
    from specc.document import scan

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        data = tomllib.loads(lock_text)
    except tomllib.TOMLDecodeError:
        return explanation
    packages = data.get("python", {}).get("packages", [])
    where: dict[tuple[str, str], int] = {}
    for k, pkg in enumerate(packages if isinstance(packages, list) else []):
        if isinstance(pkg, dict) and isinstance(pkg.get("name"), str):
            where.setdefault((canonicalize_name(pkg["name"]), str(pkg.get("version", ""))), k)
    if not where:
        return explanation
    smap, text = scan(lock_text), Text.of(lock_name, lock_text)
    files = []
    for f in explanation.files:
        if f.kind == "copied":
            files.append(f)
            continue
        pieces = []
        for piece in f.pieces:
            m = _PIN.match(_pin_text(piece.text) if f.kind == "json" else piece.text)
            at = where.get((canonicalize_name(m.group("name")), m.group("version"))) if m else None
            if at is None:
                pieces.append(piece)
                continue
            path: TomlPath = ("python", "packages", at)
            span = smap.value_span(text, (*path, "name"))
            source = Source(path, path, lock_name, span, LOCK_RULE, True)
            pieces.append(replace(piece, sources=(*piece.sources, source), generated=""))
        files.append(replace(f, pieces=tuple(pieces)))
    return replace(explanation, files=tuple(files))


def _pin_text(dumped: str) -> str:
    """A JSON piece's string value (a pypi library's ``"cffi==1.15.1"``), "" for any other value."""
    try:
        value = json.loads(dumped)
    except ValueError:
        return ""
    return value if isinstance(value, str) else ""


def with_model(explanation: Explanation, model_dir: Path, given: str) -> Explanation:
    """``explanation`` with the copy of the logged model (``--model``: no spec entry names it)
    saying so: its piece is generated by the flag, ``"<target>: the logged model (--model
    <given>)"``, not by an anonymous copy."""
    real = model_dir.resolve()
    files = []
    for f in explanation.files:
        if f.copy is not None and f.copy.resolve() == real:
            why = f"{explanation.target}: the logged model (--model {given})"
            f = replace(f, pieces=tuple(replace(p, generated=why) if not p.sources else p for p in f.pieces))
        files.append(f)
    return replace(explanation, files=tuple(files))


def with_flags(explanation: Explanation, flags: Mapping[str, str]) -> Explanation:
    """``explanation`` with each generated piece that holds a text flag's value (``--cluster-id
    0612-abc`` → libraries.json's ``cluster_id``; ``--model-name``, ``--model-version`` in the job's
    ``models:/NAME/VERSION``) saying the flag put it there: ``"<target>: --cluster-id 0612-abc"``
    (several flags: joined by ``; ``).  ``flags``: option → the value given.  A value is found
    as a whole token, as marks are (:class:`specc.backends.base.Mark`); one shorter than 3
    characters (``--model-version 7``) only next to a longer flag value on the same piece."""
    tokens = {
        option: re.compile(r"(?<![A-Za-z0-9_.\-])" + re.escape(value) + r"(?![A-Za-z0-9_\-])")
        for option, value in flags.items()
        if value
    }
    if not tokens:
        return explanation
    files = []
    for f in explanation.files:
        pieces = []
        for p in f.pieces:
            hits = [option for option, rx in tokens.items() if not p.sources and rx.search(p.text)]
            # a short value ("7") is too common a token to stand alone: only next to a longer one
            long_hit = any(len(flags[h]) >= 3 for h in hits)
            found = [f"{o} {flags[o]}" for o in hits if long_hit]
            pieces.append(replace(p, generated=f"{explanation.target}: " + "; ".join(found)) if found else p)
        files.append(replace(f, pieces=tuple(pieces)))
    return replace(explanation, files=tuple(files))


# A section heading in a rendered text file: specc's templates head each part with
# "# --- <title>" (Dockerfile, init.sh, install.R); Markdown files (BUILD.md) with "#" headings.
# The title is cut at its first stop and to a few words.
_HEADING = re.compile(r"^\s*#\s*---+\s*(?P<title>[^-].*?)\s*-*\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(?P<title>\S.*?)\s*#*\s*$")
_TITLE_STOP = re.compile(r"[:.(;,]\s|\s---|\s-\s")
_TITLE_MAX = 48


def _title(text: str) -> str:
    m = _TITLE_STOP.search(text)
    title = (text[: m.start()] if m else text).strip().rstrip(":.")
    if len(title) <= _TITLE_MAX:
        return title
    return title[: title.rfind(" ", 0, _TITLE_MAX - 1)].rstrip(",;:") + "…"


def _text_pieces(text: str, *, markdown: bool = False) -> Iterator[tuple[int | str, str, str]]:
    heading = _MD_HEADING if markdown else _HEADING
    section = ""
    for no, line in enumerate(text.splitlines(), start=1):
        m = heading.match(line)
        if m:
            section = _title(m.group("title"))
        yield no, line, section or "header"


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _json_pieces(data: Any, marked: set[int | str]) -> Iterator[tuple[int | str, str, str]]:
    """Every scalar and empty container of ``data`` by pointer (document order), and every
    container a mark landed on (a key the spec named); the section is the top-level key."""

    def walk(node: Any, pointer: str, section: str) -> Iterator[tuple[int | str, str, str]]:
        if isinstance(node, dict) and node:
            if pointer in marked:
                yield pointer, _dump(node), section
            for k, v in node.items():
                yield from walk(v, f"{pointer}/{_escape(str(k))}", section or str(k))
        elif isinstance(node, list) and node:
            if pointer in marked:
                yield pointer, _dump(node), section
            for i, v in enumerate(node):
                yield from walk(v, f"{pointer}/{i}", section)
        else:
            yield pointer, _dump(node), section

    yield from walk(data, "", "")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- addresses ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    """What the command line asked for: a ``file``, optionally a 1-based ``line`` or a JSON ``pointer``."""

    file: str
    line: int | None = None
    pointer: str | None = None


_LINE = re.compile(r"^(?P<file>.+):(?P<line>-?\d+)$")


def parse_address(text: str) -> Address:
    """``FILE``, ``FILE:LINE`` or ``FILE#/pointer`` (``FILE#`` alone: the whole JSON document)."""
    if "#" in text:
        file, _, pointer = text.partition("#")
        return Address(file, pointer=pointer)
    m = _LINE.match(text)
    if m:
        return Address(m.group("file"), line=int(m.group("line")))
    return Address(text)


def _error(code: str, message: str, hint: str, file: str) -> ExplainError:
    """An SPC77x error about ``file``, the output file the address names (as given)."""
    return ExplainError(Diagnostic.error(code, message=message, hint=hint, file=file))


def _listing(names: Sequence[str], limit: int = 40) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def _close(name: str, names: Sequence[str]) -> str | None:
    """The output file ``name`` most likely misspells (a close whole path or file name), if any."""
    import difflib

    hit = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    if hit:
        return hit[0]
    by_base = {n.rsplit("/", 1)[-1]: n for n in names}
    hit = difflib.get_close_matches(name.rsplit("/", 1)[-1], list(by_base), n=1, cutoff=0.75)
    return by_base[hit[0]] if hit else None


def _find_file(explanation: Explanation, name: str) -> tuple[FileExplanation, str | None]:
    """The file ``name`` names: an output file exactly, a unique output ending in ``/name``, or a
    file inside a copied folder (returned with the inner path).  Raises SPC770 / SPC774."""
    if name.endswith("/") and name.strip("/"):  # `code/churn/`: the folder itself
        name = name.rstrip("/")
    files = {f.file: f for f in explanation.files}
    if name in files:
        return files[name], None
    tail = [f for f in explanation.files if f.file.endswith("/" + name.lstrip("/"))]
    if len(tail) == 1:
        return tail[0], None
    if len(tail) > 1:
        raise _error(
            "SPC774",
            f"`{name}` names {len(tail)} output files of the {explanation.target} target",
            "name one of them in full: " + _listing([f.file for f in tail]),
            name,
        )
    for f in explanation.files:
        if f.kind == "copied" and name.startswith(f.file + "/"):
            return f, _inside_copy(f, name, name[len(f.file) + 1 :], explanation.target)
    # a path into a rendered folder (`build/docker/Dockerfile`, `./Dockerfile`, an absolute one):
    # its longest tail that is an output file, or a path inside a copied one
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    for k in range(len(parts)):
        tail_name = "/".join(parts[k:])
        if tail_name == name:
            continue
        if tail_name in files:
            return files[tail_name], None
        for f in explanation.files:
            if f.kind == "copied" and tail_name.startswith(f.file + "/"):
                return f, _inside_copy(f, name, tail_name[len(f.file) + 1 :], explanation.target)
    names = [f.file for f in explanation.files]
    close = _close(name, names)
    raise _error(
        "SPC770",
        f"`{name}` is not an output file of the {explanation.target} target",
        (f"did you mean `{close}`? " if close else "") + "its files are: " + _listing(names),
        name,
    )


def _copied_files(f: FileExplanation) -> list[str]:
    """The files a copied folder ships (relative POSIX paths, as the copy takes them:
    :func:`specc.filetree.walk_files`); [] for a copied file or an unknown source."""
    from specc.filetree import walk_files

    if f.copy is None or not f.copy.is_dir():
        return []
    try:
        return walk_files(f.copy)
    except OSError:
        return []


def _inside_copy(f: FileExplanation, name: str, inner: str, target: str) -> str:
    """``inner`` (a path inside the copied ``f``) when the copy holds a file or folder there;
    else SPC770 naming what it holds (a copied file holds nothing inside it)."""
    inner = inner.strip("/")
    files = _copied_files(f)
    if inner and any(rel == inner or rel.startswith(inner + "/") for rel in files):
        return inner
    if f.copy is not None and not f.copy.is_dir():
        hint = f"{f.file} is a copied file, not a folder: ask for `{f.file}`"
    else:
        hint = f"{f.file}/ holds: " + _listing(files) if files else f"{f.file}/ holds no file"
    raise _error(
        "SPC770", f"`{name}` is not in the copied {f.file}{'/' if files else ''} of the {target} target", hint, name
    )


def _inner_lines(f: FileExplanation, inner: str) -> int | None:
    """The line count of the text file ``inner`` inside the copied folder ``f``, or of the copied
    file ``f`` itself (``inner`` ""); None when it is no text file."""
    if f.copy is None:
        return None
    try:
        data = (f.copy / inner if inner else f.copy).read_bytes()
        return len(data.decode("utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return None


def _not_a_line(explanation: Explanation, address: Address, exc: ExplainError) -> None:
    """``FILE:abc`` or ``FILE:`` naming an output file: SPC771 (not a line number) rather than
    the SPC770 ``exc`` for a file called ``FILE:abc``."""
    if exc.diagnostic.code != "SPC770" or address.line is not None or address.pointer is not None:
        return
    file, sep, line = address.file.rpartition(":")
    if not sep or not file:
        return
    try:
        f, _ = _find_file(explanation, file)
    except ExplainError:
        return
    count = f"{len(f.pieces)} lines: ask for `{file}:1` to `{file}:{len(f.pieces)}`" if f.kind == "text" else ""
    hint = f"{f.file} has {count}" if count else f"ask for `{file}` (a {f.kind} file is not explained by line)"
    what = f"`{line}` is not a line number of {f.file}" if line else f"no line number after `{file}:`"
    raise _error("SPC771", what, hint, address.file) from exc


def select(explanation: Explanation, address: Address) -> FileExplanation:
    """The part of ``explanation`` ``address`` asks for: a whole file, or one piece of it.

    Raises :class:`ExplainError`: SPC770 unknown file, SPC771 line out of range, SPC772 unknown
    JSON pointer, SPC773 a line of a JSON file / a pointer into a text file, SPC774 a name
    matching several files.
    """
    try:
        f, inner = _find_file(explanation, address.file)
    except ExplainError as exc:
        _not_a_line(explanation, address, exc)
        raise
    if inner is not None:  # a file inside a copied folder: the folder's entry explains all of it
        if address.pointer is not None:
            raise _error(
                "SPC773",
                f"{address.file} is a file inside the copied {f.file}/, explained as a whole",
                f"ask for `{address.file}` (or a line of it: `{address.file}:1`)",
                address.file,
            )
        if address.line is not None:
            count = _inner_lines(f, inner)
            if count is None and address.line != 1:
                raise _error(
                    "SPC771",
                    f"{address.file} is not a text file: it is explained as a whole, at line 1",
                    f"ask for `{address.file}` or `{address.file}:1`",
                    address.file,
                )
            if count is not None and not 1 <= address.line <= max(count, 1):
                raise _error(
                    "SPC771",
                    f"{address.file} has no line {address.line}",
                    f"{address.file} has {count} lines: ask for 1 to {max(count, 1)}",
                    address.file,
                )
        return f
    if address.line is not None:
        if f.kind == "json":
            raise _error(
                "SPC773",
                f"{f.file} is explained by JSON pointer, not by line",
                f"ask for a field: `{f.file}#{_first_pointer(f)}`; `{f.file}` alone lists every field",
                address.file,
            )
        if f.kind == "copied":
            # a copied text file (code/helpers.py) has its lines: each is explained by the whole
            count = _inner_lines(f, "") if f.copy is not None and f.copy.is_file() else None
            if count is not None and not 1 <= address.line <= max(count, 1):
                raise _error(
                    "SPC771",
                    f"{f.file} has no line {address.line}",
                    f"{f.file} has {count} lines: ask for 1 to {max(count, 1)}",
                    address.file,
                )
            if count is None and address.line != 1:
                raise _error(
                    "SPC771",
                    f"{f.file} is a copied file: it is explained as a whole, at line 1",
                    f"ask for `{f.file}` or `{f.file}:1`",
                    address.file,
                )
            return f
        if not 1 <= address.line <= len(f.pieces):
            raise _error(
                "SPC771",
                f"{f.file} has no line {address.line}",
                f"{f.file} has {len(f.pieces)} lines: ask for 1 to {len(f.pieces)}",
                address.file,
            )
        return FileExplanation(f.file, f.kind, (f.pieces[address.line - 1],))
    if address.pointer is not None:
        if f.kind != "json":
            raise _error(
                "SPC773",
                f"{f.file} is explained by line, not by JSON pointer",
                f"ask for a line: `{f.file}:1`; `{f.file}` alone lists every line",
                address.file,
            )
        if address.pointer == "":
            return f
        hits = tuple(
            p for p in f.pieces if p.where == address.pointer or str(p.where).startswith(address.pointer + "/")
        )
        if not hits:
            raise _error(
                "SPC772",
                f"{f.file} has no field at `{address.pointer}`",
                "its top-level fields are: " + _listing(_top_pointers(f)),
                address.file,
            )
        return FileExplanation(f.file, f.kind, hits)
    return f


def _first_pointer(f: FileExplanation) -> str:
    return str(f.pieces[0].where) if f.pieces else ""


def _top_pointers(f: FileExplanation) -> list[str]:
    out: dict[str, None] = {}
    for p in f.pieces:
        parts = str(p.where).split("/")
        out["/".join(parts[:2]) if len(parts) > 1 else ""] = None
    return list(out)


# --- rendering ------------------------------------------------------------------------------------------

_TEXT_MAX = 72


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _TEXT_MAX else text[: _TEXT_MAX - 1] + "…"


def _origin_text(s: Source) -> str:
    at = f" @ {s.at}" if s.at else ""
    return f"{format_path(s.entry) or '(the spec)'}{at} [{s.rule}]"


def render_text(
    files: Sequence[FileExplanation],
    *,
    detail: bool = False,
    sources: Mapping[str, str] | None = None,
    mask: Mask = redact,
) -> str:
    """The text form: one line per piece (``FILE:WHERE  text  <- entry @ file:line:col [rule]``);
    ``detail`` (one piece asked for): the piece, then each source on its own line with the
    spec's text at that line (from ``sources``, the files validation read)."""
    out: list[str] = []
    for f in files:
        for p in f.pieces:
            where = f"{f.file}:{p.where}" if isinstance(p.where, int) else f"{f.file}#{p.where}"
            if not detail:
                why = "; ".join(_origin_text(s) for s in p.sources) or f"generated [{p.generated}]"
                out.append(f"{where}  {_short(p.text)}  <- {why}")
                continue
            out.append(f"{where}: {p.text.strip()}")
            if not p.sources:
                out.append(f"  generated by the target: {p.generated}")
            for s in p.sources:
                out.append(f"  rule:  {s.rule}")
                default = "" if s.written else " (not written in the spec: derived from this entry)"
                out.append(f"  from:  {format_path(s.entry) or '(the spec)'}{' @ ' + s.at if s.at else ''}{default}")
                if s.path != s.entry:
                    out.append(f"         normalized: {format_path(s.path)}")
                excerpt = _excerpt(s, sources or {}, mask)
                if excerpt:
                    out.append(f"         {excerpt}")
    return "\n".join(out)


def _excerpt(s: Source, sources: Mapping[str, str], mask: Mask = redact) -> str:
    if s.file is None or s.span is None or s.file not in sources:
        return ""
    lines = sources[s.file].splitlines()
    if not 1 <= s.span.line <= len(lines):
        return ""
    return f"{s.span.line} | {mask(lines[s.span.line - 1].rstrip())}"


# --- JSON ------------------------------------------------------------------------------------------------


def _span_json(span: Span | None) -> dict[str, int] | None:
    if span is None:
        return None
    return {"line": span.line, "column": span.col, "end_line": span.end_line, "end_column": span.end_col}


def to_json(
    explanation: Explanation, files: Sequence[FileExplanation], diagnostics: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """The ``--format json`` document (``schemas/specc-explain.schema.json``) for ``files`` (all
    of ``explanation``'s, or the part an address selected); ``diagnostics``: the render's
    warnings, as items of the diagnostics report."""
    return {
        "explain-version": EXPLAIN_VERSION,
        "target": explanation.target,
        "spec": explanation.spec,
        "files": [
            {
                "file": f.file,
                "kind": f.kind,
                "pieces": [
                    {
                        "where": p.where,
                        "text": p.text,
                        "section": p.section,
                        "rules": list(p.rules),
                        "generated": not p.sources,
                        "sources": [
                            {
                                "path": format_path(s.path),
                                "entry": format_path(s.entry),
                                "file": s.file,
                                "span": _span_json(s.span),
                                "rule": s.rule,
                                "written": s.written,
                            }
                            for s in p.sources
                        ],
                    }
                    for p in f.pieces
                ],
            }
            for f in files
        ],
        "diagnostics": list(diagnostics),
    }


def explain_schema() -> dict[str, Any]:
    """JSON Schema of :func:`to_json`, published as ``schemas/specc-explain.schema.json``."""
    from specc.schema import BASE_ID, DRAFT

    def nullable(kind: str, description: str) -> dict[str, Any]:
        return {"type": [kind, "null"], "description": description}

    span = {
        "type": ["object", "null"],
        "description": "Where the entry is written in `file` (1-based; end exclusive); null without a file.",
        "additionalProperties": False,
        "required": ["line", "column", "end_line", "end_column"],
        "properties": {k: {"type": "integer", "minimum": 1} for k in ("line", "column", "end_line", "end_column")},
    }
    source = {
        "type": "object",
        "description": "One spec entry behind the piece.",
        "additionalProperties": False,
        "required": ["path", "entry", "file", "span", "rule", "written"],
        "properties": {
            "path": {
                "type": "string",
                "description": "The normalized spec path the target marked (0-based indexes into the normalized, "
                "sorted lists); for a pin traced to model-env.lock (`--locked`), the lock's TOML path.",
                "examples": ["python.requirements[3]", "apt.packages[1]"],
            },
            "entry": {
                "type": "string",
                "description": "The entry as written in the spec (TOML path); for a requirements-file line, its "
                "`python.requirements-files[i]` entry; for a pin traced to model-env.lock, the lock's TOML path.",
                "examples": ["python.requirements-files[0]", "apt.packages[0]"],
            },
            "file": nullable(
                "string", "The spec, requirements file or model-env.lock `span` is in, as diagnostics name it."
            ),
            "span": span,
            "rule": {
                "type": "string",
                "description": "The part of the target that put the entry into this piece.",
                "examples": ["apt layer", "pypi library", "init script: apt section"],
            },
            "written": {
                "type": "boolean",
                "description": "False when the value is a default the target derived (then `entry` is the nearest "
                "written table).",
            },
        },
    }
    piece = {
        "type": "object",
        "description": "One line (text files) or field (JSON files) of an output file.",
        "additionalProperties": False,
        "required": ["where", "text", "section", "rules", "generated", "sources"],
        "properties": {
            "where": {
                "type": ["integer", "string"],
                "description": "1-based line number (text and copied files) or RFC 6901 JSON pointer (JSON files).",
                "examples": [44, "/libraries/0/pypi/package"],
            },
            "text": {"type": "string", "description": "The line, or the field's value as JSON; credentials masked."},
            "section": {
                "type": "string",
                "description": "The output's own heading the piece stands under; may be empty.",
            },
            "rules": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "description": "The rules that produced the piece; for a generated piece, what of the target wrote it.",
            },
            "generated": {
                "type": "boolean",
                "description": "True when no spec entry produced the piece (boilerplate).",
            },
            "sources": {"type": "array", "items": source, "description": "Empty when generated."},
        },
    }
    file = {
        "type": "object",
        "additionalProperties": False,
        "required": ["file", "kind", "pieces"],
        "properties": {
            "file": {"type": "string", "description": "Relative POSIX path in the rendered output folder."},
            "kind": {"enum": ["text", "json", "copied"], "description": "How the file is explained."},
            "pieces": {"type": "array", "items": piece},
        },
    }
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_ID}/specc-explain.schema.json",
        "title": "specc explain",
        "description": "What `specc explain --format json` prints: each line or field of a target's rendered "
        "output with the spec entries and the rule that produced it.",
        "type": "object",
        "additionalProperties": False,
        "required": ["explain-version", "target", "spec", "files", "diagnostics"],
        "properties": {
            "explain-version": {"const": EXPLAIN_VERSION},
            "target": {"type": "string", "description": "The target rendered.", "examples": ["docker"]},
            "spec": {"type": "string", "description": "The spec file, as diagnostics name it."},
            "files": {"type": "array", "items": file, "description": "In file-name order."},
            "diagnostics": {
                "type": "array",
                "items": {"$ref": "specc-diagnostics.schema.json#/$defs/diagnostic"},
                "description": "The render's warnings (schemas/specc-diagnostics.schema.json).",
            },
        },
    }


def _register() -> None:
    # published with the other schemas (`specc schema --name specc-explain.schema.json`)
    import specc.schema

    specc.schema.register("specc-explain.schema.json", explain_schema)


_register()
