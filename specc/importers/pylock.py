"""The ``pylock`` importer: a PEP 751 lock file, ``pylock.toml`` or ``pylock.<name>.toml``.

The format (the pylock.toml specification, https://packaging.python.org/en/latest/specifications/pylock-toml/,
originally PEP 751), validated with ``packaging.pylock`` (packaging 26+)::

    lock-version = "1.0"
    environments = ["sys_platform == 'linux'"]     # markers the lock was made for
    requires-python = "==3.12.*"
    extras = [] ; dependency-groups = ["dev"] ; default-groups = ["default"]
    created-by = "uv"
    [[packages]]
    name = "numpy"
    version = "2.1.3"
    marker = "python_version >= '3.10'"
    index = "https://pypi.org/simple"
    sdist = { name = "...", url = "...", hashes = { sha256 = "..." } }
    wheels = [{ name = "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.whl", url = "...", hashes = {...} }]
    # or exactly one of: vcs = {type, url, commit-id, ...}; directory = {path, editable};
    #                    archive = {url | path, hashes}

Carried over: each locked package as an exact pin (``name==version``, with its marker), the
indexes other than PyPI (credentials become ``${NAME}`` secrets), local wheels, archives by
https URL, and the Python version (from ``requires-python`` when it names one minor version,
else from the CPython tags every compiled package's wheels share).  Packages whose marker
selects a non-default extra or dependency group are left out (SPC739).  File hashes and URLs
are not carried (SPC740: ``specc lock`` records hashes in ``model-env.lock``); VCS and directory
packages are SPC738.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from specc.importers.base import Draft

_NAME = re.compile(r"^pylock\.([^.]+\.)?toml$")
PYPI_INDEXES = ("https://pypi.org/simple", "https://pypi.org/simple/", "https://pypi.python.org/simple")


def _file(path: Path) -> Path | None:
    if path.is_file():
        return path if _NAME.match(path.name) else None
    if path.is_dir():
        if (path / "pylock.toml").is_file():
            return path / "pylock.toml"
        named = sorted(p for p in path.glob("pylock.*.toml") if _NAME.match(p.name) and p.is_file())
        if len(named) == 1:
            return named[0]
    return None


class _Importer:
    kind = "pylock"
    summary = "a PEP 751 lock file, pylock.toml or pylock.<name>.toml (a file, or a folder holding one)"

    def detect(self, path: Path) -> bool:
        return _file(path) is not None

    def read(self, path: Path, draft: Draft) -> None:
        from specc.importers import _peers as p

        file = _file(path) or path
        doc = p.load_toml(file, draft)
        if doc is None:
            return
        try:
            from packaging.pylock import Pylock, PylockUnsupportedVersionError, PylockValidationError
        except ImportError:  # pragma: no cover - packaging < 26
            draft.report(
                p.INVALID,
                "reading pylock.toml needs packaging 26 or later",
                source=doc.name,
                severity="error",
                hint="pip install -U 'packaging>=26'",
            )
            return
        try:
            lock = Pylock.from_dict(doc.data)
        except PylockValidationError as exc:
            context = getattr(exc, "context", None)
            unsupported = isinstance(exc, PylockUnsupportedVersionError)
            where = doc.src("lock-version") if unsupported else _context_source(doc, context)
            draft.report(p.INVALID, f"{doc.name} is not a valid pylock file: {exc}", source=where, severity="error")
            return
        _Reader(doc, lock, file.parent, draft).read()


def _context_source(doc: Any, context: str | None) -> str:
    """``"packages[3].wheels[0]"`` → the source of ``packages[3]``."""
    if context:
        m = re.match(r"^packages\[(\d+)\]", context)
        if m:
            return str(doc.src("packages", int(m.group(1))))
        return str(doc.src(context.split(".")[0].split("[")[0]))
    return str(doc.name)


class _Reader:
    def __init__(self, doc: Any, lock: Any, folder: Path, draft: Draft) -> None:
        self.doc, self.lock, self.folder, self.draft = doc, lock, folder, draft
        self.hashed = 0

    def read(self) -> None:
        from specc.importers import _peers as p

        draft, lock, doc = self.draft, self.lock, self.doc
        python = self._python()
        if lock.environments:
            draft.report(
                p.CARRIED,
                "the lock was made for the environments "
                + "; ".join(str(m) for m in lock.environments)
                + ": the packages are carried over for the targets' Linux environment",
                source=doc.src("environments"),
            )
        groups = set(lock.default_groups or [])
        others = sorted(set(lock.dependency_groups or []) - groups)
        if lock.extras or others:
            draft.report(
                p.VARIANT,
                "only the default install is carried over; "
                + ", ".join(
                    ([f"extras {', '.join(lock.extras)}"] if lock.extras else [])
                    + ([f"dependency groups {', '.join(others)}"] if others else [])
                )
                + " are not",
                source=doc.src("extras") if lock.extras else doc.src("dependency-groups"),
            )
        indexes: list[tuple[str, str]] = []
        for i, package in enumerate(lock.packages):
            self._package(i, package, python, groups, indexes)
        for text, source in indexes:
            if (url := p.index_url(text, draft, source=source)) is not None:
                draft.add(("python", "extra-index-urls"), url, source=source)
        if self.hashed:
            draft.report(
                p.LOCK_DETAIL,
                f"the hashes and file URLs of {self.hashed} locked package{'s' if self.hashed != 1 else ''} are not "
                "carried over (the versions are, as exact pins)",
                source=doc.src("packages"),
                hint="run `specc lock` to record hashes in model-env.lock",
            )
        if doc.get("tool"):
            draft.report(p.SETTING, "[tool] tables of the lock are not carried over", source=doc.src("tool"))

    def _python(self) -> str | None:
        """Set runtime.python from requires-python or the wheels' tags; the version used for
        evaluating markers (or None)."""
        from specc.importers import _peers as p

        draft, lock, doc = self.draft, self.lock, self.doc
        written = str(lock.requires_python) if lock.requires_python is not None else ""
        exact = p.python_from_conda(written) if written else None
        if exact is not None and written.startswith("=="):
            draft.set(("runtime", "python"), exact, source=doc.src("requires-python"))
            return exact
        tagged = self._wheel_pythons()
        if lock.requires_python is not None:
            tagged = {v for v in tagged if lock.requires_python.contains(f"{v}.0", prereleases=True)}
        if len(tagged) == 1:
            version = next(iter(tagged))
            draft.set(("runtime", "python"), version, source=doc.src("packages"))
            draft.report(
                p.PYTHON_ASSUMED,
                f"requires-python is {written or 'not set'}; {version} is written: the locked compiled wheels are "
                f"all for CPython {version}",
                source=doc.src("requires-python") if written else doc.src("packages"),
                hint="set runtime.python to the Python the model was trained with",
            )
            return version
        if written and (highest := p.highest_minor(written)) is not None:
            draft.set(("runtime", "python"), highest, source=doc.src("requires-python"))
            draft.report(
                p.PYTHON_ASSUMED,
                f"requires-python {written!r} is a range; {highest}, the highest version it admits, is written",
                source=doc.src("requires-python"),
                hint="set runtime.python to the Python the model was trained with",
            )
            return highest
        draft.report(
            p.PYTHON_ASSUMED,
            f"requires-python is {written or 'not set'} and the wheels do not settle one Python version",
            source=doc.src("requires-python") if written else f"{doc.name}:1",
            hint="set runtime.python to the Python the model was trained with",
        )
        return None

    def _wheel_pythons(self) -> set[str]:
        """The CPython versions (``"3.12"``) every package with version-specific wheels has one for."""
        from packaging.tags import Tag
        from packaging.utils import InvalidWheelFilename, parse_wheel_filename

        common: set[str] | None = None
        for package in self.lock.packages:
            versions: set[str] = set()
            abi3 = False
            for wheel in package.wheels or []:
                try:
                    _, _, _, tags = parse_wheel_filename(wheel.filename)
                except (InvalidWheelFilename, ValueError):  # a bad name says nothing
                    continue
                for tag in tags:
                    assert isinstance(tag, Tag)
                    m = re.fullmatch(r"cp3(\d{1,2})", tag.interpreter)
                    if m and tag.abi != "abi3":
                        versions.add(f"3.{m.group(1)}")
                    elif tag.abi == "abi3" or tag.interpreter.startswith("py"):
                        abi3 = True
            if versions and not abi3:
                common = versions if common is None else common & versions
        return common or set()

    def _package(
        self, i: int, package: Any, python: str | None, groups: set[str], indexes: list[tuple[str, str]]
    ) -> None:
        from specc.importers import _peers as p
        from specc.importers.requirements import requirement_lines

        draft, doc = self.draft, self.doc
        source = doc.src("packages", i)
        name = str(package.name)
        marker = str(package.marker) if package.marker is not None else None
        if marker and re.search(r"\b(extras|dependency_groups)\b", marker):
            keep = _selected(package.marker, python, groups)
            if not keep:
                draft.report(
                    p.VARIANT,
                    f"{name} is locked for an extra or a dependency group outside the default install ({marker}); "
                    "not carried over",
                    source=source,
                )
                return
            marker = None
        suffix = f"; {marker}" if marker else ""
        if package.vcs is not None:
            draft.report(
                p.SOURCE,
                f"{name} is locked from {package.vcs.type} ({package.vcs.url or package.vcs.path}); not carried over",
                source=source,
                hint="build a wheel of it (python.wheels) or pin a release from an index",
            )
            return
        if package.directory is not None:
            draft.report(
                p.SOURCE,
                f"{name} is locked from the folder {package.directory.path}; not carried over",
                source=source,
                hint="build a wheel (python.wheels) or list the folder under code.paths",
            )
            return
        if package.archive is not None:
            self.hashed += 1
            if package.archive.url:
                requirement_lines([(f"{name} @ {package.archive.url}{suffix}", source)], draft)
            else:
                self._local(name, str(package.archive.path), source)
            return
        wheels = list(package.wheels or [])
        if package.index is None and wheels and all(w.url is None and w.path for w in wheels):
            local = [w for w in wheels if (self.folder / str(w.path)).resolve().is_file()]
            self.hashed += 1
            if len(local) == 1:
                self._local(name, str(local[0].path), source)
            else:
                draft.report(
                    p.SOURCE,
                    f"{name} is locked as local wheel files ({', '.join(str(w.path) for w in wheels)}) "
                    "that are not one file here; not carried over",
                    source=source,
                    hint="list the wheel for your targets under python.wheels",
                )
            return
        if package.version is None:
            draft.report(p.SOURCE, f"{name} has no version in the lock; not carried over", source=source)
            return
        requirement_lines([(f"{name}=={package.version}{suffix}", source)], draft)
        if wheels or package.sdist is not None:
            self.hashed += 1
        if not wheels and package.sdist is not None:
            draft.report(
                p.LOCK_DETAIL,
                f"{name} {package.version} is locked as a source distribution only: every target builds it at install",
                source=source,
                hint="build a wheel once and list it under python.wheels if the build needs compilers",
            )
        index = package.index
        if index and index.rstrip("/") not in (u.rstrip("/") for u in PYPI_INDEXES):
            if all(index != url for url, _ in indexes):
                indexes.append((index, source))
        elif (
            index is None
            and any(w.url for w in wheels)
            and not all(str(w.url).startswith("https://files.pythonhosted.org/") for w in wheels if w.url)
        ):
            draft.report(
                p.LOCK_DETAIL,
                f"{name} is locked by file URL without an index; it is pinned, to be found on the spec's indexes",
                source=source,
                hint="add its index to python.extra-index-urls",
            )

    def _local(self, name: str, path: str, source: str) -> None:
        from specc.importers import _peers as p

        target = p.within(self.draft, self.folder, path, source=source, what=f"{name}'s file", needed=False)
        if target is None:
            return
        if target.is_file() and target.suffix == ".whl":
            self.draft.add(("python", "wheels"), p.display_name(target, self.draft.root), source=source)
        else:
            self.draft.report(
                p.SOURCE,
                f"{name} is locked from the local file {path}, which is not a wheel here; not carried over",
                source=source,
                hint="build the wheel and list it under python.wheels",
            )


def _selected(marker: Any, python: str | None, groups: set[str]) -> bool:
    """Whether a package's marker holds for the default install on CPython/Linux x86_64."""
    version = python or "3.12"
    env = {
        "implementation_name": "cpython",
        "implementation_version": f"{version}.0",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{version}.0",
        "platform_python_implementation": "CPython",
        "python_version": version,
        "sys_platform": "linux",
        "extras": frozenset(),
        "dependency_groups": frozenset(groups),
    }
    try:
        return bool(marker.evaluate(env, context="lock_file"))
    except Exception:  # an unevaluable marker: keep the package, the marker dropped
        return True


IMPORTER = _Importer()
