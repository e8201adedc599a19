"""The invalid-spec corpus: every case exits 1 with exactly its expected diagnostics.

A case is ``tests/invalid/<case>.toml`` or a folder ``tests/invalid/<case>/``
holding model-env.toml and the files it names; ``<case>.expected`` is the exact
text ``specc validate`` prints (cases named ``strict-*`` run with --strict).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO, assert_golden, run_cli

INVALID = REPO / "tests" / "invalid"


def _cases() -> list[str]:
    out = []
    for p in sorted(INVALID.iterdir()):
        if p.suffix == ".toml" or (p.is_dir() and (p / "model-env.toml").exists()):
            out.append(p.name)
    return out


CASES = _cases()


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_invalid_case(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    args = ["validate", case]
    if case.startswith("strict-"):
        args.append("--strict")
    result = run_cli(*args, cwd=INVALID)
    name = case.removesuffix(".toml")
    assert result.code == 1, result.err
    assert result.out == ""
    assert "Traceback" not in result.err
    assert_golden(INVALID / f"{name}.expected", result.err)


def test_every_code_in_the_corpus_is_documented() -> None:
    import re

    codes = set()
    for p in INVALID.glob("*.expected"):
        codes |= set(re.findall(r"\[(SPC\d{3})\]", p.read_text(encoding="utf-8")))
    from specc.codes import CODES

    # each code is documented on the page its registry entry names (diagnostics.md, or a
    # target's page for the codes of its capability table)
    missing = sorted(
        c
        for c in codes
        if c not in CODES or c not in (REPO / "docs" / CODES[c].doc.split("#")[0]).read_text(encoding="utf-8")
    )
    assert not missing, f"codes without documentation at their registry anchor: {missing}"


def test_expected_files_have_cases() -> None:
    stale = [p.name for p in INVALID.glob("*.expected") if p.stem not in {Path(c).stem for c in CASES}]
    assert not stale, stale


def test_every_code_specc_emits_is_documented() -> None:
    import re

    used: set[str] = set()
    for path in (REPO / "specc").rglob("*.py"):
        used |= set(re.findall(r"SPC\d{3}", path.read_text(encoding="utf-8")))
    docs = "".join(p.read_text(encoding="utf-8") for p in (REPO / "docs").glob("*.md"))
    ranges = [(int(a), int(b)) for a, b in re.findall(r"SPC(\d{3})-SPC(\d{3})", docs)]
    missing = sorted(c for c in used if c not in docs and not any(lo <= int(c[3:]) <= hi for lo, hi in ranges))
    assert not missing, f"undocumented diagnostic codes: {missing}"
