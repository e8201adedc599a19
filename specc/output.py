"""Atomic output: files and folders are either the old ones or the complete new ones.

Contract ("Output folders"): ``--out DIR`` is written to a temporary sibling
and renamed into place, and specc refuses to replace an existing folder it did
not create.  A marker file in every folder specc writes is how it knows.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MARKER = ".specc-output"
MARKER_TEXT = "This folder was written by specc; specc may replace it on the next run.\n"


class OutputError(Exception):
    """The output location cannot be written safely; the message says why and what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def check_out_dir(out: Path) -> None:
    """Refuse early (before any work) when ``out`` exists and is not specc's."""
    if out.is_symlink():
        raise OutputError(f"{out} is a symlink; refusing to write through it", "pass a real folder path")
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"{out} exists and is not a folder", "choose another --out")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise OutputError(
                f"{out} exists and was not written by specc; refusing to replace it",
                "choose a new or empty folder for --out (specc replaces only folders it created)",
            )


@contextmanager
def atomic_dir(out: Path) -> Iterator[Path]:
    """Yield a temporary sibling folder; on success it replaces ``out`` in one rename.

    On any exception the temporary folder is removed and ``out`` is untouched.
    """
    out = Path(os.path.abspath(out))
    check_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
        (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        os.chmod(tmp, 0o755)
        if out.exists():
            check_out_dir(out)  # still ours?
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            old.rmdir()
            os.rename(out, old)
            try:
                os.rename(tmp, out)
            except OSError:
                os.rename(old, out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_file_atomic(path: Path, data: str | bytes, mode: int = 0o644) -> None:
    """Write one file via a temporary sibling and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dump_json(data: object) -> str:
    """The one JSON style of every specc output: sorted keys, 2-space indent, final newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
