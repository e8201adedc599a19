"""Diagnostics: what went wrong, where, and how to fix it.

Every problem specc finds is a :class:`Diagnostic` with a stable code, a
severity, the TOML path of the offending value (``python.requirements[2]``,
0-based indexes), the source span (1-based line and column, the column of the
value's first character) and a hint.  They are collected, never raised one by
one, so a user sees every mistake in one run (packaging's style), and rendered
rustc-style::

    model-env.toml:14:3: error[SPC103] python.requirements[2]: invalid requirement "numpy>=1.2,<"
       |
    14 |   "numpy>=1.2,<",
       |   ^^^^^^^^^^^^^^
       = hint: finish the version specifier, e.g. "numpy>=1.2,<2"

Code ranges: SPC0xx reading the file, SPC1xx syntax and schema, SPC2xx
semantic, SPC3xx a target cannot express something, SPC4xx security, SPC9xx
internal errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning"]
PathPart = str | int
TomlPath = tuple[PathPart, ...]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def format_path(path: Sequence[PathPart]) -> str:
    """``("python", "requirements", 2)`` → ``python.requirements[2]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if _BARE_KEY.match(part) else json.dumps(part, ensure_ascii=False)
            out += f".{key}" if out else key
    return out


@dataclass(frozen=True)
class Span:
    """A region of the source text: 1-based line/column, end exclusive."""

    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Origin:
    """Where one normalized value came from.

    ``path`` is the TOML path of the entry in the spec that produced it
    (``("python", "requirements-files", 0)`` for every line of that file);
    ``file``/``span`` locate it in a requirements file when it came from one
    (``file`` relative to the spec's folder, as shown in diagnostics).
    """

    path: TomlPath
    file: str | None = None
    span: Span | None = None


# normalized path in EnvSpec (kebab-case keys, 0-based indexes: ``("python", "requirements", 3)``)
# → where that value came from
Origins = dict[TomlPath, Origin]


@dataclass(frozen=True)
class Diagnostic:
    """One problem, with everything a user needs to fix it."""

    code: str
    severity: Severity
    message: str
    path: TomlPath = ()
    hint: str | None = None
    file: str | None = None
    span: Span | None = None

    @property
    def path_str(self) -> str:
        return format_path(self.path)

    def with_severity(self, severity: Severity) -> Diagnostic:
        return replace(self, severity=severity)

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "path": self.path_str,
            "hint": self.hint,
            "file": self.file,
            "line": self.span.line if self.span else None,
            "column": self.span.col if self.span else None,
            "end_line": self.span.end_line if self.span else None,
            "end_column": self.span.end_col if self.span else None,
        }


@dataclass
class Collector:
    """Accumulates diagnostics; validation code reports and carries on."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, path: Sequence[PathPart], message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(code, "error", message, tuple(path), hint))

    def warning(self, code: str, path: Sequence[PathPart], message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(code, "warning", message, tuple(path), hint))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[int, int, str, str]:
    """Source order first, then file-less diagnostics by path and code."""
    if d.span is None:
        return (1 << 30, 0, d.path_str, d.code)
    return (d.span.line, d.span.col, d.path_str, d.code)


# --- secret masking -------------------------------------------------------------------------

# userinfo in a URL: scheme://user:password@host  (placeholders ${NAME} are fine to show)
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\"' \t\r\n]+)@")
# credential-looking query parameters
_QUERY_SECRET = re.compile(
    r"(?P<key>[?&;](?:token|access_token|api_key|apikey|key|password|passwd|secret|sig|signature|auth)=)"
    r"(?P<value>[^&#\"' \t\r\n]+)",
    re.IGNORECASE,
)
_PLACEHOLDER_ONLY = re.compile(r"^(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|:)*$")


def _mask(value: str) -> str:
    # Same length keeps carets aligned under the masked excerpt.
    return "*" * len(value)


def redact(text: str) -> str:
    """Mask literal credentials in URLs (``user:pass@``, ``?token=``) in ``text``.

    ``${NAME}`` placeholders are references, not secrets, and stay visible.
    """

    def userinfo(m: re.Match[str]) -> str:
        info = m.group("userinfo")
        if _PLACEHOLDER_ONLY.match(info):
            return m.group(0)
        user, sep, password = info.partition(":")
        if sep:
            masked_user = user if _PLACEHOLDER_ONLY.match(user) else _mask(user)
            masked_pw = password if _PLACEHOLDER_ONLY.match(password) else _mask(password)
            return f"{m.group('scheme')}{masked_user}:{masked_pw}@"
        return f"{m.group('scheme')}{_mask(info)}@"

    def query(m: re.Match[str]) -> str:
        value = m.group("value")
        if _PLACEHOLDER_ONLY.match(value):
            return m.group(0)
        return m.group("key") + _mask(value)

    return _QUERY_SECRET.sub(query, _USERINFO.sub(userinfo, text))


# --- rendering ------------------------------------------------------------------------------


def render_text(diagnostics: Sequence[Diagnostic], sources: dict[str, str] | None = None, color: bool = False) -> str:
    """Render diagnostics for humans; ``sources`` maps file name → text for excerpts."""
    sources = sources or {}
    blocks = [_render_one(d, sources.get(d.file or ""), color) for d in diagnostics]
    return "\n".join(blocks)


def _style(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _render_one(d: Diagnostic, source: str | None, color: bool) -> str:
    where = d.file or "<spec>"
    if d.span is not None:
        where += f":{d.span.line}:{d.span.col}"
    sev = _style(d.severity, "1;31" if d.severity == "error" else "1;33", color)
    head = f"{where}: {sev}[{d.code}]"
    if d.path:
        head += f" {d.path_str}"
    head += f": {redact(d.message)}"
    lines = [head]
    if d.span is not None and source is not None:
        src_lines = source.splitlines()
        if 1 <= d.span.line <= len(src_lines):
            text = redact(src_lines[d.span.line - 1].replace("\t", " "))
            gutter = str(d.span.line)
            pad = " " * len(gutter)
            if d.span.end_line == d.span.line:
                width = max(1, d.span.end_col - d.span.col)
            else:  # a multi-line value: underline to the end of its first line
                width = max(1, len(text) - d.span.col + 1)
            caret = " " * (d.span.col - 1) + "^" * width
            lines.append(f"{pad} |")
            lines.append(f"{gutter} | {text}")
            lines.append(f"{pad} | {_style(caret, '1;31' if d.severity == 'error' else '1;33', color)}")
            if d.hint:
                lines.append(f"{pad} = hint: {redact(d.hint)}")
            return "\n".join(lines)
    if d.hint:
        lines.append(f"  = hint: {redact(d.hint)}")
    return "\n".join(lines)


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    """Machine-readable diagnostics (same content as the text form, credentials masked)."""
    items = []
    for d in diagnostics:
        item = d.to_json()
        item["message"] = redact(d.message)
        if d.hint:
            item["hint"] = redact(d.hint)
        items.append(item)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = sum(1 for d in diagnostics if d.severity == "warning")
    return json.dumps(
        {"diagnostics": items, "errors": errors, "warnings": warnings},
        indent=2,
        ensure_ascii=False,
    )


def summary_line(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = sum(1 for d in diagnostics if d.severity == "warning")

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
