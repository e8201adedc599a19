"""Session-scoped pytest fixtures over the real-consumer test infrastructure.

Import them into a conftest with ``from tests.infra.conftest_fixtures import *`` (the names in
``__all__`` are exported). Every fixture starts real things (HTTP servers on 127.0.0.1, a
buildah storage, a debootstrap rootfs) and tears them down at the end of the session.

Under pytest-xdist each worker gets its own session, hence its own buildah storage and servers;
the debootstrap rootfs is shared through the on-disk cache (built once, under a file lock).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.infra import rootfs as _rootfs
from tests.infra.buildah import Buildah
from tests.infra.cran_repo import CranRepo, make_cran_repo
from tests.infra.maven_repo import MavenRepo, make_maven_repo
from tests.infra.pypi_index import PypiIndex, build_tiny_wheel

__all__ = [
    "base_image",
    "base_rootfs",
    "buildah",
    "cran_repo",
    "databricks_rootfs",
    "maven_repo",
    "pypi_index_factory",
    "rootfs_copy",
    "tiny_wheels_dir",
]

PypiIndexFactory = Callable[..., PypiIndex]


@pytest.fixture(scope="session")
def base_rootfs() -> Path:
    """The cached read-only bookworm rootfs (built on first use, ~1 min). Copy before use."""
    return _rootfs.base_rootfs()


@pytest.fixture
def rootfs_copy(base_rootfs: Path, tmp_path: Path) -> Iterator[Path]:
    """A private, writable rootfs for one test: an overlay over the master when overlayfs works
    (~0.05 s), else a full copy (seconds). Unmounted/deleted afterwards."""
    if _rootfs.overlay_supported():
        with _rootfs.overlay_rootfs(tmp_path / "rootfs-overlay", base_rootfs) as root:
            yield root
        shutil.rmtree(tmp_path / "rootfs-overlay", ignore_errors=True)
    else:
        root = _rootfs.copy_rootfs(tmp_path / "rootfs", base_rootfs)
        yield root
        _rootfs.remove_rootfs(root)


@pytest.fixture
def databricks_rootfs(tmp_path: Path) -> Iterator[Path]:
    """A private rootfs with ``/databricks/python`` (a venv, so an init script's
    ``/databricks/python/bin/pip`` works) and ``/databricks/jars``; run scripts in it with
    :func:`tests.infra.rootfs.run_in_chroot`. Overlay over a cached tree when possible."""
    master = _rootfs.databricks_base_rootfs()
    if _rootfs.overlay_supported():
        with _rootfs.overlay_rootfs(tmp_path / "dbx-overlay", master) as root:
            yield root
        shutil.rmtree(tmp_path / "dbx-overlay", ignore_errors=True)
    else:
        root = _rootfs.copy_rootfs(tmp_path / "dbx-rootfs", master)
        yield root
        _rootfs.remove_rootfs(root)


@pytest.fixture(scope="session")
def buildah() -> Iterator[Buildah]:
    """A :class:`Buildah` with private overlay storage for the whole session."""
    b = Buildah()
    try:
        yield b
    finally:
        b.cleanup()
        if not os.environ.get("PYTEST_XDIST_WORKER"):
            # Shared by every build on the machine: only a non-parallel session clears it, and
            # only while no other buildah runs.
            b.clear_cache_mounts()


@pytest.fixture(scope="session")
def base_image(buildah: Buildah) -> str:
    """The tag of the local base image (``localhost/specc-test-base:bookworm``): Debian bookworm
    with python3, venv, pip and the host's CAs. ``buildah.bud`` uses it as ``--from``."""
    return buildah.build_base_image()


@pytest.fixture(scope="session")
def tiny_wheels_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``tinypkg`` 0.1.0 and 0.2.0 wheels (``tinypkg.twice(x)``)."""
    d = tmp_path_factory.mktemp("wheels")
    build_tiny_wheel(d, "tinypkg", "0.1.0")
    build_tiny_wheel(d, "tinypkg", "0.2.0")
    return d


@pytest.fixture(scope="session")
def pypi_index_factory(tiny_wheels_dir: Path) -> Iterator[PypiIndexFactory]:
    """``factory(wheels_dir=None, *, username=None, password=None) -> PypiIndex`` (started).

    ``wheels_dir`` defaults to :func:`tiny_wheels_dir`. All indexes stop at session end.
    """
    started: list[PypiIndex] = []

    def factory(
        wheels_dir: Path | str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
    ) -> PypiIndex:
        idx = PypiIndex(wheels_dir or tiny_wheels_dir, username=username, password=password)
        idx.start()
        started.append(idx)
        return idx

    yield factory
    for idx in started:
        idx.close()


@pytest.fixture(scope="session")
def maven_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MavenRepo]:
    """A started Maven repository (``.url`` ends with ``/``; ``.root`` is the folder):
    ``com.example:app:1.0`` -> ``com.example:lib:2.0`` + ``org.slf4j:slf4j-api:1.7.36``."""
    root = make_maven_repo(tmp_path_factory.mktemp("maven"))
    with MavenRepo(root) as repo:
        yield repo


@pytest.fixture(scope="session")
def cran_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CranRepo]:
    """A started CRAN-like repository (``.url`` is the ``repos=`` value): ``tinypkg`` 0.2.0
    current, 0.1.0 in ``Archive/``."""
    root = make_cran_repo(tmp_path_factory.mktemp("cran"))
    with CranRepo(root) as repo:
        yield repo
