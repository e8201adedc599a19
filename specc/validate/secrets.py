"""``[secrets]``: secrets by reference (a name, and where each target finds the value)."""

from __future__ import annotations

from typing import Any

from specc.diagnostics import Origin
from specc.spec import DATABRICKS_SECRET, DOCKER_SECRET, SECRET_NAME, Secret, SecretInput
from specc.validate.context import Context


def declared(raw: Any) -> frozenset[str]:
    """The secret names a spec declares, even those whose table has a type error: a URL that
    names one is not also told the secret is undeclared."""
    return frozenset(k for k in raw if isinstance(k, str)) if isinstance(raw, dict) else frozenset()


def validate(ctx: Context, secrets: dict[str, SecretInput]) -> dict[str, Secret]:
    out: dict[str, Secret] = {}
    for name, body in secrets.items():
        path = ("secrets", name)
        ok = ctx.check(SECRET_NAME, path, name)
        if body.databricks is not None:
            ok = ctx.check(DATABRICKS_SECRET, (*path, "databricks"), body.databricks) and ok
        if body.docker is not None:
            ok = ctx.check(DOCKER_SECRET, (*path, "docker"), body.docker) and ok
        if not ok:
            continue
        out[name] = Secret(
            description=body.description,
            databricks=body.databricks,
            docker=body.docker if body.docker is not None else name.lower(),
        )
        ctx.record(path, Origin(path))
    return dict(sorted(out.items()))
