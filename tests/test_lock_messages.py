"""SPC602 when the index does not have a requirement at all: the hint says which and what to
check, and the diagnostic points at the spec's line (it said "the requirements cannot be
satisfied together" and pointed at model-env.lock).  Real uv against PyPI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specc.lock import _missing_from_index
from tests.helpers import run_cli

SPEC = (
    'spec-version = 1\n[model]\nname = "b"\n[runtime]\npython = "3.11"\n'
    '[python]\nrequirements = [\n  "idna==3.4",\n  {req},\n]\n'
)


@pytest.mark.parametrize(
    ("req", "hint"),
    [
        ('"specc-no-such-package-xyz==1.0"', "no package named specc-no-such-package-xyz on the index"),
        ('"six==1.99.0"', "the index has no six==1.99.0: check the version"),
        ('"six>=99"', "but the spec asks for six>=99: check the version"),
    ],
)
def test_a_requirement_the_index_lacks_is_named_at_its_line(req: str, hint: str, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "model-env.toml").write_text(SPEC.format(req=req))
    r = run_cli("lock", str(folder), "--format", "json")
    assert r.code == 1
    [d] = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "SPC602"]
    assert hint in d["hint"] and "cannot be satisfied together" not in d["hint"]
    assert d["file"].endswith("model-env.toml") and d["line"] == 9 and d["path"] == "python.requirements[1]"
    assert not (folder / "model-env.lock").exists()


def test_a_real_conflict_keeps_the_conflict_hint() -> None:
    conflict = (
        "Because you require numpy==1.26.4 and numpy==2.0.0, we can conclude that your requirements are unsatisfiable."
    )
    assert _missing_from_index(conflict) is None
    assert _missing_from_index("Because Foo_Bar was not found in the package registry and you require x") == (
        "Foo_Bar",
        "no package named Foo_Bar on the index: check the name's spelling, or list the index that has it "
        "(python.index-url or python.extra-index-urls)",
    )


def test_a_misspelt_extra_is_reported_not_dropped(tmp_path: Path) -> None:
    """`scikit-learn[bogusextra]==1.5.2`: uv resolves without the extra and warns, but specc ran uv
    quietly and the warning was lost; now it is SPC614 at the spec's line, on a first lock and on
    a re-lock (offline, from the cache) alike."""
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "model-env.toml").write_text(SPEC.format(req='"scikit-learn[bogusextra]==1.5.2"'))
    for _ in range(2):
        r = run_cli("lock", str(folder), "--format", "json")
        assert r.code == 0, r.out
        [d] = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "SPC614"]
        assert d["message"] == "scikit-learn has no extra named `bogusextra`: nothing is installed for it"
        assert d["line"] == 9 and d["severity"] == "warning"
    assert run_cli("lock", str(folder), "--strict").code == 1


def test_an_upgrade_package_that_is_not_locked_is_said(tmp_path: Path) -> None:
    """`-P nosuchpkg` re-locked and said nothing (a misspelt name upgrades nothing): SPC615."""
    import shutil

    from tests.helpers import EXAMPLES

    folder = tmp_path / "sk"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    before = (folder / "model-env.lock").read_bytes()
    r = run_cli("lock", "-P", "specc-nosuchpkg", "-P", "NumPy", str(folder))
    assert r.code == 0, r.err
    assert r.err.count("SPC615") == 1 and "--upgrade-package specc-nosuchpkg: no package of that name" in r.err
    assert (folder / "model-env.lock").read_bytes() == before
    assert run_cli("lock", "-P", "specc-nosuchpkg", "--strict", str(folder)).code == 1
