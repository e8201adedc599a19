"""The published pre-commit hooks: well-formed, and their entry works on several files."""

from __future__ import annotations

import re
import shlex

import yaml

from tests.helpers import EXAMPLES, REPO, run_cli


def _hooks() -> list[dict]:
    return yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())


def test_hooks_are_well_formed() -> None:
    hooks = _hooks()
    assert {h["id"] for h in hooks} == {"specc-validate", "specc-validate-strict", "specc-lock-check"}
    for h in hooks:
        assert h["language"] == "python" and h["entry"].startswith("specc ")
        assert re.search(h["files"], "models/churn/model-env.toml")
        assert not re.search(h["files"], "model-env.toml.bak")


def test_hook_entry_validates_every_file_passed(tmp_path) -> None:
    hook = next(h for h in _hooks() if h["id"] == "specc-validate")
    argv = shlex.split(hook["entry"])[1:]
    files = [str(p / "model-env.toml") for p in sorted(EXAMPLES.iterdir()) if p.is_dir()]
    assert run_cli(*argv, *files).code == 0
    bad = tmp_path / "model-env.toml"
    bad.write_text("spec-version = 1\n")
    r = run_cli(*argv, *files, str(bad))
    assert r.code == 1 and "SPC104" in r.err
