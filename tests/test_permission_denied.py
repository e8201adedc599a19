"""A path the operating system refuses is a diagnostic (SPC135, or the command's own code), never
an internal error (SPC900), and nothing is written.

Reproducer (found re-running issues 13 and 14 as a user without permission on a folder):
``specc sbom --target docker --out locked/sub/b.json``, ``specc lock --format pylock
--pylock-file locked/...``, ``specc init locked/sub``, ``specc explain locked/sub/x``,
``specc diff locked/sub/a ...``, ``specc check --model locked/sub/m`` and
``specc lock locked/sub/model-env.toml`` each ended in "internal error [SPC900]:
PermissionError" when ``locked`` could not be entered.  Root reads everything, so as root the
command runs without the capabilities that bypass file permissions (``setpriv``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_import_unreadable import _specc_without_dac

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sklearn-basic"

CASES = [
    (["sbom", "--target", "docker", "--out", "locked/sub/b.json"], 1),
    (["sbom", "--out", "locked/sub/boms"], 1),
    (["lock", "--format", "pylock", "--pylock-file", "locked/sub/pylock.toml"], 1),
    (["init", "locked/sub"], 1),
    (["explain", "locked/sub/x", "--target", "docker"], 1),
    (["diff", "locked/sub/a", "model-env.toml"], 2),  # diff: 1 means "differs"
    (["diff", "model-env.toml", "locked/sub/model-env.lock"], 2),
    (["check", "--model", "locked/sub/m"], 1),
    (["lock", "locked/sub/model-env.toml"], 1),
    (["validate", "locked/sub"], 1),
    (["compile", "--out", "locked/sub/m"], 1),
    (["render", "--target", "docker", "--out", "locked/sub/d"], 1),
    (["import", "model-env.lock", "--out", "locked/sub/x.toml"], 1),
    (["pin", "locked/sub", "--from-env"], 1),
]


@pytest.mark.parametrize(("argv", "code"), CASES, ids=[" ".join(a[:2]) for a, _ in CASES])
def test_permission_denied_is_a_diagnostic(tmp_path: Path, argv: list[str], code: int) -> None:
    project = tmp_path / "proj"
    shutil.copytree(EXAMPLE, project)
    locked = project / "locked"
    (locked / "sub").mkdir(parents=True)
    locked.chmod(0)
    before = sorted(str(p) for p in project.rglob("*") if "locked" not in p.parts)
    try:
        r = _specc_without_dac(argv, project)
    finally:
        locked.chmod(0o755)
    assert "SPC900" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert r.returncode == code, r.stderr
    # compile and render report their output folder as every writer does ("cannot write ...")
    assert "error[SPC" in r.stderr or f"specc {argv[0]}: cannot write" in r.stderr, r.stderr
    assert sorted(str(p) for p in project.rglob("*") if "locked" not in p.parts) == before
    assert list((locked / "sub").iterdir()) == []
