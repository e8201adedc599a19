"""The ``mlflow``  importer (being written)."""

from __future__ import annotations

from pathlib import Path

from specc.importers.base import Draft


class _Importer:
    kind = "mlflow"
    summary = "mlflow (not yet implemented)"

    def detect(self, path: Path) -> bool:
        return False

    def read(self, path: Path, draft: Draft) -> None:
        draft.report("SPC700", "the mlflow importer is not written yet", severity="error")


IMPORTER = _Importer()
