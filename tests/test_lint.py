"""Static checks that keep the code base honest: ruff (with Python 3.10 as the floor)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO

RUFF = Path(sys.executable).parent / "ruff"


def test_ruff_is_clean() -> None:
    # target-version = "py310" in pyproject: syntax newer than 3.10 is reported here,
    # since Databricks 13.3/14.3 notebooks import specc on Python 3.10.
    r = subprocess.run(
        [str(RUFF), "check", "specc", "tests", "scripts", "bench"], cwd=REPO, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_tomllib_is_only_imported_with_a_tomli_fallback() -> None:
    offenders = []
    for path in (REPO / "specc").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*import tomllib", text, re.M) and "import tomli as tomllib" not in text:
            offenders.append(str(path.relative_to(REPO)))
    assert not offenders, f"use `tomllib` on 3.11+ and `tomli` below: {offenders}"
