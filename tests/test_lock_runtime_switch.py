"""Re-locking after the spec moves to another Databricks runtime (15.4 ML -> 16.4 ML).

The previous lock's pins are preferences, so that a re-lock changes nothing it need not; but the
pins of packages the runtime preinstalls were chosen for the old runtime (its own versions), and
kept they downgraded the new cluster's copies (joblib 1.4.2 -> 1.2.0, scipy 1.13.1 -> 1.11.1)
with SPC601 warnings whose hint could not help.  Now the new runtime's versions win for what it
preinstalls, the rest of the previous pins are kept.  Real uv, real runtime manifests.
"""

from __future__ import annotations

import re
from pathlib import Path

from specc.lockfile import read_lock
from specc.runtimes import get_runtime, resolve_runtime
from tests.helpers import run_cli

SPEC = """spec-version = 1
[model]
name = "rt-switch"
[runtime]
python = "{python}"
databricks = "{runtime}"
[python]
requirements = ["lightgbm==4.5.0", "humanize"]
"""


def _versions(folder: Path) -> dict[str, str | None]:
    return {p.name: p.version for p in read_lock(folder / "model-env.lock").python.packages}


def test_a_relock_on_another_runtime_takes_its_versions_and_keeps_the_other_pins(tmp_path: Path) -> None:
    folder = tmp_path / "switch"
    folder.mkdir()
    toml = folder / "model-env.toml"
    toml.write_text(SPEC.format(python="3.11", runtime="15.4-ml"))
    assert run_cli("lock", str(folder)).code == 0
    lock = folder / "model-env.lock"
    # an older humanize in the previous lock (not preinstalled anywhere): a pin a re-lock keeps
    text = lock.read_text()
    current = _versions(folder)["humanize"]
    lock.write_text(re.sub(rf'(name = "humanize"\nversion = )"{re.escape(str(current))}"', r'\1"4.9.0"', text))
    assert _versions(folder)["humanize"] == "4.9.0"

    toml.write_text(SPEC.format(python="3.12", runtime="16.4-ml"))
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    relocked = _versions(folder)
    new = get_runtime(resolve_runtime("16.4-ml") or "")
    assert new is not None
    preinstalled = dict(new.packages())
    for name in ("joblib", "scipy", "pytz"):  # were downgraded to 15.4's versions
        assert relocked[name] == preinstalled[name], name
    assert relocked["humanize"] == "4.9.0"  # not a runtime package: the previous pin stays
    assert not re.search(r"SPC601.*(joblib|scipy|pytz)", r.err)

    # the same as a first lock on 16.4, but for the kept pin
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "model-env.toml").write_text(SPEC.format(python="3.12", runtime="16.4-ml"))
    assert run_cli("lock", str(fresh)).code == 0
    first = _versions(fresh)
    assert {k: v for k, v in relocked.items() if k != "humanize"} == {k: v for k, v in first.items() if k != "humanize"}
