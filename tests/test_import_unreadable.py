"""``specc import`` of a source this process may not read says so (SPC700), whatever the kind.

Reproducer (found re-running issue 14 as a user without read permission): ``specc import r2d``
on a folder that cannot be listed, or ``specc import r.txt`` on an unreadable file, said "not a
format specc imports" and hinted at ``--from``, because detection could not look inside.
Root reads everything, so as root the command runs without the capabilities that bypass file
permissions (``setpriv``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _specc_without_dac(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "specc", *args]
    if os.geteuid() == 0:
        # root reads every file: drop the capabilities that let it (setpriv: util-linux, which
        # .ci/install-system-deps.sh installs)
        setpriv = shutil.which("setpriv")
        assert setpriv is not None, "setpriv (util-linux) is needed to test unreadable files as root"
        drop = "-dac_override,-dac_read_search"
        cmd = [setpriv, f"--inh-caps={drop}", f"--bounding-set={drop}", *cmd]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("r2d", True),  # a folder that cannot be listed
        ("r.txt", False),  # a file whose name says no kind
        ("environment.yml", False),  # a file whose name says its kind
        ("requirements.txt", False),
    ],
)
def test_unreadable_source_is_cannot_read(tmp_path: Path, name: str, folder: bool) -> None:
    src = tmp_path / name
    if folder:
        src.mkdir()
        (src / "requirements.txt").write_text("numpy==1.26.4\n", encoding="utf-8")
    else:
        src.write_text("numpy==1.26.4\n", encoding="utf-8")
    src.chmod(0)
    try:
        r = _specc_without_dac(["import", name], tmp_path)
    finally:
        src.chmod(0o755)
    assert r.returncode == 1, r.stderr
    assert "SPC700" in r.stderr and "not a format" not in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "model-env.toml").exists()


def test_out_under_unlistable_folder_is_a_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("numpy==1.26.4\n", encoding="utf-8")
    locked = tmp_path / "locked"
    (locked / "sub").mkdir(parents=True)
    locked.chmod(0)
    try:
        r = _specc_without_dac(["import", "requirements.txt", "--out", "locked/sub/model-env.toml"], tmp_path)
    finally:
        locked.chmod(0o755)
    assert r.returncode == 1, r.stderr
    assert "SPC702" in r.stderr and "Traceback" not in r.stderr and "SPC900" not in r.stderr, r.stderr
