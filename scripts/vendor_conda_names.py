"""Refresh the conda-forge → PyPI name tables in ``specc/importers/conda_pypi_names.json``.

The source is prefix.dev's parselmouth mapping (BSD-3-Clause, (c) 2023 prefix.dev GmbH), built
from the metadata inside every conda-forge artifact: ``files/v0/conda-forge/compressed_mapping.json``
maps a conda-forge package name to the PyPI names its files install, or to null when it installs
no Python distribution.  Only what specc's lookup needs is kept:

* ``renamed``: conda names whose first PyPI name differs from the conda name (canonicalized,
  PEP 503); parselmouth lists the distribution a package is known by first
  (``msgpack-python`` → ``msgpack``);
* ``not_on_pypi``: conda names that install no Python distribution (null in the mapping).

A name mapping to itself needs no entry: the lookup's fallback is the same name.

Usage (from a parselmouth checkout or a downloaded file)::

    python scripts/vendor_conda_names.py compressed_mapping.json \\
        --source https://github.com/prefix-dev/parselmouth/blob/<commit>/files/v0/conda-forge/compressed_mapping.json

It rewrites only the ``parselmouth`` section; the rest of the file (specc's own additions and
grayskull's curated list) is kept as it is.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "specc" / "importers" / "conda_pypi_names.json"


def canonical(name: str) -> str:
    """PEP 503 normalization (what packaging.utils.canonicalize_name does)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def tables(mapping: dict[str, list[str] | None]) -> tuple[dict[str, str], list[str]]:
    """``(renamed, not_on_pypi)`` from parselmouth's conda name → PyPI names mapping."""
    renamed: dict[str, str] = {}
    absent: list[str] = []
    for conda, pypi in sorted(mapping.items()):
        key = conda.lower()
        if not pypi:
            absent.append(key)
        elif canonical(pypi[0]) != canonical(key):
            renamed[key] = canonical(pypi[0])
    return renamed, sorted(set(absent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mapping", type=Path, help="parselmouth's conda-forge compressed_mapping.json")
    parser.add_argument("--source", required=True, help="the URL (with its commit) the file came from")
    args = parser.parse_args()
    renamed, absent = tables(json.loads(args.mapping.read_text(encoding="utf-8")))
    data = json.loads(TARGET.read_text(encoding="utf-8"))
    data["parselmouth"] = {
        "source": args.source,
        "license": "BSD-3-Clause, Copyright (c) 2023, prefix.dev GmbH",
        "renamed": renamed,
        "not_on_pypi": absent,
    }
    TARGET.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(renamed)} renamed, {len(absent)} not on PyPI")


if __name__ == "__main__":
    main()
