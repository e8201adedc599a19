"""``specc init``: write a commented starter model-env.toml."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from specc.commands._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from specc.diagnostics import Diagnostic

HELP = "write a commented starter model-env.toml (from flags, or from a requirements.txt)"
EPILOG = """\
examples:
  specc init                                   ./model-env.toml for the current Python
  specc init models/churn --name churn --python 3.11   a new folder is created
  specc init --requirements requirements.txt   start from an existing requirements file
  specc init --databricks 15.4-ml              pin the Databricks Runtime too

If the folder holds a requirements.txt it is used unless --no-requirements is given,
through the converter of `specc import` (see docs/import.md): requirements, -r files,
-c constraints, index URLs (credentials become declared secrets) and local wheels are
copied in, each with a `# from requirements.txt:N` comment; what cannot be carried over
is listed as a warning. An existing model-env.toml is never replaced unless --force is given.

exit codes: 0 written, 1 model-env.toml exists (no --force) or the written spec has errors,
2 usage error (a bad flag or runtime: nothing written).
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "init",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "dir", nargs="?", default=".", help="the model's folder, created if missing (default: current folder)"
    )
    p.add_argument("--name", help="model name (default: the folder's name)")
    p.add_argument(
        "--python",
        help="Python version, e.g. 3.11 (default: the --databricks runtime's, else the running interpreter's)",
    )
    p.add_argument("--databricks", help="Databricks Runtime, e.g. 15.4-ml or 15.4.x-cpu-ml-scala2.12")
    p.add_argument("--requirements", metavar="FILE", help="requirements file to start from")
    p.add_argument("--no-requirements", action="store_true", help="ignore a requirements.txt in the folder")
    p.add_argument("--force", action="store_true", help="replace an existing model-env.toml")
    return p


def _toml_str(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


Item = tuple[str, str]  # (value, where it came from: "requirements.txt:3")


def _items(values: list[str] | list[Item]) -> list[Item]:
    return [v if isinstance(v, tuple) else (v, "") for v in values]


def _array(key: str, values: list[Item], note: str = "") -> list[str]:
    from specc.importers.writer import comment, toml_string

    lines = [f"{key} = [" + (f"  {note}" if note else "")]
    for value, source in values:
        c = comment(source) if source else ""
        lines.append(f"  {toml_string(value)}," + (f"  {c}" if c else ""))
    lines.append("]")
    return lines


def render_starter(
    name: str,
    python: str,
    databricks: str | None,
    requirements: list[str] | list[Item],
    requirements_file: str | None = None,
    databricks_note: str | None = None,
    *,
    constraints: list[Item] | None = None,
    wheels: list[Item] | None = None,
    index_url: Item | None = None,
    extra_index_urls: list[Item] | None = None,
    secrets: dict[str, str] | None = None,
) -> str:
    """The starter spec's text; ``databricks_note`` comments the runtime line (its key and Python).

    The lists come from :func:`specc.importers.requirements.read_requirements_file` (each value
    with its ``file:line``, written as a ``# from`` comment); ``secrets`` maps each secret name
    to its Databricks ``scope/key``.
    """
    from specc.importers.writer import comment, toml_string

    lines = [
        "# model-env.toml: everything this model needs at run time, in one checked-in file.",
        "# Check it with `specc validate`; editor completion: `specc schema > model-env.schema.json`",
        "# and add `#:schema ./model-env.schema.json` as the first line.",
        "spec-version = 1",
        "",
        "[model]",
        f"name = {_toml_str(name)}",
        "",
        "[runtime]",
        f"python = {_toml_str(python)}                    # log and serve on the same Python",
    ]
    if databricks:
        note = databricks_note or "a spark_version key or a short form"
        lines.append(f"databricks = {_toml_str(databricks)}   # {note}")
    else:
        lines.append('# databricks = "15.4-ml"           # the Databricks Runtime you train on')
    lines += ["", "[python]"]
    pin_note = "# pin exact versions (==): what you trained with"
    if requirements:
        lines += _array("requirements", _items(requirements), pin_note)
    else:
        lines.append(f"requirements = [                  {pin_note}")
        lines.append('  # "scikit-learn==1.5.2",')
        lines.append("]")
    if requirements_file:
        lines.append(f"requirements-files = [{_toml_str(requirements_file)}]")
    if constraints:
        lines += _array("constraints", constraints)
    if wheels:
        lines += _array("wheels", wheels)
    if index_url:
        c = comment(index_url[1])
        lines.append(f"index-url = {toml_string(index_url[0])}" + (f"  {c}" if c else ""))
    if extra_index_urls:
        lines += _array("extra-index-urls", extra_index_urls)
    if not index_url and not extra_index_urls:
        lines.append(
            '# extra-index-urls = ["https://${PYPI_TOKEN}@pkgs.example.com/simple"]  # with [secrets.PYPI_TOKEN]'
        )
    lines += [
        "",
        "# [code]",
        '# paths = ["src/my_package"]         # shipped with the model (MLflow code_paths)',
        "",
        "# [apt]",
        '# packages = ["libgomp1"]',
        "",
        "# [artifacts]",
        '# labels = "data/labels.json"',
        "",
    ]
    for secret, where in sorted((secrets or {}).items()):
        lines += [
            f"[secrets.{secret}]                  # a credential found in the requirements file",
            f"databricks = {toml_string(where)}   # a naming convention: create it, or change this",
            "",
        ]
    lines += [
        "[mlflow]",
        'pip = "exact"                       # pip_requirements: no slow inference at log time',
        "",
    ]
    if databricks:
        # required (SPC359): the root-run init script must not default to /Workspace/Shared
        lines += [
            "[targets.databricks]",
            "# Where the init script and uploaded files go: a folder only you (or your team) can change.",
            '# Create this volume (catalog "main", schema "default") or change the path (SPC359).',
            'libraries-dir = "/Volumes/main/default/specc"',
            "",
        ]
    return "\n".join(lines)


def _converted(path: Path, folder: Path, name: str) -> tuple[dict[str, object], list[Diagnostic]]:
    """The requirements file through the converter of ``specc import``: the keyword arguments
    of :func:`render_starter`, and a diagnostic per thing not carried over (an unreadable file
    is an SPC700 error)."""
    from specc.importers.base import Draft
    from specc.importers.requirements import read_requirements_file
    from specc.importers.writer import complete, notes_to_diagnostics

    draft = Draft("requirements", root=folder)
    read_requirements_file(path, draft, root=folder)
    complete(draft, name=name, python="3", name_source="", python_source="")

    def items(key: str) -> list[Item]:
        entry = draft.entries.get(("python", key))
        return [(str(v), s) for v, s in entry.items] if entry is not None and entry.items is not None else []

    index = draft.entries.get(("python", "index-url"))
    secrets = {n: str(draft.get(("secrets", n, "databricks"))) for n in draft.secrets}
    kwargs: dict[str, object] = {
        "requirements": items("requirements"),
        "constraints": items("constraints"),
        "wheels": items("wheels"),
        "index_url": (str(index.value), index.source) if index is not None else None,
        "extra_index_urls": items("extra-index-urls"),
        "secrets": secrets,
    }
    return kwargs, notes_to_diagnostics(draft.notes, default_file=path.name)


def run(args: argparse.Namespace) -> int:
    from specc.api import check
    from specc.output import write_file_atomic
    from specc.spec import PYTHON_VERSION
    from specc.spec import slug as _slug

    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():  # a missing folder is created when the spec is written
        print(f"specc init: {folder} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    target = folder / "model-env.toml"
    if target.exists() and not args.force:
        print(f"specc init: {target} already exists; pass --force to replace it", file=sys.stderr)
        return EXIT_INVALID
    # the runtime first: it decides the default Python, and nothing is written for an unknown one
    runtime = None
    if args.databricks is not None:
        from specc import runtimes

        key = runtimes.resolve_runtime(args.databricks, gpu=False)
        runtime = runtimes.get_runtime(key) if key else None
        if runtime is None:
            suggestions = runtimes.suggest_runtimes(args.databricks)
            hint = (
                "did you mean " + " or ".join(f'"{s}"' for s in suggestions) + "?"
                if suggestions
                else "`specc runtimes` lists the known runtimes"
            )
            print(f'specc init: unknown Databricks runtime "{args.databricks}"; {hint}', file=sys.stderr)
            return EXIT_USAGE
    if args.python:
        python = args.python
    elif runtime is not None:
        python = runtime.python  # log and serve on the Python the runtime runs (SPC212)
    else:
        python = f"{sys.version_info.major}.{sys.version_info.minor}"
    if not PYTHON_VERSION.matches(python):
        print(f'specc init: invalid --python "{python}" (e.g. 3.11)', file=sys.stderr)
        return EXIT_USAGE
    if runtime is not None and ".".join(python.split(".")[:2]) != runtime.python:
        print(
            f"specc init: --python {python} but Databricks runtime {runtime.key} runs Python {runtime.python}; "
            f"drop --python (it defaults to the runtime's) or pick a runtime with Python {python}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    name = args.name or _slug(folder.resolve().name)
    converted: dict[str, object] = {"requirements": []}
    notes: list[Diagnostic] = []
    candidate = Path(args.requirements) if args.requirements else folder / "requirements.txt"
    if args.requirements and not candidate.is_file():
        print(f"specc init: no such file: {candidate}", file=sys.stderr)
        return EXIT_USAGE
    if candidate.is_file() and not args.no_requirements:
        converted, notes = _converted(candidate, folder, name)
        unreadable = [d for d in notes if d.severity == "error"]
        if unreadable:
            print(f"specc init: {unreadable[0].message}", file=sys.stderr)
            return EXIT_USAGE
    note = f"{runtime.key}: Python {runtime.python}" if runtime is not None else None
    text = render_starter(name, python, args.databricks, databricks_note=note, **converted)  # type: ignore[arg-type]
    # what the flags decide (the model's name, the runtime) is checked before anything is written:
    # a bad flag is a usage error, and the file is not left behind to block the retry (--force)
    from specc.api import check_text

    before = check_text(text, base_dir=folder, name=target.name)
    from_flags = [d for d in before.diagnostics if d.severity == "error" and d.path[:1] in (("model",), ("runtime",))]
    if from_flags:
        from specc.commands._common import report

        report(from_flags, before.sources)
        print("specc init: nothing written; fix the flags above", file=sys.stderr)
        return EXIT_USAGE
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"specc init: cannot create {folder}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    write_file_atomic(target, text)
    result = check(target)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    if notes:  # what the converter could not carry over
        from specc.commands._common import report

        report(notes, {})
    print(f"wrote {target}", file=sys.stderr)
    if errors:
        from specc.commands._common import report

        report(result.diagnostics, result.sources)
        print("fix the problems above, then run `specc validate`", file=sys.stderr)
        return EXIT_INVALID
    print("next: edit it, then run `specc validate`", file=sys.stderr)
    return EXIT_OK
