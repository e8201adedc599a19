"""Where the spec's text holds a credential, so excerpts never show it.

A secret's value has no place in the spec (``[secrets.X]`` names a secret; a ``value``
key there is an unknown-key error), and ``[env]`` values are written in clear text
(a credential-looking one warns, SPC404) — but the text the user wrote is shown in
every diagnostic's excerpt.  :func:`credential_ranges` finds those values, and the
pipeline masks exactly their characters in the source it hands to the renderers.
"""

from __future__ import annotations

from typing import Any

from specc.diagnostics import TomlPath, env_value_is_credential
from specc.document import Document

# the keys of a [secrets.NAME] table that hold a reference or prose, not a value
_SECRET_REFERENCE_KEYS = frozenset({"description", "databricks", "docker"})


def credential_paths(data: dict[str, Any]) -> list[TomlPath]:
    """TOML paths of the string values that hold (or may hold) a credential.

    * anything under ``secrets.NAME`` but its reference keys (``value``, ``token``, ... are
      pasted secrets), and ``secrets.NAME`` written as a bare string;
    * ``env.NAME`` whose name says credential (``*_TOKEN``, ``*PASSWORD*``, ...) or whose
      value looks like one (:func:`specc.diagnostics.looks_like_credential`), unless it is
      only a ``${NAME}`` placeholder.
    """
    out: list[TomlPath] = []
    secrets = data.get("secrets")
    if isinstance(secrets, dict):
        for name, body in secrets.items():
            if isinstance(body, str):
                out.append(("secrets", name))
            elif isinstance(body, dict):
                out += _strings(("secrets", name), {k: v for k, v in body.items() if k not in _SECRET_REFERENCE_KEYS})
    env = data.get("env")
    if isinstance(env, dict):
        for name, value in env.items():
            if isinstance(value, str) and env_value_is_credential(str(name), value):
                out.append(("env", name))
    return out


def _strings(path: TomlPath, value: Any) -> list[TomlPath]:
    """Paths of every string at or under ``path``."""
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _strings((*path, k), v)]
    if isinstance(value, list):
        return [p for k, v in enumerate(value) for p in _strings((*path, k), v)]
    return []


def credential_ranges(doc: Document) -> list[tuple[int, int]]:
    """Character ranges of the spec's text to mask: the inside of each credential string
    (its quotes stay, so the excerpt still reads as TOML)."""
    text = doc.source.text
    out: list[tuple[int, int]] = []
    for path in credential_paths(doc.data):
        hit = doc.source_map.values.get(path)
        if hit is None:
            continue
        start, end = hit
        quote = 3 if text[start : start + 3] in ('"""', "'''") else 1
        if text[start : start + 1] in ('"', "'"):
            out.append((start + quote, end - quote))
    return out
