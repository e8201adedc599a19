"""The README's reproducible CI block runs verbatim on the examples with a committed model-env.lock.

The commands are read from README.md ("Reproducible from training to deploy", the lines after
``# CI``) and run with a shell in a copy of each locked example, as a CI job would run them.
The block's ``specc check --model models:/churn/3`` line needs a model registry: it runs against
a sqlite one, with the model logged from ``specc compile --locked``'s output and registered as
version 3 of ``churn``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from specc.lockfile import read_lock, stale_parts
from tests.helpers import EXAMPLES, example_names

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: examples whose every requirement is on PyPI; the others need a private index and its credentials
PYPI_ONLY = ["gpu-torch", "r-forecast", "sklearn-basic", "spark-nlp"]


def _block(title: str) -> list[str]:
    """Commands of the README's reproducible block under the comment ``# <title>`` (comments dropped)."""
    text = README.read_text(encoding="utf-8")
    m = re.search(r"## Reproducible from training to deploy\n+```sh\n(.*?)```", text, re.S)
    assert m, "README.md lost its 'Reproducible from training to deploy' block"
    out: list[str] = []
    inside = False
    for line in m.group(1).splitlines():
        if line.strip() == f"# {title}":
            inside = True
            continue
        if inside and (not line.strip() or line.startswith("# ")):
            break
        if inside:
            out.append(line.split("  #", 1)[0].strip())
    assert out, f"no commands under '# {title}' in README.md"
    return out


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)  # this checkout, as CI's installed specc would be
    env.pop("MLFLOW_TRACKING_URI", None)
    return env


def test_the_pypi_examples_have_fresh_locks() -> None:
    import specc

    assert set(PYPI_ONLY) <= set(example_names())
    for name in PYPI_ONLY:
        lock = read_lock(EXAMPLES / name / "model-env.lock")
        spec = specc.load(EXAMPLES / name / "model-env.toml")
        assert stale_parts(lock, spec) == [], name
        # item 6: an image that serves gets its model server locked without the spec listing it
        from specc.lock import implied_requirements

        assert lock.python.implied_requirements == implied_requirements(spec), name
        names = {p.name for p in lock.python.packages}
        if spec.targets.docker.serve and not {q.name for q in spec.python.requirements} & {"mlflow", "mlflow-skinny"}:
            assert lock.python.implied_requirements and "mlflow-skinny" in names, name
            assert {"uvicorn", "fastapi"} <= names, name  # what `mlflow models serve` imports
            # what only the model server needs is marked, so a target that does not serve leaves it out
            only = {p.name for p in lock.python.packages if p.implied_only}
            assert {"mlflow-skinny", "uvicorn", "fastapi"} <= only, name
            assert not only & {q.name for q in spec.python.requirements}, name
            from specc.lockfile import pip_lines

            served = {line.split("==")[0] for line in pip_lines(lock, hashes=False)}
            not_served = {line.split("==")[0] for line in pip_lines(lock, hashes=False, implied=False)}
            assert served - not_served == only, name


@pytest.mark.slow
@pytest.mark.parametrize("name", PYPI_ONLY)
def test_readme_ci_block_runs_verbatim(name: str, tmp_path: Path) -> None:
    folder = tmp_path / name
    shutil.copytree(EXAMPLES / name, folder)
    for command in _block("CI"):
        proc = subprocess.run(command, shell=True, cwd=folder, env=_env(), capture_output=True, text=True)
        assert proc.returncode == 0, f"{name}: `{command}` failed:\n{proc.stderr}"
    assert (folder / "build" / "mlflow" / "requirements.txt").is_file()
    dockerfile = (folder / "build" / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes" in dockerfile


@pytest.mark.slow
def test_readme_check_model_line_against_a_sqlite_registry(tmp_path: Path) -> None:
    """The model logged from `specc compile --locked`'s output, registered as churn version 3."""
    import json

    import mlflow
    from sklearn.linear_model import LogisticRegression

    import specc
    from specc.mlflow import log_model_kwargs
    from tests.helpers import mlflow_tracking

    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    env = _env()
    compiled = subprocess.run(
        "specc compile --locked --out build/mlflow", shell=True, cwd=folder, env=env, capture_output=True, text=True
    )
    assert compiled.returncode == 0, compiled.stderr
    locked_reqs = json.loads((folder / "build" / "mlflow" / "log_model.json").read_text())["pip_requirements"]
    spec = specc.load(folder / "model-env.toml")
    with mlflow_tracking(tmp_path / "registry", "readme-ci") as root:
        kwargs = {**log_model_kwargs(spec, "sklearn"), "pip_requirements": locked_reqs}
        model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
        for _ in range(3):
            with mlflow.start_run():
                mlflow.sklearn.log_model(sk_model=model, name="model", registered_model_name="churn", **kwargs)
        (line,) = _block("before deploy")
        env["MLFLOW_TRACKING_URI"] = f"sqlite:///{root}/mlflow.db"
        proc = subprocess.run(line, shell=True, cwd=folder, env=env, capture_output=True, text=True)
    assert "models:/churn/3" in line
    assert proc.returncode == 0, proc.stdout + proc.stderr
