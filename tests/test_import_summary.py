"""The summary line of `specc import` ("wrote ... (KIND; N items not carried over)") for every
kind: N is the number of diagnostics whose code says an item of the source was left behind.

The peers' kinds (cog, bentoml, truss, pixi, pylock) are checked case by case in
tests/test_import_peers.py (test_summary_counts_what_is_not_carried); here the first four kinds,
and that the command's set of codes (derived from specc.codes by name) is the one written out."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from specc.commands.import_ import _not_carried
from tests.helpers import run_cli
from tests.test_import_conda import ML_ENV
from tests.test_import_mlflow import DATABRICKS_MODEL
from tests.test_import_peers import NOT_CARRIED
from tests.test_import_repo2docker import BINDER_R
from tests.test_import_requirements import PIP_WITH_OPTIONS, write

CASES: dict[str, tuple[dict[str, str], str]] = {
    "requirements": (PIP_WITH_OPTIONS, "requirements.txt"),
    "conda": (ML_ENV, "environment.yml"),
    "repo2docker": (BINDER_R, "."),
    "mlflow": (DATABRICKS_MODEL, "."),
}


def test_the_derived_codes_are_the_written_ones() -> None:
    """Every SPC700-749 code named *-not-carried / *-not-followed, and import-entry-dropped."""
    assert _not_carried() == NOT_CARRIED


@pytest.mark.parametrize("kind", sorted(CASES))
def test_summary_counts_what_is_not_carried(kind: str, tmp_path: Path) -> None:
    files, entry = CASES[kind]
    src = write(tmp_path / kind, files)
    report = run_cli(
        "import", str(src / entry), "--python", "3.11", "--out", str(tmp_path / "a.toml"), "--format", "json"
    )
    assert report.code == 0, report.out
    expected = sum(1 for d in json.loads(report.out)["diagnostics"] if d["code"] in NOT_CARRIED)
    assert expected > 0
    text = run_cli("import", str(src / entry), "--python", "3.11", "--out", str(tmp_path / "b.toml"))
    assert text.code == 0, text.err
    m = re.search(rf"\({kind}; (\d+) items? not carried over\)", text.err)
    assert m is not None, text.err
    assert int(m.group(1)) == expected


def test_help_names_every_kind_with_an_example() -> None:
    """`specc import --help` lists every kind under --from and has an example line per kind."""
    from specc.commands.import_ import EPILOG, KIND_NAMES
    from specc.importers import KINDS

    assert set(KIND_NAMES) == set(KINDS)
    r = run_cli("import", "--help")
    assert r.code == 0
    flat = " ".join(r.out.split())
    assert "--from KIND the source's kind (default: detected): " + ", ".join(KIND_NAMES) in flat
    examples = [line for line in EPILOG.splitlines() if line.startswith("  specc import ")]
    for kind in KINDS:
        assert any(f" {kind}: " in line for line in examples), kind


@pytest.mark.parametrize(
    ("kind", "files", "ok"),
    [
        ("conda", {"requirements.txt": "numpy==1.26.4\n"}, False),
        ("conda", {"conda.yaml": "dependencies: [python=3.11, numpy=1.26.4]\n"}, True),
        ("requirements", {"requirements-prod.txt": "numpy==1.26.4\n"}, True),
        ("requirements", {"environment.yml": "dependencies: [numpy]\n"}, False),
        ("mlflow", {"requirements.txt": "numpy==1.26.4\n"}, False),
        ("pylock", {"requirements.txt": "numpy==1.26.4\n"}, False),
        ("bentoml", {"requirements.txt": "numpy==1.26.4\n"}, False),
        ("cog", {"cog.yaml": 'build:\n  python_version: "3.11"\n'}, True),
        ("repo2docker", {"notes.md": "x\n"}, False),
    ],
)
def test_from_kind_on_a_folder(kind: str, files: dict[str, str], ok: bool, tmp_path: Path) -> None:
    """`--from KIND FOLDER` on a folder the kind does not recognize said "cannot read .: Is a
    directory" (conda, bentoml, pylock); now SPC701 names the kind and what it reads.  A folder
    holding a file the kind reads under another name (conda.yaml, requirements-prod.txt) imports."""
    src = write(tmp_path / "f", files)
    r = run_cli("import", str(src), "--from", kind, "--python", "3.11", "--format", "json")
    assert (r.code == 0) is ok, r.out
    if not ok:
        (d,) = json.loads(r.out)["diagnostics"]
        assert d["code"] == "SPC701" and kind in d["message"]
        assert not (src / "model-env.toml").exists()


def test_a_python_flag_the_source_overrides_is_said(tmp_path: Path) -> None:
    """`--python 3.12` on a source naming 3.10: the source wins (the documented rule), and the
    flag is no longer ignored silently (SPC703 at the line naming the version)."""
    src = write(tmp_path / "p", {"runtime.txt": "python-3.10\n", "requirements.txt": "numpy==1.26.4\n"})
    r = run_cli("import", str(src), "--python", "3.12", "--format", "json")
    assert r.code == 0
    notes = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "SPC703"]
    assert [(d["file"], d["line"]) for d in notes] == [("runtime.txt", 1)]
    assert "--python 3.12 is not used" in notes[0]["message"]
    r = run_cli("import", str(src), "--python", "3.10", "--force", "--format", "json")
    assert not [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "SPC703"]
