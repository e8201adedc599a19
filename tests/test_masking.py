"""Secrets are never printed: credential values are masked in text, JSON and excerpts, and only
their own characters are (a short user name must not hide every word that contains it)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specc.diagnostics import looks_like_credential, mask_ranges, redact, scrub
from tests.helpers import run_cli

# one token per documented shape
TOKENS = [
    "ghp_" + "a1B2c3D4e5" * 4,
    "github_pat_" + "11ABCDEFG0" * 3,
    "glpat-" + "xY9_zW8-vU" * 2,
    "hf_" + "AbCdEfGhIj" * 3 + "kl",
    "dapi" + "0123456789abcdef" * 2,
    "AKIA" + "ABCDEFGHIJ234567",
    "xoxb-" + "1234567890-abcdefghij",
    "sk-" + "proj_abcdefghij0123456789",
    "AIza" + "SyA1234567890abcdefghijklmnopqrstuv",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
]

# text with no credential in it: no URL syntax, no token prefix glued to word characters
PLAIN = st.text(alphabet=st.sampled_from(list("abcdefgh ABC.,-/()[]\n0123")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(before=PLAIN, after=PLAIN, token=st.sampled_from(TOKENS))
def test_a_token_is_masked_and_nothing_else(before: str, after: str, token: str) -> None:
    text = f"{before} {token} {after}"
    out = redact(text)
    assert token not in out and len(out) == len(text)
    start = len(before) + 1
    # every character outside the token's own positions is untouched
    assert out[:start] == text[:start] and out[start + len(token) :] == text[start + len(token) :]
    assert out[start : start + len(token)] == "*" * len(token)


@settings(max_examples=300, deadline=None)
@given(text=PLAIN)
def test_text_without_credentials_is_left_alone(text: str) -> None:
    assert redact(text) == text
    assert scrub(text, ["aws", "ab", "abc"]) == text  # short values are never masked as substrings


def test_a_short_user_name_is_masked_in_its_url_only() -> None:
    text = "fetching https://aws:s3cr3t@pkgs.aws.example.com/simple for the aws-lambda layer (laws)"
    assert scrub(text, ["aws", "s3cr3t"]) == (
        "fetching https://***:******@pkgs.aws.example.com/simple for the aws-lambda layer (laws)"
    )


@settings(max_examples=200, deadline=None)
@given(
    value=st.text(alphabet=st.sampled_from(list("QZXJKVqzxjkv0123456789%")), min_size=8, max_size=30),
    before=PLAIN,
    after=PLAIN,
)
def test_a_long_value_is_masked_wherever_it_appears(value: str, before: str, after: str) -> None:
    from urllib.parse import quote

    text = f"{before}{value}{after} {quote(value, safe='')}"
    out = scrub(text, [value])
    assert value not in out and quote(value, safe="") not in out
    assert len(out) == len(text) or "%" in value  # quoting may lengthen; the value is gone either way


def test_mask_ranges_keeps_lengths_and_lines() -> None:
    assert mask_ranges('a = "xy\nz"\nb', [(5, 9)]) == 'a = "**\n*"\nb'
    assert mask_ranges("abc", [(-3, 1), (2, 99)]) == "*b*"


def test_looks_like_credential() -> None:
    assert all(looks_like_credential(t) for t in TOKENS)
    assert looks_like_credential("https://u:p@h/simple")
    assert not looks_like_credential("sha256:" + "ab" * 32)
    assert not looks_like_credential("/usr/share/libchurn/thresholds.conf")


# --- the CLI: text, JSON and excerpts ----------------------------------------------------------

SECRET_ALPHABET = st.sampled_from(list("QZXJKVWqzxjkvw0123456789"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pasted=st.text(alphabet=SECRET_ALPHABET, min_size=12, max_size=40),
    token=st.text(alphabet=SECRET_ALPHABET, min_size=12, max_size=40),
    shaped=st.sampled_from(TOKENS),
)
def test_no_credential_reaches_the_output(tmp_path: Path, pasted: str, token: str, shaped: str) -> None:
    spec = tmp_path / "model-env.toml"
    spec.write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n'
        f'[secrets.PYPI_TOKEN]\nvalue = "{pasted}"\n'
        f'[env]\nHF_TOKEN = "{token}"\nHUB = "{shaped}"\nGREETING = "hello"\n',
        encoding="utf-8",
    )
    text = run_cli("validate", str(spec))
    report = run_cli("validate", str(spec), "--format", "json")
    assert text.code == report.code == 1  # a secret's value is an unknown key (SPC101)
    for out in (text.err, report.out):
        for value in (pasted, token, shaped):
            assert value not in out
    assert "error[SPC101] secrets.PYPI_TOKEN.value" in text.err
    assert f'value = "{"*" * len(pasted)}"' in text.err  # masked in place: the excerpt still reads as TOML
    codes = {(d["code"], d["path"]) for d in json.loads(report.out)["diagnostics"]}
    assert {("SPC404", "env.HF_TOKEN"), ("SPC404", "env.HUB")} <= codes  # a token-shaped value warns too
    assert "GREETING" not in text.err  # a plain value is neither warned about nor masked


def test_an_env_warning_excerpt_masks_only_the_value(tmp_path: Path) -> None:
    spec = tmp_path / "model-env.toml"
    spec.write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[env]\nAWS_SECRET_ACCESS_KEY = "aws"\n', encoding="utf-8"
    )
    r = run_cli("validate", str(spec))
    assert r.err.splitlines()[:3] == [
        f"{spec}:5:25: warning[SPC404] env.AWS_SECRET_ACCESS_KEY: `AWS_SECRET_ACCESS_KEY` looks like a credential, "
        "and [env] values are written in clear text",
        "  |",
        '5 | AWS_SECRET_ACCESS_KEY = "***"',
    ]
