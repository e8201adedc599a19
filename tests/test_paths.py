"""specc.paths: confinement to the repository, symlinks; the tree hash of a spec path (specc.hashing)."""

from __future__ import annotations

import os
from pathlib import Path

from specc.hashing import sha256_tree
from specc.paths import PathProblem, Resolved, repository_root, resolve_path


def test_repository_root_is_nearest_git_ancestor(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    spec_dir = tmp_path / "models" / "churn"
    spec_dir.mkdir(parents=True)
    assert repository_root(spec_dir) == tmp_path.resolve()
    lonely = tmp_path.parent / (tmp_path.name + "-nogit")
    lonely.mkdir()
    assert repository_root(lonely) == lonely.resolve()


def test_a_missing_path_names_the_spec_folder_from_the_repository_root(tmp_path: Path) -> None:
    """SPC204's hint names the folder paths are relative to: from the repository root (the
    same on every clone), not its last component alone (two specs in models/a/ and tools/a/
    both said "a/")."""
    (tmp_path / ".git").mkdir()
    spec_dir = tmp_path / "models" / "churn"
    spec_dir.mkdir(parents=True)
    res = resolve_path("src/missing.py", spec_dir, tmp_path, "file")
    assert isinstance(res, PathProblem) and res.code == "SPC204"
    assert res.hint == "paths are relative to the spec's folder (models/churn/ in the repository); check the spelling"
    lonely = tmp_path / "nogit"
    lonely.mkdir()
    res = resolve_path("missing.py", lonely, lonely, "file")
    assert isinstance(res, PathProblem) and "(nogit/)" in (res.hint or "")


def test_sibling_folder_inside_repo_is_allowed(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "lib.py").write_text("x = 1\n")
    spec_dir = tmp_path / "models"
    spec_dir.mkdir()
    res = resolve_path("../shared/lib.py", spec_dir, tmp_path, "file")
    assert isinstance(res, Resolved) and res.rel == "../shared/lib.py"


def test_escapes_and_absolute_paths(tmp_path: Path) -> None:
    spec_dir = tmp_path / "repo"
    spec_dir.mkdir()
    (tmp_path / "secret.txt").write_text("s")
    for raw in ("../secret.txt", "/etc/passwd", "~/x", "a/../../secret.txt"):
        res = resolve_path(raw, spec_dir, spec_dir, "any")
        assert isinstance(res, PathProblem) and res.code == "SPC402", raw


def test_symlink_out_of_repo_is_refused_but_inside_is_fine(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "outside.txt").write_text("x")
    (repo / "inside.txt").write_text("y")
    os.symlink(tmp_path / "outside.txt", repo / "out-link")
    os.symlink("inside.txt", repo / "in-link")
    assert isinstance(resolve_path("out-link", repo, repo, "file"), PathProblem)
    ok = resolve_path("in-link", repo, repo, "file")
    assert isinstance(ok, Resolved) and ok.abs.name == "inside.txt"


def test_tree_hash_ignores_pycache_and_depends_on_content(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("a = 1\n")
    h1 = sha256_tree(tmp_path / "pkg")
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"junk")
    assert sha256_tree(tmp_path / "pkg") == h1
    (tmp_path / "pkg" / "a.py").write_text("a = 2\n")
    assert sha256_tree(tmp_path / "pkg") != h1
