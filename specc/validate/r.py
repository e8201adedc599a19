"""``[r]``: R packages from a CRAN-like repository, and private source packages."""

from __future__ import annotations

import re
from pathlib import Path

from specc.diagnostics import Origin, TomlPath
from specc.spec import R_NAME, R_VERSION, FileRef, R, RInput, RPkg
from specc.validate.context import Context

# what `R CMD build` names a source package: <package>_<version>.tar.gz
_SOURCE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9.]*_[0-9]+([.-][0-9]+)+\.tar\.gz")


def validate(ctx: Context, sec: RInput | None) -> R:
    sec = sec if sec is not None else RInput()
    repository = None
    if sec.repository is not None:
        repository = ctx.url(("r", "repository"), sec.repository, what="R repository")
        if repository is not None:
            ctx.record(("r", "repository"), Origin(("r", "repository")))
    pkgs: dict[str, tuple[RPkg, TomlPath]] = {}
    for path, item in ctx.inp.enumerate(("r", "packages"), sec.packages):
        if isinstance(item, str):
            if "=" in item:  # "name==1.0" or "name=1.0": R pins live in the table form
                n, _, v = item.replace("==", "=").partition("=")
                ctx.error(
                    "SPC112",
                    path,
                    f'invalid R package name "{item}"',
                    f'pin R versions in table form: {{ name = "{n.strip()}", version = "{v.strip()}" }}',
                )
                continue
            name, version, repo, name_path = item, None, None, path
        else:
            name, version, repo, name_path = item.name, item.version, item.repository, (*path, "name")
        ok = ctx.check(R_NAME, name_path, name)
        if version is not None:
            ok = ctx.check(R_VERSION, (*path, "version"), version) and ok
        if repo is not None:
            repo = ctx.url((*path, "repository"), repo, what="R repository")
            ok = ok and repo is not None
        if not ok:
            continue
        pkg = RPkg(name=name, version=version, repository=repo)
        prev = pkgs.get(name)
        if prev is not None and prev[0] != pkg:
            if prev[0].version and version and prev[0].version != version:
                ctx.error(
                    "SPC201",
                    path,
                    f"conflicting versions of R package {name}: {prev[0].version} and {version}",
                    "keep one",
                )
                continue
            pkg = RPkg(name=name, version=version or prev[0].version, repository=repo or prev[0].repository)
        pkgs[name] = (pkg, prev[1] if prev is not None else path)
    sources = _sources(ctx, sec)
    packages = []
    for k, name in enumerate(sorted(pkgs)):
        pkg, where = pkgs[name]
        ctx.record(("r", "packages", k), Origin(where))
        packages.append(pkg)
    return R(repository=repository, packages=tuple(packages), sources=sources)


def _sources(ctx: Context, sec: RInput) -> tuple[FileRef, ...]:
    refs = ctx.files("r", "sources", sec.sources, (".tar.gz",), "an R source package (.tar.gz)")
    for k, ref in enumerate(refs):
        name = Path(ref.path).name
        if not _SOURCE_NAME.fullmatch(name):
            ctx.error(
                "SPC208",
                ctx.origins[("r", "sources", k)].path,
                f"{name!r} is not named like an R source package",
                "R CMD build names them <package>_<version>.tar.gz, e.g. churnr_0.3.0.tar.gz",
            )
    return refs
