"""Platforms on purpose: re-locking keeps the lock's platforms, and ``--locked`` fails (SPC620) on a
target whose platform the lock lacks: a Docker image's architecture, a Databricks cluster's node
type, and MLflow compile's linux x86_64."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from specc.lock import implied_requirements
from specc.lockfile import (
    COMPILE_PLATFORM,
    LockedPython,
    LockedPythonPackage,
    LockError,
    databricks_node_platform,
    load_fresh_lock,
    lock_path_for,
    new_lock,
    read_lock,
    target_platform,
    write_lock,
)
from tests.helpers import EXAMPLES, run_cli

H = "sha256:" + "ef" * 32


def _copy(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copytree(EXAMPLES / name, dst)
    return dst


def _lock_for(folder: Path, platforms: list[str]) -> None:
    import specc

    spec = specc.load(folder / "model-env.toml")
    python = LockedPython(
        python_version=spec.runtime.python,
        platforms=platforms,
        resolver="uv test",
        packages=[LockedPythonPackage(name="six", version="1.16.0", hashes=[H])],
        implied_requirements=implied_requirements(spec),  # as `specc lock` records them
    )
    write_lock(lock_path_for(folder / "model-env.toml"), new_lock(spec, python))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("node", "platform"),
    [
        ("i3.xlarge", "x86_64-manylinux_2_28"),
        ("g5.xlarge", "x86_64-manylinux_2_28"),  # a GPU family, not Graviton
        ("m6gd.large", "aarch64-manylinux_2_28"),
        ("c7gn.2xlarge", "aarch64-manylinux_2_28"),
        ("r8g.xlarge", "aarch64-manylinux_2_28"),
        ("t2a-standard-4", "aarch64-manylinux_2_28"),
        ("Standard_DS3_v2", "x86_64-manylinux_2_28"),
        (None, "x86_64-manylinux_2_28"),
    ],
)
def test_databricks_node_platform(node: str | None, platform: str) -> None:
    assert databricks_node_platform(node) == platform


def test_target_platforms(tmp_path: Path) -> None:
    import specc

    folder = _copy("kitchen-sink", tmp_path)
    spec = specc.load(folder / "model-env.toml")
    assert target_platform(spec, "docker") == ("x86_64-manylinux_2_28", ("targets", "docker", "platform"))
    assert target_platform(spec, "databricks")[0] == "x86_64-manylinux_2_28"  # g5.xlarge
    assert target_platform(spec, "mlflow") == (COMPILE_PLATFORM, ())
    _edit(folder / "model-env.toml", 'platform = "linux/amd64"', 'platform = "linux/arm64"')
    _edit(folder / "model-env.toml", 'node-type = "g5.xlarge"', 'node-type = "m7g.xlarge"')
    spec = specc.load(folder / "model-env.toml")
    assert target_platform(spec, "docker")[0] == "aarch64-manylinux_2_28"
    assert target_platform(spec, "databricks") == (
        "aarch64-manylinux_2_28",
        ("targets", "databricks", "cluster", "node-type"),
    )


@pytest.mark.parametrize("target", ["docker", "databricks", "mlflow"])
def test_locked_target_needs_its_platform(target: str, tmp_path: Path) -> None:
    """An aarch64-only lock (re-locked with --replace-platforms) serves none of the x86_64 targets."""
    folder = _copy("kitchen-sink", tmp_path)
    _lock_for(folder, ["aarch64-manylinux_2_28"])
    import specc

    spec = specc.load(folder / "model-env.toml")
    load_fresh_lock(spec)  # fresh: without a target nothing more is asked
    with pytest.raises(LockError) as info:
        load_fresh_lock(spec, target=target)
    assert info.value.code == "SPC620"
    assert "x86_64-manylinux_2_28" in str(info.value) and "aarch64-manylinux_2_28" in str(info.value)
    assert info.value.hint == "run: specc lock --platform x86_64-manylinux_2_28 (the platforms already locked are kept)"
    d = read_lock(folder / "model-env.lock").require_platform("linux/amd64", target=target)
    assert d is not None and d.code == "SPC620" and d.severity == "error"
    _lock_for(folder, ["aarch64-manylinux_2_28", "x86_64-manylinux_2_28"])
    assert load_fresh_lock(spec, target=target).python.platforms[1] == "x86_64-manylinux_2_28"


@pytest.mark.slow
def test_relock_keeps_the_locks_platforms_unless_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "plat"
    folder.mkdir()
    (folder / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["six==1.16.0"]\n', encoding="utf-8"
    )
    assert run_cli("lock", str(folder)).code == 0
    assert read_lock(folder / "model-env.lock").python.platforms == ["x86_64-manylinux_2_28"]
    r = run_cli("lock", "--platform", "linux-aarch64", str(folder))
    assert r.code == 0, r.err
    assert read_lock(folder / "model-env.lock").python.platforms == ["x86_64-manylinux_2_28", "aarch64-manylinux_2_28"]
    assert run_cli("lock", str(folder)).code == 0  # a plain re-lock keeps both
    assert len(read_lock(folder / "model-env.lock").python.platforms) == 2
    r = run_cli("lock", "--replace-platforms", "--platform", "linux-aarch64", str(folder))
    assert r.code == 0, r.err
    assert read_lock(folder / "model-env.lock").python.platforms == ["aarch64-manylinux_2_28"]


@pytest.mark.slow
def test_graviton_example_locks_both_platforms_from_pypi(tmp_path: Path) -> None:
    """The user's fault, on the bundled example: a Graviton job cluster, a fresh `specc lock` with no
    flag, then `render --target databricks --locked` and `sbom --locked` (both failed with SPC620
    when a fresh lock was x86_64 only)."""
    x86 = _copy("sklearn-basic", tmp_path / "x86")
    graviton = _copy("sklearn-basic", tmp_path / "graviton")
    for folder in (x86, graviton):
        (folder / "model-env.lock").unlink(missing_ok=True)
    cluster = '\n[targets.databricks]\nlibraries-dir = "/Volumes/ml/default/libs"\nrequirements-library = true\n'
    with (graviton / "model-env.toml").open("a", encoding="utf-8") as f:
        f.write(cluster + '[targets.databricks.cluster]\nnode-type = "m6gd.xlarge"\n')
    for folder in (x86, graviton):
        r = run_cli("lock", str(folder))
        assert r.code == 0, r.err
        assert "SPC607" not in r.err and "SPC608" not in r.err
    assert read_lock(x86 / "model-env.lock").python.platforms == ["x86_64-manylinux_2_28"]
    lock = read_lock(graviton / "model-env.lock")
    assert lock.python.platforms == ["x86_64-manylinux_2_28", "aarch64-manylinux_2_28"]
    numpy_x86 = next(p for p in read_lock(x86 / "model-env.lock").python.packages if p.name == "numpy")
    numpy_both = next(p for p in lock.python.packages if p.name == "numpy")
    assert numpy_both.version == numpy_x86.version and not numpy_both.platforms
    # uv lists every file of the version whatever the platform: the same entry serves both
    # (test_lock_platform_targets.py proves per-platform files with a local index)
    assert set(numpy_both.hashes) == set(numpy_x86.hashes)
    assert run_cli("lock", "--check", str(graviton)).code == 0
    out = tmp_path / "dbx"
    r = run_cli("render", "--target", "databricks", "--locked", "--out", str(out), str(graviton))
    assert r.code == 0, r.err
    assert f"numpy=={numpy_both.version} --hash=" in (out / "requirements.txt").read_text(encoding="utf-8")
    r = run_cli("sbom", "--locked", "--target", "databricks", "--out", str(tmp_path / "sbom.json"), str(graviton))
    assert r.code == 0, r.err


def test_an_explicit_platform_list_has_one_order_whatever_the_flags(tmp_path: Path) -> None:
    """`--platform linux-aarch64 --platform linux-64` and the other order gave two different
    locks (platforms in flag order; the pylock export takes the first): x86_64 first, always."""
    import specc
    from specc.lock import lock_platforms

    spec = specc.api.check(EXAMPLES / "sklearn-basic" / "model-env.toml", targets=()).spec
    assert spec is not None
    one, _ = lock_platforms(spec, asked=["linux-aarch64", "linux-64"])
    two, _ = lock_platforms(spec, asked=["linux-64", "linux-aarch64"])
    assert one == two == ["x86_64-manylinux_2_28", "aarch64-manylinux_2_28"]
    kept, _ = lock_platforms(spec, previous=["aarch64-manylinux_2_28"], asked=["linux-64"])
    assert kept == ["aarch64-manylinux_2_28", "x86_64-manylinux_2_28"]  # a re-lock keeps the lock's order


def test_uv_boolean_variables_are_read_as_uv_reads_them() -> None:
    from specc.lockahead import env_flag

    for on in ("1", "t", "TRUE", "y", "Yes", "on"):
        assert env_flag("UV_OFFLINE", {"UV_OFFLINE": on}), on
    for off in ("", "0", "f", "false", "n", "no", "off"):
        assert not env_flag("UV_OFFLINE", {"UV_OFFLINE": off}), off
