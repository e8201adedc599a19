"""``[apt]``: Debian/Ubuntu packages and private .deb files."""

from __future__ import annotations

from specc.diagnostics import Origin, TomlPath
from specc.spec import APT_NAME, APT_VERSION, Apt, AptInput, AptPkg
from specc.validate.context import Context


def validate(ctx: Context, sec: AptInput | None) -> Apt:
    sec = sec if sec is not None else AptInput()
    by_name: dict[str, tuple[AptPkg, TomlPath]] = {}
    for path, item in ctx.inp.enumerate(("apt", "packages"), sec.packages):
        if isinstance(item, str):  # "name" or "name=version"
            name, eq, version = item.partition("=")
            pkg_version = version if eq else None
            name_path = version_path = path
        else:
            name, pkg_version = item.name, item.version
            name_path, version_path = (*path, "name"), (*path, "version")
        ok = ctx.check(APT_NAME, name_path, name)
        if pkg_version is not None:
            ok = ctx.check(APT_VERSION, version_path, pkg_version) and ok
        if not ok:
            continue
        pkg = AptPkg(name=name, version=pkg_version)
        prev = by_name.get(name)
        if prev is not None and prev[0] != pkg:
            if prev[0].version and pkg.version:
                ctx.error(
                    "SPC201",
                    path,
                    f"conflicting versions of apt package {name}: {prev[0].version} and {pkg.version}",
                    "keep one",
                )
                continue
            if not pkg.version:  # a bare name adds nothing to a pinned one
                continue
            by_name[name] = (pkg, prev[1])
            continue
        if prev is None:
            by_name[name] = (pkg, path)
    debs = ctx.files("apt", "debs", sec.debs, (".deb",), "a Debian package (.deb)")
    packages = []
    for k, name in enumerate(sorted(by_name)):
        pkg, where = by_name[name]
        ctx.record(("apt", "packages", k), Origin(where))
        packages.append(pkg)
    return Apt(packages=tuple(packages), debs=debs)
