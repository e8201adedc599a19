"""Which files of a code or artifact folder count and ship: one policy for every consumer.

The code/artifact hashes (:func:`specc.hashing.sha256_tree`), the MLflow staging copy, the
Docker and Databricks output folders (``write_rendered``) and ``specc check``'s drift
comparison all list a folder through this module, so a ``.DS_Store`` or a stale ``*.pyc``
neither changes a hash, nor ships, nor shows up as drift.

Left out, at any depth, whether file or folder:

* version control metadata: ``.git`` (a folder, or the file of a worktree/submodule),
  ``.hg``, ``.svn``;
* Python caches: ``__pycache__``, ``*.pyc``, ``*.pyo``;
* tools' folders: ``.venv``, ``.tox``, ``.nox``, ``.mypy_cache``, ``.pytest_cache``,
  ``.ruff_cache``, ``.hypothesis``;
* editor and OS litter: ``.DS_Store``, ``.ipynb_checkpoints``;
* output folders: a folder holding specc's output marker (``.specc-output``), and the
  folders passed as ``exclude`` (the output folder being written, when it lies inside the
  folder being read).

Symbolic links: a link whose target lies inside ``confine`` (the repository root; by default
the folder being listed) is followed, so the file or folder it names ships under the link's
name; a link back to one of its own ancestors (above the listed folder too) is skipped instead
of recursed into, and
a dangling link or a link loop is not a file.  A link whose target lies outside ``confine``
(dangling or not) is never followed by anyone: :func:`scan` lists it under ``escapes``
(validation reports it, SPC402) and every consumer leaves it out.  Every consumer copies or
hashes exactly :func:`scan`'s ``files`` (:func:`copy_tree` for copies), so what is hashed is
what ships.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

__all__ = [
    "IGNORED_NAMES",
    "IGNORED_SUFFIXES",
    "Exclude",
    "Listing",
    "copy_tree",
    "is_ignored",
    "scan",
    "tree_paths",
    "walk_files",
]

IGNORED_NAMES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".ipynb_checkpoints",
        ".DS_Store",
        # tools' own folders: a virtual environment and caches, never model code
        ".venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
    }
)
IGNORED_SUFFIXES = (".pyc", ".pyo")

# specc.output.MARKER; spelled out so reading a folder does not import the output module.
_OUTPUT_MARKER = ".specc-output"

# A folder, several folders, or none.
Exclude: TypeAlias = os.PathLike[str] | str | Iterable[os.PathLike[str] | str] | None


def is_ignored(name: str) -> bool:
    """Whether an entry called ``name`` (a file or a folder) is left out by its name alone."""
    return name in IGNORED_NAMES or name.endswith(IGNORED_SUFFIXES)


def _real_set(exclude: Exclude) -> frozenset[str]:
    if exclude is None:
        return frozenset()
    items = [exclude] if isinstance(exclude, (str, os.PathLike)) else list(exclude)
    return frozenset(os.path.realpath(os.fspath(p)) for p in items)


def _skip_dir(path: str, excluded: frozenset[str]) -> bool:
    return os.path.realpath(path) in excluded or os.path.isfile(os.path.join(path, _OUTPUT_MARKER))


@dataclass
class Listing:
    """What :func:`scan` found under a folder (or for one file).

    ``files``: (relative POSIX path, real path) of every file that counts, sorted by the
    relative path; the real path has every symlink resolved, so reading it follows nothing
    more.  ``escapes``: relative POSIX paths of the symlinks whose target lies outside the
    confining folder (``"."`` when the listed path itself does), sorted; never followed.
    """

    files: list[tuple[str, Path]] = field(default_factory=list)
    escapes: list[str] = field(default_factory=list)


def _inside(real: str, confine: str) -> bool:
    return real == confine or real.startswith(confine.rstrip(os.sep) + os.sep)


def scan(
    root: str | os.PathLike[str], *, confine: str | os.PathLike[str] | None = None, exclude: Exclude = None
) -> Listing:
    """Every file under ``root`` that counts, and every symlink leading out of ``confine``.

    ``root`` is a folder, or one file (its own single entry, under its own name).
    ``confine`` is the folder no link may lead out of (the repository root); None confines
    to ``root`` itself (its folder, for a file).  ``exclude`` names folders (or one folder)
    to leave out wherever they appear under ``root``, compared after resolving symlinks.
    Raises ``FileNotFoundError`` when ``root`` does not exist (nor is a symlink).
    """
    top = os.fspath(root)
    real_top = os.path.realpath(top)
    if confine is None:
        bound = real_top if os.path.isdir(real_top) else os.path.dirname(real_top)
    else:
        bound = os.path.realpath(os.fspath(confine))
    out = Listing()
    if not _inside(real_top, bound):
        out.escapes.append(".")
        return out
    if not os.path.isdir(real_top):
        if not os.path.exists(real_top):
            raise FileNotFoundError(top)
        if os.path.isfile(real_top):
            out.files.append((os.path.basename(os.path.normpath(top)), Path(real_top)))
        return out
    excluded = _real_set(exclude)

    def visit(folder: str, prefix: str, ancestors: frozenset[str]) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if is_ignored(entry.name):
                    continue
                rel = prefix + entry.name
                # ``folder`` is a real path, so only the entry itself can be a link
                if entry.is_symlink():
                    real = os.path.realpath(entry.path)
                    if not _inside(real, bound):
                        out.escapes.append(rel)  # never stat'ed, opened nor listed through
                        continue
                    # stat the resolved target; a dangling link or a loop is neither
                    is_dir, is_file = os.path.isdir(real), os.path.isfile(real)
                else:
                    real = entry.path
                    try:
                        is_dir, is_file = entry.is_dir(), entry.is_file()  # from the directory entry, no stat
                    except OSError:  # pragma: no cover - vanished while listed
                        continue
                if is_dir:
                    if real in ancestors or _skip_dir(real, excluded):
                        continue
                    visit(real, rel + "/", ancestors | {real})
                elif is_file:  # a dangling link or a link loop is neither: no file
                    out.files.append((rel, Path(real)))

    # a link to the folder itself or to any folder above it is a loop for the walk (it would
    # ship the folder inside itself, or a whole repository): skipped like any ancestor
    above = {real_top}
    parent = os.path.dirname(real_top)
    while parent not in above:
        above.add(parent)
        parent = os.path.dirname(parent)
    visit(real_top, "", frozenset(above))
    # Plain string order (not per-folder order): the code hash's byte layout depends on it.
    out.files.sort()
    out.escapes.sort()
    return out


def walk_files(
    root: str | os.PathLike[str], *, exclude: Exclude = None, confine: str | os.PathLike[str] | None = None
) -> list[str]:
    """Relative POSIX paths of every file under the folder ``root`` that counts, sorted (:func:`scan`).

    Raises ``NotADirectoryError`` when ``root`` is not a folder; a missing ``root`` raises
    ``FileNotFoundError``.
    """
    top = os.fspath(root)
    if not os.path.isdir(top):
        if not os.path.exists(top):
            raise FileNotFoundError(top)
        raise NotADirectoryError(top)
    return [rel for rel, _ in scan(top, confine=confine, exclude=exclude).files]


def tree_paths(
    root: Path, *, exclude: Exclude = None, confine: str | os.PathLike[str] | None = None
) -> list[tuple[str, Path]]:
    """(relative POSIX path, real path) of every file that counts under ``root``, sorted (:func:`scan`).

    A file ``root`` is itself the one entry, under its own name (a spec path may name a
    file or a folder).
    """
    return scan(root, confine=confine, exclude=exclude).files


def copy_tree(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    confine: str | os.PathLike[str] | None = None,
    exclude: Exclude = None,
) -> list[str]:
    """Copy exactly :func:`scan`'s files of ``src`` to ``dest``; return their relative paths.

    A folder ``src`` becomes the folder ``dest`` (created, or merged into when it exists);
    a file ``src`` is copied to the file ``dest``.  Each file is copied from its real path
    with its mode (``shutil.copy2``), so links are copied as the files they name and no link
    leading out of ``confine`` is followed.  Pass the destination in ``exclude`` when it may
    lie inside ``src``, so the copy never copies itself.  Folders without a file that counts
    are not created: the copy holds what the hash covers, nothing else.
    """
    source = os.fspath(src)
    target = Path(dest)
    listing = scan(source, confine=confine, exclude=exclude)
    if not os.path.isdir(os.path.realpath(source)):
        for _rel, real in listing.files:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(real, target)
        return [rel for rel, _ in listing.files]
    target.mkdir(parents=True, exist_ok=True)
    for rel, real in listing.files:
        where = target.joinpath(*rel.split("/"))
        where.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(real, where)
    return [rel for rel, _ in listing.files]
