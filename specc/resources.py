"""Locate the data that ships with specc: ``targets/`` and ``schemas/``.

This is the only module that knows where they live.  In an installed wheel they
are packaged as ``specc/_data/{targets,schemas}`` (hatchling ``force-include``);
in a source checkout they are the top-level folders next to ``specc/``.  The
templates of ``targets/`` precompiled to Python (``scripts/compile_templates.py``)
are the package ``specc/_templates/`` in both.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder holding ``targets/`` and ``schemas/``."""
    packaged = _PACKAGE_DIR / "_data"
    if (packaged / "targets").is_dir():
        return packaged
    return _PACKAGE_DIR.parent


def targets_dir(*parts: str) -> Path:
    """A path under ``targets/`` (templates and target data)."""
    return data_root().joinpath("targets", *parts)


def schemas_dir(*parts: str) -> Path:
    """A path under ``schemas/`` (published JSON Schemas)."""
    return data_root().joinpath("schemas", *parts)


def compiled_templates_dir() -> Path:
    """The folder of the precompiled templates (one ``tmpl_<sha1>.py`` per ``targets/**/*.j2``)."""
    return _PACKAGE_DIR / "_templates"


def source_checkout_root() -> Path | None:
    """The repository root when running from a source checkout, else None."""
    root = _PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / "targets").is_dir():
        return root
    return None
