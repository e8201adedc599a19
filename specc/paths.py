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
from typing import Literal

# Moved: which files count is specc.filetree's, hashing is specc.hashing's.  Re-exported only
Kind = Literal["file", "dir", "any"]


def repository_root(spec_dir: Path) -> Path:
    """The nearest ancestor of ``spec_dir`` (itself included) holding ``.git``."""
    spec_dir = spec_dir.resolve()
    for candidate in (spec_dir, *spec_dir.parents):
        if (candidate / ".git").exists():
            return candidate
    return spec_dir


@dataclass(frozen=True)
class PathProblem:
    code: str
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class Resolved:
    rel: str  # normalized POSIX path relative to the spec's folder
    abs: Path  # absolute, symlinks resolved


def resolve_path(raw: str, spec_dir: Path, root: Path, kind: Kind) -> Resolved | PathProblem:
    """Check one spec path; return where it points or what is wrong with it."""
    if raw.strip() == "":
        return PathProblem("SPC120", "empty path", "name a file relative to the spec's folder")
    if "\x00" in raw or "\n" in raw or "\r" in raw:
        return PathProblem("SPC405", "path contains a control character", "use a plain relative path")
    if "\\" in raw:
        return PathProblem(
            "SPC405",
            f"path {raw!r} uses backslashes",
            f"use forward slashes: {raw.replace(chr(92), '/')!r}",
        )
    if raw.startswith(("/", "~")) or (len(raw) > 1 and raw[1] == ":"):
        return PathProblem(
            "SPC402",
            f"absolute path {raw!r} is not allowed",
            "spec paths are relative to the spec's folder, so the repository stays portable",
        )
    rel = posixpath.normpath(raw)
    spec_dir = spec_dir.resolve()
    root = root.resolve()
    lexical = Path(os.path.normpath(spec_dir / rel))
    if not _inside(lexical, root):
        return PathProblem(
            "SPC402",
            f"path {raw!r} escapes {_display_root(root, spec_dir)}",
            "keep files the model needs inside the repository, next to model-env.toml",
        )
    if not lexical.exists() and not lexical.is_symlink():
        return PathProblem(
            "SPC204",
            f"{raw!r} does not exist",
            f"paths are relative to the spec's folder ({spec_dir.name}/); check the spelling",
        )
    real = lexical.resolve()
    if not _inside(real, root):
        return PathProblem(
            "SPC402",
            f"{raw!r} is a symlink pointing outside the repository",
            "copy the file into the repository instead of linking to it",
        )
    if not real.exists():
        return PathProblem("SPC204", f"{raw!r} is a broken symlink", None)
    if kind == "file" and not real.is_file():
        return PathProblem("SPC208", f"{raw!r} is a folder, expected a file", None)
    if kind == "dir" and not real.is_dir():
        return PathProblem("SPC208", f"{raw!r} is a file, expected a folder", None)
    if kind == "any" and not (real.is_file() or real.is_dir()):
        return PathProblem("SPC208", f"{raw!r} is neither a file nor a folder", None)
    return Resolved(rel, real)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _display_root(root: Path, spec_dir: Path) -> str:
    if root == spec_dir:
        return "the spec's folder (it is in no git repository)"
    return "the repository"
