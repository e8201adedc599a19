"""What every section validator shares: where the spec is, what was found, where values came from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from specc.diagnostics import Diagnostic, Origin, Origins, PathPart, Severity, Span, TomlPath
from specc.document import Document
from specc.hashing import sha256_file
from specc.paths import PathProblem, Resolved, resolve_path, show_path
from specc.spec import SHA256, Bounds, FileInput, FileRef, Syntax
from specc.urls import check_url
from specc.validate.filekind import content_problem
from specc.validate.shape import TypedInput

T = TypeVar("T")

#: symlinks leading out of the repository reported one by one per folder; the rest are counted
_ESCAPES_SHOWN = 10


@dataclass
class Context:
    """The state one validation run shares between its section validators.

    ``diagnostics`` holds problems on TOML paths (located in the spec at the end)
    or already located elsewhere (``file`` and ``span`` set: a requirements file);
    ``origins`` is built as the sections produce normalized values; ``sources``
    holds the text of every other file a diagnostic may point into (requirements
    files), by the name diagnostics show for it.
    """

    doc: Document
    base: Path  # the spec's folder, absolute
    root: Path  # the repository root; no path may leave it
    inp: TypedInput
    secret_names: frozenset[str] = frozenset()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    origins: Origins = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    _shown: dict[Path, str] = field(default_factory=dict)

    # --- reporting -----------------------------------------------------------------------------
    def error(self, code: str, path: Sequence[PathPart], message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic.error(code, message=message, path=path, hint=hint))

    def warning(self, code: str, path: Sequence[PathPart], message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic.warning(code, message=message, path=path, hint=hint))

    def report(
        self,
        code: str,
        severity: Severity,
        path: TomlPath,
        message: str,
        hint: str | None = None,
        origin: Origin | None = None,
    ) -> None:
        """Report at an origin: its file line when it came from a requirements file, else its TOML path."""
        if origin is not None and origin.file is not None:
            self.diagnostics.append(
                Diagnostic.create(
                    code,
                    severity=severity,
                    message=message,
                    path=origin.path,
                    hint=hint,
                    file=origin.file,
                    span=origin.span,
                )
            )
        else:
            self.diagnostics.append(
                Diagnostic.create(
                    code, severity=severity, message=message, path=origin.path if origin else path, hint=hint
                )
            )

    def check(self, rule: Syntax, path: TomlPath, value: str, **fields: object) -> bool:
        """Whether ``value`` follows ``rule``; reports the rule's diagnostic when it does not."""
        if rule.matches(value):
            return True
        self.error(rule.code, path, *rule.describe(value, **fields))
        return False

    def check_range(self, rule: Bounds, path: TomlPath, value: int, **fields: object) -> bool:
        if rule.contains(value):
            return True
        self.error(rule.code, path, *rule.describe(value, **fields))
        return False

    def inner_span(self, path: TomlPath, value: str, start: int, end: int) -> Span | None:
        """The span of ``value[start:end]`` inside the TOML string at ``path``.

        Only when the string is written verbatim (no escapes before the offsets
        changed them); otherwise None and the caller falls back to the whole value.
        """
        hit = self.doc.source_map.values.get(path)
        if hit is None:
            return None
        text = self.doc.source.text
        opening = text[hit[0] : hit[0] + 3]
        quote = 3 if opening in ('"""', "'''") else 1
        inner = text[hit[0] + quote : hit[1] - quote]
        if inner != value:
            return None
        offset = hit[0] + quote
        return self.doc.source.span(offset + start, offset + end)

    # --- origins -------------------------------------------------------------------------------
    def record(self, normalized: TomlPath, origin: Origin) -> None:
        self.origins[normalized] = origin

    def shown(self, path: Path) -> str:
        """How diagnostics name a file of the repository: relative to the spec, as the spec is shown."""
        name = self._shown.get(path)
        if name is None:
            spec_dir = Path(self.doc.source.name).parent
            try:
                rel = path.resolve().relative_to(self.base)
            except ValueError:
                name = str(path)
            else:
                name = str(spec_dir / rel) if str(spec_dir) not in ("", ".") else str(rel)
            self._shown[path] = name
        return name

    # --- shared checks -------------------------------------------------------------------------
    def read(self, path: TomlPath, raw: str, compute: Callable[[Path], T], target: Path) -> T | None:
        """``compute(target)`` (hashing or reading the files the spec's ``raw`` names), or None
        with SPC209 reported when the OS refuses (a file in the folder unreadable, ...)."""
        from specc.paths import os_problem

        try:
            return compute(target)
        except (OSError, RuntimeError) as exc:
            p = os_problem(raw, exc)
            self.error(p.code, path, p.message, p.hint)
            return None

    def tree(self, path: TomlPath, raw: str, res: Resolved, *, what: str) -> str | None:
        """The content hash of the file or folder a code/artifact entry names (``res``), or None
        with its problems reported at ``path``.

        ``what`` says what the entry ships as (``"code"``, ``"an artifact"``), for the hints.
        A path with no name of its own (``.``, ``..``) or naming the repository root is SPC208:
        it would ship under an empty name (and the whole repository with it).  Every symlink
        inside a folder that leads out of the repository is SPC402, named by its path inside
        the folder; none is followed (:func:`specc.filetree.scan`).
        """
        from specc.filetree import scan
        from specc.hashing import sha256_listing

        name = res.rel.rsplit("/", 1)[-1]
        if name in ("", ".", "..") or res.abs == self.root:
            if res.abs == self.root:
                whole = "is the repository root"
            elif res.rel == ".":
                whole = "is the spec's own folder"
            else:
                whole = "names a folder above the spec by `..`"
            hint = (
                'list the package folders instead (paths = ["src/my_package"]): each ships as code/<name>, on sys.path'
                if what == "code"
                else "name the folder or file that holds the artifact: it ships under its own name"
            )
            self.error("SPC208", path, f"{show_path(raw)} {whole}, which cannot ship as {what}", hint)
            return None
        listing = self.read(path, raw, lambda p: scan(p, confine=self.root), res.abs)
        if listing is None:
            return None
        if listing.escapes:
            shown = raw.rstrip("/")
            for rel in listing.escapes[:_ESCAPES_SHOWN]:
                self.error(
                    "SPC402",
                    path,
                    f"{show_path(shown + '/' + rel)} is a symlink pointing outside the repository",
                    "copy the file into the repository instead of linking to it, or delete the link",
                )
            more = len(listing.escapes) - _ESCAPES_SHOWN
            if more > 0:
                self.error(
                    "SPC402",
                    path,
                    f"{more} more symlinks in {show_path(shown)} point outside the repository",
                    "copy the files into the repository instead of linking to them, or delete the links",
                )
            return None
        return self.read(path, raw, lambda _p: sha256_listing(listing.files), res.abs)

    def url(self, path: TomlPath, value: str, *, what: str) -> str | None:
        """Check an index/repository URL; report its problems; return it when usable."""
        problems = check_url(value, what=what, secret_names=self.secret_names)
        for p in problems:
            (self.error if p.severity == "error" else self.warning)(p.code, path, p.message, p.hint)
        return None if any(p.severity == "error" for p in problems) else value

    def local_file(
        self, path: TomlPath, item: str | FileInput, suffixes: tuple[str, ...], what: str
    ) -> tuple[FileRef, Resolved] | None:
        """A file entry (``"path"`` or ``{ path, sha256 }``): resolved, confined, hashed and checked."""
        raw, expected = (item, None) if isinstance(item, str) else (item.path, item.sha256)
        raw_path: TomlPath = path if isinstance(item, str) else (*path, "path")
        res = resolve_path(raw, self.base, self.root, "file")
        if isinstance(res, PathProblem):
            self.error(res.code, raw_path, res.message, res.hint)
            return None
        if not res.rel.endswith(suffixes):
            if res.rel.endswith(".egg"):
                self.error(
                    "SPC207",
                    raw_path,
                    f"{show_path(raw)} is an egg; pip and Databricks Runtime 14+ no longer install eggs",
                    "build a wheel instead: python -m build --wheel (or pip wheel .)",
                )
            else:
                self.error(
                    "SPC208",
                    raw_path,
                    f"{show_path(raw)} is not {what}",
                    f"expected a file ending in {' or '.join(suffixes)}",
                )
            return None
        digest = self.read(raw_path, raw, sha256_file, res.abs)
        if digest is None:
            return None
        suffix = next(s for s in suffixes if res.rel.endswith(s))
        problem = self.read(raw_path, raw, lambda p: content_problem(p, suffix) or "", res.abs)
        if problem is None:  # unreadable: reported
            return None
        if problem:
            self.error(
                "SPC217",
                raw_path,
                f"{show_path(raw)} {problem}, so it cannot be {what}",
                "replace it with the real file (a failed download or a Git LFS pointer has the name only: "
                "`git lfs pull`, or download it again)",
            )
            return None
        if expected is not None and self.check(SHA256, (*path, "sha256"), expected) and expected != digest:
            self.error(
                "SPC210",
                (*path, "sha256"),
                f"{show_path(raw)} has sha256 {digest}, not the expected {expected}",
                "the file changed; update the sha256 if the change is intended",
            )
        return FileRef(path=res.rel, sha256=digest), res

    def files(
        self, section: str, key: str, items: Sequence[str | FileInput], suffixes: tuple[str, ...], what: str
    ) -> tuple[FileRef, ...]:
        """A list of file entries → sorted, de-duplicated FileRefs, each with its origin."""
        found: dict[str, tuple[FileRef, TomlPath]] = {}
        for path, item in self.inp.enumerate((section, key), items):
            got = self.local_file(path, item, suffixes, what)
            if got is not None and got[0].path not in found:
                found[got[0].path] = (got[0], path)
        out = []
        for k, rel in enumerate(sorted(found)):
            ref, path = found[rel]
            self.record((section, key, k), Origin(path))
            out.append(ref)
        return tuple(out)
