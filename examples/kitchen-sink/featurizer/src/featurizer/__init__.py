"""Turn support-ticket text into simple numeric features (stdlib only)."""

from __future__ import annotations

import re

__version__ = "0.3.0"

_WORD = re.compile(r"[a-z0-9']+")


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens."""
    return _WORD.findall(text.lower())


def featurize(text: str) -> dict[str, float]:
    """A few length and punctuation features used next to the tokenizer's ids."""
    tokens = tokenize(text)
    return {
        "n_tokens": float(len(tokens)),
        "mean_token_len": sum(map(len, tokens)) / len(tokens) if tokens else 0.0,
        "exclamations": float(text.count("!")),
        "questions": float(text.count("?")),
    }
