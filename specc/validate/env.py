"""``[env]``: plain, non-secret environment variables."""

from __future__ import annotations

from specc.diagnostics import Origin, env_value_is_credential
from specc.spec import ENV_NAME
from specc.validate.context import Context


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
        if env_value_is_credential(name, value):
            ctx.warning(
                "SPC404",
                path,
                f"`{name}` looks like a credential, and [env] values are written in clear text",
                f"declare it as a secret instead: [secrets.{name}]",
            )
        out[name] = value
        ctx.record(path, Origin(path))
    return dict(sorted(out.items()))
