"""Write a :class:`~specc.importers.base.Draft` as ``model-env.toml`` text.

:func:`complete` fills what every spec needs (``spec-version``, ``model.name``,
``runtime.python``) and declares the draft's secrets with a conventional Databricks mapping
(``<model name>/<secret name, lower-cased, '-' for '_'>``, warning SPC704).  :func:`render`
turns the draft into text: canonical section order (the order of docs/format.md's key table),
keys in the spec's order, one ``# from <source>`` comment next to each entry, every string
escaped as a TOML basic string; the same draft always gives the same bytes.
:func:`finish` renders, validates the text with specc's own loader (as if written at the
output path) and takes out each entry the loader rejects (reported as SPC706), until the text
validates.

Nothing here writes files; :mod:`specc.commands.import_` writes atomically.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specc.importers.base import CONFLICT, SECRET_MAPPED, Draft, Entry, Note, SpecPath, TomlValue

if TYPE_CHECKING:
    from specc.diagnostics import Diagnostic
    from specc.validate import Result

ENTRY_DROPPED = "SPC706"
PYTHON_ASSUMED = "SPC705"
DEFAULT_CHOSEN = "SPC708"
#: the libraries-dir `specc init --databricks` writes too
DEFAULT_LIBRARIES_DIR = "/Volumes/main/default/specc"

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
# TOML basic strings may not hold control characters other than tab, nor DEL
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f\x7f\ud800-\udfff]')
_COMMENT_BAD = re.compile("[\x00-\x08\x0a-\x1f\x7f\u2028\u2029\ud800-\udfff]")


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string: quotes, backslashes and control characters escaped
    (``\\n``, ``\\u001B``); a lone surrogate (not UTF-8 encodable) becomes U+FFFD."""

    def esc(m: re.Match[str]) -> str:
        c = m.group(0)
        if c in _ESCAPES:
            return _ESCAPES[c]
        if "\ud800" <= c <= "\udfff":
            return "\ufffd"
        return f"\\u{ord(c):04X}"

    return '"' + _NEEDS_ESCAPE.sub(esc, value) + '"'


def toml_key(key: str) -> str:
    return key if _BARE.fullmatch(key) else toml_string(key)


def toml_value(value: TomlValue) -> str:
    """One value, inline (strings, numbers, booleans, inline arrays and tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"not a TOML value: {type(value).__name__}")


def comment(source: str) -> str:
    """``# from <source>``, one line, credentials masked."""
    from specc.diagnostics import redact

    clean = _COMMENT_BAD.sub("?", redact(source)).strip()
    return f"# from {clean}" if clean else ""


@functools.cache
def _key_orders() -> dict[str, tuple[str, ...]]:
    """Each table's keys in the order the spec's input models declare them (docs/format.md's
    order), read from :class:`specc.spec.SpecInput`: ``""`` is the top level, ``"secrets.*"`` the
    keys of any one secret, ``"targets.docker"`` a nested table."""
    import typing

    from pydantic import BaseModel

    from specc.spec_defs import SpecInput

    def keys(model: type[BaseModel]) -> tuple[str, ...]:
        return tuple(f.alias or name for name, f in model.model_fields.items())

    def models(annotation: Any) -> list[tuple[str, type[BaseModel]]]:
        if typing.get_origin(annotation) is dict:  # a table of tables: [secrets.NAME]
            return [(".*", m) for _, m in models(typing.get_args(annotation)[1])]
        found = []
        for arg in typing.get_args(annotation) or (annotation,):  # X | None
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                found.append(("", arg))
            elif typing.get_origin(arg) is dict:
                found += models(arg)
        return found

    orders = {"": keys(SpecInput)}

    def walk(prefix: str, model: type[BaseModel]) -> None:
        for name, f in model.model_fields.items():
            for star, sub in models(f.annotation):
                table = prefix + (f.alias or name) + star
                orders[table] = keys(sub)
                if not star:
                    walk(table + ".", sub)

    walk("", SpecInput)
    return orders


def _section_rank(table: SpecPath) -> tuple[int, tuple[str, ...]]:
    if not table:
        return (-1, ())
    sections = _key_orders()[""]
    rank = sections.index(table[0]) if table[0] in sections else len(sections)
    return (rank, table)


def _key_rank(table: SpecPath, key: str) -> tuple[int, str]:
    orders = _key_orders()
    order = orders.get(".".join(table)) or (orders.get(table[0] + ".*", ()) if table else ())
    return (order.index(key), "") if key in order else (len(order), key)


def render(draft: Draft, *, header: str | None = None) -> str:
    """The draft as ``model-env.toml`` text (deterministic: same draft, same bytes)."""
    tables: dict[SpecPath, list[tuple[str, Entry]]] = {}
    for path, entry in draft.entries.items():
        tables.setdefault(path[:-1], []).append((path[-1], entry))
    out: list[str] = []
    if header:
        out += [f"# {line}".rstrip() for line in header.splitlines()]
    for table in sorted(tables, key=_section_rank):
        if table:
            if out:
                out.append("")
            out.append("[" + ".".join(toml_key(k) for k in table) + "]")
        for key, entry in sorted(tables[table], key=lambda ke: _key_rank(table, ke[0])):
            out += _entry_lines(key, entry)
    return "\n".join(out) + "\n"


def _entry_lines(key: str, entry: Entry) -> list[str]:
    if entry.items is None:
        assert entry.value is not None
        note = comment(entry.source)
        line = f"{toml_key(key)} = {toml_value(entry.value)}"
        return [f"{line}  {note}" if note else line]
    lines = [f"{toml_key(key)} = ["]
    for value, source in entry.items:
        note = comment(source)
        item = f"  {toml_value(value)},"
        lines.append(f"{item}  {note}" if note else item)
    lines.append("]")
    return lines


def complete(draft: Draft, *, name: str, python: str, name_source: str, python_source: str | None = None) -> None:
    """Fill ``spec-version``, ``model.name`` (if unset), ``runtime.python`` (if unset: ``python``;
    warning SPC705 unless ``python_source`` says the user chose it) and declare each secret of the
    draft under ``[secrets]``."""
    from specc.spec import slug

    draft.set(("spec-version",), 1, source="")
    if draft.get(("model", "name")) is None:
        draft.set(("model", "name"), slug(name) or "model", source=name_source)
    named = draft.entries.get(("runtime", "python"))
    if named is not None and python_source is not None and named.value != python:
        # the source's own version wins (the documented rule); a flag that is not used is said
        draft.report(
            CONFLICT,
            f"{python_source} {python} is not used: the source names Python {named.value}",
            source=named.source or None,
            hint="edit runtime.python in the written spec if the flag is right",
        )
    if draft.get(("runtime", "python")) is None and python_source is not None:
        draft.set(("runtime", "python"), python, source=python_source)
    elif draft.get(("runtime", "python")) is None:
        draft.set(("runtime", "python"), python, source="specc import: no Python version in the source")
        draft.report(
            PYTHON_ASSUMED,
            f"the source names no Python version; runtime.python is set to {python}",
            hint="set runtime.python to the Python the model was trained with (`specc import --python X.Y`)",
        )
    if (
        draft.get(("runtime", "databricks")) is not None
        and draft.get(("targets", "databricks", "libraries-dir")) is None
    ):
        # required with a Databricks runtime (SPC359), and no other format has it: init's default
        draft.set(("targets", "databricks", "libraries-dir"), DEFAULT_LIBRARIES_DIR, source="specc import: a default")
        draft.report(
            DEFAULT_CHOSEN,
            f'targets.databricks.libraries-dir is set to "{DEFAULT_LIBRARIES_DIR}" (the runtime.databricks of the '
            "source makes Databricks a target, which needs a folder for its init script)",
            hint="create that volume or set a folder only your team can change (SPC359)",
        )
    model = str(draft.get(("model", "name")) or "model")
    scope = re.sub(r"[^A-Za-z0-9_.-]", "-", model)[:128] or "model"
    for secret, source in draft.secrets.items():
        key = secret.lower().replace("_", "-")[:128]
        if draft.get(("secrets", secret, "databricks")) is None:
            found = secret not in draft.referenced  # a literal credential, now a secret
            what = f"credential found in {_plain(source)}" if found else f"${{{secret}}} in {_plain(source)}"
            draft.set(("secrets", secret, "description"), what, source=source)
            draft.set(("secrets", secret, "databricks"), f"{scope}/{key}", source="specc import: naming convention")
            said = (
                f"the credential at {_plain(source)} is now secret {secret}"
                if found
                else f"${{{secret}}} at {_plain(source)} is declared as secret {secret}"
            )
            draft.report(
                SECRET_MAPPED,
                f'{said}, read on Databricks from "{scope}/{key}" (a naming convention)',
                source=source,
                hint=f"create that Databricks secret (databricks secrets put-secret {scope} {key}) or change "
                f"secrets.{secret}.databricks; pass it to Docker builds as --secret id={secret.lower()}",
            )


def _plain(source: str) -> str:
    from specc.diagnostics import redact

    return _COMMENT_BAD.sub("?", redact(source))


def finish(draft: Draft, out: Path, *, header: str | None = None, max_rounds: int = 20) -> tuple[str, Result]:
    """Render ``draft`` and validate it as ``out`` would be; each entry the loader rejects is
    taken out and reported (SPC706, with the loader's message) until the text validates.

    Returns (text, the loader's result on it: its diagnostics are warnings, or errors nothing
    could fix, placed in the text under ``out.name``).
    """
    from specc.api import check_text
    from specc.diagnostics import redact

    text = render(draft, header=header)
    for _ in range(max_rounds):
        result = check_text(text, base_dir=out.parent, name=out.name)
        errors = [d for d in result.diagnostics if d.severity == "error"]
        if not errors:
            return text, result
        targets: set[tuple[SpecPath, int | None]] = set()
        found: dict[tuple[SpecPath, int | None], Diagnostic] = {}
        for d in errors:
            at = _locate(draft, d.path)
            if at is not None and at not in found:
                found[at] = d
                targets.add(at)
        removed = bool(targets)
        # the highest index first, so the other indexes of the same array stay right
        for key, index in sorted(targets, key=lambda t: (t[0], -1 if t[1] is None else t[1]), reverse=True):
            taken = draft.remove(key, index)
            if taken is None:
                continue
            d = found[(key, index)]
            value, source = taken
            _undeclare_secrets(draft, value)
            draft.report(
                ENTRY_DROPPED,
                f"{_show_value(value)} is not carried over: {redact(d.message)}",
                source=source or None,
                hint=d.hint,
            )
        if not removed:
            return text, result
        text = render(draft, header=header)
    return text, check_text(text, base_dir=out.parent, name=out.name)


def _undeclare_secrets(draft: Draft, value: TomlValue) -> None:
    """The secrets declared for the credentials of an entry taken out (``complete`` has already
    written them under ``[secrets]``) go too, with their SPC704 note, unless another entry still
    names them: a secret nothing uses is a Databricks secret and a Docker ``--secret`` to create
    for nothing."""
    before = set(draft.secrets)
    draft.forget_secrets(value)
    for name in before - set(draft.secrets):
        for key in [k for k in draft.entries if k[:2] == ("secrets", name)]:
            draft.remove(key)
        gone = [n for n in draft.notes if n.code == SECRET_MAPPED and f" secret {name}," in n.message]
        draft.notes = [n for n in draft.notes if n not in gone]
        draft._noted.difference_update(gone)


def _locate(draft: Draft, path: tuple[str | int, ...]) -> tuple[SpecPath, int | None] | None:
    """The draft entry a loader diagnostic's TOML path points at (its longest prefix that is an
    entry, with the array index that follows it), or None (a required key: the error stands)."""
    for n in range(len(path), 0, -1):
        head = path[:n]
        if not all(isinstance(p, str) for p in head):
            continue
        key = tuple(str(p) for p in head)
        if key in draft.entries:
            if key in (("spec-version",), ("model", "name"), ("runtime", "python")):
                return None
            nxt = path[n] if n < len(path) else None
            return key, nxt if isinstance(nxt, int) else None
    return None


def _show_value(value: TomlValue) -> str:
    from specc.diagnostics import redact

    text = toml_value(value)
    text = redact(text)
    return text if len(text) <= 100 else text[:97] + "..."


def notes_to_diagnostics(notes: list[Note], *, default_file: str | None = None) -> list[Diagnostic]:
    """The draft's notes as specc diagnostics: ``file:line`` sources become file and span; a
    note with no file is placed in ``default_file`` (the imported source's name)."""
    from specc.diagnostics import Diagnostic, Span, redact

    out: list[Diagnostic] = []
    for note in notes:
        file: str | None = default_file
        span: Span | None = None
        where = ""
        if note.source:
            m = re.match(r"^(?P<file>[^\s:][^:]*?):(?P<line>\d+)(?::(?P<col>\d+))?$", note.source)
            if m:
                file = m.group("file")
                line, col = int(m.group("line")), int(m.group("col") or 1)
                span = Span(line, col, line, col + 1)
            elif re.match(r"^[^\s:]+$", note.source):  # a file or folder, no line
                file = note.source
            elif m2 := re.match(r"^(?P<file>[^\s:]+\.[A-Za-z0-9]+): (?P<what>.+)$", note.source, re.DOTALL):
                # "cog.yaml: environment variable HF_TOKEN": the file, and the entry by name (an entry
                # holding a credential has no line, so that no excerpt of the file is ever shown)
                file = m2.group("file")
                where = f"{_plain(m2.group('what'))}: "
            else:
                where = f"{_plain(note.source)}: "
        out.append(
            Diagnostic.create(
                note.code,
                severity=note.severity,
                message=where + redact(note.message),
                hint=redact(note.hint) if note.hint else None,
                file=file,
                span=span,
            )
        )
    return out
