"""Faults a new user met on a text-classifier repo (requirements.txt with `-e .`, an extra index
with ``${TOKEN}``, ``TOKENIZERS_PARALLELISM`` in [env]):

- ``specc import --out`` into a place that cannot hold a file printed a bare ``specc: cannot
  write ...`` with no code, and with ``--format json`` no JSON at all;
- SPC404 flagged ``TOKENIZERS_PARALLELISM`` (a substring match on TOKEN) and every output that
  masks credential-looking [env] values (explain, diff, validate --normalized) hid ``false``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specc.diagnostics import env_value_is_credential
from tests.helpers import run_cli

REQS = (
    "--extra-index-url https://${TOKEN}@pypi.internal.example.com/simple\n"
    "-e .\n"
    "scikit-learn==1.4.2\n"
    'pandas==2.2.2 ; python_version >= "3.10"\n'
)


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "textclf"
    repo.mkdir()
    (repo / "requirements.txt").write_text(REQS)
    return repo


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_import_out_below_a_file_is_a_coded_diagnostic(tmp_path: Path, fmt: str) -> None:
    repo = _repo(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    out = blocker / "model-env.toml"
    r = run_cli("import", str(repo / "requirements.txt"), "--python", "3.11", "--out", str(out), "--format", fmt)
    assert r.code == 1
    assert not out.exists() and blocker.read_text() == "x"
    assert list(tmp_path.glob("**/.model-env.toml.*")) == []  # no temporary file left behind
    if fmt == "json":
        report = json.loads(r.out)
        assert report["output"] is None
        refused = [d for d in report["diagnostics"] if d["code"] == "SPC702"]
        assert len(refused) == 1 and "cannot write" in refused[0]["message"]
    else:
        assert "error[SPC702]" in r.err and "cannot write" in r.err
        assert "nothing written" in r.err
        assert "wrote " not in r.err


def test_import_then_validate_keeps_tokenizers_setting_visible(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    r = run_cli("import", str(repo / "requirements.txt"), "--python", "3.11")
    assert r.code == 0, r.err
    spec = repo / "model-env.toml"
    spec.write_text(spec.read_text() + '\n[env]\nTOKENIZERS_PARALLELISM = "false"\nHF_TOKEN_X = "false"\n')
    v = run_cli("validate", str(repo), "--format", "json")
    assert v.code == 0, v.out
    flagged = [d["path"] for d in json.loads(v.out)["diagnostics"] if d["code"] == "SPC404"]
    assert flagged == [["env", "HF_TOKEN_X"]] or flagged == ["env.HF_TOKEN_X"], flagged
    n = run_cli("validate", str(repo), "--normalized")
    assert json.loads(n.out)["env"]["TOKENIZERS_PARALLELISM"] == "false"


@pytest.mark.parametrize(
    ("name", "flagged"),
    [
        ("TOKENIZERS_PARALLELISM", False),
        ("MAX_TOKENS", False),
        ("SECRETARY", False),
        ("HF_TOKEN", True),
        ("GHTOKEN", True),
        ("PGPASSWORD", True),
        ("DB_PASSWORDS", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("WANDB_API_KEY", True),
        ("GOOGLE_APPLICATION_CREDENTIALS", True),
        ("TOKEN2", True),
        ("token", True),
    ],
)
def test_credential_names(name: str, flagged: bool) -> None:
    assert env_value_is_credential(name, "false") is flagged


@given(st.from_regex(r"[A-Z]{0,6}_?(TOKEN|PASSWORD|SECRET|API_KEY)(_[A-Z]{1,6})?", fullmatch=True))
def test_a_credential_word_ending_a_name_part_is_always_flagged(name: str) -> None:
    assert env_value_is_credential(name, "plain")
