"""Static checks that keep the code base honest: ruff (with Python 3.10 as the floor) and mypy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO

RUFF = Path(sys.executable).parent / "ruff"

# Files mypy still reports errors in (issue #10 makes `mypy specc` clean; this list only shrinks).
# A file off the list may not gain an error; a file on it that became clean must leave it.
MYPY_DEBT: frozenset[str] = frozenset()


def test_ruff_is_clean() -> None:
    # target-version = "py310" in pyproject: syntax newer than 3.10 is reported here,
    # since Databricks 13.3/14.3 notebooks import specc on Python 3.10.
    r = subprocess.run(
        [str(RUFF), "check", "specc", "tests", "scripts", "bench"], cwd=REPO, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format_is_clean() -> None:
    r = subprocess.run(
        [str(RUFF), "format", "--check", "specc", "tests", "scripts", "bench"], cwd=REPO, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_errors_only_shrink() -> None:
    # [tool.mypy] in pyproject.toml: Python 3.10, disallow_untyped_defs, warn_unused_ignores...
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "specc", "--no-error-summary"], cwd=REPO, capture_output=True, text=True
    )
    assert "error:" in r.stdout or r.returncode == 0, r.stdout + r.stderr  # ran, and ran over specc
    failing = {line.split(":", 1)[0] for line in r.stdout.splitlines() if ": error:" in line}
    new = sorted(failing - MYPY_DEBT)
    assert not new, "mypy errors in files that were clean:\n" + "\n".join(
        line for line in r.stdout.splitlines() if line.split(":", 1)[0] in new
    )
    fixed = sorted(MYPY_DEBT - failing)
    assert not fixed, f"mypy is clean in {fixed}: remove them from MYPY_DEBT"


def test_tomllib_is_only_imported_with_a_tomli_fallback() -> None:
    offenders = []
    for path in (REPO / "specc").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*import tomllib", text, re.M) and "import tomli as tomllib" not in text:
            offenders.append(str(path.relative_to(REPO)))
    assert not offenders, f"use `tomllib` on 3.11+ and `tomli` below: {offenders}"
