"""``spec-version`` and ``[model]``."""

from __future__ import annotations

from specc.diagnostics import Origin
from specc.spec import MODEL_NAME, Model, ModelInput, slug
from specc.validate.context import Context


def validate_version(ctx: Context, version: int | None) -> None:
    """Only version 1 exists; a newer file needs a newer specc."""
    if version is not None and version != 1:
        ctx.error(
            "SPC106",
            ("spec-version",),
            f"unsupported spec-version {version}; this specc reads version 1",
            "write spec-version = 1, or upgrade specc" if version > 1 else "write spec-version = 1",
        )


def validate(ctx: Context, sec: ModelInput | None) -> Model | None:
    """The model's name; default: the spec folder's name, made valid."""
    name = sec.name if sec is not None else None
    if name is None:
        return Model(name=slug(ctx.base.name))
    if not ctx.check(MODEL_NAME, ("model", "name"), name):
        return None
    ctx.record(("model", "name"), Origin(("model", "name")))
    return Model(name=name)
