"""The ``specc`` command line: argument parsing and dispatch only.

Each command lives in ``specc/commands/<name>.py`` with ``add_parser`` and
``run``; modules are light at import time (heavy libraries such as mlflow are
imported inside ``run``), so ``specc --help`` and ``specc validate`` start fast.

Exit codes: 0 ok (warnings allowed), 1 invalid input or a failed check,
2 usage error, 3 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from specc import __version__

# An explicit registry (pre-commit's style): command name → module.
COMMANDS: dict[str, str] = {
    "validate": "specc.commands.validate",
    "init": "specc.commands.init",
    "schema": "specc.commands.schema",
    "runtimes": "specc.commands.runtimes",
    "compile": "specc.commands.compile",
    "render": "specc.commands.render",
    "lock": "specc.commands.lock",
    "pin": "specc.commands.pin",
    "check": "specc.commands.check",
}

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

DESCRIPTION = """\
specc: one checked-in model-env.toml for a model's whole environment.

Declare runtime, pip requirements, local wheels and code, apt, Maven and R
dependencies, env vars and secrets (by reference) once; validate them, compile
them for MLflow's log_model, and render them for Docker and Databricks.
"""

EPILOG = """\
examples:
  specc init --python 3.11             write a commented starter model-env.toml
  specc validate                       check ./model-env.toml, list every problem
  specc validate --normalized          print the canonical form as JSON
  specc schema > model-env.schema.json editor completion (taplo, VS Code)

exit codes: 0 ok (warnings allowed), 1 invalid input, 2 usage error, 3 internal error.
Run `specc COMMAND --help` for a command's options and examples.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="specc",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"specc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for _name, module in COMMANDS.items():
        mod = importlib.import_module(module)
        p = mod.add_parser(sub)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help/--version/usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args._run(args))
    except KeyboardInterrupt:
        print("specc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # e.g. `specc schema | head`: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        from specc.output import OutputError

        if isinstance(exc, OutputError):  # a file a command writes (init, pin, lock): the user's to fix
            print(f"specc: {exc.message}" + (f"\n  = hint: {exc.hint}" if exc.hint else ""), file=sys.stderr)
            return EXIT_INVALID
        return internal_error(exc)


def internal_error(exc: BaseException) -> int:
    import traceback

    print(
        f"specc: internal error [SPC900]: {type(exc).__name__}: {exc}\n"
        "This is a bug in specc, not in your spec. Please report it with the output of\n"
        "`SPECC_DEBUG=1 specc ...` at https://github.com/specc-dev/specc/issues",
        file=sys.stderr,
    )
    if os.environ.get("SPECC_DEBUG"):
        traceback.print_exception(exc, file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
