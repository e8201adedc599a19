"""The README shows real output: its validate example is rerun and compared."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import REPO, run_cli


def test_readme_validate_example_is_what_specc_prints(tmp_path: Path, monkeypatch) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```toml\n(spec-version = 1\n.*?)```\n\n```console\n\$ specc validate\n(.*?)```", readme, re.S)
    assert m, "README lost its validate example"
    spec, expected = m.group(1), m.group(2)
    (tmp_path / "model-env.toml").write_text(spec, encoding="utf-8")
    monkeypatch.setenv("NO_COLOR", "1")
    r = run_cli("validate", cwd=tmp_path)
    assert r.code == 1
    assert r.err == expected


def test_readme_starts_with_the_two_commands() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert [line.split("#")[0].strip() for line in block] == ["make demo", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text()
