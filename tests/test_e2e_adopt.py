"""A team adopting specc end to end: the commands agree with each other.

One real flow, no mocks: a spec locked for real (uv), compiled ``--locked``, the model logged
with the compiled keyword arguments through MLflow into a sqlite store and registered, then
every command that reads the result is asked the same question from its side:

* ``check --model`` finds no drift between the spec (and its lock) and the model;
* ``diff MODEL LOCK`` says "no differences" (exit 0): a model logged from a lock installs
  exactly the lock's pins (its ``requirements.txt``), even though its ``specc-environment.json``
  records only the spec; one edited pin in the lock is exactly one change;
* ``diff X X`` is "no differences", exit 0, for a spec, a lock and a model;
* ``sbom --locked`` lists exactly the lock's pins, with their hashes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomllib

from tests.helpers import run_cli

SPEC = (
    'spec-version = 1\n[model]\nname = "churn"\n[runtime]\npython = "3.11"\n'
    '[python]\nrequirements = ["scikit-learn==1.9.1"]\n[mlflow]\nflavor = "sklearn"\n'
)


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """(the spec's folder, locked and compiled; the registered model's ``models:/`` URI)."""
    mlflow = pytest.importorskip("mlflow")
    pytest.importorskip("sklearn")
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from tests.helpers import mlflow_tracking

    root = tmp_path_factory.mktemp("e2e-adopt")
    folder = root / "churn"
    folder.mkdir()
    (folder / "model-env.toml").write_text(SPEC, encoding="utf-8")
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    out = root / "compiled"
    r = run_cli("compile", str(folder), "--locked", "--out", str(out))
    assert r.code == 0, r.err
    kwargs: dict[str, Any] = json.loads((out / "log_model.json").read_text(encoding="utf-8"))
    kwargs["code_paths"] = [str(out / p) for p in kwargs.get("code_paths", [])]
    x = np.random.RandomState(0).rand(20, 3)
    model = LogisticRegression().fit(x, (x[:, 0] > 0.5).astype(int))
    with mlflow_tracking(root, "specc-e2e"):
        with mlflow.start_run():
            info = mlflow.sklearn.log_model(model, name="model", **kwargs)
        version = mlflow.register_model(info.model_uri, "churn").version
        uri = f"models:/churn/{version}"
        # the model loads and predicts as logged
        assert list(mlflow.pyfunc.load_model(uri).predict(x[:2])) in ([0, 1], [1, 0], [0, 0], [1, 1])
        yield folder, uri


def _pins(lock: Path) -> dict[str, str]:
    data = tomllib.loads(lock.read_text(encoding="utf-8"))
    return {p["name"]: p["version"] for p in data["python"]["packages"]}


def test_check_model_finds_no_drift(adopted: tuple[Path, str]) -> None:
    folder, uri = adopted
    r = run_cli("check", str(folder), "--model", uri)
    assert r.code == 0, r.err


def test_a_model_logged_from_the_lock_is_the_lock(adopted: tuple[Path, str]) -> None:
    folder, uri = adopted
    lock = folder / "model-env.lock"
    assert len(_pins(lock)) > 5  # the transitive pins are what this is about
    r = run_cli("diff", uri, str(lock))
    assert (r.code, "no differences" in r.out) == (0, True), r.out + r.err
    r = run_cli("diff", str(lock), uri)  # either way round
    assert r.code == 0, r.out + r.err
    # against the spec, the model's extra pins are not differences either
    r = run_cli("diff", uri, str(folder))
    assert r.code == 0, r.out + r.err


def test_one_edited_pin_in_the_lock_is_one_change(adopted: tuple[Path, str], tmp_path: Path) -> None:
    folder, uri = adopted
    text = (folder / "model-env.lock").read_text(encoding="utf-8")
    pins = _pins(folder / "model-env.lock")
    name = "joblib" if "joblib" in pins else sorted(pins)[0]
    edited, n = re.subn(rf'(name = "{re.escape(name)}"\nversion = )"{re.escape(pins[name])}"', r'\g<1>"0.0.1"', text)
    assert n == 1
    (tmp_path / "model-env.lock").write_text(edited, encoding="utf-8")
    r = run_cli("diff", uri, str(tmp_path / "model-env.lock"), "--format", "json")
    assert r.code == 1, r.err
    changes = json.loads(r.out)["changes"]
    assert [(c["ecosystem"], c["name"], c["change"], c["old"], c["new"]) for c in changes] == [
        ("pip", name, "changed", f"=={pins[name]}", "==0.0.1")
    ]


@pytest.mark.parametrize("which", ["spec", "lock", "model"])
def test_identical_inputs_are_no_change(adopted: tuple[Path, str], which: str) -> None:
    folder, uri = adopted
    arg = {"spec": str(folder), "lock": str(folder / "model-env.lock"), "model": uri}[which]
    r = run_cli("diff", arg, arg)
    assert (r.code, "no differences" in r.out) == (0, True), r.out + r.err


def _sbom_pypi(folder: Path, target: str) -> dict[str, set[str]]:
    r = run_cli("sbom", str(folder), "--target", target, "--locked")
    assert r.code == 0, r.err
    return {
        c["purl"]: {h["content"] for h in c.get("hashes", [])}
        for c in json.loads(r.out)["components"]
        if c.get("purl", "").startswith("pkg:pypi/")
    }


def test_sbom_locked_lists_exactly_what_the_target_installs(adopted: tuple[Path, str], tmp_path: Path) -> None:
    folder, _uri = adopted
    data = tomllib.loads((folder / "model-env.lock").read_text(encoding="utf-8"))
    lock = {
        f"pkg:pypi/{p['name']}@{p['version']}": {h.split(":", 1)[1] for h in p["hashes"]}
        for p in data["python"]["packages"]
    }
    assert any(p.get("implied-only") for p in data["python"]["packages"])  # the model's mlflow pin's
    # the MLflow model's requirements (compile --locked) hold every locked pin, the implied too
    out = tmp_path / "compiled"
    assert run_cli("compile", str(folder), "--locked", "--out", str(out)).code == 0
    compiled = json.loads((out / "log_model.json").read_text(encoding="utf-8"))["pip_requirements"]
    installed = {"pkg:pypi/" + line.replace("==", "@") for line in compiled}
    mlflow_bom = _sbom_pypi(folder, "mlflow")
    assert set(mlflow_bom) == installed == set(lock)
    assert mlflow_bom == lock  # with every hash the lock accepts
    # the image installs the same (hashed) lines
    assert run_cli("render", str(folder), "--target", "docker", "--locked", "--out", str(tmp_path / "d")).code == 0
    req = (tmp_path / "d" / "deps" / "python" / "requirements.txt").read_text(encoding="utf-8")
    lines = {m.group(1) + "@" + m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", req, re.M)}
    assert _sbom_pypi(folder, "docker") == lock and {"pkg:pypi/" + x for x in lines} == set(lock)


def test_pylock_says_why_it_leaves_packages_out(adopted: tuple[Path, str], tmp_path: Path) -> None:
    # a spec that does not serve: what is left out is the model's mlflow pin's, not a model server's
    import shutil

    folder, _uri = adopted
    copy = tmp_path / "churn"
    shutil.copytree(folder, copy)
    r = run_cli("lock", str(copy), "--format", "pylock")
    assert r.code == 0, r.err
    assert "warning[SPC763]" in r.err and "mlflow==" in r.err, r.err
    assert "model server needs" not in r.err
