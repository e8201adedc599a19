"""``specc runtimes``: the Databricks runtimes specc knows (Python, Spark, Scala)."""

from __future__ import annotations

import argparse
import json

from specc.commands._common import EXIT_INVALID, EXIT_OK

HELP = "list the known Databricks runtimes with their Python, Spark and Scala versions"
EPILOG = """\
examples:
  specc runtimes                  every known runtime
  specc runtimes --lts --ml       LTS ML runtimes only
  specc runtimes 15.4-ml          resolve a short form to its spark_version key
  specc runtimes --format json

A runtime in model-env.toml may be written as a key (15.4.x-cpu-ml-scala2.12), a
short form ("15.4-ml", "15.4 LTS ML", "15.4") or a serverless environment
("serverless-v3"); the short "-ml" form means gpu-ml when runtime.cuda is set.

exit codes: 0 ok, 1 unknown runtime (with the nearest known ones), 2 usage error.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "runtimes",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", nargs="?", help="a runtime key or short form to resolve")
    p.add_argument("--gpu", action="store_true", help="resolve short ML forms to the GPU variant")
    p.add_argument("--lts", action="store_true", help="only long-term-support runtimes")
    p.add_argument("--ml", action="store_true", help="only ML runtimes")
    p.add_argument("--format", choices=("text", "json"), default="text")
    return p


def run(args: argparse.Namespace) -> int:
    import sys

    from specc import runtimes

    items = runtimes.known_runtimes()
    if args.query:
        key = runtimes.resolve_runtime(args.query, gpu=args.gpu)
        if key is None:
            sugg = runtimes.suggest_runtimes(args.query)
            more = f"; did you mean {' or '.join(sugg)}?" if sugg else ""
            print(f"specc runtimes: unknown runtime {args.query!r}{more}", file=sys.stderr)
            return EXIT_INVALID
        items = [r for r in items if r.key == key]
    if args.lts:
        items = [r for r in items if r.lts]
    if args.ml:
        items = [r for r in items if r.ml]
    rows = [
        {
            "key": r.key,
            "version": r.version,
            "flavor": r.flavor,
            "lts": r.lts,
            "python": r.python,
            "spark": r.spark,
            "scala": r.scala,
            "ubuntu": r.ubuntu,
        }
        for r in items
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    header = ("KEY", "PYTHON", "SPARK", "SCALA", "LTS")
    table = [header] + [
        (r["key"], r["python"], r["spark"] or "-", r["scala"] or "-", "yes" if r["lts"] else "") for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
    return EXIT_OK
