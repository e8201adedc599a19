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

__all__ = [
    "KINDS",
    "LAST",
    "Draft",
    "Importer",
    "Source",
    "TomlValue",
    "detect_kind",
    "is_model_uri",
    "not_a_spec_folder_hint",
    "not_a_spec_hint",
]

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


def not_a_spec_hint(path: Path, shown: str) -> str | None:
    """The hint for a file given where a model-env.toml belongs that another kind's importer
    recognizes (a requirements.txt, an environment.yml, a pixi.toml...): what it is and the
    ``specc import`` command that writes a spec from it; None for anything else."""
    if path.name == "model-env.toml" or not path.is_file():
        return None
    kind = detect_kind(path)
    if kind is None:
        return None
    import shlex

    command = f"specc import {shlex.quote(shown)}"
    what = _KIND_NAMES.get(kind, kind)
    return f"this is a {what} file, not a model-env.toml: `{command}` writes a spec from it (docs/import.md)"


def not_a_spec_folder_hint(path: Path, shown: str) -> str | None:
    """The hint for a folder without a model-env.toml that an importer recognizes (a
    repo2docker-style folder with a requirements.txt, a logged MLflow model, a Cog or Truss
    project...): what it holds and the ``specc import`` command; None for anything else."""
    try:
        kind = detect_kind(path) if path.is_dir() else None
    except OSError:
        return None
    if kind is None:
        return None
    import shlex

    if kind == "repo2docker":  # a folder of environment files: name the ones it has
        files = [n for n in _ENVIRONMENT_FILES if (path / n).is_file()]
        what = "environment files (" + ", ".join(files) + ")" if files else "environment files"
    else:
        what = f"a {_KIND_NAMES.get(kind, kind)} environment"
    return (
        f"it holds {what}, not a model-env.toml: `specc import {shlex.quote(shown)}` "
        "writes a spec from it (docs/import.md); or pass the spec file itself"
    )


#: the environment files a repo2docker-style folder may hold, as the hint names them
_ENVIRONMENT_FILES = (
    "requirements.txt",
    "environment.yml",
    "environment.yaml",
    "Pipfile",
    "setup.py",
    "pyproject.toml",
    "apt.txt",
    "install.R",
    "runtime.txt",
)


#: how a hint names each kind's files
_KIND_NAMES = {
    "requirements": "pip requirements",
    "conda": "conda environment",
    "pixi": "pixi",
    "pylock": "PEP 751 lock",
    "cog": "Cog",
    "bentoml": "BentoML",
    "truss": "Truss",
    "mlflow": "MLflow model",
    "repo2docker": "repo2docker",
}
