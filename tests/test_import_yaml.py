"""The one guard of `specc import`'s YAML readers (specc.importers.base.yaml_alias_problem): a
recursive alias or an alias bomb ("billion laughs") in any YAML input — environment.yml, an
MLflow model's MLmodel, conda.yaml or python_env.yaml, cog.yaml, bentofile.yaml, Truss's
config.yaml — is an error with file:line, never a hang, a RecursionError or a partial output."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from specc.importers.base import YAML_MAX_NODES, yaml_alias_problem
from tests.helpers import run_cli
from tests.test_import_mlflow import DATABRICKS_MODEL
from tests.test_import_requirements import write


def _bomb(indent: str, levels: int = 9) -> str:
    """A mapping whose last key expands to 9**levels scalars."""
    names = "abcdefghijklmn"[: levels + 1]
    text = f"{indent}a: &a [x, x, x, x, x, x, x, x, x]\n"
    for p, c in itertools.pairwise(names):
        text += f"{indent}{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
    return text


RECURSIVE = "&r [*r]"

#: (case, files, source relative to the folder, the file the error names)
CASES = [
    ("env-recursive", {"environment.yml": "dependencies: &d\n  - python=3.11\n  - *d\n"}, "environment.yml",
     "environment.yml"),
    ("env-recursive-map", {"environment.yml": "dependencies: [numpy]\nvariables: &v\n  A: *v\n"}, "environment.yml",
     "environment.yml"),
    ("env-bomb", {"environment.yml": "dependencies:\n  - numpy\nvariables:\n" + _bomb("  ")}, "environment.yml",
     "environment.yml"),
    ("env-bomb-in-deps", {"environment.yml": "x:\n" + _bomb("  ") + "dependencies: *i\n"}, "environment.yml",
     "environment.yml"),
    ("mlmodel-recursive", {**DATABRICKS_MODEL, "MLmodel": DATABRICKS_MODEL["MLmodel"] + f"metadata: {RECURSIVE}\n"},
     ".", "MLmodel"),
    ("mlmodel-bomb", {**DATABRICKS_MODEL, "MLmodel": DATABRICKS_MODEL["MLmodel"] + "metadata:\n" + _bomb("  ")},
     ".", "MLmodel"),
    ("python-env-bomb", {**DATABRICKS_MODEL, "python_env.yaml": "python: 3.11.0\nx:\n" + _bomb("  ")}, ".",
     "python_env.yaml"),
    ("conda-yaml-recursive", {k: v for k, v in DATABRICKS_MODEL.items() if k != "python_env.yaml"}
     | {"conda.yaml": f"dependencies: {RECURSIVE}\n"}, ".", "conda.yaml"),
    ("cog-bomb", {"cog.yaml": 'build:\n  python_version: "3.11"\n  run:\n' + _bomb("    ")}, "cog.yaml", "cog.yaml"),
    ("bento-recursive", {"bentofile.yaml": f"service: svc:Svc\npython:\n  packages: {RECURSIVE}\n"},
     "bentofile.yaml", "bentofile.yaml"),
    ("truss-bomb", {"config.yaml": "model_name: m\nrequirements:\n" + _bomb("  ")}, "config.yaml", "config.yaml"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "files", "source", "named"), CASES, ids=[c[0] for c in CASES])
def test_alias_bombs_and_recursive_aliases_are_errors(
    case: str, files: dict[str, str], source: str, named: str, tmp_path: Path
) -> None:
    folder = write(tmp_path / case, files)
    if case.startswith("conda-yaml"):
        (folder / "requirements.txt").unlink(missing_ok=True)
    start = time.monotonic()
    r = run_cli("import", str(folder / source), "--python", "3.11", "--format", "json")
    assert time.monotonic() - start < 20
    assert r.code == 1, r.out + r.err
    errors = [d for d in json.loads(r.out)["diagnostics"] if d["severity"] == "error"]
    assert errors, r.out
    assert all(d["code"] in ("SPC700", "SPC730") for d in errors), errors
    assert any(d["file"] == named and d["line"] for d in errors), errors
    assert not (folder / "model-env.toml").exists()


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    folder = write(tmp_path / "deep", {"environment.yml": "dependencies: " + "[" * 5000 + "]" * 5000 + "\n"})
    r = run_cli("import", str(folder / "environment.yml"), "--python", "3.11", "--format", "json")
    assert r.code == 1, r.out + r.err
    assert {d["code"] for d in json.loads(r.out)["diagnostics"]} == {"SPC700"}


def test_aliases_that_expand_little_are_read(tmp_path: Path) -> None:
    """An anchor reused a few times (a common way to share a list) is not refused."""
    folder = write(
        tmp_path / "ok",
        {"environment.yml": "x: &pins [numpy=1.26.4, pandas=2.2.2]\ndependencies: *pins\n"},
    )
    r = run_cli("import", str(folder / "environment.yml"), "--python", "3.11", "--format", "json")
    assert r.code == 0, r.out
    assert "numpy==1.26.4.*" in (folder / "model-env.toml").read_text()


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.just("x"), lambda c: st.lists(c, max_size=4), max_leaves=30))
def test_a_tree_is_never_refused(tree: object) -> None:
    assert yaml_alias_problem(yaml.compose(yaml.safe_dump(tree))) is None


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=2, max_value=8), st.integers(min_value=1, max_value=8))
def test_the_expansion_is_measured(width: int, levels: int) -> None:
    """A document whose aliases expand to width**levels scalars is refused exactly when that
    passes the limit."""
    names = [f"n{i}" for i in range(levels + 1)]
    text = f"{names[0]}: &{names[0]} [{', '.join(['x'] * width)}]\n"
    for p, c in itertools.pairwise(names):
        text += f"{c}: &{c} [{', '.join(['*' + p] * width)}]\n"
    expanded = sum(width**k for k in range(1, levels + 2)) + levels  # the leaves, the lists, the keys
    problem = yaml_alias_problem(yaml.compose(text))
    if expanded * 2 < YAML_MAX_NODES:
        assert problem is None
    elif expanded > YAML_MAX_NODES * 2:
        assert problem is not None and "expand" in problem[0]
