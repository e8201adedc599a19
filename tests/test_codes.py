"""specc.codes: the registry of diagnostic codes agrees with the code base and the docs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from specc.codes import CODES, lookup, name_of
from specc.codes_docs import check_docs, render_table, write_docs
from tests.helpers import REPO

DOCS = REPO / "docs"


def _codes_in(paths: list[Path]) -> dict[str, list[str]]:
    """code → the files mentioning it."""
    found: dict[str, list[str]] = {}
    for path in paths:
        for code in set(re.findall(r"SPC\d{3}", path.read_text(encoding="utf-8"))):
            found.setdefault(code, []).append(str(path.relative_to(REPO)))
    return found


def test_every_code_in_the_source_is_registered() -> None:
    sources = [p for p in (REPO / "specc").rglob("*.py") if p.name != "codes.py"]
    used = _codes_in(sources)
    assert len(used) > 90  # the scan sees the code base
    missing = {code: files for code, files in used.items() if code not in CODES}
    assert not missing, f"add these to specc/codes.py: {missing}"


def test_every_code_mentioned_in_the_docs_is_registered() -> None:
    mentioned = _codes_in([*DOCS.glob("*.md"), REPO / "README.md"])
    unknown = {code: files for code, files in mentioned.items() if code not in CODES}
    assert not unknown, unknown


def test_docs_agree_with_the_registry() -> None:
    """Each code is in a table at its anchor with the registry's name, severity and summary."""
    assert check_docs(DOCS) == []
    r = subprocess.run([sys.executable, "-m", "specc.codes_docs", "--check"], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stderr


def test_check_docs_finds_each_kind_of_disagreement(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    assert check_docs(docs) == []
    page = docs / "diagnostics.md"
    text = page.read_text(encoding="utf-8")
    text = text.replace("| SPC202 | `unpinned-requirement` | warning |", "| SPC202 | `unpinned-requirement` | error |")
    text = text.replace("| SPC103 | `invalid-requirement` |", "| SPC103 | `bad-requirement` |")
    text = re.sub(r"\| SPC204 \|.*\n", "", text)  # undocumented
    text += "\n## More\n\n| code | severity | what |\n|---|---|---|\n| SPC999 | error | not a real code |\n"
    page.write_text(text, encoding="utf-8")
    problems = "\n".join(check_docs(docs))
    assert "SPC202 severity 'error', registry 'warning'" in problems
    assert "SPC103 row differs" in problems and "bad-requirement" in problems
    assert "SPC204 (path-not-found) is not documented" in problems
    assert "SPC999 is documented but not in specc/codes.py" in problems
    # --write puts the registry's rows back (the stray table stays: it is at no registered anchor)
    assert write_docs(docs) == ["diagnostics.md"]
    assert [p for p in check_docs(docs) if "SPC999" not in p] == []


def test_names_are_unique_kebab_case_and_entries_well_formed() -> None:
    names = [c.name for c in CODES.values()]
    assert len(set(names)) == len(names)
    for code, entry in CODES.items():
        assert entry.code == code and re.fullmatch(r"SPC\d{3}", code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry.name), entry
        assert entry.severities and set(entry.severities) <= {"error", "warning"}, entry
        assert "\n" not in entry.summary and "|" not in entry.summary, entry
        page, _, anchor = entry.doc.partition("#")
        assert (DOCS / page).is_file() and anchor, entry
    assert name_of("SPC103") == "invalid-requirement" and lookup("SPC999") is None


def test_the_corpus_uses_only_registered_severities() -> None:
    """A code's severity in tests/invalid (strict-* cases aside: they turn warnings into errors)."""
    seen = 0
    for expected in (REPO / "tests" / "invalid").glob("*.expected"):
        if expected.name.startswith("strict-"):
            continue
        for severity, code in re.findall(r"\b(error|warning)\[(SPC\d{3})\]", expected.read_text(encoding="utf-8")):
            seen += 1
            assert severity in CODES[code].severities, (expected.name, code, severity)
    assert seen > 40


def test_render_table() -> None:
    table = render_table("diagnostics.md#reading-the-file").splitlines()
    assert table[0] == "| code | name | severity | what |"
    assert table[2] == "| SPC001 | `spec-unreadable` | error | the spec file does not exist or cannot be read |"
    assert len(table) == 2 + 5  # SPC001-SPC004 and SPC135 (path-permission-denied)


def test_registry_is_cheap_to_import() -> None:
    """specc.codes imports nothing beyond the standard library (loaded on its own, without specc/__init__)."""
    code = (
        "import sys, importlib.util; before = set(sys.modules)\n"
        "spec = importlib.util.spec_from_file_location('codes', 'specc/codes.py')\n"
        "mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(sorted(new - set(sys.stdlib_module_names)))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
