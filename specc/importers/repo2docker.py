"""The ``repo2docker`` importer: a Binder / repo2docker folder.

repo2docker reads its configuration from ``binder/`` or ``.binder/`` when one exists (then the
root's files are ignored), else from the folder's root
(https://repo2docker.readthedocs.io/en/latest/usage.html#where-to-put-configuration-files and
https://repo2docker.readthedocs.io/en/latest/config_files.html).  What goes where:

- ``runtime.txt``: ``python-3.11`` → ``runtime.python``; ``r-4.3-2024-06-03`` (or
  ``r-2024-06-03``) → ``r.repository``, the Posit Package Manager CRAN snapshot of that date
  (the snapshot repo2docker installs R packages from); other lines SPC721;
- ``requirements.txt`` → the pip converter; ``environment.yml`` → the conda importer;
- ``apt.txt``: one Ubuntu/Debian package name per line → ``apt.packages`` (names Debian policy
  allows, ``[a-z0-9][a-z0-9+.-]+``, optionally ``=version``; others SPC721);
- ``install.R``: ``install.packages("x")`` / ``install.packages(c("x", "y"))`` →
  ``r.packages``, ``remotes::install_version("x", "1.2")`` (or ``version =``) → a pinned
  ``{ name, version }``; any other line SPC721 (``install_github``, arbitrary R code);
- ``DESCRIPTION``: the package names of ``Depends:``/``Imports:`` → ``r.packages`` (R itself and
  the base packages skipped; version constraints reported);
- ``postBuild``, ``start``, ``Dockerfile``, ``setup.py``, ``Pipfile``, ``Pipfile.lock``,
  ``pyproject.toml``, ``Project.toml``, ``REQUIRE``, ``default.nix``: not carried (SPC720).
"""

from __future__ import annotations

import re
from pathlib import Path

from specc.importers.base import Draft, lines_of

FILE_NOT_CARRIED = "SPC720"
LINE_NOT_CARRIED = "SPC721"
CONFIG_DIRS = ("binder", ".binder")
_KNOWN = ("runtime.txt", "requirements.txt", "environment.yml", "apt.txt", "install.R", "DESCRIPTION")
_NOT_CARRIED = {
    "postBuild": "a script run at build time; put what it installs in the spec, or run it in your own image",
    "start": "a script run before the server starts; set [env] values in the spec, run the rest yourself",
    "Dockerfile": "repo2docker then ignores every other file; port its RUN steps to the spec's sections",
    "setup.py": "build your package into a wheel and list it under python.wheels, or list it under code.paths",
    "Pipfile": "export it as requirements (pipenv requirements > requirements.txt) and import that",
    "Pipfile.lock": "export it as requirements (pipenv requirements > requirements.txt) and import that",
    "pyproject.toml": "build your package into a wheel and list it under python.wheels",
    "Project.toml": "Julia environments are not part of model-env.toml",
    "REQUIRE": "Julia environments are not part of model-env.toml",
    "default.nix": "Nix environments are not part of model-env.toml",
}
_APT_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$")
_R_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]$")
_R_BASE = frozenset(
    {"R", "base", "compiler", "datasets", "graphics", "grDevices", "grid", "methods", "parallel", "splines",
     "stats", "stats4", "tcltk", "tools", "utils"}
)  # fmt: skip
PPM_CRAN = "https://packagemanager.posit.co/cran"


def config_dir(folder: Path) -> Path:
    """Where repo2docker reads the configuration: ``binder/``, ``.binder/`` or the folder."""
    for name in CONFIG_DIRS:
        if (folder / name).is_dir():
            return folder / name
    return folder


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
    """Fill ``draft`` from the repo2docker configuration of ``folder``."""
    from specc.importers.requirements import display

    config = config_dir(folder)
    if config != folder:
        ignored = sorted(n for n in (*_KNOWN, *_NOT_CARRIED) if (folder / n).is_file())
        for name in ignored:
            draft.report(
                FILE_NOT_CARRIED,
                f"{name} in the folder's root is ignored: repo2docker reads {display(config, draft.root)}/ instead",
                source=name,
            )
    for name, hint in _NOT_CARRIED.items():
        if (config / name).is_file():
            draft.report(
                FILE_NOT_CARRIED, f"{name} is not carried over", source=display(config / name, draft.root), hint=hint
            )
    runtime = config / "runtime.txt"
    if runtime.is_file():
        _runtime(runtime, draft)
    env = next((config / n for n in ("environment.yml", "environment.yaml") if (config / n).is_file()), None)
    if env is not None:
        from specc.importers.conda import read_environment

        read_environment(env, draft)
    if (config / "requirements.txt").is_file():
        from specc.importers.requirements import read_requirements_file

        read_requirements_file(config / "requirements.txt", draft, root=draft.root)
    if (config / "apt.txt").is_file():
        _apt(config / "apt.txt", draft)
    if (config / "install.R").is_file():
        _install_r(config / "install.R", draft)
    if (config / "DESCRIPTION").is_file():
        _description(config / "DESCRIPTION", draft)


def _text(path: Path, draft: Draft) -> str | None:
    from specc.importers.requirements import display

    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        draft.report(
            LINE_NOT_CARRIED, f"cannot read {display(path, draft.root)}: {exc}", source=display(path, draft.root)
        )
        return None


def _runtime(path: Path, draft: Draft) -> None:
    from specc.importers.requirements import display

    shown = display(path, draft.root)
    text = _text(path, draft)
    if text is None:
        return
    for n, raw in lines_of(text):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        source = f"{shown}:{n}"
        if m := re.fullmatch(r"python-(\d+)\.(\d+)(?:\.\d+)?", line):
            draft.set(("runtime", "python"), f"{m.group(1)}.{m.group(2)}", source=source)
        elif m := re.fullmatch(r"r-(?:(\d+\.\d+(?:\.\d+)?)-)?(\d{4}-\d{2}-\d{2})", line):
            draft.set(("r", "repository"), f"{PPM_CRAN}/{m.group(2)}", source=source)
            if m.group(1):
                draft.report(
                    LINE_NOT_CARRIED,
                    f"R version {m.group(1)} is not carried over: each target installs its base's R",
                    source=source,
                )
        else:
            draft.report(LINE_NOT_CARRIED, f'runtime "{line[:60]}" is not carried over', source=source,
                         hint='write python-3.11 or r-<YYYY-MM-DD>')  # fmt: skip


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


def _install_r(path: Path, draft: Draft) -> None:
    from specc.importers.requirements import display

    shown = display(path, draft.root)
    text = _text(path, draft)
    if text is None:
        return
    for n, raw in lines_of(text):
        line = re.sub(r"#.*$", "", raw).strip()
        if not line:
            continue
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
