"""Another tool's file given where a model-env.toml belongs: every command says what it is and
the ``specc import`` command that converts it, and that command works.

A requirements.txt or an environment.yml fails as TOML (SPC100); a pixi.toml or a pylock.toml
parses but lacks ``spec-version`` (SPC104): both keep their code and get the hint.  A real spec
with a TOML mistake keeps its TOML hint.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# kind: (file name, text, the code it fails with, how the hint names it)
FILES = {
    "requirements": ("requirements.txt", "scikit-learn==1.5.2\npandas>=2\n", "SPC100", "pip requirements"),
    "conda": (
        "environment.yml",
        "name: churn\ndependencies:\n  - python=3.11\n  - pip:\n    - nltk==3.9.1\n",
        "SPC100",
        "conda environment",
    ),
    "cog": ("cog.yaml", 'build:\n  python_version: "3.11"\n  python_packages:\n    - torch==2.4.0\n', "SPC100", "Cog"),
    "bentoml": (
        "bentofile.yaml",
        'service: "service:svc"\npython:\n  packages:\n    - scikit-learn\n',
        "SPC100",
        "BentoML",
    ),
    "truss": (
        "config.yaml",
        "model_name: churn\npython_version: py311\nrequirements:\n  - xgboost==2.1.1\n",
        "SPC100",
        "Truss",
    ),
    "pixi": (
        "pixi.toml",
        '[project]\nname = "churn"\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n'
        '[dependencies]\npython = "3.11.*"\n',
        "SPC104",
        "pixi",
    ),
}


def _specc(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "specc", *argv], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_validate_names_the_kind_and_the_import_command_that_works(kind: str, tmp_path: Path) -> None:
    name, text, code, what = FILES[kind]
    folder = tmp_path / "my model"  # a space: the suggested command must quote it
    folder.mkdir()
    path = folder / name
    path.write_text(text, encoding="utf-8")
    proc = _specc("validate", str(path))
    assert proc.returncode == 1
    assert f"error[{code}]" in proc.stdout + proc.stderr
    command = f"specc import '{path}'"
    assert f"this is a {what} file, not a model-env.toml: `{command}`" in proc.stdout + proc.stderr
    # the JSON report carries the same hint
    report = json.loads(_specc("validate", "--format", "json", str(path)).stdout)
    hints = [d.get("hint") or "" for d in report["diagnostics"]]
    assert any(command in h for h in hints), hints
    # and the command it names writes a spec that validates
    out = tmp_path / "spec" / "model-env.toml"
    out.parent.mkdir()
    imported = _specc("import", str(path), "--out", str(out))
    assert out.is_file(), imported.stderr
    assert "spec-version = 1" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv", [["sbom"], ["render", "--target", "docker", "--out", "OUT"], ["lock", "--check"]])
def test_every_command_that_reads_a_spec_says_so(argv: list[str], tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("numpy==2.1.0\n", encoding="utf-8")
    args = [str(tmp_path / "out") if a == "OUT" else a for a in argv]
    proc = _specc(*args[:1], str(path), *args[1:])
    assert proc.returncode != 0
    assert f"`specc import {path}` writes a spec" in proc.stdout + proc.stderr
    assert not (tmp_path / "out").exists()


def test_diff_says_so_for_either_side(tmp_path: Path) -> None:
    path = tmp_path / "environment.yml"
    path.write_text(FILES["conda"][1], encoding="utf-8")
    proc = _specc("diff", str(path), str(ROOT / "examples" / "sklearn-basic"))
    assert proc.returncode == 2
    assert "this is a conda environment file" in proc.stdout + proc.stderr


def test_a_spec_with_a_toml_mistake_keeps_its_toml_hint(tmp_path: Path) -> None:
    for name in ("model-env.toml", "staging.toml", "spec.txt"):
        path = tmp_path / name
        path.write_text("spec-version = 1\n[runtime]\npython = 3.11.2\n", encoding="utf-8")
        proc = _specc("validate", str(path))
        assert proc.returncode == 1
        out = proc.stdout + proc.stderr
        assert "error[SPC100]" in out and "specc import" not in out, name


@pytest.mark.parametrize("command", ["validate", "lock", "compile", "check", "render"])
def test_a_folder_of_another_tools_files_gets_the_import_command(command: str, tmp_path: Path) -> None:
    """A folder without a model-env.toml that holds a requirements.txt (or a Cog project...):
    every command says SPC002, what the folder holds and the `specc import` command (lock,
    compile and check used to report a missing `<folder>/model-env.toml`, SPC001, and no hint)."""
    folder = tmp_path / "my model"
    folder.mkdir()
    (folder / "requirements.txt").write_text("scikit-learn==1.5.2\n")
    out = ["--out", str(tmp_path / "out")]
    extra = {"compile": out, "check": ["--env"], "render": ["--target", "docker", *out]}
    r = _specc(command, "my model", *extra.get(command, []), cwd=tmp_path)
    assert r.returncode != 0
    assert "error[SPC002]" in r.stderr and "holds environment files (requirements.txt)" in r.stderr, r.stderr
    assert "`specc import 'my model'`" in r.stderr
    assert not (tmp_path / "out").exists()
    cog = tmp_path / "cogp"
    cog.mkdir()
    (cog / "cog.yaml").write_text(FILES["cog"][1])
    r = _specc(command, "cogp", *extra.get(command, []), cwd=tmp_path)
    assert "it holds a Cog environment" in r.stderr and "`specc import cogp`" in r.stderr, r.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    r = _specc(command, "empty", *extra.get(command, []), cwd=tmp_path)
    assert "error[SPC002]" in r.stderr and "specc import" not in r.stderr, r.stderr


@pytest.mark.parametrize("name", ["pixi.toml", "pylock.toml"])
def test_another_tools_toml_gets_one_error_not_one_per_key(name: str, tmp_path: Path) -> None:
    """Every key of a pixi.toml or a pylock.toml is unknown to a spec: listing them (SPC101, with
    "did you mean `spec-version`?" for pylock's lock-version) buried the one useful line.  The
    report is that one error, SPC104 with the import hint, in text and JSON."""
    text = {
        "pixi.toml": FILES["pixi"][1],
        "pylock.toml": 'lock-version = "1.0"\ncreated-by = "uv"\nrequires-python = ">=3.11"\n'
        '[[packages]]\nname = "six"\nversion = "1.16.0"\n',
    }[name]
    (tmp_path / name).write_text(text)
    r = _specc("validate", name, "--format", "json", cwd=tmp_path)
    assert r.returncode == 1
    [d] = json.loads(r.stdout)["diagnostics"]
    assert d["code"] == "SPC104" and f"`specc import {name}`" in d["hint"]
    r = _specc("validate", name, cwd=tmp_path)
    assert "SPC101" not in r.stderr and "did you mean" not in r.stderr and "(1 error, 0 warnings)" in r.stderr
