"""specc lock does not warn again (SPC601) about a replacement runtime.overrides acknowledges.

Real resolution (network: PyPI), like tests/test_lock.py's runtime tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from specc.lockfile import read_lock
from tests.helpers import run_cli


@pytest.fixture
def uv_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path_factory.getbasetemp() / "uv-cache"
    monkeypatch.setenv("UV_CACHE_DIR", str(cache))
    return cache


@pytest.mark.slow
def test_an_acknowledged_override_is_not_warned_again(tmp_path: Path, uv_cache: Path) -> None:
    from specc.runtimes import get_runtime

    pre = get_runtime("15.4.x-cpu-ml-scala2.12").packages()
    (tmp_path / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\ndatabricks = "15.4-ml"\noverrides = ["Scikit_Learn"]\n'
        '[python]\nrequirements = ["scikit-learn==1.5.2"]\n',
        encoding="utf-8",
    )
    r = run_cli("lock", str(tmp_path))
    assert r.code == 0, r.err
    got = {p.name: p for p in read_lock(tmp_path / "model-env.lock").python.packages}
    assert got["scikit-learn"].version == "1.5.2" and got["scikit-learn"].preinstalled == pre["scikit-learn"]
    # acknowledged (under any spelling of its name): not warned again
    assert not re.search(r"SPC601\].*scikit-learn is locked", r.err), r.err
    # a replacement the spec did not acknowledge (sklearn 1.5 needs threadpoolctl >= 3.1) still warns
    if got["threadpoolctl"].version != pre["threadpoolctl"]:
        assert re.search(r"SPC601\].*threadpoolctl is locked", r.err), r.err


@pytest.mark.slow
def test_lock_names_who_needs_a_replacement_and_reports_an_acknowledgement_it_does_not_use(
    tmp_path: Path, uv_cache: Path
) -> None:
    """pandas 2.2.2 on 15.4 ML moves tzdata off the runtime's 2022.1: SPC601's hint said "pin
    the runtime's version if the spec allows it", which pandas forbids; it names pandas now and
    how to acknowledge the move.  Acknowledged, SPC601 goes; validate no longer calls that
    acknowledgement useless (it could not know), and `specc lock` reports one the lock does
    not use (SPC216, at its line): no --strict catch-22 between the two."""
    head = 'spec-version = 1\n[runtime]\npython = "3.11"\ndatabricks = "15.4-ml"\n'
    reqs = '[python]\nrequirements = ["pandas==2.2.2"]\n[targets.databricks]\nlibraries-dir = "/Volumes/a/b/c"\n'
    (tmp_path / "model-env.toml").write_text(head + reqs, encoding="utf-8")
    r = run_cli("lock", str(tmp_path))
    assert r.code == 0, r.err
    assert re.search(r"SPC601\].*tzdata is locked at .*\n.*hint: needed by pandas: pin tzdata==2022\.1", r.err), r.err
    assert 'runtime.overrides = ["tzdata"]' in r.err
    (tmp_path / "model-env.toml").write_text(
        head + 'overrides = ["pandas", "tzdata", "six"]\n' + reqs, encoding="utf-8"
    )
    assert "SPC216" not in run_cli("validate", str(tmp_path)).err
    r = run_cli("lock", str(tmp_path))
    assert r.code == 0, r.err
    assert not re.search(r"SPC601\].*(tzdata|pandas) is locked", r.err), r.err
    # six stays at the runtime's version: that acknowledgement replaces nothing
    assert re.search(r"model-env.toml:\d+:\d+: warning\[SPC216\] runtime.overrides\[2\]: .*keeps .*six", r.err), r.err
