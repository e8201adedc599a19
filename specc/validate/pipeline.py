"""One validation run: shape, then each section, then the rules on the normalized spec."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from specc.diagnostics import Diagnostic
from specc.document import Document
from specc.hashing import compute_hashes
from specc.paths import repository_root
from specc.spec import EnvSpec, Model, slug
from specc.validate import (
    KEY_CODES,
    Result,
    apt,
    artifacts,
    code,
    cross,
    env,
    locate,
    maven,
    mlflow,
    model,
    python,
    r,
    runtime,
    secrets,
    targets,
)
from specc.validate.context import Context
from specc.validate.shape import typed_input


def run(doc: Document, wanted: Iterable[str] | None) -> Result:
    """See :func:`specc.validate.validate_document`."""
    # relative paths in the spec are relative to its folder (text without a file: the cwd)
    base = (doc.path.parent if doc.path else Path.cwd()).resolve()
    inp, shape_diagnostics = typed_input(doc.data)
    if doc.path is not None and "spec-version" not in doc.data:  # another tool's TOML (pixi.toml...)?
        foreign = _not_a_spec(doc, shape_diagnostics)
        if foreign is not None:  # one error saying what the file is: its keys are not a spec's
            from specc.diagnostics import mask_ranges
            from specc.validate.credentials import credential_ranges

            shown = {doc.source.name: mask_ranges(doc.source.text, credential_ranges(doc))}
            return Result(None, [doc.locate(foreign, key=False)], shown, doc, {})
    ctx = Context(doc=doc, base=base, root=repository_root(base), inp=inp)
    ctx.diagnostics.extend(shape_diagnostics)
    ctx.secret_names = secrets.declared(doc.data.get("secrets"))

    model.validate_version(ctx, inp.spec_version)
    the_model = model.validate(ctx, inp.model)
    the_runtime = runtime.validate(ctx, inp.runtime)
    the_secrets = secrets.validate(ctx, inp.secrets)
    the_python = python.validate(ctx, inp.python)
    the_code, code_hashes = code.validate(ctx, inp.code)
    the_apt = apt.validate(ctx, inp.apt)
    the_maven = maven.validate(ctx, inp.maven)
    the_r = r.validate(ctx, inp.r)
    the_env = env.validate(ctx, inp.env)
    the_artifacts, artifact_hashes = artifacts.validate(ctx, inp.artifacts)
    the_mlflow = mlflow.validate(ctx, inp.mlflow)
    the_targets = targets.validate(ctx, inp.targets, the_model)

    # diagnostics so far carry TOML paths; the rules below see normalized values
    located = [doc.locate(d, key=d.code in KEY_CODES) for d in ctx.diagnostics]
    normalized: list[Diagnostic] = cross.validate(the_runtime)

    # A bad [model] or [runtime] must not hide the other sections' problems (every problem is
    # reported in one run): the targets' checks run against stand-ins for the parts that are
    # wrong, and what they say about those parts is dropped (it was reported, or is about a
    # value nobody wrote).  The stand-in spec is never returned: the spec has errors.
    stand_in_model, stand_in_runtime = the_model is None, the_runtime is None
    skip_targets: set[str] = set()
    unsure: frozenset[str] = frozenset()
    if the_model is None and inp.model is not None:
        the_model = Model(name=slug(base.name))
    if the_runtime is None:
        the_runtime, unsure = runtime.stand_in(inp.runtime)
        written = doc.data.get("runtime")
        # runtime.databricks written but unusable: that target's checks need it
        unresolved = the_runtime is not None and the_runtime.databricks is None
        if unresolved and isinstance(written, dict) and "databricks" in written:
            skip_targets.add("databricks")

    spec = None
    if the_model is not None and the_runtime is not None:
        hashes = compute_hashes(the_runtime, the_python, the_apt, the_maven, the_r, code_hashes, artifact_hashes)
        spec = EnvSpec(
            spec_version=1,
            model=the_model,
            runtime=the_runtime,
            python=the_python,
            code=the_code,
            apt=the_apt,
            maven=the_maven,
            r=the_r,
            env=the_env,
            secrets=the_secrets,
            artifacts=the_artifacts,
            mlflow=the_mlflow,
            targets=the_targets,
            hashes=hashes,
        )
        spec._origins = ctx.origins
        if doc.path is not None:
            spec._base_dir = str(base)
            spec._spec_path = str(doc.path.resolve())
        from specc import backends

        chosen = backends.implied_targets(spec) if wanted is None else tuple(wanted)
        normalized += backends.check_capabilities(spec, [t for t in chosen if t not in skip_targets])
        dropped = {"model"} if stand_in_model else set()
        if stand_in_runtime:
            dropped.add("runtime")
        normalized = [d for d in normalized if not (d.path and d.path[0] in dropped) and d.code not in unsure]

    located += locate(normalized, ctx.origins, doc)
    # excerpts never show a pasted secret or a credential in [env] (only those characters)
    from specc.diagnostics import mask_ranges
    from specc.validate.credentials import credential_ranges

    sources = {doc.source.name: mask_ranges(doc.source.text, credential_ranges(doc)), **ctx.sources}
    if any(d.severity == "error" for d in located):
        spec = None
    return Result(spec, located, sources, doc, ctx.origins)


def _not_a_spec(doc: Document, diagnostics: list[Diagnostic]) -> Diagnostic | None:
    """For a file another kind's importer recognizes (a pixi.toml, a pylock.toml): its missing
    ``spec-version`` error saying what the file is and how to convert it, alone (every other
    key of such a file is "unknown" too, which is noise); None for anything else."""
    from dataclasses import replace

    from specc.importers import not_a_spec_hint

    assert doc.path is not None
    hint = not_a_spec_hint(doc.path, doc.source.name)
    if hint is None:
        return None
    for d in diagnostics:
        if d.code == "SPC104" and "`spec-version`" in d.message:
            return replace(d, hint=hint)
    return None
