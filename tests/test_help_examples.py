"""`--help` teaches, and its examples are true: every ``examples:`` line of every command's EPILOG
(and of the top-level EPILOG in specc/cli.py) is run through the real CLI, in a subprocess
(``bash -c``, so redirections, globs and ``&&`` work as a user's shell runs them), in a fresh
temporary workspace, and must exit with the documented code and print no traceback.

The workspace (``_workspace``) is what the examples assume: ./model-env.toml (a copy of
examples/sklearn-basic, with its fresh model-env.lock), ./examples/* (copies of the bundled
examples), ./models/churn (another spec), ./old (an older spec and lock: one pin moved), ./a and ./b
(two specs that differ), the files an example names (requirements.txt, environment.yml, cog.yaml,
...) and real MLflow models: one logged with specc.mlflow.log_model from the sklearn-basic spec to a
temporary sqlite tracking store, registered as ``churn`` (versions 1-3, so ``models:/churn/3``
exists), and copied to the local folders the examples name.  ``import``, ``init`` and ``pin`` run in
folders of their own (an existing model-env.toml would be refused, ``pin`` needs packages that are
installed here).

Placeholders a reader is meant to replace are replaced explicitly (``PLACEHOLDERS``); lines that
need what tests cannot provide are only parsed (``PARSE_ONLY``, each with its reason); lines that
resolve against PyPI with uv run for real, as tests/test_lock.py's do (marked slow, fresh uv cache).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from specc.cli import COMMANDS
from tests.helpers import EXAMPLES, REPO, mlflow_tracking

# --- the examples ---------------------------------------------------------------------------------


def _epilog_examples(epilog: str) -> list[tuple[str, str]]:
    """The (command line, description) pairs of an EPILOG's ``examples:`` block: lines indented by
    exactly two spaces up to the first blank line; the command ends at the first run of 2+ spaces
    (a line indented further only continues the description above it)."""
    lines = epilog.splitlines()
    assert "examples:" in lines, "no examples: block"
    out = []
    for line in lines[lines.index("examples:") + 1 :]:
        if not line.strip():
            break
        m = re.fullmatch(r"  (\S.*?)(?:\s{2,}(.*))?", line)
        if m:
            out.append((m.group(1), m.group(2) or ""))
    return out


def _sources() -> dict[str, str]:
    """{command (or "specc" for the top level): the epilog ``--help`` prints}: the parser's, which is
    the module's EPILOG plus what an option's module adds (specc/pylock.py adds lock's
    ``--format pylock`` examples)."""
    from specc.cli import build_parser

    out = {"specc": build_parser(()).epilog or ""}
    for name in COMMANDS:
        parser = build_parser([name])
        (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        out[name] = sub.choices[name].epilog or ""
    return out


SOURCES = _sources()
CASES = [(cmd, line) for cmd, epilog in SOURCES.items() for line, _desc in _epilog_examples(epilog)]

# README.md and docs/*.md: lines of fenced code blocks that run specc (after an optional "$ "), up to
# a comment or a description (2+ spaces).  A synopsis (``[PATH]``, ``OLD NEW``, ``SOURCE``: an
# upper-case word) and output lines (``specc check: ...``) are not
# commands.  A line an EPILOG already has is run once.
DOC_FILES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _doc_examples() -> list[tuple[str, str]]:
    seen = {line for _cmd, line in CASES}
    out = []
    for path in DOC_FILES:
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r"(?ms)^```[a-z]*\n(.*?)^```", text):
            for raw in block.splitlines():
                line = re.split(r"\s{2,}|\s+#", raw.strip().removeprefix("$ ").strip())[0]
                words = line.split()
                if len(words) < 2 or words[0] != "specc" or words[1] not in COMMANDS:
                    continue
                if "[" in line or any(re.fullmatch(r"[A-Z][A-Z_]+", w) for w in words):
                    continue
                if line not in seen:
                    seen.add(line)
                    out.append((path.relative_to(REPO).as_posix(), line))
    return out


DOC_CASES = _doc_examples()

# Placeholders the reader replaces with their own: {text in the example: workspace-relative value}.
# "{run_id}" and "{tmp}" are filled in per run.
PLACEHOLDERS = {
    "RUN_ID": "{run_id}",
    "<run id>": "{run_id}",
    "/tmp/prev": "{tmp}/prev",  # a fixed /tmp path would collide between test runs
}

# Exit code 1 where the example documents it: the inputs differ (diff's exit code, like diff(1)).
EXIT_1 = {
    "specc diff old/model-env.toml model-env.toml",
    "git worktree add /tmp/prev HEAD~1 && specc diff /tmp/prev/models/churn models/churn",
    "specc diff old/model-env.lock model-env.lock",
    "specc diff a b --format json",
    "specc diff old new",  # docs/diff.md
}

# ./model-env.toml is examples/sklearn-basic, which targets Docker and MLflow; a line about a
# Databricks render runs where ./model-env.toml is a Databricks-ready example instead.
ROOT_EXAMPLE = {
    "specc render --target databricks --out build/dbx --cluster-id 0123-456789-abcdef12": "spark-nlp",
    "specc sbom --target databricks --locked": "spark-nlp",
    "specc render --target databricks --out build/dbx": "spark-nlp",  # docs/databricks.md
    "specc render --target databricks --out build/dbx --model-name main.ml.churn --model-version 3": "spark-nlp",
}

# Lines rendering for Databricks from a registered model alone: churn is then a model logged from a
# spec with a Databricks target.
FROM_DATABRICKS_MODEL = {"specc render --target databricks --from-model models:/churn/3 --out build/dbx"}

# Lines only parsed with the command's own parser (no usage error), with the reason.
PARSE_ONLY = {
    # a Unity Catalog model (catalog.schema.name) lives in a Databricks workspace's registry
    "specc render --target databricks --from-model models:/main.ml.churn/3 --out build/dbx": "Unity Catalog",
}

# Lines run with no conda solver reachable (CONDA_EXE unset, no micromamba/mamba/conda on PATH): the
# line writes model-env.conda.yml and reports (SPC651) that conda-lock was not run; a solve would
# need conda-forge, network beyond PyPI (tests/test_lock.py runs conda-lock where it can).
NO_CONDA_SOLVER = {"specc lock --conda"}

# Lines that resolve against PyPI with uv (like tests/test_lock.py's slow tests).
NEEDS_PYPI = {
    "specc lock",
    "specc lock --upgrade-package numpy",
    "specc lock --upgrade",
    "specc lock --platform linux-aarch64",
    "specc lock --replace-platforms --platform linux-aarch64",
    "specc lock --replace-platforms",
    "specc lock --check --verify",
    "specc lock --format json",
    "specc lock --format pylock --platform linux-aarch64 --pylock-file pylock.arm.toml",
}

# What a line's own text says must come first (run in the same shell, before the line).
BEFORE = {
    "specc lock --format pylock --platform linux-aarch64 --pylock-file pylock.arm.toml": (
        "specc lock --platform linux-aarch64"
    ),
}


def test_every_command_has_examples_and_exit_codes() -> None:
    assert set(SOURCES) == {"specc", *COMMANDS}
    for cmd, epilog in SOURCES.items():
        examples = _epilog_examples(epilog)
        assert examples, f"{cmd}: EPILOG has no example"
        for line, _desc in examples:
            assert line.startswith("specc ") or " && specc " in line, f"{cmd}: {line!r} runs no specc"
            if cmd != "specc":
                assert f"specc {cmd}" in line, f"{cmd}: example {line!r} is another command's"
        assert re.search(r"(?m)^exit codes", epilog), f"{cmd}: EPILOG does not say its exit codes"
    # diff's exit codes are diff(1)'s, not the other commands'
    assert re.search(r"0 no differences, 1 differences, 2 usage error", " ".join(SOURCES["diff"].split()))
    # --help prints the examples as written (a formatter that rewraps them would garble them)
    from tests.helpers import run_cli

    for cmd, epilog in SOURCES.items():
        r = run_cli(*([] if cmd == "specc" else [cmd]), "--help")
        assert r.code == 0 and epilog.strip() in r.out, f"{cmd} --help does not print its EPILOG verbatim"
    listed = (
        set(PARSE_ONLY)
        | NEEDS_PYPI
        | EXIT_1
        | set(ROOT_EXAMPLE)
        | FROM_DATABRICKS_MODEL
        | NO_CONDA_SOLVER
        | set(BEFORE)
    )
    assert listed <= {line for _c, line in CASES + DOC_CASES}, "a listed line is no longer an example"


def test_parse_only_lines_parse() -> None:
    from specc.cli import build_parser

    for line in PARSE_ONLY:
        assert line in {c[1] for c in CASES + DOC_CASES}, f"{line!r} is no longer an example"
        argv = shlex.split(line)[1:]
        parser = build_parser([argv[0]])
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                args = parser.parse_args(argv)
            except SystemExit as exc:  # pragma: no cover - the failure being tested for
                pytest.fail(f"{line}: usage error {exc.code}: {err.getvalue()}")
        assert isinstance(args, argparse.Namespace) and args.command == argv[0]


# --- the workspace --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Real models registered as churn v1-v3 in temporary sqlite stores: ``uri``, logged (sklearn
    flavor) from examples/sklearn-basic's spec, the one ./model-env.toml is; ``dbx_uri``, logged
    (pyfunc) from examples/kitchen-sink's, which has a Databricks target (for a Databricks render
    from the model alone)."""
    import mlflow
    from sklearn.linear_model import LogisticRegression

    import specc
    from specc.mlflow import log_model, log_model_kwargs

    class Echo(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]  # no hints: MLflow reads them
            return model_input

    out: dict[str, Any] = {}
    for key, example in (("uri", "sklearn-basic"), ("dbx_uri", "kitchen-sink")):
        root = tmp_path_factory.mktemp("mlflow-help")
        with mlflow_tracking(root, "specc-help"):
            spec = specc.load(EXAMPLES / example / "model-env.toml")
            with mlflow.start_run() as run:
                if example == "sklearn-basic":
                    sk = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
                    info = log_model(mlflow.sklearn, spec, sk_model=sk, name="model")
                else:
                    kwargs = log_model_kwargs(spec, flavor="pyfunc")
                    info = mlflow.pyfunc.log_model(name="model", python_model=Echo(), **kwargs)
            for _ in range(3):
                mlflow.register_model(info.model_uri, "churn")
            if example == "sklearn-basic":
                out["run_id"] = run.info.run_id
                out["folder"] = Path(mlflow.artifacts.download_artifacts(info.model_uri))
        out[key] = f"sqlite:///{root}/mlflow.db"
    return out


def _copy_example(name: str, dest: Path) -> None:
    shutil.copytree(EXAMPLES / name, dest, dirs_exist_ok=True)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _installed_spec(folder: Path, requirements: str) -> None:
    """A spec whose requirements are installed in this Python (for pin and check --env)."""
    folder.mkdir(parents=True, exist_ok=True)
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    (folder / "model-env.toml").write_text(
        f'spec-version = 1\n\n[runtime]\npython = "{py}"\n\n[python]\nrequirements = [{requirements}]\n'
        'requirements-files = ["requirements.txt"]\n',
        encoding="utf-8",
    )
    (folder / "requirements.txt").write_text("packaging>=20\n", encoding="utf-8")


def _workspace(line: str, tmp: Path, logged: dict[str, Any]) -> Path:
    """A fresh folder holding everything ``line`` names; returns the folder to run it in."""
    from importlib.metadata import version

    from tests import test_import_peers as peers

    ws = tmp / "ws"
    ws.mkdir()
    model = logged["folder"]
    verb = shlex.split(line.split("&&")[-1])[1]  # the specc command the line runs
    if verb == "import":
        files = {
            "requirements.txt": "scikit-learn==1.5.2\npandas==2.2.3\n",
            "environment.yml": "name: churn\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n"
            "  - numpy=1.26\n  - pip\n  - pip:\n    - scikit-learn==1.5.2\n",
            "binder/requirements.txt": "scikit-learn==1.5.2\n",
            "binder/runtime.txt": "python-3.11\n",
            "cfg/reqs.txt": "scikit-learn==1.5.2\n",
            **peers.COG_MINIMAL,
            **peers.BENTO_MINIMAL,
            **peers.TRUSS_MINIMAL,
            **peers.PIXI_MINIMAL,
            **peers.PYLOCK_UV,
        }
        for name, text in files.items():
            (ws / name).parent.mkdir(parents=True, exist_ok=True)
            (ws / name).write_text(text, encoding="utf-8")
        # each line names one source; `specc import .` reads the folder (binder/ only)
        if line != "specc import .":
            shutil.rmtree(ws / "binder")
        shutil.copytree(model, ws / "mlruns/0/abc/artifacts/model")
        return ws
    if verb == "init":
        (ws / "requirements.txt").write_text(
            "scikit-learn==1.5.2\n", encoding="utf-8"
        ) if "--requirements" in line else None
        return ws
    if verb == "pin" or line == "specc check --env":
        reqs = '"packaging>=20"' if verb == "pin" else f'"packaging=={version("packaging")}"'
        _installed_spec(ws, reqs)
        _installed_spec(ws / "models" / "churn", reqs)
        if line == "specc check --env":
            (ws / "model-env.toml").write_text(
                (ws / "model-env.toml").read_text().replace('requirements-files = ["requirements.txt"]\n', ""),
                encoding="utf-8",
            )
        return ws
    _copy_example(ROOT_EXAMPLE.get(line, "sklearn-basic"), ws)
    for name in sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()):
        _copy_example(name, ws / "examples" / name)
    _copy_example("sklearn-basic", ws / "models" / "churn")
    _copy_example("sklearn-basic", ws / "old")
    _edit(ws / "old" / "model-env.toml", "pandas==3.1.1", "pandas==3.0.0")
    _edit(ws / "old" / "model-env.lock", 'name = "pandas"\nversion = "3.1.1"', 'name = "pandas"\nversion = "3.0.0"')
    _copy_example("sklearn-basic", ws / "new")
    _copy_example("sklearn-basic", ws / "a")
    _copy_example("sklearn-basic", ws / "b")
    _edit(ws / "b" / "model-env.toml", '"numpy==2.4.6",', '"numpy==2.4.6",\n  "joblib==1.5.2",')
    for local in ("mlruns/1/models/m-abc/artifacts", "path/to/logged/model"):
        shutil.copytree(model, ws / local)
    if line.startswith("git worktree"):
        _git(ws, "init", "-q")
        _git(ws, "add", "-A")
        _git(ws, "commit", "-q", "-m", "before")
        _edit(ws / "models" / "churn" / "model-env.toml", "pandas==3.1.1", "pandas==3.0.0")
        _git(ws, "commit", "-q", "-am", "after")
    return ws


def _run(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = f'specc() {{ "{sys.executable}" -m specc "$@"; }}\n{line}\n'
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _params() -> list[Any]:
    out = []
    for cmd, line in CASES + DOC_CASES:
        if line in PARSE_ONLY:
            continue
        marks = [pytest.mark.slow] if line in NEEDS_PYPI else []
        out.append(pytest.param(cmd, line, id=f"{cmd}: {line}", marks=marks))
    return out


@pytest.mark.parametrize(("cmd", "line"), _params())
def test_example_runs(cmd: str, line: str, tmp_path: Path, logged: dict[str, Any]) -> None:
    cwd = _workspace(line, tmp_path, logged)
    command = line
    for placeholder, value in PLACEHOLDERS.items():
        command = command.replace(placeholder, value.format(run_id=logged["run_id"], tmp=tmp_path))
    store = logged["dbx_uri"] if line in FROM_DATABRICKS_MODEL else logged["uri"]
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1", MLFLOW_TRACKING_URI=store)
    if line in NEEDS_PYPI:
        env["UV_CACHE_DIR"] = str(tmp_path / "uv-cache")
    if line in NO_CONDA_SOLVER:
        env.pop("CONDA_EXE", None)
        solvers = ("micromamba", "mamba", "conda")
        dirs = env.get("PATH", "").split(os.pathsep)
        env["PATH"] = os.pathsep.join(d for d in dirs if not any((Path(d) / s).exists() for s in solvers))
    if line in BEFORE:
        command = f"{BEFORE[line]} && {command}"
    r = _run(command, cwd, env)
    expected = 1 if line in EXIT_1 else 0
    report = f"$ {command}\n(exit {r.returncode}, documented {expected})\n"
    report += f"--- stdout\n{r.stdout[-3000:]}\n--- stderr\n{r.stderr[-5000:]}"
    assert "Traceback" not in r.stdout + r.stderr, report
    assert r.returncode == expected, report
    if line in NO_CONDA_SOLVER:
        assert (cwd / "model-env.conda.yml").is_file() and "SPC651" in r.stderr, report


# --- `specc init DIR` creates DIR (its example `specc init models/churn ...` assumed it) ------------


def test_init_creates_a_missing_folder_and_only_when_it_writes(tmp_path: Path) -> None:
    from tests.helpers import run_cli

    r = run_cli("init", "models/churn", "--name", "churn", "--python", "3.11", cwd=tmp_path)
    assert r.code == 0, r.err
    assert 'name = "churn"' in (tmp_path / "models" / "churn" / "model-env.toml").read_text(encoding="utf-8")
    # a bad flag: a usage error, and no folder is left behind
    r = run_cli("init", "other/new", "--python", "three", cwd=tmp_path)
    assert r.code == 2 and "invalid --python" in r.err and not (tmp_path / "other").exists()
    # a file where the folder should be: a usage error, not a traceback
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for target in ("file", "file/sub"):
        r = run_cli("init", target, "--python", "3.11", cwd=tmp_path)
        assert r.code == 2 and r.err.startswith("specc init: "), r.err
    assert (tmp_path / "file").read_text(encoding="utf-8") == "x"
