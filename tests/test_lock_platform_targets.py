"""A fresh ``specc lock`` resolves the platforms the spec's targets need (docs/lock.md, "Platforms").

Real ``uv pip compile`` runs against a local index (tests/infra/pypi_index.py) whose packages
have platform-specific wheels: ``onlyx`` 1.0 has an x86_64 wheel only and ``onlyx`` 2.0 an
aarch64 wheel only, so the two platforms resolve to different files, each with its own hash;
``platpkg`` 1.0 has one wheel per platform (one entry, both hashes).  A Graviton cluster, a
linux/arm64 image, ``--platform``, re-locking, ``lock --check`` and determinism.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import specc
from specc.lock import implied_requirements, lock_platforms
from specc.lockfile import (
    COMPILE_PLATFORM,
    LockedPythonPackage,
    check_lock,
    platform_needs,
    read_lock,
    required_platforms,
    target_platform,
)
from tests.helpers import run_cli
from tests.infra.pypi_index import PypiIndex, build_tiny_wheel

X86 = "x86_64-manylinux_2_28"
ARM = "aarch64-manylinux_2_28"
_TAG = {X86: "manylinux_2_28_x86_64", ARM: "manylinux_2_28_aarch64"}


def _platform_wheel(dest: Path, name: str, version: str, platform: str) -> Path:
    """A tiny wheel of ``name`` tagged for ``platform`` only (its content names the platform, so
    every platform's file has its own sha256)."""
    built = build_tiny_wheel(dest / "build" / platform, name, version, module_code=f"PLATFORM = {platform!r}\n")
    target = dest / f"{name}-{version}-py3-none-{_TAG[platform]}.whl"
    shutil.move(built, target)
    return target


def _sha(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


class Index:
    """The local index: its URL and the files it serves, by name."""

    def __init__(self, idx: PypiIndex, files: dict[str, Path]) -> None:
        self.url = idx.url
        self.idx = idx
        self.files = files


@pytest.fixture
def index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pypi_index_factory: Callable[..., PypiIndex]
) -> Callable[[str], Index]:
    """``index(mlflow_version)``: a started local index with ``onlyx``, ``platpkg`` and a stand-in
    of the model's ``mlflow==`` pin (the only index the spec names must serve it)."""
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))  # the index's pages, not the user's cache

    def make(mlflow_version: str) -> Index:
        wheels = tmp_path / "wheels"
        files = {
            "onlyx-1.0-x86": _platform_wheel(wheels, "onlyx", "1.0", X86),
            "onlyx-2.0-arm": _platform_wheel(wheels, "onlyx", "2.0", ARM),
            "platpkg-x86": _platform_wheel(wheels, "platpkg", "1.0", X86),
            "platpkg-arm": _platform_wheel(wheels, "platpkg", "1.0", ARM),
        }
        build_tiny_wheel(wheels, "mlflow", mlflow_version)
        shutil.rmtree(wheels / "build")
        return Index(pypi_index_factory(wheels), files)

    return make


def _spec(folder: Path, url: str, targets: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model-env.toml"
    path.write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n'
        f'[python]\nrequirements = ["platpkg==1.0", "onlyx>=1"]\nindex-url = "{url}"\n' + targets,
        encoding="utf-8",
    )
    return path


def _mlflow_version(folder: Path) -> str:
    """The version of the model's implied ``mlflow==`` pin for this spec (the runtime's MLflow)."""
    pins = [line for line in implied_requirements(specc.load(folder / "model-env.toml")) if line.startswith("mlflow==")]
    assert len(pins) == 1, pins
    return pins[0].split("==", 1)[1]


def _cluster(node: str, *, requirements_library: bool = False) -> str:
    """[targets.databricks] with a job cluster of ``node`` (a Databricks render needs libraries-dir)."""
    lib = "requirements-library = true\n" if requirements_library else ""
    return (
        f'[targets.databricks]\nlibraries-dir = "/Volumes/ml/default/libs"\n{lib}'
        f'[targets.databricks.cluster]\nnode-type = "{node}"\n'
    )


GRAVITON = _cluster("m6gd.xlarge", requirements_library=True)


def _locked(folder: Path) -> dict[str, LockedPythonPackage]:
    lock = read_lock(folder / "model-env.lock")
    return {f"{p.name}=={p.version}": p for p in lock.python.packages}


def _codes(err: str) -> list[str]:
    return re.findall(r"(?:warning|error)\[(SPC6\d\d)\]", err)  # the lock's (validation warns about onlyx>=1)


# --- the platforms a spec needs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "needed"),
    [
        ("", [X86]),
        (GRAVITON, [X86, ARM]),
        (_cluster("t2a-standard-4"), [X86, ARM]),
        (_cluster("i3.xlarge"), [X86]),
        ('[targets.docker]\nplatform = "linux/arm64"\n', [X86, ARM]),
        ('[targets.docker]\nplatform = "linux/arm64/v8"\n', [X86, ARM]),
        ('[targets.docker]\nplatform = "linux/amd64"\n', [X86]),
        ('[targets.docker]\nplatform = "linux/ppc64le"\n', [X86]),  # uv has no resolution for it: SPC609
    ],
)
def test_required_platforms(targets: str, needed: list[str], tmp_path: Path) -> None:
    spec = specc.load(_spec(tmp_path / "m", "https://pypi.org/simple", targets))
    assert required_platforms(spec) == needed
    # one source of truth: each need is what --locked on that target checks
    for need in platform_needs(spec):
        assert (need.platform, need.path) == target_platform(spec, need.target)


def test_serverless_runs_x86_whatever_the_cluster_says(tmp_path: Path) -> None:
    """A serverless job has no cluster: a Graviton node type left in the spec needs nothing."""
    path = _spec(tmp_path / "sl", "https://pypi.org/simple", GRAVITON)
    text = path.read_text(encoding="utf-8").replace('python = "3.11"', 'python = "3.12"\ndatabricks = "serverless-v3"')
    path.write_text(text, encoding="utf-8")
    spec = specc.load(path)
    assert required_platforms(spec) == [X86]
    assert target_platform(spec, "databricks") == (X86, ("runtime", "databricks"))
    assert platform_needs(spec)[-1].describe() == (
        '`render --target databricks --locked` needs x86_64-manylinux_2_28 (runtime.databricks = "serverless-v3")'
    )


_NODES = st.sampled_from(["i3.xlarge", "m6gd.xlarge", "c7gn.2xlarge", "r8g.large", "g5.xlarge", "t2a-standard-8", None])
_DOCKER = st.sampled_from(["linux/amd64", "linux/arm64", "linux/arm64/v8", "linux/amd64/v3", "linux/s390x", None])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(node=_NODES, docker=_DOCKER)
def test_required_platforms_cover_every_target_once(node: str | None, docker: str | None, tmp_path: Path) -> None:
    """For any node type and image platform: compile's first, every resolvable target platform
    present exactly once, nothing else; and the choice is stable."""
    targets = ""
    if docker:
        targets += f'[targets.docker]\nplatform = "{docker}"\n'
    if node:
        targets += _cluster(node)
    folder = tmp_path / f"m-{node}-{(docker or '').replace('/', '_')}"
    spec = specc.load(_spec(folder, "https://pypi.org/simple", targets))
    got = required_platforms(spec)
    assert got[0] == COMPILE_PLATFORM
    assert len(got) == len(set(got))
    wanted = {target_platform(spec, t)[0] for t in ("mlflow", "docker", "databricks")}
    assert set(got) == {p for p in wanted if "/" not in p}
    assert required_platforms(spec) == got
    platforms, diags = lock_platforms(spec)
    assert platforms == got
    assert [d.code for d in diags] == (["SPC609"] if docker == "linux/s390x" else [])


# --- real resolutions ------------------------------------------------------------------------------


def test_graviton_spec_locks_both_platforms_and_renders_locked(index: Callable[[str], Index], tmp_path: Path) -> None:
    folder = tmp_path / "graviton"
    _spec(folder, "http://placeholder/simple", GRAVITON)
    idx = index(_mlflow_version(folder))
    _spec(folder, idx.url, GRAVITON)

    r = run_cli("lock", str(folder))  # no --platform
    assert r.code == 0, r.err
    assert "SPC607" not in r.err and "SPC608" not in r.err
    lock = read_lock(folder / "model-env.lock")
    assert lock.python.platforms == [X86, ARM]
    pkgs = _locked(folder)
    # each platform resolved to its own file, with that file's hash only
    assert pkgs["onlyx==1.0"].platforms == [X86] and pkgs["onlyx==1.0"].hashes == [_sha(idx.files["onlyx-1.0-x86"])]
    assert pkgs["onlyx==2.0"].platforms == [ARM] and pkgs["onlyx==2.0"].hashes == [_sha(idx.files["onlyx-2.0-arm"])]
    # the same version on both: one entry with both platforms' files
    assert pkgs["platpkg==1.0"].platforms == []
    assert pkgs["platpkg==1.0"].hashes == sorted({_sha(idx.files["platpkg-x86"]), _sha(idx.files["platpkg-arm"])})

    assert run_cli("lock", "--check", str(folder)).code == 0
    out = tmp_path / "dbx"
    r = run_cli("render", "--target", "databricks", "--locked", "--out", str(out), str(folder))
    assert r.code == 0, r.err
    req = (out / "requirements.txt").read_text(encoding="utf-8")
    assert f"onlyx==2.0 --hash={_sha(idx.files['onlyx-2.0-arm'])}" in req  # the cluster's (aarch64) file
    assert "onlyx==1.0" not in req
    # compile (MLflow: linux x86_64) takes the x86_64 pins from the same lock
    mlf = tmp_path / "mlflow"
    r = run_cli("compile", "--locked", "--out", str(mlf), str(folder))
    assert r.code == 0, r.err
    reqs = (mlf / "requirements.txt").read_text(encoding="utf-8")
    assert "onlyx==1.0" in reqs and "onlyx==2.0" not in reqs


def test_docker_arm64_spec_locks_the_image_platform(index: Callable[[str], Index], tmp_path: Path) -> None:
    targets = '[targets.docker]\nplatform = "linux/arm64"\n'
    folder = tmp_path / "arm-image"
    _spec(folder, "http://placeholder/simple", targets)
    idx = index(_mlflow_version(folder))
    _spec(folder, idx.url, targets)
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert read_lock(folder / "model-env.lock").python.platforms == [X86, ARM]
    ctx = tmp_path / "ctx"
    r = run_cli("render", "--target", "docker", "--locked", "--out", str(ctx), str(folder))
    assert r.code == 0, r.err
    installed = "".join(p.read_text(encoding="utf-8") for p in ctx.rglob("*.txt"))
    assert f"onlyx==2.0 --hash={_sha(idx.files['onlyx-2.0-arm'])}" in installed
    assert "onlyx==1.0" not in installed


def test_explicit_platform_wins_and_check_says_what_is_missing(index: Callable[[str], Index], tmp_path: Path) -> None:
    folder = tmp_path / "explicit"
    _spec(folder, "http://placeholder/simple", GRAVITON)
    idx = index(_mlflow_version(folder))
    _spec(folder, idx.url, GRAVITON)
    r = run_cli("lock", "--platform", "linux-aarch64", str(folder))  # a fresh lock: exactly what was asked
    assert r.code == 0, r.err
    assert read_lock(folder / "model-env.lock").python.platforms == [ARM]
    assert _codes(r.err) == ["SPC608"]  # compile (and the default linux/amd64 image) need x86_64
    assert "`compile --locked` needs x86_64-manylinux_2_28" in r.err
    assert set(_locked(folder)) >= {"onlyx==2.0", "platpkg==1.0"} and "onlyx==1.0" not in _locked(folder)

    r = run_cli("lock", "--check", "--format", "json", str(folder))
    assert r.code == 1
    (d,) = [d for d in json.loads(r.out)["diagnostics"] if d["code"].startswith("SPC6")]
    assert d["code"] == "SPC613" and "platforms (" in d["message"]
    assert "`compile --locked` needs x86_64-manylinux_2_28" in d["message"]
    assert d["hint"] == "`specc lock` adds x86_64-manylinux_2_28 and keeps the platforms already locked"
    r = run_cli("compile", "--locked", "--out", str(tmp_path / "o"), str(folder))
    assert r.code != 0 and "SPC620" in r.err
    # --strict: the warning is a failure and nothing is written
    before = (folder / "model-env.lock").read_bytes()
    r = run_cli("lock", "--strict", "--replace-platforms", "--platform", "linux/arm64", str(folder))
    assert r.code == 1 and (folder / "model-env.lock").read_bytes() == before


def test_relock_keeps_the_locks_platforms_and_adds_what_a_target_now_needs(
    index: Callable[[str], Index], tmp_path: Path
) -> None:
    x86_cluster = GRAVITON.replace("m6gd.xlarge", "i3.xlarge")
    folder = tmp_path / "relock"
    _spec(folder, "http://placeholder/simple", x86_cluster)
    idx = index(_mlflow_version(folder))
    spec_path = _spec(folder, idx.url, x86_cluster)
    assert run_cli("lock", str(folder)).code == 0
    assert read_lock(folder / "model-env.lock").python.platforms == [X86]

    # the cluster moves to Graviton: only the target changed, no dependency hash did
    spec_path.write_text(spec_path.read_text(encoding="utf-8").replace("i3.xlarge", "m6gd.xlarge"), encoding="utf-8")
    r = run_cli("lock", "--check", str(folder))
    assert r.code == 1
    assert _codes(r.err) == ["SPC613"]
    assert (
        "is stale: platforms (`render --target databricks --locked` needs aarch64-manylinux_2_28 "
        '(targets.databricks.cluster.node-type = "m6gd.xlarge"); the lock has x86_64-manylinux_2_28)'
    ) in r.err
    r = run_cli("render", "--target", "databricks", "--locked", "--out", str(tmp_path / "o"), str(folder))
    assert r.code != 0 and "SPC620" in r.err
    assert run_cli("compile", "--locked", "--out", str(tmp_path / "c"), str(folder)).code == 0  # x86_64 still there

    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert _codes(r.err) == ["SPC607"]
    assert "added aarch64-manylinux_2_28 to the lock's platforms (x86_64-manylinux_2_28)" in r.err
    assert read_lock(folder / "model-env.lock").python.platforms == [X86, ARM]
    assert run_cli("lock", "--check", str(folder)).code == 0
    # asked for explicitly: no warning; and a plain re-lock keeps both, silently
    r = run_cli("lock", str(folder))
    assert r.code == 0 and _codes(r.err) == []
    # back to an x86 cluster: the lock keeps aarch64 (re-locking never drops a platform) ...
    spec_path.write_text(spec_path.read_text(encoding="utf-8").replace("m6gd.xlarge", "i3.xlarge"), encoding="utf-8")
    assert run_cli("lock", str(folder)).code == 0
    assert read_lock(folder / "model-env.lock").python.platforms == [X86, ARM]
    # ... until --replace-platforms alone locks just what the targets need
    assert run_cli("lock", "--replace-platforms", str(folder)).code == 0
    assert read_lock(folder / "model-env.lock").python.platforms == [X86]


def test_fresh_locks_are_byte_identical(index: Callable[[str], Index], tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _spec(a, "http://placeholder/simple", GRAVITON)
    idx = index(_mlflow_version(a))
    for folder in (a, b):
        _spec(folder, idx.url, GRAVITON)
        assert run_cli("lock", str(folder)).code == 0
    assert (a / "model-env.lock").read_bytes() == (b / "model-env.lock").read_bytes()
    assert run_cli("lock", str(a)).code == 0  # re-locking the same spec changes nothing
    assert (a / "model-env.lock").read_bytes() == (b / "model-env.lock").read_bytes()


def test_unresolvable_image_platform_is_said_not_passed_to_uv(index: Callable[[str], Index], tmp_path: Path) -> None:
    targets = '[targets.docker]\nplatform = "linux/ppc64le"\n'
    folder = tmp_path / "ppc"
    _spec(folder, "http://placeholder/simple", targets)
    idx = index(_mlflow_version(folder))
    _spec(folder, idx.url, targets)
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert _codes(r.err) == ["SPC609"]
    assert read_lock(folder / "model-env.lock").python.platforms == [X86]
    assert run_cli("lock", "--check", str(folder)).code == 0  # nothing lockable is missing
    r = run_cli("render", "--target", "docker", "--locked", "--out", str(tmp_path / "ctx"), str(folder))
    assert r.code != 0 and "SPC620" in r.err and "uv cannot resolve for" in r.err


def test_check_lock_reports_nothing_for_a_complete_lock(index: Callable[[str], Index], tmp_path: Path) -> None:
    folder = tmp_path / "api"
    _spec(folder, "http://placeholder/simple", GRAVITON)
    idx = index(_mlflow_version(folder))
    _spec(folder, idx.url, GRAVITON)
    assert run_cli("lock", str(folder)).code == 0
    spec = specc.load(folder / "model-env.toml")
    lock = read_lock(folder / "model-env.lock")
    assert check_lock(lock, spec, "model-env.lock") is None
    x86_only = lock.model_copy(update={"python": lock.python.model_copy(update={"platforms": [X86]})})
    err = check_lock(x86_only, spec, "model-env.lock")
    assert err is not None and err.code == "SPC613" and "aarch64-manylinux_2_28" in str(err)


def test_lock_spec_api_defaults_to_the_targets_platforms(index: Callable[[str], Index], tmp_path: Path) -> None:
    """`specc.lock.lock_spec(spec)` (no platforms) resolves what a fresh `specc lock` does."""
    from specc.lock import lock_spec

    folder = tmp_path / "api-default"
    _spec(folder, "http://placeholder/simple", GRAVITON)
    idx = index(_mlflow_version(folder))
    spec = specc.load(_spec(folder, idx.url, GRAVITON))
    lock = lock_spec(spec).lock
    assert lock.python.platforms == [X86, ARM]
    assert {f"{p.name}=={p.version}": p.platforms for p in lock.python.packages if p.name == "onlyx"} == {
        "onlyx==1.0": [X86],
        "onlyx==2.0": [ARM],
    }
