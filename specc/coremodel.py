"""The base of the compiled model classes: pydantic's model behaviour over pydantic-core alone.

A compiled class (generated into :mod:`specc._models` by ``scripts/compile_models.py``) carries
the pydantic-core schema pydantic builds for its definition in :mod:`specc.spec_defs`, with its
own classes in place of the definitions'.  This base gives it the part of pydantic's
``BaseModel`` API specc uses, implemented with the same pydantic-core ``SchemaValidator`` and
``SchemaSerializer`` pydantic would build, so validation errors, defaults, aliases and dumps are
pydantic's own:

* ``Model(**fields)``, ``model_validate``, ``model_validate_json``, ``model_construct``;
* ``model_dump``, ``model_dump_json``, ``model_copy``;
* ``model_fields_set``; frozen instances (assignment raises pydantic's ``frozen_instance``
  ValidationError), equality and hashing over the fields; private attributes (``_name``);
* ``model_fields`` and ``model_json_schema`` are the definition's (importing pydantic, once).

What it saves: importing ``pydantic.main`` and building a model class costs tens of
milliseconds per process (measured in ``bench/startup.py``); a compiled class is a plain class
whose validator is built from a literal schema on first use.
"""

from __future__ import annotations

import copy as _copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic_core import PydanticUndefined, SchemaSerializer, SchemaValidator, ValidationError

if TYPE_CHECKING:
    from typing_extensions import Self

_MISSING: Any = PydanticUndefined


class _FromDefinition:
    """A class attribute read from the model's definition in :mod:`specc.spec_defs`."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type) -> Any:
        return getattr(owner.definition(), self.name)  # type: ignore[attr-defined]


class CoreModel:
    """See the module docstring.  Subclasses are generated; their class attributes:

    ``__fields__`` field names in order; ``__defaults__`` name → default (a literal) and
    ``__factories__`` name → default factory, for fields that have one; ``__nested__`` name →
    the compiled classes its type holds; ``__private__`` private attribute → default,
    ``__private_factories__`` → factory; ``__schema__()`` the pydantic-core schema.  Every
    field's alias is its name with ``-`` for ``_`` (the definitions' alias generator).
    """

    __slots__ = ("__dict__", "__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__")

    __fields__: ClassVar[tuple[str, ...]] = ()
    __defaults__: ClassVar[dict[str, Any]] = {}
    __factories__: ClassVar[dict[str, Callable[[], Any]]] = {}
    __nested__: ClassVar[dict[str, tuple[type[CoreModel], ...]]] = {}
    __private__: ClassVar[dict[str, Any]] = {}
    __private_factories__: ClassVar[dict[str, Callable[[], Any]]] = {}
    __frozen__: ClassVar[bool] = True

    model_fields = _FromDefinition()
    model_computed_fields = _FromDefinition()
    model_json_schema = _FromDefinition()
    model_config = _FromDefinition()

    if TYPE_CHECKING:  # the slots above, for the type checker
        __pydantic_fields_set__: set[str]
        __pydantic_extra__: dict[str, Any] | None
        __pydantic_private__: dict[str, Any] | None

    #: the names of the schemas this class's schema is made of, its own first (generated)
    __refs__: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __schema__(cls) -> Any:
        """The generated pydantic-core schema: this class's own schema and those of the models it
        holds, each written once in :mod:`specc._models` (``SCHEMAS``) and referred to by name."""
        from specc import _models

        return {
            "type": "definitions",
            "schema": {"type": "definition-ref", "schema_ref": cls.__name__},
            "definitions": [_models.SCHEMAS[name]() for name in cls.__refs__],
        }

    # -- validator and serializer, built once per class on first use --------------------------

    @classmethod
    def core_schema(cls) -> Any:
        """The pydantic-core schema: the generated one when the installed pydantic-core is the
        minor version that generated it (``specc._models.PYDANTIC_CORE_VERSION``), else built
        now from the definition (see :func:`schema_from_definition`; imports pydantic)."""
        if _generated_schemas_usable():
            return cls.__schema__()
        cached = cls.__dict__.get("_runtime_schema")
        if cached is None:
            cached = schema_from_definition(cls)
            type.__setattr__(cls, "_runtime_schema", cached)
        return cached

    @classmethod
    def _validator(cls) -> SchemaValidator:
        v = cls.__dict__.get("_core_validator")
        if v is None:
            schema = cls.core_schema()
            # the model's config (its title names the model in a ValidationError, as pydantic's)
            v = SchemaValidator(schema, model_schema(schema).get("config"))
            type.__setattr__(cls, "_core_validator", v)
        return v

    @classmethod
    def _serializer(cls) -> SchemaSerializer:
        s = cls.__dict__.get("_core_serializer")
        if s is None:
            s = SchemaSerializer(cls.core_schema())
            type.__setattr__(cls, "_core_serializer", s)
        return s

    __definition_module__: ClassVar[str] = "specc.spec_defs"

    @classmethod
    def definition(cls) -> Any:
        """The pydantic model this class is compiled from (imports pydantic)."""
        import importlib

        return getattr(importlib.import_module(cls.__definition_module__), cls.__name__)

    # -- construction --------------------------------------------------------------------------

    def __init__(self, /, **data: Any) -> None:
        type(self)._validator().validate_python(data, self_instance=self)

    def model_post_init(self, context: Any, /) -> None:
        """Called by pydantic-core after validation (the schema's ``post_init``): private defaults."""
        self._init_private()

    def _init_private(self) -> None:
        cls = type(self)
        if cls.__private__ or cls.__private_factories__:
            private = dict(cls.__private__)
            for name, factory in cls.__private_factories__.items():
                private[name] = factory()
            object.__setattr__(self, "__pydantic_private__", private)
        else:
            object.__setattr__(self, "__pydantic_private__", None)

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        from_attributes: bool | None = None,
        context: Any = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        out: Self = cls._validator().validate_python(
            obj, strict=strict, from_attributes=from_attributes, context=context, by_alias=by_alias, by_name=by_name
        )
        return out

    @classmethod
    def model_validate_json(
        cls,
        data: str | bytes,
        *,
        strict: bool | None = None,
        context: Any = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        out: Self = cls._validator().validate_json(
            data, strict=strict, context=context, by_alias=by_alias, by_name=by_name
        )
        return out

    @classmethod
    def model_validate_strings(cls, obj: Any, *, strict: bool | None = None, context: Any = None) -> Self:
        out: Self = cls._validator().validate_strings(obj, strict=strict, context=context)
        return out

    # -- used inside pydantic models and TypeAdapters (validates and dumps as itself) -------------

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        return cls.core_schema()

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        return handler(cls.definition().__pydantic_core_schema__)

    @classmethod
    def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Self:
        """An instance from trusted values, without validation (as pydantic's: defaults filled)."""
        obj = cls.__new__(cls)
        fields: dict[str, Any] = {}
        for name in cls.__fields__:
            if name in values:
                fields[name] = values[name]
            elif name in cls.__defaults__:
                fields[name] = cls.__defaults__[name]
            elif name in cls.__factories__:
                fields[name] = cls.__factories__[name]()
        object.__setattr__(obj, "__dict__", fields)
        object.__setattr__(obj, "__pydantic_fields_set__", set(values) if _fields_set is None else _fields_set)
        object.__setattr__(obj, "__pydantic_extra__", None)
        obj._init_private()
        return obj

    # -- reading -------------------------------------------------------------------------------

    @property
    def model_fields_set(self) -> set[str]:
        return self.__pydantic_fields_set__

    @property
    def model_extra(self) -> dict[str, Any] | None:
        return self.__pydantic_extra__

    def model_dump(self, **kwargs: Any) -> Any:
        """As pydantic's ``model_dump`` (``mode``, ``by_alias``, ``exclude_none``, ``include``...)."""
        return type(self)._serializer().to_python(self, **kwargs)

    def model_dump_json(self, *, indent: int | None = None, **kwargs: Any) -> str:
        return type(self)._serializer().to_json(self, indent=indent, **kwargs).decode()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy, ``update`` applied without validation (as pydantic's)."""
        cls = type(self)
        new = cls.__new__(cls)
        fields = _copy.deepcopy(self.__dict__) if deep else dict(self.__dict__)
        fields_set = set(self.__pydantic_fields_set__)
        if update:
            fields.update(update)
            fields_set.update(update)
        private = self.__pydantic_private__
        if private is not None:
            private = _copy.deepcopy(private) if deep else dict(private)
        object.__setattr__(new, "__dict__", fields)
        object.__setattr__(new, "__pydantic_fields_set__", fields_set)
        object.__setattr__(new, "__pydantic_extra__", self.__pydantic_extra__)
        object.__setattr__(new, "__pydantic_private__", private)
        return new

    def __copy__(self) -> Self:
        return self.model_copy()

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        return self.model_copy(deep=True)

    # -- private attributes, frozen fields -----------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") and not name.startswith("__"):
            private = object.__getattribute__(self, "__pydantic_private__")
            if private is not None and name in private:
                return private[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") and not name.startswith("__") and name in self._private_names():
            private = self.__pydantic_private__
            if private is None:
                private = {}
                object.__setattr__(self, "__pydantic_private__", private)
            private[name] = value
            return
        if self.__frozen__:
            raise ValidationError.from_exception_data(
                type(self).__name__, [{"type": "frozen_instance", "loc": (name,), "input": value}]
            )
        object.__setattr__(self, name, value)

    @classmethod
    def _private_names(cls) -> set[str]:
        return set(cls.__private__) | set(cls.__private_factories__)

    # -- comparison ----------------------------------------------------------------------------

    def _field_values(self) -> tuple[Any, ...]:
        d = self.__dict__
        return tuple(d.get(name, _MISSING) for name in type(self).__fields__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CoreModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self._field_values() == other._field_values()
            and self.__pydantic_private__ == other.__pydantic_private__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    def __hash__(self) -> int:
        return hash(self._field_values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._repr_fields(', ')})"

    def __str__(self) -> str:  # pydantic's: the fields alone, space-separated
        return self._repr_fields(" ")

    def _repr_fields(self, sep: str) -> str:
        d = self.__dict__
        return sep.join(f"{name}={d[name]!r}" for name in type(self).__fields__ if name in d)

    # -- pickling (frozen: the state is restored without __setattr__) --------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {
            "__dict__": self.__dict__,
            "__pydantic_fields_set__": self.__pydantic_fields_set__,
            "__pydantic_extra__": self.__pydantic_extra__,
            "__pydantic_private__": self.__pydantic_private__,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def __iter__(self) -> Any:
        d = self.__dict__
        yield from ((name, d[name]) for name in type(self).__fields__ if name in d)


def model_schema(schema: Any) -> Any:
    """The model schema at the top of a class's ``schema`` (generated: a ``definition-ref`` into
    its definitions; built from the definition: pydantic's own shape)."""
    top = schema["schema"] if schema["type"] == "definitions" else schema
    if top["type"] == "definition-ref":
        return next(d for d in schema["definitions"] if d.get("ref") == top["schema_ref"])
    return top


# --- another pydantic-core than the one that generated the schemas ------------------------------


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


_usable: bool | None = None


def _generated_schemas_usable() -> bool:
    """Whether the installed pydantic-core has the major.minor version that generated
    specc/_models.py (its schema format is pydantic-core's own and may change between minors)."""
    global _usable
    if _usable is None:
        import pydantic_core

        from specc import _models

        _usable = _minor(pydantic_core.__version__) == _minor(_models.PYDANTIC_CORE_VERSION)
    return _usable


def schema_from_definition(cls: type[CoreModel]) -> Any:
    """``cls``'s schema built by the installed pydantic from its definition, with the compiled
    classes in place of the definitions' and a definition's validator method replaced by the
    :mod:`specc.spec_methods` function it delegates to: what ``scripts/compile_models.py``
    writes, made in this process instead (slower: pydantic builds the definitions)."""
    import types

    from specc import _models, spec_methods

    definition = cls.definition()
    definition.model_rebuild()
    compiled = {
        c.definition(): c
        for c in vars(_models).values()
        if isinstance(c, type) and issubclass(c, CoreModel) and c is not CoreModel
    }

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items() if k != "metadata"}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, tuple):
            return tuple(walk(v) for v in value)
        if isinstance(value, type) and value in compiled:
            return compiled[value]
        if isinstance(value, types.MethodType) and value.__self__ in compiled:
            return getattr(spec_methods, value.__func__.__name__.lstrip("_"))
        return value

    return walk(definition.__pydantic_core_schema__)
