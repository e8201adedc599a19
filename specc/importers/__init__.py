"""``specc import``: the registry of importer kinds and auto-detection.

``KINDS`` maps a kind name to its importer (see :class:`specc.importers.base.Importer`);
:func:`detect_kind` picks the kind of a source when ``--from`` is not given:

- ``models:/...`` and ``runs:/...`` URIs are MLflow models;
- otherwise the kinds are asked in ``KINDS`` order, except that the generic kinds in
  :data:`LAST` (a repo2docker folder, which any folder with a requirements.txt or an
  environment.yml resembles, and a bare requirements file) are asked after every other one.

Importer modules import only the standard library at module level (PyYAML, mlflow and
packaging are imported inside ``read``), so building this registry is cheap.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from specc.importers.base import Draft, Importer, Source, TomlValue

__all__ = ["KINDS", "LAST", "Draft", "Importer", "Source", "TomlValue", "detect_kind", "is_model_uri"]

# kind name → module holding ``IMPORTER``; one line per kind
_MODULES: dict[str, str] = {
    "mlflow": "specc.importers.mlflow_model",
    "cog": "specc.importers.cog",
    "bentoml": "specc.importers.bentoml",
    "truss": "specc.importers.truss",
    "pixi": "specc.importers.pixi",
    "pylock": "specc.importers.pylock",
    "conda": "specc.importers.conda",
    "repo2docker": "specc.importers.repo2docker",
    "requirements": "specc.importers.requirements",
}

#: kinds asked last by :func:`detect_kind` (they match many folders or files)
LAST = ("repo2docker", "requirements")


def _load() -> dict[str, Importer]:
    kinds: dict[str, Importer] = {}
    for name, module in _MODULES.items():
        importer: Importer = importlib.import_module(module).IMPORTER
        kinds[name] = importer
    return kinds


KINDS: dict[str, Importer] = _load()


def is_model_uri(source: str) -> bool:
    """``models:/name/1``, ``models:/name@alias``, ``runs:/<run id>/model``."""
    return source.startswith(("models:/", "runs:/"))


def detect_kind(path: Path) -> str | None:
    """The kind of ``path`` (a file or a folder), or None when no importer recognizes it."""
    order = [k for k in KINDS if k not in LAST] + [k for k in LAST if k in KINDS]
    for name in order:
        try:
            if KINDS[name].detect(path):
                return name
        except OSError:
            continue
    return None
