"""``specc pin --from-env``: exact ``==`` pins for the spec's requirements, from the installed versions.

The seed's advice (``f"nltk=={nltk.__version__}"``), automated: every requirement of
``python.requirements`` that is not an exact pin gets the version installed in the current
Python environment (``importlib.metadata``).

How the file is rewritten (docs/pin.md):

* Only the changed values are touched, byte for byte: the loader's source map gives the span of
  every requirement string and table key, and the edit replaces exactly those characters.
  Comments, blank lines, key order, quoting style (basic or literal) and alignment elsewhere are
  kept; the result is re-parsed and validated before it is written, atomically.
* Short strings become ``name[extras]==X.Y.Z; markers`` (name spelling, extras and marker text as
  written).  Tables with ``specifier`` get ``version = "X.Y.Z"`` in its place (same position,
  same comment); tables with neither get ``version`` right after ``name``.
* A range that the installed version violates is an error, not an overwrite; so is a package that
  is not installed.  Nothing is written when any requirement fails.
* Requirements whose marker is false here are left alone (reported); URL requirements and exact
  pins are already exact.  Requirements from ``requirements-files``, and from every file they
  include with ``-r`` (nested; ``-c`` files hold constraints, ranges on purpose), are reported
  as ``file:line`` with the pin to write, and rewritten only with ``--rewrite-files``: those
  files are often shared with other tools.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = ["FileEdit", "PinError", "PinPlan", "Pinned", "installed_versions", "plan_pins", "rewrite_files"]


class PinError(Exception):
    """The spec cannot be read or edited; the message is for the user."""


def installed_versions() -> dict[str, str]:
    """Canonical distribution name → version, for the current Python environment (first on sys.path wins)."""
    import importlib.metadata

    out: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if not name:
            continue
        out.setdefault(str(canonicalize_name(name)), dist.version)
    return out


@dataclass(frozen=True)
class Pinned:
    """One requirement and what happened to it."""

    where: str  # python.requirements[2] or requirements.txt:4
    name: str
    before: str
    after: str | None  # the new text; None when unchanged
    status: str  # "pinned", "already-pinned", "skipped", "not-installed", "violates", "file"
    message: str = ""


@dataclass
class PinPlan:
    path: Path
    old_text: str
    new_text: str
    items: list[Pinned] = field(default_factory=list)
    bom: bool = False
    file_edits: list[FileEdit] = field(default_factory=list)  # requirements files: applied only on request

    @property
    def unpinned_in_files(self) -> list[Pinned]:
        """Lines of requirements files (and the files they include) that are not exact pins."""
        return [i for i in self.items if i.status == "file"]

    @property
    def errors(self) -> list[Pinned]:
        return [i for i in self.items if i.status in ("not-installed", "violates")]

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text

    def diff(self) -> str:
        name = str(self.path)
        return "".join(
            difflib.unified_diff(
                self.old_text.splitlines(keepends=True),
                self.new_text.splitlines(keepends=True),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
            )
        )

    def write(self) -> None:
        from specc.output import write_file_atomic

        mode = self.path.stat().st_mode & 0o777
        write_file_atomic(self.path, ("\ufeff" if self.bom else "") + self.new_text, mode=mode)


_HEAD = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?")


def _toml_string(value: str, like: str) -> str:
    """``value`` as a TOML string literal, in the quoting style of ``like`` where possible."""
    if like.startswith("'") and not like.startswith("'''") and "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _installed(name: str, installed: Mapping[str, str]) -> str | None:
    return installed.get(str(canonicalize_name(name)))


def _check_version(name: str, spec: str, version: str, where: str, before: str) -> Pinned | None:
    try:
        ok = SpecifierSet(spec).contains(Version(version), prereleases=True)
    except (InvalidVersion, ValueError):
        ok = False
    if not ok:
        return Pinned(
            where,
            name,
            before,
            None,
            "violates",
            f"{name} {version} is installed, but the spec asks for {name}{spec}; "
            f"install a matching version, or change the requirement by hand",
        )
    return None


def _marker_false(marker: str | None) -> bool:
    if not marker:
        return False
    from packaging.markers import InvalidMarker, Marker

    try:
        return not Marker(marker).evaluate()
    except InvalidMarker:
        return False


def plan_pins(path: str | Path, installed: Mapping[str, str] | None = None) -> PinPlan:
    """Compute the pinned text of the spec at ``path`` (nothing is written; see :meth:`PinPlan.write`).

    ``installed`` maps canonical names to versions (default: this Python's distributions).
    """
    from specc.diagnostics import format_path
    from specc.document import LoadError, read_spec_file

    p = Path(path)
    if p.is_dir():
        p = p / "model-env.toml"
    try:
        doc = read_spec_file(p, str(path))
    except LoadError as exc:
        raise PinError("; ".join(d.message for d in exc.diagnostics)) from None
    raw = p.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    versions = dict(installed) if installed is not None else installed_versions()
    text = doc.source.text
    smap = doc.source_map
    edits: list[tuple[int, int, str]] = []
    items: list[Pinned] = []

    reqs = (doc.data.get("python") or {}).get("requirements") or []
    if not isinstance(reqs, list):
        raise PinError(f"{path}: python.requirements is not a list")
    for i, value in enumerate(reqs):
        tpath: tuple[Any, ...] = ("python", "requirements", i)
        where = format_path(tpath)
        if isinstance(value, str):
            span = smap.values.get(tpath)
            literal = text[span[0] : span[1]] if span else ""
            try:
                req = Requirement(value)
            except InvalidRequirement as exc:
                raise PinError(f"{where}: invalid requirement {value!r}: {exc}; run `specc validate`") from None
            got = _pin_short(value, req, where, versions, literal)
            items.append(got)
            if got.status == "pinned":
                if span is None:
                    raise PinError(f"{where}: cannot locate the value in {path} (unusual TOML layout)")
                edits.append((span[0], span[1], _toml_string(got.after or "", literal)))
        elif isinstance(value, dict):
            got, table_edits = _pin_table(value, tpath, where, versions, text, smap)
            items.append(got)
            edits += table_edits
        else:
            raise PinError(f"{where}: not a requirement string or table; run `specc validate`")

    file_items, file_edits = _file_items(doc, p, versions)
    items += file_items

    new = text
    for start, end, repl in sorted(edits, reverse=True):
        new = new[:start] + repl + new[end:]
    plan = PinPlan(p, text, new, items, bom, file_edits)
    if plan.changed and not plan.errors:
        _verify(plan, doc.data)
    return plan


def _pin_short(value: str, req: Requirement, where: str, versions: Mapping[str, str], literal: str) -> Pinned:
    name = req.name
    if req.url:
        return Pinned(where, name, value, None, "already-pinned", "a direct URL reference")
    clauses = list(req.specifier)
    if len(clauses) == 1 and clauses[0].operator in ("==", "===") and "*" not in clauses[0].version:
        return Pinned(where, name, value, None, "already-pinned")
    if _marker_false(str(req.marker) if req.marker else None):
        return Pinned(where, name, value, None, "skipped", f"marker `{req.marker}` is false here; left as is")
    version = _installed(name, versions)
    if version is None:
        return Pinned(where, name, value, None, "not-installed", f"{name} is not installed in this environment")
    bad = _check_version(name, str(req.specifier), version, where, value)
    if bad:
        return bad
    m = _HEAD.match(value)
    head = (m.group(1) + (m.group(2) or "")) if m else name
    marker = value.split(";", 1)[1].strip() if ";" in value else ""
    new = f"{head}=={version}" + (f"; {marker}" if marker else "")
    return Pinned(where, name, value, new, "pinned")


def _pin_table(
    value: dict[str, Any],
    tpath: tuple[Any, ...],
    where: str,
    versions: Mapping[str, str],
    text: str,
    smap: Any,
) -> tuple[Pinned, list[tuple[int, int, str]]]:
    name = str(value.get("name", ""))
    before = _table_text(value)
    if value.get("url"):
        return Pinned(where, name, before, None, "already-pinned", "a direct URL reference"), []
    if value.get("version") is not None:
        return Pinned(where, name, before, None, "already-pinned"), []
    spec = value.get("specifier")
    if isinstance(spec, str):
        clauses = list(SpecifierSet(spec)) if spec.strip() else []
        if len(clauses) == 1 and clauses[0].operator in ("==", "===") and "*" not in clauses[0].version:
            return Pinned(where, name, before, None, "already-pinned"), []
    if _marker_false(value.get("markers")):
        return Pinned(
            where, name, before, None, "skipped", f"marker `{value['markers']}` is false here; left as is"
        ), []
    version = _installed(name, versions)
    if version is None:
        return Pinned(where, name, before, None, "not-installed", f"{name} is not installed in this environment"), []
    if isinstance(spec, str):
        bad = _check_version(name, spec, version, where, before)
        if bad:
            return bad, []
    new_value = _toml_string(version, '"')
    after = _table_text({**{k: v for k, v in value.items() if k != "specifier"}, "version": version})
    if isinstance(spec, str):
        kspan = smap.keys.get((*tpath, "specifier"))
        vspan = smap.values.get((*tpath, "specifier"))
        if kspan is None or vspan is None or text[kspan[0] : kspan[1]] != "specifier":
            raise PinError(f"{where}: cannot locate `specifier` in the file (quoted or dotted key); pin it by hand")
        return Pinned(where, name, before, after, "pinned"), [
            (vspan[0], vspan[1], new_value),
            (kspan[0], kspan[1], "version"),
        ]
    nspan = smap.values.get((*tpath, "name"))
    tspan = smap.values.get(tpath)
    if nspan is None or tspan is None:
        raise PinError(f"{where}: cannot locate the table in the file; pin it by hand")
    if text[tspan[0]] == "{":
        return Pinned(where, name, before, after, "pinned"), [(nspan[1], nspan[1], f", version = {new_value}")]
    # a [[python.requirements]] table: a new line after the name's line (after its comment, if any)
    eol = text.find("\n", nspan[1])
    eol = len(text) if eol < 0 else eol
    nl = "\n"
    if eol > 0 and text[eol - 1] == "\r":
        eol, nl = eol - 1, "\r\n"
    line_start = text.rfind("\n", 0, nspan[0]) + 1
    indent = re.match(r"[ \t]*", text[line_start:]).group(0)  # type: ignore[union-attr]
    return Pinned(where, name, before, after, "pinned"), [(eol, eol, f"{nl}{indent}version = {new_value}")]


def _table_text(value: dict[str, Any]) -> str:
    return "{ " + ", ".join(f"{k} = {v!r}" for k, v in value.items()) + " }"


@dataclass(frozen=True)
class FileEdit:
    """One requirement line of a requirements file to rewrite (``specc pin --from-env --rewrite-files``)."""

    file: Path
    lineno: int  # 1-based
    col: int  # 1-based column of the requirement text
    old: str
    new: str


def _file_items(doc: Any, spec_path: Path, versions: Mapping[str, str]) -> tuple[list[Pinned], list[FileEdit]]:
    """Unpinned lines of ``requirements-files`` and every file they include with ``-r`` (nested).

    Each is reported as ``file:line`` (relative to the spec's folder, as ``specc validate``
    shows it) with the pin to write; the edits are applied only on request (shared files).
    """
    import os

    from specc.requirements import parse_requirements_file

    files = (doc.data.get("python") or {}).get("requirements-files") or []
    out: list[Pinned] = []
    edits: list[FileEdit] = []
    seen: set[tuple[Path, int]] = set()
    folder = spec_path.parent
    for entry in files:
        rel = entry if isinstance(entry, str) else (entry.get("path") if isinstance(entry, dict) else None)
        if not isinstance(rel, str):
            continue
        parsed = parse_requirements_file(folder / rel, Path(folder.resolve().anchor))
        # constraints (-c files) stay ranges on purpose, as python.constraints do (and validate agrees)
        for fl, _req in parsed.requirements:
            if (fl.file, fl.lineno) in seen:
                continue
            seen.add((fl.file, fl.lineno))
            shown = os.path.relpath(fl.file, folder.resolve()).replace(os.sep, "/")
            try:
                req = Requirement(fl.text)
            except InvalidRequirement:
                continue
            got = _pin_short(fl.text, req, f"{shown}:{fl.lineno}", versions, '"')
            if got.status == "pinned":
                out.append(
                    Pinned(got.where, got.name, fl.text, got.after, "file", f"not rewritten: write `{got.after}` there")
                )
                edits.append(FileEdit(fl.file, fl.lineno, fl.col, fl.text, got.after or fl.text))
            elif got.status in ("not-installed", "violates"):
                out.append(Pinned(got.where, got.name, fl.text, None, "file", f"not rewritten: {got.message}"))
    return out, edits


def rewrite_files(edits: list[FileEdit]) -> list[FileEdit]:
    """Apply ``edits`` to their files (atomically, mode kept); return the edits that could not be applied.

    A line is rewritten only where the requirement is written on one physical line exactly as
    parsed (a line continued with ``\\`` is left for a human).
    """
    from specc.output import write_file_atomic

    skipped: list[FileEdit] = []
    by_file: dict[Path, list[FileEdit]] = {}
    for e in edits:
        by_file.setdefault(e.file, []).append(e)
    for path, items in by_file.items():
        raw = path.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
        lines = text.splitlines(keepends=True)
        for e in items:
            line = lines[e.lineno - 1] if e.lineno <= len(lines) else ""
            start = e.col - 1
            if line[start : start + len(e.old)] != e.old or line.rstrip("\r\n").endswith("\\"):
                skipped.append(e)
                continue
            lines[e.lineno - 1] = line[:start] + e.new + line[start + len(e.old) :]
        mode = path.stat().st_mode & 0o777
        write_file_atomic(path, ("\ufeff" if bom else "") + "".join(lines), mode=mode)
    return skipped


def _verify(plan: PinPlan, old_data: dict[str, Any]) -> None:
    """The new text parses, keeps everything but the pinned values, and validates as a spec."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    try:
        data = tomllib.loads(plan.new_text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - a bug in the span edits
        raise PinError(f"internal: the pinned text is not valid TOML ({exc}); nothing written") from None
    old_rest = {k: v for k, v in old_data.items() if k != "python"}
    new_rest = {k: v for k, v in data.items() if k != "python"}
    old_py = {k: v for k, v in (old_data.get("python") or {}).items() if k != "requirements"}
    new_py = {k: v for k, v in (data.get("python") or {}).items() if k != "requirements"}
    if old_rest != new_rest or old_py != new_py:  # pragma: no cover - a bug in the span edits
        raise PinError("internal: pinning changed more than python.requirements; nothing written")
    from specc.api import check_text

    result = check_text(plan.new_text, base_dir=plan.path.parent, name=plan.path.name)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    if errors:
        raise PinError("the pinned spec would be invalid: " + "; ".join(f"[{d.code}] {d.message}" for d in errors))
