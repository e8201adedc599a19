"""``[artifacts]``: extra files and folders logged with the model."""

from __future__ import annotations

from typing import Any

from specc.diagnostics import Origin
from specc.paths import PathProblem, resolve_path
from specc.spec import ARTIFACT_NAME, PathRef
from specc.validate.context import Context


def validate(ctx: Context, artifacts: dict[str, Any]) -> tuple[dict[str, PathRef], dict[str, str]]:
    """The artifacts by name, and the content hash of each (for the artifacts hash)."""
    out: dict[str, PathRef] = {}
    hashes: dict[str, str] = {}
    for key, item in artifacts.items():
        path = ("artifacts", key)
        if not ctx.check(ARTIFACT_NAME, path, key):
            continue
        raw, raw_path = (item, path) if isinstance(item, str) else (item.path, (*path, "path"))
        res = resolve_path(raw, ctx.base, ctx.root, "any")
        if isinstance(res, PathProblem):
            ctx.error(res.code, raw_path, res.message, res.hint)
            continue
        digest = ctx.tree(raw_path, raw, res, what="an artifact")
        if digest is None:
            continue
        out[key] = PathRef(path=res.rel)
        hashes[key] = digest
        ctx.record(path, Origin(path))
    return dict(sorted(out.items())), hashes
