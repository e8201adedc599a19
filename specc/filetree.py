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

Symbolic links are followed, as ``shutil.copytree(symlinks=False)`` copies through them; a
link back to one of its own ancestors is skipped instead of recursed into forever, and a
dangling link or a link loop is not a file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeAlias

__all__ = ["IGNORED_NAMES", "IGNORED_SUFFIXES", "Exclude", "copytree_ignore", "is_ignored", "tree_paths", "walk_files"]

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


def walk_files(root: str | os.PathLike[str], *, exclude: Exclude = None) -> list[str]:
    """Relative POSIX paths of every file under the folder ``root`` that counts, sorted.

    ``exclude`` names folders (or one folder) to leave out wherever they appear under
    ``root``, compared after resolving symlinks.  Raises ``NotADirectoryError`` when
    ``root`` is not a folder; a missing ``root`` raises ``FileNotFoundError``.
    """
    top = os.fspath(root)
    if not os.path.isdir(top):
        if not os.path.exists(top):
            raise FileNotFoundError(top)
        raise NotADirectoryError(top)
    excluded = _real_set(exclude)
    out: list[str] = []

    def visit(folder: str, prefix: str, ancestors: frozenset[str]) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if is_ignored(entry.name):
                    continue
                rel = prefix + entry.name
                try:
                    is_dir, is_file = entry.is_dir(), entry.is_file()  # both follow symlinks, like copytree
                except OSError:  # a link loop (ELOOP) leads nowhere, like a dangling link
                    continue
                if is_dir:
                    real = os.path.realpath(entry.path)
                    if real in ancestors or _skip_dir(entry.path, excluded):
                        continue
                    visit(entry.path, rel + "/", ancestors | {real})
                elif is_file:
                    out.append(rel)

    visit(top, "", frozenset({os.path.realpath(top)}))
    # Plain string order (not per-folder order): the code hash's byte layout depends on it.
    out.sort()
    return out


def copytree_ignore(exclude: Exclude = None) -> Callable[[str, list[str]], set[str]]:
    """An ``ignore=`` callable for ``shutil.copytree`` applying this policy.

    Pass the destination as ``exclude`` when it may lie inside the source, so the copy
    never copies itself.  A symlinked folder that leads back to a folder the copy is already
    inside (its real path is one of the real paths along ``folder``) is left out, as
    :func:`walk_files` leaves it out: copytree follows links, and a link to an ancestor would
    otherwise be copied into itself until the path is too long (two such links: exponentially).
    """
    excluded = _real_set(exclude)

    def ignore(folder: str, names: list[str]) -> set[str]:
        out = set()
        chain: set[str] | None = None  # real paths of `folder` and its lexical ancestors, computed once
        for name in names:
            path = os.path.join(folder, name)
            if is_ignored(name) or not os.path.exists(path):  # a dangling link or a link loop is no file
                out.add(name)
            elif os.path.isdir(path):
                if _skip_dir(path, excluded):
                    out.add(name)
                    continue
                if chain is None:
                    chain = _real_chain(folder)
                if os.path.realpath(path) in chain:
                    out.add(name)
        return out

    return ignore


def _real_chain(folder: str) -> set[str]:
    """The real path of ``folder`` and of every lexical ancestor of it (through symlinks)."""
    out = set()
    current = os.path.abspath(folder)
    while True:
        out.add(os.path.realpath(current))
        parent = os.path.dirname(current)
        if parent == current:
            return out
        current = parent


def tree_paths(root: Path, *, exclude: Exclude = None) -> list[tuple[str, Path]]:
    """(relative POSIX path, absolute path) of every file that counts under ``root``, sorted.

    A file ``root`` is itself the one entry, under its own name (a spec path may name a
    file or a folder).
    """
    if root.is_file():
        return [(root.name, root)]
    return [(rel, root.joinpath(*rel.split("/"))) for rel in walk_files(root, exclude=exclude)]
