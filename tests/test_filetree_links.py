"""Files outside the repository never reach an output through a code or artifact folder.

One kind of fault, every consumer: validation (SPC402 per link, SPC208 for a path with no name
of its own), the code/artifact hashes, the MLflow staging copy (``specc compile``), the Docker
context, ``render --from-model`` (the env artifact's placement) and ``specc check``'s drift.
The reported break test is the first test; the property test builds random trees of files,
folders and symlinks (inside, outside, dangling, loops, ancestors) and checks that validation
gives an error or a spec, never an exception, and that what is copied is exactly what the
walker lists (and so exactly what is hashed).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specc.filetree import copy_tree, scan
from specc.hashing import sha256_tree
from tests.helpers import run_cli

SECRET = "the content of a file outside the repository\n"
SPEC = 'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.11"\n'


def _every_file(root: Path) -> list[str]:
    out = []
    for folder, _dirs, files in os.walk(root):
        out += [(Path(folder) / f).relative_to(root).as_posix() for f in files]
    return sorted(out)


def _contents(root: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside every repository of these tests, holding a secret file."""
    where = tmp_path / "outside"
    (where / "sub").mkdir(parents=True)
    (where / "secret.txt").write_text(SECRET)
    (where / "sub" / "more.txt").write_text(SECRET)
    return where


@pytest.fixture
def reported(tmp_path: Path, outside: Path) -> Path:
    """The break test's repository: src/helpers with a file link and a folder link leading out."""
    repo = tmp_path / "symt"
    (repo / "src" / "helpers").mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / "src" / "helpers" / "__init__.py").write_text("")
    os.symlink(outside / "secret.txt", repo / "src" / "helpers" / "leak.txt")
    os.symlink(outside, repo / "src" / "helpers" / "etclink")
    (repo / "model-env.toml").write_text(SPEC + '[code]\npaths = ["src/helpers"]\n')
    return repo


def test_the_reported_tree_is_an_error_at_validation(reported: Path) -> None:
    r = run_cli("validate", str(reported))
    assert r.code == 1, r.err
    spec = reported / "model-env.toml"
    assert f"{spec}:7:10: error[SPC402] code.paths[0]: 'src/helpers/etclink' is a symlink pointing outside" in r.err
    assert f"{spec}:7:10: error[SPC402] code.paths[0]: 'src/helpers/leak.txt' is a symlink pointing outside" in r.err


@pytest.mark.parametrize("argv", [["compile"], ["render", "--target", "docker"], ["render", "--target", "databricks"]])
def test_the_reported_tree_reaches_no_output(reported: Path, argv: list[str]) -> None:
    out = reported.parent / "o"
    r = run_cli(*argv, str(reported), "--out", str(out))
    assert r.code == 1 and "SPC402" in r.err, r.err
    assert not out.exists()


def test_the_same_links_in_an_artifact_folder(reported: Path) -> None:
    (reported / "model-env.toml").write_text(SPEC + '[artifacts]\nhelpers = "src/helpers"\n')
    r = run_cli("validate", str(reported))
    assert r.code == 1
    assert r.err.count("error[SPC402] artifacts.helpers: 'src/helpers/") == 2, r.err


def test_many_links_leading_out_are_counted_after_ten(tmp_path: Path, outside: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pkg").mkdir()
    for i in range(13):
        os.symlink(outside / "secret.txt", repo / "pkg" / f"l{i:02}")
    (repo / "model-env.toml").write_text(SPEC + '[code]\npaths = ["pkg"]\n')
    r = run_cli("validate", str(repo))
    assert r.code == 1
    assert r.err.count("error[SPC402]") == 11
    assert "code.paths[0]: 3 more symlinks in 'pkg' point outside the repository" in r.err


def test_the_consumers_never_follow_a_link_leading_out(reported: Path, outside: Path, tmp_path: Path) -> None:
    """Validation is the gate; behind it each consumer still leaves such a link out."""
    from specc.backends.base import Rendered, write_rendered
    from specc.drift import tree_digest

    helpers = reported / "src" / "helpers"
    out = tmp_path / "written"
    out.mkdir()
    write_rendered(Rendered(files={"code/helpers": helpers}), out, root=reported)
    assert _every_file(out) == ["code/helpers/__init__.py"]
    assert sha256_tree(helpers, confine=reported) == sha256_tree(out / "code" / "helpers")
    assert list(tree_digest(helpers, reported)) == ["__init__.py"]
    # no root given: confined to the folder being copied
    out2 = tmp_path / "written2"
    out2.mkdir()
    write_rendered(Rendered(files={"code/helpers": helpers}), out2)
    assert SECRET not in _contents(out2)


def test_links_staying_inside_the_repository_ship_as_hashed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "shared").mkdir()
    (repo / "shared" / "util.py").write_text("u = 1\n")
    (repo / "pkg").mkdir()
    (repo / "pkg" / "__init__.py").write_text("")
    os.symlink("../shared", repo / "pkg" / "shared")
    os.symlink("../shared/util.py", repo / "pkg" / "util.py")
    os.symlink("..", repo / "pkg" / "up")  # a folder above: skipped, not shipped (nor the repository)
    os.symlink(".", repo / "pkg" / "self")  # the folder itself: skipped
    os.symlink("nowhere", repo / "pkg" / "dangling")
    (repo / "model-env.toml").write_text(SPEC + '[code]\npaths = ["pkg"]\n')
    r = run_cli("compile", str(repo), "--out", str(tmp_path / "o"))
    assert r.code == 0, r.err
    shipped = tmp_path / "o" / "code" / "pkg"
    assert _every_file(shipped) == ["__init__.py", "shared/util.py", "util.py"]
    assert not any(p.is_symlink() for p in shipped.rglob("*"))
    assert sha256_tree(repo / "pkg", confine=repo) == sha256_tree(shipped)
    import specc
    from specc.hashing import _h

    spec = specc.load(repo / "model-env.toml")
    assert spec.hashes.code == _h({"pkg": sha256_tree(shipped)})


# --- A4: a path with no name of its own -----------------------------------------------------------


@pytest.mark.parametrize(
    ("spec_dir", "entry", "message"),
    [
        ("", '[code]\npaths = ["."]\n', "code.paths[0]: '.' is the repository root, which cannot ship as code"),
        ("", '[code]\npaths = ["./"]\n', "'./' is the repository root"),
        ("a", '[code]\npaths = ["."]\n', "'.' is the spec's own folder, which cannot ship as code"),
        ("a", '[code]\npaths = ["pkg/.."]\n', "'pkg/..' is the spec's own folder"),
        ("a/b", '[code]\npaths = [".."]\n', "'..' names a folder above the spec by `..`"),
        ("a", '[code]\npaths = ["root"]\n', "'root' is the repository root"),  # a link to the root
        ("", '[artifacts]\nall = "."\n', "artifacts.all: '.' is the repository root, which cannot ship as an artifact"),
    ],
)
def test_a_path_with_no_name_of_its_own_is_refused(tmp_path: Path, spec_dir: str, entry: str, message: str) -> None:
    (tmp_path / ".git").mkdir()
    folder = tmp_path / spec_dir
    (folder / "pkg").mkdir(parents=True)
    (folder / "pkg" / "__init__.py").write_text("")
    if spec_dir:
        os.symlink(os.path.relpath(tmp_path, folder), folder / "root")
    (folder / "model-env.toml").write_text(SPEC + entry)
    r = run_cli("validate", str(folder))
    assert r.code == 1 and "error[SPC208]" in r.err and message in r.err, r.err
    if "[code]" in entry:
        assert "hint: list the package folders instead" in r.err


# --- the env artifact's placement -----------------------------------------------------------------


def test_from_model_keeps_paths_that_climb_inside_its_folder(tmp_path: Path) -> None:
    """A spec in a subfolder names code as ``../x``: placing it never writes next to the temp folder."""
    import specc
    from specc.envartifact import load_from_model
    from tests.test_envartifact import _fake_model

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "lib" / "pkg").mkdir(parents=True)
    (repo / "lib" / "pkg" / "m.py").write_text("x = 1\n")
    (repo / "models" / "m1").mkdir(parents=True)
    (repo / "models" / "m1" / "model-env.toml").write_text(SPEC + '[code]\npaths = ["../../lib/pkg"]\n')
    spec = specc.load(repo / "models" / "m1" / "model-env.toml")
    model = _fake_model(spec, "code", tmp_path / "model")
    loaded = load_from_model(model)
    base = Path(loaded.spec.base_dir or "")
    placed = (base / "../../lib/pkg/m.py").resolve()
    assert placed.read_text() == "x = 1\n"
    top = Path(os.path.commonpath([base, placed]))
    assert top.name.startswith("specc-from-model-"), (base, placed)


def test_from_model_refuses_a_file_outside_the_model_folder(tmp_path: Path, outside: Path) -> None:
    import json

    import specc
    from specc.envartifact import FromModelError, load_from_model
    from tests.test_envartifact import _fake_model

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pkg").mkdir()
    (repo / "pkg" / "m.py").write_text("x = 1\n")
    (repo / "model-env.toml").write_text(SPEC + '[code]\npaths = ["pkg"]\n')
    model = _fake_model(specc.load(repo / "model-env.toml"), "code", tmp_path / "model")
    art = model / "code" / "specc-environment" / "specc-environment.json"
    data = json.loads(art.read_text())
    data["code"]["paths"][0]["in-model-path"] = os.path.relpath(outside, model)
    art.write_text(json.dumps(data))
    with pytest.raises(FromModelError, match="outside the model folder"):
        load_from_model(model)
    data["code"]["paths"][0]["in-model-path"] = "code/pkg"
    for bad in ("/tmp/x", "pkg/../../x"):
        data["code"]["paths"][0]["path"] = bad
        art.write_text(json.dumps(data))
        with pytest.raises(FromModelError, match="not a path inside a repository"):
            load_from_model(model)


# --- random trees -----------------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "c.py", "d", ".git", "__pycache__"])
KINDS = st.sampled_from(
    [
        "file",
        "dir",
        "link-in-file",  # to a file of the repository, outside the code folder
        "link-in-dir",  # to a folder of the repository, outside the code folder
        "link-sibling",  # to another entry of the code folder (maybe missing: dangling)
        "link-out-file",
        "link-out-dir",
        "link-out-dangling",
        "link-dangling",
        "link-loop",
        "link-ancestor",
        "link-root",
    ]
)
ENTRIES = st.lists(st.tuples(st.lists(NAMES, min_size=1, max_size=3).map("/".join), KINDS), max_size=10)


def _build(root: Path, outside: Path, entries: list[tuple[str, str]]) -> None:
    pkg = root / "pkg"
    for rel, kind in entries:
        path = pkg / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "file":
                path.write_text(f"{rel}\n")
            elif kind == "dir":
                path.mkdir(exist_ok=True)
            elif kind == "link-in-file":
                path.symlink_to(os.path.relpath(root / "shared" / "u.py", path.parent))
            elif kind == "link-in-dir":
                path.symlink_to(os.path.relpath(root / "shared", path.parent))
            elif kind == "link-sibling":
                path.symlink_to(os.path.relpath(pkg / entries[0][0], path.parent))
            elif kind == "link-out-file":
                path.symlink_to(outside / "secret.txt")
            elif kind == "link-out-dir":
                path.symlink_to(os.path.relpath(outside, path.parent))
            elif kind == "link-out-dangling":
                path.symlink_to(outside / "missing")
            elif kind == "link-dangling":
                path.symlink_to("missing")
            elif kind == "link-loop":
                path.symlink_to(path.name)
            elif kind == "link-ancestor":
                path.symlink_to(os.path.relpath(pkg, path.parent))
            else:
                path.symlink_to(os.path.relpath(root, path.parent))
        except OSError:
            continue  # an entry the earlier ones made impossible (a file where a folder goes)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=ENTRIES, section=st.sampled_from(["code", "artifacts"]))
def test_random_trees_give_an_error_or_a_spec_and_copies_equal_the_walk(
    tmp_path_factory: pytest.TempPathFactory, entries: list[tuple[str, str]], section: str
) -> None:
    from specc.api import check
    from specc.backends.base import Rendered, write_rendered

    top = tmp_path_factory.mktemp("tree")
    outside = top / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "secret.txt").write_text(SECRET)
    (outside / "sub" / "s.txt").write_text(SECRET)
    root = top / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "shared").mkdir()
    (root / "shared" / "u.py").write_text("u = 1\n")
    (root / "pkg").mkdir()
    _build(root, outside, entries)
    body = '[code]\npaths = ["pkg"]\n' if section == "code" else '[artifacts]\npkg = "pkg"\n'
    (root / "model-env.toml").write_text(SPEC + body)

    result = check(root / "model-env.toml")  # never raises: a spec or diagnostics
    listing = scan(root / "pkg", confine=root)
    codes = [d.code for d in result.diagnostics if d.severity == "error"]
    if listing.escapes:
        assert result.spec is None and codes.count("SPC402") == min(len(listing.escapes), 10) + (
            len(listing.escapes) > 10
        ), (codes, listing.escapes)
        return
    assert result.spec is not None, [str(d.message) for d in result.diagnostics]
    spec = result.spec
    # every consumer's copy is exactly the walker's list, and hashes as validation hashed
    out = top / "out"
    out.mkdir()
    write_rendered(Rendered(files={"x/pkg": root / "pkg"}), out, root=root)
    walked = [rel for rel, _ in listing.files]
    assert _every_file(out / "x" / "pkg") == walked
    assert copy_tree(root / "pkg", top / "copy", confine=root) == walked == _every_file(top / "copy")
    assert SECRET not in _contents(out)
    from specc.hashing import _h

    assert (spec.hashes.code if section == "code" else spec.hashes.artifacts) == _h({"pkg": sha256_tree(top / "copy")})


# --- outputs stay inside their folder ---------------------------------------------------------


def test_a_private_package_above_the_spec_is_written_inside_the_output(tmp_path: Path) -> None:
    """``../../lib/x.deb`` (a spec in a subfolder) once landed next to the output folder."""
    from specc.envartifact import load_from_model
    from tests.test_envartifact import _fake_model

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "lib").mkdir()
    (repo / "lib" / "libx_1.0_amd64.deb").write_bytes(b"!<arch>\n")
    (repo / "a" / "b").mkdir(parents=True)
    (repo / "a" / "b" / "model-env.toml").write_text(
        SPEC.replace('python = "3.11"', 'python = "3.11"\ndatabricks = "15.4.x-cpu-ml-scala2.12"')
        + '[apt]\ndebs = ["../../lib/libx_1.0_amd64.deb"]\n'
        + '[targets.databricks]\nlibraries-dir = "/Volumes/c/s/v/specc"\n'
    )
    outs = tmp_path / "outs"
    for argv in (["compile"], ["render", "--target", "docker"], ["render", "--target", "databricks"]):
        out = outs / argv[-1]
        r = run_cli(*argv, str(repo / "a" / "b"), "--out", str(out))
        assert r.code == 0, r.err
    debs = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.deb") if "outs" in p.parts]
    assert sorted(d.split("/")[1] for d in debs) == ["compile", "databricks", "docker"], debs
    assert (outs / "compile/specc-environment/specc-private-packages/__parent__/__parent__/lib").is_dir()
    import specc

    spec = specc.load(repo / "a" / "b" / "model-env.toml")
    for layout in ("artifacts", "code"):
        loaded = load_from_model(_fake_model(spec, layout, tmp_path / f"model-{layout}"))
        base = Path(loaded.spec.base_dir or "")
        assert (base / "../../lib/libx_1.0_amd64.deb").read_bytes() == b"!<arch>\n"


def test_the_writer_refuses_an_output_path_leading_out(tmp_path: Path) -> None:
    from specc.backends.base import Rendered, write_rendered

    (tmp_path / "out").mkdir()
    for rel in ("../x", "a/../../x", "/tmp/x"):
        with pytest.raises(ValueError, match="leaves the output folder"):
            write_rendered(Rendered(files={rel: b"x"}), tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
