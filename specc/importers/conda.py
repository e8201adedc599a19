"""The ``conda``  importer (being written)."""

from __future__ import annotations

from pathlib import Path

from specc.importers.base import Draft


class _Importer:
    kind = "conda"
    summary = "conda (not yet implemented)"

    def detect(self, path: Path) -> bool:
        return False

    def read(self, path: Path, draft: Draft) -> None:
        draft.report("SPC700", "the conda importer is not written yet", severity="error")


IMPORTER = _Importer()


def conda_to_requirement(match_spec: str) -> str | None:
    """A conda match spec as a PEP 508 requirement (being written; the signature is final)."""
    raise NotImplementedError


def conda_name_to_pypi(name: str) -> str | None:
    """A conda package name's PyPI name (being written; the signature is final)."""
    raise NotImplementedError
