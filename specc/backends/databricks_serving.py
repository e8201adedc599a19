"""Databricks Model Serving: ``serving-endpoint.json`` and the bundle's ``model_serving_endpoints``.

Rendered by the Databricks target (:func:`specc.backends.databricks.render`) when the spec has a
``[targets.databricks.serving]`` section:

* ``serving-endpoint.json``: the body of ``POST /api/2.0/serving-endpoints``.  The SDK has no
  request type for the whole body: its top-level keys are parameters of
  ``ServingEndpointsAPI.create`` and ``config`` is a ``serving.EndpointCoreConfigInput`` (without
  ``name``: the create body names the endpoint at the top, and ``PUT
  /api/2.0/serving-endpoints/{name}/config``, which updates an existing endpoint, takes the
  ``config`` object as its whole body).
* ``resources.model_serving_endpoints.<key>`` in ``bundle.yml``: the same endpoint.

One served entity: the registered model (``--model-name`` / ``--model-version``, else the
``models:/<name>/<version>`` given to ``--from-model``, else ``model.name`` version 1), its
workload size and type, scale to zero, and ``environment_vars`` holding the spec's ``[env]`` and
every secret with a Databricks mapping as ``{{secrets/<scope>/<key>}}`` (the form the
``ServedEntityInput.environment_vars`` docstring shows).

An endpoint builds its environment from the model's own logged requirements (what ``specc
compile`` wrote): it installs Python packages only, runs no init script ("Init scripts are not
supported", docs.databricks.com machine-learning/model-serving/model-serving-limits), and cannot
expand a ``${NAME}`` placeholder in an index URL (``environment_vars`` reach the running model, not the
environment build).  :data:`CAPABILITIES` says so; the Databricks target merges it into its own
table (:func:`merge_tables`), so ``specc validate`` reports it whenever the section is present.
Private packages reach an endpoint by the two routes Databricks documents
(docs.databricks.com/aws/en/machine-learning/model-serving/private-libraries-model-serving):
the workspace's default Python package repositories, or wheels logged with the model
(``python.wheels``, which ``specc compile`` ships as ``code/<wheel>``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from specc.backends.base import (
    REQUIREMENT_FIELDS,
    CapabilityTable,
    Facts,
    Ignored,
    Mark,
    Support,
    Supported,
    Unsupported,
    Use,
    answer_all,
    rules,
)
from specc.spec import endpoint_name

if TYPE_CHECKING:
    from specc.diagnostics import Diagnostic
    from specc.spec import EnvSpec

ENDPOINT_FILE = "serving-endpoint.json"

# Diagnostic codes (docs/databricks.md, "Model Serving").
SERVING_CANNOT_INSTALL = "SPC340"
SERVING_INDEX_CREDENTIALS = "SPC341"
SERVING_MODEL_VERSION = "SPC342"
REGISTERED_MODEL_NAME = "SPC360"
SERVING_CPU_FOR_GPU = "SPC343"


# --- capabilities ---------------------------------------------------------------------------------


def _serving(spec: EnvSpec, _facts: Facts, _use: Use) -> bool:
    return spec.targets.databricks.serving is not None


def _cpu_for_gpu(spec: EnvSpec, _facts: Facts, _use: Use) -> bool:
    serving = spec.targets.databricks.serving
    return serving is not None and spec.runtime.cuda is not None and serving.workload_type.startswith("CPU")


_FIX = (
    "serve this model from the Docker image instead (specc render --target docker), or drop "
    "[targets.databricks.serving]"
)


def _cannot(what: str) -> Unsupported:
    return Unsupported(
        SERVING_CANNOT_INSTALL,
        "error",
        "a Databricks Model Serving endpoint installs only the model's Python requirements and runs no init "
        "script, so it cannot install " + what,
        _FIX,
        when=_serving,
    )


_CREDENTIALS = Unsupported(
    SERVING_INDEX_CREDENTIALS,
    "error",
    "Model Serving cannot expand the ${{NAME}} credentials in this URL: the endpoint builds its environment from "
    "the model's requirements, and environment_vars reach only the running model",
    "have a workspace admin configure the private index as the workspace's default Python package repository "
    "(Settings > Compute > Default Package Repositories; endpoints use it) and remove the URL from the spec, "
    "or ship the private packages as wheels in python.wheels (logged with the model)",
    when=_serving,
)

_S = Supported()


#: What a Model Serving endpoint can install (SPC34x), consulted only when the spec has a
#: serving section.  Keys: specc.backends.features; every feature is answered.
CAPABILITIES: CapabilityTable = {
    **answer_all(_S, "spec-version", "model", "model.name", "runtime", "runtime.python", "runtime.databricks"),
    "runtime.cuda": Supported("a GPU workload type"),
    **answer_all(
        Supported("the model's logged requirements"),
        "python",
        "python.requirements",
        *(f"python.requirements.{k}" for k in REQUIREMENT_FIELDS),
        "python.requirements-files",
        "python.requirements-files.path",
        "python.requirements-files.sha256",
        "python.constraints",
        *(f"python.constraints.{k}" for k in REQUIREMENT_FIELDS),
        "python.index-url",
        "python.extra-index-urls",
        "python.index-url:control-characters",
        "python.extra-index-urls:control-characters",
        "python.requirements:control-characters",
    ),
    **answer_all(
        Supported("wheels logged with the model (code/<wheel>)"),
        "python.wheels",
        "python.wheels.path",
        "python.wheels.sha256",
        "python.wheels:same-name",
    ),
    "python.index-url:credentials": _CREDENTIALS,
    "python.extra-index-urls:credentials": _CREDENTIALS,
    "python.requirements:url-credentials": _CREDENTIALS,
    **answer_all(Supported("travels inside the logged model"), "code", "code.paths", "code.paths.path"),
    "code.paths:file-names": Supported("the MLflow target's table checks it"),
    "apt": _S,
    **answer_all(
        _S, "apt.packages.name", "apt.packages.version", "apt.debs.path", "apt.debs.sha256", "apt.debs:same-name"
    ),
    "apt.packages": _cannot("apt packages"),
    "apt.debs": _cannot(".deb packages"),
    **answer_all(
        _S,
        "maven",
        "maven.repository",
        "maven.packages.coordinates",
        "maven.packages.exclusions",
        "maven.packages.repository",
        "maven.packages:authenticated-repository",
        "maven.repository:control-characters",
        "maven.jars.path",
        "maven.jars.sha256",
        "maven.jars:same-name",
    ),
    "maven.packages": _cannot("Maven packages"),
    "maven.jars": _cannot("jars"),
    **answer_all(
        _S,
        "r",
        "r.repository",
        "r.packages.name",
        "r.packages.version",
        "r.packages.repository",
        "r.packages:authenticated-repository",
        "r.repository:control-characters",
        "r.sources.path",
        "r.sources.sha256",
        "r.sources:same-name",
    ),
    "r.packages": _cannot("R packages"),
    "r.sources": _cannot("R source packages"),
    **answer_all(Supported("environment_vars"), "env", "env:control-characters"),
    **answer_all(
        Supported("{{secrets/scope/key}} in environment_vars"),
        "secrets",
        "secrets.databricks",
        "secrets.description",
        "secrets.databricks:unset",
    ),
    "secrets.docker": Ignored("the Docker mapping of a secret"),
    # the workspace's cluster rules: an endpoint has no access mode, init script or installer of
    # the spec's (apt and R are SPC340 above); the Databricks target's own table still applies
    "r:standard-access-mode": Supported("no cluster access mode on an endpoint"),
    "runtime.overrides": Supported("an acknowledgement about the runtime's packages; an endpoint installs the model's"),
    "apt.packages:version-pin": Supported("apt is refused on an endpoint (SPC340)"),
    "env:dollar": Supported("environment_vars; the Databricks table decides about $"),
    **answer_all(
        Supported("an endpoint runs none of the installers the spec configures"),
        "env:installer-option",
        "secrets:installer-option",
    ),
    **answer_all(
        Supported("environment_vars; the Databricks table decides about names and values"),
        "env:target-owned",
        "secrets:target-owned",
        "env:shell-quoting",
        "secrets:not-in-urls",
    ),
    "artifacts": Ignored("MLflow artifacts travel inside the logged model"),
    "mlflow": Ignored("how specc compile fills log_model"),
    "targets": _S,
    "targets.docker": Ignored("options of the Docker target"),
    **answer_all(
        Ignored("the batch-scoring job's options"),
        "targets.databricks.libraries-dir",
        "targets.databricks.init-script",
        "targets.databricks.notebook-dir",
        "targets.databricks.requirements-library",
        "targets.databricks.cluster",
        "targets.databricks.cluster.node-type:unset",
    ),
    **answer_all(
        _S,
        "targets.databricks",
        "targets.databricks.serving",
        "targets.databricks.serving.endpoint-name",
        "targets.databricks.serving.workload-size",
        "targets.databricks.serving.scale-to-zero",
        "targets.databricks.serving.route-optimized",
    ),
    "targets.databricks.serving.workload-type": Unsupported(
        SERVING_CPU_FOR_GPU,
        "warning",
        "a CPU workload type for a model whose spec sets runtime.cuda: the endpoint has no GPU",
        'use a GPU workload type, e.g. workload-type = "GPU_SMALL", or drop the setting',
        when=_cpu_for_gpu,
    ),
}


def merge_tables(first: CapabilityTable, second: CapabilityTable) -> CapabilityTable:
    """One table answering like both: a feature's rules are ``first``'s then ``second``'s; a
    feature neither restricts keeps ``first``'s answer (``second``'s if ``first`` has none)."""
    out: dict[str, Support] = {}
    for key in [*first, *(k for k in second if k not in first)]:
        a, b = first.get(key), second.get(key)
        both = (rules(a) if a is not None else ()) + (rules(b) if b is not None else ())
        if len(both) > 1:
            out[key] = both
        elif both:
            out[key] = both[0]
        else:
            out[key] = a if a is not None else b  # type: ignore[assignment]
    return out


# --- the registered model -------------------------------------------------------------------------

_MODELS_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:/(?P<version>[^/]+)|@[^/]+)?/?$")


def registered_model(
    spec: EnvSpec, model_name: str | None, model_version: str | None, model_uri: str | None
) -> tuple[str, str]:
    """The served ``(entity_name, entity_version)``: the flags, else a ``models:/<name>/<version>``
    URI the spec was read from (``--from-model``), else ``model.name`` and version ``"1"`` (the
    batch job's default ``models:/<name>/1`` too).  A UC name stays three-level as given."""
    uri_name = uri_version = None
    m = _MODELS_URI.match(model_uri or "")
    if m:
        uri_name = m.group("name")
        uri_version = m.group("version") if m.group("version") and m.group("version").isdigit() else None
    name = model_name or uri_name or spec.model.name
    version = model_version or (uri_version if not model_name or model_name == uri_name else None) or "1"
    return name, version


def diagnostics_for_options(name: str | None, version: str | None) -> list[Diagnostic]:
    """What the render options alone get wrong (the table cannot see flags): ``--model-name``
    must be a registered-model name (:func:`model_name_problems`) and ``--model-version`` a
    registered version number (a served entity takes no alias or stage; versions start at 1).
    Both name the model the serving endpoint serves and the batch job scores."""
    from specc.diagnostics import Diagnostic

    out = [
        (Diagnostic.error if severity == "error" else Diagnostic.warning)(
            REGISTERED_MODEL_NAME, message=message, hint=hint
        )
        for severity, message, hint in model_name_problems(name)
    ]
    if version is not None and not (version.isdigit() and int(version) >= 1):
        out.append(
            Diagnostic.error(
                SERVING_MODEL_VERSION,
                message=f'--model-version "{version}" is not a model version number: '
                "the endpoint and the job name one registered version",
                path=("targets", "databricks", "serving"),
                hint="give the registered version, e.g. --model-version 3",
            )
        )
    return out


#: Unity Catalog object names: at most 255 characters; no period, space, forward slash, ASCII
#: control character (00-1F) or DELETE (7F) (docs.databricks.com/aws/en/sql/language-manual/
#: sql-ref-names, "limitations for all object names in Unity Catalog").  A UC registered model
#: is named catalog.schema.model (three such names).
UC_NAME_MAX = 255
_UC_BAD = re.compile(r"[ ./\x00-\x1f\x7f]")


def model_name_problems(name: str | None) -> list[tuple[str, str, str]]:
    """``(severity, message, hint)`` for each problem of the registered-model name ``name``.

    Both registries (MLflow's ``_validate_model_name``): not empty, no ``/`` or ``:``.  A name
    with periods is a Unity Catalog name: exactly three parts (catalog.schema.model), each a
    valid UC object name (:data:`_UC_BAD`, :data:`UC_NAME_MAX`); with one period or more than
    two it is a warning (MLflow then looks it up in the workspace registry, which is rarely
    what a dotted name means).  A name without periods is a workspace-registry name.
    """
    if name is None:
        return []
    shown = repr(name)
    uc_hint = "write the Unity Catalog name as catalog.schema.model, e.g. --model-name main.ml.churn"
    if not name.strip():
        return [("error", "--model-name is empty", uc_hint)]
    if "/" in name or ":" in name:
        return [("error", f"--model-name {shown} contains '/' or ':', which no model registry allows", uc_hint)]
    if "." not in name:
        bad = [c for c in name if ord(c) < 0x20 or ord(c) == 0x7F]
        if bad:
            return [("error", f"--model-name {shown} contains a control character", uc_hint)]
        return []
    parts = name.split(".")
    out: list[tuple[str, str, str]] = []
    labels = ("catalog", "schema", "model") if len(parts) == 3 else tuple(f"part {k + 1}" for k in range(len(parts)))
    for label, part in zip(labels, parts, strict=True):
        if not part:
            out.append(("error", f"--model-name {shown} has an empty {label} name", uc_hint))
        elif (m := _UC_BAD.search(part)) is not None:
            what = "a space" if m.group() == " " else f"the character {m.group()!r}"
            out.append(("error", f"--model-name {shown}: the {label} name contains {what}", uc_hint))
        elif len(part) > UC_NAME_MAX:
            out.append(("error", f"--model-name {shown}: the {label} name is longer than 255 characters", uc_hint))
    if not out and len(parts) != 3:
        out.append(
            (
                "warning",
                f"--model-name {shown} has {len(parts)} parts, not catalog.schema.model: MLflow looks it up in "
                "the workspace model registry, not in Unity Catalog",
                uc_hint + "; a workspace-registry name has no periods",
            )
        )
    return out


# --- outputs ---------------------------------------------------------------------------------------


def endpoint_body(spec: EnvSpec, entity: tuple[str, str], env: Mapping[str, str]) -> dict[str, Any]:
    """The body of ``POST /api/2.0/serving-endpoints`` for the one served entity ``entity``
    (``(name, version)``), with ``env`` as its ``environment_vars`` (omitted when empty)."""
    serving = spec.targets.databricks.serving
    assert serving is not None, "only rendered for a spec with a serving section"
    name, version = entity
    served: dict[str, Any] = {
        "name": endpoint_name(f"{name}-{version}"),  # the default (name-version) would keep a UC name's dots
        "entity_name": name,
        "entity_version": version,
        "workload_size": serving.workload_size,
        "workload_type": serving.workload_type,
        "scale_to_zero_enabled": serving.scale_to_zero,
    }
    if env:
        served["environment_vars"] = dict(sorted(env.items()))
    body: dict[str, Any] = {
        "name": serving.endpoint_name or endpoint_name(name),
        "config": {"served_entities": [served]},
        "tags": [{"key": "specc-model", "value": spec.model.name}],
    }
    if serving.route_optimized:
        body["route_optimized"] = True
    return body


def bundle_key(spec: EnvSpec) -> str:
    """The resource key of the endpoint in bundle.yml (beside the job's ``<model>_batch_score``)."""
    return re.sub(r"[^a-z0-9_]", "_", spec.model.name.lower()) + "_serving"


def marks(spec: EnvSpec, body: Mapping[str, Any]) -> list[Mark]:
    """What the serving section's entries put into the outputs (the env and secret marks are the
    target's own, shared with spark_env_vars)."""
    serving = spec.targets.databricks.serving
    if serving is None:
        return []
    path = ("targets", "databricks", "serving")
    rule = "serving endpoint"
    out: list[Mark] = [Mark(str(body["name"]), (*path, "endpoint-name"), rule)] if serving.endpoint_name else []
    out.append(Mark(serving.workload_size, (*path, "workload-size"), rule))
    out.append(Mark(serving.workload_type, (*path, "workload-type"), rule))
    return out
