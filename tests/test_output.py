"""specc.output: atomic folders and files; never replacing what specc did not write."""

from __future__ import annotations

from pathlib import Path

import pytest

from specc.output import MARKER, OutputError, atomic_dir, write_file_atomic


def test_new_folder_appears_complete_with_marker(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        (tmp / "a.txt").write_text("a")
        assert not out.exists()  # nothing visible until the end
    assert (out / "a.txt").read_text() == "a" and (out / MARKER).is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary leftovers


def test_failure_leaves_the_old_folder_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        (tmp / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(out) as tmp:
        (tmp / "new.txt").write_text("half")
        raise RuntimeError("render failed")
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "old.txt"])
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_replaces_its_own_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        (tmp / "old.txt").write_text("old")
    with atomic_dir(out) as tmp:
        (tmp / "new.txt").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "new.txt"])


def test_refuses_a_folder_it_did_not_create(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "train.py").write_text("important")
    with pytest.raises(OutputError), atomic_dir(repo):
        pass
    assert (repo / "train.py").read_text() == "important"


def test_refuses_symlinks_and_files(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "file").write_text("x")
    for name in ("link", "file"):
        with pytest.raises(OutputError), atomic_dir(tmp_path / name):
            pass


def test_empty_existing_folder_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    with atomic_dir(out) as tmp:
        (tmp / "x").write_text("x")
    assert (out / "x").is_file()


def test_write_file_atomic(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.txt"
    write_file_atomic(target, "one")
    write_file_atomic(target, b"two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]
