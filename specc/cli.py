"""The ``specc`` command line: argument parsing and dispatch only.

Each command lives in ``specc/commands/<name>.py`` with ``add_parser`` and
``run``; modules are light at import time (heavy libraries such as mlflow are
imported inside ``run``), so ``specc --help`` and ``specc validate`` start fast.

Exit codes: 0 ok (warnings allowed), 1 invalid input or a failed check,
2 usage error, 3 internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Collection, Sequence

from specc import __version__

# An explicit registry (pre-commit's style): command name → (module, one-line help).  The help
# is the module's HELP (tests/test_cli.py checks they agree), kept here so `specc --help` and
# every other command list the commands without importing their modules: `specc validate`
# imports only specc.commands.validate.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": (
        "specc.commands.validate",
        "check a model-env.toml and report every problem (file:line:col, code, hint)",
    ),
    "init": (
        "specc.commands.init",
        "write a commented starter model-env.toml (from flags, or from a requirements.txt)",
    ),
    "schema": (
        "specc.commands.schema",
        "print the JSON Schema of model-env.toml (for editor completion), or --check it is fresh",
    ),
    "runtimes": (
        "specc.commands.runtimes",
        "list the known Databricks runtimes with their Python, Spark and Scala versions",
    ),
    "compile": (
        "specc.commands.compile",
        "compile the spec into MLflow log_model arguments (requirements, conda env, code paths, artifacts)",
    ),
    "render": (
        "specc.commands.render",
        "render deploy artifacts: a Docker build context, Databricks init script and API payloads, or MLflow files",
    ),
    "lock": (
        "specc.commands.lock",
        "resolve the spec's dependencies into model-env.lock (hashed pins, runtime-aware) or check it is fresh",
    ),
    "pin": (
        "specc.commands.pin",
        "pin the spec's requirements to the versions installed in this Python environment",
    ),
    "check": (
        "specc.commands.check",
        "compare the spec with a logged MLflow model (--model) or with this Python environment (--env)",
    ),
    "sbom": (
        "specc.commands.sbom",
        "write a CycloneDX 1.6 SBOM of what each target ships (pip, apt, Maven, CRAN, private files, base)",
    ),
    "diff": (
        "specc.commands.diff",
        "compare two specs, locks or logged models: packages, Docker layers rebuilt, Databricks restart",
    ),
    "explain": (
        "specc.commands.explain",
        "explain each line of a rendered output: the spec entry (file:line:col) and the rule that produced it",
    ),
    "import": (
        "specc.commands.import_",
        "write a model-env.toml from another format: requirements.txt, environment.yml, repo2docker, "
        "cog, BentoML, Truss, pixi, pylock.toml or an MLflow model",
    ),
}

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of the output went away

DESCRIPTION = """\
specc: one checked-in model-env.toml for a model's whole environment.

Declare runtime, pip requirements, local wheels and code, apt, Maven and R
dependencies, env vars and secrets (by reference) once; validate them, compile
them for MLflow's log_model, and render them for Docker and Databricks.
"""

EPILOG = """\
examples:
  specc init --python 3.11               write a commented starter model-env.toml
  specc validate                         check ./model-env.toml, list every problem
  specc validate --normalized            print the canonical form as JSON
  specc schema > model-env.schema.json   editor completion (taplo, VS Code)

exit codes: 0 ok (warnings allowed), 1 invalid input, 2 usage error, 3 internal error.
Run `specc COMMAND --help` for a command's options and examples.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(commands: Collection[str] | None = None, argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``specc`` parser.  ``commands``: the commands whose own parsers (options, help,
    ``run``) are built, importing their modules; the others are listed by name and one-line
    help only.  None builds every command.  ``argv``: the command line about to be parsed, for
    a command module that declares ``ARGV_AWARE = True`` (its ``add_parser(sub, argv)`` may then
    build only what that command line can use: ``render`` adds one target's flags)."""
    parser = _Parser(
        prog="specc",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"specc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help) in COMMANDS.items():
        if commands is not None and name not in commands:
            sub.add_parser(name, help=help)  # listed in `specc --help`; never parsed (see main)
            continue
        mod = importlib.import_module(module)
        p = mod.add_parser(sub, argv) if getattr(mod, "ARGV_AWARE", False) else mod.add_parser(sub)
        p.set_defaults(_run=mod.run)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first word that is not an option (the top-level parser
    has only ``-h`` and ``--version``, which take no value)."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["--version"]:  # before anything is built or imported
        print(f"specc {__version__}")
        return EXIT_OK
    # pydantic scans every installed distribution's entry points for plugins (importlib.metadata,
    # ~15-20 ms) the first time it builds a model, unless PYDANTIC_DISABLE_PLUGINS is "__all__",
    # "1" or "true" (pydantic/plugin/_loader.py).  specc's own models use no plugin, so the
    # command line skips the scan, unless the user set the variable (then theirs applies).  Only
    # here, not on `import specc`: a program using specc as a library keeps its plugins.  Child
    # processes specc starts inherit it, which only matters to a pydantic program among them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    command = _command_in(args_in)
    parser = build_parser([command] if command in COMMANDS else (), args_in)
    try:
        args, extras = parser.parse_known_args(args_in)
        if extras:  # the command's own usage, not the top level's (`specc validate --strcit`)
            _parser_of(parser, getattr(args, "command", None)).error(_unrecognized(parser, args, extras))
    except SystemExit as exc:  # argparse exits on --help/--version/usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from specc.gcpause import paused

    try:
        # one command per process: the cyclic collector pauses for it (see specc.gcpause)
        with paused():
            return int(args._run(args))
    except KeyboardInterrupt:
        print("specc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`specc validate | head -1`): nothing more can be said, and the
        # command's verdict is unknown, so it is not reported as success; 141 is what a process
        # killed by SIGPIPE reports (128 + 13), as other command-line tools do here
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        import errno

        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO) and exc.filename is None:
            # writing the standard streams failed (a full disk, `> /dev/full`): not a bug of ours
            with contextlib.suppress(OSError):
                print(f"specc: cannot write the output: {exc.strerror}", file=sys.stderr)
            return EXIT_INVALID
        return _failed(exc, command)
    except Exception as exc:
        return _failed(exc, command)


def _parser_of(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    """The parser of ``command`` (the top-level one when there is none)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            return action.choices[command]  # type: ignore[no-any-return]
    return parser


def _unrecognized(parser: argparse.ArgumentParser, args: argparse.Namespace, extras: list[str]) -> str:
    """argparse's message for arguments nobody takes, with the nearest option of the command."""
    message = f"unrecognized arguments: {' '.join(extras)}"
    flags = [a.split("=", 1)[0] for a in extras if a.startswith("--")]
    if not flags:
        return message
    import difflib

    own = _parser_of(parser, getattr(args, "command", None))
    names = [o[2:] for a in own._actions for o in a.option_strings if o.startswith("--")]
    close = difflib.get_close_matches(flags[0][2:], names, n=1, cutoff=0.7)  # the words, not the dashes
    return message + (f" (did you mean --{close[0]}?)" if close else f"; see `{own.prog} --help`")


def _failed(exc: Exception, command: str | None) -> int:
    """The exit code (and message) for an exception a command let out."""
    from specc.output import OutputError

    if isinstance(exc, OutputError):  # a file a command writes (init, pin, lock): the user's to fix
        print(f"specc: {exc.message}" + (f"\n  = hint: {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return EXIT_INVALID
    if isinstance(exc, PermissionError):  # the OS refused a path no check of the command foresaw
        # diff keeps exit code 1 for "differs" (docs/diff.md): invalid input is 2 there
        return permission_denied(exc, EXIT_USAGE if command == "diff" else EXIT_INVALID)
    return internal_error(exc)


def console() -> None:
    """The ``specc`` console script (and ``python -m specc``): :func:`main`, then exit.

    The exit skips the interpreter's teardown (freeing every module and object one by one), which
    costs a short command about as much as its own work (``bench/startup.py``: ~13 ms of ~105 ms
    for ``validate``).  Only the teardown is skipped: standard streams are flushed and the
    ``atexit`` handlers run (logging, temporary folders, coverage...), exactly as at a normal
    exit.  It is skipped only when nothing else could still need the interpreter: no other thread
    is alive and the streams flush cleanly; otherwise the exit is Python's usual one.  A program
    calling :func:`main` itself gets its return code and keeps its interpreter.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # e.g. a closed pipe: Python's own exit reports and handles it
        sys.exit(code)
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        sys.exit(code)
    os._exit(code)


def permission_denied(exc: PermissionError, exit_code: int) -> int:
    """SPC135 for a path the operating system refuses (``exc.filename``, else the message); returns
    ``exit_code`` (1; 2 for ``specc diff``, whose 1 means "differs")."""
    from specc.commands._common import report
    from specc.diagnostics import Diagnostic

    where = exc.filename if exc.filename is not None else None
    shown = os.fsdecode(where) if where is not None else str(exc)
    diag = Diagnostic.error(
        "SPC135",
        message=f"cannot access {shown}: permission denied",
        hint="check the permissions of that path and of the folders above it (a folder needs x to be entered); "
        "nothing was written",
        file=shown if where is not None else None,
    )
    report([diag], {})
    return exit_code


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
