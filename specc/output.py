"""Atomic output: files and folders are either the old ones or the complete new ones.

Contract ("Output folders"): ``--out DIR`` is written to a temporary sibling
and renamed into place, and specc refuses to replace an existing folder it did
not create.  A marker file in every folder specc writes is how it knows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# json, shutil and tempfile are imported where they are used: `specc validate` and the
# command modules import this one for its names, and should not pay for them.

MARKER = ".specc-output"
MARKER_TEXT = "This folder was written by specc; specc may replace it on the next run.\n"


class OutputError(Exception):
    """The output location cannot be written safely; the message says why and what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _shown(path: Path) -> str:
    """``path`` for a message: as given, or shortened in the middle when very long."""
    from specc.paths import SHOWN_PATH_LIMIT, show_path

    text = os.fspath(path)
    return text if len(text) <= SHOWN_PATH_LIMIT else show_path(text)


def os_error(out: Path, exc: BaseException) -> OutputError:
    """An OS error met on the output path (too long, a symlink loop, permission, a file where
    a folder must be, a read-only file system, ...) as an :class:`OutputError`."""
    import errno

    shown = _shown(out)
    code = exc.errno if isinstance(exc, OSError) else errno.ELOOP
    reasons = {
        errno.ENAMETOOLONG: (
            "the path is too long for the file system",
            "use a shorter --out (each name at most 255 bytes, the whole path at most 4096)",
        ),
        errno.ELOOP: ("a symlink loop is in the way", "choose another --out"),
        errno.EACCES: ("permission denied", "choose a folder you can write"),
        errno.EPERM: ("operation not permitted", "choose a folder you can write"),
        errno.ENOTDIR: ("a part of the path is a file, not a folder", "choose another --out"),
        errno.EROFS: ("the file system is read-only", "choose a folder on a writable file system"),
        errno.ENOSPC: ("no space left on the device", "free some space, or choose another --out"),
    }
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    default = (detail if len(detail) <= 200 else detail[:200] + "…", None)
    reason, hint = reasons.get(code if code is not None else -1, default)
    return OutputError(f"cannot write {shown}: {reason}", hint)


def check_out_dir(out: Path) -> None:
    """Refuse early (before any work) when ``out`` exists and is not specc's, or cannot be a folder.

    Raises :class:`OutputError` (never a bare ``OSError``): a symlink, an existing file, a
    folder specc did not write, a parent that is a file, or any OS error on the path.
    """
    try:
        _check_out_dir(out)
    except (OSError, RuntimeError) as exc:
        raise os_error(out, exc) from None


def _check_out_dir(out: Path) -> None:
    if out.is_symlink():
        raise OutputError(f"{_shown(out)} is a symlink; refusing to write through it", "pass a real folder path")
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"{_shown(out)} exists and is not a folder", "choose another --out")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise OutputError(
                f"{_shown(out)} exists and was not written by specc; refusing to replace it",
                "choose a new or empty folder for --out (specc replaces only folders it created)",
            )
        return
    for parent in Path(os.path.abspath(out)).parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise OutputError(
                    f"cannot write {_shown(out)}: {_shown(parent)} is not a folder", "choose another --out"
                )
            break


@contextmanager
def atomic_dir(out: Path) -> Iterator[Path]:
    """Yield a temporary sibling folder; on success it replaces ``out`` in one rename.

    On any exception the temporary folder is removed and ``out`` is untouched; an OS error
    (writing the temporary folder or renaming it) is raised as :class:`OutputError`.
    """
    import shutil
    import tempfile

    given = out
    out = Path(os.path.abspath(out))
    check_out_dir(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise os_error(given, exc) from None
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
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise os_error(given, exc) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_file_atomic(path: Path, data: str | bytes, mode: int = 0o644) -> None:
    """Write one file via a temporary sibling and ``os.replace``.

    Raises :class:`OutputError` when the OS refuses (a parent that is a file, permission, a
    name too long, ...).
    """
    import tempfile

    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise os_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise os_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dump_json(data: object) -> str:
    """The one JSON style of every specc output: sorted keys, 2-space indent, final newline.

    Byte for byte ``json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\\n"``,
    which with an indent runs the standard library's pure-Python encoder; a spec with 100,000
    requirements puts tens of megabytes through here (bundle.yml, libraries.json, the
    environment artifact), so the common shapes (string keys; str, int, float, bool, None,
    list, tuple and dict values) are written by :func:`_indented` about 3-4x faster.  Anything
    else (a non-string key, an unknown type, a cycle) goes to ``json.dumps`` for its exact
    result or error (``TypeError``, ``ValueError``).
    """
    try:
        return _indented(data) + "\n"
    except (_NotPlain, RecursionError, TypeError):
        import json

        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class _NotPlain(Exception):
    """A value :func:`_indented` leaves to ``json.dumps``."""


def _indented(data: object) -> str:
    from json.encoder import INFINITY
    from json.encoder import encode_basestring as quote  # C-accelerated; ensure_ascii=False

    def scalar(o: Any) -> str | None:
        """JSON text of a non-container as json.dumps writes it (its type checks, in its
        order); None for a list, tuple or dict."""
        if isinstance(o, str):
            return quote(o)
        if o is None:
            return "null"
        if o is True:
            return "true"
        if o is False:
            return "false"
        if isinstance(o, int):
            return int.__repr__(o)
        if isinstance(o, float):
            if o != o:
                return "NaN"
            if o == INFINITY:
                return "Infinity"
            if o == -INFINITY:
                return "-Infinity"
            return float.__repr__(o)
        if isinstance(o, (list, tuple, dict)):
            return None
        raise _NotPlain

    out: list[str] = []
    append = out.append

    def container(o: Any, nl: str) -> None:
        inner = nl + "  "
        lead, sep = inner, "," + inner
        if isinstance(o, dict):
            if not o:
                append("{}")
                return
            append("{")
            for k in sorted(o):  # mixed key types: TypeError, as in json.dumps
                if type(k) is not str:
                    raise _NotPlain  # json.dumps's own key conversion
                v = o[k]
                text = quote(v) if type(v) is str else scalar(v)
                if text is None:
                    append(lead + quote(k) + ": ")
                    container(v, inner)
                else:
                    append(lead + quote(k) + ": " + text)
                lead = sep
            append(nl + "}")
        else:
            if not o:
                append("[]")
                return
            append("[")
            for v in o:
                text = quote(v) if type(v) is str else scalar(v)
                if text is None:
                    append(lead)
                    container(v, inner)
                else:
                    append(lead + text)
                lead = sep
            append(nl + "]")

    text = scalar(data)
    if text is not None:
        return text
    container(data, "\n")
    return "".join(out)
