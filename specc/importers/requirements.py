"""The ``requirements``  importer (being written)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from specc.importers.base import Draft


class _Importer:
    kind = "requirements"
    summary = "requirements (not yet implemented)"

    def detect(self, path: Path) -> bool:
        return False

    def read(self, path: Path, draft: Draft) -> None:
        draft.report("SPC700", "the requirements importer is not written yet", severity="error")


IMPORTER = _Importer()


def read_requirements_file(path: Path, draft: Draft, *, root: Path) -> None:
    """THE pip requirements converter (being written; the signature is final)."""
    raise NotImplementedError


def requirement_lines(lines: Iterable[tuple[str, str]], draft: Draft) -> None:
    """Requirement strings found inside another format (being written; the signature is final)."""
    raise NotImplementedError
