"""sha256, the one helper module: of bytes and text, of a file, of a file tree, and the contract's hashes.

Every sha256 specc computes goes through :func:`sha256_bytes` or :func:`sha256_file` (hex
digests); :func:`sha256_tree` hashes a code or artifact folder under the file-tree policy
(:mod:`specc.filetree`).

The contract's dependency hashes ("Hashes and provenance"): one hash per ecosystem
(runtime, python, apt, maven, r) plus one over all of them, and separate hashes of code
and artifact contents.  Every hash is ``sha256:<hex>`` over a canonical JSON encoding, so
it does not depend on where the repository is checked out, nor on the order of set-like
entries.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specc.filetree import Exclude, tree_paths

if TYPE_CHECKING:
    from specc.spec import Apt, Hashes, Maven, Python, R, Runtime

_CHUNK = 1 << 20


def sha256_bytes(data: bytes | str) -> str:
    """Hex sha256 of ``data``; text is hashed as its UTF-8 bytes."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of the file's bytes, read in 1 MiB chunks.  ``OSError`` when unreadable."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_tree(path: Path, *, exclude: Exclude = None, confine: str | os.PathLike[str] | None = None) -> str:
    """Hex content hash of a file or folder: names and bytes, not timestamps nor ignored files.

    Over the sorted ``(relative POSIX path, file sha256)`` pairs of :func:`specc.filetree.tree_paths`
    (a file hashes as one entry under its own name), each as ``path NUL hex LF``.  Symlinks
    leading out of ``confine`` are not followed (:func:`specc.filetree.scan`).
    """
    return sha256_listing(tree_paths(path, exclude=exclude, confine=confine))


def sha256_listing(files: Iterable[tuple[str, Path]]) -> str:
    """:func:`sha256_tree` over an existing listing (``Listing.files`` of :func:`specc.filetree.scan`)."""
    h = hashlib.sha256()
    for rel, full in files:
        h.update(rel.encode("utf-8") + b"\0" + sha256_file(full).encode() + b"\n")
    return h.hexdigest()


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _h(obj: Any) -> str:
    return "sha256:" + sha256_bytes(_canonical(obj))


def compute_hashes(
    runtime: Runtime,
    python: Python,
    apt: Apt,
    maven: Maven,
    r: R,
    code: dict[str, str],
    artifacts: dict[str, str],
) -> Hashes:
    """The contract's dependency hashes: one per ecosystem, one over all.

    Only what changes an installed environment goes in: the runtime,
    requirements, constraints, indexes, file contents of wheels/debs/jars/R
    sources (by sha256, not by path) and the apt/Maven/R declarations.  Code and
    artifacts are hashed on their own, so editing model code never makes a
    lock stale nor rebuilds a dependency layer.
    """
    from specc.spec import Hashes

    # runtime.overrides acknowledges replacements the requirements already make: it installs nothing
    h_runtime = _h(runtime.model_dump(mode="json", exclude={"overrides"}))
    h_python = _h(
        {
            "python": runtime.python,
            "requirements": [q.line for q in python.requirements],
            "constraints": [q.line for q in python.constraints],
            "wheels": sorted(w.sha256 for w in python.wheels),
            "index-url": python.index_url,
            "extra-index-urls": list(python.extra_index_urls),
        }
    )
    h_apt = _h({"packages": [p.line for p in apt.packages], "debs": sorted(d.sha256 for d in apt.debs)})
    h_maven = _h(
        {
            "repository": maven.repository,
            "packages": [p.model_dump(mode="json") for p in maven.packages],
            "jars": sorted(j.sha256 for j in maven.jars),
        }
    )
    h_r = _h(
        {
            "repository": r.repository,
            "packages": [p.model_dump(mode="json") for p in r.packages],
            "sources": sorted(s.sha256 for s in r.sources),
        }
    )
    return Hashes(
        dependencies=_h({"runtime": h_runtime, "python": h_python, "apt": h_apt, "maven": h_maven, "r": h_r}),
        runtime=h_runtime,
        python=h_python,
        apt=h_apt,
        maven=h_maven,
        r=h_r,
        code=_h(code),
        artifacts=_h(artifacts),
    )
