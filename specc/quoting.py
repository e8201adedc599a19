"""The one quoting helper for every value that reaches a shell or a Dockerfile.

Targets never interpolate spec values into command text any other way: every
string goes through :func:`shquote` (POSIX shell) or :func:`dockerfile_json`
(the exec/JSON form of Dockerfile instructions), so quotes, ``$()``,
backticks, newlines and unicode can never change a command's structure.
"""

from __future__ import annotations

import json
import re
import shlex

# Line breaks and other control characters (C0 but tab, DEL and C1, the Unicode line and
# paragraph separators): one compiled class, checked per requirement line at scale.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def shquote(value: object) -> str:
    """Quote one word for a POSIX shell (bash/sh): ``'it'"'"'s'``.

    Newlines stay inside single quotes, where the shell keeps them literal.
    """
    return shlex.quote(str(value))


def shjoin(words: list[object]) -> str:
    return " ".join(shquote(w) for w in words)


def dockerfile_json(words: list[str]) -> str:
    """Exec form for CMD/ENTRYPOINT/HEALTHCHECK: a JSON array, one line, ASCII-safe."""
    return json.dumps(list(words), ensure_ascii=True)


def has_control_chars(value: str) -> bool:
    """True if ``value`` holds a line break or another control character (tab excepted)."""
    return _CONTROL.search(value) is not None


def dockerfile_env_value(value: str) -> str:
    """A value for ``ENV KEY=<value>``: double-quoted with escapes, on one line.

    Checked by building with buildah (the Dockerfile word lexer BuildKit shares):
    inside double quotes ``\\"`` gives ``"``, ``\\\\`` gives ``\\`` and ``\\$`` gives a
    literal ``$``; unicode and tabs pass through.  A Dockerfile cannot hold a
    line break in an ENV value at all (``\\n`` stays a backslash and an ``n``), so
    control characters raise ``ValueError``: targets report them as diagnostics
    before rendering, this is the safety net.
    """
    if has_control_chars(value):
        raise ValueError(f"a Dockerfile ENV value cannot hold control characters: {value!r}")
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{out}"'


def dockerfile_shquote(value: object) -> str:
    """:func:`shquote` for a word on a Dockerfile ``RUN`` line.

    The Dockerfile parser splits instructions at line breaks before any shell
    sees them, so a quoted newline would still end the instruction: refuse it.
    """
    text = str(value)
    if has_control_chars(text):
        raise ValueError(f"a Dockerfile RUN word cannot hold control characters: {text!r}")
    return shquote(text)


def rquote(value: str) -> str:
    """An R string literal (``"..."``), ASCII only: quotes, backslashes, control
    characters and non-ASCII characters are escaped (``\\U{...}``), so no value
    can end the literal or the expression."""
    out = []
    for ch in value:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif code == 0:
            raise ValueError("an R string cannot hold a NUL character")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code > 0x7E:
            out.append(f"\\U{{{code:x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
