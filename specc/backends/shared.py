"""What several targets share: pip lines with ``${NAME}`` secret placeholders, file-name collisions.

Placeholders: a URL in the spec carries credentials only as ``${NAME}`` (validation checks
every name is a declared secret).  pip expands them from the environment in requirements
files (``--index-url``/``--extra-index-url`` lines and direct URLs), so every target writes
them as written and arranges for the variables to be set: BuildKit secrets (Docker), the init
script's environment (Databricks), the serving host's environment (MLflow).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from specc.diagnostics import TomlPath

if TYPE_CHECKING:
    from specc.lockfile import LockFile
    from specc.spec import EnvSpec, Python

#: ``${NAME}`` in a URL; ``group(1)`` is the variable.
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders(text: str) -> list[str]:
    """The ``${NAME}`` variables of ``text``, in first-use order, each once."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def pip_urls(python: Python) -> list[str]:
    """Every URL pip reads for ``python``: the indexes, then direct-URL requirements."""
    urls = [u for u in (python.index_url, *python.extra_index_urls) if u]
    return urls + [r.url for r in python.requirements if r.url]


def secret_names(urls: Iterable[str]) -> list[str]:
    """The ``${NAME}`` variables of ``urls``, in first-use order, each once."""
    names: dict[str, None] = {}
    for url in urls:
        names.update(dict.fromkeys(placeholders(url)))
    return list(names)


def index_lines(python: Python) -> list[str]:
    """``--index-url``/``--extra-index-url`` lines for a requirements file (placeholders as written)."""
    lines = [f"--index-url {python.index_url}"] if python.index_url else []
    return lines + [f"--extra-index-url {u}" for u in python.extra_index_urls]


def requirement_lines(
    spec: EnvSpec,
    locked: LockFile | None = None,
    *,
    platform: str | None = None,
    hashes: bool = False,
    implied: bool = True,
) -> list[str]:
    """The requirement lines a target installs: the spec's, or with ``locked`` every locked
    package pinned exactly (``hashes``: with its ``--hash`` options, for ``--require-hashes``;
    ``implied``: False leaves out what only the serving image's own packages need)."""
    if locked is None:
        return [r.line for r in spec.python.requirements]
    from specc.lockfile import pip_lines

    return pip_lines(locked, platform=platform, hashes=hashes, implied=implied)


@dataclass(frozen=True)
class Collision:
    """``source`` (at ``path``) has the same final file name as the earlier ``first_source``."""

    path: TomlPath
    name: str
    source: str
    first_path: TomlPath
    first_source: str


def file_name(path: str) -> str:
    """The final name of a spec-relative POSIX path (what an output folder keeps)."""
    return PurePosixPath(path).name


def file_name_collisions(entries: Iterable[tuple[TomlPath, str]]) -> list[Collision]:
    """Entries ``(normalized path, spec-relative file path)`` whose final names repeat an
    earlier entry's: files copied side by side into one output folder would overwrite each other."""
    seen: dict[str, tuple[TomlPath, str]] = {}
    out = []
    for path, source in entries:
        name = file_name(source)
        if name in seen:
            first_path, first_source = seen[name]
            out.append(Collision(path, name, source, first_path, first_source))
        else:
            seen[name] = (path, source)
    return out
