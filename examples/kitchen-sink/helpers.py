"""A single-file code path: shipped as code/helpers.py inside the model."""

from __future__ import annotations

import json
from pathlib import Path


def load_vocab(path: str | Path) -> dict[str, int]:
    """Read the token -> id vocabulary logged under [artifacts] vocab."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
