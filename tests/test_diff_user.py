"""``specc diff`` as a user meets it: faults found by using it on real model repositories, each
turned into a test together with the other cases of the same kind.

- a model MLflow logged without specc: the lines MLflow adds itself (its own ``mlflow==`` pin,
  the flavor's default requirements) are allowances, compared only when the other side names
  the package -- never dropped from the comparison when the spec pins the same package (the
  sklearn model's ``scikit-learn==1.9.1`` against a spec's ``scikit-learn==1.9.1`` was shown
  as "+ added").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from specc.diff import DiffResult, diff
from tests.helpers import REPO, run_cli

# MLmodel as MLflow 3 writes it for `mlflow.sklearn.log_model(model, name="plain")` (skops
# format outside Databricks); python_env.yaml likewise.
_MLMODEL = """\
artifact_path: plain
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.skops
    predict_fn: predict
    python_version: 3.11.7
  sklearn:
    code: null
    pickled_model: model.skops
    serialization_format: skops
    sklearn_version: 1.9.1
mlflow_version: 3.17.2
model_uuid: 0f4c2a3e0a6d4e0c9d0b8f2b1c3d4e5f
utc_time_created: '2026-11-30 12:16:11.521047'
"""
_PYTHON_ENV = "python: 3.11.7\nbuild_dependencies:\n- pip==26.3\ndependencies:\n- -r requirements.txt\n"


def bare_model(folder: Path, requirements: str) -> Path:
    """A sklearn model folder as MLflow logs it without specc (no specc-environment.json)."""
    # the sklearn flavor's default requirements are read from MLflow's own flavor module
    pytest.importorskip("mlflow")
    pytest.importorskip("sklearn")
    folder.mkdir(parents=True)
    (folder / "MLmodel").write_text(_MLMODEL, encoding="utf-8")
    (folder / "python_env.yaml").write_text(_PYTHON_ENV, encoding="utf-8")
    (folder / "requirements.txt").write_text(requirements, encoding="utf-8")
    return folder


def spec(folder: Path, *requirements: str) -> Path:
    folder.mkdir(parents=True)
    reqs = ", ".join(f'"{r}"' for r in requirements)
    text = f'spec-version = 1\n[model]\nname = "churn"\n[runtime]\npython = "3.11"\n[python]\nrequirements = [{reqs}]\n'
    (folder / "model-env.toml").write_text(text, encoding="utf-8")
    return folder / "model-env.toml"


def pip_changes(result: DiffResult) -> list[tuple[str, str, str | None, str | None]]:
    return [(c.name, c.change, c.old, c.new) for c in result.changes if c.ecosystem == "pip"]


LOGGED = "mlflow==3.17.2\nnumpy==2.4.6\npandas==3.1.1\nscikit-learn==1.9.1\nskops==0.16.0\n"


def test_flavor_default_the_spec_pins_alike_is_no_change(tmp_path: Path) -> None:
    model = bare_model(tmp_path / "plain", LOGGED)
    new = spec(tmp_path / "spec", "scikit-learn==1.9.1", "pandas==3.1.1", "numpy==2.4.6")
    result = diff(str(model), str(new))
    assert pip_changes(result) == []  # not "+ scikit-learn ==1.9.1"
    assert not result.differs
    assert run_cli("diff", str(model), str(new)).code == 0


def test_flavor_default_the_spec_pins_otherwise_is_a_change(tmp_path: Path) -> None:
    model = bare_model(tmp_path / "plain", LOGGED)
    new = spec(tmp_path / "spec", "scikit-learn==1.5.2", "pandas==3.1.1", "numpy==2.4.6")
    assert pip_changes(diff(str(model), str(new))) == [("scikit-learn", "changed", "==1.9.1", "==1.5.2")]
    # the other direction: the spec is OLD, the model NEW
    assert pip_changes(diff(str(new), str(model))) == [("scikit-learn", "changed", "==1.5.2", "==1.9.1")]


def test_mlflow_pin_is_compared_only_when_the_spec_names_mlflow(tmp_path: Path) -> None:
    model = bare_model(tmp_path / "plain", LOGGED)
    same = spec(tmp_path / "same", "scikit-learn==1.9.1", "pandas==3.1.1", "numpy==2.4.6", "mlflow==3.17.2")
    older = spec(tmp_path / "older", "scikit-learn==1.9.1", "pandas==3.1.1", "numpy==2.4.6", "mlflow==3.1.0")
    unnamed = spec(tmp_path / "unnamed", "scikit-learn==1.9.1", "pandas==3.1.1", "numpy==2.4.6")
    assert pip_changes(diff(str(model), str(same))) == []
    assert pip_changes(diff(str(model), str(older))) == [("mlflow", "changed", "==3.17.2", "==3.1.0")]
    assert pip_changes(diff(str(model), str(unnamed))) == []  # MLflow's own pin is not "removed"


def test_allowances_the_spec_does_not_name_are_never_added_or_removed(tmp_path: Path) -> None:
    model = bare_model(tmp_path / "plain", LOGGED + "cloudpickle==3.1.3\n")
    new = spec(tmp_path / "spec", "pandas==3.1.1", "numpy==2.4.6", "xgboost==2.1.1")
    assert pip_changes(diff(str(model), str(new))) == [("xgboost", "added", None, "==2.1.1")]
    assert pip_changes(diff(str(new), str(model))) == [("xgboost", "removed", "==2.1.1", None)]


def test_two_bare_models_compare_their_flavor_defaults(tmp_path: Path) -> None:
    old = bare_model(tmp_path / "old", LOGGED)
    new = bare_model(tmp_path / "new", LOGGED.replace("scikit-learn==1.9.1", "scikit-learn==1.9.2"))
    assert pip_changes(diff(str(old), str(new))) == [("scikit-learn", "changed", "==1.9.1", "==1.9.2")]
    # a default one model has and the other lacks is MLflow's doing, not a difference
    fewer = bare_model(tmp_path / "fewer", LOGGED.replace("skops==0.16.0\n", ""))
    assert pip_changes(diff(str(old), str(fewer))) == []


# --- a Databricks restart reason says what changed ---------------------------------------------------
# Found: adding an exclusion to a Maven package said "cluster library changed: maven
# org.xerial:sqlite-jdbc:3.45.1.0 → maven org.xerial:sqlite-jdbc:3.45.1.0".

MAVEN_TABLE = '{{ coordinates = "org.xerial:sqlite-jdbc:3.45.1.0"{extra} }}'


def dbx_spec(folder: Path, maven_extra: str = "", wheel: bytes | None = None) -> Path:
    folder.mkdir(parents=True)
    lines = [
        "spec-version = 1",
        '[model]\nname = "fraud"',
        '[runtime]\npython = "3.11"\ndatabricks = "15.4.x-cpu-ml-scala2.12"',
        '[python]\nrequirements = ["lightgbm==4.3.0"]',
    ]
    if wheel is not None:
        (folder / "dist").mkdir()
        (folder / "dist" / "featurizer-0.3.0-py3-none-any.whl").write_bytes(wheel)
        lines.append('wheels = ["dist/featurizer-0.3.0-py3-none-any.whl"]')
    lines.append("[maven]\npackages = [" + MAVEN_TABLE.format(extra=maven_extra) + "]")
    lines.append('[targets.databricks]\nlibraries-dir = "/Volumes/ml/fraud/libs"')
    lines.append('[targets.databricks.cluster]\nnode-type = "i3.xlarge"\nworkers = 2')
    (folder / "model-env.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _reasons(old: Path, new: Path) -> list[str]:
    cluster = diff(str(old), str(new)).targets["databricks"].databricks
    assert cluster is not None and cluster.restart is True
    return list(cluster.reasons)


def test_changed_exclusions_are_named(tmp_path: Path) -> None:
    old = dbx_spec(tmp_path / "old", ', exclusions = ["org.slf4j:slf4j-api"]')
    new = dbx_spec(tmp_path / "new", ', exclusions = ["org.slf4j:slf4j-api", "log4j:log4j"]')
    assert _reasons(old, new) == [
        "cluster library changed: maven org.xerial:sqlite-jdbc:3.45.1.0: "
        "exclusions [org.slf4j:slf4j-api] → [log4j:log4j, org.slf4j:slf4j-api]"
    ]
    # removing the only exclusion: the field is gone on NEW's side
    none = dbx_spec(tmp_path / "none")
    assert _reasons(old, none) == [
        "cluster library changed: maven org.xerial:sqlite-jdbc:3.45.1.0: exclusions [org.slf4j:slf4j-api] → (none)"
    ]


def test_a_changed_repository_is_named(tmp_path: Path) -> None:
    old = dbx_spec(tmp_path / "old")
    new = dbx_spec(tmp_path / "new", ', repository = "https://maven.example.com/releases"')
    assert _reasons(old, new) == [
        "cluster library changed: maven org.xerial:sqlite-jdbc:3.45.1.0: repo (none) → https://maven.example.com/releases"
    ]


def test_a_rebuilt_wheel_at_the_same_path_says_its_content_changed(tmp_path: Path) -> None:
    wheel = (REPO / "examples" / "kitchen-sink" / "dist" / "featurizer-0.3.0-py3-none-any.whl").read_bytes()
    old = dbx_spec(tmp_path / "old", wheel=wheel)
    new = dbx_spec(tmp_path / "new", wheel=wheel + b"\0")
    remote = "/Volumes/ml/fraud/libs/fraud/wheels/featurizer-0.3.0-py3-none-any.whl"
    assert f"cluster library changed: whl {remote}: the file's content (sha256)" in _reasons(old, new)


def test_a_version_change_still_reads_old_to_new(tmp_path: Path) -> None:
    old = dbx_spec(tmp_path / "old")
    new = dbx_spec(tmp_path / "new")
    text = (new / "model-env.toml").read_text(encoding="utf-8").replace("3.45.1.0", "3.46.0.0")
    (new / "model-env.toml").write_text(text, encoding="utf-8")
    assert _reasons(old, new) == [
        "cluster library changed: maven org.xerial:sqlite-jdbc:3.45.1.0 → maven org.xerial:sqlite-jdbc:3.46.0.0"
    ]


# --- a spec taken out of git history ---------------------------------------------------------------
# Found: `git show HEAD~1:model-env.toml > old.toml; specc diff old.toml .` fails with SPC204 for every
# relative path and says only "invalid input": the way that works (a worktree) was not said.


def _git(cwd: Path, *argv: str) -> str:
    import os
    import subprocess

    env = {"GIT_AUTHOR_NAME": "u", "GIT_AUTHOR_EMAIL": "u@x", "GIT_COMMITTER_NAME": "u", "GIT_COMMITTER_EMAIL": "u@x"}
    proc = subprocess.run(
        ["git", *argv], cwd=cwd, capture_output=True, text=True, env={**os.environ, **env}, check=True
    )
    return proc.stdout


def test_a_spec_copied_out_of_history_is_told_to_use_a_worktree(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "reqs").mkdir(parents=True)
    (repo / "reqs" / "requirements.txt").write_text("xgboost==2.1.1\n", encoding="utf-8")
    (repo / "model-env.toml").write_text(
        'spec-version = 1\n[model]\nname = "churn"\n[runtime]\npython = "3.11"\n'
        '[python]\nrequirements-files = ["reqs/requirements.txt"]\n',
        encoding="utf-8",
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    (repo / "reqs" / "requirements.txt").write_text("xgboost==2.1.2\n", encoding="utf-8")
    _git(repo, "commit", "-qam", "two")

    old = tmp_path / "old.toml"
    old.write_text(_git(repo, "show", "HEAD~1:model-env.toml"), encoding="utf-8")
    r = run_cli("diff", str(old), str(repo))
    assert r.code == 2 and "SPC204" in r.err
    assert "git worktree add" in r.err and "relative to its folder" in r.err
    # what the hint says works: the requirements-file-only change is found
    _git(repo, "worktree", "add", "-q", str(tmp_path / "prev"), "HEAD~1")
    r = run_cli("diff", str(tmp_path / "prev"), str(repo))
    assert r.code == 1 and "~ pip xgboost ==2.1.1 → ==2.1.2" in r.out
    # an input that is invalid for another reason gets no such hint
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "model-env.toml").write_text("spec-version = 1\n[runtime]\n", encoding="utf-8")
    assert "git worktree" not in run_cli("diff", str(tmp_path / "bad"), str(repo)).err
