"""``specc sbom`` and ``specc lock --format pylock`` as a demanding user meets them.

Each test started as a reproducer of a fault found by using the commands on realistic model
repositories (a churn model on a private index, a Databricks spec with Maven, CRAN, private
files and a .deb, a CUDA image); each also covers other cases of the same kind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli

pytest.importorskip("cyclonedx")


def _spec(folder: Path, body: str, name: str = "churn-model") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model-env.toml"
    path.write_text(f'spec-version = 1\n\n[model]\nname = "{name}"\n\n{body}', encoding="utf-8")
    return path


PLAIN = """\
[runtime]
python = "3.11"

[python]
requirements = ["xgboost==2.1.1", "pandas==2.2.3"]
"""


def _bom(*argv: str) -> dict:
    r = run_cli("sbom", *argv)
    assert r.code == 0, r.err
    return json.loads(r.out)


# --- serial numbers name one bill -----------------------------------------------------------------


def test_two_models_with_the_same_requirements_get_different_serials(tmp_path: Path) -> None:
    a = _spec(tmp_path / "a", PLAIN, name="alpha")
    b = _spec(tmp_path / "b", PLAIN, name="beta")
    sa = _bom(str(a), "--target", "mlflow")["serialNumber"]
    sb = _bom(str(b), "--target", "mlflow")["serialNumber"]
    assert sa != sb
    # the same bill twice, and in XML: the same serial
    assert _bom(str(a), "--target", "mlflow")["serialNumber"] == sa
    x = run_cli("sbom", str(a), "--target", "mlflow", "--format", "xml")
    assert f'serialNumber="{sa}"' in x.out


def test_another_specc_version_or_docker_setting_gives_another_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import specc

    spec = _spec(tmp_path / "m", PLAIN + '\n[targets.docker]\nbase-image = "python:3.11-slim-bookworm"\n')
    first = _bom(str(spec), "--target", "docker")["serialNumber"]
    monkeypatch.setattr(specc, "__version__", "99.0.0")
    assert _bom(str(spec), "--target", "docker")["serialNumber"] != first
    monkeypatch.undo()
    # the platform (the apt arch qualifier) is not in the dependency hash either
    body = PLAIN + '\n[apt]\npackages = ["libgomp1"]\n\n[targets.docker]\nbase-image = "python:3.11-slim-bookworm"\n'
    one = _bom(str(_spec(tmp_path / "p1", body)), "--target", "docker")["serialNumber"]
    two = _bom(str(_spec(tmp_path / "p2", body + 'platform = "linux/arm64"\n')), "--target", "docker")
    assert two["serialNumber"] != one


def test_timestamp_keeps_the_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec(tmp_path / "m", PLAIN)
    plain = _bom(str(spec), "--target", "mlflow")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    stamped = _bom(str(spec), "--target", "mlflow", "--timestamp")
    assert stamped["metadata"]["timestamp"].startswith("2023-11-14")
    assert stamped["serialNumber"] == plain["serialNumber"]
