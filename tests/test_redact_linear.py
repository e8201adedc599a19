"""Masking (``specc.diagnostics.redact``) takes linear time on long words and masks as before.

Reproducer (found re-running issue 14 with huge inputs): ``specc import`` of a requirements file
holding one 200 KB word took 90 s (a 50 MB one ran for over ten minutes), all in the URL-userinfo
pattern, which tried a scheme from every position of the word.  Every message and output goes
through ``redact``, so every command was exposed.
"""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from specc.diagnostics import redact

# the pattern as it was (quadratic), to show the new one masks exactly the same
_OLD = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\"' \t\r\n]+)@")


def _old_userinfo_spans(text: str) -> list[tuple[int, int]]:
    return [m.span("userinfo") for m in _OLD.finditer(text)]


def _masked_spans(text: str) -> list[tuple[int, int]]:
    out = redact(text)
    return [m.span() for m in re.finditer(r"\*+", out)]


def test_long_words_are_linear() -> None:
    for word in ("a" * 400_000, "1a" * 200_000, "a" * 400_000 + "://", "-.1ab://" * 50_000, "x+" * 200_000):
        start = time.perf_counter()
        assert redact(word) == word
        assert time.perf_counter() - start < 1.0, word[:20]


def test_credentials_after_long_words_are_still_masked() -> None:
    text = "a" * 100_000 + " 1https://bob:pw@host x+git+https://tok@h/y " + "b" * 100_000 + "://"
    out = redact(text)
    assert "bob" not in out and "pw@" not in out and "tok@" not in out
    assert "1https://***:**@host" in out and "x+git+https://***@h/y" in out


_ALPHABET = "ab1+.-:/@ ${}_ABx"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_masks_what_the_old_pattern_masked(text: str) -> None:
    # every userinfo the old pattern found (placeholders aside) is masked; nothing else changes
    out = redact(text)
    assert len(out) == len(text)
    for start, end in _old_userinfo_spans(text):
        info = text[start:end]
        if re.fullmatch(r"(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|:)*", info):
            continue
        masked = out[start:end]
        assert "*" in masked, (text, out)
