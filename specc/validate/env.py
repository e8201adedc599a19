"""``[env]``: plain, non-secret environment variables."""

from __future__ import annotations

import re

from specc.diagnostics import Origin, looks_like_credential
from specc.spec import ENV_NAME
from specc.urls import PLACEHOLDER_RE
from specc.validate.context import Context

# names that usually hold a credential: their values belong in [secrets]
SECRETISH = re.compile(r"(TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)")


def validate(ctx: Context, env: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in env.items():
        path = ("env", name)
        if not ctx.check(ENV_NAME, path, name):
            continue
        if name in ctx.secret_names:
            ctx.error(
                "SPC404",
                path,
                f"`{name}` is both a plain env var and a secret",
                "secrets reach the environment through each target's secret mechanism; remove it from [env]",
            )
            continue
        if value and not PLACEHOLDER_RE.fullmatch(value) and (SECRETISH.search(name) or looks_like_credential(value)):
            ctx.warning(
                "SPC404",
                path,
                f"`{name}` looks like a credential, and [env] values are written in clear text",
                f"declare it as a secret instead: [secrets.{name}]",
            )
        out[name] = value
        ctx.record(path, Origin(path))
    return dict(sorted(out.items()))
