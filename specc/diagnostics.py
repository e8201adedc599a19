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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from specc.codes import CODES, name_of

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


@dataclass(frozen=True, kw_only=True)
class Diagnostic:
    """One problem, with everything a user needs to fix it.

    ``path`` is the TOML path of the spec value concerned (``()`` when none: a file-level
    problem, or a logged model's file with no spec entry behind it); ``file``/``span`` locate the
    text shown (the spec, a requirements file, a logged model's ``requirements.txt``...).
    ``expected``/``actual`` are the two sides of a comparison (``specc check``), else None.

    Build one with the keyword-only constructors :meth:`error`, :meth:`warning` or
    :meth:`create`, or with keyword arguments (the fields are keyword-only).
    """

    code: str
    severity: Severity
    message: str
    path: TomlPath = ()
    hint: str | None = None
    file: str | None = None
    span: Span | None = None
    expected: str | None = None
    actual: str | None = None

    @classmethod
    def create(
        cls,
        code: str,
        /,
        *,
        message: str,
        severity: Severity | None = None,
        path: Sequence[PathPart] = (),
        hint: str | None = None,
        file: str | None = None,
        span: Span | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> Diagnostic:
        """A diagnostic of ``code``; ``severity`` defaults to the code's registered default.

        Raises KeyError when ``severity`` is omitted and ``code`` is not in :mod:`specc.codes`.
        """
        sev = severity if severity is not None else CODES[code].severity
        return cls(
            code=code,
            severity=sev,
            message=message,
            path=tuple(path),
            hint=hint,
            file=file,
            span=span,
            expected=expected,
            actual=actual,
        )

    @classmethod
    def error(
        cls,
        code: str,
        /,
        *,
        message: str,
        path: Sequence[PathPart] = (),
        hint: str | None = None,
        file: str | None = None,
        span: Span | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> Diagnostic:
        """An error: ``Diagnostic.error("SPC103", path=("python", "requirements", 2), message=...)``."""
        return cls.create(
            code,
            severity="error",
            message=message,
            path=path,
            hint=hint,
            file=file,
            span=span,
            expected=expected,
            actual=actual,
        )

    @classmethod
    def warning(
        cls,
        code: str,
        /,
        *,
        message: str,
        path: Sequence[PathPart] = (),
        hint: str | None = None,
        file: str | None = None,
        span: Span | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> Diagnostic:
        """A warning; keywords as for :meth:`error`."""
        return cls.create(
            code,
            severity="warning",
            message=message,
            path=path,
            hint=hint,
            file=file,
            span=span,
            expected=expected,
            actual=actual,
        )

    @property
    def path_str(self) -> str:
        return format_path(self.path)

    @property
    def name(self) -> str | None:
        """The code's registered name (``"SPC103"`` → ``"invalid-requirement"``), None if unregistered."""
        return name_of(self.code)

    def with_severity(self, severity: Severity) -> Diagnostic:
        return replace(self, severity=severity)

    def to_json(self) -> dict[str, object]:
        """One item of a report (schemas/specc-diagnostics.schema.json); every key always present."""
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "path": self.path_str,
            "hint": self.hint,
            "file": self.file,
            "line": self.span.line if self.span else None,
            "column": self.span.col if self.span else None,
            "end_line": self.span.end_line if self.span else None,
            "end_column": self.span.end_col if self.span else None,
            "expected": self.expected,
            "actual": self.actual,
        }


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[int, int, str, str]:
    """Source order first, then file-less diagnostics by path and code."""
    if d.span is None:
        return (1 << 30, 0, d.path_str, d.code)
    return (d.span.line, d.span.col, d.path_str, d.code)


# --- secret masking -------------------------------------------------------------------------

# userinfo in a URL: scheme://user:password@host  (placeholders ${NAME} are fine to show)
# Tried only where a run of scheme characters starts (the look-behind; ``pre`` takes the run's
# leading digits or ``+.-``, since a scheme starts with a letter): matching the scheme from every
# position of a long run (a 200 KB word) was quadratic - minutes for one message.
_USERINFO = re.compile(
    r"(?<![A-Za-z0-9+.-])(?P<pre>[0-9+.-]*)(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\"' \t\r\n]+)@"
)
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


def mask_value(value: str) -> str:
    """``value`` masked whole (one ``*`` per character): for a value known to be a credential."""
    return _mask(value)


# Tokens whose shape says what they are (each vendor's documented prefix), wherever they appear.
# Bounded by non-word characters, so only the token's own characters are masked.
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_])(?:"
    r"gh[pousr]_[A-Za-z0-9]{30,}"  # GitHub
    r"|github_pat_[A-Za-z0-9_]{22,}"
    r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|hf_[A-Za-z0-9]{30,}"  # Hugging Face
    r"|dapi[0-9a-f]{32}(?:-[0-9]+)?"  # Databricks personal access token
    r"|dose[0-9a-f]{32}(?:-[0-9]+)?"  # Databricks OAuth secret
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key id
    r"|xox[abprs]-[A-Za-z0-9-]{10,}"  # Slack
    r"|sk-[A-Za-z0-9_-]{20,}"  # OpenAI-style API keys
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API key
    r"|npm_[A-Za-z0-9]{36}"  # npm
    r"|pypi-[A-Za-z0-9_-]{50,}"  # PyPI upload token
    r"|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"  # a JWT
    r")(?![A-Za-z0-9_])"
)

#: credential values shorter than this are masked only where they stand as credentials (URL
#: userinfo, a secret's or credential variable's own value): a short user name such as "aws"
#: also occurs inside unrelated words and host names, which must stay readable
MIN_SCRUB_LENGTH = 8


def looks_like_credential(value: str) -> bool:
    """Whether ``value`` holds a token of a known credential shape (GitHub, Hugging Face,
    Databricks, AWS, Slack, ... prefixes) or a URL with a literal credential."""
    return has_token_shape(value) or redact(value) != value


def has_token_shape(value: str) -> bool:
    """Whether ``value`` holds a token of a known credential shape (GitHub, Hugging Face,
    Databricks, AWS, Slack, ... prefixes), wherever it stands."""
    return bool(_TOKEN.search(value))


# [env] names that usually hold a credential: their values belong in [secrets] (SPC404).  The
# word may follow letters (PGPASSWORD, GHTOKEN) but not run on into another word, so that
# settings such as TOKENIZERS_PARALLELISM (Hugging Face tokenizers) or MAX_TOKENS are not flagged
SECRETISH_NAME = re.compile(
    r"(?:TOKEN|PASSWORDS?|PASSWD|SECRETS?|API_KEYS?|ACCESS_KEYS?|PRIVATE_KEYS?|CREDENTIALS?)(?![A-Z])"
)
_ONE_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def env_value_is_credential(name: str, value: str) -> bool:
    """Whether the ``[env]`` value ``name = value`` is (or may be) a credential: a name that
    says so (``*_TOKEN``, ``*PASSWORD*``, ...) or a value of a credential shape; a lone
    ``${NAME}`` placeholder or an empty value never is."""
    if not value or _ONE_PLACEHOLDER.fullmatch(value):
        return False
    return bool(SECRETISH_NAME.search(name.upper())) or looks_like_credential(value)


def mask_spec_values(data: object) -> object:
    """A copy of a spec's data (normalized ``EnvSpec.to_dict()``, a logged
    ``specc-environment.json``) safe to print: each ``env`` value that
    :func:`env_value_is_credential` flags masked whole, and every other string
    :func:`redact`-ed (URL credentials, known token shapes).  Lengths are kept.

    Every output that prints spec values goes through this (``validate --normalized``, the
    values ``check`` compares), as every diagnostic goes through :func:`redact`.
    """

    def walk(value: object, path: tuple[str, ...]) -> object:
        if isinstance(value, dict):
            return {k: walk(v, (*path, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, path) for v in value]
        if isinstance(value, str):
            if len(path) == 2 and path[0] == "env" and env_value_is_credential(path[1], value):
                return _mask(value)
            return redact(value)
        return value

    return walk(data, ())


def mask_ranges(text: str, ranges: Iterable[tuple[int, int]]) -> str:
    """``text`` with the characters in each ``[start, end)`` range replaced by ``*``.

    Lengths are kept (carets stay aligned) and line breaks stay (line numbers stay).
    """
    chars = list(text)
    for start, end in ranges:
        for i in range(max(0, start), min(len(chars), end)):
            if chars[i] not in "\r\n":
                chars[i] = "*"
    return "".join(chars)


def scrub(text: str, values: Iterable[str]) -> str:
    """:func:`redact` ``text``, and mask every occurrence of each credential value in ``values``
    (also URL-quoted) that is at least :data:`MIN_SCRUB_LENGTH` long.

    For another program's output (uv, pip, conda-lock) that may echo a credential it was
    given: a long value is masked wherever it appears; a short one only where :func:`redact`
    sees a credential (a URL's userinfo), never inside other words.
    """
    from urllib.parse import quote

    out = redact(text)
    for value in sorted({v for v in values if len(v) >= MIN_SCRUB_LENGTH}, key=len, reverse=True):
        for form in {value, quote(value, safe="")}:
            out = out.replace(form, _mask(form))
    return out


def redact(text: str) -> str:
    """Mask literal credentials in ``text``: in URLs (``user:pass@``, ``?token=``) and tokens of
    a known shape (``ghp_...``, ``hf_...``, ``dapi...``, ``AKIA...``; :func:`looks_like_credential`).

    Only the credential's own characters are masked, each by one ``*``; ``${NAME}``
    placeholders are references, not secrets, and stay visible.
    """

    def userinfo(m: re.Match[str]) -> str:
        info = m.group("userinfo")
        if _PLACEHOLDER_ONLY.match(info):
            return m.group(0)
        user, sep, password = info.partition(":")
        if sep:
            masked_user = user if _PLACEHOLDER_ONLY.match(user) else _mask(user)
            masked_pw = password if _PLACEHOLDER_ONLY.match(password) else _mask(password)
            return f"{m.group('pre')}{m.group('scheme')}{masked_user}:{masked_pw}@"
        return f"{m.group('pre')}{m.group('scheme')}{_mask(info)}@"

    def query(m: re.Match[str]) -> str:
        value = m.group("value")
        if _PLACEHOLDER_ONLY.match(value):
            return m.group(0)
        return m.group("key") + _mask(value)

    masked = _QUERY_SECRET.sub(query, _USERINFO.sub(userinfo, text))
    return _TOKEN.sub(lambda m: _mask(m.group(0)), masked)


# --- rendering ------------------------------------------------------------------------------


def render_text(diagnostics: Sequence[Diagnostic], sources: dict[str, str] | None = None, color: bool = False) -> str:
    """Render diagnostics for humans; ``sources`` maps file name → text for excerpts."""
    sources = sources or {}
    split: dict[str, list[str]] = {}  # each source split once: 5,000 diagnostics of one file stay linear

    def lines_of(d: Diagnostic) -> list[str] | None:
        name = d.file or ""
        source = sources.get(name)
        if source is None or d.span is None:
            return None
        if name not in split:
            split[name] = _lines(name, source)
        return split[name]

    return "\n".join(_render_one(d, lines_of(d), color) for d in diagnostics)


def _style(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _render_one(d: Diagnostic, src_lines: list[str] | None, color: bool) -> str:
    where = d.file or "<spec>"
    if d.span is not None:
        where += f":{d.span.line}:{d.span.col}"
    sev = _style(d.severity, "1;31" if d.severity == "error" else "1;33", color)
    head = f"{where}: {sev}[{d.code}]"
    if d.path:
        head += f" {d.path_str}"
    head += f": {redact(d.message)}"
    lines = [head]
    if d.span is not None and src_lines is not None and 1 <= d.span.line <= len(src_lines):
        text = redact(src_lines[d.span.line - 1].replace("\t", " "))
        gutter = str(d.span.line)
        pad = " " * len(gutter)
        if d.span.end_line == d.span.line:
            width = max(1, d.span.end_col - d.span.col)
        else:  # a multi-line value: underline to the end of its first line
            width = max(1, len(text) - d.span.col + 1)
        text, col, width = _window(text, d.span.col, width)
        caret = " " * (col - 1) + "^" * width
        lines.append(f"{pad} |")
        lines.append(f"{gutter} | {text}")
        lines.append(f"{pad} | {_style(caret, '1;31' if d.severity == 'error' else '1;33', color)}")
        if d.hint:
            lines.append(f"{pad} = hint: {redact(d.hint)}")
        return "\n".join(lines)
    if d.hint:
        lines.append(f"  = hint: {redact(d.hint)}")
    return "\n".join(lines)


def _lines(name: str, source: str) -> list[str]:
    """The lines of ``source`` as its spans count them: a TOML file breaks at "\n" only
    (specc.document.Source; \x85 or \u2028 inside a TOML string is a character, not a line
    break), a requirements file at every :meth:`str.splitlines` break, as pip reads it."""
    if name.endswith(".toml"):
        return [line.removesuffix("\r") for line in source.split("\n")]
    return source.splitlines()


#: source lines longer than this are shown as a window around the value (a 5,000-character path
#: would otherwise fill the terminal); shorter lines are shown whole
EXCERPT_LIMIT = 200
_BEFORE = 40  # characters kept before the value in a window


def _window(text: str, col: int, width: int) -> tuple[str, int, int]:
    """``(line, 1-based column, caret width)`` to show: ``text`` itself when short enough, else
    at most :data:`EXCERPT_LIMIT` characters around the value, elided with ``…``."""
    col = min(col, len(text) + 1)  # a span past the line's end (a file read another way) stays on it
    if len(text) <= EXCERPT_LIMIT:
        return text, col, width
    start = max(0, col - 1 - _BEFORE)
    end = min(len(text), start + EXCERPT_LIMIT)
    shown = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    new_col = col - start + (1 if start else 0)
    return shown, new_col, max(1, min(width, end - (col - 1)))


def render_json(diagnostics: Sequence[Diagnostic], extra: Mapping[str, object] | None = None) -> str:
    """A diagnostics report (schemas/specc-diagnostics.schema.json), credentials masked.

    ``{"diagnostics": [...], "errors": n, "warnings": n}`` plus ``extra``, a command's own
    top-level keys (``spec`` for ``validate --normalized``, ``check`` for ``specc check``); they
    may not replace the three common ones (ValueError).
    """
    items = []
    for d in diagnostics:
        item = d.to_json()
        item["message"] = redact(d.message)
        if d.hint:
            item["hint"] = redact(d.hint)
        for side in ("expected", "actual"):
            if isinstance(item.get(side), str):
                item[side] = redact(str(item[side]))
        items.append(item)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = sum(1 for d in diagnostics if d.severity == "warning")
    payload: dict[str, object] = {"diagnostics": items, "errors": errors, "warnings": warnings}
    for key, value in (extra or {}).items():
        if key in payload:
            raise ValueError(f"render_json: {key!r} is a common key of every report")
        payload[key] = value
    return json.dumps(payload, indent=2, ensure_ascii=False)


def summary_line(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = sum(1 for d in diagnostics if d.severity == "warning")

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


# --- the published schema of a report ---------------------------------------------------------


def report_schema() -> dict[str, object]:
    """JSON Schema of :func:`render_json`'s report, published as schemas/specc-diagnostics.schema.json.

    Every command's ``--format json`` diagnostics (``validate``, ``render``, ``check``, and
    ``compile`` when it fails) are one such report.
    """
    from specc.schema import BASE_ID, DRAFT

    def nullable(kind: str, description: str, **more: object) -> dict[str, object]:
        return {"type": [kind, "null"], "description": description, **more}

    item: dict[str, object] = {
        "code": {
            "type": "string",
            "pattern": r"^SPC\d{3}$",
            "description": "Stable code; never changes meaning (docs/diagnostics.md).",
            "examples": ["SPC103"],
        },
        "name": nullable(
            "string", "The code's stable kebab-case name (specc/codes.py).", examples=["invalid-requirement"]
        ),
        "severity": {"enum": ["error", "warning"], "description": "error fails the command; warning does not."},
        "message": {"type": "string", "description": "What is wrong; literal credentials masked."},
        "path": {
            "type": "string",
            "description": "TOML path of the spec value concerned, 0-based indexes; empty when none.",
            "examples": ["python.requirements[2]", ""],
        },
        "hint": nullable("string", "How to fix it."),
        "file": nullable(
            "string",
            "The file the line and column refer to: the spec, a requirements file, or a logged model's file.",
            examples=["model-env.toml", "mlruns/1/models/m-abc/artifacts/requirements.txt"],
        ),
        "line": nullable("integer", "1-based line in file.", minimum=1),
        "column": nullable("integer", "1-based column of the value's first character.", minimum=1),
        "end_line": nullable("integer", "1-based line where the value ends.", minimum=1),
        "end_column": nullable("integer", "1-based column just after the value (exclusive).", minimum=1),
        "expected": nullable("string", "specc check: what the spec (or lock) asks for."),
        "actual": nullable("string", "specc check: what the model or environment has."),
    }
    diagnostic = {
        "type": "object",
        "description": "One problem, with everything needed to find and fix it.",
        "additionalProperties": False,
        "required": list(item),  # every key is always present (null when unset)
        "properties": item,
    }
    check = {
        "type": "object",
        "description": "specc check only: what was compared.",
        "additionalProperties": False,
        "required": ["spec", "against", "lock", "drift"],
        "properties": {
            "spec": {"type": "string", "description": "The spec file, as given."},
            "against": {"type": "string", "description": '"env", or the model URI or folder, as given.'},
            "lock": nullable("string", "The model-env.lock compared too, or null."),
            "drift": {"type": "boolean", "description": "True when any error was found (exit code 1)."},
        },
    }
    verdict = {
        "type": "object",
        "description": "validate with several specs: one spec's verdict.",
        "additionalProperties": False,
        "required": ["file", "valid", "errors", "warnings"],
        "properties": {
            "file": {"type": "string", "description": "The spec path, as given."},
            "valid": {"type": "boolean", "description": "False when it has errors (--strict: warnings too)."},
            "errors": {"type": "integer", "minimum": 0, "description": "Its errors."},
            "warnings": {"type": "integer", "minimum": 0, "description": "Its warnings."},
        },
    }
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_ID}/specc-diagnostics.schema.json",
        "title": "specc diagnostics report",
        "description": (
            "What every specc command prints with --format json about problems found "
            "(validate, render, check; compile when it fails)."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["diagnostics", "errors", "warnings"],
        "properties": {
            "diagnostics": {
                "type": "array",
                "items": {"$ref": "#/$defs/diagnostic"},
                "description": "In source order, then by path and code.",
            },
            "errors": {"type": "integer", "minimum": 0, "description": "How many diagnostics are errors."},
            "warnings": {"type": "integer", "minimum": 0, "description": "How many are warnings."},
            "spec": nullable("object", "validate --normalized: the normalized spec; null when invalid."),
            "check": {"$ref": "#/$defs/check"},
            "files": {
                "type": "array",
                "items": {"$ref": "#/$defs/file"},
                "description": "validate with several specs: each spec's verdict, in the order given.",
            },
        },
        "$defs": {"diagnostic": diagnostic, "check": check, "file": verdict},
    }
