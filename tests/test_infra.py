# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)
"""Proof that the shared real-consumer fixtures in tests/infra really work.

Each test drives the real consumer (pip, Ivy, R, a chroot, buildah) against the fixture, so a
product test that uses the fixture can trust a pass or a failure.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.infra import rootfs
from tests.infra.buildah import BASE_TAG, Buildah, free_port, sweep_stale_workdirs
from tests.infra.conftest_fixtures import (  # noqa: F401
    base_image,
    base_rootfs,
    buildah,
    cran_repo,
    databricks_rootfs,
    maven_repo,
    pypi_index_factory,
    rootfs_copy,
    tiny_wheels_dir,
)
from tests.infra.cran_repo import CranRepo
from tests.infra.maven_repo import MavenRepo, ivy_retrieve
from tests.infra.pypi_index import build_tiny_wheel, isolated_pip_env

CANARY = "s3cr3t-canary-7f3a9"
REPO = Path(__file__).resolve().parents[1]


def _pip_install(index_url: str, target: Path, *reqs: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--isolated",
            "install",
            "--no-cache-dir",
            "--index-url",
            index_url,
            "--target",
            str(target),
            *reqs,
        ],
        capture_output=True,
        text=True,
        env=isolated_pip_env(),
        timeout=120,
        check=False,
    )


def _no_mounts_under(path: Path) -> bool:
    """True if nothing is mounted strictly below ``path`` (``path`` itself may be the overlay
    mount of the ``rootfs_copy`` fixture)."""
    p = str(path.resolve())
    return not any(line.split()[1].startswith(p + "/") for line in Path("/proc/self/mounts").read_text().splitlines())


# -- PyPI --------------------------------------------------------------------------------------
def test_tiny_wheel_is_deterministic_and_record_is_valid(tmp_path: Path) -> None:
    a = build_tiny_wheel(tmp_path / "a", "Tiny_Pkg", "1.2.3", requires=["six"])
    b = build_tiny_wheel(tmp_path / "b", "Tiny_Pkg", "1.2.3", requires=["six"])
    assert a.name == "Tiny_Pkg-1.2.3-py3-none-any.whl"
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        record = zf.read("Tiny_Pkg-1.2.3.dist-info/RECORD").decode().splitlines()
        assert "Requires-Dist: six" in zf.read("Tiny_Pkg-1.2.3.dist-info/METADATA").decode()
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            if path.endswith("RECORD"):
                continue
            data = zf.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode()
            assert int(size) == len(data)


def test_pypi_index_demands_basic_auth(pypi_index_factory, tmp_path: Path) -> None:
    idx = pypi_index_factory(username="__token__", password=CANARY)
    assert "@" not in idx.url and idx.url.startswith("http://127.0.0.1:")

    ok = _pip_install(idx.url_with_auth, tmp_path / "ok", "tinypkg==0.1.0")
    assert ok.returncode == 0, ok.stderr
    out = subprocess.run(
        [sys.executable, "-c", "import tinypkg; print(tinypkg.VERSION, tinypkg.twice(21))"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "ok")},
    )
    assert out.stdout.split() == ["0.1.0", "42"]

    denied = _pip_install(idx.url, tmp_path / "denied", "tinypkg")
    assert denied.returncode != 0
    assert not (tmp_path / "denied" / "tinypkg").exists()

    wrong = idx.url_with_auth.replace(CANARY, "wrong")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(wrong.replace("__token__:wrong@", "") + "/tinypkg/")
    assert err.value.code == 401
    assert err.value.headers["WWW-Authenticate"].startswith("Basic")
    assert ("GET", "/simple/tinypkg/", False) in idx.requests


def test_pypi_index_without_auth_serves_latest(pypi_index_factory, tmp_path: Path) -> None:
    idx = pypi_index_factory()
    res = _pip_install(idx.url, tmp_path / "t", "TinyPkg")  # non-normalised name
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "t" / "tinypkg-0.2.0.dist-info").is_dir()


# -- Maven + Ivy ---------------------------------------------------------------------------------
def test_ivy_resolves_transitively_with_exclusion(maven_repo: MavenRepo, tmp_path: Path) -> None:
    res = ivy_retrieve(
        [maven_repo.url],
        ["com.example:app:1.0"],
        tmp_path / "excl",
        exclusions=["org.slf4j:slf4j-api"],
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert sorted(p.name for p in (tmp_path / "excl").iterdir()) == ["app-1.0.jar", "lib-2.0.jar"]

    res = ivy_retrieve([maven_repo.url], ["com.example:app:1.0"], tmp_path / "all")
    assert res.returncode == 0, res.stdout + res.stderr
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [
        "app-1.0.jar",
        "lib-2.0.jar",
        "slf4j-api-1.7.36.jar",
    ]
    # The jars are real: the class runs.
    run = subprocess.run(
        ["java", "-cp", str(tmp_path / "all" / "lib-2.0.jar"), "com.example.lib.Lib"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip() == "com.example:lib:2.0"


# -- CRAN ----------------------------------------------------------------------------------------
def test_cran_repo_serves_index_current_and_archived(cran_repo: CranRepo, tmp_path: Path) -> None:
    packages = urllib.request.urlopen(f"{cran_repo.url}/src/contrib/PACKAGES").read().decode()
    assert "Package: tinypkg\nVersion: 0.2.0\n" in packages
    for version, url in [
        ("0.2.0", cran_repo.tarball_url("tinypkg", "0.2.0")),
        ("0.1.0", cran_repo.archive_url("tinypkg", "0.1.0")),
    ]:
        dest = tmp_path / f"{version}.tar.gz"
        dest.write_bytes(urllib.request.urlopen(url).read())
        with tarfile.open(dest) as tar:
            desc = tar.extractfile("tinypkg/DESCRIPTION").read().decode()  # type: ignore[union-attr]
            assert f"Version: {version}" in desc
            assert "export(twice)" in tar.extractfile("tinypkg/NAMESPACE").read().decode()  # type: ignore[union-attr]


# -- chroot --------------------------------------------------------------------------------------
@pytest.mark.slow
def test_chroot_has_clean_env_and_leaves_nothing_mounted(rootfs_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECC_HOST_LEAK", "leaked")
    res = rootfs.run_in_chroot(
        rootfs_copy,
        ["sh", "-c", "env; test -e /proc/self/status && test -c /dev/null && echo mounted-ok"],
        env={"EXTRA": "1"},
    )
    assert res.returncode == 0, res.stderr
    assert "SPECC_HOST_LEAK" not in res.stdout
    assert "EXTRA=1" in res.stdout and "mounted-ok" in res.stdout
    assert "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" in res.stdout
    assert _no_mounts_under(rootfs_copy)
    assert (rootfs.base_rootfs() / ".specc-rootfs-version").is_file()


def test_overlay_rootfs_is_writable_and_leaves_master_untouched(base_rootfs: Path, tmp_path: Path) -> None:
    master_bin = sorted(p.name for p in (base_rootfs / "usr/bin").iterdir())
    with rootfs.overlay_rootfs(tmp_path / "ovl", base_rootfs) as root:
        res = rootfs.run_in_chroot(root, ["sh", "-c", "echo hi > /etc/specc-marker && rm /usr/bin/dpkg && echo done"])
        assert res.returncode == 0, res.stderr
        assert (root / "etc/specc-marker").read_text() == "hi\n"
        assert not (root / "usr/bin/dpkg").exists()
    assert _no_mounts_under(tmp_path)  # the overlay itself is gone too
    assert not (base_rootfs / "etc/specc-marker").exists()
    assert sorted(p.name for p in (base_rootfs / "usr/bin").iterdir()) == master_bin


def test_chroot_timeout_kills_background_processes(rootfs_copy: Path) -> None:
    marker = "sleep 317"  # an unusual duration to find the process by
    with pytest.raises(subprocess.TimeoutExpired):
        rootfs.run_in_chroot(rootfs_copy, ["sh", "-c", f"{marker} & {marker}"], timeout=1.5)
    time.sleep(0.3)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert marker not in ps


@pytest.mark.slow
def test_databricks_layout_installs_from_authenticated_index(databricks_rootfs: Path, pypi_index_factory) -> None:
    """The chroot shares the host network: it reaches a 127.0.0.1 index and the Debian mirror."""
    idx = pypi_index_factory(username="__token__", password=CANARY)
    assert (databricks_rootfs / "databricks/jars").is_dir()
    script = (
        "set -eu\n"
        f"/databricks/python/bin/pip install --isolated --no-cache-dir -q "
        f"--index-url {idx.url_with_auth} tinypkg==0.2.0\n"
        "/databricks/python/bin/python -c 'import tinypkg; print(tinypkg.VERSION)'\n"
        "apt-get update -qq && echo apt-ok\n"
    )
    res = rootfs.run_in_chroot(databricks_rootfs, ["bash", "-c", script], timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.split()[-2:] == ["0.2.0", "apt-ok"]
    assert _no_mounts_under(databricks_rootfs)


@pytest.mark.slow
def test_r_installs_tinypkg_from_cran_fixture(rootfs_copy: Path, cran_repo: CranRepo) -> None:
    rootfs.install_r_in_rootfs(rootfs_copy)
    r = (
        f'install.packages("tinypkg", repos="{cran_repo.url}", type="source", quiet=TRUE);'
        f'install.packages("{cran_repo.archive_url("tinypkg", "0.1.0")}", repos=NULL,'
        ' type="source", lib="/tmp/old", quiet=TRUE);'
        'library(tinypkg); cat(twice(21), tinypkg_version(), "\\n");'
        'cat(as.character(packageVersion("tinypkg", lib.loc="/tmp/old")), "\\n")'
    )
    res = rootfs.run_in_chroot(rootfs_copy, ["sh", "-c", f"mkdir -p /tmp/old && Rscript -e '{r}'"])
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.split()[-3:] == ["42", "0.2.0", "0.1.0"]


# -- buildah -------------------------------------------------------------------------------------
@pytest.mark.slow
def test_buildah_layer_cache_and_secret_never_in_layers(buildah: Buildah, base_image: str, tmp_path: Path) -> None:
    assert base_image == BASE_TAG
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(
        f"FROM {BASE_TAG}\n"
        "RUN --mount=type=secret,id=tok cat /run/secrets/tok > /dev/null && python3 -c 'print(1)'\n"
        "COPY f /f\n"
    )
    (ctx / "f").write_text("first-content\n")
    secret = tmp_path / "tok"
    secret.write_text(CANARY)

    first = buildah.bud(ctx, "localhost/infra-test:1", secrets={"tok": secret}).check()
    assert first.cached_steps() == []
    (ctx / "f").write_text("second-content\n")
    second = buildah.bud(ctx, "localhost/infra-test:1", secrets={"tok": secret}).check()
    assert second.step_cached("RUN --mount=type=secret")
    assert not second.step_cached("COPY f /f")

    found = buildah.find_in_image("localhost/infra-test:1", [CANARY, "second-content"])
    assert found == {CANARY.encode(): False, b"second-content": True}  # positive control
    assert buildah.run("localhost/infra-test:1", ["cat", "/f"]).stdout == "second-content\n"


@pytest.mark.slow
def test_buildah_server_answers_on_localhost(buildah: Buildah, base_image: str) -> None:
    port = free_port()
    with buildah.start_server(
        base_image,
        ["python3", "-m", "http.server", "--bind", "127.0.0.1", str(port), "--directory", "/etc"],
        port,
    ) as server:
        body = urllib.request.urlopen(f"{server.url}/os-release", timeout=5).read().decode()
        assert "bookworm" in body
    assert server.proc.returncode is not None
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{server.url}/os-release", timeout=2)


def test_stale_buildah_storage_is_swept_and_unmounted(tmp_path: Path) -> None:
    stale = Path(tempfile.mkdtemp(prefix="specc-buildah-", dir="/var/tmp"))
    dead = subprocess.Popen(["true"])
    dead.wait()
    (stale / "owner.pid").write_text(f"{dead.pid}\n")
    (stale / "storage").mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(stale / "storage")], check=True)
    live = Path(tempfile.mkdtemp(prefix="specc-buildah-", dir="/var/tmp"))
    (live / "owner.pid").write_text(f"{os.getpid()}\n")
    try:
        assert stale in sweep_stale_workdirs()
        assert not stale.exists() and live.exists()
        assert _no_mounts_under(stale)
    finally:
        subprocess.run(["umount", "-l", str(stale / "storage")], capture_output=True, check=False)
        shutil.rmtree(stale, ignore_errors=True)
        shutil.rmtree(live, ignore_errors=True)


# -- CI script -----------------------------------------------------------------------------------
def test_install_script_is_clean_shell_and_idempotent() -> None:
    script = REPO / ".ci/install-system-deps.sh"
    subprocess.run(["shellcheck", str(script)], check=True)
    res = subprocess.run([str(script)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
