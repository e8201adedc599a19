"""A single-file output (``specc sbom --out FILE``, ``specc lock --format pylock --pylock-file``)
never lands inside a file or folder the spec ships.

Reproducer (found re-running issue 14): ``specc sbom --target docker --out src/iris_features/sbom.json``
on the sklearn-basic example wrote the bill into the code folder; the next ``specc compile``
copied it into the MLflow model's ``code/`` and the code hash changed.  An output *folder* is
left out by its ``.specc-output`` marker; a file has none, so it is refused (SPC764) before
anything is written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import run_cli

pytest.importorskip("cyclonedx")

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sklearn-basic"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "proj"
    shutil.copytree(EXAMPLE, dest)
    (dest / "data" / "more").mkdir()
    text = (dest / "model-env.toml").read_text(encoding="utf-8")
    text = text.replace('labels = "data/labels.json"', 'labels = "data/labels.json"\nmore = "data/more"')
    (dest / "model-env.toml").write_text(text, encoding="utf-8")
    return dest


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize(
    ("out", "entry"),
    [
        ("src/iris_features/sbom.cdx.json", "code.paths[0]"),  # the reproducer
        ("src/iris_features/deep/er/sbom.cdx.json", "code.paths[0]"),  # a folder not there yet
        ("data/more/sbom.cdx.json", "artifacts.more"),  # an artifact folder
        ("data/labels.json", "artifacts.labels"),  # the artifact file itself
    ],
)
def test_sbom_out_inside_shipped_is_refused(project: Path, out: str, entry: str) -> None:
    before = _files(project)
    labels = (project / "data" / "labels.json").read_bytes()
    r = run_cli("sbom", "--target", "docker", "--out", out, cwd=project)
    assert r.code == 1, r.err
    assert "SPC764" in r.err and entry in r.err, r.err
    assert _files(project) == before
    assert (project / "data" / "labels.json").read_bytes() == labels


def test_sbom_out_through_symlink_into_code_is_refused(project: Path) -> None:
    (project / "link").symlink_to(project / "src" / "iris_features")
    r = run_cli("sbom", "--target", "docker", "--out", "link/sbom.cdx.json", cwd=project)
    assert r.code == 1 and "code.paths[0]" in r.err, r.err
    assert not (project / "src" / "iris_features" / "sbom.cdx.json").exists()


def test_sbom_out_next_to_code_is_written(project: Path) -> None:
    # a sibling whose name starts like the code folder is not inside it
    r = run_cli("sbom", "--target", "docker", "--out", "src/iris_features.cdx.json", cwd=project)
    assert r.code == 0, r.err
    assert (project / "src" / "iris_features.cdx.json").is_file()


def test_pylock_file_inside_code_is_refused(project: Path) -> None:
    before = _files(project)
    r = run_cli("lock", "--format", "pylock", "--pylock-file", "src/iris_features/pylock.toml", cwd=project)
    assert r.code == 1, r.err
    assert "SPC764" in r.err and "code.paths[0]" in r.err, r.err
    assert _files(project) == before
