"""The one quoting helper for every value that reaches a shell or a Dockerfile.

Targets never interpolate spec values into command text any other way: every
string goes through :func:`shquote` (POSIX shell) or :func:`dockerfile_json`
(the exec/JSON form of Dockerfile instructions), so quotes, ``$()``,
backticks, newlines and unicode can never change a command's structure.
"""

from __future__ import annotations

import json
import shlex


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


def dockerfile_env_value(value: str) -> str:
    """A value for ``ENV KEY=<value>``: double-quoted with escapes, on one line.

    Dockerfile double-quoted strings support ``\\"``, ``\\\\`` and ``\\$``;
    a newline must be escaped so it cannot start a new instruction.
    """
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("\n", "\\n").replace("\r", "\\r")
    return f'"{out}"'
