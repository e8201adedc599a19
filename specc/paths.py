"""Local paths named by a spec: resolved, confined to the repository, hashed.

Rules (contract, "Principles"): paths are relative to the spec's folder and
must stay inside the spec's repository (the nearest ancestor folder holding
``.git``), or inside the spec's folder when there is none.  Absolute paths,
``..`` escapes and symlinks pointing outside are errors.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from specc.spec import EnvSpec

# Moved: which files count is specc.filetree's, hashing is specc.hashing's.  Re-exported only
Kind = Literal["file", "dir", "any"]


def repository_root(spec_dir: Path) -> Path:
    """The nearest ancestor of ``spec_dir`` (itself included) holding ``.git``."""
    spec_dir = spec_dir.resolve()
    for candidate in (spec_dir, *spec_dir.parents):
        if (candidate / ".git").exists():
            return candidate
    return spec_dir


def spec_root(spec: EnvSpec) -> Path | None:
    """The repository root of a loaded spec (the one validation confined its paths to), or
    None for a spec not loaded from a file."""
    return repository_root(Path(spec.base_dir)) if spec.base_dir else None


@dataclass(frozen=True)
class PathProblem:
    code: str
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class Resolved:
    rel: str  # normalized POSIX path relative to the spec's folder
    abs: Path  # absolute, symlinks resolved


#: the longest path (in characters) a message shows whole; longer ones are shortened in the middle
SHOWN_PATH_LIMIT = 80


def show_path(raw: str | os.PathLike[str], limit: int = SHOWN_PATH_LIMIT) -> str:
    """``raw`` quoted for a message (``repr``), shortened in the middle when longer than ``limit``
    characters, with its length: ``'aaaa…aaaa' (5000 characters)``."""
    text = os.fspath(raw)
    shown = repr(text)
    if len(text) <= limit and len(shown) <= 2 * limit + 2:  # escapes (\x1f, \U0001f600) may double it
        return shown
    # cut the quoted form, so escaped control characters cannot make it longer than the limit
    body = shown[1:-1]
    head, tail = body[: limit // 2], body[-(limit // 4) :]
    return f"{shown[0]}{head}…{tail}{shown[-1]} ({len(text)} characters)"


def os_problem(raw: str | os.PathLike[str], exc: BaseException) -> PathProblem:
    """An OS error met on a user's path, as a diagnostic (SPC209) saying what to change.

    ``exc`` is an :class:`OSError` (its errno says which) or the :class:`RuntimeError`
    ``Path.resolve`` raises on a symlink loop before Python 3.13.
    """
    import errno

    shown = show_path(raw)
    code = exc.errno if isinstance(exc, OSError) else errno.ELOOP
    if code == errno.ENAMETOOLONG:
        return PathProblem(
            "SPC209",
            f"{shown} is too long for the file system",
            "use a shorter path (each name at most 255 bytes, the whole path at most 4096)",
        )
    if code == errno.ELOOP:
        return PathProblem("SPC209", f"{shown} is a symlink loop", "point the symlink at a real file or folder")
    if code in (errno.EACCES, errno.EPERM):
        return PathProblem("SPC209", f"{shown} cannot be read: permission denied", "make it readable by this user")
    if code == errno.ENOTDIR:
        return PathProblem(
            "SPC209", f"{shown}: a part of it is a file, not a folder", "check the path's folders and spelling"
        )
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
    return PathProblem("SPC209", f"{shown} cannot be read: {reason}", None)


def resolve_path(raw: str, spec_dir: Path, root: Path, kind: Kind) -> Resolved | PathProblem:
    """Check one spec path; return where it points or what is wrong with it.

    Never raises for a bad path: every OS error (too long, a symlink loop, permission, a
    file where a folder is expected, ...) is a :class:`PathProblem` (SPC209).
    """
    try:
        return _resolve(raw, spec_dir, root, kind)
    except (OSError, RuntimeError) as exc:
        return os_problem(raw, exc)


def _resolve(raw: str, spec_dir: Path, root: Path, kind: Kind) -> Resolved | PathProblem:
    if raw.strip() == "":
        return PathProblem("SPC120", "empty path", "name a file relative to the spec's folder")
    if "\x00" in raw or "\n" in raw or "\r" in raw:
        return PathProblem("SPC405", "path contains a control character", "use a plain relative path")
    if "\\" in raw:
        return PathProblem(
            "SPC405",
            f"path {show_path(raw)} uses backslashes",
            f"use forward slashes: {show_path(raw.replace(chr(92), '/'))}",
        )
    if raw.startswith(("/", "~")) or (len(raw) > 1 and raw[1] == ":"):
        return PathProblem(
            "SPC402",
            f"absolute path {show_path(raw)} is not allowed",
            "spec paths are relative to the spec's folder, so the repository stays portable",
        )
    rel = posixpath.normpath(raw)
    spec_dir = spec_dir.resolve()
    root = root.resolve()
    lexical = Path(os.path.normpath(spec_dir / rel))
    if not _inside(lexical, root):
        return PathProblem(
            "SPC402",
            f"path {show_path(raw)} escapes {_display_root(root, spec_dir)}",
            "keep files the model needs inside the repository, next to model-env.toml",
        )
    if not lexical.exists() and not lexical.is_symlink():
        return PathProblem(
            "SPC204",
            f"{show_path(raw)} does not exist",
            f"paths are relative to the spec's folder ({_display_folder(spec_dir, root)}); check the spelling",
        )
    real = lexical.resolve()
    if not _inside(real, root):
        return PathProblem(
            "SPC402",
            f"{show_path(raw)} is a symlink pointing outside the repository",
            "copy the file into the repository instead of linking to it",
        )
    if not real.exists():
        return PathProblem("SPC204", f"{show_path(raw)} is a broken symlink", None)
    if kind == "file" and not real.is_file():
        return PathProblem("SPC208", f"{show_path(raw)} is a folder, expected a file", None)
    if kind == "dir" and not real.is_dir():
        return PathProblem("SPC208", f"{show_path(raw)} is a file, expected a folder", None)
    if kind == "any" and not (real.is_file() or real.is_dir()):
        return PathProblem("SPC208", f"{show_path(raw)} is neither a file nor a folder", None)
    return Resolved(rel, real)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _display_folder(spec_dir: Path, root: Path) -> str:
    """The spec's folder as messages show it: from the repository root (``models/churn/``, the
    same on every clone), or its own name when it is the root."""
    if spec_dir == root or not _inside(spec_dir, root):
        return f"{spec_dir.name}/"
    return f"{spec_dir.relative_to(root).as_posix()}/ in the repository"


def _display_root(root: Path, spec_dir: Path) -> str:
    if root == spec_dir:
        return "the spec's folder (it is in no git repository)"
    return "the repository"
