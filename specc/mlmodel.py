"""The one reader of a logged model's ``MLmodel`` file.

``MLmodel`` is YAML that MLflow writes with ``yaml.safe_dump`` (``mlflow.models.Model``).
specc reads a handful of its facts: which flavors logged the model (and the pyfunc
loader module), the Python version and Databricks Runtime it was logged on, the MLflow
version, its identity (model_uuid, run_id, time), whether it has a signature or an input
example, and the MLflow ``artifacts`` paths recorded by ``mlflow.pyfunc.log_model``.

:func:`read_mlmodel` returns them as a frozen :class:`MLmodel`; every problem (no file,
not YAML, a field of the wrong type) is an :class:`MLmodelError` whose message names the
file and the field, never a traceback.  Everything else in the file is ignored.

PyYAML is imported inside :func:`parse_mlmodel` only, so commands that never read a
model (``specc validate``) do not import it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

MLMODEL_FILE = "MLmodel"
PYFUNC = "python_function"


class MLmodelError(Exception):
    """An MLmodel file is missing or malformed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Flavor:
    """One entry of MLmodel's ``flavors`` table."""

    name: str
    #: the module whose ``_load_pyfunc`` loads the model; MLflow records it for
    #: ``python_function`` (e.g. ``mlflow.sklearn``), other flavors normally have none
    loader_module: str | None
    #: the flavor's whole table, read-only (``sklearn_version``, ``serialization_format``, ...)
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, key: str) -> Any:
        """One option of the flavor's table, or None."""
        return self.options.get(key)


@dataclass(frozen=True)
class MLmodel:
    """What specc reads from an ``MLmodel`` file (frozen; unknown keys are ignored)."""

    #: where it was read from (a file path, or the ``source`` given to :func:`parse_mlmodel`)
    source: str
    #: flavors in file order (MLflow writes them sorted by name)
    flavors: tuple[Flavor, ...]
    #: the logging interpreter's version, ``flavors.python_function.python_version`` (e.g. ``3.11.7``)
    python_version: str | None
    #: the Databricks Runtime the model was logged on (``DATABRICKS_RUNTIME_VERSION``, e.g. ``15.4``)
    databricks_runtime: str | None
    mlflow_version: str | None
    model_uuid: str | None
    #: None when the model was saved rather than logged to a run
    run_id: str | None
    #: the model's path inside its run's artifacts (MLflow 2), e.g. ``model``
    artifact_path: str | None
    #: UTC creation time as MLflow writes it, ``YYYY-MM-DD HH:MM:SS.ffffff``
    utc_time_created: str | None
    has_signature: bool
    has_input_example: bool
    #: ``flavors.python_function.artifacts``: artifact key → path inside the model
    pyfunc_artifacts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def flavor(self, name: str) -> Flavor | None:
        """The flavor called ``name`` (``pyfunc`` is an alias of ``python_function``), or None."""
        name = PYFUNC if name == "pyfunc" else name
        return next((f for f in self.flavors if f.name == name), None)

    @property
    def flavor_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.flavors)

    @property
    def logged_flavor(self) -> str:
        """The flavor the model was logged with: the first one besides ``python_function``, else ``pyfunc``."""
        return next((f.name for f in self.flavors if f.name != PYFUNC), "pyfunc")

    @property
    def loader_module(self) -> str | None:
        """``python_function``'s loader module (``mlflow.sklearn``), or None without a pyfunc flavor."""
        pyfunc = self.flavor(PYFUNC)
        return pyfunc.loader_module if pyfunc else None

    @property
    def python_minor(self) -> str | None:
        """``major.minor`` of :attr:`python_version`."""
        return ".".join(self.python_version.split(".")[:2]) if self.python_version else None

    def artifact(self, key: str) -> str | None:
        """Where the pyfunc artifact ``key`` is inside the model (``artifacts/vocab.json``), or None."""
        return self.pyfunc_artifacts.get(key)


def read_mlmodel(path: str | Path) -> MLmodel:
    """Read ``path``: a model folder (its ``MLmodel`` is read) or the ``MLmodel`` file itself.

    Raises :class:`MLmodelError` when the file is missing, unreadable or malformed.
    """
    path = Path(path)
    file = path / MLMODEL_FILE if path.is_dir() else path
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        where = path if path.is_dir() else path.parent
        raise MLmodelError(f"{where}: not an MLflow model (no {MLMODEL_FILE} file)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MLmodelError(f"{file}: cannot read it: {exc}") from None
    return parse_mlmodel(text, source=str(file))


def parse_mlmodel(text: str, *, source: str = MLMODEL_FILE) -> MLmodel:
    """Parse the text of an MLmodel file; ``source`` names it in error messages."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise MLmodelError(f"{source}: not valid YAML{where}: {problem}") from None
    return mlmodel_from_data(data, source=source)


def mlmodel_from_data(data: Any, *, source: str = MLMODEL_FILE) -> MLmodel:
    """An :class:`MLmodel` from already-parsed YAML (a mapping); :class:`MLmodelError` otherwise."""
    if data is None:
        raise MLmodelError(f"{source}: empty file")
    if not isinstance(data, Mapping):
        raise MLmodelError(f"{source}: expected a mapping of keys, got {_kind(data)}")

    raw_flavors = data.get("flavors")
    if raw_flavors is None:
        raw_flavors = {}
    if not isinstance(raw_flavors, Mapping):
        raise MLmodelError(f"{source}: flavors: expected a mapping of flavor names, got {_kind(raw_flavors)}")
    flavors = []
    for name, table in raw_flavors.items():
        if table is None:
            table = {}
        if not isinstance(name, str) or not isinstance(table, Mapping):
            raise MLmodelError(f"{source}: flavors.{name}: expected a mapping, got {_kind(table)}")
        flavors.append(
            Flavor(
                name=name,
                loader_module=_str(table, "loader_module", source, f"flavors.{name}."),
                options=MappingProxyType(dict(table)),
            )
        )
    pyfunc = raw_flavors.get(PYFUNC) or {}

    artifacts: dict[str, str] = {}
    raw_artifacts = pyfunc.get("artifacts") or {}
    if not isinstance(raw_artifacts, Mapping):
        raise MLmodelError(f"{source}: flavors.{PYFUNC}.artifacts: expected a mapping, got {_kind(raw_artifacts)}")
    for key, entry in raw_artifacts.items():
        # MLflow records {key: {path: artifacts/<name>, uri: <where it was copied from>}}
        where = entry.get("path") if isinstance(entry, Mapping) else None
        if not isinstance(where, str):
            raise MLmodelError(f"{source}: flavors.{PYFUNC}.artifacts.{key}: expected a table with a `path` string")
        artifacts[str(key)] = where

    created = data.get("utc_time_created")
    if isinstance(created, _dt.datetime):  # an unquoted timestamp is parsed by YAML
        created = created.strftime("%Y-%m-%d %H:%M:%S.%f")
    elif created is not None and not isinstance(created, str):
        raise MLmodelError(f"{source}: utc_time_created: expected a string, got {_kind(created)}")

    return MLmodel(
        source=source,
        flavors=tuple(flavors),
        python_version=_str(pyfunc, "python_version", source, f"flavors.{PYFUNC}."),
        databricks_runtime=_str(data, "databricks_runtime", source),
        mlflow_version=_str(data, "mlflow_version", source),
        model_uuid=_str(data, "model_uuid", source),
        run_id=_str(data, "run_id", source),
        artifact_path=_str(data, "artifact_path", source),
        utc_time_created=created,
        has_signature=bool(data.get("signature")),
        has_input_example=bool(data.get("saved_input_example_info")),
        pyfunc_artifacts=MappingProxyType(artifacts),
    )


def _str(table: Mapping[str, Any], key: str, source: str, prefix: str = "") -> str | None:
    """A string field, None when absent or null.

    A number is refused, not converted: YAML reads an unquoted ``3.10`` as the float 3.1.
    """
    value = table.get(key)
    if value is None or isinstance(value, str):
        return value
    hint = " (quote it: YAML reads an unquoted 3.10 as 3.1)" if isinstance(value, (int, float)) else ""
    raise MLmodelError(f"{source}: {prefix}{key}: expected a string, got {_kind(value)}{hint}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
