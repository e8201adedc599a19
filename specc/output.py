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
    result or error (``TypeError``, ``ValueError``).  A :class:`JsonFragment` value is spliced
    in as already encoded (one large list put into several documents is encoded once).
    """
    try:
        return _indented(data) + "\n"
    except (_NotPlain, RecursionError, TypeError):
        import json

        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=_fragment_value) + "\n"


class JsonFragment:
    """A JSON value encoded once in :func:`dump_json`'s style, for several documents to hold.

    ``JsonFragment(value)`` encodes ``value`` now (at the top level); :func:`dump_json` writes it
    wherever it appears by re-indenting that text to its depth (one ``str.replace``: an encoded
    string never holds a raw line break), which is exactly what encoding ``value`` there would
    give.  Immutable: the value is encoded when the fragment is made, so later changes to it are
    not seen (build the fragment from the final value).  Shape: ``fragment.value`` is the value,
    ``fragment.text`` its encoding without the final newline.
    """

    __slots__ = ("text", "value")

    def __init__(self, value: object) -> None:
        self.value = value
        self.text = dump_json(value)[:-1]

    def at(self, nl: str) -> str:
        """The encoding for a value starting at indent ``nl`` (a newline and that level's spaces)."""
        return self.text if nl == "\n" else self.text.replace("\n", nl)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __len__(self) -> int:
        return len(self.value)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.value)  # type: ignore[call-overload,no-any-return]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, JsonFragment):
            return bool(self.value == other.value)
        return bool(self.value == other)

    __hash__ = None  # type: ignore[assignment]  # like the list or dict it stands for

    def __repr__(self) -> str:
        return f"JsonFragment({self.value!r})"


def _fragment_value(o: object) -> object:
    """``json.dumps``'s ``default``: a fragment is its value; anything else is refused as by json."""
    if isinstance(o, JsonFragment):
        return o.value
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


class _NotPlain(Exception):
    """A value :func:`_indented` leaves to ``json.dumps``."""


def _indented(data: object) -> str:
    from json.encoder import INFINITY
    from json.encoder import encode_basestring as quote  # C-accelerated; ensure_ascii=False

    def scalar(o: Any) -> str | None:
        """JSON text of a non-container as json.dumps writes it (its type checks, in its
        order); None for a list, tuple, dict or fragment."""
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
        if isinstance(o, (list, tuple, dict, JsonFragment)):
            return None
        raise _NotPlain

    # key tuple (in insertion order) → its keys sorted, each with its quoted "key": prefix;
    # 100,000 dicts of one shape (a requirement's fields) share one entry
    orders: dict[tuple[Any, ...], list[tuple[str, str]]] = {}

    def container(o: Any, nl: str) -> str:
        """A list, tuple or dict (or a subclass) or a fragment as indented JSON text starting at
        an indent of ``nl`` (a newline and the spaces of the enclosing level).  Each value's type
        is checked inline (str, dict, list first: the shapes of 100,000-entry outputs), the rest
        through :func:`scalar`; a level's items are joined once."""
        inner = nl + "  "
        if isinstance(o, dict):
            if not o:
                return "{}"
            if len(o) == 1:  # {"pypi": {...}}, {"package": "x==1"}: 100,000 of them at scale
                for k, v in o.items():
                    if type(k) is not str:
                        raise _NotPlain
                    t = type(v)
                    if t is str:
                        return "{" + inner + quote(k) + ": " + quote(v) + nl + "}"
                    if t is dict or t is list:
                        return "{" + inner + quote(k) + ": " + container(v, inner) + nl + "}"
                    text = scalar(v)
                    return "{" + inner + quote(k) + ": " + (container(v, inner) if text is None else text) + nl + "}"
            keys = tuple(o)
            order = orders.get(keys)
            if order is None:  # a dict of a new key set: sort and quote its keys once per call
                order = []
                for k in sorted(o):  # mixed key types: TypeError, as in json.dumps
                    if type(k) is not str:
                        raise _NotPlain  # json.dumps's own key conversion
                    order.append((k, quote(k) + ": "))
                orders[keys] = order
            parts = []
            for k, key in order:
                v = o[k]
                t = type(v)
                if t is str:
                    parts.append(key + quote(v))
                elif t is dict or t is list:
                    parts.append(key + container(v, inner))
                else:
                    text = scalar(v)
                    parts.append(key + (container(v, inner) if text is None else text))
            return "{" + inner + ("," + inner).join(parts) + nl + "}"
        if isinstance(o, JsonFragment):
            return o.at(nl)
        if not o:
            return "[]"
        parts = []
        for v in o:
            t = type(v)
            if t is str:
                parts.append(quote(v))
            elif t is dict or t is list:
                parts.append(container(v, inner))
            else:
                text = scalar(v)
                parts.append(container(v, inner) if text is None else text)
        return "[" + inner + ("," + inner).join(parts) + nl + "]"

    text = scalar(data)
    if text is not None:
        return text
    return container(data, "\n")
