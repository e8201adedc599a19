"""Every output that prints spec values masks credentials as the diagnostics do:
``validate --normalized`` (text and JSON) and the values ``specc check`` compares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specc.diagnostics import env_value_is_credential, mask_spec_values, render_json
from tests.helpers import run_cli

TOKEN = "ghp_" + "a1B2c3D4e5" * 4
SPEC = f"""spec-version = 1
[model]
name = "m"
[runtime]
python = "3.11"
[env]
API_TOKEN = "{TOKEN}"
DB_PASSWORD = "hunter2hunter2"
SOME_URL = "https://user:pa55word@example.com/x"
PLACEHOLDER_TOKEN = "${{OTHER}}"
PLAIN = "kept"
"""
SECRETS = [TOKEN, "hunter2hunter2", "pa55word"]


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    (tmp_path / "model-env.toml").write_text(SPEC, encoding="utf-8")
    return tmp_path


def test_normalized_text_masks_credential_env_values(spec: Path) -> None:
    result = run_cli("validate", "--normalized", cwd=spec)
    assert result.code == 0, result.err
    for secret in SECRETS:
        assert secret not in result.out and secret not in result.err
    env = json.loads(result.out)["env"]
    assert env["API_TOKEN"] == "*" * len(TOKEN)
    assert env["DB_PASSWORD"] == "*" * len("hunter2hunter2")
    assert env["SOME_URL"] == "*" * len("https://user:pa55word@example.com/x")  # a credential URL: whole
    assert env["PLACEHOLDER_TOKEN"] == "${OTHER}"  # a reference, not a secret
    assert env["PLAIN"] == "kept"


def test_normalized_json_masks_credential_env_values(spec: Path) -> None:
    result = run_cli("validate", "--normalized", "--format", "json", cwd=spec)
    assert result.code == 0, result.err
    for secret in SECRETS:
        assert secret not in result.out
    assert json.loads(result.out)["spec"]["env"]["PLAIN"] == "kept"


def test_check_never_prints_a_credential_env_value() -> None:
    from specc.drift import _compare_artifact

    found = _compare_artifact(
        {"env": {"DB_PASSWORD": "hunter2hunter2", "PLAIN": "a", "X": TOKEN}},
        {"env": {"DB_PASSWORD": "other-value", "PLAIN": "b"}},
        "specc-environment.json",
    )
    text = render_json(found)
    for secret in (*SECRETS, "other-value"):
        assert secret not in text
    messages = sorted(d.message for d in found)
    assert 'the spec has "a", the model has "b"' in messages  # a plain value is still shown
    assert 'the spec has "**************", the model has "***********"' in messages


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(["API_TOKEN", "MY_PASSWORD", "aws_secret", "X_API_KEY", "PLAIN", "HOME"]),
    value=st.text(min_size=1, max_size=30),
)
def test_mask_spec_values_hides_what_validate_warns_about(name: str, value: str) -> None:
    out = mask_spec_values({"env": {name: value}})
    assert isinstance(out, dict)
    shown = out["env"][name]
    assert len(shown) == len(value)
    if env_value_is_credential(name, value):
        assert set(shown) == {"*"}


def test_pin_dry_run_diff_masks_credentials(tmp_path: Path) -> None:
    (tmp_path / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["packaging"]\n'
        f'[env]\nPLAIN = "kept"\nDB_PASSWORD = "hunter2"\nAPI = "{TOKEN}"\n',
        encoding="utf-8",
    )
    r = run_cli("pin", "--from-env", "--dry-run", cwd=tmp_path)
    assert r.code == 0, r.err
    assert '+requirements = ["packaging==' in r.out  # the diff is there, with its context lines
    assert "hunter2" not in r.out and TOKEN not in r.out
    assert 'DB_PASSWORD = "*******"' in r.out and 'PLAIN = "kept"' in r.out
