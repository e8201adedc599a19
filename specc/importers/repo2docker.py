"""The ``repo2docker`` importer: a Binder / repo2docker folder.

repo2docker picks ONE buildpack for a repository and only that buildpack's files are used; this
importer follows the same choice, read from repo2docker's source
(jupyterhub/repo2docker at 808ae6bb888511b5464d9405abcef8f26e38bd1b, August 2026:
``repo2docker/app.py`` ``buildpacks``, ``repo2docker/buildpacks/*``):

- **where**: ``.binder/`` or ``binder/`` when one exists, else the folder's root
  (``BuildPack.binder_dir``); then every file of the root is ignored (``binder_path``), the
  root's ``DESCRIPTION``, ``setup.py`` and ``pyproject.toml`` included (``not self.binder_dir``).
  Both folders at once: repo2docker refuses to build (SPC722, an error).
- **which buildpack**, the first that detects: Dockerfile, Julia (``Project.toml`` /
  ``JuliaProject.toml``), Julia (``REQUIRE``), Nix (``default.nix``), R (``runtime.txt``
  ``r-...-YYYY-MM-DD``, or a root ``DESCRIPTION``), Conda (``environment.yml``/``.yaml``),
  Pipfile (``Pipfile``/``Pipfile.lock``, unless runtime.txt names another language), Python
  (anything else; also repo2docker's default).
- **what each reads** (class inheritance: R and Julia extend Python, which extends Conda; Nix
  extends the base image; Docker reads its Dockerfile only):
  ``apt.txt`` every buildpack but Docker; ``environment.yml`` Conda, R, Julia; ``requirements.txt``
  Python, R, Julia (not Conda: ``environment.yml`` wins over it); ``install.R`` R only; the root
  ``DESCRIPTION`` R only; ``runtime.txt`` ``python-X.Y`` Python, Pipfile, Julia (Conda takes the
  Python of ``environment.yml``'s ``python=``); every file a buildpack does not read is reported
  as ignored (SPC720).
- ``runtime.txt``: the whole file, stripped, split on ``-`` into 2, 4 or 5 non-empty parts
  (``BuildPack.runtime``): ``python-3.11`` → ``runtime.python``; ``python-3`` names no minor
  (repo2docker's default Python); ``python-3.11.4`` is carried as 3.11 with a warning (repo2docker's
  Conda base refuses anything but ``x.y``); ``r-4.3-2024-06-03`` / ``r-2024-06-03`` →
  ``r.repository``, the Posit Package Manager CRAN snapshot of that date (the R version itself is
  reported); ``r-4.3`` without a date does not select R; anything else SPC721;
- ``apt.txt``: one Ubuntu/Debian package name per line (``#`` starts a comment) →
  ``apt.packages`` (names Debian policy allows, ``[a-z0-9][a-z0-9+.-]+``, optionally
  ``=version``; others SPC721);
- ``install.R``: ``install.packages("x")`` / ``install.packages(c("x", "y"))`` →
  ``r.packages``, ``remotes::install_version("x", "1.2")`` (or ``version =``) → a pinned
  ``{ name, version }``; any other line SPC721 (``install_github``, arbitrary R code);
- ``DESCRIPTION``: the package names of ``Depends:``/``Imports:`` → ``r.packages`` (R itself and
  the base packages skipped; version constraints reported);
- ``postBuild``, ``start``, ``Dockerfile``, ``setup.py``, ``Pipfile``, ``Pipfile.lock``,
  ``pyproject.toml``, ``Project.toml``, ``REQUIRE``, ``default.nix``, ``requirements3.txt``: not
  carried (SPC720).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from specc.importers.base import DECODE_HINT, Draft, decode_text, lines_of, read_problem

FILE_NOT_CARRIED = "SPC720"
LINE_NOT_CARRIED = "SPC721"
AMBIGUOUS = "SPC722"
CONFIG_DIRS = (".binder", "binder")  # repo2docker's order (binder_dir); both at once is an error
_KNOWN = (
    "runtime.txt",
    "requirements.txt",
    "environment.yml",
    "environment.yaml",
    "apt.txt",
    "install.R",
    "DESCRIPTION",
)
_NOT_CARRIED = {
    "postBuild": "a script run at build time; put what it installs in the spec, or run it in your own image",
    "start": "a script run before the server starts; set [env] values in the spec, run the rest yourself",
    "Dockerfile": "port its RUN steps to the spec's sections",
    "setup.py": "build your package into a wheel and list it under python.wheels, or list it under code.paths",
    "Pipfile": "export it as requirements (pipenv requirements > requirements.txt) and import that",
    "Pipfile.lock": "export it as requirements (pipenv requirements > requirements.txt) and import that",
    "pyproject.toml": "build your package into a wheel and list it under python.wheels",
    "Project.toml": "Julia environments are not part of model-env.toml",
    "JuliaProject.toml": "Julia environments are not part of model-env.toml",
    "REQUIRE": "Julia environments are not part of model-env.toml",
    "default.nix": "Nix environments are not part of model-env.toml",
    "requirements3.txt": "repo2docker installs it in the notebook server's environment of a Python 2 kernel only",
}
#: files repo2docker reads from the repository's root only, never from binder/ (``not self.binder_dir``)
_ROOT_ONLY = ("DESCRIPTION", "setup.py", "pyproject.toml")
#: the buildpacks (repo2docker/app.py ``buildpacks``) and what each reads, by the file names above
_READS: dict[str, frozenset[str]] = {
    "Docker": frozenset({"Dockerfile"}),
    "Julia": frozenset({"apt.txt", "postBuild", "start", "runtime.txt", "environment.yml", "requirements.txt",
                        "Project.toml", "JuliaProject.toml"}),
    "Julia REQUIRE": frozenset({"apt.txt", "postBuild", "start", "runtime.txt", "environment.yml",
                                "requirements.txt", "REQUIRE"}),
    "Nix": frozenset({"apt.txt", "postBuild", "start", "default.nix"}),
    "R": frozenset({"apt.txt", "postBuild", "start", "runtime.txt", "environment.yml", "requirements.txt",
                    "install.R", "DESCRIPTION", "setup.py", "pyproject.toml"}),
    "Conda": frozenset({"apt.txt", "postBuild", "start", "environment.yml"}),
    "Pipfile": frozenset({"apt.txt", "postBuild", "start", "runtime.txt", "Pipfile", "Pipfile.lock",
                          "requirements3.txt", "setup.py"}),
    "Python": frozenset({"apt.txt", "postBuild", "start", "runtime.txt", "requirements.txt", "requirements3.txt",
                         "setup.py", "pyproject.toml"}),
}  # fmt: skip
_APT_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$")
_R_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]$")
_R_BASE = frozenset(
    {"R", "base", "compiler", "datasets", "graphics", "grDevices", "grid", "methods", "parallel", "splines",
     "stats", "stats4", "tcltk", "tools", "utils"}
)  # fmt: skip
PPM_CRAN = "https://packagemanager.posit.co/cran"


def config_dir(folder: Path) -> Path:
    """Where repo2docker reads the configuration: ``.binder/``, ``binder/`` or the folder."""
    for name in CONFIG_DIRS:
        if (folder / name).is_dir():
            return folder / name
    return folder


class Runtime(NamedTuple):
    """``runtime.txt`` as repo2docker's ``BuildPack.runtime`` reads it: (name, version, date)."""

    name: str | None
    version: str | None
    date: str | None


def parse_runtime(text: str) -> Runtime | str:
    """repo2docker's reading of ``runtime.txt`` (``BuildPack.runtime``): the whole text,
    stripped, split on ``-``; 2 parts are name-version, 4 name-date, 5 name-version-date, and no
    part may be empty; a date is ``YYYY-MM-DD`` and a real day.  Returns the reason as a string
    when repo2docker would refuse the file."""
    import datetime

    stripped = text.strip()
    parts = stripped.split("-")
    if len(parts) not in (2, 4, 5) or not all(parts):
        return "repo2docker reads runtime.txt as name-version, name-YYYY-MM-DD or name-version-YYYY-MM-DD"
    version = parts[1] if len(parts) in (2, 5) else None
    date = None
    if len(parts) in (4, 5):
        date = "-".join(parts[-3:])
        try:
            if not re.match(r"\d\d\d\d-\d\d-\d\d", date):
                raise ValueError(date)
            date = datetime.date.fromisoformat(date).isoformat()
        except ValueError:
            return f"{date} is not a date (YYYY-MM-DD)"
    return Runtime(parts[0], version, date)


def buildpack(folder: Path, config: Path, runtime: Runtime | None) -> str:
    """The buildpack repo2docker picks (``repo2docker/app.py``: the first whose ``detect()``
    is true, else the Python buildpack), one of the keys of ``_READS``."""
    has = lambda name: (config / name).is_file()  # noqa: E731
    name = runtime.name if runtime else None
    if has("Dockerfile"):
        return "Docker"
    if has("Project.toml") or has("JuliaProject.toml"):
        return "Julia"
    if has("REQUIRE"):
        return "Julia REQUIRE"
    if has("default.nix"):
        return "Nix"
    if (name == "r" and runtime and runtime.date) or (config == folder and (folder / "DESCRIPTION").is_file()):
        return "R"
    if has("environment.yml") or has("environment.yaml"):
        return "Conda"
    if name in (None, "python") and (has("Pipfile") or has("Pipfile.lock")):
        return "Pipfile"
    return "Python"


class _Importer:
    kind = "repo2docker"
    summary = "a repo2docker/Binder folder (root, binder/ or .binder/: runtime.txt, apt.txt, install.R, ...)"

    def detect(self, path: Path) -> bool:
        if not path.is_dir():
            return False
        if any((path / d).is_dir() for d in CONFIG_DIRS):
            return True
        return any((path / n).is_file() for n in (*_KNOWN, "postBuild", "start"))

    def read(self, path: Path, draft: Draft) -> None:
        read_folder(path if path.is_dir() else path.parent, draft)


def read_folder(folder: Path, draft: Draft) -> None:
    """Fill ``draft`` from the repo2docker configuration of ``folder`` (the module docstring
    says which files repo2docker, and so this importer, reads)."""
    from specc.importers.requirements import display

    if all((folder / d).is_dir() for d in CONFIG_DIRS):
        draft.report(
            AMBIGUOUS,
            "the folder has both binder/ and .binder/: repo2docker refuses to build it",
            source=display(folder / ".binder", draft.root),
            severity="error",
            hint="keep one of the two folders",
        )
        return
    config = config_dir(folder)
    shown_config = display(config, draft.root)
    if config != folder:
        ignored = sorted(n for n in (*_KNOWN, *_NOT_CARRIED) if (folder / n).is_file())
        for name in ignored:
            draft.report(
                FILE_NOT_CARRIED,
                f"{name} in the folder's root is ignored: repo2docker reads {shown_config}/ instead",
                source=name,
            )
    runtime: Runtime | None = None
    runtime_path = config / "runtime.txt"
    if runtime_path.is_file():
        text = _text(runtime_path, draft)
        if text is not None:
            parsed = parse_runtime(text)
            if isinstance(parsed, str):
                draft.report(
                    LINE_NOT_CARRIED,
                    f'runtime "{text.strip()[:60]}" is not carried over: {parsed}',
                    source=f"{display(runtime_path, draft.root)}:1",
                    hint="write python-3.11 or r-4.3-2024-06-03 (repo2docker refuses to build with this one)",
                )
            else:
                runtime = parsed
    pack = buildpack(folder, config, runtime)
    reads = _READS[pack]

    def present(name: str) -> Path | None:
        if name == "environment.yml":
            return next((config / n for n in ("environment.yml", "environment.yaml") if (config / n).is_file()), None)
        if name in _ROOT_ONLY:  # repo2docker reads the root's only, and not when a binder folder exists
            return folder / name if config == folder and (folder / name).is_file() else None
        return config / name if (config / name).is_file() else None

    for name in ("runtime.txt", "environment.yml", "requirements.txt", "apt.txt", "install.R", "DESCRIPTION",
                 *_NOT_CARRIED):  # fmt: skip
        path = present(name)
        if path is None:
            continue
        if name not in reads:
            draft.report(
                FILE_NOT_CARRIED,
                f"{path.name} is ignored: repo2docker builds this folder with its {pack} buildpack, which does not "
                "read it",
                source=display(path, draft.root),
                hint=_WHY_IGNORED.get((pack, name)),
            )
        elif name in _NOT_CARRIED:
            draft.report(FILE_NOT_CARRIED, f"{name} is not carried over", source=display(path, draft.root),
                         hint=_NOT_CARRIED[name])  # fmt: skip
    for name in _ROOT_ONLY:
        if config != folder and (config / name).is_file():
            draft.report(
                FILE_NOT_CARRIED,
                f"{name} is ignored: repo2docker reads a {name} in the repository's root only, and only "
                f"when there is no {shown_config}/ folder",
                source=display(config / name, draft.root),
            )
    if pack == "Docker":
        return
    if runtime is not None and "runtime.txt" in reads:
        _runtime(runtime, f"{display(runtime_path, draft.root)}:1", pack, draft)
    env = present("environment.yml")
    if env is not None and "environment.yml" in reads:
        from specc.importers.conda import read_environment

        read_environment(env, draft)
    if (req := present("requirements.txt")) is not None and "requirements.txt" in reads:
        from specc.importers.requirements import read_requirements_file

        read_requirements_file(req, draft, root=draft.root)
    if (apt := present("apt.txt")) is not None and "apt.txt" in reads:
        _apt(apt, draft)
    if (install := present("install.R")) is not None and "install.R" in reads:
        _install_r(install, draft)
    if (description := present("DESCRIPTION")) is not None and "DESCRIPTION" in reads:
        _description(description, draft)
        shown = display(description, draft.root)
        draft.report(
            FILE_NOT_CARRIED,
            "the R package this DESCRIPTION describes is not carried over (repo2docker installs it with "
            "remotes::install_local()); its Depends/Imports are",
            source=shown,
            hint="build it (R CMD build .) and list the .tar.gz under r.sources",
        )
        if not (runtime and runtime.name == "r" and runtime.date):
            draft.report(
                LINE_NOT_CARRIED,
                "no dated r- runtime.txt: repo2docker installs R packages from the CRAN snapshot of two days "
                "before each build; r.repository is not set",
                source=shown,
                hint="set r.repository to a dated snapshot (https://packagemanager.posit.co/cran/YYYY-MM-DD)",
            )


#: why a file is ignored, for the cases people trip on
_WHY_IGNORED = {
    ("Conda", "requirements.txt"): "list its packages under environment.yml's pip: section, as repo2docker needs",
    ("Conda", "runtime.txt"): "repo2docker takes the Python version from environment.yml's python= instead",
    (
        "Conda",
        "install.R",
    ): "repo2docker runs install.R only with an R runtime: r-<version>-<YYYY-MM-DD> in runtime.txt",
    (
        "Python",
        "install.R",
    ): "repo2docker runs install.R only with an R runtime: r-<version>-<YYYY-MM-DD> in runtime.txt",
    ("Pipfile", "requirements.txt"): "repo2docker installs the Pipfile instead",
}


def _text(path: Path, draft: Draft) -> str | None:
    from specc.importers.requirements import display

    if draft.escapes(path, display(path, draft.root)):
        return None
    data = None
    try:
        data = path.read_bytes()
        return decode_text(data)
    except (OSError, UnicodeDecodeError, LookupError) as exc:
        message, where = read_problem(data, exc, display(path, draft.root))
        hint = DECODE_HINT if isinstance(exc, (UnicodeDecodeError, LookupError)) else None
        draft.report(LINE_NOT_CARRIED, message, source=where, hint=hint)
        return None


def _runtime(runtime: Runtime, source: str, pack: str, draft: Draft) -> None:
    """``runtime.txt`` as the chosen buildpack uses it (see the module docstring)."""
    name, version, date = runtime
    if name == "python":
        m = re.fullmatch(r"(\d+)\.(\d+)(\.\d+)?", version or "")
        if m is None:
            draft.report(
                LINE_NOT_CARRIED,
                f'runtime "python-{version}" names no minor version: repo2docker uses its default Python; '
                "runtime.python is not taken from it",
                source=source,
                hint="write python-3.11, or pass --python",
            )
            return
        draft.set(("runtime", "python"), f"{m.group(1)}.{m.group(2)}", source=source)
        if m.group(3):
            draft.report(
                LINE_NOT_CARRIED,
                f"the patch version of python-{version} is not carried over (runtime.python is major.minor; "
                "repo2docker itself accepts only python-X.Y)",
                source=source,
            )
        return
    if name == "r" and date:
        draft.set(("r", "repository"), f"{PPM_CRAN}/{date}", source=source)
        if version:
            draft.report(
                LINE_NOT_CARRIED,
                f"R version {version} is not carried over: each target installs its base's R",
                source=source,
            )
        return
    what = f"{name}-{version}" if version else str(name)
    draft.report(
        LINE_NOT_CARRIED,
        f'runtime "{what}{"-" + date if date else ""}" is not carried over'
        + (": without a snapshot date repo2docker does not use R" if name == "r" else ""),
        source=source,
        hint="write python-3.11 or r-<version>-<YYYY-MM-DD>",
    )


def _apt(path: Path, draft: Draft) -> None:
    from specc.importers.requirements import display

    shown = display(path, draft.root)
    text = _text(path, draft)
    if text is None:
        return
    for n, raw in lines_of(text):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        for word in line.split():
            if _APT_NAME.match(word):
                draft.add(("apt", "packages"), word, source=f"{shown}:{n}")
            else:
                draft.report(
                    LINE_NOT_CARRIED,
                    f'"{word[:60]}" is not an apt package name; not carried over',
                    source=f"{shown}:{n}",
                    hint="apt.txt lists Debian/Ubuntu package names, one per line",
                )


_INSTALL_PACKAGES = re.compile(r"^\s*(?:utils::)?install\.packages\s*\((?P<args>.*)\)\s*;?\s*$")
_INSTALL_VERSION = re.compile(
    r"^\s*(?:remotes|devtools)::install_version\s*\(\s*(?P<q>[\"'])(?P<name>[^\"']+)(?P=q)\s*,\s*"
    r"(?:version\s*=\s*)?(?P<q2>[\"'])(?P<version>[^\"']+)(?P=q2)(?P<rest>.*)\)\s*;?\s*$"
)
_STRING = re.compile(r"[\"']([^\"']+)[\"']")


def r_statements(text: str) -> list[tuple[int, str]]:
    """The statements of an R script with the line each starts on: a call spanning lines
    (``install.packages(c(\n  "a",\n  "b"\n))``, the usual way to list many packages) is one
    statement, its lines joined with spaces; ``;`` and a newline outside brackets end one;
    ``#`` comments (outside strings) are dropped."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    depth, quote, start, line = 0, "", 0, 1
    i = 0

    started = False  # the statement being read has a non-blank character

    def flush() -> None:
        nonlocal started
        statement = " ".join("".join(buf).split())
        if statement:
            out.append((start, statement))
        buf.clear()
        started = False

    text = text.removeprefix("\ufeff")
    while i < len(text):
        c = text[i]
        if quote:
            buf.append(c)
            if c == "\\" and i + 1 < len(text):
                buf.append(text[i + 1])
                i += 1
            elif c == quote:
                quote = ""
            elif c == "\n":
                line += 1
        elif c == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif c == "\n" or (c == ";" and depth <= 0):
            if depth <= 0:
                flush()
            else:
                buf.append(" ")
            if c == "\n":
                line += 1
        else:
            if not c.isspace() and not started:
                start, started = line, True
            if c in "\"'`":
                quote = c
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            buf.append(c)
        i += 1
    flush()
    return out


def _install_r(path: Path, draft: Draft) -> None:
    from specc.importers.requirements import display

    shown = display(path, draft.root)
    text = _text(path, draft)
    if text is None:
        return
    for n, line in r_statements(text):
        source = f"{shown}:{n}"
        if m := _INSTALL_VERSION.match(line):
            draft.add(("r", "packages"), {"name": m.group("name"), "version": m.group("version")}, source=source)
            if "repos" in m.group("rest"):
                draft.report(LINE_NOT_CARRIED, "the repos argument is not carried over", source=source,
                             hint="set r.repository")  # fmt: skip
            continue
        if m := _INSTALL_PACKAGES.match(line):
            args = m.group("args")
            head, _, rest = args.partition("repos")
            names = _STRING.findall(head) if head.lstrip().startswith(("c(", '"', "'")) else []
            if not names:
                draft.report(LINE_NOT_CARRIED, "an install.packages call specc cannot read", source=source,
                             hint="list the packages under r.packages")  # fmt: skip
                continue
            for name in names:
                draft.add(("r", "packages"), name, source=source)
            if rest:
                repo = _STRING.search(rest)
                if repo and repo.group(1).startswith(("http://", "https://")):
                    draft.set(("r", "repository"), repo.group(1).rstrip("/"), source=source)
            continue
        draft.report(
            LINE_NOT_CARRIED,
            f"R code is not carried over: {line[:60]}",
            source=source,
            hint="list the packages it installs under r.packages (GitHub packages: build a source package and "
            "list it under r.sources)",
        )


def _description(path: Path, draft: Draft) -> None:
    """``Depends:``/``Imports:`` of an R DESCRIPTION file (Debian control format: a field's
    value continues on lines that start with whitespace)."""
    from specc.importers.requirements import display

    shown = display(path, draft.root)
    text = _text(path, draft)
    if text is None:
        return
    field: str | None = None
    for n, raw in lines_of(text):
        if raw[:1] not in (" ", "\t"):
            key, sep, value = raw.partition(":")
            field = key.strip() if sep else None
        else:
            value = raw
        if field not in ("Depends", "Imports"):
            continue
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            name = item.split("(")[0].strip()
            source = f"{shown}:{n}"
            if name in _R_BASE:
                continue
            if not _R_NAME.match(name):
                draft.report(LINE_NOT_CARRIED, f'"{item[:60]}" is not an R package name', source=source)
                continue
            draft.add(("r", "packages"), name, source=source)
            if "(" in item:
                draft.report(
                    LINE_NOT_CARRIED,
                    f"the version constraint of {item} is not carried over (r.packages pins exact versions)",
                    source=source,
                    hint=f'write {{ name = "{name}", version = "..." }}, or use a dated r.repository snapshot',
                )


IMPORTER = _Importer()
