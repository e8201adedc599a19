"""Python requirements: PEP 508 parsing, canonical forms, merging, requirements files.

Everything goes through ``packaging`` (PEP 440/503/508), never a hand-rolled
regex, so specc agrees with pip on what a requirement means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from specc.diagnostics import PathPart
from specc.spec import EXTRA_NAME, PACKAGE_NAME, Req

T = TypeVar("T")


class RequirementProblem(Exception):
    """A requirement string packaging refuses.

    ``span`` is where in the string packaging found the error: 0-based offsets, end
    exclusive (packaging's caret, widened to the characters it underlines), or None
    when the whole string is at fault.
    """

    def __init__(
        self, message: str, hint: str | None = None, span: tuple[int, int] | None = None, code: str = "SPC103"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.span = span
        self.code = code  # SPC103 (not PEP 508) or SPC119 (a pip option on the line)


# pip's per-requirement options (``name==1 --hash=sha256:...``, ``--config-settings``,
# ``--global-option``, ``-C``): pip-compile output and setup-tool flags, never PEP 508
_REQ_OPTION = re.compile(r"\s(--[A-Za-z][A-Za-z-]*|-C)(?=[=\s]|$)")
_HASH_HINT = (
    "remove the --hash options (pip-compile without --generate-hashes, or strip them from each line); "
    "`specc lock` resolves the requirements and records every distribution's sha256 in model-env.lock"
)


IN_FILE = "a requirements file"


def pip_option_problem(opt: str, where: str) -> tuple[str, str | None]:
    """(message, hint) for a pip option written where a requirement belongs.

    ``where`` is :data:`IN_FILE` (a line of its own in a requirements file, whose ``-r``/``-c``
    lines are read, not refused) or ``"a requirement string"`` (a spec entry).  One wording for
    every place, so the hint names the spec key that replaces the option.
    """
    in_file = where == IN_FILE
    if opt in ("-e", "--editable"):
        return "editable installs (-e) cannot be shipped with a model", "build a wheel and list it under python.wheels"
    if opt in ("-i", "--index-url", "--extra-index-url"):
        key = "index-url" if opt in ("-i", "--index-url") else "extra-index-urls"
        return (
            f"{opt} inside {where} is not allowed",
            f"move it to python.{key} in model-env.toml, with credentials as ${{SECRET}} placeholders",
        )
    if opt in ("-r", "--requirement"):
        return f"{opt} inside {where} is not allowed", "list the file under python.requirements-files"
    if opt in ("-c", "--constraint"):
        return (
            f"{opt} inside {where} is not allowed",
            "list the constraints under python.constraints, or write the -c line in a file of "
            "python.requirements-files",
        )
    if opt == "--hash":
        return f"pip option --hash is not supported in {where}", _HASH_HINT
    if opt in _BUILD_OPTIONS:
        return (
            f"pip option {opt} is not supported in {where}",
            "build the package into a wheel with the options it needs and list it under python.wheels",
        )
    return f"pip option {opt} is not supported in {where}", "keep only requirements" + (
        ", -r and -c lines" if in_file else " (PEP 508 strings or tables)"
    )


_UNSHIPPABLE_URLS = ("git+", "hg+", "svn+", "bzr+", "file:")
_BUILD_OPTIONS = ("--config-settings", "-C", "--global-option", "--install-option", "--build-option")


def _option_problem(text: str) -> RequirementProblem | None:
    """The problem of a requirement that carries a pip option, or None."""
    m = _REQ_OPTION.search(text)
    if m is None:
        return None
    opt = m.group(1)
    _, hint = pip_option_problem(opt, "a requirement string")
    message = f"pip option {opt} is not supported on a requirement's line"
    return RequirementProblem(message, hint, (m.start(1), len(text.rstrip())), code="SPC119")


def _error_span(exc: Exception) -> tuple[int, int] | None:
    """packaging's position of a parse error (``ParserSyntaxError.span``, the ``__cause__`` of
    InvalidRequirement/InvalidMarker): it underlines ``start..end`` and puts a caret at ``end``,
    so the offending characters are ``[start, end + 1)``."""
    span = getattr(exc.__cause__, "span", None)
    if isinstance(span, tuple) and len(span) == 2 and all(isinstance(n, int) for n in span):
        start, end = span
        return start, max(end, start) + 1
    return None


def _packaging_reason(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid"
    return first[:1].lower() + first[1:]


def _hint_for_text(text: str) -> str | None:
    stripped = text.strip()
    m = re.match(r"^([A-Za-z0-9._-]+)\s*(.*)$", stripped)
    rest = m.group(2) if m else ""
    m_op = re.search(r"(==|>=|<=|~=|!=|<|>)\s*$", stripped)
    if m_op or stripped.endswith(","):
        base = stripped[: m_op.start()] if m_op else stripped
        base = base.rstrip(", ")
        op = m_op.group(1) if m_op else "<"
        bound = _next_major(rest) if op in ("<", "<=") else "1.0"
        if op in ("<", "<=") and bound.startswith("<"):
            bound = bound[1:]
        sep = "," if re.search(r"(==|>=|<=|~=|!=|<|>)", base) else ""
        return f'finish the version specifier, e.g. "{base}{sep}{op}{bound}"'
    if re.match(r"^[A-Za-z0-9._-]+\s*=\s*[0-9]", stripped) and "==" not in stripped:
        return f'use == to pin a version: "{stripped.replace("=", "==", 1).replace(" ", "")}"'
    if re.match(r"^[A-Za-z0-9._-]+\s+[0-9]", stripped):
        parts = stripped.split()
        return f'use == to pin a version: "{parts[0]}=={parts[1]}"'
    if stripped.startswith(("-", "--")):
        return "pip options belong in dedicated keys: python.index-url, python.extra-index-urls, python.constraints"
    if stripped.endswith((".whl", ".tar.gz", ".zip")) and "@" not in stripped:
        return 'list local wheels under python.wheels; remote files as "name @ https://..."'
    if stripped.startswith(("http://", "https://")):
        return 'give the package a name: "name @ ' + stripped + '"'
    compat = _COMPATIBLE_ONE_PART.search(stripped)
    if compat:
        return compatible_hint(stripped[: compat.start()].strip(), compat.group(1))
    return 'write a PEP 508 requirement, e.g. "scikit-learn==1.5.2"'


# ``~=1``: PEP 440's compatible release needs two release parts (``~=1.0`` means >=1.0,<2);
# packaging refuses the clause and reports the name as lacking a specifier
_COMPATIBLE_ONE_PART = re.compile(r"~=\s*(\d+)(?![\d.*])")


def compatible_hint(before: str, major: str) -> str:
    """The hint for ``~=N``: ``before`` is what precedes the operator (a name, or nothing)."""
    return (
        f'~= needs at least two release parts: write "{before}~={major}.0" (>={major}.0,<{int(major) + 1}) '
        f'or "{before}=={major}.*"'
    )


def _next_major(spec: str) -> str:
    m = re.search(r">=\s*(\d+)", spec)
    return f"<{int(m.group(1)) + 1}" if m else "<2"


# The most common line by far, "name" or "name==1.2.3": a strict subset of PEP 508 whose
# canonical form needs no parser (packaging gives the same Req; tests/test_requirements.py
# checks the two agree).  Anything else goes through packaging.
# Extras written without spaces (``name[a,b]==1.2``) take the same path, and so does such a
# requirement with an environment marker (``name==1.2 ; python_version >= "3.9"``): a spec
# repeats a few markers over thousands of lines, so each distinct marker text is parsed by
# packaging once per process (:func:`_marker`).  The Req is built by :func:`_make_req`
# without pydantic's validation: its parts are already canonical strings, so validating them
# would only repeat what this function guarantees (100,000 times at scale).
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_SIMPLE = re.compile(rf"({_NAME})(?:\[({_NAME}(?:,{_NAME})*)\])?(==[0-9]+(?:\.[0-9]+)*)?")
_MARKERS: dict[str, str | None] = {}  # marker text as written → as packaging prints it (None: invalid)


def _marker(text: str) -> str | None:
    """``text`` (a marker as written after ``;``) as packaging prints it; None when invalid."""
    try:
        return _MARKERS[text]
    except KeyError:
        pass
    try:
        printed: str | None = str(Marker(text))
    except InvalidMarker:
        printed = None
    if len(_MARKERS) < 4096:  # distinct markers are few; bound the memo for long-lived callers
        _MARKERS[text] = printed
    return printed


_REQ_FIELDS = ("name", "extras", "specifier", "markers", "url")
_fast_req: bool | None = None  # whether Req is still the plain model _make_req knows (checked once)


def _make_req(name: str, extras: tuple[str, ...], specifier: str, markers: str | None, url: str | None) -> Req:
    """A :class:`Req` from parts that are already canonical.

    What ``Req.model_construct`` builds (every field set, no extra, no private attributes),
    about 5x faster: the instance's ``__dict__`` is written directly.  Falls back to
    ``model_construct`` if Req ever gains a field or private attribute this does not know.
    ``line`` is left to its cached property on purpose: computed later in the merged (sorted)
    order, the line strings sit in memory in the order every target reads them, which makes
    the renders measurably faster than computing them here in file order (bench/scale.py).
    """
    global _fast_req
    if _fast_req is None:
        _fast_req = Req.__fields__ == _REQ_FIELDS and not (Req.__private__ or Req.__private_factories__)
    if not _fast_req:
        return Req.model_construct(name=name, extras=extras, specifier=specifier, markers=markers, url=url)
    req = _new(Req)
    _set(req, "__dict__", {"name": name, "extras": extras, "specifier": specifier, "markers": markers, "url": url})
    _set(req, "__pydantic_fields_set__", set(_REQ_FIELDS))  # its own: model_copy may add to it
    _set(req, "__pydantic_extra__", None)
    _set(req, "__pydantic_private__", None)
    return req


_new = object.__new__
_set = object.__setattr__


def _canonical_name(name: str) -> str:
    """``canonicalize_name`` (PEP 503), without its regex for a name that is already one
    lower-cased word joined by single hyphens (most names)."""
    lower = name.lower()
    if "_" in lower or "." in lower or "--" in lower:
        return canonicalize_name(name)
    return lower


def parse_requirement_string(text: str) -> Req:
    """A PEP 508 string → canonical :class:`Req` (raises RequirementProblem)."""
    simple = _SIMPLE.fullmatch(text)
    markers = None
    if simple is None and ";" in text:
        head, _, tail = text.partition(";")
        simple = _SIMPLE.fullmatch(head.rstrip())
        if simple is not None:
            markers = _marker(tail.strip())
            if markers is None:
                simple = None  # an invalid marker: packaging's own message and position
    if simple is not None:
        name, extras, pin = simple.groups()
        return _make_req(
            _canonical_name(name),
            () if extras is None else tuple(sorted({canonicalize_name(e) for e in extras.split(",")})),
            pin or "",
            markers,
            None,
        )
    if text.strip() == "":
        raise RequirementProblem("empty requirement", 'write a PEP 508 requirement, e.g. "scikit-learn==1.5.2"')
    if "\n" in text or "\r" in text:
        raise RequirementProblem("a requirement must be on one line", None)
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        lead = _OPTION.match(text.strip()) if text.lstrip().startswith("-") else None
        if lead is not None:  # a pip option line in the spec: the wording a requirements file gets
            message, hint = pip_option_problem(lead.group("opt"), "a requirement string")
            raise RequirementProblem(message, hint, code="SPC119") from None
        option = _option_problem(text)
        if option is not None:
            raise option from None
        if text.lstrip().startswith(_UNSHIPPABLE_URLS):
            # a bare VCS or file: URL (pip's own shorthand): the rule "name @ url" would meet,
            # not a hint to add a name that then gets refused
            from specc.urls import check_requirement_url

            problem = check_requirement_url(text.strip(), secret_names=())[0]
            raise RequirementProblem(problem.message, problem.hint, code=problem.code) from None
        compat = _COMPATIBLE_ONE_PART.search(text)
        if compat is not None:  # packaging blames the name ("no version specifier"): say what is wrong
            clause = text[compat.start() : compat.end()]
            raise RequirementProblem(
                f'invalid requirement "{text}": "{clause}" is not a version specifier (PEP 440)',
                compatible_hint(text[: compat.start()].strip(), compat.group(1)),
                (compat.start(), compat.end()),
            ) from None
        raise RequirementProblem(
            f'invalid requirement "{text}": {_packaging_reason(exc)}', _hint_for_text(text), _error_span(exc)
        ) from None
    return from_packaging(req)


def from_packaging(req: Requirement) -> Req:
    """The canonical :class:`Req` of a parsed requirement (every part already a plain string)."""
    return _make_req(
        canonicalize_name(req.name),
        tuple(sorted({canonicalize_name(e) for e in req.extras})),
        canonical_specifier(req.specifier),
        str(req.marker) if req.marker else None,
        req.url or None,
    )


def canonical_specifier(spec: SpecifierSet) -> str:
    """Sorted, de-duplicated clauses: ``<3,>=2.1`` (what SpecifierSet prints).

    A clause prints as its operator and version as written, so joining the sorted
    clause strings is what parsing them again and printing would give.
    """
    return ",".join(sorted({str(s) for s in spec}))


@dataclass(frozen=True)
class TableProblem:
    """A problem of a requirement's table form; ``path`` is relative to the table
    (``("extras", 2)``), ``span`` as in :class:`RequirementProblem` (inside ``markers``)."""

    path: tuple[PathPart, ...]
    code: str
    message: str
    hint: str | None = None
    span: tuple[int, int] | None = None


def requirement_from_table(
    name: str,
    version: str | None,
    specifier: str | None,
    extras: Iterable[str],
    markers: str | None,
    url: str | None,
) -> tuple[Req | None, list[TableProblem]]:
    """Build a Req from the table form; returns every problem (and no Req when there is one)."""
    problems: list[TableProblem] = []
    if not PACKAGE_NAME.matches(name):
        problems.append(TableProblem(("name",), PACKAGE_NAME.code, *PACKAGE_NAME.describe(name)))
    spec = ""
    if version is not None and specifier is not None:
        problems.append(
            TableProblem(
                ("specifier",), "SPC105", "give either `version` or `specifier`, not both", 'e.g. version = "1.5.2"'
            )
        )
    elif version is not None:
        try:
            spec = f"=={Version(version)}" if not version.startswith("=") else ""
            if version.startswith("="):
                problems.append(
                    TableProblem(
                        ("version",),
                        "SPC116",
                        f'"{version}" is a specifier, not a version',
                        f'write version = "{version.lstrip("=")}"',
                    )
                )
        except InvalidVersion:
            problems.append(
                TableProblem(("version",), "SPC116", f'invalid version "{version}" (PEP 440)', 'e.g. version = "1.5.2"')
            )
    elif specifier is not None:
        try:
            spec = canonical_specifier(SpecifierSet(specifier))
        except InvalidSpecifier:
            compat = _COMPATIBLE_ONE_PART.search(specifier)
            problems.append(
                TableProblem(
                    ("specifier",),
                    "SPC116",
                    f'invalid version specifier "{specifier}" (PEP 440)',
                    compatible_hint(specifier[: compat.start()], compat.group(1))
                    if compat
                    else 'e.g. specifier = ">=2.1,<3"',
                )
            )
    extras_out = []
    for i, e in enumerate(extras):
        if not EXTRA_NAME.matches(e):
            problems.append(TableProblem(("extras", i), EXTRA_NAME.code, *EXTRA_NAME.describe(e)))
        extras_out.append(canonicalize_name(e))
    marker = None
    if markers is not None:
        try:
            marker = str(Marker(markers))
        except InvalidMarker as exc:
            problems.append(
                TableProblem(
                    ("markers",),
                    "SPC103",
                    f'invalid marker "{markers}": {_packaging_reason(exc)}',
                    "e.g. markers = \"python_version >= '3.10'\"",
                    _error_span(exc),
                )
            )
    if url is not None and spec:
        problems.append(TableProblem(("url",), "SPC105", "a direct `url` cannot be combined with a version"))
    if problems:
        return None, problems
    return (
        Req(
            name=canonicalize_name(name),
            extras=tuple(sorted(set(extras_out))),
            specifier=spec,
            markers=marker,
            url=url,
        ),
        [],
    )


def is_pinned(req: Req) -> bool:
    if req.url or req.pinned_version is not None:  # the common case, without parsing again
        return True
    spec = SpecifierSet(req.specifier)
    clauses = list(spec)
    return len(clauses) == 1 and clauses[0].operator in ("==", "===") and "*" not in clauses[0].version


@dataclass
class MergeConflict(Generic[T]):
    """Two requirements that cannot both hold; ``where`` is the second one's tag."""

    name: str
    first: Req
    second: Req
    where: T | None = None


def merge_tagged(entries: Iterable[tuple[Req, T]]) -> tuple[list[tuple[Req, T]], list[MergeConflict[T]]]:
    """:func:`merge` over requirements tagged with where they came from.

    A merged requirement keeps the tag of its first entry; a conflict carries the
    tag of the entry that contradicted an earlier one.  Linear in the entries
    (one dict lookup each; only duplicates are intersected).
    """
    # keyed by name NUL markers: a canonical name holds no NUL and sorts before any longer
    # name it prefixes, so the string is the identity of a (name, markers) group and orders the
    # groups as the pair would; one string sorts faster than a tuple (100,000 of them at scale)
    groups: dict[str, tuple[Req, T]] = {}
    conflicts: list[MergeConflict[T]] = []
    for r, tag in entries:
        markers = r.markers
        key = r.name + "\0" + markers if markers else r.name
        prev = groups.get(key)
        if prev is None:
            groups[key] = (r, tag)
            continue
        merged, ok = _merge_two(prev[0], r)
        if not ok:
            conflicts.append(MergeConflict(r.name, prev[0], r, tag))
            continue
        groups[key] = (merged, prev[1])
    # (name, markers) is unique per group, so it orders them completely
    return [groups[key] for key in sorted(groups)], conflicts


def merge(reqs: Iterable[Req]) -> tuple[list[Req], list[MergeConflict[None]]]:
    """De-duplicate by (name, markers); intersect specifiers; report contradictions.

    Two exact pins of one package that differ, or a pin that another clause of
    the same package excludes, are conflicts.  Ranges are intersected.
    """
    merged, conflicts = merge_tagged((r, None) for r in reqs)
    return [r for r, _ in merged], conflicts


def _merge_two(a: Req, b: Req) -> tuple[Req, bool]:
    if a.url or b.url:
        if a.url and b.url and a.url != b.url:
            return a, False
        if (a.url and b.specifier) or (b.url and a.specifier):
            return a, False
        url = a.url or b.url
        return Req(name=a.name, extras=tuple(sorted(set(a.extras) | set(b.extras))), markers=a.markers, url=url), True
    combined = SpecifierSet(a.specifier) & SpecifierSet(b.specifier)
    pins = [s for s in combined if s.operator in ("==", "===") and "*" not in s.version]
    if len({p.version for p in pins}) > 1:
        return a, False
    if pins:
        pin = pins[0].version
        try:
            if not combined.contains(pin, prereleases=True):
                return a, False
        except InvalidVersion:  # pragma: no cover - === with a non-PEP 440 string
            pass
        # the pin decides; ranges it satisfies are redundant
        spec = f"{pins[0].operator}{pin}"
    else:
        spec = canonical_specifier(combined)
    return (
        Req(
            name=a.name,
            extras=tuple(sorted(set(a.extras) | set(b.extras))),
            specifier=spec,
            markers=a.markers,
        ),
        True,
    )


# --- requirements files -------------------------------------------------------------------------


class FileLine(NamedTuple):
    """One requirement line of a file (a tuple: 100,000 of them are made at scale)."""

    file: Path
    lineno: int  # 1-based
    col: int  # 1-based column of the requirement text
    text: str


@dataclass
class FileProblem:
    file: Path
    lineno: int
    col: int
    end_col: int
    code: str
    message: str
    hint: str | None = None


@dataclass
class ParsedFiles:
    requirements: list[tuple[FileLine, Req]] = field(default_factory=list)
    constraints: list[tuple[FileLine, Req]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # every file read, in order
    problems: list[FileProblem] = field(default_factory=list)
    texts: dict[Path, str] = field(default_factory=dict)


_OPTION = re.compile(r"^(?P<opt>-[A-Za-z]|--[A-Za-z-]+)(?:\s*=\s*|\s+)?(?P<arg>.*)$")
_COMMENT = re.compile(r"(^|\s)#.*$")


def _logical_lines(text: str) -> list[tuple[int, int, str]]:
    """(line number, column, text) with comments stripped and continuations joined."""
    out: list[tuple[int, int, str]] = []
    buf = ""
    start = 0
    col = 1
    for n, line in enumerate(text.splitlines(), start=1):
        if not buf and "#" not in line and "\\" not in line:
            # the common line: no comment, no continuation (what the general case below gives)
            stripped = line.strip()
            if stripped:
                out.append((n, 1 if line[0] == stripped[0] else len(line) - len(line.lstrip()) + 1, stripped))
            continue
        if not buf:
            start = n
            col = len(line) - len(line.lstrip()) + 1
        stripped = _COMMENT.sub("", line)
        if stripped.rstrip().endswith("\\"):
            buf += stripped.rstrip()[:-1] + " "
            continue
        buf += stripped
        if buf.strip():
            out.append((start, col, buf.strip()))
        buf = ""
    if buf.strip():
        out.append((start, col, buf.strip()))
    return out


def parse_requirements_file(
    path: Path,
    root: Path,
    *,
    as_constraints: bool = False,
    result: ParsedFiles | None = None,
    _stack: tuple[Path, ...] = (),
) -> ParsedFiles:
    """Read a requirements file, following ``-r`` and ``-c`` (relative to the file).

    ``-e``, index options and other pip flags are refused with a hint: they
    belong in dedicated spec keys, or have no meaning for every target.
    """
    result = result if result is not None else ParsedFiles()
    path = path.resolve()
    if path in _stack:
        result.problems.append(
            FileProblem(_stack[-1], 1, 1, 2, "SPC119", f"{path.name} includes itself (a -r/-c cycle)", None)
        )
        return result
    if path not in result.files:
        result.files.append(path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")  # pip accepts a BOM (Windows editors write one); so do we
    except (OSError, UnicodeDecodeError) as exc:
        result.problems.append(FileProblem(path, 1, 1, 2, "SPC119", f"cannot read {path.name}: {exc}", None))
        return result
    result.texts[path] = text
    lines = text.splitlines()
    for lineno, col, line in _logical_lines(text):
        end = col + len(line)
        if end > len(lines[lineno - 1]) + 1:  # joined from continuations: underline its first physical line
            end = len(lines[lineno - 1].rstrip(" \\")) + 1
        m = _OPTION.match(line) if line[0] == "-" else None  # lines are stripped, never empty
        if m:
            opt, arg = m.group("opt"), m.group("arg").strip()
            if opt in ("-r", "--requirement", "-c", "--constraint"):
                if not arg:
                    result.problems.append(
                        FileProblem(path, lineno, col, end, "SPC119", f"{opt} needs a file name", None)
                    )
                    continue
                target = path.parent / arg
                problem = _check_included(target, root, arg)
                if problem:
                    result.problems.append(FileProblem(path, lineno, col, end, problem[0], problem[1], problem[2]))
                    continue
                constraints = as_constraints or opt in ("-c", "--constraint")
                parse_requirements_file(target, root, as_constraints=constraints, result=result, _stack=(*_stack, path))
                continue
            message, hint = pip_option_problem(opt, IN_FILE)
            result.problems.append(FileProblem(path, lineno, col, end, "SPC119", message, hint))
            continue
        try:
            req = parse_requirement_string(line)
        except RequirementProblem as exc:
            start, stop = col, end
            physical = lines[lineno - 1] if lineno <= len(lines) else ""
            # packaging's position is in the logical line; it is a column of the file only
            # when that line is one physical line as written (no continuation, no comment cut)
            if exc.span is not None and physical[col - 1 : col - 1 + len(line)] == line:
                start, stop = col + exc.span[0], col + exc.span[1]
            result.problems.append(FileProblem(path, lineno, start, stop, exc.code, exc.message, exc.hint))
            continue
        (result.constraints if as_constraints else result.requirements).append((FileLine(path, lineno, col, line), req))
    return result


def _check_included(target: Path, root: Path, arg: str) -> tuple[str, str, str | None] | None:
    from specc.paths import os_problem

    try:
        return _included_problem(target, root, arg)
    except (OSError, RuntimeError) as exc:  # too long, a symlink loop, permission: SPC209
        p = os_problem(arg, exc)
        return (p.code, p.message, p.hint)


def _included_problem(target: Path, root: Path, arg: str) -> tuple[str, str, str | None] | None:
    if arg.startswith(("/", "~")) or "://" in arg:
        return ("SPC402", f"-r/-c path {arg!r} must be relative and inside the repository", None)
    import os

    lexical = Path(os.path.normpath(target))
    real = lexical.resolve()
    for p in (lexical, real):
        try:
            p.relative_to(root.resolve())
        except ValueError:
            return ("SPC402", f"-r/-c path {arg!r} escapes the repository", None)
    if not real.is_file():
        return ("SPC204", f"{arg!r} does not exist", "paths in -r/-c lines are relative to the including file")
    return None
