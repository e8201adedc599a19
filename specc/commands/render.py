"""``specc render --target docker|databricks|mlflow``: deploy artifacts from one spec.

The parser is built from the registry: ``--target`` offers every backend, and each flag a
target's options model declares (:func:`specc.backends.base.flag`) exists once, marked with
the targets that take it; a flag given to another target is a usage error (exit 2).
``specc compile`` shares :func:`add_target_flags`, :func:`target_options` and :func:`locate`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specc.commands._common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    add_format_argument,
    add_spec_argument,
    add_strict_argument,
    apply_strict,
    report,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from specc.backends.base import Backend, Flag, RenderOptions
    from specc.diagnostics import Diagnostic
    from specc.spec import EnvSpec
    from specc.validate import Result

HELP = "render deploy artifacts: a Docker build context, Databricks init script and API payloads, or MLflow files"
EPILOG = """\
examples:
  specc render --target docker --out build/docker
  specc render --target docker examples/sklearn-basic --out /tmp/ctx --model path/to/logged/model
  specc render --target databricks --out build/dbx --cluster-id 0123-456789-abcdef12
  specc render --target docker --from-model models:/churn/3 --out build/docker
  specc render --target docker --locked --out build/docker   pip --require-hashes from model-env.lock
  specc render --target mlflow --out build/mlflow            the same folder as `specc compile`

The output folder is written atomically: it is either the old folder or the
complete new one, and specc refuses to replace a folder it did not create.
exit codes: 0 ok, 1 invalid spec or the target cannot express it, 2 usage, 3 internal.
"""


def _dest(option: str) -> str:
    return option.lstrip("-").replace("-", "_")


def add_target_flags(p: argparse.ArgumentParser, backends: list[Backend], *, label: bool = True) -> None:
    """Add every flag the ``backends``' options declare, once each (the first declaration's help;
    ``label``: prefixed with the targets that take it)."""
    from specc.backends.base import flags_of

    seen: dict[str, tuple[Flag, list[str]]] = {}
    for backend in backends:
        for f in flags_of(backend.options_type).values():
            seen.setdefault(f.option, (f, []))[1].append(backend.name)
    for option, (f, names) in seen.items():
        help_text = f"{', '.join(names)}: {f.help}" if label and len(names) < len(backends) else f.help
        if f.kind in ("switch", "lock"):
            p.add_argument(option, dest=_dest(option), action="store_true", help=help_text)
        else:
            p.add_argument(option, dest=_dest(option), metavar=f.metavar, help=help_text)


def foreign_flags(backend: Backend, args: argparse.Namespace, all_backends: list[Backend]) -> list[str]:
    """Flags given on the command line that ``backend`` does not take."""
    from specc.backends.base import flags_of

    own = {f.option for f in flags_of(backend.options_type).values()}
    given = {
        f.option for b in all_backends for f in flags_of(b.options_type).values() if getattr(args, _dest(f.option))
    }
    return sorted(given - own)


class OptionError(Exception):
    """A flag's value cannot be used (a model that does not resolve, a stale lock)."""


def target_options(backend: Backend, args: argparse.Namespace, spec: EnvSpec, **common: Any) -> RenderOptions:
    """``backend``'s options from the parsed flags (``kind`` says how each value is turned into
    the option) plus ``common`` fields (strict, from_model...).  Raises :class:`OptionError`."""
    from specc.backends.base import flags_of

    values: dict[str, Any] = dict(common)
    for field_name, f in flags_of(backend.options_type).items():
        raw = getattr(args, _dest(f.option))
        if raw is None or raw is False:  # not given
            continue
        if isinstance(raw, str) and not raw.strip():  # given empty: never a default in disguise
            raise OptionError(f"{f.option} is empty: give it a value, or leave the flag out for the default")
        if f.kind == "model":
            from specc.envartifact import FromModelError, resolve_model_dir

            try:
                values[field_name] = resolve_model_dir(raw)
            except FromModelError as exc:
                raise OptionError(str(exc)) from exc
        elif f.kind == "lock":
            from specc.lockfile import LockError, load_fresh_lock

            try:
                values[field_name] = load_fresh_lock(spec, target=backend.name)
            except LockError as exc:
                hint = f"\n  = hint: {exc.hint}" if exc.hint else ""
                text = str(exc) if str(exc).startswith(f.option) else f"{f.option}: {exc}"
                raise OptionError(f"error[{exc.code}] {text}{hint}") from exc
        else:
            values[field_name] = raw
    return backend.options_type(**values)


def locate(diagnostics: list[Diagnostic], spec: EnvSpec, result: Result | None) -> list[Diagnostic]:
    """Place a target's diagnostics (normalized paths, no span) in the spec's files.

    Through the validation result's origins and parsed document (``Result.locate``): the spec
    is never read or parsed a second time.  A spec rebuilt from a logged model has no result.
    """
    if result is None or not diagnostics:
        return diagnostics
    return result.locate(diagnostics)


class ModelCheckError(Exception):
    """The model given with ``--model`` cannot be read (no or a malformed MLmodel, unreadable files)."""


#: How ``render --model`` reports a finding of ``specc check --model`` when it differs from check:
#: a model logged without specc (no ``specc-environment.json``) can still be served from the
#: spec, so that is a warning; Python versions that differ in the patch only unpickle alike.
_MISSING_ARTIFACT = "SPC520"
_PYTHON_CODES = ("SPC530", "SPC531")


def _for_render(d: Diagnostic) -> Diagnostic:
    from dataclasses import replace

    if d.code == _MISSING_ARTIFACT:
        return replace(
            d,
            severity="warning",
            hint="the image installs the model's requirements.txt and the spec; log the model with "
            "specc.mlflow.log_model (or log_model_kwargs) so `specc check --model` can tell that "
            "its apt, Maven, R, env and runtime needs are the spec's",
        )
    same_minor = bool(d.expected and d.actual and d.expected.split(".")[:2] == d.actual.split(".")[:2])
    if d.code in _PYTHON_CODES and same_minor:
        return replace(d, severity="warning", message=d.message + " (same minor version: it loads alike)")
    return d


def check_model(
    spec: EnvSpec, options: RenderOptions, *, display: str | None = None
) -> tuple[RenderOptions, list[Diagnostic], dict[str, str]]:
    """``render --model``: read the model's MLmodel once and compare the model with the spec.

    Returns the options carrying the MLmodel (targets read it from there, never from the
    file), the findings of ``specc check --model`` (:func:`specc.drift.model_report`, with
    ``options.locked`` as the lock) with the render severities of :func:`_for_render` (a
    Python minor mismatch stays an error), and the model files' text for excerpts.
    Raises :class:`ModelCheckError` when the model cannot be read.
    """
    from dataclasses import replace

    from specc.drift import CheckError, model_report
    from specc.mlmodel import MLmodelError, read_mlmodel

    assert options.model_dir is not None
    try:
        mlmodel = read_mlmodel(options.model_dir)
        report = model_report(
            spec, options.model_dir, lock=getattr(options, "locked", None), display=display, mlmodel=mlmodel
        )
    except (MLmodelError, CheckError) as exc:
        raise ModelCheckError(str(exc)) from None
    return replace(options, mlmodel=mlmodel), [_for_render(d) for d in report.diagnostics], report.sources


#: add_parser receives the command line (specc.cli.build_parser): see :func:`flag_targets`
ARGV_AWARE = True

#: render's own options, whatever the target
_OPTIONS = frozenset({"--target", "-t", "--out", "-o", "--strict", "--format", "--from-model"})


def flag_targets(argv: Sequence[str] | None) -> list[Backend]:
    """The targets whose flags the parser takes: the one ``argv`` names with ``--target``, when
    every other option in ``argv`` is render's own or that target's, written out in full; else
    every target (help, a flag of another target, an abbreviation, no ``argv``), so such a command
    line is parsed and reported exactly as with every flag known.  Only the named target's
    module is imported on the plain path (``render --target docker`` loads no Databricks code)."""
    from specc.backends import BACKENDS
    from specc.backends.base import flags_of

    every = list(BACKENDS.values())
    if argv is None:
        return every
    tokens = list(argv)
    target = None
    for i, arg in enumerate(tokens):
        if arg in ("--target", "-t") and i + 1 < len(tokens):
            target = tokens[i + 1]
        elif arg.startswith("--target="):
            target = arg.partition("=")[2]
        elif arg.startswith("-t") and not arg.startswith("--") and len(arg) > 2:
            target = arg[2:]
    if target not in BACKENDS:
        return every
    own = BACKENDS[target]
    known = _OPTIONS | {f.option for f in flags_of(own.options_type).values()}
    for arg in tokens:
        if arg == "--":
            break
        if not arg.startswith("-") or arg == "-":
            continue
        if arg.partition("=")[0] in known or (arg[:2] in ("-t", "-o") and not arg.startswith("--") and arg != "-h"):
            continue
        return every
    return [own]


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], argv: Sequence[str] | None = None
) -> argparse.ArgumentParser:
    from specc.backends import BACKENDS

    p = sub.add_parser(
        "render",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_spec_argument(p)
    p.add_argument("--target", "-t", required=True, choices=sorted(BACKENDS), help="what to render")
    p.add_argument("--out", "-o", required=True, type=Path, help="output folder (written atomically)")
    add_strict_argument(p)
    add_format_argument(p)
    p.add_argument(
        "--from-model",
        metavar="MODEL_URI_OR_DIR",
        help="render from a logged MLflow model and its specc-environment.json instead of a spec",
    )
    flagged = flag_targets(argv)
    add_target_flags(p, flagged)
    p.set_defaults(_flag_targets=tuple(b.name for b in flagged))
    return p


def run(args: argparse.Namespace) -> int:
    from specc.backends import BACKENDS, write_output
    from specc.commands._common import load_for_command
    from specc.output import OutputError, check_out_dir

    backend = BACKENDS[args.target]
    foreign = foreign_flags(backend, args, [BACKENDS[name] for name in args._flag_targets])
    if foreign:
        print(f"specc render: {', '.join(foreign)} does not apply to --target {args.target}", file=sys.stderr)
        return EXIT_USAGE
    if args.from_model and getattr(args, "locked", False):
        print("specc render: --locked needs a spec and its model-env.lock, not --from-model", file=sys.stderr)
        return EXIT_USAGE
    try:
        check_out_dir(args.out)
    except OutputError as exc:
        print(f"specc render: {exc.message}" + (f"\n  = hint: {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return EXIT_INVALID

    common: dict[str, Any] = {"strict": args.strict}
    result = None
    if args.from_model:
        from specc.envartifact import FromModelError, load_from_model

        try:
            loaded = load_from_model(args.from_model)
        except FromModelError as exc:
            print(f"specc render: {exc}", file=sys.stderr)
            return EXIT_INVALID
        spec = loaded.spec
        common.update(
            from_model=True,
            model_dir=loaded.model_dir,
            model_databricks_runtime=loaded.databricks_runtime,
            model_uri=str(args.from_model),
            mlmodel=loaded.mlmodel,
        )
        sources: dict[str, str] = {}
    else:
        # the target's own capability table is checked once, by its render below (the same table
        # `specc validate` consults); other targets' warnings do not belong in this command's output
        loaded_spec, result = load_for_command(args.path, strict=args.strict, fmt=args.format, targets=())
        sources = result.sources
        if loaded_spec is None:
            if args.format == "json":
                report(result.diagnostics, sources, "json", stream=sys.stdout)
            return EXIT_INVALID
        spec = loaded_spec
    try:
        options = target_options(backend, args, spec, **common)
    except OptionError as exc:
        print(f"specc render: {exc}", file=sys.stderr)
        return EXIT_INVALID
    found: list[Diagnostic] = []
    if options.model_dir is not None and not args.from_model:
        try:
            options, found, model_sources = check_model(spec, options, display=getattr(args, "model", None))
        except ModelCheckError as exc:
            print(f"specc render: {exc}", file=sys.stderr)
            return EXIT_INVALID
        sources = {**sources, **model_sources}
    rendered = backend.render(spec, options)
    # the model's findings name the model's files (or the spec entry concerned) as `specc check` does
    diags = apply_strict(found + locate(rendered.diagnostics, spec, result), args.strict)
    failed = any(d.severity == "error" for d in diags)
    if args.format == "json":
        report(diags, sources, "json", stream=sys.stdout)
    else:
        report(diags, sources)
    if failed:
        print(f"specc render: nothing written; fix the errors above ({args.target})", file=sys.stderr)
        return EXIT_INVALID
    try:
        write_output(rendered, spec, backend.name, args.out)
    except OutputError as exc:
        print(f"specc render: {exc.message}", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "text":
        print(f"wrote {args.out}/ ({args.target}, {len(rendered.files)} files)", file=sys.stderr)
    return EXIT_OK
