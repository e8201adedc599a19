"""Compile specc's pydantic model definitions into plain classes: specc/_models.py.

    python scripts/compile_models.py           # rewrite specc/_models.py
    python scripts/compile_models.py --check   # exit 1 when specc/_models.py is stale

Every model defined in specc/spec_defs.py and specc/lock_defs.py becomes a class of the same name on
specc.coremodel.CoreModel, carrying the pydantic-core schema pydantic builds for the
definition (so validation, defaults, aliases and dumps are pydantic's own), with the compiled
classes in place of the definitions' and the definitions' validator functions referenced by
name from specc.spec_methods.  Commands then validate and dump without importing pydantic's
model machinery (issue #10's start-up target; see specc/coremodel.py).

Deterministic: the same definitions give the same bytes.  tests/test_compiled_models.py runs
``--check``, so a definition changed without re-running this fails the suite.
"""

from __future__ import annotations

import argparse
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pydantic_core  # noqa: E402
from pydantic import BaseModel  # noqa: E402
from pydantic_core import PydanticUndefined  # noqa: E402

from specc import lock_defs, spec_defs, spec_methods  # noqa: E402

OUT = ROOT / "specc" / "_models.py"
_REF = re.compile(r"^(?P<name>[\w.]+):\d+$")  # pydantic's refs end in an id(): not reproducible
_BUILTINS = {dict: "dict", list: "list", tuple: "tuple", set: "set", frozenset: "frozenset"}


#: the modules whose models are compiled, in this order (a later one may extend an earlier one's)
MODULES = (spec_defs, lock_defs)
#: where each module's compiled classes are imported from (their ``__module__``)
PUBLIC_MODULE = {spec_defs.__name__: "specc.spec", lock_defs.__name__: "specc.lockfile"}


def definitions() -> list[type[BaseModel]]:
    """Every public model of :data:`MODULES`, in definition order (bases before subclasses)."""
    out = []
    for module in MODULES:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
                and not value.__name__.startswith("_")
            ):
                out.append(value)
    return out


class Writer:
    def __init__(self, models: list[type[BaseModel]]) -> None:
        self.models = {m: m.__name__ for m in models}
        self.functions: set[str] = set()
        #: every model's own schema, once, by name; a nested model is a definition-ref to its name
        self.schemas: dict[str, Any] = {}

    # -- one schema per model --------------------------------------------------------------------

    def hoist(self, node: Any) -> Any:
        """``node`` with every model schema moved to :attr:`schemas` (and replaced by a
        ``definition-ref`` to its class name) and pydantic's ``definitions`` flattened into it."""
        if isinstance(node, list):
            return [self.hoist(v) for v in node]
        if not isinstance(node, dict):
            return node
        kind = node.get("type")
        if kind == "model" and node.get("cls") in self.models:
            name = self.models[node["cls"]]
            if name not in self.schemas:
                self.schemas[name] = None  # being hoisted (a model that refers to itself)
                body = {k: self.hoist(v) for k, v in node.items() if k != "metadata"}
                body["ref"] = name
                self.schemas[name] = body
            return {"type": "definition-ref", "schema_ref": name}
        if kind == "definitions":
            for d in node["definitions"]:
                hoisted = self.hoist(d)
                if hoisted.get("type") != "definition-ref":  # not a model: kept under its own name
                    name = self.ref("ref", d["ref"])
                    if self.schemas.get(name, hoisted) != hoisted:
                        raise SystemExit(f"two schemas named {name}")
                    self.schemas[name] = {**hoisted, "ref": name}
            return self.hoist(node["schema"])
        return {k: self.hoist(self.ref(k, v)) for k, v in node.items() if k != "metadata"}

    def closure(self, name: str) -> list[str]:
        """``name`` and every schema it refers to, ``name`` first, the rest sorted."""
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo += _refs(self.schemas[current])
        return [name, *sorted(seen - {name})]

    # -- schema literals -------------------------------------------------------------------------

    def literal(self, value: Any, indent: int) -> str:
        pad = "    " * indent
        if isinstance(value, dict):
            items = [(k, v) for k, v in value.items() if k != "metadata"]
            if not items:
                return "{}"
            body = "".join(f"{pad}    {k!r}: {self.literal(self.ref(k, v), indent + 1)},\n" for k, v in items)
            return "{\n" + body + pad + "}"
        if isinstance(value, (list, tuple)):
            if not value:
                return "[]" if isinstance(value, list) else "()"
            body = "".join(f"{pad}    {self.literal(v, indent + 1)},\n" for v in value)
            return ("[\n" + body + pad + "]") if isinstance(value, list) else ("(\n" + body + pad + ")")
        if value is None or isinstance(value, (bool, int, float, str)):
            return repr(value)
        if isinstance(value, type) and value in self.models:
            return self.models[value]
        if isinstance(value, type) and value in _BUILTINS:
            return _BUILTINS[value]
        return self.function(value)

    @staticmethod
    def ref(key: str, value: Any) -> Any:
        if key in ("ref", "schema_ref", "model_name") and isinstance(value, str):
            m = _REF.match(value)
            if m:
                return m.group("name").rsplit(".", 1)[-1]
        return value

    def function(self, fn: Any) -> str:
        """The name of a function of specc.spec_methods that ``fn`` is (or that a definition's
        validator method of the same name without its underscore delegates to)."""
        target = fn
        if isinstance(fn, types.MethodType) and fn.__self__ in self.models:
            name = fn.__func__.__name__.lstrip("_")
            target = getattr(spec_methods, name, None)
            if target is None:
                raise SystemExit(f"{fn!r}: a definition's validator must delegate to spec_methods.{name}")
        if getattr(target, "__module__", None) != spec_methods.__name__ or not hasattr(target, "__name__"):
            raise SystemExit(f"cannot reference {fn!r} from the compiled module: define it in specc/spec_methods.py")
        if getattr(spec_methods, target.__name__, None) is not target:
            raise SystemExit(f"{fn!r} is not specc.spec_methods.{target.__name__}")
        self.functions.add(target.__name__)
        return str(target.__name__)

    # -- annotations (for the type checker; not used at run time) ----------------------------------

    def annotation(self, tp: Any) -> str:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if tp is type(None):
            return "None"
        if tp in (str, int, bool, float):
            return str(tp.__name__)
        if tp is Any:
            return "Any"
        if isinstance(tp, type) and tp in self.models:
            return self.models[tp]
        if origin is typing.Annotated:
            return self.annotation(args[0])
        if origin in (typing.Union, types.UnionType):
            parts: list[str] = []
            for a in args:
                s = self.annotation(a)
                if s not in parts:
                    parts.append(s)
            return " | ".join(parts)
        if origin is typing.Literal:
            return "Literal[" + ", ".join(repr(a) for a in args) + "]"
        if origin in (tuple, list, dict):
            inner = ", ".join("..." if a is Ellipsis else self.annotation(a) for a in args)
            return f"{origin.__name__}[{inner}]"
        return "Any"

    def nested(self, tp: Any) -> list[str]:
        """The compiled classes a field's type holds (list items, table values, union members)."""
        if isinstance(tp, type) and tp in self.models:
            return [self.models[tp]]
        out: list[str] = []
        for a in typing.get_args(tp):
            for name in self.nested(a):
                if name not in out:
                    out.append(name)
        return out

    # -- classes ---------------------------------------------------------------------------------

    def default(self, value: Any) -> str:
        if value is None or isinstance(value, (bool, int, str)):
            return repr(value)
        if isinstance(value, tuple) and not value:
            return "()"
        raise SystemExit(f"cannot write the default {value!r}")

    def factory(self, fn: Any) -> str:
        if isinstance(fn, type) and fn in self.models:
            return self.models[fn]
        if fn in _BUILTINS:
            return _BUILTINS[fn]
        raise SystemExit(f"cannot write the default factory {fn!r}")

    def model(self, cls: type[BaseModel]) -> str:
        cls.model_rebuild()
        mixins = [b.__name__ for b in cls.__bases__ if not issubclass(b, BaseModel)]
        parents = [self.models[b] for b in cls.__bases__ if b in self.models] or ["CoreModel"]
        for name in mixins:
            if getattr(spec_methods, name, None) is None:
                raise SystemExit(f"{cls.__name__}: its mixin {name} must live in specc/spec_methods.py")
            self.functions.add(name)
        lines = [f"class {cls.__name__}({', '.join(mixins + parents)}):"]
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        lines.append(f'    """{doc} (compiled from specc.spec_defs.{cls.__name__})"""')
        lines.append("")
        for name, info in cls.model_fields.items():
            lines.append(f"    {name}: {self.annotation(info.annotation)}")
        fields = tuple(cls.model_fields)
        defaults = {
            n: self.default(i.default)
            for n, i in cls.model_fields.items()
            if i.default is not PydanticUndefined and i.default_factory is None
        }
        factories = {n: self.factory(i.default_factory) for n, i in cls.model_fields.items() if i.default_factory}
        nested = {}
        for n, i in cls.model_fields.items():
            found = self.nested(i.annotation)
            if found:
                nested[n] = "(" + "".join(f"{c}, " for c in found).rstrip(" ") + ")"
            alias = i.alias or n
            if alias != n.replace("_", "-"):
                raise SystemExit(f"{cls.__name__}.{n}: its alias {alias!r} is not the kebab-case name")
        private = {}
        private_factories = {}
        for name, attr in cls.__private_attributes__.items():
            if attr.default_factory is not None:
                private_factories[name] = self.factory(attr.default_factory)
            else:
                private[name] = self.default(attr.default)
        lines.append("")
        lines.append(f"    __fields__: ClassVar[tuple[str, ...]] = {fields!r}")
        lines.append("    __defaults__: ClassVar[dict[str, Any]] = {" + _items(defaults) + "}")
        if factories:
            lines.append("    __factories__: ClassVar[dict[str, Callable[[], Any]]] = {" + _items(factories) + "}")
        if nested:
            lines.append("    __nested__: ClassVar[dict[str, tuple[type[CoreModel], ...]]] = {" + _items(nested) + "}")
        if private:
            lines.append("    __private__: ClassVar[dict[str, Any]] = {" + _items(private) + "}")
        if private_factories:
            lines.append(
                "    __private_factories__: ClassVar[dict[str, Callable[[], Any]]] = {"
                + _items(private_factories)
                + "}"
            )
        # named after the module users import it from (repr, pickle): specc.spec, specc.lockfile
        lines.append(f"    __module__ = {PUBLIC_MODULE[cls.__module__]!r}")
        if cls.__module__ != spec_defs.__name__:
            lines.append(f"    __definition_module__ = {cls.__module__!r}")
        if not cls.model_config.get("frozen", False):
            lines.append("    __frozen__ = False")
        top = self.hoist(cls.__pydantic_core_schema__)
        assert top == {"type": "definition-ref", "schema_ref": cls.__name__}, top
        lines.append(f"    __refs__: ClassVar[tuple[str, ...]] = {tuple(self.closure(cls.__name__))!r}")
        return "\n".join(lines) + "\n"

    def schema_functions(self) -> str:
        """One function per schema (its literal, written once) and the table of them."""
        out = []
        for name in sorted(self.schemas):
            out.append(f"def _{name}() -> Any:\n    return {self.literal(self.schemas[name], 1)}\n")
        table = "".join(f"    {n!r}: _{n},\n" for n in sorted(self.schemas))
        out.append(
            "#: every schema by name (its class's, or a shared one): see CoreModel.__schema__\n"
            f"SCHEMAS: dict[str, Callable[[], Any]] = {{\n{table}}}\n"
        )
        return "\n\n".join(out)


def _refs(node: Any) -> list[str]:
    """The names every ``definition-ref`` inside ``node`` points to."""
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    if not isinstance(node, dict):
        return []
    own = [node["schema_ref"]] if node.get("type") == "definition-ref" else []
    return own + [r for v in node.values() for r in _refs(v)]


def _items(d: dict[str, str]) -> str:
    return ", ".join(f"{k!r}: {v}" for k, v in d.items())


def render() -> str:
    models = definitions()
    w = Writer(models)
    body = "\n\n".join(w.model(m) for m in models) + "\n\n" + w.schema_functions()
    head = f'''# Generated by scripts/compile_models.py from specc/spec_defs.py, specc/lock_defs.py: do not edit.
# Re-run `python scripts/compile_models.py` after changing a definition (tests check it).
"""The compiled model classes (see specc/coremodel.py): {len(models)} models."""

# ruff: noqa: E501
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal

from specc.coremodel import CoreModel
from specc.spec_methods import (
{"".join(f"    {n},{chr(10)}" for n in sorted(w.functions))})

__all__ = [{", ".join(repr(n) for n in sorted(m.__name__ for m in models))}]

#: the pydantic-core that generated the schemas below: another minor version builds them from
#: the definitions instead (specc.coremodel.schema_from_definition)
PYDANTIC_CORE_VERSION = {pydantic_core.__version__!r}
_ = (Literal, Callable)  # used by the annotations below

'''
    return head + "\n" + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when specc/_models.py is not up to date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print("specc/_models.py is stale: run `python scripts/compile_models.py`", file=sys.stderr)
            return 1
        print("specc/_models.py is up to date")
        return 0
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
