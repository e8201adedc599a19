"""Bytes → TOML document + a source map (TOML path → span) for diagnostics.

``tomllib`` decides what is valid TOML and produces the values; it keeps no
positions, so a small scanner walks the same text once more and records where
every key and value starts and ends.  The scanner trusts that ``tomllib``
already accepted the document; if it ever gets lost it simply stops, and the
affected diagnostics lose their caret, never their message.
"""

from __future__ import annotations

import contextlib
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from specc.diagnostics import Diagnostic, PathPart, Span, TomlPath

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

# A model-env.toml is a few KiB; anything this large is a wrong path, not a spec.
MAX_SPEC_BYTES = 1 << 20


@dataclass(frozen=True)
class Source:
    """The text of a spec file and the name diagnostics show for it."""

    name: str
    text: str
    _line_starts: tuple[int, ...] = field(default=(), compare=False, repr=False)

    @staticmethod
    def of(name: str, text: str) -> Source:
        starts = [0]
        for m in re.finditer("\n", text):
            starts.append(m.end())
        return Source(name, text, tuple(starts))

    def position(self, offset: int) -> tuple[int, int]:
        """0-based character offset → 1-based (line, column)."""
        import bisect

        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end))
        return Span(line, col, end_line, end_col)


@dataclass
class SourceMap:
    """Where each key and value of the document is, by TOML path."""

    values: dict[TomlPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[TomlPath, tuple[int, int]] = field(default_factory=dict)

    def value_span(self, source: Source, path: TomlPath) -> Span | None:
        """The span of the value at ``path``, or of its nearest located ancestor."""
        for cut in range(len(path), -1, -1):
            hit = self.values.get(path[:cut])
            if hit is not None:
                return source.span(*hit)
        return None

    def key_span(self, source: Source, path: TomlPath) -> Span | None:
        hit = self.keys.get(path)
        return source.span(*hit) if hit else self.value_span(source, path)


@dataclass
class Document:
    """A parsed spec file."""

    path: Path | None
    source: Source
    data: dict[str, Any]
    source_map: SourceMap

    def locate(self, d: Diagnostic, *, key: bool = False) -> Diagnostic:
        """Attach file name and span to a diagnostic that has only a TOML path."""
        from dataclasses import replace

        if d.span is not None:
            return d if d.file else replace(d, file=self.source.name)
        span = self.source_map.key_span(self.source, d.path) if key else self.source_map.value_span(self.source, d.path)
        return replace(d, file=self.source.name, span=span)


class LoadError(Exception):
    """The file could not be read or parsed; ``diagnostics`` says why."""

    def __init__(self, diagnostics: list[Diagnostic], source: Source | None = None) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics
        self.source = source


def read_spec_file(path: Path, display: str | None = None) -> Document:
    """Read and parse ``path``, turning every failure into a diagnostic.

    An OS error on the path itself (too long, a symlink loop, a file used as a folder,
    permission) is SPC001 with the reason; a long path is shortened in the message.
    """
    try:
        return _read_spec_file(path, display)
    except (OSError, RuntimeError) as exc:
        from specc.paths import SHOWN_PATH_LIMIT, os_problem, show_path

        name = display or str(path)
        shown = name if len(name) <= SHOWN_PATH_LIMIT else show_path(name)
        problem = os_problem(name, exc)
        message = problem.message.replace(show_path(name), "the spec path", 1)
        diag = Diagnostic.error("SPC001", message=message, hint=problem.hint, file=shown)
        raise LoadError([diag]) from None


def _read_spec_file(path: Path, display: str | None = None) -> Document:
    name = display or str(path)

    def fail(code: str, message: str, hint: str | None = None) -> LoadError:
        return LoadError([Diagnostic.error(code, message=message, hint=hint, file=name)])

    if not path.exists():
        hint = "create one with `specc init`, or pass the spec's path: `specc validate path/to/model-env.toml`"
        raise fail("SPC001", f"no such file: {name}", hint)
    if path.is_dir():
        inner = path / "model-env.toml"
        if inner.is_file():
            return _read_spec_file(inner, str(Path(name) / "model-env.toml"))
        from specc.importers import not_a_spec_folder_hint

        raise fail(
            "SPC002",
            f"{name} is a directory without a model-env.toml",
            not_a_spec_folder_hint(path, name) or "pass the spec file itself, or a folder that holds model-env.toml",
        )
    if not path.is_file():
        raise fail("SPC002", f"{name} is not a regular file")
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise fail(
                "SPC004",
                f"{name} is {size:,} bytes; a model-env.toml is at most {MAX_SPEC_BYTES:,}",
                "is this the right file? keep large data in [artifacts] files, not in the spec",
            )
        raw = path.read_bytes()
    except PermissionError:
        raise fail("SPC001", f"cannot read {name}: permission denied") from None
    except OSError as exc:
        raise fail("SPC001", f"cannot read {name}: {exc.strerror or exc}") from None
    return parse_spec_bytes(raw, name, path)


def parse_spec_bytes(raw: bytes, name: str, path: Path | None = None) -> Document:
    """Parse spec bytes; ``name`` is what diagnostics call the file."""
    if len(raw) > MAX_SPEC_BYTES:
        raise LoadError(
            [Diagnostic.error("SPC004", message=f"{name} is larger than {MAX_SPEC_BYTES:,} bytes", file=name)]
        )
    if b"\x00" in raw:
        raise LoadError(
            [
                Diagnostic.error(
                    "SPC003",
                    message=f"{name} is a binary file, not TOML text",
                    hint="pass the model-env.toml file",
                    file=name,
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        src = Source.of(name, raw[: exc.start].decode("utf-8", "replace"))
        line, col = src.position(len(src.text))
        shown = Source.of(name, raw.decode("utf-8", "replace"))
        raise LoadError(
            [
                Diagnostic.error(
                    "SPC003",
                    message=f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                    hint="TOML files must be UTF-8 encoded; re-save the file as UTF-8",
                    file=name,
                    span=Span(line, col, line, col + 1),
                )
            ],
            shown,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]  # a BOM is harmless; editors on Windows add it
    source = Source.of(name, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        diag = _toml_error(exc, source)
        if path is not None:  # another tool's file (requirements.txt, environment.yml): say so
            from specc.importers import not_a_spec_hint

            hint = not_a_spec_hint(path, name)
            if hint is not None:
                diag = replace(diag, hint=hint)
        raise LoadError([diag], source) from None
    except RecursionError:
        raise LoadError([Diagnostic.error("SPC100", message="TOML nesting is too deep", file=name)], source) from None
    try:
        smap = scan(text)
    except RecursionError:  # pragma: no cover - tomllib would have failed first
        smap = SourceMap()
    return Document(path, source, data, smap)


_TOML_POS = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)\s*$", re.S)
_TOML_EOF = re.compile(r"^(?P<msg>.*?)\s*\(at end of document\)\s*$", re.S)

_TOML_HINTS = {
    "Invalid value": 'strings need quotes: key = "value"; lists use brackets: ["a", "b"]',
    "Expected '=' after a key in a key/value pair": "write key = value; keys with spaces need quotes",
    "Cannot declare": "each table and key may be defined only once; merge the two definitions",
    "Cannot overwrite a value": "each key may be set only once",
    "Unclosed array": "close the list with ]",
    "Unterminated string": "close the string with a matching quote on the same line",
    "Illegal character": "remove the character, or quote the value as a string",
    "Expected newline or end of document after a statement": (
        'quote strings (python = "3.11") and put each key = value on its own line'
    ),
}


def _toml_error(exc: Exception, source: Source) -> Diagnostic:
    text = str(exc)
    span: Span | None = None
    m = _TOML_POS.match(text)
    if m:
        line, col = int(m.group("line")), int(m.group("col"))
        text = m.group("msg")
        span = Span(line, col, line, col + 1)
    else:
        m2 = _TOML_EOF.match(text)
        if m2:
            text = m2.group("msg")
            line, col = source.position(len(source.text))
            span = Span(line, col, line, col + 1)
    hint = next((h for k, h in _TOML_HINTS.items() if text.startswith(k)), None)
    if span is not None and text.startswith(("Cannot overwrite", "Cannot declare")):
        # tomllib points after the value; the key that repeats is what to fix
        src_lines = source.text.splitlines()
        if 1 <= span.line <= len(src_lines):
            text_line = src_lines[span.line - 1]
            start = len(text_line) - len(text_line.lstrip()) + 1
            key_end = text_line.find("=")
            end = (key_end if key_end > 0 else len(text_line)) + 1
            while end > start and text_line[end - 2] == " ":
                end -= 1
            span = Span(span.line, start, span.line, max(end, start + 1))
    return Diagnostic.error(
        "SPC100",
        message=f"invalid TOML: {text[:1].lower()}{text[1:]}",
        hint=hint or "see https://toml.io for the syntax",
        file=source.name,
        span=span,
    )


# --- the position scanner ---------------------------------------------------------------------

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_WS = re.compile(r"[ \t]*")
_SCALAR_END = re.compile(r"[,\]\}\n#\r]")


class _ScanStop(Exception):
    pass


class _Scanner:
    def __init__(self, text: str) -> None:
        self.t = text
        self.i = 0
        self.map = SourceMap()
        self.aot_counts: dict[TomlPath, int] = {}

    # low-level helpers
    def peek(self, n: int = 1) -> str:
        return self.t[self.i : self.i + n]

    def ws(self) -> None:
        self.i = _WS.match(self.t, self.i).end()  # type: ignore[union-attr]

    def ws_nl_comments(self) -> None:
        while self.i < len(self.t):
            c = self.t[self.i]
            if c in " \t\r\n":
                self.i += 1
            elif c == "#":
                nl = self.t.find("\n", self.i)
                self.i = len(self.t) if nl < 0 else nl + 1
            else:
                break

    def skip_line_rest(self) -> None:
        self.ws()
        if self.peek() == "#":
            nl = self.t.find("\n", self.i)
            self.i = len(self.t) if nl < 0 else nl
        if self.peek() == "\r":
            self.i += 1
        if self.peek() == "\n":
            self.i += 1

    def key_part(self) -> tuple[str, int, int]:
        start = self.i
        c = self.peek()
        if c == '"':
            value = self.basic_string()
        elif c == "'":
            end = self.t.find("'", self.i + 1)
            if end < 0:
                raise _ScanStop
            value = self.t[self.i + 1 : end]
            self.i = end + 1
        else:
            m = _BARE.match(self.t, self.i)
            if not m:
                raise _ScanStop
            value = m.group(0)
            self.i = m.end()
        return value, start, self.i

    def dotted_key(self) -> tuple[list[str], int, int]:
        parts: list[str] = []
        start = self.i
        while True:
            self.ws()
            part, _s, _e = self.key_part()
            parts.append(part)
            end = self.i
            self.ws()
            if self.peek() == ".":
                self.i += 1
                continue
            return parts, start, end

    def basic_string(self) -> str:
        # single-line "..." with escapes; returns the decoded value loosely (for keys only)
        j = self.i + 1
        out = []
        while j < len(self.t):
            c = self.t[j]
            if c == "\\":
                out.append(self.t[j : j + 2])
                j += 2
                continue
            if c == '"':
                self.i = j + 1
                raw = "".join(out)
                try:
                    import json

                    decoded: str = json.loads(f'"{raw}"')  # a JSON string literal decodes to a str
                    return decoded
                except ValueError:
                    return raw
            if c == "\n":
                raise _ScanStop
            out.append(c)
            j += 1
        raise _ScanStop

    def skip_string(self) -> None:
        t = self.t
        if t.startswith('"""', self.i) or t.startswith("'''", self.i):
            q = t[self.i : self.i + 3]
            j = self.i + 3
            while True:
                k = t.find(q, j)
                if k < 0:
                    raise _ScanStop
                if q == '"""':
                    # count preceding backslashes
                    b = k - 1
                    n = 0
                    while b >= 0 and t[b] == "\\":
                        n += 1
                        b -= 1
                    if n % 2 == 1:
                        j = k + 1
                        continue
                # up to two extra quotes may belong to the content
                end = k + 3
                while end < len(t) and t[end] == q[0] and end - k < 5:
                    end += 1
                self.i = end
                return
        q = t[self.i]
        j = self.i + 1
        while j < len(t):
            c = t[j]
            if q == '"' and c == "\\":
                j += 2
                continue
            if c == q:
                self.i = j + 1
                return
            if c == "\n":
                raise _ScanStop
            j += 1
        raise _ScanStop

    # values
    def value(self, path: TomlPath) -> None:
        start = self.i
        c = self.peek()
        if c in ('"', "'"):
            self.skip_string()
        elif c == "[":
            self.array(path)
        elif c == "{":
            self.inline_table(path)
        else:
            m = _SCALAR_END.search(self.t, self.i)
            end = len(self.t) if m is None else m.start()
            self.i = end
            while self.i > start and self.t[self.i - 1] in " \t":
                self.i -= 1
            if self.i == start:
                raise _ScanStop
        self.map.values[path] = (start, self.i)

    def array(self, path: TomlPath) -> None:
        self.i += 1
        idx = 0
        while True:
            self.ws_nl_comments()
            if self.peek() == "]":
                self.i += 1
                return
            self.value((*path, idx))
            idx += 1
            self.ws_nl_comments()
            if self.peek() == ",":
                self.i += 1
            elif self.peek() == "]":
                self.i += 1
                return
            else:
                raise _ScanStop

    def inline_table(self, path: TomlPath) -> None:
        self.i += 1
        while True:
            self.ws_nl_comments()
            if self.peek() == "}":
                self.i += 1
                return
            self.keyval(path)
            self.ws_nl_comments()
            if self.peek() == ",":
                self.i += 1
            elif self.peek() == "}":
                self.i += 1
                return
            else:
                raise _ScanStop

    def keyval(self, table: TomlPath) -> None:
        parts, kstart, kend = self.dotted_key()
        full = (*table, *parts)
        for cut in range(len(table) + 1, len(full)):
            self.map.keys.setdefault(full[:cut], (kstart, kend))
            self.map.values.setdefault(full[:cut], (kstart, kend))
        self.map.keys[full] = (kstart, kend)
        self.ws()
        if self.peek() != "=":
            raise _ScanStop
        self.i += 1
        self.ws()
        self.value(full)

    def header(self) -> TomlPath:
        aot = self.t.startswith("[[", self.i)
        start = self.i
        self.i += 2 if aot else 1
        parts, _s, _e = self.dotted_key()
        self.ws()
        closing = "]]" if aot else "]"
        if not self.t.startswith(closing, self.i):
            raise _ScanStop
        self.i += len(closing)
        # resolve array-of-tables indexes along the way
        resolved: list[PathPart] = []
        for n, part in enumerate(parts):
            resolved.append(part)
            key = tuple(resolved)
            is_last = n == len(parts) - 1
            if is_last and aot:
                count = self.aot_counts.get(key, 0)
                self.aot_counts[key] = count + 1
                resolved.append(count)
            elif key in self.aot_counts:
                resolved.append(self.aot_counts[key] - 1)
        path = tuple(resolved)
        self.map.values.setdefault(path, (start, self.i))
        self.map.keys.setdefault(path, (start, self.i))
        if aot:
            self.map.values.setdefault(path[:-1], (start, self.i))
            self.map.keys.setdefault(path[:-1], (start, self.i))
        return path

    def document(self) -> None:
        table: TomlPath = ()
        while True:
            self.ws_nl_comments()
            if self.i >= len(self.t):
                return
            if self.peek() == "[":
                table = self.header()
            else:
                self.keyval(table)
            self.skip_line_rest()


def scan(text: str) -> SourceMap:
    """Record the span of every key and value in a TOML document."""
    s = _Scanner(text)
    with contextlib.suppress(_ScanStop, IndexError):
        s.document()
    return s.map
