"""specc.diagnostics: rendering, JSON, masking of credentials."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from specc.diagnostics import Diagnostic, Span, format_path, redact, render_json, render_text


def test_format_path() -> None:
    assert format_path(("python", "requirements", 2)) == "python.requirements[2]"
    assert format_path(("artifacts", "my vocab")) == 'artifacts."my vocab"'
    assert format_path(()) == ""


def test_render_text_has_location_caret_and_hint() -> None:
    src = 'spec-version = 1\nx = "abc"\n'
    d = Diagnostic("SPC999", "error", "bad", ("x",), "fix it", "m.toml", Span(2, 5, 2, 10))
    text = render_text([d], {"m.toml": src})
    assert text.splitlines() == [
        "m.toml:2:5: error[SPC999] x: bad",
        "  |",
        '2 | x = "abc"',
        "  |     ^^^^^",
        "  = hint: fix it",
    ]


def test_redact_masks_literal_credentials_but_keeps_placeholders() -> None:
    assert redact("https://bob:hunter2@h/simple") == "https://***:*******@h/simple"
    assert redact("https://tok@h/simple") == "https://***@h/simple"
    assert redact("https://${USER}:${TOKEN}@h/simple") == "https://${USER}:${TOKEN}@h/simple"
    assert redact("https://h/simple?token=abc&x=1") == "https://h/simple?token=***&x=1"
    assert redact("https://h/simple?token=${T}") == "https://h/simple?token=${T}"


@given(
    st.text(alphabet=st.characters(blacklist_characters="@/:\"' \n\t\r?&#;", blacklist_categories=("Cs",)), min_size=4),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", min_size=4),
)
def test_redact_never_leaks_a_password(secret: str, token: str) -> None:
    masked = redact(f'x = "https://${{USER}}:{secret}@host/simple"')
    assert masked == f'x = "https://${{USER}}:{"*" * len(secret)}@host/simple"'
    assert token not in redact(f"https://h/simple?token={token}")


def test_json_rendering_masks_and_counts() -> None:
    d = Diagnostic(
        "SPC401", "error", "bad url https://a:b@h", ("python", "index-url"), None, "m.toml", Span(1, 1, 1, 2)
    )
    w = Diagnostic("SPC202", "warning", "unpinned", ("python", "requirements", 0))
    payload = json.loads(render_json([d, w]))
    assert payload["errors"] == 1 and payload["warnings"] == 1
    assert payload["diagnostics"][0]["message"] == "bad url https://*:*@h"
    assert payload["diagnostics"][0]["path"] == "python.index-url"
    assert payload["diagnostics"][1]["line"] is None
