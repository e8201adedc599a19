"""The code tables of docs/*.md, checked against (and rewritten from) :mod:`specc.codes`.

A code table is a Markdown table whose header has a ``code`` column; its other columns may be
``name``, ``severity`` and ``what`` (or ``meaning``).  A table at a code's registered anchor
must match the registry row for row; a code documented elsewhere too (SPC212 in databricks.md)
must exist and have the registry's severity there.

``python -m specc.codes_docs`` prints every table generated from the registry; ``--check`` exits 1
when docs/ disagrees with it (listing each disagreement); ``--write`` rewrites the rows of the
tables at registered anchors.  Run from a source checkout (docs/ is not installed).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import NamedTuple

from specc.codes import CODES, Code

__all__ = ["check_docs", "render_table", "write_docs"]

_CODE_CELL = re.compile(r"^SPC\d{3}$")


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: ``## Drift (`specc check`)`` → ``drift-specc-check``."""
    text = heading.lstrip("#").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


class _Table(NamedTuple):
    page: str  # "diagnostics.md"
    anchor: str  # of the heading above it
    start: int  # index of the header line
    end: int  # index after the last row
    columns: list[str]
    rows: list[list[str]]


def _tables(page: str, text: str) -> list[_Table]:
    """The code tables of one page, with the anchor of the section each stands in."""
    lines = text.splitlines()
    out: list[_Table] = []
    anchor, fenced, i = "", False, 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            anchor = _anchor(line)
        elif not fenced and line.startswith("|") and i + 1 < len(lines) and set(lines[i + 1]) <= set("|-: "):
            columns = [c.lower() for c in _cells(line)]
            j = i + 2
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            if "code" in columns:
                out.append(_Table(page, anchor, i, j, columns, [_cells(r) for r in lines[i + 2 : j]]))
            i = j
            continue
        i += 1
    return out


def _row(entry: Code, columns: list[str]) -> str:
    values = {
        "code": entry.code,
        "name": f"`{entry.name}`",
        "severity": entry.severity_text,
        "what": entry.summary,
        "meaning": entry.summary,
    }
    return "| " + " | ".join(values.get(c, "") for c in columns) + " |"


def render_table(doc: str, columns: tuple[str, ...] = ("code", "name", "severity", "what")) -> str:
    """The Markdown table of every code documented at ``doc`` (``"check.md#finding-codes-spc5xx"``)."""
    cols = list(columns)
    head = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    return "\n".join(head + [_row(e, cols) for e in CODES.values() if e.doc == doc]) + "\n"


def _pages(docs_dir: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(docs_dir.glob("*.md"))}


def check_docs(docs_dir: Path) -> list[str]:
    """Every disagreement between the registry and the code tables under ``docs_dir``; [] when in step."""
    problems: list[str] = []
    seen_at_anchor: set[str] = set()
    for page, text in _pages(docs_dir).items():
        for table in _tables(page, text):
            where = f"{page}#{table.anchor}"
            for cells in table.rows:
                row = dict(zip(table.columns, cells, strict=False))
                code = row.get("code", "")
                if not _CODE_CELL.match(code):
                    problems.append(f"{where}: {code!r} is not a code (ranges belong in the text, not a code table)")
                    continue
                entry = CODES.get(code)
                if entry is None:
                    problems.append(f"{where}: {code} is documented but not in specc/codes.py")
                    continue
                if row.get("severity", entry.severity_text) != entry.severity_text:
                    problems.append(f"{where}: {code} severity {row['severity']!r}, registry {entry.severity_text!r}")
                if entry.doc != where:
                    continue  # documented again in context (e.g. a target's page): existence and severity only
                seen_at_anchor.add(code)
                want = _row(entry, table.columns)
                got = "| " + " | ".join(cells) + " |"
                if got != want:
                    problems.append(f"{where}: {code} row differs from the registry\n  doc: {got}\n  registry: {want}")
    for entry in CODES.values():
        if entry.code not in seen_at_anchor:
            problems.append(f"{entry.doc}: {entry.code} ({entry.name}) is not documented in a code table there")
    return problems


def write_docs(docs_dir: Path) -> list[str]:
    """Rewrite the rows of every code table at a registered anchor from the registry; the pages changed."""
    changed = []
    for page, text in _pages(docs_dir).items():
        lines = text.splitlines()
        for table in reversed(_tables(page, text)):
            doc = f"{page}#{table.anchor}"
            if not any(e.doc == doc for e in CODES.values()):
                continue
            rows = [_row(e, table.columns) for e in CODES.values() if e.doc == doc]
            lines[table.start + 2 : table.end] = rows
        new = "\n".join(lines) + "\n"
        if new != text:
            (docs_dir / page).write_text(new, encoding="utf-8")
            changed.append(page)
    return changed


def _main(argv: list[str]) -> int:
    docs_dir = Path(__file__).resolve().parent.parent / "docs"
    if argv[:1] == ["--check"]:
        problems = check_docs(docs_dir)
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{len(CODES)} codes; docs {'disagree' if problems else 'agree'}", file=sys.stderr)
        return 1 if problems else 0
    if argv[:1] == ["--write"]:
        for page in write_docs(docs_dir):
            print(f"rewrote docs/{page}", file=sys.stderr)
        return 0
    if argv:
        print("usage: python -m specc.codes_docs [--check | --write]", file=sys.stderr)
        return 2
    for doc in dict.fromkeys(e.doc for e in CODES.values()):
        print(f"<!-- {doc} -->\n{render_table(doc)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
