"""Bad paths never crash: every OS error on a user's path is a diagnostic (SPC209, SPC001, or the
output's own message), long paths are shortened in messages, and an output folder inside a code
path is never copied into itself.  Property tests over path strings and folder layouts: no input
ends in SPC900 (exit code 3)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specc.paths import os_problem, show_path
from tests.helpers import run_cli
from tests.toml_writer import dumps

EXIT_INTERNAL = 3
LONG = "a" * 5000

# path strings: ordinary names, dots, separators, the characters that make paths special,
# and names far past NAME_MAX (255 bytes) and PATH_MAX (4096)
SEGMENT = st.one_of(
    st.sampled_from(["", ".", "..", "src", "loop", "dangling", "file.py", "dir", "~", "C:", "a" * 300, "é" * 200]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)
OUT_STRINGS = st.one_of(
    st.lists(SEGMENT, min_size=1, max_size=6).map("/".join),
    st.sampled_from([LONG, LONG + "/x", "src/" + LONG, "loop/x", "file.py/x", "dir/" * 1100 + "x"]),
)
# spec paths may also be deep (a path that exists nowhere; --out would create it, and a
# 1,000-level tree is more than pytest's clean-up recursion can remove)
PATH_STRINGS = st.one_of(OUT_STRINGS, st.just("dir/" * 1000 + "x"))


def _layout(root: Path) -> None:
    """A folder with the awkward things a repository can hold."""
    (root / ".git").mkdir()
    (root / "src").mkdir()
    (root / "src" / "m.py").write_text("x = 1\n")
    (root / "dir").mkdir()
    (root / "file.py").write_text("y = 2\n")
    (root / "loop").symlink_to("loop2")
    (root / "loop2").symlink_to("loop")
    (root / "dangling").symlink_to("nowhere")
    (root / "src" / "up").symlink_to("..")  # a link back to an ancestor
    (root / "model-env.toml").write_text('spec-version = 1\n[runtime]\npython = "3.11"\n')


def _spec(path: str) -> str:
    return dumps(
        {
            "spec-version": 1,
            "runtime": {"python": "3.11"},
            "code": {"paths": [path]},
            "artifacts": {"x": path},
            "python": {"wheels": [path], "requirements-files": [path]},
            "apt": {"debs": [path]},
        }
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad-paths") / "repo"
    root.mkdir()
    _layout(root)
    return root


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=PATH_STRINGS)
def test_no_spec_path_crashes(repo: Path, raw: str) -> None:
    spec = repo / "t.toml"
    spec.write_text(_spec(raw), encoding="utf-8")
    r = run_cli("validate", str(spec))
    assert r.code in (0, 1), r.err
    assert "SPC900" not in r.err
    for line in r.err.splitlines():
        assert len(line) < 400, line[:100]  # long paths are shortened, excerpts windowed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=PATH_STRINGS)
def test_no_spec_argument_crashes(repo: Path, raw: str) -> None:
    r = run_cli("validate", raw, cwd=repo)
    assert r.code in (0, 1, 2), r.err
    assert "SPC900" not in r.err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=OUT_STRINGS, command=st.sampled_from(["compile", "docker", "databricks"]))
def test_no_out_path_crashes(repo: Path, raw: str, command: str) -> None:
    if not raw.strip() or "\x00" in raw:
        return  # not a path the shell can pass
    argv = ["compile"] if command == "compile" else ["render", "--target", command]
    r = run_cli(*argv, str(repo / "model-env.toml"), "--out", raw, cwd=repo)
    assert r.code != EXIT_INTERNAL and "SPC900" not in r.err, r.err
    for line in r.err.splitlines():
        # problems shorten long paths; the success line names the folder written, as given
        assert len(line) < 400 or line.startswith("wrote "), line[:100]


# --- folder layouts ---------------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "build", ".git", ".venv", "__pycache__", "out", "x.py"])
ENTRIES = st.lists(
    st.tuples(
        st.lists(NAMES, min_size=1, max_size=3).map("/".join),
        st.sampled_from(["file", "dir", "link-up", "link-loop", "link-dangling", "link-file"]),
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=ENTRIES, out=st.sampled_from(["build/out", "out", "a/b/out", ".venv/out"]))
def test_no_folder_layout_crashes_and_no_output_copies_itself(tmp_path_factory, entries, out) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("layout")
    (root / ".git").mkdir()
    (root / "tree").mkdir()
    out = f"tree/{out}"  # an output inside the shipped folder
    for rel, kind in entries:
        path = root / "tree" / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "file":
                path.write_text("1\n")
            elif kind == "dir":
                path.mkdir(exist_ok=True)
            elif kind == "link-up":
                path.symlink_to(os.path.relpath(root, path.parent))
            elif kind == "link-loop":
                path.symlink_to(path.name)
            elif kind == "link-dangling":
                path.symlink_to("missing")
            else:
                path.symlink_to(os.path.relpath(root / "model-env.toml", path.parent))
        except OSError:
            continue  # an entry the earlier ones made impossible (a file where a folder goes)
    (root / "model-env.toml").write_text(
        'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.11"\n[code]\npaths = ["tree"]\n'
        '[artifacts]\ntree = "tree"\n[targets.docker]\nserve = false\n',
        encoding="utf-8",
    )
    for argv in (["compile"], ["render", "--target", "docker"], ["render", "--target", "databricks"]):
        for _ in range(2):  # the second run finds the first one's output inside the code path
            r = run_cli(*argv, str(root), "--out", out, cwd=root)
            assert r.code != EXIT_INTERNAL and "SPC900" not in r.err, (argv, r.err)
            if r.code == 0:
                written = root / out
                copied = [p for p in written.rglob("*") if p.name in (".git", ".venv", "__pycache__", ".specc-output")]
                assert copied == [written / ".specc-output"], copied


# --- exact messages ---------------------------------------------------------------------------


def test_a_5000_character_code_path_is_a_diagnostic(repo: Path) -> None:
    spec = repo / "long.toml"
    spec.write_text(f'spec-version = 1\n[runtime]\npython = "3.11"\n[code]\npaths = ["{LONG}"]\n')
    r = run_cli("validate", str(spec))
    assert r.code == 1
    lines = r.err.splitlines()
    assert lines[0] == (
        f"{spec}:5:10: error[SPC209] code.paths[0]: '{'a' * 40}…{'a' * 20}' (5000 characters) "
        "is too long for the file system"
    )
    assert lines[2] == '5 | paths = ["' + "a" * 190 + "…"  # a window of the 5,010-character line
    assert lines[4] == "  = hint: use a shorter path (each name at most 255 bytes, the whole path at most 4096)"


def test_a_symlink_loop_is_a_diagnostic(repo: Path) -> None:
    spec = repo / "loop.toml"
    spec.write_text('spec-version = 1\n[runtime]\npython = "3.11"\n[code]\npaths = ["loop"]\n')
    r = run_cli("validate", str(spec))
    assert r.code == 1 and f"{spec}:5:10: error[SPC209] code.paths[0]: 'loop' is a symlink loop" in r.err


def test_a_5000_character_spec_argument_is_a_diagnostic(tmp_path: Path) -> None:
    r = run_cli("validate", LONG, cwd=tmp_path)
    assert r.code == 1
    assert r.err.splitlines()[0] == (
        f"'{'a' * 40}…{'a' * 20}' (5000 characters): error[SPC001]: the spec path is too long for the file system"
    )


def test_out_paths_the_os_refuses_are_reported(repo: Path) -> None:
    spec = str(repo / "model-env.toml")
    r = run_cli("compile", spec, "--out", LONG, cwd=repo)
    assert r.code == 1
    assert r.err == (
        f"specc compile: cannot write '{'a' * 40}…{'a' * 20}' (5000 characters): "
        "the path is too long for the file system\n"
        "  = hint: use a shorter --out (each name at most 255 bytes, the whole path at most 4096)\n"
    )
    r = run_cli("render", "--target", "docker", spec, "--out", "file.py/out", cwd=repo)
    assert r.code == 1
    want = f"specc render: cannot write file.py/out: {repo / 'file.py'} is not a folder\n"
    assert r.err == want + "  = hint: choose another --out\n"


def test_an_output_inside_a_code_path_is_left_out(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("x = 1\n")
    (tmp_path / "model-env.toml").write_text(
        'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.11"\n[code]\npaths = ["pkg"]\n'
    )
    for _ in range(3):
        r = run_cli("compile", str(tmp_path), "--out", str(tmp_path / "pkg" / "build" / "mlflow"))
        assert r.code == 0, r.err
    code = tmp_path / "pkg" / "build" / "mlflow" / "code"
    files = sorted(p.relative_to(code).as_posix() for p in code.rglob("*") if p.is_file())
    assert files == ["pkg/m.py"]


def test_os_problem_names_each_error() -> None:
    def message(code: int) -> str:
        return os_problem("p", OSError(code, os.strerror(code))).message

    assert message(errno.ENAMETOOLONG) == "'p' is too long for the file system"
    assert message(errno.ELOOP) == "'p' is a symlink loop"
    assert message(errno.EACCES) == "'p' cannot be read: permission denied"
    assert message(errno.ENOTDIR) == "'p': a part of it is a file, not a folder"
    assert message(errno.EIO) == "'p' cannot be read: Input/output error"
    assert os_problem("p", RuntimeError("Symlink loop from 'p'")).message == "'p' is a symlink loop"


@given(raw=st.text(max_size=300))
def test_show_path_is_short_and_exact_when_short(raw: str) -> None:
    shown = show_path(raw)
    if len(raw) <= 80 and len(repr(raw)) <= 162:  # control characters shown escaped count too
        assert shown == repr(raw)
    else:
        assert shown.endswith(f" ({len(raw)} characters)") and len(shown) < 200
