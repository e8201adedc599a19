"""``specc init``: write a commented starter model-env.toml."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from specc.commands._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE

HELP = "write a commented starter model-env.toml (from flags, or from a requirements.txt)"
EPILOG = """\
examples:
  specc init                                   ./model-env.toml for the current Python
  specc init models/churn --name churn --python 3.11
  specc init --requirements requirements.txt   start from an existing requirements file
  specc init --databricks 15.4-ml              pin the Databricks Runtime too

If the folder holds a requirements.txt it is used unless --no-requirements is given:
plain pins are copied into python.requirements; a file with -r/-c lines is referenced
via python.requirements-files instead. An existing model-env.toml is never replaced
unless --force is given.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "init",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("dir", nargs="?", default=".", help="the model's folder (default: current folder)")
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


def render_starter(
    name: str,
    python: str,
    databricks: str | None,
    requirements: list[str],
    requirements_file: str | None,
    databricks_note: str | None = None,
) -> str:
    """The starter spec's text; ``databricks_note`` comments the runtime line (its key and Python)."""
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
    if requirements:
        lines.append("requirements = [                  # pin exact versions (==): what you trained with")
        lines += [f"  {_toml_str(r)}," for r in requirements]
        lines.append("]")
    else:
        lines.append("requirements = [                  # pin exact versions (==): what you trained with")
        lines.append('  # "scikit-learn==1.5.2",')
        lines.append("]")
    if requirements_file:
        lines.append(f"requirements-files = [{_toml_str(requirements_file)}]")
    lines += [
        '# extra-index-urls = ["https://${PYPI_TOKEN}@pkgs.example.com/simple"]  # with [secrets.PYPI_TOKEN]',
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


def _read_requirements(path: Path) -> tuple[list[str], bool]:
    """(plain requirement lines, whether the file can be inlined)."""
    from packaging.requirements import InvalidRequirement, Requirement

    out: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith("-") or line.endswith("\\"):
            return [], False
        try:
            Requirement(line)
        except InvalidRequirement:
            return [], False
        out.append(line)
    return out, True


def run(args: argparse.Namespace) -> int:
    from specc.api import check
    from specc.output import write_file_atomic
    from specc.spec import PYTHON_VERSION
    from specc.spec import slug as _slug

    folder = Path(args.dir)
    if not folder.is_dir():
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
    reqs: list[str] = []
    req_file: str | None = None
    candidate = Path(args.requirements) if args.requirements else folder / "requirements.txt"
    if args.requirements and not candidate.is_file():
        print(f"specc init: no such file: {candidate}", file=sys.stderr)
        return EXIT_USAGE
    if candidate.is_file() and not args.no_requirements:
        try:
            lines, inline = _read_requirements(candidate)
        except (OSError, UnicodeDecodeError) as exc:
            print(f"specc init: cannot read {candidate}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if inline:
            reqs = lines
        else:
            import os

            req_file = Path(os.path.relpath(candidate.resolve(), folder.resolve())).as_posix()
    note = f"{runtime.key}: Python {runtime.python}" if runtime is not None else None
    text = render_starter(name, python, args.databricks, reqs, req_file, databricks_note=note)
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
    write_file_atomic(target, text)
    result = check(target)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    print(f"wrote {target}", file=sys.stderr)
    if errors:
        from specc.commands._common import report

        report(result.diagnostics, result.sources)
        print("fix the problems above, then run `specc validate`", file=sys.stderr)
        return EXIT_INVALID
    print("next: edit it, then run `specc validate`", file=sys.stderr)
    return EXIT_OK
