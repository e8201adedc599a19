"""``[maven]``: JVM artifacts by coordinates, and private jars."""

from __future__ import annotations

from specc.diagnostics import Origin, TomlPath
from specc.spec import MAVEN_COORDINATES, MAVEN_EXCLUSION, Maven, MavenInput, MavenPkg
from specc.validate.context import Context


def validate(ctx: Context, sec: MavenInput | None) -> Maven:
    sec = sec if sec is not None else MavenInput()
    repository = None
    if sec.repository is not None:
        repository = ctx.url(("maven", "repository"), sec.repository, what="Maven repository")
        if repository is not None:
            ctx.record(("maven", "repository"), Origin(("maven", "repository")))
    # group:artifact[:packaging[:classifier]] → (package, its entry)
    pkgs: dict[str, tuple[MavenPkg, TomlPath]] = {}
    for path, item in ctx.inp.enumerate(("maven", "packages"), sec.packages):
        if isinstance(item, str):
            coords, excl, repo, cpath = item, [], None, path
        else:
            coords, excl, repo, cpath = item.coordinates, item.exclusions, item.repository, (*path, "coordinates")
        ok = ctx.check(MAVEN_COORDINATES, cpath, coords)
        exclusions: list[str] = []
        for j, ex in enumerate(excl):
            if not ctx.check(MAVEN_EXCLUSION, (*path, "exclusions", j), ex):
                ok = False
            elif ex not in exclusions:
                exclusions.append(ex)
        if repo is not None:
            repo = ctx.url((*path, "repository"), repo, what="Maven repository")
            ok = ok and repo is not None
        if not ok:
            continue
        pkg = MavenPkg(coordinates=coords, exclusions=tuple(sorted(exclusions)), repository=repo)
        ident = pkg.coords.ident
        prev = pkgs.get(ident)
        if prev is not None:
            if prev[0].version != pkg.version:
                ctx.error(
                    "SPC201",
                    cpath,
                    f"conflicting versions of {ident}: {prev[0].version} and {pkg.version}",
                    "keep one version of each artifact",
                )
                continue
            # the same artifact twice: exclude only what both entries exclude
            both = (
                sorted(set(prev[0].exclusions) & set(pkg.exclusions)) if prev[0].exclusions and pkg.exclusions else []
            )
            pkg = MavenPkg(coordinates=coords, exclusions=tuple(both), repository=pkg.repository or prev[0].repository)
            path = prev[1]
        pkgs[ident] = (pkg, path)
    jars = ctx.files("maven", "jars", sec.jars, (".jar",), "a jar")
    ordered = sorted(pkgs.values(), key=lambda t: t[0].coordinates)
    for k, (_pkg, where) in enumerate(ordered):
        ctx.record(("maven", "packages", k), Origin(where))
    return Maven(repository=repository, packages=tuple(p for p, _ in ordered), jars=jars)
