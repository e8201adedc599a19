"""`specc render` as a command: usage errors, refusing folders, writing nothing on failure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from specc.backends import BACKENDS
from tests.helpers import EXAMPLES, run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    work = tmp_path / "proj"
    shutil.copytree(EXAMPLES / "sklearn-basic", work)
    # every target renders it: Databricks needs a folder for the init script (SPC359)
    with (work / "model-env.toml").open("a", encoding="utf-8") as f:
        f.write('\n[targets.databricks]\nlibraries-dir = "/Volumes/main/ml/specc"\n')
    return work


@pytest.mark.parametrize("target", sorted(BACKENDS))
def test_render_writes_a_marked_folder_with_provenance(project: Path, target: str) -> None:
    r = run_cli("render", "--target", target, "--out", "out", cwd=project)
    assert r.code == 0, r.err
    prov = json.loads((project / "out" / "specc-provenance.json").read_text())
    assert prov["target"] == target and prov["dependency-hash"].startswith("sha256:")
    # rendering again replaces the folder (it is specc's)
    assert run_cli("render", "--target", target, "--out", "out", cwd=project).code == 0


@pytest.mark.parametrize("target", sorted(BACKENDS))
def test_render_refuses_to_replace_a_foreign_folder(project: Path, target: str) -> None:
    r = run_cli("render", "--target", target, "--out", ".", cwd=project)
    assert r.code == 1 and "refusing to replace" in r.err
    assert (project / "model-env.toml").is_file()


def test_render_invalid_spec_writes_nothing(project: Path) -> None:
    (project / "model-env.toml").write_text('spec-version = 1\n[runtime]\npython = "3"\n')
    r = run_cli("render", "--target", "docker", "--out", "out", cwd=project)
    assert r.code == 1 and "SPC107" in r.err
    assert not (project / "out").exists()
    assert [p.name for p in project.iterdir() if p.name.startswith(".out")] == []


def test_render_option_of_another_target_is_a_usage_error(project: Path) -> None:
    r = run_cli("render", "--target", "docker", "--cluster-id", "x", "--out", "out", cwd=project)
    assert r.code == 2 and "--cluster-id" in r.err
    assert not (project / "out").exists()


def test_render_unknown_target_is_a_usage_error(project: Path) -> None:
    assert run_cli("render", "--target", "k8s", "--out", "out", cwd=project).code == 2


def test_render_is_deterministic(project: Path, tmp_path: Path) -> None:
    for target in sorted(BACKENDS):
        run_cli("render", "--target", target, "--out", "a", cwd=project)
        run_cli("render", "--target", target, "--out", "b", cwd=project)
        a = {p.relative_to(project / "a"): p.read_bytes() for p in (project / "a").rglob("*") if p.is_file()}
        b = {p.relative_to(project / "b"): p.read_bytes() for p in (project / "b").rglob("*") if p.is_file()}
        assert a == b, target
        shutil.rmtree(project / "a")
        shutil.rmtree(project / "b")


@pytest.mark.parametrize(
    ("target", "flag"),
    [("databricks", "--model-name"), ("databricks", "--model-version"), ("databricks", "--cluster-id")],
)
def test_an_empty_flag_value_is_an_error_not_the_default(tmp_path: Path, target: str, flag: str) -> None:
    """Found as a user: `--model-name ""` silently fell back to model.name."""
    out = tmp_path / "out"
    r = run_cli("render", "--target", target, str(EXAMPLES / "private-index"), flag, "", "--out", str(out))
    assert r.code == 1 and f"{flag} is empty" in r.err, r.err
    assert not out.exists()
