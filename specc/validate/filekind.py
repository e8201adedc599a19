"""Whether a private package file is what its name says: the first bytes, not the suffix.

A ``.deb`` must be an ar archive, a ``.whl`` or ``.jar`` a zip archive, an R source
package (``.tar.gz``) a gzip-compressed tar archive.  A file that only carries the name
(an HTML error page saved by a failed download, a Git LFS pointer, a truncated copy)
would otherwise pass validation and fail at install time, on the cluster or in the
image build.

Sources of the facts:

* ar: the ``!<arch>\\n`` global header (``deb(5)``: "The file is an ar archive with a
  magic value of ``!<arch>``"; ``ar(5)``);
* zip: PKWARE APPNOTE.TXT (local file header ``PK\\x03\\x04``, end of central directory
  ``PK\\x05\\x06``), checked with :func:`zipfile.is_zipfile`, which finds the end of the
  central directory record (a wheel is a zip: PEP 427; a jar is a zip: the JAR File
  Specification);
* gzip: RFC 1952 (``ID1 ID2`` = ``0x1f 0x8b``); tar: POSIX ustar, read with
  :mod:`tarfile` (its first member header must parse; ``R CMD build`` writes a gzip'd tar).
"""

from __future__ import annotations

from pathlib import Path

AR_MAGIC = b"!<arch>\n"
GZIP_MAGIC = b"\x1f\x8b"
# a Git LFS pointer file starts with this line (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md)
LFS_POINTER = b"version https://git-lfs.github.com/spec/"


def content_problem(path: Path, suffix: str) -> str | None:
    """Why the file at ``path`` is not what ``suffix`` (``.deb``, ``.whl``, ``.jar``,
    ``.tar.gz``) says, or None when its content fits.  OSError propagates (the caller
    reports unreadable files)."""
    with path.open("rb") as f:
        head = f.read(64)
    if head.startswith(LFS_POINTER):
        return "is a Git LFS pointer, not the file itself"
    if not head:
        return "is empty"
    if suffix == ".deb":
        return None if head.startswith(AR_MAGIC) else 'is not an ar archive (a .deb starts with "!<arch>")'
    import tarfile  # only for files the spec names (start-up stays light)
    import zipfile

    if suffix in (".whl", ".jar"):
        return None if zipfile.is_zipfile(path) else "is not a zip archive"
    if suffix == ".tar.gz":
        if not head.startswith(GZIP_MAGIC):
            return "is not gzip-compressed"
        try:
            with tarfile.open(path, mode="r:gz") as tar:
                first = tar.next()
        except (tarfile.TarError, EOFError, OSError):
            return "is not a gzip-compressed tar archive"
        return None if first is not None else "is an empty tar archive"
    return None
