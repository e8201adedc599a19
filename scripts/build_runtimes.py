#!/usr/bin/env python3
"""Regenerate ``targets/databricks/runtimes/*.json`` from the saved runtime package lists.

The source folder (by default ``scripts/databricks-runtimes/``, vendored in this repository;
``PROVENANCE.md`` there says where each list came from) holds one pip-style list per
Databricks ``spark_version`` key (``15.4.x-cpu-ml-scala2.12.txt``, ``serverless-v3.txt``,
...) plus ``INDEX.tsv``, which records each list's provenance (repository, path and commit),
its Python version and the human-readable runtime name (``Databricks Runtime 15.4 LTS ML
(includes Apache Spark 3.5.0, Scala 2.12)``).  ``INDEX.tsv`` rows naming a file in a
subfolder (``dcs/...``: Databricks Container Services reference lists, used only to
cross-check the primary lists by hand) are skipped, so a fuller capture can be passed as
``--source`` too.  A list that ``INDEX.tsv`` does not name is an error, not silently ignored.

Usage (from the repository root)::

    python scripts/build_runtimes.py                       # --source scripts/databricks-runtimes
    python scripts/build_runtimes.py --source DIR --out DIR

The output is deterministic (sorted keys, indent 2, trailing newline) so that
``tests/test_runtimes.py`` can regenerate into a temporary folder and compare bytes.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT / "scripts" / "databricks-runtimes"
DEFAULT_OUT = REPO_ROOT / "targets" / "databricks" / "runtimes"

# Ubuntu release per runtime, from the base images of the databricks/containers
# ``release-X-LTS`` branches (research doc, "OS by DBR") and the serverless environment
# notes.  Versions not listed are unknown rather than guessed: they stay null.
UBUNTU_BY_VERSION: dict[str, str] = {
    "13.3": "22.04",
    "14.3": "22.04",
    "15.4": "22.04",
    "16.4": "24.04",
    "17.3": "24.04",
}
UBUNTU_BY_SERVERLESS: dict[str, str] = {"2": "22.04", "3": "24.04", "4": "24.04"}

_DBR_KEY = re.compile(r"^(?P<version>\d+\.\d+)\.x-(?:(?P<hw>cpu|gpu)-ml-)?scala(?P<scala>\d+\.\d+)$")
_SERVERLESS_KEY = re.compile(r"^serverless-v(?P<version>\d+)$")
_SPARK = re.compile(r"Apache Spark (\d+\.\d+\.\d+)")


def _parse_key(key: str) -> dict[str, Any]:
    """Split a spark_version key into version, flavor and scala."""
    if m := _DBR_KEY.match(key):
        hw = m.group("hw")
        return {
            "version": m.group("version"),
            "flavor": f"{hw}-ml" if hw else "standard",
            "scala": m.group("scala"),
        }
    if m := _SERVERLESS_KEY.match(key):
        # Serverless environments have no user-visible Scala (no Maven/jar libraries).
        return {"version": m.group("version"), "flavor": "serverless", "scala": None}
    raise ValueError(f"unrecognised runtime key {key!r}")


def _parse_packages(path: Path) -> tuple[dict[str, str], list[str]]:
    """Read one list: ``name==version`` lines into a dict, direct references kept verbatim."""
    packages: dict[str, str] = {}
    verbatim: list[str] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise ValueError(f"{path.name}:{lineno}: {exc}") from exc
        if req.url:
            # e.g. ``horovod @ git+https://...``: no version to compare against, but a
            # consumer still wants to know the distribution is preinstalled.
            verbatim.append(line)
            continue
        specs = list(req.specifier)
        if len(specs) != 1 or specs[0].operator not in ("==", "==="):
            raise ValueError(f"{path.name}:{lineno}: expected an exact pin, got {line!r}")
        name = canonicalize_name(req.name)
        if name in packages and packages[name] != specs[0].version:
            raise ValueError(f"{path.name}:{lineno}: {name} listed twice with different versions")
        packages[name] = specs[0].version
    return dict(sorted(packages.items())), sorted(verbatim)


def _sort_key(entry: dict[str, Any]) -> tuple[Any, ...]:
    # DBR before serverless; numeric version order; standard < cpu-ml < gpu-ml.
    flavor_rank = {"standard": 0, "cpu-ml": 1, "gpu-ml": 2, "serverless": 3}
    numeric = tuple(int(p) for p in entry["version"].split("."))
    return (entry["flavor"] == "serverless", numeric, flavor_rank[entry["flavor"]], entry["key"])


def build(source: Path) -> dict[str, str]:
    """Return ``{file name: JSON text}`` for every manifest plus ``index.json``."""
    index_path = source / "INDEX.tsv"
    if not index_path.is_file():
        raise FileNotFoundError(f"{index_path} not found (is --source the runtimes folder?)")
    with index_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    # A list nobody indexed would silently never become a manifest: refuse it instead.
    unlisted = sorted({p.name for p in source.glob("*.txt")} - {row["file"] for row in rows})
    if unlisted:
        raise ValueError(f"{index_path.name} does not list {', '.join(unlisted)}")

    manifests: list[dict[str, Any]] = []
    for row in rows:
        file = row["file"]
        if "/" in file:  # dcs/...: cross-check lists only, not runtime manifests
            continue
        key = file.removesuffix(".txt")
        parsed = _parse_key(key)
        name = row["runtime"]
        spark = _SPARK.search(name)
        packages, verbatim = _parse_packages(source / file)
        if int(row["packages"]) != len(packages) + len(verbatim):
            raise ValueError(f"{file}: INDEX.tsv says {row['packages']} packages")
        if parsed["flavor"] == "serverless":
            ubuntu = UBUNTU_BY_SERVERLESS.get(parsed["version"])
        else:
            ubuntu = UBUNTU_BY_VERSION.get(parsed["version"])
        manifests.append(
            {
                "key": key,
                "version": parsed["version"],
                "flavor": parsed["flavor"],
                "lts": bool(re.search(r"\bLTS\b", name)),
                "python": row["python"],
                "spark": spark.group(1) if spark else None,
                "scala": parsed["scala"],
                "ubuntu": ubuntu,
                "source": row["source"],
                "packages": packages,
                "verbatim": verbatim,
            }
        )
    manifests.sort(key=_sort_key)

    def dump(obj: Any) -> str:
        return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    out = {f"{m['key']}.json": dump(m) for m in manifests}
    # The index carries every RuntimeInfo field, so validation never opens a manifest
    # unless it needs the package list.
    summary_fields = ("key", "version", "flavor", "lts", "python", "spark", "scala", "ubuntu")
    out["index.json"] = dump({"runtimes": [{f: m[f] for f in summary_fields} for m in manifests]})
    return out


def write(files: dict[str, str], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    # Remove manifests of runtimes no longer in the source, so the folder mirrors it.
    for stale in out_dir.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (out_dir / name).write_text(text, encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        files = build(args.source)
    except (OSError, ValueError) as exc:
        print(f"build_runtimes: {exc}", file=sys.stderr)
        return 1
    write(files, args.out)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
