"""``specc schema``: print the published JSON Schemas, or check they are fresh."""

from __future__ import annotations

import argparse
import sys

from specc.commands._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE

HELP = "print the JSON Schema of model-env.toml (for editor completion), or --check it is fresh"
EPILOG = """\
examples:
  specc schema > model-env.schema.json         save it next to your spec
  specc schema --name specc-environment.schema.json
  specc schema --list                          the schemas specc publishes
  specc schema --check                         exit 1 if schemas/ is stale (CI)

editor setup (taplo / "Even Better TOML" in VS Code): put this first line in
model-env.toml, with the path to the saved schema:
  #:schema ./model-env.schema.json

exit codes: 0 ok, 1 a schema in schemas/ is stale (--check), 2 unknown --name or usage error.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "schema",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--name", default="model-env.schema.json", help="which schema (default: %(default)s)")
    p.add_argument("--list", action="store_true", help="list the published schemas")
    p.add_argument(
        "--check",
        action="store_true",
        help="compare every committed schema in schemas/ with the code; exit 1 when one is stale",
    )
    return p


def run(args: argparse.Namespace) -> int:
    from specc import schema
    from specc.resources import schemas_dir

    if args.list:
        for name in schema.names():
            print(name)
        return EXIT_OK
    if args.check:
        stale = schema.stale()
        for name in stale:
            print(
                f"{schemas_dir(name)}: stale; regenerate with `specc schema --name {name} > schemas/{name}`",
                file=sys.stderr,
            )
        if not stale:
            print(f"schemas are up to date ({', '.join(schema.names())})", file=sys.stderr)
        return EXIT_INVALID if stale else EXIT_OK
    if args.name not in schema.names():
        print(f"specc schema: unknown schema {args.name!r}; known: {', '.join(schema.names())}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(schema.schema_text(args.name))
    return EXIT_OK
