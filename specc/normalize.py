"""Validate a parsed model-env.toml and build its canonical :class:`EnvSpec`.

Two passes over the same document, both collecting every problem:

1. shape: pydantic validates the strict ``SpecInput`` models (types, unknown
   keys, required keys); its errors are translated by ``schema_errors``;
2. meaning: this module walks the raw data again, skipping values the first
   pass already rejected, and checks what a schema cannot say (PEP 508/440,
   Debian and Maven names, secrets in URLs, paths inside the repository,
   conflicting pins, runtimes), building the normalized form as it goes.

Nothing here reads the environment; the filesystem is read only for the
files the spec names (existence, confinement, sha256).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from pydantic import ValidationError

from specc import requirements as reqs
from specc.diagnostics import Collector, Diagnostic, PathPart, Span
from specc.hashing import compute_hashes
from specc.load import Document, Source
from specc.paths import (
    PathProblem,
    Resolved,
    repository_root,
    resolve_path,
    sha256_file,
    sha256_tree,
)
from specc.schema_errors import translate
from specc.spec import (
    Apt,
    AptPkg,
    Autoscale,
    Cluster,
    Code,
    DatabricksTarget,
    DockerTarget,
    EnvSpec,
    FileRef,
    Maven,
    MavenPkg,
    Mlflow,
    Model,
    PathRef,
    Python,
    R,
    Req,
    RPkg,
    Runtime,
    Secret,
    SpecInput,
    Targets,
)
from specc.urls import NAME_RE as ENV_NAME_RE
from specc.urls import PLACEHOLDER_RE, check_url

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
PYTHON_RE = re.compile(r"^3\.(\d{1,2})(\.\d{1,3})?$")
CUDA_RE = re.compile(r"^\d{1,2}\.\d{1,2}(\.\d{1,3})?$")
APT_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
APT_VERSION_RE = re.compile(r"^(\d+:)?[0-9][A-Za-z0-9.+~:-]*$")
MAVEN_PART_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
MAVEN_EXCL_PART_RE = re.compile(r"^(\*|[A-Za-z0-9_.*-]+)$")
R_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]$")
R_VERSION_RE = re.compile(r"^\d+([.-]\d+)+$")
DATABRICKS_SECRET_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}/[A-Za-z0-9_.-]{1,128}$")
DOCKER_SECRET_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
ARTIFACT_KEY_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
FLAVOR_RE = re.compile(r"^[a-z][a-z0-9_]*$")
PLATFORM_RE = re.compile(r"^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$")
IMAGE_RE = re.compile(
    r"^(?:[a-zA-Z0-9.-]+(?::\d+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$"
)
SECRETISH_RE = re.compile(r"(TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)")
SECURITY_MODES = (
    "SINGLE_USER",
    "USER_ISOLATION",
    "NONE",
    "DATA_SECURITY_MODE_AUTO",
    "DATA_SECURITY_MODE_STANDARD",
    "DATA_SECURITY_MODE_DEDICATED",
    "LEGACY_SINGLE_USER",
    "LEGACY_SINGLE_USER_STANDARD",
    "LEGACY_TABLE_ACL",
    "LEGACY_PASSTHROUGH",
)


# diagnostics about a key (its name), not its value: the caret goes under the key
_KEY_CODES = frozenset({"SPC101", "SPC113", "SPC114", "SPC125"})


@dataclass
class Result:
    """What validation produced: a spec (when there is no error) and every diagnostic."""

    spec: EnvSpec | None
    diagnostics: list[Diagnostic]
    sources: dict[str, str] = field(default_factory=dict)  # file name → text, for excerpts

    @property
    def ok(self) -> bool:
        return self.spec is not None


def validate_document(doc: Document) -> Result:
    """Validate a parsed document; every diagnostic is located in its source."""
    base_dir = (doc.path.parent if doc.path else Path.cwd()).resolve()
    checker = _Checker(doc.data, base_dir)
    checker.shape()
    checker.meaning()
    sources = {doc.source.name: doc.source.text}
    located: list[Diagnostic] = []
    for d in checker.out.items:
        if d.file is not None:  # already located in another file (requirements files)
            located.append(d)
            continue
        located.append(doc.locate(d, key=d.code in _KEY_CODES))
    for path, text in checker.extra_sources.items():
        sources[_display(path, base_dir, doc.source.name)] = text
    located = [_relabel(d, base_dir, doc.source.name) for d in located]
    spec = None
    if not any(d.severity == "error" for d in located):
        spec = checker.build()
        if doc.path is not None:
            spec._base_dir = str(base_dir)
            spec._spec_path = str(doc.path.resolve())
    return Result(spec, located, sources)


def _display(path: Path, base_dir: Path, spec_name: str) -> str:
    spec_dir = Path(spec_name).parent
    try:
        rel = path.resolve().relative_to(base_dir)
    except ValueError:
        return str(path)
    return str(spec_dir / rel) if str(spec_dir) not in ("", ".") else str(rel)


def _relabel(d: Diagnostic, base_dir: Path, spec_name: str) -> Diagnostic:
    if d.file and d.file.startswith("\0"):
        from dataclasses import replace

        return replace(d, file=_display(Path(d.file[1:]), base_dir, spec_name))
    return d


# --- the checker -------------------------------------------------------------------------------


class _Checker:
    def __init__(self, data: dict[str, Any], base_dir: Path) -> None:
        self.data = data
        self.base = base_dir
        self.root = repository_root(base_dir)
        self.out = Collector()
        self.extra_sources: dict[Path, str] = {}
        self.built: dict[str, Any] = {}
        self.secret_names: set[str] = set()
        self._file_line_sources: dict[int, reqs.FileLine] = {}

    # pass 1 ---------------------------------------------------------------------------------
    def shape(self) -> None:
        try:
            SpecInput.model_validate(self.data)
        except ValidationError as exc:
            self.out.extend(translate(exc, SpecInput, self.data))

    # helpers ----------------------------------------------------------------------------------
    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def err(self, code: str, path: list[PathPart] | tuple[PathPart, ...], msg: str, hint: str | None = None) -> None:
        self.out.error(code, path, msg, hint)

    def warn(self, code: str, path: list[PathPart] | tuple[PathPart, ...], msg: str, hint: str | None = None) -> None:
        self.out.warning(code, path, msg, hint)

    def strings(self, sec: dict[str, Any], key: str) -> list[tuple[int, Any]]:
        value = sec.get(key)
        return list(enumerate(value)) if isinstance(value, list) else []

    def opt_str(self, sec: dict[str, Any], key: str) -> str | None:
        value = sec.get(key)
        return value if isinstance(value, str) else None

    def local_file(
        self, path: tuple[PathPart, ...], item: Any, suffixes: tuple[str, ...], what: str
    ) -> tuple[FileRef, Resolved] | None:
        raw, expected, raw_path = _file_item(item, path)
        if raw is None:
            return None
        res = resolve_path(raw, self.base, self.root, "file")
        if isinstance(res, PathProblem):
            self.err(res.code, raw_path, res.message, res.hint)
            return None
        if not res.rel.endswith(suffixes):
            if res.rel.endswith(".egg"):
                self.err(
                    "SPC207",
                    raw_path,
                    f"{raw!r} is an egg; pip and Databricks Runtime 14+ no longer install eggs",
                    "build a wheel instead: python -m build --wheel (or pip wheel .)",
                )
            else:
                self.err(
                    "SPC208", raw_path, f"{raw!r} is not {what}", f"expected a file ending in {' or '.join(suffixes)}"
                )
            return None
        digest = sha256_file(res.abs)
        if expected is not None:
            if not re.fullmatch(r"[0-9a-f]{64}", expected):
                self.err("SPC105", (*path, "sha256"), "sha256 must be 64 lower-case hex digits", None)
            elif expected != digest:
                self.err(
                    "SPC210",
                    (*path, "sha256"),
                    f"{raw!r} has sha256 {digest}, not the expected {expected}",
                    "the file changed; update the sha256 if the change is intended",
                )
        return FileRef(path=res.rel, sha256=digest), res

    def url(self, path: tuple[PathPart, ...], value: str, *, what: str) -> str | None:
        """Check an index/repository URL; report its problems; return it when usable."""
        problems = check_url(value, what=what, secret_names=self.secret_names)
        for p in problems:
            (self.err if p.severity == "error" else self.warn)(p.code, path, p.message, p.hint)
        return None if any(p.severity == "error" for p in problems) else value

    # pass 2 -----------------------------------------------------------------------------------
    def meaning(self) -> None:
        secrets = self.data.get("secrets")
        if isinstance(secrets, dict):
            self.secret_names = {k for k in secrets if isinstance(k, str)}
        self.check_version()
        self.check_model()
        self.check_runtime()
        self.check_secrets()
        self.check_python()
        self.check_code()
        self.check_apt()
        self.check_maven()
        self.check_r()
        self.check_env()
        self.check_artifacts()
        self.check_mlflow()
        self.check_targets()
        self.check_cross()

    def check_version(self) -> None:
        v = self.data.get("spec-version")
        if isinstance(v, int) and not isinstance(v, bool) and v != 1:
            self.err(
                "SPC106",
                ("spec-version",),
                f"unsupported spec-version {v}; this specc reads version 1",
                "write spec-version = 1, or upgrade specc" if v > 1 else "write spec-version = 1",
            )

    def check_model(self) -> None:
        sec = self.section("model")
        name = self.opt_str(sec, "name")
        if name is not None:
            if not NAME_RE.match(name):
                self.err(
                    "SPC108",
                    ("model", "name"),
                    f'invalid model name "{name}"',
                    f'use lower-case letters, digits, ".", "_" and "-", e.g. "{_slug(name)}"',
                )
                return
            self.built["model"] = Model(name=name)
        else:
            self.built["model"] = Model(name=_slug(self.base.name))

    def check_runtime(self) -> None:
        sec = self.section("runtime")
        python = self.opt_str(sec, "python")
        cuda = self.opt_str(sec, "cuda")
        dbr = self.opt_str(sec, "databricks")
        ok = True
        if python is not None:
            m = PYTHON_RE.match(python)
            if not m:
                self.err(
                    "SPC107",
                    ("runtime", "python"),
                    f'invalid Python version "{python}"',
                    'write major.minor or major.minor.micro, e.g. "3.11" or "3.11.9"',
                )
                ok = False
            elif int(m.group(1)) < 8:
                self.err(
                    "SPC107", ("runtime", "python"), f"Python {python} is not supported", "use Python 3.8 or newer"
                )
                ok = False
        if cuda is not None and not CUDA_RE.match(cuda):
            self.err("SPC117", ("runtime", "cuda"), f'invalid CUDA version "{cuda}"', 'write major.minor, e.g. "12.4"')
            ok = False
        key = None
        if dbr is not None:
            key = self.resolve_runtime(dbr, cuda is not None)
            if key is None:
                ok = False
        if ok and python is not None:
            self.built["runtime"] = Runtime(python=python, databricks=key, cuda=cuda)

    def resolve_runtime(self, value: str, gpu: bool) -> str | None:
        from specc import runtimes

        key = runtimes.resolve_runtime(value, gpu=gpu)
        if key is None:
            suggestions = runtimes.suggest_runtimes(value)
            hint = (
                "did you mean " + " or ".join(f'"{s}"' for s in suggestions) + "?"
                if suggestions
                else "run `specc runtimes` to list the known runtimes"
            )
            self.err("SPC203", ("runtime", "databricks"), f'unknown Databricks runtime "{value}"', hint)
        return key

    def check_secrets(self) -> None:
        secrets = self.data.get("secrets")
        self.built["secrets"] = {}
        if not isinstance(secrets, dict):
            return
        out: dict[str, Secret] = {}
        for name, body in secrets.items():
            path: tuple[PathPart, ...] = ("secrets", name)
            ok = True
            if not ENV_NAME_RE.match(name):
                self.err(
                    "SPC114",
                    path,
                    f"invalid secret name `{name}`",
                    f"secret names are [A-Z_][A-Z0-9_]*, e.g. `{_env_name(name)}`",
                )
                ok = False
            if not isinstance(body, dict):
                continue
            dbx = body.get("databricks")
            if isinstance(dbx, str) and not DATABRICKS_SECRET_RE.match(dbx):
                self.err(
                    "SPC122",
                    (*path, "databricks"),
                    f'invalid Databricks secret reference "{dbx}"',
                    'write scope/key, e.g. "ml-secrets/pypi-token"',
                )
                ok = False
            docker = body.get("docker")
            if isinstance(docker, str) and not DOCKER_SECRET_RE.match(docker):
                self.err(
                    "SPC122",
                    (*path, "docker"),
                    f'invalid BuildKit secret id "{docker}"',
                    "use letters, digits, '.', '_' and '-'",
                )
                ok = False
            if ok and all(isinstance(body.get(k), (str, type(None))) for k in ("description", "databricks", "docker")):
                out[name] = Secret(
                    description=body.get("description"),
                    databricks=dbx if isinstance(dbx, str) else None,
                    docker=docker if isinstance(docker, str) else name.lower(),
                )
        self.built["secrets"] = dict(sorted(out.items()))

    def check_python(self) -> None:
        sec = self.section("python")
        collected: list[tuple[tuple[PathPart, ...], Req]] = []
        for i, item in self.strings(sec, "requirements"):
            path: tuple[PathPart, ...] = ("python", "requirements", i)
            req = self._req_item(path, item)
            if req is not None:
                collected.append((path, req))
        for path, req in collected:
            if req.url and path[1] == "requirements":
                item = self.data["python"]["requirements"][path[-1]]
                self.url(path if isinstance(item, str) else (*path, "url"), req.url, what="requirement URL")

        file_refs: list[FileRef] = []
        constraint_entries: list[tuple[tuple[PathPart, ...], Req]] = []
        for i, item in self.strings(sec, "requirements-files"):
            got = self.local_file(("python", "requirements-files", i), item, ("",), "a requirements file")
            if got is None:
                continue
            path = ("python", "requirements-files", i)
            res = got[1]
            parsed = reqs.parse_requirements_file(res.abs, self.root)
            # only the listed file: what it includes (-r/-c) is merged into the
            # requirements and constraints, which the hashes already cover
            if got[0].path not in {r.path for r in file_refs}:
                file_refs.append(got[0])
            self.extra_sources.update(parsed.texts)
            for p in parsed.problems:
                self.out.items.append(
                    Diagnostic(
                        p.code,
                        "error",
                        p.message,
                        path,
                        p.hint,
                        "\0" + str(p.file),
                        Span(p.lineno, p.col, p.lineno, p.end_col),
                    )
                )
            for line, req in parsed.requirements:
                collected.append((path, req))
                self._file_line_sources[id(req)] = line
            for line, req in parsed.constraints:
                constraint_entries.append((path, req))
                self._file_line_sources[id(req)] = line

        for i, item in self.strings(sec, "constraints"):
            path = ("python", "constraints", i)
            req = self._req_item(path, item)
            if req is not None:
                constraint_entries.append((path, req))
        for path, req in constraint_entries:
            if req.extras or req.url:
                self.err(
                    "SPC103",
                    path,
                    f'constraint "{req.line}" may not have extras or a URL (pip refuses them)',
                    f'write "{req.name}{req.specifier}"',
                )

        # pins: warn on what is not exact (spec entries only point at the spec line;
        # entries from files point at their file line)
        for path, req in collected:
            if not reqs.is_pinned(req):
                kind = "unpinned" if not req.specifier else "a range, not an exact pin"
                hint = (
                    f'pin the exact version you trained with, e.g. "{req.name}==<version>" '
                    '(the practice: "nltk==3.9.1", from f"nltk=={nltk.__version__}")'
                )
                self._at_req(req, path, "SPC202", f'"{req.line}" is {kind}', hint, severity="warning")

        merged = self._merge(collected, "requirements")
        merged_constraints = self._merge(constraint_entries, "constraints")

        wheels: list[FileRef] = []
        seen_projects: dict[str, tuple[tuple[PathPart, ...], str]] = {}
        for i, item in self.strings(sec, "wheels"):
            path = ("python", "wheels", i)
            got = self.local_file(path, item, (".whl",), "a wheel")
            if got is None:
                continue
            ref, res = got
            try:
                project, version, _build, _tags = parse_wheel_filename(res.abs.name)
            except InvalidWheelFilename as exc:
                self.err(
                    "SPC118",
                    _item_path(path, item),
                    f"invalid wheel file name {res.abs.name!r}: {exc}",
                    "wheel names look like name-1.0.0-py3-none-any.whl; rebuild with `python -m build --wheel`",
                )
                continue
            prev = seen_projects.get(project)
            if prev and prev[1] != str(version):
                self.err(
                    "SPC201",
                    _item_path(path, item),
                    f"two wheels of {project}: {prev[1]} and {version}",
                    "keep one wheel per project",
                )
                continue
            seen_projects[project] = (path, str(version))
            if ref.path not in {w.path for w in wheels}:
                wheels.append(ref)
        for r in merged:
            if r.name in seen_projects and not r.url:
                self.warn(
                    "SPC211",
                    seen_projects[r.name][0],
                    f'{r.name} is both a local wheel and a requirement ("{r.line}")',
                    "drop the requirement: the wheel installs the package",
                )

        index_url = None
        raw_index = self.opt_str(sec, "index-url")
        if raw_index is not None:
            index_url = self.url(("python", "index-url"), raw_index, what="index-url")
        extra: list[str] = []
        for i, item in self.strings(sec, "extra-index-urls"):
            if isinstance(item, str):
                ok = self.url(("python", "extra-index-urls", i), item, what="extra index URL")
                if ok and ok not in extra:
                    extra.append(ok)
        self.built["python"] = Python(
            requirements=tuple(merged),
            requirements_files=tuple(sorted(file_refs, key=lambda f: f.path)),
            constraints=tuple(merged_constraints),
            wheels=tuple(sorted(wheels, key=lambda w: w.path)),
            index_url=index_url,
            extra_index_urls=tuple(extra),  # order matters to pip: kept as written
        )

    def _merge(self, entries: list[tuple[tuple[PathPart, ...], Req]], what: str) -> list[Req]:
        """De-duplicate requirements or constraints, reporting contradictions where they are."""
        merged, conflicts = reqs.merge(r for _, r in entries)
        paths = {id(r): p for p, r in entries}
        for c in conflicts:
            self._at_req(
                c.second,
                paths.get(id(c.second), ("python", what)),
                "SPC201",
                f'conflicting {what} for {c.name}: "{c.first.line}" and "{c.second.line}"',
                f"keep one version of {c.name}" if what == "requirements" else f"keep one constraint for {c.name}",
            )
        return merged

    def _req_item(self, path: tuple[PathPart, ...], item: Any) -> Req | None:
        """A requirement in short (PEP 508 string) or table form → Req, reporting problems."""
        if isinstance(item, str):
            try:
                return reqs.parse_requirement_string(item)
            except reqs.RequirementProblem as exc:
                self.err("SPC103", path, exc.message, exc.hint)
                return None
        if not (isinstance(item, dict) and isinstance(item.get("name"), str)):
            return None
        extras = item.get("extras", [])
        req, problems = reqs.requirement_from_table(
            item["name"],
            _s(item.get("version")),
            _s(item.get("specifier")),
            [e for e in extras if isinstance(e, str)] if isinstance(extras, list) else [],
            _s(item.get("markers")),
            _s(item.get("url")),
        )
        for fld, code, msg, hint in problems:
            sub: list[PathPart] = [*path]
            m = re.match(r"^(\w+)\[(\d+)\]$", fld)
            sub += [m.group(1), int(m.group(2))] if m else [fld]
            self.err(code, sub, msg, hint)
        return req

    def _at_req(
        self, req: Req, path: tuple[PathPart, ...], code: str, msg: str, hint: str | None, severity: str = "error"
    ) -> None:
        """Report at the requirements-file line a requirement came from, else at its spec path."""
        line = self._file_line_sources.get(id(req))
        if line is None:
            (self.err if severity == "error" else self.warn)(code, path, msg, hint)
            return
        span = Span(line.lineno, line.col, line.lineno, line.col + len(line.text))
        self.out.items.append(Diagnostic(code, severity, msg, path, hint, "\0" + str(line.file), span))  # type: ignore[arg-type]

    def check_code(self) -> None:
        sec = self.section("code")
        refs: dict[str, PathRef] = {}
        by_name: dict[str, tuple[PathPart, ...]] = {}
        code_hashes: dict[str, str] = {}
        for i, item in self.strings(sec, "paths"):
            path = ("code", "paths", i)
            raw, _exp, raw_path = _path_item(item, path)
            if raw is None:
                continue
            res = resolve_path(raw, self.base, self.root, "any")
            if isinstance(res, PathProblem):
                self.err(res.code, raw_path, res.message, res.hint)
                continue
            if res.rel in refs:
                continue
            name = res.abs.name
            if name in by_name:
                self.err(
                    "SPC206",
                    raw_path,
                    f"two code paths named `{name}`",
                    f"MLflow copies both to code/{name}, so one would replace the other; rename one",
                )
                continue
            by_name[name] = raw_path
            refs[res.rel] = PathRef(path=res.rel)
            code_hashes[res.rel] = sha256_tree(res.abs)
        self.built["code"] = Code(paths=tuple(refs[k] for k in sorted(refs)))
        self.built["_code_hash"] = code_hashes

    def check_apt(self) -> None:
        sec = self.section("apt")
        pkgs: list[tuple[tuple[PathPart, ...], AptPkg]] = []
        for i, item in self.strings(sec, "packages"):
            path: tuple[PathPart, ...] = ("apt", "packages", i)
            if isinstance(item, str):
                name, _, version = item.partition("=")
                version_opt: str | None = version if "=" in item else None
                sub_name: tuple[PathPart, ...] = path
                sub_ver: tuple[PathPart, ...] = path
            elif isinstance(item, dict) and isinstance(item.get("name"), str):
                name, version_opt = item["name"], _s(item.get("version"))
                sub_name, sub_ver = (*path, "name"), (*path, "version")
            else:
                continue
            ok = True
            if not APT_NAME_RE.match(name):
                self.err(
                    "SPC109",
                    sub_name,
                    f'invalid apt package name "{name}"',
                    "Debian package names are lower-case letters, digits, '+', '-' and '.', at least two characters",
                )
                ok = False
            if version_opt is not None and not APT_VERSION_RE.match(version_opt):
                self.err(
                    "SPC109",
                    sub_ver,
                    f'invalid apt package version "{version_opt}"',
                    'Debian versions start with a digit, e.g. "libgomp1=12.2.0-14"',
                )
                ok = False
            if ok:
                pkgs.append((path, AptPkg(name=name, version=version_opt)))
        by_name: dict[str, AptPkg] = {}
        for path, p in pkgs:
            prev = by_name.get(p.name)
            if prev is not None and prev != p:
                if prev.version and p.version:
                    self.err(
                        "SPC201",
                        path,
                        f"conflicting versions of apt package {p.name}: {prev.version} and {p.version}",
                        "keep one",
                    )
                    continue
                p = p if p.version else prev
            by_name[p.name] = p
        debs = self._files(sec, "apt", "debs", (".deb",), "a Debian package (.deb)")
        self.built["apt"] = Apt(packages=tuple(by_name[k] for k in sorted(by_name)), debs=debs)

    def _files(
        self, sec: dict[str, Any], section: str, key: str, suffixes: tuple[str, ...], what: str
    ) -> tuple[FileRef, ...]:
        out: dict[str, FileRef] = {}
        for i, item in self.strings(sec, key):
            got = self.local_file((section, key, i), item, suffixes, what)
            if got:
                out[got[0].path] = got[0]
        return tuple(out[k] for k in sorted(out))

    def check_maven(self) -> None:
        sec = self.section("maven")
        repo = None
        raw_repo = self.opt_str(sec, "repository")
        if raw_repo is not None:
            repo = self.url(("maven", "repository"), raw_repo, what="Maven repository")
        pkgs: dict[str, tuple[tuple[PathPart, ...], MavenPkg]] = {}
        for i, item in self.strings(sec, "packages"):
            path = ("maven", "packages", i)
            excl: list[Any]
            cpath: tuple[PathPart, ...]
            if isinstance(item, str):
                coords, excl, prepo, cpath = item, [], None, path
            elif isinstance(item, dict) and isinstance(item.get("coordinates"), str):
                coords = item["coordinates"]
                excl = item["exclusions"] if isinstance(item.get("exclusions"), list) else []
                prepo = _s(item.get("repository"))
                cpath = (*path, "coordinates")
            else:
                continue
            ok = True
            parts = coords.split(":")
            if len(parts) not in (3, 4, 5) or not all(MAVEN_PART_RE.match(p) for p in parts):
                self.err(
                    "SPC110",
                    cpath,
                    f'invalid Maven coordinates "{coords}"',
                    'write group:artifact:version, e.g. "org.xerial:sqlite-jdbc:3.45.1.0"',
                )
                ok = False
            exclusions: list[str] = []
            for j, ex in enumerate(excl):
                if not isinstance(ex, str):
                    continue
                eparts = ex.split(":")
                if len(eparts) != 2 or not all(MAVEN_EXCL_PART_RE.match(p) for p in eparts):
                    self.err(
                        "SPC111",
                        (*path, "exclusions", j),
                        f'invalid Maven exclusion "{ex}"',
                        'write group:artifact (no version), e.g. "org.slf4j:slf4j-api"',
                    )
                    ok = False
                elif ex not in exclusions:
                    exclusions.append(ex)
            if prepo is not None:
                prepo = self.url((*path, "repository"), prepo, what="Maven repository")
                if prepo is None:
                    ok = False
            if not ok:
                continue
            pkg = MavenPkg(coordinates=coords, exclusions=tuple(sorted(exclusions)), repository=prepo)
            ident = ":".join(parts[:-1])
            prev = pkgs.get(ident)
            if prev is not None:
                if prev[1].version != pkg.version:
                    self.err(
                        "SPC201",
                        cpath,
                        f"conflicting versions of {ident}: {prev[1].version} and {pkg.version}",
                        "keep one version of each artifact",
                    )
                    continue
                pkg = MavenPkg(
                    coordinates=coords,
                    exclusions=tuple(sorted(set(prev[1].exclusions) & set(pkg.exclusions)))
                    if prev[1].exclusions and pkg.exclusions
                    else (),
                    repository=pkg.repository or prev[1].repository,
                )
            pkgs[ident] = (path, pkg)
        jars = self._files(sec, "maven", "jars", (".jar",), "a jar")
        self.built["maven"] = Maven(
            repository=repo,
            packages=tuple(p for _, p in sorted(pkgs.values(), key=lambda t: t[1].coordinates)),
            jars=jars,
        )

    def check_r(self) -> None:
        sec = self.section("r")
        repo = None
        raw_repo = self.opt_str(sec, "repository")
        if raw_repo is not None:
            repo = self.url(("r", "repository"), raw_repo, what="R repository")
        pkgs: dict[str, RPkg] = {}
        for i, item in self.strings(sec, "packages"):
            path = ("r", "packages", i)
            npath: tuple[PathPart, ...]
            if isinstance(item, str):
                name, version, prepo, npath = item, None, None, path
                if "==" in item or "=" in item:
                    n, _, v = item.replace("==", "=").partition("=")
                    self.err(
                        "SPC112",
                        path,
                        f'invalid R package name "{item}"',
                        f'pin R versions in table form: {{ name = "{n.strip()}", version = "{v.strip()}" }}',
                    )
                    continue
            elif isinstance(item, dict) and isinstance(item.get("name"), str):
                name, version, prepo = item["name"], _s(item.get("version")), _s(item.get("repository"))
                npath = (*path, "name")
            else:
                continue
            ok = True
            if not R_NAME_RE.match(name):
                self.err(
                    "SPC112",
                    npath,
                    f'invalid R package name "{name}"',
                    "R package names are letters, digits and '.', start with a letter and do not end with '.'",
                )
                ok = False
            if version is not None and not R_VERSION_RE.match(version):
                self.err(
                    "SPC112", (*path, "version"), f'invalid R package version "{version}"', 'e.g. version = "1.1.5"'
                )
                ok = False
            if prepo is not None:
                prepo = self.url((*path, "repository"), prepo, what="R repository")
                ok = ok and prepo is not None
            if not ok:
                continue
            pkg = RPkg(name=name, version=version, repository=prepo)
            prev = pkgs.get(name)
            if prev is not None and prev != pkg:
                if prev.version and version and prev.version != version:
                    self.err(
                        "SPC201",
                        path,
                        f"conflicting versions of R package {name}: {prev.version} and {version}",
                        "keep one",
                    )
                    continue
                pkg = RPkg(name=name, version=version or prev.version, repository=prepo or prev.repository)
            pkgs[name] = pkg
        sources = self._files(sec, "r", "sources", (".tar.gz",), "an R source package (.tar.gz)")
        for ref in sources:
            fname = Path(ref.path).name
            if not re.match(r"^[A-Za-z][A-Za-z0-9.]*_\d+([.-]\d+)+\.tar\.gz$", fname):
                idx = next(
                    (
                        i
                        for i, it in self.strings(sec, "sources")
                        if _file_item(it, ())[0] and Path(_file_item(it, ())[0] or "").name == fname
                    ),
                    0,
                )
                self.err(
                    "SPC208",
                    ("r", "sources", idx),
                    f"{fname!r} is not named like an R source package",
                    "R CMD build names them <package>_<version>.tar.gz, e.g. churnr_0.3.0.tar.gz",
                )
        self.built["r"] = R(repository=repo, packages=tuple(pkgs[k] for k in sorted(pkgs)), sources=sources)

    def check_env(self) -> None:
        env = self.data.get("env")
        if not isinstance(env, dict):
            self.built["env"] = {}
            return
        out: dict[str, str] = {}
        for name, value in env.items():
            path = ("env", name)
            if not ENV_NAME_RE.match(name):
                self.err(
                    "SPC113",
                    path,
                    f"invalid environment variable name `{name}`",
                    f"names are [A-Z_][A-Z0-9_]*, e.g. `{_env_name(name)}`",
                )
                continue
            if not isinstance(value, str):
                continue
            if name in self.secret_names:
                self.err(
                    "SPC404",
                    path,
                    f"`{name}` is both a plain env var and a secret",
                    "secrets reach the environment through each target's secret mechanism; remove it from [env]",
                )
                continue
            if SECRETISH_RE.search(name) and value and not PLACEHOLDER_RE.fullmatch(value):
                self.warn(
                    "SPC404",
                    path,
                    f"`{name}` looks like a credential, and [env] values are written in clear text",
                    f"declare it as a secret instead: [secrets.{name}]",
                )
            out[name] = value
        self.built["env"] = dict(sorted(out.items()))

    def check_artifacts(self) -> None:
        arts = self.data.get("artifacts")
        if not isinstance(arts, dict):
            self.built["artifacts"] = {}
            self.built["_artifact_hash"] = {}
            return
        out: dict[str, PathRef] = {}
        hashes: dict[str, str] = {}
        for key, item in arts.items():
            path = ("artifacts", key)
            if not ARTIFACT_KEY_RE.match(key):
                self.err("SPC125", path, f"invalid artifact name `{key}`", "use letters, digits, '.', '_' and '-'")
                continue
            raw, _e, raw_path = _path_item(item, path)
            if raw is None:
                continue
            res = resolve_path(raw, self.base, self.root, "any")
            if isinstance(res, PathProblem):
                self.err(res.code, raw_path, res.message, res.hint)
                continue
            out[key] = PathRef(path=res.rel)
            hashes[key] = sha256_tree(res.abs)
        self.built["artifacts"] = dict(sorted(out.items()))
        self.built["_artifact_hash"] = hashes

    def check_mlflow(self) -> None:
        sec = self.section("mlflow")
        flavor = self.opt_str(sec, "flavor")
        if flavor is not None and not FLAVOR_RE.match(flavor):
            self.err(
                "SPC105",
                ("mlflow", "flavor"),
                f'invalid MLflow flavor "{flavor}"',
                'name the flavor module, e.g. "sklearn" for mlflow.sklearn',
            )
            flavor = None
        pip = sec.get("pip")
        self.built["mlflow"] = Mlflow(
            pip=pip if pip in ("exact", "extra", "conda") else "exact",
            flavor=flavor,
        )

    def check_targets(self) -> None:
        targets = self.section("targets")
        docker: dict[str, Any] = targets["docker"] if isinstance(targets.get("docker"), dict) else {}
        dbx: dict[str, Any] = targets["databricks"] if isinstance(targets.get("databricks"), dict) else {}
        # docker
        image = _s(docker.get("base-image"))
        if image is not None and not IMAGE_RE.match(image):
            self.err(
                "SPC127",
                ("targets", "docker", "base-image"),
                f'invalid image reference "{image}"',
                'e.g. "python:3.11-slim-bookworm" or "python@sha256:<64 hex>"',
            )
        platform = _s(docker.get("platform"))
        if platform is not None and not PLATFORM_RE.match(platform):
            self.err(
                "SPC126",
                ("targets", "docker", "platform"),
                f'invalid platform "{platform}"',
                'write os/arch, e.g. "linux/amd64" or "linux/arm64"',
            )
        port = docker.get("port", 8080)
        if isinstance(port, int) and not isinstance(port, bool) and not 1 <= port <= 65535:
            self.err("SPC123", ("targets", "docker", "port"), f"port {port} is out of range", "use 1-65535, e.g. 8080")
        serve = docker.get("serve", False)
        self.built["docker"] = DockerTarget(
            base_image=image,
            platform=platform,
            serve=serve if isinstance(serve, bool) else False,
            port=port if isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535 else 8080,
        )
        # databricks
        libdir = _s(dbx.get("libraries-dir"))
        init = _s(dbx.get("init-script"))
        for key, value in (("libraries-dir", libdir), ("init-script", init)):
            if value is None:
                continue
            p = ("targets", "databricks", key)
            if value.lower().startswith(("dbfs:", "/dbfs")):
                self.err(
                    "SPC128",
                    p,
                    f"DBFS path {value!r}: Databricks disabled libraries and init scripts on DBFS",
                    'use a Unity Catalog volume ("/Volumes/<catalog>/<schema>/<volume>/...") or "/Workspace/..."',
                )
            elif not re.match(r"^/(Volumes|Workspace)/[^\s]+$", value) or ".." in value.split("/"):
                self.err(
                    "SPC128",
                    p,
                    f"{key} must be an absolute /Volumes/... or /Workspace/... path",
                    'e.g. "/Volumes/ml/default/libs"',
                )
        if init is not None and not init.endswith(".sh"):
            self.err("SPC128", ("targets", "databricks", "init-script"), "an init script path ends in .sh", None)
        model = self.built.get("model")
        if init is None and libdir is not None and model is not None:
            init = f"{libdir.rstrip('/')}/init/{model.name}.sh"
        reqlib = dbx.get("requirements-library", False)
        cl: dict[str, Any] = dbx["cluster"] if isinstance(dbx.get("cluster"), dict) else {}
        workers = cl.get("workers")
        auto = cl.get("autoscale")
        cpath = ("targets", "databricks", "cluster")
        autoscale = None
        if workers is not None and auto is not None:
            self.err(
                "SPC124",
                (*cpath, "autoscale"),
                "give either `workers` or `autoscale`, not both",
                "drop `workers` for an autoscaling cluster, or `autoscale` for a fixed size",
            )
        if isinstance(workers, int) and not isinstance(workers, bool) and workers < 0:
            self.err("SPC124", (*cpath, "workers"), "workers cannot be negative", None)
        if isinstance(auto, dict):
            lo, hi = auto.get("min"), auto.get("max")
            if isinstance(lo, int) and isinstance(hi, int):
                if lo < 0 or hi < 1 or lo > hi:
                    self.err(
                        "SPC124",
                        (*cpath, "autoscale"),
                        f"invalid autoscale range min={lo}, max={hi}",
                        "use 0 <= min <= max and max >= 1, e.g. { min = 1, max = 4 }",
                    )
                else:
                    autoscale = Autoscale(min=lo, max=hi)
        mode = cl.get("data-security-mode")
        if isinstance(mode, str) and mode not in SECURITY_MODES:
            import difflib

            close = difflib.get_close_matches(mode.upper(), SECURITY_MODES, n=1)
            self.err(
                "SPC105",
                (*cpath, "data-security-mode"),
                f'unknown data-security-mode "{mode}"',
                f'did you mean "{close[0]}"?' if close else "one of " + ", ".join(SECURITY_MODES),
            )
        cluster = Cluster(
            node_type=_s(cl.get("node-type")),
            workers=None
            if autoscale
            else (workers if isinstance(workers, int) and not isinstance(workers, bool) else 1),
            autoscale=autoscale,
            data_security_mode=mode if isinstance(mode, str) and mode in SECURITY_MODES else "SINGLE_USER",
        )
        self.built["databricks"] = DatabricksTarget(
            libraries_dir=libdir,
            init_script=init,
            requirements_library=reqlib if isinstance(reqlib, bool) else False,
            cluster=cluster,
        )

    def check_cross(self) -> None:
        """Rules across sections: runtime compatibility, serverless limits."""
        runtime = self.built.get("runtime")
        if runtime is None or runtime.databricks is None:
            return
        from specc import runtimes

        info = runtimes.get_runtime(runtime.databricks)
        if info is None:
            return
        mm = ".".join(runtime.python.split(".")[:2])
        if info.python != mm:
            self.err(
                "SPC212",
                ("runtime", "python"),
                f"runtime.python is {runtime.python} but Databricks runtime {info.key} runs Python {info.python}",
                f'log and serve on the same Python: set python = "{info.python}", or pick a runtime with Python {mm}',
            )
        if runtime.cuda is not None and not info.gpu and not info.serverless:
            self.warn(
                "SPC213",
                ("runtime", "cuda"),
                f"cuda is set but {info.key} is not a GPU runtime",
                'use a gpu-ml runtime (e.g. the short form "15.4-ml" with cuda set), or drop cuda',
            )
        from specc import compat

        py, mvn = self.built.get("python"), self.built.get("maven")
        self.out.extend(
            compat.check_runtime_compat(
                info,
                compat.requirement_paths(self.data, py.requirements) if py is not None else (),
                compat.maven_paths(self.data, mvn.packages) if mvn is not None else (),
            )
        )
        if info.serverless:
            apt = self.section("apt")
            if apt.get("packages") or apt.get("debs"):
                self.err(
                    "SPC301",
                    ("apt",),
                    f"{info.key} is serverless, which runs no init scripts, so apt packages cannot be installed",
                    'use a classic runtime (e.g. "15.4-ml") or drop the apt packages',
                )
            py = self.built.get("python")
            if py is not None and any("${" in u for u in (py.index_url or "", *py.extra_index_urls)):
                self.err(
                    "SPC301",
                    ("python", "extra-index-urls") if py.extra_index_urls else ("python", "index-url"),
                    f"{info.key} is serverless, which runs no init scripts, so authenticated indexes cannot be used",
                    "configure the workspace's default package repository instead, or use a classic runtime",
                )

    # build ------------------------------------------------------------------------------------
    def build(self) -> EnvSpec:
        b = self.built
        runtime: Runtime = b["runtime"]
        python: Python = b["python"]
        apt: Apt = b["apt"]
        maven: Maven = b["maven"]
        r: R = b["r"]
        hashes = compute_hashes(runtime, python, apt, maven, r, b["_code_hash"], b["_artifact_hash"])
        return EnvSpec(
            spec_version=1,
            model=b["model"],
            runtime=runtime,
            python=python,
            code=b["code"],
            apt=apt,
            maven=maven,
            r=r,
            env=b["env"],
            secrets=b["secrets"],
            artifacts=b["artifacts"],
            mlflow=b["mlflow"],
            targets=Targets(docker=b["docker"], databricks=b["databricks"]),
            hashes=hashes,
        )


# --- small helpers -----------------------------------------------------------------------------


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return s or "model"


def _env_name(name: str) -> str:
    s = re.sub(r"[^A-Z0-9_]", "_", name.upper())
    return s if s and not s[0].isdigit() else "_" + s


def _relpath(path: Path, base: Path) -> str:
    import os

    return Path(os.path.relpath(path, base)).as_posix()


def _file_item(item: Any, path: tuple[PathPart, ...]) -> tuple[str | None, str | None, tuple[PathPart, ...]]:
    """(raw path, expected sha256, TOML path of the path string) of a file entry."""
    if isinstance(item, str):
        return item, None, path
    if isinstance(item, dict) and isinstance(item.get("path"), str):
        sha = item.get("sha256")
        return item["path"], sha if isinstance(sha, str) else None, (*path, "path")
    return None, None, path


def _path_item(item: Any, path: tuple[PathPart, ...]) -> tuple[str | None, None, tuple[PathPart, ...]]:
    raw, _sha, p = _file_item(item, path)
    return raw, None, p


def _item_path(path: tuple[PathPart, ...], item: Any) -> tuple[PathPart, ...]:
    return (*path, "path") if isinstance(item, dict) else path


def source_for(result: Result, name: str) -> Source | None:
    text = result.sources.get(name)
    return Source.of(name, text) if text is not None else None
