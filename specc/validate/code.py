"""``[code]``: local files and folders shipped with the model (MLflow code_paths)."""

from __future__ import annotations

from specc.diagnostics import Origin, TomlPath
from specc.paths import PathProblem, resolve_path
from specc.spec import Code, CodeInput, PathRef
from specc.validate.context import Context


def validate(ctx: Context, sec: CodeInput | None) -> tuple[Code, dict[str, str]]:
    """The code paths, sorted, and the content hash of each (for the code hash)."""
    found: dict[str, TomlPath] = {}  # relative path → its entry
    by_name: dict[str, TomlPath] = {}
    hashes: dict[str, str] = {}
    for path, item in ctx.inp.enumerate(("code", "paths"), sec.paths if sec is not None else []):
        raw, raw_path = (item, path) if isinstance(item, str) else (item.path, (*path, "path"))
        res = resolve_path(raw, ctx.base, ctx.root, "any")
        if isinstance(res, PathProblem):
            ctx.error(res.code, raw_path, res.message, res.hint)
            continue
        if res.rel in found:
            continue
        name = res.abs.name
        if name in by_name:
            # MLflow copies every code path to code/<basename>
            ctx.error(
                "SPC206",
                raw_path,
                f"two code paths named `{name}`",
                f"MLflow copies both to code/{name}, so one would replace the other; rename one",
            )
            continue
        digest = ctx.tree(raw_path, raw, res, what="code")
        if digest is None:
            continue
        by_name[name] = raw_path
        found[res.rel] = path
        hashes[res.rel] = digest
    refs = []
    for k, rel in enumerate(sorted(found)):
        ctx.record(("code", "paths", k), Origin(found[rel]))
        refs.append(PathRef(path=rel))
    return Code(paths=tuple(refs)), hashes
