"""The file-tree policy (specc.filetree) over a folder holding exactly the litter of issue #10.

Every consumer is exercised on the same folder: the walker, the code hash, copytree with the
policy (``copy_tree``), ``specc check``'s drift comparison against a real MLflow model, and the
Docker output folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from specc.filetree import copy_tree, is_ignored, scan, tree_paths, walk_files
from specc.hashing import sha256_bytes, sha256_file, sha256_tree
from tests.helpers import mlflow_tracking, run_cli

# What a code folder is made of; these names count and ship (some look like junk but are not).
CLEAN = {
    "pkg/__init__.py": "",
    "pkg/features.py": "def f(x):\n    return x + 1\n",
    "pkg/data/table.csv": "a,b\n1,2\n",
    "pkg/git/HEAD": "not VCS metadata: a folder called git\n",
    "pkg/.gitignore": "*.pyc\n",
    "pkg/notes.DS_Store.txt": "a real file\n",
    "pkg/pyc.py": "x = 1\n",
}

# The litter the issue names, at the top and nested.
JUNK = (
    ".DS_Store",
    "x.pyo",
    "x.pyc",
    "__pycache__/features.cpython-311.pyc",
    ".ipynb_checkpoints/train-checkpoint.ipynb",
    ".git/HEAD",
    ".git/objects/ab/cdef",
    ".hg/store/data",
    ".svn/entries",
    "data/.DS_Store",
    "data/__pycache__/x.cpython-310.pyc",
    "data/.ipynb_checkpoints/x-checkpoint.ipynb",
)


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _add_junk(pkg: Path, salt: str = "") -> None:
    _write(pkg, {rel: f"junk {rel} {salt}\n" for rel in JUNK})


def _clean_rels() -> list[str]:
    return sorted(rel.removeprefix("pkg/") for rel in CLEAN)


def _every_file(root: Path) -> list[str]:
    """Every file under ``root``, no policy applied (what a consumer really wrote)."""
    out = []
    for folder, _dirs, files in os.walk(root):
        out += [(Path(folder) / f).relative_to(root).as_posix() for f in files]
    return sorted(out)


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    _write(tmp_path / "repo", CLEAN)
    return tmp_path / "repo" / "pkg"


def test_names_of_the_policy() -> None:
    for name in (".git", ".hg", ".svn", "__pycache__", ".ipynb_checkpoints", ".DS_Store", "a.pyc", "b.pyo"):
        assert is_ignored(name), name
    for name in ("git", ".gitignore", "pyc.py", "a.py", ".github", "checkpoints", "DS_Store"):
        assert not is_ignored(name), name


def test_walker_lists_none_of_the_junk(pkg: Path) -> None:
    assert walk_files(pkg) == _clean_rels()
    _add_junk(pkg)
    assert walk_files(pkg) == _clean_rels()
    assert [rel for rel, _ in tree_paths(pkg)] == _clean_rels()
    assert all(full == (pkg / rel).resolve() for rel, full in tree_paths(pkg))


def test_walker_order_is_plain_string_order(tmp_path: Path) -> None:
    # "a/z" < "a-b" < "a_b" in neither per-folder nor os.walk order; the hash layout needs one order.
    _write(tmp_path, {"a/z": "", "a-b": "", "a_b": "", "B": ""})
    assert walk_files(tmp_path) == sorted(["a/z", "a-b", "a_b", "B"])


def test_walker_refuses_a_file_and_a_missing_folder(tmp_path: Path) -> None:
    (tmp_path / "f.py").write_text("x")
    with pytest.raises(NotADirectoryError):
        walk_files(tmp_path / "f.py")
    with pytest.raises(FileNotFoundError):
        walk_files(tmp_path / "nope")
    # a spec path may name one file: it is its own single entry, even with a "junk" name
    (tmp_path / ".DS_Store").write_text("named on purpose")
    assert [rel for rel, _ in tree_paths(tmp_path / ".DS_Store")] == [".DS_Store"]


def test_hash_does_not_change_when_junk_is_added(pkg: Path) -> None:
    before = sha256_tree(pkg)
    _add_junk(pkg)
    assert sha256_tree(pkg) == before
    _add_junk(pkg, salt="edited")  # junk edited: still nothing
    assert sha256_tree(pkg) == before
    (pkg / "features.py").write_text("def f(x):\n    return x + 2\n")
    assert sha256_tree(pkg) != before
    (pkg / "features.py").write_text(CLEAN["pkg/features.py"])
    (pkg / "git" / "HEAD").write_text("changed\n")  # "git" is not ".git": it counts
    assert sha256_tree(pkg) != before


def test_hash_layout_is_the_published_one(pkg: Path) -> None:
    # sha256 over "path NUL file-hex LF" per file: specc-environment.json and locks record it,
    # so the layout may not drift with a refactoring.
    lines = b"".join(rel.encode() + b"\0" + sha256_file(pkg / rel).encode() + b"\n" for rel in _clean_rels())
    assert sha256_tree(pkg) == sha256_bytes(lines)
    single = pkg / "features.py"
    assert sha256_tree(single) == sha256_bytes(b"features.py\0" + sha256_file(single).encode() + b"\n")


def test_sha256_helpers_agree(tmp_path: Path) -> None:
    data = "héllo\n" * 300_000  # more than one read chunk
    (tmp_path / "f").write_bytes(data.encode("utf-8"))
    assert sha256_file(tmp_path / "f") == sha256_bytes(data) == sha256_bytes(data.encode("utf-8"))
    assert sha256_bytes(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_copy_tree_copies_none_of_the_junk(pkg: Path, tmp_path: Path) -> None:
    _add_junk(pkg)
    copy_tree(pkg, tmp_path / "copy")
    assert _every_file(tmp_path / "copy") == _clean_rels()


def test_output_folder_inside_the_source_is_left_out(pkg: Path) -> None:
    _add_junk(pkg)
    # the folder being written, and an earlier output of specc (its marker file says so)
    dest = pkg / "build" / ".docker.tmp-123" / "code" / "pkg"
    (pkg / "out" / "old").mkdir(parents=True)
    (pkg / "out" / ".specc-output").write_text("written by specc\n")
    (pkg / "out" / "old" / "Dockerfile").write_text("FROM x\n")
    copy_tree(pkg, dest, exclude=dest)
    assert _every_file(dest) == _clean_rels()
    assert walk_files(pkg, exclude=[pkg / "build"]) == _clean_rels()
    assert sha256_tree(pkg, exclude=pkg / "build") == sha256_tree(dest)


def test_symlinks_inside_the_confine_are_followed_and_loops_end(pkg: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _write(repo / "shared", {"util.py": "u = 1\n"})
    os.symlink("../shared", pkg / "shared")
    os.symlink(".", pkg / "data" / "self")  # a loop: skipped by the walker
    os.symlink("missing.py", pkg / "dangling.py")  # not a file
    rels = walk_files(pkg, confine=repo)
    assert rels == sorted([*_clean_rels(), "shared/util.py"])
    copy_tree(pkg, tmp_path / "copy", confine=repo)  # loops and dangling links left in place
    assert _every_file(tmp_path / "copy") == rels
    # confined to the folder itself (the default), the link to a sibling folder leads out
    assert walk_files(pkg) == _clean_rels()
    assert scan(pkg).escapes == ["shared"]


def test_symlinks_leading_out_are_never_followed(pkg: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    outside = tmp_path / "outside"
    _write(outside, {"secret.txt": "s3cr3t\n", "sub/more.txt": "m\n"})
    os.symlink(outside / "secret.txt", pkg / "leak.txt")
    os.symlink(outside, pkg / "data" / "outlink")
    os.symlink(tmp_path / "nowhere", pkg / "dangling-out")  # dangling, but it would lead out
    os.symlink("../../outside/secret.txt", pkg / "relative-out")
    listing = scan(pkg, confine=repo)
    assert listing.escapes == ["dangling-out", "data/outlink", "leak.txt", "relative-out"]
    assert [rel for rel, _ in listing.files] == _clean_rels()
    copied = copy_tree(pkg, tmp_path / "copy", confine=repo)
    assert copied == _every_file(tmp_path / "copy") == _clean_rels()
    assert sha256_tree(pkg, confine=repo) == sha256_tree(tmp_path / "copy")
    # the folder itself leading out: nothing is listed, nothing copied
    os.symlink(outside, repo / "out-folder")
    assert scan(repo / "out-folder", confine=repo).escapes == ["."]
    assert copy_tree(repo / "out-folder", tmp_path / "copy2", confine=repo) == []


# --- the consumers --------------------------------------------------------------------------------

SPEC = """\
spec-version = 1

[model]
name = "junk-model"

[runtime]
python = "3.11"

[python]
requirements = ["cloudpickle==3.1.1"]

[code]
paths = ["pkg"]
"""


@pytest.fixture
def project(pkg: Path) -> Path:
    repo = pkg.parent
    (repo / ".git").mkdir()
    (repo / "model-env.toml").write_text(SPEC, encoding="utf-8")
    return repo


def test_the_spec_code_hash_ignores_junk(project: Path) -> None:
    import specc

    before = specc.load(project / "model-env.toml").hashes.code
    _add_junk(project / "pkg")
    assert specc.load(project / "model-env.toml").hashes.code == before


class _Echo:
    """A pyfunc model (built lazily: importing mlflow at collection is slow)."""

    @staticmethod
    def make() -> Any:
        import mlflow

        class Echo(mlflow.pyfunc.PythonModel):
            def predict(self, context, model_input, params=None):  # no hints: MLflow would warn about them
                return model_input

        return Echo()


@pytest.fixture
def logged(project: Path, tmp_path: Path) -> tuple[Any, Path]:
    """(spec, local model folder) of a real MLflow model logged from ``project`` with junk in its code."""
    import mlflow

    import specc
    from specc.mlflow import log_model_kwargs

    _add_junk(project / "pkg")
    spec = specc.load(project / "model-env.toml")
    with mlflow_tracking(tmp_path, "specc-filetree"), mlflow.start_run():
        info = mlflow.pyfunc.log_model(name="model", python_model=_Echo.make(), **log_model_kwargs(spec))
        return spec, Path(mlflow.artifacts.download_artifacts(info.model_uri))


def test_drift_finds_no_difference_caused_by_junk(logged: tuple[Any, Path], project: Path) -> None:
    from specc.drift import check_model, tree_digest

    spec, model = logged
    assert check_model(spec, model) == []
    # more and different litter on both sides: still no drift
    _add_junk(project / "pkg", salt="spec side")
    _add_junk(model / "code" / "pkg", salt="model side")
    (model / "code" / "pkg" / "more.pyc").write_bytes(b"\0")
    assert check_model(spec, model) == []
    assert tree_digest(project / "pkg") == tree_digest(model / "code" / "pkg")
    # a real difference still is one
    (model / "code" / "pkg" / "features.py").write_text("changed\n")
    assert [(f.code, f.path_str, f.file) for f in check_model(spec, model)] == [("SPC511", "code.paths[0]", "code/pkg")]


def test_the_mlflow_model_ships_none_of_the_junk(logged: tuple[Any, Path]) -> None:
    _spec, model = logged
    assert _every_file(model / "code" / "pkg") == _clean_rels()


def test_docker_output_ships_none_of_the_junk(project: Path, tmp_path: Path) -> None:
    _add_junk(project / "pkg")
    out = tmp_path / "docker"
    r = run_cli("render", "--target", "docker", str(project), "--out", str(out))
    assert r.code == 0, r.err
    copies = [p for p in out.rglob("features.py")]
    assert len(copies) == 1, copies
    assert _every_file(copies[0].parent) == _clean_rels()


def test_docker_output_inside_the_code_folder(project: Path) -> None:
    # --out inside the code folder: the copy must not copy itself
    for _ in range(2):  # the second run finds the first run's output (marked) inside the folder
        r = run_cli("render", "--target", "docker", str(project), "--out", str(project / "pkg" / "build" / "docker"))
        assert r.code == 0, r.err[-2000:]
    assert not list((project / "pkg" / "build" / "docker").rglob("Dockerfile"))[1:], "an output copied into itself"


def test_compile_output_inside_the_code_folder(project: Path) -> None:
    _add_junk(project / "pkg")
    for _ in range(2):
        r = run_cli("compile", str(project), "--out", str(project / "pkg" / "build" / "mlflow"))
        assert r.code == 0, r.err[-2000:]
    # the output folder (and the temporary one being written) stay out of the shipped copy
    shipped = project / "pkg" / "build" / "mlflow" / "code" / "pkg"
    assert _every_file(shipped) == _clean_rels()
