"""A fault in one section hides nothing in another: every problem is reported in one run.

For each pair of single-section faults, the combined spec reports every diagnostic each fault
reports in its own section, and every diagnostic of the other sections that either single-fault
spec reports (the targets' checks too: they run against stand-ins for a bad [model]/[runtime]).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from specc.api import check_text

BASE = {
    "top": "spec-version = 1",
    "model": '[model]\nname = "m"',
    "runtime": '[runtime]\npython = "3.11"',
    "python": '[python]\nrequirements = ["numpy==1.26.4"]',
    "apt": '[apt]\npackages = ["curl"]',
    "maven": '[maven]\npackages = ["org.a:b:1.0"]',
    "r": '[r]\npackages = ["dplyr"]',
    "env": '[env]\nFOO = "x"',
    "mlflow": '[mlflow]\nflavor = "python_function"',
    "targets": '[targets.databricks]\nlibraries-dir = "/Volumes/a/b/c"\nnotebook-dir = "/Workspace/a"\n'
    '[targets.docker]\nbase-image = "python:3.11-slim"',
}
FAULTS = {
    "top": ["spec-version = 2", 'spec-version = "1"', "bogus = 1"],
    "model": ["[model]\nname = 5", '[model]\nname = "bad name!"', "[model]\nfoo = 1"],
    "runtime": [
        '[runtime]\npython = "3.11"\ndatabricks = 5',
        '[runtime]\npython = "3.11"\ndatabricks = "99.9-ml"',
        '[runtime]\npython = "2.7"',
        '[runtime]\npython = "3.11"\ncuda = "x"',
    ],
    "python": [
        '[python]\nrequirements = ["numpy=="]',
        "[python]\nrequirements = 5",
        '[python]\nindex-url = 5\nrequirements = ["numpy=="]',
        '[python]\nrequirements = [5, "numpy=="]',
        '[python]\nwheels = ["nope.whl"]',
    ],
    "apt": [
        "[apt]\npackages = 5",
        "[apt]\npackages = [5]",
        '[apt]\npackages = ["Bad Name"]',
        "[apt]\npackages = [{name = 5}]",
    ],
    "maven": ["[maven]\npackages = 5", '[maven]\npackages = ["nocolon"]'],
    "r": ["[r]\npackages = 5", '[r]\npackages = ["bad name"]'],
    "env": ["[env]\nFOO = 5", '[env]\n"bad key" = "x"'],
    "mlflow": ["[mlflow]\nflavor = 5", "[mlflow]\nfoo = 1"],
    "targets": ["[targets.docker]\nbase-image = 5", "[targets]\ndocker = 5", "[targets.databricks]\nfoo = 1"],
}
# what the targets say only because of the runtime (its preinstalled packages) or because a
# target is implied (a bad [runtime] or [targets] rightly changes which targets are checked)
TARGET_BOUND = {"SPC215", "SPC320", "SPC330", "SPC324", "SPC359"}

Key = tuple[str, str, tuple[object, ...]]


def _diagnostics(tmp: Path, over: dict[str, str]) -> set[Key]:
    text = "\n".join(over.get(k, v) for k, v in BASE.items()) + "\n"
    return {(d.code, d.severity, tuple(d.path or ())) for d in check_text(text, base_dir=tmp).diagnostics}


def _section(d: Key) -> str:
    return str(d[2][0]) if d[2] and d[2][0] != "spec-version" else "top"


SINGLES = [(section, fault) for section, faults in FAULTS.items() for fault in faults]


@pytest.fixture(scope="module")
def singles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[tuple[str, str], set[Key]]]:
    tmp = tmp_path_factory.mktemp("at-once")
    return tmp, {(s, f): _diagnostics(tmp, {s: f}) for s, f in SINGLES}


def test_each_single_fault_is_reported(singles: tuple[Path, dict[tuple[str, str], set[Key]]]) -> None:
    _, found = singles
    silent = [f for (s, f), ds in found.items() if not any(d[1] == "error" for d in ds)]
    assert not silent, silent


@pytest.mark.parametrize("section", sorted(FAULTS))
def test_no_fault_hides_another_sections_problems(
    section: str, singles: tuple[Path, dict[tuple[str, str], set[Key]]]
) -> None:
    tmp, found = singles
    failures = []
    for fa, (b, fb) in itertools.product(FAULTS[section], SINGLES):
        if b == section:
            continue
        sa, sb = found[(section, fa)], found[(b, fb)]
        own = {d for d in sa if _section(d) == section} | {d for d in sb if _section(d) == b}
        others = {d for d in sa | sb if _section(d) not in (section, b)}
        if {"runtime", "targets"} & {section, b}:
            own = {d for d in own if d[0] not in TARGET_BOUND}
            others = {d for d in others if d[0] not in TARGET_BOUND}
        missing = (own | others) - _diagnostics(tmp, {section: fa, b: fb})
        if missing:
            failures.append((fa, fb, sorted(missing, key=str)))
    assert not failures, failures


def test_a_bad_model_or_runtime_still_runs_the_targets_checks(tmp_path: Path) -> None:
    """The reported shape: a bad [model] name and an unknown runtime used to hide SPC330."""
    over = {"model": '[model]\nname = "Bad Name"', "runtime": '[runtime]\npython = "3.11"\ndatabricks = "99.9-ml"'}
    found = _diagnostics(tmp_path, over)
    assert ("SPC330", "warning", ("targets", "docker", "base-image")) in found
    assert ("SPC108", "error", ("model", "name")) in found
    assert ("SPC203", "error", ("runtime", "databricks")) in found
    # nothing is said about the stand-ins themselves, nor by the target whose runtime is unknown
    assert not [d for d in found if d[0] in {"SPC320", "SPC324", "SPC359"}]
