"""A CRAN-like repository of hand-made R source packages, served on 127.0.0.1.

Why: specc's ``[r]`` section renders ``install.packages``/``remotes::install_version`` calls for
Docker and Databricks. CRAN is unreachable here and R is not installed on the host, so the
packages are written by hand (an R source package is just DESCRIPTION, NAMESPACE and R/ files in a
tarball) and only consumed by R inside an image or a chroot (see
:func:`tests.infra.rootfs.install_r_in_rootfs`).

Layout (what ``install.packages(repos=URL, type="source")`` and
``remotes::install_version`` read)::

    src/contrib/PACKAGES, PACKAGES.gz        index of current versions
    src/contrib/tinypkg_0.2.0.tar.gz         current
    src/contrib/Archive/tinypkg/tinypkg_0.1.0.tar.gz

``src/contrib/Meta/archive.rds`` (CRAN's archive index, which ``remotes::install_version``
reads) is NOT written: it is an R serialisation and needs R. Tests of pinned versions should
install from :meth:`CranRepo.archive_url` (``install.packages(url, repos=NULL, type="source")``),
or generate ``archive.rds`` with R inside the chroot once R is installed there.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Sequence
from pathlib import Path

from tests.infra._http import StaticServer

__all__ = ["CranRepo", "make_cran_repo", "write_r_source_package"]

_MTIME = 1577836800  # 2020-01-01, for reproducible tarballs


def _description(name: str, version: str, title: str) -> str:
    return (
        f"Package: {name}\n"
        f"Version: {version}\n"
        f"Title: {title}\n"
        "Description: A tiny package used by specc's tests; it doubles numbers.\n"
        "License: MIT + file LICENSE\n"
        'Authors@R: person("specc", "tests", email = "tests@example.invalid",\n'
        '    role = c("aut", "cre"))\n'
        "Encoding: UTF-8\n"
        "NeedsCompilation: no\n"
    )


def write_r_source_package(dest_dir: Path | str, name: str = "tinypkg", version: str = "0.1.0") -> Path:
    """Write ``{name}_{version}.tar.gz`` (an R source package exporting ``twice()`` and
    ``tinypkg_version()``) into ``dest_dir``; return its path. Deterministic bytes."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "DESCRIPTION": _description(name, version, "Doubles Numbers for Tests"),
        "NAMESPACE": "export(twice)\nexport(tinypkg_version)\n",
        "LICENSE": "YEAR: 2020\nCOPYRIGHT HOLDER: specc tests\n",
        "R/twice.R": (f'twice <- function(x) 2 * x\ntinypkg_version <- function() "{version}"\n'),
    }
    out = dest_dir / f"{name}_{version}.tar.gz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for d in (name, f"{name}/R"):
            ti = tarfile.TarInfo(d)
            ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, _MTIME
            tar.addfile(ti)
        for rel, text in files.items():
            data = text.encode()
            ti = tarfile.TarInfo(f"{name}/{rel}")
            ti.size, ti.mode, ti.mtime = len(data), 0o644, _MTIME
            tar.addfile(ti, io.BytesIO(data))
    with (
        open(out, "wb") as fh,
        gzip.GzipFile(fileobj=fh, mode="wb", mtime=_MTIME, filename="") as gz,
    ):
        gz.write(buf.getvalue())
    return out


def make_cran_repo(
    root: Path | str,
    packages: Sequence[tuple[str, Sequence[str]]] = (("tinypkg", ("0.1.0", "0.2.0")),),
) -> Path:
    """Create a CRAN-like repository under ``root``.

    For each ``(name, versions)`` the last version is current (in ``src/contrib`` and
    ``PACKAGES``) and earlier ones go to ``src/contrib/Archive/<name>/``, like CRAN.
    """
    root = Path(root)
    contrib = root / "src/contrib"
    contrib.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, versions in packages:
        *old, current = list(versions)
        for v in old:
            write_r_source_package(contrib / "Archive" / name, name, v)
        write_r_source_package(contrib, name, current)
        entries.append(f"Package: {name}\nVersion: {current}\nLicense: MIT + file LICENSE\nNeedsCompilation: no\n")
    index = "\n".join(entries)
    (contrib / "PACKAGES").write_text(index)
    with (
        open(contrib / "PACKAGES.gz", "wb") as fh,
        gzip.GzipFile(fileobj=fh, mode="wb", mtime=_MTIME, filename="") as gz,
    ):
        gz.write(index.encode())
    return root


class CranRepo(StaticServer):
    """Serve a CRAN-like folder on 127.0.0.1; ``url`` is the ``repos=`` value for R."""

    @property
    def url(self) -> str:
        return self.base_url

    def tarball_url(self, name: str, version: str) -> str:
        """URL of a current package tarball (``src/contrib/<name>_<version>.tar.gz``)."""
        return f"{self.base_url}/src/contrib/{name}_{version}.tar.gz"

    def archive_url(self, name: str, version: str) -> str:
        """URL of an archived version, as ``remotes::install_version`` would build it."""
        return f"{self.base_url}/src/contrib/Archive/{name}/{name}_{version}.tar.gz"
