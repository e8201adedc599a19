"""The typed input: the document validated against the ``*Input`` models, bad items cut out.

A valid document is validated in one pydantic-core call (the fast path: one pass,
whatever the number of items) by the compiled :class:`~specc.spec.SpecInput`, so the
fast path never loads pydantic's model machinery.  When that fails, every error is
translated into a diagnostic (``schema_errors``), and each error then removes
only the smallest unit that holds it, so the rest is still typed and checked:

* an error inside a list item or a table entry (``python.requirements[3]``,
  ``env.FOO``, ``secrets.X.docker``) removes that item or entry;
* an unknown key removes that key; a bad scalar removes that key (its default
  applies);
* a missing required key removes the table that lacks it.

Each section is then validated on its own, so a section that cannot be typed
(``runtime`` without ``python``) leaves the others untouched.  List positions
in the typed input shift when items were removed; :meth:`TypedInput.index`
maps them back to the positions the user wrote.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Any, get_args, get_origin

from pydantic_core import SchemaValidator, ValidationError

from specc.diagnostics import Diagnostic, PathPart, TomlPath
from specc.spec import (
    AptInput,
    CodeInput,
    MavenInput,
    MlflowInput,
    ModelInput,
    PythonInput,
    RInput,
    RuntimeInput,
    SecretInput,
    SpecInput,
    TargetsInput,
)

LocalPathItem = Any  # str | PathInput (the ShortOrTable union)


@dataclass
class TypedInput:
    """Every section of a spec as its input model (None when absent or not typable).

    ``kept`` maps the TOML path of a list whose items were cut to the original
    positions of the items that remain, in order.
    """

    spec_version: int | None = None
    model: ModelInput | None = None
    runtime: RuntimeInput | None = None
    python: PythonInput | None = None
    code: CodeInput | None = None
    apt: AptInput | None = None
    maven: MavenInput | None = None
    r: RInput | None = None
    env: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, SecretInput] = field(default_factory=dict)
    artifacts: dict[str, LocalPathItem] = field(default_factory=dict)
    mlflow: MlflowInput | None = None
    targets: TargetsInput | None = None
    kept: dict[TomlPath, tuple[int, ...]] = field(default_factory=dict)

    def index(self, path: TomlPath, position: int) -> int:
        """The position the user wrote for item ``position`` of the list at ``path``."""
        kept = self.kept.get(path)
        return position if kept is None else kept[position]

    def enumerate(self, path: TomlPath, items: typing.Sequence[Any]) -> typing.Iterator[tuple[TomlPath, Any]]:
        """``(TOML path of the item as written, item)`` for each item of the list at ``path``."""
        kept = self.kept.get(path)
        for pos, item in enumerate(items):
            yield (*path, pos if kept is None else kept[pos]), item


_FIELDS = (
    "spec_version",
    "model",
    "runtime",
    "python",
    "code",
    "apt",
    "maven",
    "r",
    "env",
    "secrets",
    "artifacts",
    "mlflow",
    "targets",
)


def typed_input(data: dict[str, Any]) -> tuple[TypedInput, list[Diagnostic]]:
    """Type ``data`` (a parsed TOML document); diagnostics carry TOML paths, no spans yet."""
    try:
        spec = SpecInput.model_validate(data)
    except ValidationError as exc:
        # the slow path: pydantic's definitions explain each error (imports pydantic)
        from specc.schema_errors import translate

        diagnostics = translate(exc, SpecInput.definition(), data)
        cuts = [_cut(tuple(err["loc"]), data) for err in exc.errors(include_url=False)]
        pruned, kept = _prune(data, [c for c in cuts if c])
        return _per_section(pruned, kept), diagnostics
    return TypedInput(**{name: getattr(spec, name) for name in _FIELDS}), []


def _per_section(data: dict[str, Any], kept: dict[TomlPath, tuple[int, ...]]) -> TypedInput:
    out = TypedInput(kept=kept)
    for name in SpecInput.__fields__:
        alias = name.replace("_", "-")
        if alias not in data:
            continue
        try:
            setattr(out, name, _section_validator(name).validate_python(data[alias]))
        except ValidationError:  # already reported; e.g. a table lacking a required key
            continue
    return out


@cache
def _section_validator(name: str) -> SchemaValidator:
    """The validator of one top-level field of the compiled SpecInput, built once, on first use
    (the slow path only): that field's own schema, with SpecInput's shared definitions and its
    strict config, so a section validates exactly as inside the whole document."""
    from specc.coremodel import model_schema

    schema = SpecInput.core_schema()
    model = model_schema(schema)
    config = model.get("config")
    field_schema = model["schema"]["fields"][name]["schema"]
    if schema["type"] == "definitions":
        field_schema = {"type": "definitions", "schema": field_schema, "definitions": schema["definitions"]}
    return SchemaValidator(field_schema, config)


def _cut(loc: tuple[Any, ...], data: dict[str, Any]) -> TomlPath:
    """The TOML path of the smallest unit to remove for an error at pydantic ``loc``.

    The first list item or table entry along the way is the unit; otherwise the key
    itself, or the table holding a missing key.  () when nothing can be removed (a
    required top-level key is missing).
    """
    from pydantic import BaseModel

    from specc.schema_errors import field_by_alias, union_tags, unwrap

    path: list[PathPart] = []
    tp: Any = SpecInput.definition()
    for part in loc:
        tp = unwrap(tp)
        if get_origin(tp) is typing.Annotated:  # a short-or-table union: the tag is no TOML key
            tags = union_tags(get_args(tp)[0])
            if isinstance(part, str) and part in tags:
                tp = tags[part]
                continue
            tp = get_args(tp)[0]
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            path.append(part)
            info = field_by_alias(tp, str(part))
            tp = info.annotation if info else None
            continue
        path.append(part)
        if get_origin(tp) in (list, dict):
            return tuple(path)
        tp = None
    # a missing key: remove the table that lacks it (walking up while absent)
    while path and not _present(data, path):
        path.pop()
    return tuple(path)


def _present(data: Any, path: list[PathPart]) -> bool:
    node = data
    for part in path:
        if isinstance(node, dict):
            found = isinstance(part, str) and part in node
        else:
            found = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not found:
            return False
        node = node[part]
    return True


def _prune(data: dict[str, Any], cuts: list[TomlPath]) -> tuple[dict[str, Any], dict[TomlPath, tuple[int, ...]]]:
    """``data`` without the values at ``cuts`` (copying only the containers on the way)."""
    tree: dict[Any, Any] = {}
    for cut in cuts:
        node = tree
        for part in cut[:-1]:
            nxt = node.get(part)
            if nxt is True:  # an ancestor is removed already
                break
            node = node.setdefault(part, {})
        else:
            node[cut[-1]] = True
    kept: dict[TomlPath, tuple[int, ...]] = {}
    out = _rebuild(data, tree, (), kept)
    return out, kept


def _rebuild(value: Any, tree: dict[Any, Any], path: TomlPath, kept: dict[TomlPath, tuple[int, ...]]) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            sub = tree.get(k)
            if sub is True:
                continue
            out[k] = _rebuild(v, sub, (*path, k), kept) if sub else v
        return out
    if isinstance(value, list):
        items: list[Any] = []
        positions: list[int] = []
        for i, v in enumerate(value):
            sub = tree.get(i)
            if sub is True:
                continue
            items.append(_rebuild(v, sub, (*path, i), kept) if sub else v)
            positions.append(i)
        if len(items) != len(value):
            kept[path] = tuple(positions)
        return items
    return value
