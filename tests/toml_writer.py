"""A tiny TOML writer for tests (inline tables only): enough to round-trip specs."""

from __future__ import annotations

import json
import math
from typing import Any


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_string(k)} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def _string(s: str) -> str:
    # JSON's escapes are TOML's, but TOML also needs DEL escaped and has no surrogate escapes
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def dumps(doc: dict[str, Any]) -> str:
    return "".join(f"{_string(k)} = {_value(v)}\n" for k, v in doc.items())
