"""``[python]``: requirements (inline and from files), constraints, wheels, indexes.

Every requirement is parsed by ``packaging`` once, tagged with its origin (the
spec entry, or the requirements-file line behind a ``requirements-files``
entry), then merged; diagnostics about a requirement point at that origin.
"""

from __future__ import annotations

import re
from pathlib import Path

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from specc import requirements as reqs
from specc.diagnostics import Origin, Span, TomlPath
from specc.spec import FileRef, Python, PythonInput, Req, RequirementInput, WheelRef
from specc.urls import check_requirement_url
from specc.validate.context import Context

Entry = tuple[Req, Origin]

# "==1.2.3": the exact pin most requirements are, recognised without packaging (is_pinned
# decides the rest)
_PINNED = re.compile(r"==[0-9]+(?:\.[0-9]+)*").fullmatch

_PIN_HINT = (
    "pin the exact version you trained with: `specc pin --from-env`, run where you trained, "
    'writes the installed versions into the spec (or write "{name}==<version>" yourself)'
)


def validate(ctx: Context, sec: PythonInput | None) -> Python:
    sec = sec if sec is not None else PythonInput()
    requirements: list[Entry] = []
    constraints: list[Entry] = []

    for path, item in ctx.inp.enumerate(("python", "requirements"), sec.requirements):
        req = requirement(ctx, path, item)
        if req is not None:
            requirements.append((req, Origin(path)))
            if req.url:
                _check_url(ctx, req.url, Origin(path if isinstance(item, str) else (*path, "url")))

    files = _requirements_files(ctx, sec, requirements, constraints)

    for path, item in ctx.inp.enumerate(("python", "constraints"), sec.constraints):
        req = requirement(ctx, path, item)
        if req is not None:
            constraints.append((req, Origin(path)))
    for req, origin in constraints:
        if req.extras or req.url:
            ctx.report(
                "SPC103",
                "error",
                origin.path,
                f'constraint "{req.line}" may not have extras or a URL (pip refuses them)',
                f'write "{req.name}{req.specifier}"',
                origin,
            )

    for req, origin in requirements:
        if req.url is None and not _PINNED(req.specifier) and not reqs.is_pinned(req):
            kind = "unpinned" if not req.specifier else "a range, not an exact pin"
            hint = _PIN_HINT.format(name=req.name)
            ctx.report("SPC202", "warning", origin.path, f'"{req.line}" is {kind}', hint, origin)

    merged = _merge(ctx, requirements, "requirements")
    merged_constraints = _merge(ctx, constraints, "constraints")
    wheels = _wheels(ctx, sec, merged)
    index_url = None
    if sec.index_url is not None:
        index_url = ctx.url(("python", "index-url"), sec.index_url, what="index-url")
        if index_url is not None:
            ctx.record(("python", "index-url"), Origin(("python", "index-url")))
    extra: dict[str, TomlPath] = {}  # order matters to pip: kept as written
    for path, url in ctx.inp.enumerate(("python", "extra-index-urls"), sec.extra_index_urls):
        if ctx.url(path, url, what="extra index URL") is not None and url not in extra:
            extra[url] = path
    for k, path in enumerate(extra.values()):
        ctx.record(("python", "extra-index-urls", k), Origin(path))
    return Python(
        requirements=tuple(r for r, _ in merged),
        requirements_files=files,
        constraints=tuple(r for r, _ in merged_constraints),
        wheels=wheels,
        index_url=index_url,
        extra_index_urls=tuple(extra),
    )


def requirement(ctx: Context, path: TomlPath, item: str | RequirementInput) -> Req | None:
    """A requirement in short (PEP 508 string) or table form → Req, reporting its problems."""
    if isinstance(item, str):
        try:
            return reqs.parse_requirement_string(item)
        except reqs.RequirementProblem as exc:
            _report_at(ctx, exc.code, path, item, exc.message, exc.hint, exc.span)
            return None
    req, problems = reqs.requirement_from_table(
        item.name, item.version, item.specifier, item.extras, item.markers, item.url
    )
    for p in problems:
        sub = (*path, *p.path)
        value = item.markers if p.path == ("markers",) else None
        _report_at(ctx, p.code, sub, value, p.message, p.hint, p.span)
    return req


def _report_at(
    ctx: Context,
    code: str,
    path: TomlPath,
    value: str | None,
    message: str,
    hint: str | None,
    span: tuple[int, int] | None,
) -> None:
    """An error on a string value, underlined where packaging found it when it says so."""
    where = ctx.inner_span(path, value, *span) if span is not None and value is not None else None
    if where is None:
        ctx.error(code, path, message, hint)
    else:
        ctx.report(code, "error", path, message, hint, Origin(path, ctx.doc.source.name, where))


def _requirements_files(
    ctx: Context, sec: PythonInput, requirements: list[Entry], constraints: list[Entry]
) -> tuple[FileRef, ...]:
    """Read each requirements file (following -r/-c); its lines join the requirements and constraints."""
    refs: dict[str, tuple[FileRef, TomlPath]] = {}
    for path, item in ctx.inp.enumerate(("python", "requirements-files"), sec.requirements_files):
        got = ctx.local_file(path, item, ("",), "a requirements file")
        if got is None:
            continue
        ref, res = got
        parsed = reqs.parse_requirements_file(res.abs, ctx.root)
        # only the listed file: what it includes (-r/-c) is merged into the
        # requirements and constraints, which the hashes already cover
        refs.setdefault(ref.path, (ref, path))
        for file, text in parsed.texts.items():
            ctx.sources[ctx.shown(file)] = text
        for p in parsed.problems:
            ctx.report(
                p.code,
                "error",
                path,
                p.message,
                p.hint,
                Origin(path, ctx.shown(p.file), Span(p.lineno, p.col, p.lineno, p.end_col)),
            )
        origin = _LineOrigins(ctx, path)
        requirements += [(req, origin(line)) for line, req in parsed.requirements]
        for line, req in parsed.requirements:
            if req.url:  # the same rule as a spec entry's URL, reported at the URL in its line
                at = origin(line)
                start = line.text.find(req.url)
                if start >= 0 and at.span is not None:
                    col = line.col + start
                    at = Origin(at.path, at.file, Span(line.lineno, col, line.lineno, col + len(req.url)))
                _check_url(ctx, req.url, at)
        constraints += [(req, origin(line)) for line, req in parsed.constraints]
    out = []
    for k, rel in enumerate(sorted(refs)):
        ref, path = refs[rel]
        ctx.record(("python", "requirements-files", k), Origin(path))
        out.append(ref)
    return tuple(out)


def _check_url(ctx: Context, url: str, origin: Origin) -> None:
    """A requirement's direct reference, by the one rule for it (specc.urls.check_requirement_url),
    reported at ``origin`` (its TOML value, or the URL in a requirements-file line)."""
    for p in check_requirement_url(url, secret_names=ctx.secret_names):
        ctx.report(p.code, p.severity, origin.path, p.message, p.hint, origin)


class _LineOrigins:
    """Origin of each line of the files behind one ``requirements-files`` entry.

    Lines arrive in runs from the same file, so the file's shown name is looked up
    once per run (this runs once per requirement: 100,000 of them at scale).
    """

    def __init__(self, ctx: Context, entry: TomlPath) -> None:
        self.ctx, self.entry = ctx, entry
        self.file: Path | None = None
        self.name = ""

    def __call__(self, line: reqs.FileLine) -> Origin:
        if line.file is not self.file:
            self.file, self.name = line.file, self.ctx.shown(line.file)
        return Origin(self.entry, self.name, Span(line.lineno, line.col, line.lineno, line.col + len(line.text)))


def _merge(ctx: Context, entries: list[Entry], what: str) -> list[Entry]:
    """De-duplicate requirements or constraints, reporting contradictions where they are written."""
    merged, conflicts = reqs.merge_tagged(entries)
    for c in conflicts:
        ctx.report(
            "SPC201",
            "error",
            ("python", what),
            f'conflicting {what} for {c.name}: "{c.first.line}" and "{c.second.line}"',
            f"keep one version of {c.name}" if what == "requirements" else f"keep one constraint for {c.name}",
            c.where,
        )
    ctx.origins.update({("python", what, k): origin for k, (_req, origin) in enumerate(merged)})
    return merged


def _wheels(ctx: Context, sec: PythonInput, merged: list[Entry]) -> tuple[WheelRef, ...]:
    wheels: dict[str, tuple[WheelRef, TomlPath]] = {}
    projects: dict[str, tuple[TomlPath, str]] = {}  # canonical project → (where, version)
    for path, item in ctx.inp.enumerate(("python", "wheels"), sec.wheels):
        got = ctx.local_file(path, item, (".whl",), "a wheel")
        if got is None:
            continue
        ref, res = got
        item_path = path if isinstance(item, str) else (*path, "path")
        try:
            project, version, _build, _tags = parse_wheel_filename(Path(res.abs).name)
        except InvalidWheelFilename as exc:
            ctx.error(
                "SPC118",
                item_path,
                f"invalid wheel file name {res.abs.name!r}: {exc}",
                "wheel names look like name-1.0.0-py3-none-any.whl; rebuild with `python -m build --wheel`",
            )
            continue
        prev = projects.get(project)
        if prev and prev[1] != str(version):
            ctx.error(
                "SPC201", item_path, f"two wheels of {project}: {prev[1]} and {version}", "keep one wheel per project"
            )
            continue
        projects[project] = (path, str(version))
        wheels.setdefault(ref.path, (WheelRef(path=ref.path, sha256=ref.sha256), path))
    for r, _origin in merged if projects else ():  # no wheels: no walk over 100,000 requirements
        if r.name in projects and not r.url:
            ctx.warning(
                "SPC211",
                projects[r.name][0],
                f'{r.name} is both a local wheel and a requirement ("{r.line}")',
                "drop the requirement: the wheel installs the package",
            )
    out = []
    for k, rel in enumerate(sorted(wheels)):
        ref, path = wheels[rel]
        ctx.record(("python", "wheels", k), Origin(path))
        out.append(ref)
    return tuple(out)
