"""Turn pydantic's validation errors on the input models into specc diagnostics.

Users never see pydantic's own wording: each error becomes a stable code, the
TOML path (union tags stripped), a sentence in TOML terms ("expected a string,
found an integer") and a hint, with "did you mean" for unknown keys.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from specc.diagnostics import Diagnostic, PathPart, format_path

_TOML_TYPE = {
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    list: "an array",
    dict: "a table",
}


def toml_type(value: Any) -> str:
    for tp, name in _TOML_TYPE.items():
        if type(value) is tp:
            return name
    if hasattr(value, "isoformat"):
        return "a date/time"
    return type(value).__name__


def unwrap(tp: Any) -> Any:
    """Strip Optional[...] (one non-None member) and plain Annotated wrappers."""
    while True:
        origin = get_origin(tp)
        if origin is typing.Annotated:
            inner, *_meta = get_args(tp)
            if get_origin(inner) in (Union, types.UnionType) and union_tags(inner):
                return tp  # a tagged short-or-table union: keep the metadata
            tp = inner
            continue
        if origin in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp


def union_tags(union: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for member in get_args(union):
        if get_origin(member) is typing.Annotated:
            inner, *meta = get_args(member)
            for m in meta:
                tag = getattr(m, "tag", None)
                if isinstance(tag, str):
                    out[tag] = inner
    return out


def field_by_alias(model: type[BaseModel], alias: str) -> FieldInfo | None:
    for name, info in model.model_fields.items():
        if (info.alias or name) == alias:
            return info
    return None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def walk(root: type[BaseModel], loc: tuple[Any, ...]) -> tuple[list[PathPart], Any]:
    """Follow a pydantic ``loc`` through the types; return the TOML path and the type there."""
    path: list[PathPart] = []
    tp: Any = root
    for part in loc:
        tp = unwrap(tp)
        if get_origin(tp) is typing.Annotated:
            union = get_args(tp)[0]
            tags = union_tags(union)
            if isinstance(part, str) and part in tags:
                tp = tags[part]
                continue
            tp = union
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            path.append(part)
            info = field_by_alias(tp, str(part))
            tp = info.annotation if info else None
            continue
        origin = get_origin(tp)
        if origin in (list, tuple):
            path.append(part)
            args = get_args(tp)
            tp = args[0] if args else None
            continue
        if origin is dict:
            path.append(part)
            tp = get_args(tp)[1]
            continue
        path.append(part)
        tp = None
    return path, unwrap(tp) if tp is not None else None


def _expected(tp: Any) -> str:
    tp = unwrap(tp)
    if get_origin(tp) is typing.Annotated:
        return "a string or a table"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "a table"
    origin = get_origin(tp)
    if origin in (list, tuple):
        return "an array"
    if origin is dict:
        return "a table"
    if origin is typing.Literal:
        return "one of " + ", ".join(f'"{a}"' for a in get_args(tp))
    return _TOML_TYPE.get(tp, "a value")


def _section(path: list[PathPart]) -> str:
    return f"[{format_path(path)}]" if path else "the top level"


_TYPE_HINTS = {
    ("a string", "an integer"): 'quote it: "{value}"',
    ("a string", "a float"): 'quote it: "{value}"',
    ("an array", "a string"): 'wrap it in brackets: ["{value}"]',
    ("an integer", "a string"): "remove the quotes: {value}",
    ("a boolean", "a string"): "remove the quotes: true or false",
    ("a table", "a string"): "this key holds a table, e.g. [section] with key = value lines",
}


def translate(exc: ValidationError, root: type[BaseModel], data: Any) -> list[Diagnostic]:
    """pydantic errors → diagnostics (file/span are attached later by the caller)."""
    out: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        kind = err["type"]
        value = err.get("input")
        if kind == "extra_forbidden":
            path, _ = walk(root, loc[:-1])
            parent_tp = walk(root, loc[:-1])[1]
            key = str(loc[-1])
            full = [*path, key]
            allowed = (
                allowed_keys(parent_tp) if isinstance(parent_tp, type) and issubclass(parent_tp, BaseModel) else []
            )
            guess = _did_you_mean(key, allowed)
            what = "section" if isinstance(value, dict) and not path else "key"
            message = f"unknown {what} `{key}` in {_section(path)}"
            if guess:
                hint = f"did you mean `{guess}`?"
            elif allowed:
                hint = "allowed keys: " + ", ".join(allowed)
            else:
                hint = None
            d = Diagnostic.error("SPC101", message=message, path=full, hint=hint)
        elif kind == "missing":
            path, _ = walk(root, loc)
            key = str(path[-1]) if path else "?"
            parent = path[:-1]
            example = _example_for(root, loc)
            if example:
                hint = f"add {key} = {example}"
            elif key == "runtime":
                hint = 'add a [runtime] table with python = "3.11" (the Python the model runs on)'
            else:
                hint = None
            d = Diagnostic.error(
                "SPC104", message=f"missing required key `{key}` in {_section(parent)}", path=parent, hint=hint
            )
        elif kind == "literal_error":
            path, tp = walk(root, loc)
            d = Diagnostic.error(
                "SPC105",
                message=f"invalid value {_show(value)}; expected {_expected(tp)}",
                path=path,
                hint=_literal_hint(value, tp),
            )
        else:
            path, tp = walk(root, loc)
            expected = "a string or a table" if kind == "short_or_table" else _expected(tp)
            found = toml_type(value)
            template = _TYPE_HINTS.get((expected, found))
            hint = template.format(value=value) if template else None
            d = Diagnostic.error("SPC102", message=f"expected {expected}, found {found}", path=path, hint=hint)
        k = (d.code, format_path(d.path))
        if k in seen:
            continue
        seen.add(k)
        out.append(d)
    return out


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _literal_hint(value: Any, tp: Any) -> str | None:
    if get_origin(tp) is typing.Literal and isinstance(value, str):
        guess = _did_you_mean(value, [str(a) for a in get_args(tp)])
        if guess:
            return f'did you mean "{guess}"?'
    return None


def _did_you_mean(key: str, allowed: list[str]) -> str | None:
    if not allowed:
        return None
    variants = {key, key.replace("_", "-"), key.lower(), key.lower().replace("_", "-")}
    for v in variants:
        if v in allowed and v != key:
            return v
    close = difflib.get_close_matches(key.lower(), allowed, n=1, cutoff=0.6)
    return close[0] if close else None


def _example_for(root: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    _, parent_tp = walk(root, loc[:-1])
    if isinstance(parent_tp, type) and issubclass(parent_tp, BaseModel):
        info = field_by_alias(parent_tp, str(loc[-1]))
        if info and info.examples:
            ex = info.examples[0]
            if isinstance(ex, str):
                return f'"{ex}"'
            if isinstance(ex, bool):
                return "true" if ex else "false"
            if isinstance(ex, int):
                return str(ex)
    return None
