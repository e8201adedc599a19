"""The ``mlflow==<version>`` pin MLflow adds to every logged model is part of the lock.

MLflow prepends ``mlflow==<its version>`` to a model's requirements unless one of them names
mlflow, mlflow-skinny or mlflow-tracing; whatever serves the model installs that pin with the
spec's packages.  ``specc lock`` resolves it with them (real uv runs against the configured
index, through uv's shared cache), records it as an implied requirement, pins it with hashes,
``--check`` goes stale when it changes, ``compile --locked`` and the Docker image install it at
the locked version, the Databricks cluster libraries leave it out (docs/lock.md, "The model's
mlflow pin"), and ``--verify`` installs and imports it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import specc
import specc.api
from specc.lock import implied_requirements, model_mlflow_pin
from specc.lockfile import COMPILE_PLATFORM, pip_lines, read_lock, stale_parts
from specc.spec import EnvSpec
from tests.helpers import run_cli

PIN = "mlflow==3.17.2"  # specc.backends.docker.DEFAULT_SERVING_MLFLOW's version


def _spec(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model-env.toml").write_text('spec-version = 1\n[model]\nname = "m"\n' + body, encoding="utf-8")
    return folder


def _load(folder: Path) -> EnvSpec:
    """The spec alone, as `specc lock` reads it (a target's render-only rules left out)."""
    result = specc.api.check(folder / "model-env.toml", targets=())
    assert result.spec is not None, result.diagnostics
    return result.spec


DBR = '[runtime]\npython = "3.11"\ndatabricks = "{}"\n[python]\nrequirements = ["six==1.16.0"]\n'
SMALL = '[runtime]\npython = "3.11"\n[python]\nrequirements = ["scikit-learn==1.9.1"]\n'


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small spec locked for real (one uv resolution)."""
    folder = _spec(tmp_path_factory.mktemp("pin") / "small", SMALL)
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    return folder


# --- which pin --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "want"),
    [
        (SMALL, PIN),
        # a spec that names MLflow itself has its own line locked: MLflow adds no pin then either
        (SMALL.replace('"scikit-learn==1.9.1"', '"scikit-learn==1.9.1", "mlflow-skinny==3.16.0"'), None),
        (SMALL.replace('"scikit-learn==1.9.1"', '"scikit-learn==1.9.1", "mlflow-tracing==3.16.0"'), None),
        (SMALL.replace('"scikit-learn==1.9.1"', '"scikit-learn==1.9.1", "MLflow>=3"'), None),
        # on a Databricks runtime the cluster logs the model with the runtime's own MLflow
        (DBR.format("15.4-ml"), "mlflow==2.19.0"),
        (DBR.format("15.4"), "mlflow==2.11.4"),
        # ... unless an image serves it: one MLflow per lock, the one the image serves with
        (DBR.format("15.4-ml") + "[targets.docker]\nserve = true\nstandalone = true\n", PIN),
        # no Python packages: nothing to lock the pin with
        ('[runtime]\npython = "3.11"\n[apt]\npackages = ["libgomp1"]\n', None),
    ],
    ids=["default", "skinny-listed", "tracing-listed", "mlflow-listed", "runtime-ml", "runtime", "serving", "empty"],
)
def test_the_model_pin(tmp_path: Path, body: str, want: str | None) -> None:
    spec = _load(_spec(tmp_path / "s", body))
    assert model_mlflow_pin(spec) == want
    implied = implied_requirements(spec)
    assert (implied[:1] == [want]) if want else not any(line.startswith("mlflow==") for line in implied)


# --- locked for real --------------------------------------------------------------------------------


def test_the_lock_pins_the_model_mlflow_with_hashes(locked: Path) -> None:
    lock = read_lock(locked / "model-env.lock")
    assert lock.python.implied_requirements == [PIN]
    by_name = {p.name: p for p in lock.python.packages}
    for name in ("mlflow", "mlflow-skinny", "mlflow-tracing"):  # the pin and what it brings
        p = by_name[name]
        assert p.version == "3.17.2", p
        assert p.hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in p.hashes), p
        assert p.implied_only, p  # the spec's own requirements do not need it
    assert not by_name["scikit-learn"].implied_only and not by_name["numpy"].implied_only
    assert stale_parts(lock, specc.load(locked / "model-env.toml")) == []


def test_compile_docker_and_databricks_install_it_consistently(locked: Path, tmp_path: Path) -> None:
    lock = read_lock(locked / "model-env.lock")
    pins = {p.name: p.version for p in lock.python.packages}
    # compile --locked: the model's requirements hold the pin (MLflow then adds none of its own)
    # and everything it needs, each at the lock's version
    out = tmp_path / "mlflow"
    r = run_cli("compile", "--locked", "--out", str(out), str(locked))
    assert r.code == 0, r.err
    lines = [ln for ln in (out / "requirements.txt").read_text().splitlines() if ln and not ln.startswith("#")]
    assert PIN in lines and "mlflow-skinny==3.17.2" in lines
    assert sorted(lines) == sorted(f"{n}=={v}" for n, v in pins.items())
    assert json.loads((out / "log_model.json").read_text())["pip_requirements"] == lines
    # Docker --locked: the same pins, each with the lock's hashes (pip --require-hashes)
    out = tmp_path / "docker"
    r = run_cli("render", "--target", "docker", "--locked", "--out", str(out), str(locked))
    assert r.code == 0, r.err
    text = (out / "deps" / "python" / "requirements.txt").read_text()
    mlflow = next(p for p in lock.python.packages if p.name == "mlflow")
    assert f"mlflow==3.17.2 {' '.join(f'--hash={h}' for h in mlflow.hashes)}" in text.splitlines()
    # the Databricks cluster libraries run the runtime's own MLflow: the pin's closure stays out
    cluster = {line.split("==")[0] for line in pip_lines(lock, platform=COMPILE_PLATFORM, implied=False)}
    assert "scikit-learn" in cluster and not cluster & {"mlflow", "mlflow-skinny", "mlflow-tracing"}


def test_check_goes_stale_when_the_implied_pin_changes(locked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A specc that logs with another MLflow (its default moved) makes every lock made for the old one stale."""
    assert run_cli("lock", "--check", str(locked)).code == 0
    import specc.backends.docker as docker

    monkeypatch.setattr(docker, "DEFAULT_SERVING_MLFLOW", "mlflow-skinny==3.16.0")
    spec = specc.load(locked / "model-env.toml")
    assert implied_requirements(spec) == ["mlflow==3.16.0"]
    assert stale_parts(read_lock(locked / "model-env.lock"), spec) == ["implied-requirements"]
    r = run_cli("lock", "--check", str(locked))
    assert r.code == 1 and "SPC613" in r.err and "implied-requirements (the model's mlflow pin" in r.err, r.err
    out = locked.parent / "stale-out"
    r = run_cli("compile", "--locked", "--out", str(out), str(locked))
    assert r.code == 1 and "SPC613" in r.err and not out.exists(), r.err


def test_a_runtime_lock_pins_the_runtimes_mlflow_without_moving_it(tmp_path: Path) -> None:
    """15.4 LTS ML preinstalls mlflow-skinny 2.19.0: the model's pin is mlflow==2.19.0, and the
    lock keeps the runtime's mlflow-skinny (mlflow 2.19 requires it at the same version)."""
    folder = _spec(tmp_path / "dbr", DBR.format("15.4-ml"))
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    lock = read_lock(folder / "model-env.lock")
    assert lock.python.implied_requirements == ["mlflow==2.19.0"]
    by_name = {p.name: p for p in lock.python.packages}
    assert by_name["mlflow"].version == "2.19.0" and by_name["mlflow"].hashes
    assert by_name["mlflow-skinny"].version == "2.19.0" and by_name["mlflow-skinny"].preinstalled is None
    assert "SPC601" not in r.err  # nothing only the pin needs is reported as replacing the runtime's


@pytest.mark.slow
def test_verify_installs_and_imports_the_model_mlflow(locked: Path) -> None:
    """Not skipped anywhere: CI runs linux x86_64 with Python 3.11, the lock's platform and Python."""
    from specc.verify import verify_lock

    spec = specc.load(locked / "model-env.toml")
    got = verify_lock(spec, read_lock(locked / "model-env.lock"), lock_file="model-env.lock")
    assert got.ok, [d.message for d in got.diagnostics]
    imported = set(got.modules)
    assert ("mlflow", "mlflow") in imported or ("mlflow-skinny", "mlflow") in imported, sorted(imported)
    assert {d for d, _ in imported} >= {"mlflow", "mlflow-skinny", "mlflow-tracing", "scikit-learn"}
    r = run_cli("lock", "--check", "--verify", str(locked))
    assert r.code == 0 and "verified model-env.lock" in r.err.replace(str(locked) + "/", ""), r.err
