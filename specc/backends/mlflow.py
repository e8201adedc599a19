"""``specc compile`` (= ``specc render --target mlflow``): MLflow ``log_model`` arguments and files.

The compile itself is :func:`specc.mlflow.compile_mlflow` (pure; also used next to MLflow by
``specc.mlflow.log_model_kwargs``); this module makes it a target like the others: options
with their flags, a capability table, and a :class:`~specc.backends.base.Rendered` written by
the one writer (with ``specc-provenance.json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from specc.backends.base import (
    REQUIREMENT_FIELDS,
    CapabilityTable,
    Facts,
    Ignored,
    Mark,
    Rendered,
    RenderOptions,
    Supported,
    Unsupported,
    Use,
    answer_all,
    check_table,
    flag,
    narrow,
)
from specc.backends.shared import file_name
from specc.diagnostics import Diagnostic

if TYPE_CHECKING:
    from specc.lockfile import LockFile
    from specc.mlflow import MlflowArgs
    from specc.spec import EnvSpec

TARGET = "mlflow"
#: specc's own folder in the model (specc.envartifact.BUNDLE_DIR; not imported: pydantic models)
BUNDLE_DIR = "specc-environment"


@dataclass(frozen=True)
class MlflowOptions(RenderOptions):
    """Options of ``specc compile`` / ``specc render --target mlflow``."""

    flavor: str | None = field(
        default=None,
        metadata=flag("--flavor", "the mlflow.<flavor> you log with (default: [mlflow] flavor; none means pyfunc)"),
    )
    locked: LockFile | None = field(
        default=None,
        metadata=flag(
            "--locked", "pin every package exactly from model-env.lock; fail if it is missing or stale", kind="lock"
        ),
    )


def _code_name_clash(_spec: EnvSpec, _facts: Facts, use: Use) -> bool:
    return bool(use.values["other"])


def _code_name_is_ours(_spec: EnvSpec, _facts: Facts, use: Use) -> bool:
    return bool(use.values["name"] == BUNDLE_DIR)


_CARRIED = Supported("carried in specc-environment.json for the other targets")

#: What an MLflow model expresses.  Everything the spec says travels in specc-environment.json,
#: so the only thing MLflow cannot hold is two files at one code/<name>.
CAPABILITIES: CapabilityTable = {
    **answer_all(Supported(), "spec-version", "model", "model.name", "runtime", "runtime.python"),
    **answer_all(_CARRIED, "runtime.databricks", "runtime.cuda", "runtime.overrides"),
    **answer_all(
        Supported("requirements.txt, conda.yaml, log_model pip_requirements"),
        "python",
        "python.requirements",
        *(f"python.requirements.{k}" for k in REQUIREMENT_FIELDS),
        "python.requirements-files",
        "python.requirements-files.path",
        "python.requirements-files.sha256",
        "python.constraints",
        *(f"python.constraints.{k}" for k in REQUIREMENT_FIELDS),
        "python.wheels",
        "python.wheels.path",
        "python.wheels.sha256",
        "python.index-url",
        "python.extra-index-urls",
        "python.index-url:credentials",
        "python.extra-index-urls:credentials",
        "python.requirements:url-credentials",
        "python.index-url:control-characters",
        "python.extra-index-urls:control-characters",
        "python.requirements:control-characters",
        "python.wheels:same-name",
    ),
    **answer_all(Supported("code_paths"), "code", "code.paths", "code.paths.path"),
    "code.paths:file-names": (
        Unsupported(
            "SPC310",
            "error",
            "{source} would be copied to code/{name} in the model, colliding with {other}",
            "MLflow keeps only the last part of a code path; rename one of them",
            when=_code_name_clash,
        ),
        Unsupported(
            "SPC310",
            "error",
            "{source} would be copied to code/{name} in the model, the folder specc's own environment files use",
            f"MLflow keeps only the last part of a code path; rename it (anything but {BUNDLE_DIR!r})",
            when=_code_name_is_ours,
        ),
    ),
    **answer_all(
        _CARRIED,
        "apt",
        "apt.packages",
        "apt.packages.name",
        "apt.packages.version",
        "apt.debs",
        "apt.debs.path",
        "apt.debs.sha256",
        "apt.debs:same-name",
        "maven",
        "maven.repository",
        "maven.packages",
        "maven.packages.coordinates",
        "maven.packages.exclusions",
        "maven.packages.repository",
        "maven.packages:authenticated-repository",
        "maven.repository:control-characters",
        "maven.jars",
        "maven.jars.path",
        "maven.jars.sha256",
        "maven.jars:same-name",
        "r",
        "r.repository",
        "r.packages",
        "r.packages.name",
        "r.packages.version",
        "r.packages.repository",
        "r.packages:authenticated-repository",
        "r.repository:control-characters",
        "r.sources",
        "r.sources.path",
        "r.sources.sha256",
        "r.sources:same-name",
        "env",
        "env:control-characters",
        "secrets",
        "secrets.description",
        "secrets.databricks",
        "secrets.docker",
        "secrets.databricks:unset",
        "apt.packages:version-pin",
        "r:standard-access-mode",
        "env:dollar",
        "env:installer-option",
        "secrets:installer-option",
        "env:target-owned",
        "secrets:target-owned",
        "env:shell-quoting",
        "secrets.docker:same-id",
        "secrets:not-in-urls",
    ),
    **answer_all(Supported("log_model artifacts (pyfunc) or the code folder"), "artifacts", "artifacts.path"),
    "artifacts:reserved-name": Unsupported(
        "SPC311",
        "error",
        "artifact {name} would be replaced: specc logs its own files under that MLflow artifacts key",
        "rename the artifact (any key but specc_environment and specc_private_packages)",
    ),
    **answer_all(Supported(), "mlflow", "mlflow.pip", "mlflow.flavor"),
    "targets": _CARRIED,
    "targets.docker": Ignored("options of the Docker target (carried in specc-environment.json)"),
    "targets.databricks": Ignored("options of the Databricks target (carried in specc-environment.json)"),
}


class MlflowBackend:
    """The MLflow target: ``specc compile``."""

    name = TARGET
    options_type = MlflowOptions
    capabilities = CAPABILITIES

    def facts(self, spec: EnvSpec, options: RenderOptions | None = None) -> Facts:
        return Facts()

    def render(self, spec: EnvSpec, options: RenderOptions) -> Rendered:
        return render(spec, options)


BACKEND = MlflowBackend()


def render(spec: EnvSpec, options: RenderOptions | None = None) -> Rendered:
    """Compile ``spec`` for MLflow: the files of ``specc compile --out`` (``log_model.json`` holds
    the keyword arguments), copies of the code, wheels, artifacts and private packages."""
    from specc.mlflow import compile_mlflow

    opts: MlflowOptions = narrow(options, MlflowOptions)
    if opts.flavor is not None:
        unknown = _unknown_flavor(opts.flavor)
        if unknown is not None:
            return Rendered(diagnostics=[unknown])
    args = compile_mlflow(spec, opts.flavor, locked=opts.locked)
    out = rendered_from_args(spec, args)
    out.marks = _marks(spec)
    # specc-environment.json (at the top and in the bundle) is the normalized spec itself
    rule = "specc-environment.json: the normalized spec"
    out.spec_documents = {name: rule for name in out.files if name.rsplit("/", 1)[-1] == "specc-environment.json"}
    return out


def _unknown_flavor(flavor: str) -> Diagnostic | None:
    """``--flavor`` follows the rule of ``[mlflow] flavor`` (SPC133): an MLflow flavor module."""
    from specc.validate import flavors

    if flavor in flavors.KNOWN:
        return None
    close = flavors.suggestions(flavor)
    return Diagnostic.error(
        "SPC133",
        message=f'--flavor "{flavor}" is no MLflow flavor',
        hint=("did you mean " + " or ".join(f'"{c}"' for c in close) + "? " if close else "")
        + 'name the module you log with, e.g. "sklearn" for mlflow.sklearn (docs/format.md lists them)',
    )


def rendered_from_args(spec: EnvSpec, args: MlflowArgs) -> Rendered:
    """The :class:`Rendered` of a compile: files as bytes, copies as paths under the spec's folder."""
    out = Rendered(diagnostics=list(args.diagnostics))
    out.meta = {"flavor": args.flavor, "layout": args.layout}
    out.note = f"{args.mode} mode, {args.layout} layout"
    if any(d.severity == "error" for d in out.diagnostics):
        return out
    base = Path(spec.base_dir) if spec.base_dir else None
    for rel, text in args.files.items():
        out.files[rel] = text.encode("utf-8")
    for rel, src in args.copies.items():
        if base is None:
            raise ValueError("the spec was not loaded from a file; its local paths cannot be resolved")
        out.files[rel] = base / src
    return out


def diagnostics(spec: EnvSpec) -> list[Diagnostic]:
    """The capability table over ``spec`` (what compile_mlflow reports)."""
    return check_table(CAPABILITIES, spec, Facts())


def _marks(spec: EnvSpec) -> list[Mark]:
    py = spec.python
    marks: list[Mark] = [
        Mark(r.line, ("python", "requirements", i), "pip requirement") for i, r in enumerate(py.requirements)
    ]
    marks += [Mark(c.line, ("python", "constraints", i), "pip constraint") for i, c in enumerate(py.constraints)]
    if py.index_url:
        marks.append(Mark(py.index_url, ("python", "index-url"), "pip index"))
    marks += [Mark(u, ("python", "extra-index-urls", i), "pip extra index") for i, u in enumerate(py.extra_index_urls)]
    marks += [
        Mark(f"code/{file_name(w.path)}", ("python", "wheels", i), "code path: wheel") for i, w in enumerate(py.wheels)
    ]
    marks += [
        Mark(f"code/{file_name(c.path)}", ("code", "paths", i), "code path") for i, c in enumerate(spec.code.paths)
    ]
    marks += [
        Mark(f"artifacts/{k}/{file_name(a.path)}", ("artifacts", k), "model artifact")
        for k, a in spec.artifacts.items()
    ]
    marks.append(Mark(f"python={spec.runtime.python}", ("runtime", "python"), "Python version"))
    # python_env.yaml's `python: "3.11"` (a JSON string: the YAML scalar specc.mlflow writes)
    marks.append(Mark(f"python: {json.dumps(spec.runtime.python)}", ("runtime", "python"), "Python version"))
    marks += [Mark(d.path, ("apt", "debs", i), "specc-environment: private .deb") for i, d in enumerate(spec.apt.debs)]
    marks += [
        Mark(j.path, ("maven", "jars", i), "specc-environment: private jar") for i, j in enumerate(spec.maven.jars)
    ]
    marks += [
        Mark(r.path, ("r", "sources", i), "specc-environment: private R source") for i, r in enumerate(spec.r.sources)
    ]
    return marks
