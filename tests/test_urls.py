"""specc.urls: credentials only as declared ${SECRET} placeholders."""

from __future__ import annotations

import pytest

from specc.urls import check_url


def codes(url: str, secrets: set[str] | frozenset[str] = frozenset({"TOKEN", "USER"})) -> list[str]:
    return [p.code for p in check_url(url, what="index", secret_names=secrets)]


def test_good_urls() -> None:
    assert codes("https://pypi.org/simple") == []
    assert codes("https://${USER}:${TOKEN}@pkgs.example.com/simple") == []
    assert codes("https://${TOKEN}@pkgs.example.com/simple") == []
    assert codes("https://h/simple?token=${TOKEN}") == []
    assert codes("http://127.0.0.1:8080/simple") == []


def test_literal_credentials_are_errors() -> None:
    assert codes("https://bob:hunter2@h/simple") == ["SPC401"]
    assert codes("https://${USER}:hunter2@h/simple") == ["SPC401"]
    assert codes("https://h/simple?api_key=abc") == ["SPC401"]
    # no password: the user part is the token (Gemfury, GitHub), so it must be a placeholder
    assert codes("https://f00ba7@pypi.fury.io/acme/") == ["SPC401"]
    assert codes("https://f00ba7:@pypi.fury.io/acme/") == ["SPC401"]


@pytest.mark.parametrize(
    "url",
    [
        "https://__token__:${TOKEN}@gitlab.example.com/api/v4/projects/1/packages/pypi/simple",  # GitLab, PyPI
        "https://deploy-bot:${TOKEN}@pkgs.example.com/simple",
        "https://aws:${TOKEN}@acme-123.d.codeartifact.eu-west-1.amazonaws.com/pypi/py/simple/",
    ],
)
def test_a_literal_user_with_a_secret_password_is_no_credential(url: str) -> None:
    """Found as a user: `__token__:${TOKEN}` (the token convention of PyPI and GitLab) was
    refused as a literal credential; with a password the password is the secret."""
    assert codes(url) == []


def test_placeholders_must_be_declared_and_well_formed() -> None:
    assert codes("https://${NOPE}@h/simple") == ["SPC403"]
    assert codes("https://${lower}@h/simple") == ["SPC114"]
    assert codes("https://h/${TOKEN/simple") == ["SPC115"]


def test_bad_urls() -> None:
    assert codes("ftp://h/simple") == ["SPC115"]
    assert codes("https://h/ simple") == ["SPC115"]
    assert codes("https://h:99999/simple") == ["SPC115"]
    assert codes("not a url") == ["SPC115"]


def test_plain_http_warns_off_loopback() -> None:
    problems = check_url("http://pkgs.example.com/simple", what="index", secret_names=())
    assert [(p.code, p.severity) for p in problems] == [("SPC406", "warning")]


def test_messages_never_repeat_the_credential() -> None:
    for p in check_url("https://bob:hunter2@h/simple?token=s3cr3t", what="index", secret_names=()):
        assert "hunter2" not in p.message + (p.hint or "")
        assert "s3cr3t" not in p.message + (p.hint or "")
