"""``specc render --target databricks``: init script, Libraries API body, cluster/job specs, bundle.

One :class:`Plan` holds every decision (runtime, where each file is uploaded, which
dependency goes through the Libraries API and which through the init script); the
outputs are views of it, so they always agree on paths:

* ``init.sh``       cluster-scoped init script (``targets/databricks/init.sh.j2``)
* ``libraries.json``  body of ``POST /api/2.0/libraries/install``
* ``cluster.json``  a ``new_cluster`` (``compute.ClusterSpec``)
* ``job.json``      a Jobs API 2.1 batch-scoring job (``jobs.JobSettings``)
* ``score.py``      the job's notebook (``targets/databricks/score.py.j2``)
* ``bundle.yml``    the same job as Asset Bundle resources (and the serving endpoint)
* ``serving-endpoint.json``  with ``[targets.databricks.serving]``: the body of
  ``POST /api/2.0/serving-endpoints`` (:mod:`specc.backends.databricks_serving`)
* ``uploads.json``  every file to upload, with its remote path and sha256

Strategy per ecosystem (docs/databricks.md): the Libraries API wherever it can express a
dependency (public PyPI pins, Maven coordinates, unpinned CRAN, wheels, jars, a
``requirements`` file on DBR >= 15.0); the init script where it cannot: apt packages and
private debs, pip with an authenticated or multi-index setup or with constraints (one pip
call so constraints and wheels resolve together), pinned CRAN versions and private R
sources.  Databricks resolves Maven in its control plane without credentials, so an
authenticated Maven repository is an error (terraform-provider-databricks
``docs/resources/library.md``; terraform issue #503).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specc import __version__
from specc.backends import databricks_serving as serving
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
from specc.backends.shared import PLACEHOLDER, file_name, index_lines, pip_urls, requirement_lines, secret_names
from specc.diagnostics import Diagnostic, TomlPath
from specc.output import JsonFragment, dump_json
from specc.quoting import shquote
from specc.runtimes import RuntimeInfo, get_runtime, known_runtimes, resolve_runtime
from specc.spec import EnvSpec, FileRef

if TYPE_CHECKING:
    from specc.lockfile import LockFile

TARGET = "databricks"


@dataclass(frozen=True)
class DatabricksOptions(RenderOptions):
    """Options of ``specc render --target databricks``."""

    cluster_id: str | None = field(
        default=None, metadata=flag("--cluster-id", "the cluster_id of the Libraries API body")
    )
    locked: LockFile | None = field(
        default=None, metadata=flag("--locked", "use exact pins from model-env.lock; fail if it is stale", kind="lock")
    )
    model_name: str | None = field(
        default=None,
        metadata=flag(
            "--model-name", "the registered model the serving endpoint serves (catalog.schema.model in Unity Catalog)"
        ),
    )
    model_version: str | None = field(
        default=None, metadata=flag("--model-version", "the registered model version the serving endpoint serves")
    )


#: Where the job's notebook (or serverless task file) goes when ``libraries-dir`` is not a
#: workspace folder: notebooks run from the workspace, never from a volume.  Nothing the init
#: script runs or reads is put here: every workspace user has Can Manage on ``/Workspace/Shared``
#: (docs.databricks.com/aws/en/security/auth/access-control), and the init script runs as root,
#: so ``libraries-dir`` is required whenever a file must be uploaded (SPC359).
DEFAULT_LIBRARIES_DIR = "/Workspace/Shared/specc"
CLUSTER_ID_PLACEHOLDER = "<cluster-id>"
JOB_CLUSTER_KEY = "scoring"
TASK_KEY = "score"
ENVIRONMENT_KEY = "default"
#: The environment switch that asks init.sh to copy private jars onto the JVM classpath.
JARS_SWITCH = "SPECC_JARS_TO_CLASSPATH"
#: Set on the scoring job's cluster: init.sh then leaves the Python packages to the notebook's
#: %pip of the model's own requirements (one install path per job, docs/databricks.md).
PYTHON_BY_NOTEBOOK = "SPECC_PYTHON_BY_NOTEBOOK"
#: Library types that install Python packages: the scoring job leaves them to the notebook.
PYTHON_LIBRARY_TYPES = frozenset({"pypi", "whl", "requirements", "egg"})
DEFAULT_CRAN = "https://cloud.r-project.org"

# Diagnostic codes of this target (docs/databricks.md lists them).
SERVERLESS_NO_INIT = "SPC301"
RUNTIME_DEFAULTED = "SPC320"
MAVEN_AUTH = "SPC321"
REQUIREMENTS_NEEDS_15 = "SPC322"
SERVERLESS_CANNOT = "SPC323"
NO_NODE_TYPE = "SPC324"
SECRET_UNMAPPED = "SPC325"
DUPLICATE_UPLOAD = "SPC326"
REQUIREMENTS_LIBRARY_IGNORED = "SPC327"
MODEL_RUNTIME_UNKNOWN = "SPC328"
# The workspace's rules (docs/diagnostics.md#databricks-workspace-rules, each with its source).
STANDARD_MODE_RUNTIME = "SPC350"
STANDARD_MODE_R = "SPC351"
VOLUME_PATH_SHAPE = "SPC352"
VOLUMES_NEED_13_3 = "SPC353"
NODE_TYPE_RUNTIME = "SPC354"
INIT_OUTSIDE_VOLUMES = "SPC355"
APT_PIN_UBUNTU = "SPC356"
STANDARD_MODE_ALLOWLIST = "SPC357"
ENV_EXPANDED = "SPC358"
LIBRARIES_DIR_REQUIRED = "SPC359"
NOTEBOOK_SHARED = "SPC361"
INSTALLER_NAME = "SPC407"
TARGET_OWNED = "SPC408"
CONTROL_CHARACTER = "SPC334"


# --- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """One file to upload: ``local`` (relative to the output folder) → ``remote``."""

    kind: str
    local: str
    remote: str
    sha256: str
    source: Path | None = None  # a file to copy into the output folder; None for generated files

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "local": self.local, "remote": self.remote, "sha256": self.sha256}


@dataclass
class Plan:
    runtime: RuntimeInfo | None
    spark_version: str
    libraries_dir: str
    base: str  # <libraries_dir>/<model>
    init_remote: str
    task_remote: str  # the notebook (classic) or Python file (serverless) the job runs
    python_mode: str  # "none" | "api" | "requirements" | "init" | "serverless"
    uploads: dict[str, Upload] = field(default_factory=dict)  # by kind:name
    libraries: list[dict[str, Any]] = field(default_factory=list)
    # the final libraries, encoded once by render for the three documents that hold them
    libraries_json: JsonFragment | None = None
    generated: dict[str, bytes] = field(default_factory=dict)
    locked: LockFile | None = (
        None  # a fresh model-env.lock (render --locked): exact pins, hashes where pip reads a file
    )
    # the job's default model_uri: the same registered model the serving endpoint serves
    # (--model-name/--model-version, a models:/ URI given to --from-model, else models:/<model>/1)
    model_uri: str = ""

    @property
    def serverless(self) -> bool:
        return self.runtime is not None and self.runtime.serverless

    def remote(self, kind: str) -> list[str]:
        return [u.remote for u in self.uploads.values() if u.kind == kind]


def render(spec: EnvSpec, options: RenderOptions | None = None) -> Rendered:
    """Render the Databricks deployment files for ``spec`` (pure, deterministic).

    Diagnostics: the capability table's (the ones ``specc validate`` reports too, with the
    runtime resolution's); files only when none is an error.
    """
    opts: DatabricksOptions = narrow(options, DatabricksOptions)
    facts = BACKEND.facts(spec, opts)
    out = Rendered(diagnostics=check_table(BACKEND.capabilities, spec, facts))
    # the registered model the endpoint serves and the batch job scores
    out.diagnostics += serving.diagnostics_for_options(opts.model_name, opts.model_version)
    if any(d.severity == "error" for d in out.diagnostics):
        return out
    plan = make_plan(spec, opts, facts.runtime)
    # libraries.json, job.json and bundle.yml each hold the library list (100,000 entries at
    # scale): encoded once here and spliced into each by dump_json
    plan.libraries_json = JsonFragment(plan.libraries)
    files: dict[str, bytes | Path] = {}
    if not plan.serverless:
        init = render_init_script(spec, plan).encode("utf-8")
        files["init.sh"] = init
        out.modes["init.sh"] = 0o755
        plan.uploads["init-script"] = Upload("init-script", "init.sh", plan.init_remote, _sha(init))
    if plan.serverless:
        score = render_score_script(spec, plan).encode("utf-8")
        plan.uploads["python-file"] = Upload("python-file", "score.py", plan.task_remote, _sha(score))
    else:
        score = render_score_notebook(spec, plan).encode("utf-8")
        plan.uploads["notebook"] = Upload("notebook", "score.py", plan.task_remote, _sha(score))
    files["score.py"] = score
    files.update(plan.generated)
    for up in plan.uploads.values():
        if up.source is not None:
            files[up.local] = up.source
    if not plan.serverless:
        files["libraries.json"] = dump_json(libraries_body(plan, opts)).encode("utf-8")
        files["cluster.json"] = dump_json(cluster_spec(spec, plan)).encode("utf-8")
    job = job_settings(spec, plan, task_path=plan.task_remote)
    files["job.json"] = dump_json(job).encode("utf-8")
    endpoint = _endpoint(spec, opts)
    if endpoint is not None:
        files[serving.ENDPOINT_FILE] = dump_json(endpoint).encode("utf-8")
    files["bundle.yml"] = bundle_text(spec, plan, endpoint).encode("utf-8")
    uploads = sorted((u.as_dict() for u in plan.uploads.values()), key=lambda u: (u["remote"], u["kind"]))
    files["uploads.json"] = dump_json(uploads).encode("utf-8")
    out.files = files
    out.marks = _marks(spec, plan) + (serving.marks(spec, endpoint) if endpoint is not None else [])
    return out


def _endpoint(spec: EnvSpec, opts: DatabricksOptions) -> dict[str, Any] | None:
    """The Model Serving endpoint (specc.backends.databricks_serving); None without a serving section."""
    if spec.targets.databricks.serving is None:
        return None
    entity = serving.registered_model(spec, opts.model_name, opts.model_version, opts.model_uri)
    return serving.endpoint_body(spec, entity, spark_env_vars(spec))


def make_plan(spec: EnvSpec, options: DatabricksOptions, runtime: RuntimeInfo | None) -> Plan:
    """Every decision of the render for ``runtime`` (:meth:`DatabricksBackend.facts`)."""
    dbx = spec.targets.databricks
    libdir = (dbx.libraries_dir or DEFAULT_LIBRARIES_DIR).rstrip("/")
    name = spec.model.name
    base = f"{libdir}/{name}"
    init_remote = dbx.init_script or f"{libdir}/init/{name}.sh"
    # Notebooks and task files run from the workspace, not from a volume: notebook-dir, else a
    # /Workspace libraries-dir, else the shared folder (SPC361 warns: every user can change it).
    if dbx.notebook_dir:
        ws_base = f"{dbx.notebook_dir}/{name}"
    else:
        ws_base = base if libdir.startswith("/Workspace/") else f"{DEFAULT_LIBRARIES_DIR}/{name}"
    serverless = runtime is not None and runtime.serverless
    task_remote = f"{ws_base}/score.py" if serverless else f"{ws_base}/score"
    plan = Plan(
        runtime=runtime,
        spark_version=runtime.key if runtime is not None else "",
        libraries_dir=libdir,
        base=base,
        init_remote=init_remote,
        task_remote=task_remote,
        python_mode="none",
        locked=options.locked,
        model_uri="models:/{}/{}".format(
            *serving.registered_model(spec, options.model_name, options.model_version, options.model_uri)
        ),
    )
    _plan_files(spec, plan)
    _plan_python(spec, plan)
    _plan_maven(spec, plan)
    _plan_r(spec, plan)
    if plan.serverless:
        plan.libraries.clear()  # a serverless job takes an environment, not libraries
    return plan


# --- capabilities --------------------------------------------------------------------------------


def _serverless(_spec: EnvSpec, facts: Facts, _use: Use) -> bool:
    return facts.serverless


def _serverless_runtime_secret(spec: EnvSpec, facts: Facts, use: Use) -> bool:
    """A serverless job and a mapped secret no index URL names (those are SPC301's)."""
    return facts.serverless and str(use.path[1]) not in secret_names(pip_urls(spec.python))


def _notebook_in_shared(spec: EnvSpec, _facts: Facts, _use: Use) -> bool:
    """The job's notebook would fall back to the shared folder (a volume libraries-dir, no notebook-dir)."""
    dbx = spec.targets.databricks
    libdir = dbx.libraries_dir or ""
    return bool(libdir) and not libdir.startswith("/Workspace/") and not dbx.notebook_dir


def _classic(_spec: EnvSpec, facts: Facts, _use: Use) -> bool:
    return not facts.serverless


def _python_by_init(spec: EnvSpec, facts: Facts, _use: Use | None = None) -> bool:
    """The init script installs the Python packages (:func:`python_init_reasons`)."""
    py = spec.python
    return not facts.serverless and bool(py.requirements or py.wheels) and bool(python_init_reasons(spec))


def _requirements_library_before_15(spec: EnvSpec, facts: Facts, _use: Use) -> bool:
    rt = facts.runtime
    mode = spec.python.requirements and not facts.serverless and not python_init_reasons(spec)
    return bool(mode) and rt is not None and _version_tuple(rt.version) < (15, 0)


def _secret_for_pip(spec: EnvSpec, facts: Facts, use: Use) -> bool:
    return _python_by_init(spec, facts) and use.values["name"] in init_secret_names(spec)


def _secret_not_for_pip(spec: EnvSpec, facts: Facts, use: Use) -> bool:
    return not _secret_for_pip(spec, facts, use)


def _runtime_is(kind: str) -> Callable[[EnvSpec, Facts, Use], bool]:
    """The resolved classic runtime is a GPU ML runtime ("gpu"), a CPU ML one ("cpu-ml") or
    not a GPU one ("not-gpu")."""

    def when(_spec: EnvSpec, facts: Facts, _use: Use) -> bool:
        rt = facts.runtime
        if rt is None or rt.serverless:
            return False
        return {"gpu": rt.gpu, "cpu-ml": rt.ml and not rt.gpu, "not-gpu": not rt.gpu}[kind]

    return when


def _node_mismatch(want: str, runtime_kind: str) -> Callable[[EnvSpec, Facts, Use], bool]:
    is_runtime = _runtime_is(runtime_kind)
    return lambda spec, facts, use: use.values["kind"] == want and is_runtime(spec, facts, use)


def _volumes_before_13_3(_spec: EnvSpec, facts: Facts, _use: Use) -> bool:
    rt = facts.runtime
    return rt is not None and not rt.serverless and _version_tuple(rt.version) < (13, 3)


def init_reads_uploads(spec: EnvSpec) -> bool:
    """Whether init.sh reads files uploaded to libraries-dir (debs, R sources, jars it may copy,
    or the requirements/constraints/wheels of its pip step)."""
    if spec.apt.debs or spec.r.sources or spec.maven.jars:
        return True
    py = spec.python
    return bool(python_init_reasons(spec)) and bool(py.requirements or py.wheels)


def _init_reads_volume_files(spec: EnvSpec, facts: Facts, _use: Use) -> bool:
    return not facts.serverless and init_reads_uploads(spec)


def _uploads_files(spec: EnvSpec, facts: Facts, _use: Use) -> bool:
    """The render uploads a file besides the job's notebook / task file: always the init script
    on a classic runtime (unless init-script names one), and any requirements file, wheel, jar,
    deb or R source."""
    if not facts.serverless and spec.targets.databricks.init_script is None:
        return True
    plan = make_plan(spec, DatabricksOptions(), facts.runtime)
    return bool(plan.uploads)


def _apt_pin_on_classic(_spec: EnvSpec, facts: Facts, _use: Use) -> bool:
    # specc cannot know which versions the runtime's Ubuntu archive has (a Debian version such
    # as bookworm's 2.42.2-7 is usually not there), so every pin is a reminder to check it
    return not facts.serverless


def _standard_with_artifacts(spec: EnvSpec, facts: Facts, _use: Use) -> bool:
    return not facts.serverless  # a classic cluster always has specc's init script


def _group(*groups: str, when: Callable[[EnvSpec, Facts, Use], bool] | None = None) -> Callable[..., bool]:
    def check(spec: EnvSpec, facts: Facts, use: Use) -> bool:
        if facts.serverless or use.values["group"] not in groups:
            return False
        return when is None or when(spec, facts, use)

    return check


def _installs(group: str) -> Callable[[EnvSpec, Facts, Use], bool]:
    """The init script runs this installer on the cluster."""

    def when(spec: EnvSpec, facts: Facts, _use: Use) -> bool:
        if group == "pip":
            return _python_by_init(spec, facts)
        if group == "r":
            return bool(spec.r.packages or spec.r.sources)
        if group == "apt":
            return bool(spec.apt.packages or spec.apt.debs)
        return group == "jvm"  # Spark's own JVMs, on every cluster

    return when


def _not(cond: Callable[[EnvSpec, Facts, Use], bool]) -> Callable[[EnvSpec, Facts, Use], bool]:
    return lambda spec, facts, use: not cond(spec, facts, use)


_INSTALLER_MESSAGE = (
    "{name} is read by {tool}: spark_env_vars reach the init script and every process on the cluster, "
    "so the value reconfigures it (and a bad value is printed in its error)"
)
_INSTALLER_HINT = "rename it (and every ${{{name}}} placeholder naming it) to a name no tool reads, e.g. MY_{name}"


def _installer_rules(section: str) -> tuple[Unsupported, ...]:
    def error_when(spec: EnvSpec, facts: Facts, use: Use) -> bool:
        return _installs(use.values["group"])(spec, facts, use)

    return (
        Unsupported(
            INSTALLER_NAME,
            "error",
            _INSTALLER_MESSAGE,
            _INSTALLER_HINT,
            when=_group("pip", "r", "apt", "jvm", when=error_when),
        ),
        Unsupported(
            INSTALLER_NAME,
            "warning",
            "{name} is read by {tool}, which may run on the cluster (%pip, MLflow's environment managers "
            "restoring a model's environment)",
            _INSTALLER_HINT,
            when=_group("pip", "uv", "virtualenv", "r", "apt", when=_not(error_when)),
        ),
    )


_SERVERLESS_HINT = 'use a classic runtime, e.g. databricks = "15.4-ml"'


def _exported(section: str) -> Callable[[EnvSpec, Facts, Use], bool]:
    """The entry is in spark_env_vars: every [env] entry, a secret with a Databricks mapping."""

    def when(spec: EnvSpec, facts: Facts, use: Use) -> bool:
        if facts.serverless:
            return False  # no spark_env_vars at all (SPC323)
        return section == "env" or spec.secrets[use.values["name"]].databricks is not None

    return when


def _owned_by(section: str, *groups: str) -> Callable[[EnvSpec, Facts, Use], bool]:
    exported = _exported(section)
    return lambda spec, facts, use: use.values["group"] in groups and exported(spec, facts, use)


_OWNED_HINT = (
    "rename it (and every ${{{name}}} placeholder naming it) to a name the platform does not set, e.g. MY_{name}"
)


def _owned_rules(section: str) -> tuple[Unsupported, ...]:
    """SPC408 (specc.backends.owned): what spark_env_vars would replace on the cluster."""
    return (
        Unsupported(
            TARGET_OWNED,
            "error",
            "{name} is set by {owner}: spark_env_vars would replace it on every node (the cluster runs Python "
            "from its own virtualenv, with PySpark on PYTHONPATH), breaking the runtime",
            "remove it; a folder reaches sys.path through [code] paths, packages through [python]",
            when=_owned_by(section, "python"),
        ),
        Unsupported(
            TARGET_OWNED,
            "error",
            "{name} is set by {owner}: the value in spark_env_vars would replace what the cluster, its init "
            "scripts and specc's own init script read",
            _OWNED_HINT,
            when=_owned_by(section, "specc", "db"),
        ),
        Unsupported(
            TARGET_OWNED,
            "warning",
            "{name} is read by {owner}: spark_env_vars set it for every process on the cluster, the init "
            "script's installers and the Spark daemons included",
            "keep it only if every process should see it; else " + _OWNED_HINT,
            when=_owned_by(section, "loader", "databricks"),
        ),
    )


#: The classic runtime's [env] rules on values: spark_env_vars are exported by a shell from a
#: double-quoted word (SPC358), one variable per line (SPC334).
_ENV_VALUE_HINT = "remove the character from the value (ship text that needs it in a file with the code)"


def _serverless_cannot(what: str, at: TomlPath) -> Unsupported:
    return Unsupported(
        SERVERLESS_CANNOT,
        "error",
        "{runtime} is serverless: its environment cannot install " + what,
        _SERVERLESS_HINT,
        when=_serverless,
        at=at,
    )


def _no_init_scripts(what: str, hint: str, at: TomlPath | None = None) -> Unsupported:
    return Unsupported(
        SERVERLESS_NO_INIT,
        "error",
        "{runtime} is serverless, which runs no init scripts, so " + what,
        hint,
        when=_serverless,
        at=at,
    )


def _duplicate(folder: str, at: TomlPath) -> Unsupported:
    return Unsupported(
        DUPLICATE_UPLOAD,
        "error",
        "{first} and {this} would both be uploaded as {base}/" + folder + "/{name}",
        "rename one of them",
        at=at,
    )


_APT_SERVERLESS = _no_init_scripts(
    "apt packages cannot be installed", 'use a classic runtime (e.g. "15.4-ml") or drop the apt packages', ("apt",)
)
_INDEX_SERVERLESS = _no_init_scripts(
    "authenticated indexes cannot be used",
    "configure the workspace's default package repository instead, or use a classic runtime",
)

#: What the Databricks target expresses (SPC301, SPC32x).  Keys: specc.backends.features.
CAPABILITIES: CapabilityTable = {
    **answer_all(Supported(), "spec-version", "model", "model.name", "runtime", "runtime.python"),
    "runtime.databricks": Supported("spark_version; unset: the newest LTS ML runtime with the spec's Python (SPC320)"),
    "runtime.cuda": Supported("a gpu-ml runtime"),
    "runtime.overrides": Supported("acknowledged replacements of preinstalled packages: no SPC215 for them"),
    **answer_all(
        Supported("pypi libraries, a requirements library, or the init script's pip"),
        "python",
        "python.requirements",
        *(f"python.requirements.{k}" for k in REQUIREMENT_FIELDS),
        "python.requirements-files",
        "python.requirements-files.path",
        "python.requirements-files.sha256",
        "python.wheels",
        "python.wheels.path",
        "python.wheels.sha256",
        "python.index-url",
        "python.extra-index-urls",
        "python.requirements:url-credentials",
        *(f"python.constraints.{k}" for k in REQUIREMENT_FIELDS),
    ),
    "python.constraints": _serverless_cannot("pip constraints", ("python", "constraints")),
    "python.index-url:credentials": _INDEX_SERVERLESS,
    "python.extra-index-urls:credentials": _INDEX_SERVERLESS,
    **answer_all(
        Supported("values are JSON strings or shell-quoted words"),
        "python.index-url:control-characters",
        "python.extra-index-urls:control-characters",
        "python.requirements:control-characters",
        "maven.repository:control-characters",
        "r.repository:control-characters",
    ),
    "env:control-characters": Unsupported(
        CONTROL_CHARACTER,
        "error",
        "spark_env_vars cannot carry a line break or another control character: a NUL cannot be in any "
        "environment variable, and the cluster exports each variable on one line",
        _ENV_VALUE_HINT,
        when=_classic,
    ),
    "python.wheels:same-name": _duplicate("wheels", ("python", "wheels")),
    **answer_all(Supported("travels inside the logged model"), "code", "code.paths", "code.paths.path"),
    "code.paths:file-names": Supported("code is not uploaded separately"),
    **answer_all(Supported("the init script"), "apt", "apt.packages.name", "apt.packages.version", "apt.debs.path"),
    "apt.packages:version-pin": Unsupported(
        APT_PIN_UBUNTU,
        "warning",
        "{name}={version}: on Databricks apt installs from the runtime's Ubuntu{ubuntu} archive, whose "
        "versions are Ubuntu's, not Debian's; a version that archive lacks fails apt-get and the init script",
        "pin the version `apt-cache policy {name}` prints on that Ubuntu release, or drop the pin (a pin "
        "cannot suit both a Debian Docker base and Databricks)",
        when=_apt_pin_on_classic,
    ),
    "apt.debs.sha256": Supported("uploads.json"),
    "apt.packages": _APT_SERVERLESS,
    "apt.debs": _APT_SERVERLESS,
    "apt.debs:same-name": _duplicate("debs", ("apt", "debs")),
    **answer_all(
        Supported("maven libraries; jars as jar libraries"),
        "maven",
        "maven.repository",
        "maven.packages.coordinates",
        "maven.packages.exclusions",
        "maven.packages.repository",
        "maven.jars",
        "maven.jars.path",
        "maven.jars.sha256",
    ),
    "maven.packages": _serverless_cannot("Maven coordinates (serverless takes jars only)", ("maven", "packages")),
    "maven.packages:authenticated-repository": Unsupported(
        MAVEN_AUTH,
        "error",
        "{coordinates}: Databricks resolves Maven coordinates in its control plane, without credentials, so an "
        "authenticated repository cannot be used",
        "download the jar and ship it instead: list it in maven.jars (it becomes a `jar` library)",
    ),
    "maven.jars:same-name": _duplicate("jars", ("maven", "jars")),
    **answer_all(
        Supported("cran libraries; pinned versions and sources by the init script"),
        "r",
        "r.repository",
        "r.packages.name",
        "r.packages.version",
        "r.packages.repository",
        "r.sources.path",
        "r.sources.sha256",
    ),
    "r.packages": _serverless_cannot("R packages", ("r",)),
    "r:standard-access-mode": Unsupported(
        STANDARD_MODE_R,
        "error",
        "R packages on standard access mode ({mode}): Databricks does not support R there",
        'use dedicated access mode: data-security-mode = "SINGLE_USER"',
        when=_classic,
        at=("r",),
    ),
    "r.sources": _serverless_cannot("R packages", ("r",)),
    "r.packages:authenticated-repository": Supported("the repository URL is passed as written"),
    "r.sources:same-name": _duplicate("r", ("r", "sources")),
    "env": Unsupported(
        SERVERLESS_CANNOT,
        "error",
        "{runtime} is serverless: a serverless job gets no spark_env_vars (environment variables for serverless "
        "jobs are a Beta the Jobs API configures separately, from environment version 5), so [env] cannot reach "
        "the model",
        _SERVERLESS_HINT + ", or move the values into the model's code or configuration",
        when=_serverless,
        at=("env",),
    ),
    "env:shell-quoting": Unsupported(
        ENV_EXPANDED,
        "error",
        "[env] values are literal on every target, but Databricks exports spark_env_vars from a double-quoted "
        "shell word, where the shell interprets {chars} (a backtick runs a command, a backslash escapes the "
        "next character, a double quote ends the word), so {name} cannot be passed as written",
        _ENV_VALUE_HINT,
        when=_classic,
    ),
    "env:target-owned": _owned_rules("env"),
    "secrets:target-owned": _owned_rules("secrets"),
    "secrets:not-in-urls": Supported("spark_env_vars, when the secret has a Databricks mapping"),
    "env:dollar": Unsupported(
        ENV_EXPANDED,
        "error",
        "[env] values are literal on every target, but Databricks expands $VAR in spark_env_vars "
        "(as in $SPARK_DAEMON_JAVA_OPTS), so {name} cannot be passed as written",
        "remove the $ from the value (set what it refers to in the value itself)",
        when=_classic,
    ),
    "env:installer-option": _installer_rules("env"),
    "secrets:installer-option": _installer_rules("secrets"),
    **answer_all(Supported("{{secrets/scope/key}} in spark_env_vars"), "secrets", "secrets.description"),
    "secrets.databricks": Unsupported(
        SERVERLESS_CANNOT,
        "error",
        "{runtime} is serverless: a serverless job gets no spark_env_vars, so this secret cannot be exported to it",
        _SERVERLESS_HINT + ", or read it in the model's code: dbutils.secrets.get(scope, key)",
        when=_serverless_runtime_secret,
    ),
    "secrets.docker": Ignored("the Docker mapping of a secret"),
    "secrets.databricks:unset": (
        Unsupported(
            SECRET_UNMAPPED,
            "error",
            "secret {name} is needed by the init script's pip install but has no Databricks mapping",
            'add databricks = "<scope>/<key>" to [secrets.{name}]',
            when=_secret_for_pip,
        ),
        Unsupported(
            SECRET_UNMAPPED,
            "warning",
            "secret {name} has no Databricks mapping: it is not in spark_env_vars",
            'add databricks = "<scope>/<key>" to [secrets.{name}]',
            when=_secret_not_for_pip,
        ),
    ),
    "artifacts": Ignored("MLflow artifacts travel inside the logged model"),
    "mlflow": Ignored("how specc compile fills log_model"),
    "targets": Supported(),
    "targets.docker": Ignored("options of the Docker target"),
    **answer_all(
        Supported(),
        "targets.databricks",
        "targets.databricks.init-script",
        "targets.databricks.notebook-dir",
        "targets.databricks.cluster",
        "targets.databricks.cluster.autoscale",
        "targets.databricks.cluster.autoscale.min",
        "targets.databricks.cluster.autoscale.max",
        "targets.databricks.cluster.data-security-mode",
        "targets.databricks.cluster.node-type",
        "targets.databricks.cluster.workers",
    ),
    "targets.databricks.libraries-dir": Unsupported(
        NOTEBOOK_SHARED,
        "warning",
        "libraries-dir is a volume and notebook-dir is unset: the job's notebook goes to "
        f"{DEFAULT_LIBRARIES_DIR}/<model>, which every workspace user can change, and the job runs it as its owner",
        "set targets.databricks.notebook-dir to a workspace folder only your team can change, "
        'e.g. "/Workspace/Users/<you>/specc"',
        when=_notebook_in_shared,
    ),
    "targets.databricks.requirements-library": (
        Unsupported(
            REQUIREMENTS_NEEDS_15,
            "error",
            "a requirements library needs Databricks Runtime 15.0 or newer; {runtime} is older",
            "set requirements-library = false (one pypi library per requirement) or use DBR >= 15.0",
            when=_requirements_library_before_15,
        ),
        Unsupported(
            REQUIREMENTS_LIBRARY_IGNORED,
            "warning",
            "requirements-library is ignored: the init script installs the Python packages because of {reasons}",
            "set requirements-library = false to silence this",
            when=_python_by_init,
        ),
    ),
    "targets.databricks.cluster.data-security-mode:standard": (
        Unsupported(
            STANDARD_MODE_RUNTIME,
            "error",
            "{runtime} is a GPU ML runtime; standard access mode ({mode}) supports neither Databricks "
            "Runtime for ML nor GPU compute",
            'use dedicated access mode: data-security-mode = "SINGLE_USER"',
            when=_runtime_is("gpu"),
        ),
        Unsupported(
            STANDARD_MODE_RUNTIME,
            "error",
            "{runtime} is a Databricks Runtime for ML, which standard access mode ({mode}) does not support",
            'use dedicated access mode: data-security-mode = "SINGLE_USER", or a non-ML runtime',
            when=_runtime_is("cpu-ml"),
        ),
        Unsupported(
            STANDARD_MODE_ALLOWLIST,
            "warning",
            "on standard access mode ({mode}) the cluster runs only allowlisted init scripts, jars and Maven "
            "coordinates: {init} must be on the Unity Catalog allowlist{maven_and_jars}",
            "a metastore admin adds them: databricks artifact-allowlists update INIT_SCRIPT (and LIBRARY_JAR, "
            'LIBRARY_MAVEN) --json \'{{"artifact_matchers": [{{"artifact": "{init}", '
            '"match_type": "PREFIX_MATCH"}}]}}\'',
            when=_standard_with_artifacts,
        ),
    ),
    "targets.databricks.libraries-dir:volume-shape": Unsupported(
        VOLUME_PATH_SHAPE,
        "error",
        '{key} "{value}" is not inside a volume: a volume path is /Volumes/<catalog>/<schema>/<volume>/..., '
        "so the files would land in volumes named after specc's own folders",
        'name the volume: e.g. "/Volumes/main/ml/libs" (libraries-dir) or "/Volumes/main/ml/libs/init/m.sh"',
    ),
    "targets.databricks.libraries-dir:volumes": Unsupported(
        VOLUMES_NEED_13_3,
        "error",
        '{key} "{value}" is in a Unity Catalog volume, which {runtime} cannot use: volumes need Databricks '
        "Runtime 13.3 LTS or newer",
        'use a runtime >= 13.3 LTS (e.g. databricks = "15.4-ml"), or a /Workspace/... folder',
        when=_volumes_before_13_3,
    ),
    "targets.databricks.init-script:outside-volumes": Unsupported(
        INIT_OUTSIDE_VOLUMES,
        "error",
        "the init script {init} is not stored in a volume but reads files from {dir}: only init scripts "
        "stored in Unity Catalog volumes get the credentials to read other volume files",
        "store the init script in the volume too (unset init-script: it defaults to <libraries-dir>/init/)",
        when=_init_reads_volume_files,
    ),
    "targets.databricks.libraries-dir:unset": Unsupported(
        LIBRARIES_DIR_REQUIRED,
        "error",
        "no libraries-dir: the init script runs as root with the secrets in its environment, so it and "
        "the files it installs need a folder only your team can change",
        'set targets.databricks.libraries-dir, e.g. "/Volumes/<catalog>/<schema>/<volume>/specc" or '
        '"/Workspace/Users/<you>/specc" (specc has no default: /Workspace/Shared lets every user manage '
        "what is in it, and a per-user folder cannot be known when rendering)",
        when=_uploads_files,
    ),
    "targets.databricks.cluster.node-type:kind": (
        Unsupported(
            NODE_TYPE_RUNTIME,
            "warning",
            "{runtime} is a GPU runtime but {node} is a CPU instance ({family}): GPU compute needs GPU "
            "worker and driver types",
            'use a GPU node type (e.g. "g4dn.xlarge" on AWS, "Standard_NC4as_T4_v3" on Azure), or a CPU runtime',
            when=_node_mismatch("cpu", "gpu"),
        ),
        Unsupported(
            NODE_TYPE_RUNTIME,
            "warning",
            "{node} is a GPU instance ({family}) but {runtime} is not a GPU runtime: GPU compute needs a "
            "GPU-enabled runtime (its GPU would sit unused, without drivers)",
            'set runtime.cuda (a gpu-ml runtime) or use a CPU node type, e.g. "i3.xlarge"',
            when=_node_mismatch("gpu", "not-gpu"),
        ),
    ),
    "targets.databricks.cluster.node-type:unset": Unsupported(
        NO_NODE_TYPE,
        "warning",
        "no node-type: cluster.json and job.json have no node_type_id, which Databricks requires",
        'set targets.databricks.cluster.node-type, e.g. "i3.xlarge" (AWS) or "Standard_DS3_v2" (Azure)',
        when=_classic,
    ),
}


class DatabricksBackend:
    """The Databricks target (see the module docstring)."""

    name = TARGET
    options_type = DatabricksOptions
    # the batch job's table and, when the spec has a serving section, the endpoint's
    capabilities = serving.merge_tables(CAPABILITIES, serving.CAPABILITIES)

    def facts(self, spec: EnvSpec, options: RenderOptions | None = None) -> Facts:
        """The runtime the render targets (:func:`pick_runtime`) and what choosing it found."""
        diags: list[Diagnostic] = []
        runtime = pick_runtime(spec, options or RenderOptions(), diags)
        libdir = (spec.targets.databricks.libraries_dir or DEFAULT_LIBRARIES_DIR).rstrip("/")
        dbx = spec.targets.databricks
        maven = [p.coordinates for p in spec.maven.packages]
        extra = ", and so must " + " and ".join(
            [*(["the jars"] if spec.maven.jars else []), *(["the Maven coordinates"] if maven else [])]
        )
        values = {
            "base": f"{libdir}/{spec.model.name}",
            "reasons": " and ".join(python_init_reasons(spec)),
            "init": dbx.init_script or f"{libdir}/init/{spec.model.name}.sh",
            "maven_and_jars": extra if (maven or spec.maven.jars) else "",
            "ubuntu": f" {runtime.ubuntu}" if runtime is not None and runtime.ubuntu else "",
        }
        return Facts(runtime=runtime, diagnostics=tuple(diags), values=values)

    def render(self, spec: EnvSpec, options: RenderOptions) -> Rendered:
        return render(spec, options)


BACKEND = DatabricksBackend()


# --- runtime -------------------------------------------------------------------------------------


def pick_runtime(spec: EnvSpec, options: RenderOptions, diags: list[Diagnostic]) -> RuntimeInfo | None:
    """The runtime named by the spec, else the model's training runtime, else the newest LTS ML
    runtime with the spec's Python (a warning)."""
    gpu = spec.runtime.cuda is not None
    info: RuntimeInfo | None
    if spec.runtime.databricks is not None:
        info = get_runtime(spec.runtime.databricks)
        if info is not None:
            # what the runtime preinstalls is this target's concern alone: `specc validate`
            # reports it through these facts when Databricks is implied, `compile` never
            diags.extend(runtime_compat(spec, info))
        return info
    mm = spec.runtime.python_minor
    info = None
    if options.model_databricks_runtime:
        key = runtime_from_mlmodel(options.model_databricks_runtime, gpu=gpu)
        info = get_runtime(key) if key else None
        if info is None:
            diags.append(
                Diagnostic.error(
                    MODEL_RUNTIME_UNKNOWN,
                    message=f'the model was trained on Databricks runtime "{options.model_databricks_runtime}", '
                    "which specc does not know",
                    path=("runtime", "databricks"),
                    hint="set runtime.databricks explicitly; `specc runtimes` lists the known runtimes",
                )
            )
            return None
        if info.python != mm:
            diags.append(
                Diagnostic.error(
                    "SPC212",
                    message=f"runtime.python is {spec.runtime.python} but the model's training runtime {info.key} "
                    f"runs Python {info.python}",
                    path=("runtime", "python"),
                    hint="log and serve on the same Python, or set runtime.databricks explicitly",
                )
            )
    else:
        flavor = "gpu-ml" if gpu else "cpu-ml"
        candidates = [r for r in known_runtimes() if r.lts and r.flavor == flavor and r.python == mm]
        if not candidates:
            diags.append(
                Diagnostic.error(
                    MODEL_RUNTIME_UNKNOWN,
                    message=f"runtime.databricks is unset and no LTS {flavor} runtime runs Python {mm}",
                    path=("runtime", "databricks"),
                    hint="set runtime.databricks; `specc runtimes` lists the known runtimes",
                )
            )
            return None
        info = candidates[-1]
        diags.append(
            Diagnostic.warning(
                RUNTIME_DEFAULTED,
                message=f"runtime.databricks is unset: using {info.key}, "
                f"the newest LTS {flavor} runtime with Python {mm}",
                path=("runtime",),
                hint=f'pin the runtime you train on, e.g. databricks = "{info.key}"',
            )
        )
    diags.extend(runtime_compat(spec, info))
    return info


def runtime_compat(spec: EnvSpec, info: RuntimeInfo) -> list[Diagnostic]:
    """The spec against what runtime ``info`` is: a GPU runtime when CUDA is set (SPC213), Maven
    Scala suffixes (SPC214), replaced preinstalled packages not acknowledged in
    ``runtime.overrides`` (SPC215) and acknowledgements that replace nothing (SPC216).

    Normalized paths (``("python", "requirements", 3)``), placed through the spec's origins.
    """
    from specc.compat import check_runtime_compat, kept_packages

    out: list[Diagnostic] = []
    if spec.runtime.cuda is not None and not info.gpu and not info.serverless:
        out.append(
            Diagnostic.warning(
                "SPC213",
                message=f"cuda is set but {info.key} is not a GPU runtime",
                path=("runtime", "cuda"),
                hint='use a gpu-ml runtime (e.g. the short form "15.4-ml" with cuda set), or drop cuda',
            )
        )
    acknowledged = spec.runtime.overrides
    out += check_runtime_compat(
        info,
        ((("python", "requirements", k), r) for k, r in enumerate(spec.python.requirements)),
        ((("maven", "packages", k, "coordinates"), p) for k, p in enumerate(spec.maven.packages)),
        acknowledged=acknowledged,
    )
    # a preinstalled package no requirement names may still be replaced by a dependency's needs
    # (pandas 2 needs a newer tzdata): `specc lock` knows, and says so (SPC216) when the lock
    # keeps the runtime's copy.  Here: a package the runtime does not have, or one a requirement
    # pins to a range that keeps the runtime's version
    preinstalled = info.packages()
    kept = kept_packages(info, spec.python.requirements)
    for k, name in enumerate(acknowledged):
        if name not in preinstalled:
            said, why = f"{info.key} does not preinstall {name}", "there is no runtime copy to replace"
        elif name in kept:
            said = f"no requirement replaces the preinstalled {name} {preinstalled[name]} on {info.key}"
            why = "the runtime's copy is kept"
        else:
            continue
        out.append(
            Diagnostic.warning(
                "SPC216",
                message=f'runtime.overrides acknowledges replacing "{name}", but {said}',
                path=("runtime", "overrides", k),
                hint=f'remove "{name}" from runtime.overrides ({why})',
            )
        )
    return out


def runtime_from_mlmodel(value: str, *, gpu: bool = False) -> str | None:
    """The spark_version key for an MLmodel ``databricks_runtime`` value.

    MLflow records ``DATABRICKS_RUNTIME_VERSION`` (``"15.4"``; ML runtimes report the
    same number) or, on serverless, ``client.<N>`` with ``-gpu`` appended on GPU
    (mlflow ``databricks_utils.get_databricks_runtime_version``).  A model is scored
    with MLflow, which ML runtimes preinstall, so the ML variant is chosen: gpu-ml when
    the value says ``-gpu`` or the spec sets ``runtime.cuda``.
    """
    text = value.strip().lower()
    m = re.match(r"^client\.(\d+)(?:\.\d+)*(-gpu)?$", text)
    if m:
        return resolve_runtime(f"serverless-v{m.group(1)}")
    m = re.match(r"^(\d+\.\d+)(?:\.x)?(.*)$", text)
    if not m:
        return None
    rest = m.group(2)
    if "scala" in rest or "ml" in rest:
        return resolve_runtime(text, gpu=gpu)  # a full key or a short form
    want_gpu = gpu or "gpu" in rest
    return resolve_runtime(f"{m.group(1)}-{'gpu-ml' if want_gpu else 'ml'}", gpu=want_gpu)


# --- files -----------------------------------------------------------------------------------------


def _plan_files(spec: EnvSpec, plan: Plan) -> None:
    groups: list[tuple[str, str, tuple[FileRef, ...]]] = [
        ("wheel", "wheels", spec.python.wheels),
        ("jar", "jars", spec.maven.jars),
        ("deb", "debs", spec.apt.debs),
        ("r-source", "r", spec.r.sources),
    ]
    base_dir = Path(spec.base_dir) if spec.base_dir else Path(".")
    for kind, folder, refs in groups:
        for ref in refs:
            fname = file_name(ref.path)
            if f"{kind}:{fname}" in plan.uploads:
                continue  # two files with one name: the capability table's SPC326
            plan.uploads[f"{kind}:{fname}"] = Upload(
                kind, f"files/{folder}/{fname}", f"{plan.base}/{folder}/{fname}", ref.sha256, base_dir / ref.path
            )


def _add_generated(plan: Plan, kind: str, local: str, text: str) -> str:
    data = text.encode("utf-8")
    plan.generated[local] = data
    remote = f"{plan.base}/{local}"
    plan.uploads[kind] = Upload(kind, local, remote, _sha(data))
    return remote


# --- python ----------------------------------------------------------------------------------------


def _authenticated(url: str | None) -> bool:
    return url is not None and "${" in url


def _authenticated_repo(url: str | None) -> bool:
    """A ${NAME} placeholder or a literal user@ in a repository URL."""
    return url is not None and ("${" in url or "@" in url.split("//", 1)[-1].split("/", 1)[0])


def _plan_python(spec: EnvSpec, plan: Plan) -> None:
    py = spec.python
    if not (py.requirements or py.wheels):
        if py.constraints:
            plan.python_mode = "none"
        return
    if plan.serverless:
        plan.python_mode = "serverless"
        if py.requirements:
            text = _requirements_text(spec, with_index=True, plan=plan)
            _add_generated(plan, "requirements", "requirements.txt", text)
        return
    reasons = python_init_reasons(spec)
    if reasons:
        plan.python_mode = "init"
        if py.requirements or (plan.locked is not None and py.wheels):
            text = _requirements_text(spec, with_index=False, plan=plan, wheels=True)
            _add_generated(plan, "requirements", "requirements.txt", text)
        if py.constraints and plan.locked is None:  # the lock already honours them
            _add_generated(plan, "constraints", "constraints.txt", "".join(c.line + "\n" for c in py.constraints))
        return
    wheels = [{"whl": u.remote} for u in plan.uploads.values() if u.kind == "wheel"]
    if spec.targets.databricks.requirements_library and py.requirements:
        plan.python_mode = "requirements"
        text = _requirements_text(spec, with_index=True, plan=plan)
        remote = _add_generated(plan, "requirements", "requirements.txt", text)
        plan.libraries.append({"requirements": remote})
    else:
        plan.python_mode = "api"
        # --locked: one pypi library per locked package, exact pins (the Libraries API takes no hashes)
        lines = _locked_lines(spec, plan, hashes=False)
        for line in lines:
            lib: dict[str, Any] = {"package": line}
            if py.index_url:
                lib["repo"] = py.index_url
            plan.libraries.append({"pypi": lib})
    plan.libraries.extend(wheels)


def python_init_reasons(spec: EnvSpec) -> list[str]:
    """Why the Python packages cannot go through the Libraries API (empty: they can)."""
    py = spec.python
    reasons = []
    if _authenticated(py.index_url) or any(_authenticated(u) for u in py.extra_index_urls):
        reasons.append("an authenticated package index")
    if py.extra_index_urls:
        reasons.append("extra index URLs (a pypi library takes one repo)")
    if py.constraints:
        reasons.append("constraints")
    if any(r.url is not None and "${" in r.url for r in py.requirements):  # _authenticated, inline: 100,000 lines
        reasons.append("a direct URL with credentials")
    return reasons


def _requirements_text(spec: EnvSpec, *, with_index: bool, plan: Plan | None = None, wheels: bool = False) -> str:
    lines = index_lines(spec.python) if with_index else []
    if plan is not None and plan.locked is not None:
        # --locked: every locked package with its sha256 hashes (pip then checks every hash);
        # the spec's wheels too when this same pip run installs them (init script).
        lines.extend(_locked_lines(spec, plan, hashes=True))
        if wheels:
            lines.extend(f"{u.remote} --hash=sha256:{u.sha256}" for u in plan.uploads.values() if u.kind == "wheel")
    else:
        lines.extend(requirement_lines(spec))
    return "".join(line + "\n" for line in lines)


def _locked_lines(spec: EnvSpec, plan: Plan, *, hashes: bool) -> list[str]:
    """The requirement lines, from the lock when rendering --locked: the resolution for the
    cluster's architecture (``load_fresh_lock(..., target="databricks")`` made sure it is there),
    without the serving image's own packages."""
    if plan.locked is None:
        return requirement_lines(spec)
    from specc.lockfile import target_platform

    platform, _where = target_platform(spec, "databricks")
    return requirement_lines(spec, plan.locked, platform=platform, hashes=hashes, implied=False)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


# --- maven, R, secrets, serverless ----------------------------------------------------------------


def _plan_maven(spec: EnvSpec, plan: Plan) -> None:
    mvn = spec.maven
    for pkg in mvn.packages:
        repo = pkg.repository or mvn.repository
        if _authenticated_repo(repo):
            continue  # the capability table's SPC321
        lib: dict[str, Any] = {"coordinates": pkg.coordinates}
        if repo:
            lib["repo"] = repo
        if pkg.exclusions:
            lib["exclusions"] = list(pkg.exclusions)
        plan.libraries.append({"maven": lib})
    plan.libraries.extend({"jar": u.remote} for u in plan.uploads.values() if u.kind == "jar")


def _plan_r(spec: EnvSpec, plan: Plan) -> None:
    for pkg in spec.r.packages:
        if pkg.version is not None:
            continue  # pinned: the init script (the cran library type has no version field)
        lib: dict[str, Any] = {"package": pkg.name}
        repo = pkg.repository or spec.r.repository
        if repo:
            lib["repo"] = repo
        plan.libraries.append({"cran": lib})


def init_secret_names(spec: EnvSpec) -> list[str]:
    """Secrets the init script's pip step reads from its environment, in first-use order."""
    return secret_names(pip_urls(spec.python))


# --- init.sh -----------------------------------------------------------------------------------------


def shell_url(url: str) -> str:
    """A URL with ``${NAME}`` placeholders as one shell word: literal parts quoted by
    :func:`shquote`, each placeholder a double-quoted variable expansion."""
    parts: list[str] = []
    pos = 0
    for m in PLACEHOLDER.finditer(url):
        if m.start() > pos:
            parts.append(shquote(url[pos : m.start()]))
        parts.append(f'"${{{m.group(1)}}}"')
        pos = m.end()
    if pos < len(url):
        parts.append(shquote(url[pos:]))
    return "".join(parts) or "''"


def render_init_script(spec: EnvSpec, plan: Plan) -> str:
    from specc.templating import render_template

    py = spec.python
    pip: dict[str, Any] | None = None
    if plan.python_mode == "init":
        args = ["install", "--no-input", "--disable-pip-version-check", "--progress-bar", "off"]
        if "requirements" in plan.uploads:
            args += ["-r", plan.uploads["requirements"].remote]
        if "constraints" in plan.uploads:
            args += ["-c", plan.uploads["constraints"].remote]
        if plan.locked is not None:
            args.insert(1, "--require-hashes")  # the wheels are hashed lines of the requirements file
        else:
            args += plan.remote("wheel")
        env: list[tuple[str, str]] = []
        if py.index_url:
            env.append(("PIP_INDEX_URL", shell_url(py.index_url)))
        if py.extra_index_urls:
            env.append(("PIP_EXTRA_INDEX_URL", shquote(" ").join(shell_url(u) for u in py.extra_index_urls)))
        indexes = [u for u in (py.index_url, *py.extra_index_urls) if u]
        pip = {
            "args": args,
            "env_prefix": "".join(f"{name}={value} " for name, value in env),  # NAME=value words before pip
            "secrets": init_secret_names(spec),
            "indexes": indexes,
            "reason": " and ".join(python_init_reasons(spec)),  # logged as written: ${NAME} placeholders, never values
        }
    r_pinned = [
        (p.name, p.version, p.repository or spec.r.repository or DEFAULT_CRAN) for p in spec.r.packages if p.version
    ]
    view = {
        "version": __version__,
        "dependency_hash": spec.hashes.dependencies,
        "model": spec.model.name,
        "python": spec.runtime.python_minor,
        "runtime": plan.spark_version,
        "apt_packages": [p.line for p in spec.apt.packages],
        "debs": plan.remote("deb"),
        "pip": pip,
        "python_by_notebook": PYTHON_BY_NOTEBOOK,
        "jars": plan.remote("jar"),
        "jars_switch": JARS_SWITCH,
        "r_pinned": r_pinned,
        "r_sources": plan.remote("r-source"),
    }
    return render_template("databricks/init.sh.j2", **view)


# --- score.py ----------------------------------------------------------------------------------------


def render_score_notebook(spec: EnvSpec, plan: Plan) -> str:
    """The classic job's notebook: installs the model's logged requirements with ``%pip``
    (relative paths anchored at the downloaded model folder, MLflow's ``mlflow==`` pin as
    :func:`mlflow_pin_as`), restarts Python, scores with ``spark_udf``."""
    from specc.templating import render_template

    mlflow_as = mlflow_pin_as(spec, plan.runtime)
    return render_template(
        "databricks/score.py.j2",
        version=__version__,
        dependency_hash=spec.hashes.dependencies,
        default_model_uri=json_str(plan.model_uri),
        mlflow_as=mlflow_as,
        mlflow_as_literal=json_str(mlflow_as) if mlflow_as else "None",
    )


def mlflow_pin_as(spec: EnvSpec, runtime: RuntimeInfo | None) -> str | None:
    """What the notebook installs for the ``mlflow==<v>`` line MLflow adds to every model's
    requirements: ``"mlflow-skinny"`` (same version) when the runtime preinstalls mlflow-skinny
    and neither it nor the spec asks for full ``mlflow``; ``None`` (keep the line) otherwise."""

    if runtime is None:
        return None
    packages = runtime.packages()
    if "mlflow-skinny" not in packages or "mlflow" in packages:
        return None
    if any(r.name == "mlflow" for r in spec.python.requirements):  # Req.name is canonical (PEP 503)
        return None
    return "mlflow-skinny"


def render_score_script(spec: EnvSpec, plan: Plan) -> str:
    from specc.templating import render_template

    return render_template(
        "databricks/score_job.py.j2",
        version=__version__,
        dependency_hash=spec.hashes.dependencies,
        default_model_uri=json_str(plan.model_uri),
    )


def json_str(value: str) -> str:
    """A Python string literal (JSON's escaping is a subset of Python's)."""
    import json

    return json.dumps(value, ensure_ascii=True)


# --- JSON outputs --------------------------------------------------------------------------------------


def libraries_body(plan: Plan, options: DatabricksOptions) -> dict[str, Any]:
    return {
        "cluster_id": options.cluster_id or CLUSTER_ID_PLACEHOLDER,
        "libraries": plan.libraries_json or plan.libraries,
    }


def spark_env_vars(spec: EnvSpec) -> dict[str, str]:
    env = dict(spec.env)
    for name, secret in spec.secrets.items():
        if secret.databricks is not None:
            env[name] = "{{secrets/" + secret.databricks + "}}"
    return env


def init_script_info(remote: str) -> dict[str, Any]:
    kind = "workspace" if remote.startswith("/Workspace/") else "volumes"
    return {kind: {"destination": remote}}


def cluster_spec(spec: EnvSpec, plan: Plan) -> dict[str, Any]:
    """A ``new_cluster`` (``compute.ClusterSpec``)."""
    cl = spec.targets.databricks.cluster
    out: dict[str, Any] = {"spark_version": plan.spark_version, "data_security_mode": cl.data_security_mode}
    if cl.node_type:
        out["node_type_id"] = cl.node_type
    if cl.autoscale is not None:
        out["autoscale"] = {"min_workers": cl.autoscale.min, "max_workers": cl.autoscale.max}
    else:
        workers = cl.workers if cl.workers is not None else 1
        out["num_workers"] = workers
        if workers == 0:
            # A single-node cluster (Clusters API docs: "Single Node clusters").
            out["spark_conf"] = {"spark.databricks.cluster.profile": "singleNode", "spark.master": "local[*]"}
            out["custom_tags"] = {"ResourceClass": "SingleNode"}
    env = spark_env_vars(spec)
    if env:
        out["spark_env_vars"] = env
    out["init_scripts"] = [init_script_info(plan.init_remote)]
    return out


JOB_PARAMETERS = ("model_uri", "input_table", "output_table")


def job_settings(spec: EnvSpec, plan: Plan, *, task_path: str) -> dict[str, Any]:
    """A Jobs API 2.1 job (``jobs.JobSettings``) scoring a table with the model.

    Classic: a notebook task on a job cluster (``%pip`` works only in notebooks); the
    notebook installs the model's own requirements, so the task carries no Python libraries
    and the cluster's init script skips its pip step (:data:`PYTHON_BY_NOTEBOOK`).
    Serverless: a Python file task with an environment, since job environments apply to
    non-notebook tasks (``compute.Environment`` docstring) and serverless runs no init script;
    the environment's dependencies (from the spec) are its one install path.
    """
    task: dict[str, Any] = {"task_key": TASK_KEY}
    if plan.serverless:
        args = [f"--{p.replace('_', '-')}={{{{job.parameters.{p}}}}}" for p in JOB_PARAMETERS]
        task["spark_python_task"] = {"python_file": task_path, "parameters": args, "source": "WORKSPACE"}
    else:
        task["notebook_task"] = {"notebook_path": task_path, "source": "WORKSPACE"}
    job: dict[str, Any] = {
        "name": f"{spec.model.name} batch scoring",
        "max_concurrent_runs": 1,
        "parameters": [{"name": p, "default": plan.model_uri if p == "model_uri" else ""} for p in JOB_PARAMETERS],
        "tags": {"specc-model": spec.model.name},
        "tasks": [task],
    }
    if plan.serverless:
        assert plan.runtime is not None
        deps: list[str] = []
        if "requirements" in plan.uploads:
            deps.append(f"-r {plan.uploads['requirements'].remote}")
        deps += plan.remote("wheel")
        env_spec: dict[str, Any] = {"environment_version": plan.runtime.version}
        if deps:
            env_spec["dependencies"] = deps
        jars = plan.remote("jar")
        if jars:
            env_spec["java_dependencies"] = jars
        job["environments"] = [{"environment_key": ENVIRONMENT_KEY, "spec": env_spec}]
        task["environment_key"] = ENVIRONMENT_KEY
    else:
        cluster = cluster_spec(spec, plan)
        if plan.python_mode == "init":  # init.sh would pip install what the notebook installs
            cluster["spark_env_vars"] = {**cluster.get("spark_env_vars", {}), PYTHON_BY_NOTEBOOK: "true"}
        job["job_clusters"] = [{"job_cluster_key": JOB_CLUSTER_KEY, "new_cluster": cluster}]
        task["job_cluster_key"] = JOB_CLUSTER_KEY
        # Python packages come from the model's requirements (the notebook's %pip), once.
        libraries = [lib for lib in plan.libraries if not PYTHON_LIBRARY_TYPES.intersection(lib)]
        if libraries:
            task["libraries"] = libraries
    return job


def bundle_key(spec: EnvSpec) -> str:
    return re.sub(r"[^a-z0-9_]", "_", spec.model.name.lower()) + "_batch_score"


def bundle_resources(spec: EnvSpec, plan: Plan, endpoint: dict[str, Any] | None = None) -> dict[str, Any]:
    """The job as Asset Bundle resources: the notebook path is relative to bundle.yml, which
    the CLI syncs and translates; every other path is absolute (init script destinations
    are never translated, cli ``bundle/config/mutator/paths``).  ``endpoint`` (the body of
    serving-endpoint.json) becomes ``model_serving_endpoints``, the same fields."""
    job = job_settings(spec, plan, task_path="./score.py")
    job["tasks"][0]["spark_python_task" if plan.serverless else "notebook_task"].pop("source")
    resources: dict[str, Any] = {"jobs": {bundle_key(spec): job}}
    if endpoint is not None:
        resources["model_serving_endpoints"] = {serving.bundle_key(spec): endpoint}
    return {"resources": resources}


def bundle_text(spec: EnvSpec, plan: Plan, endpoint: dict[str, Any] | None = None) -> str:
    """bundle.yml as JSON, which is YAML: no YAML dependency, and every value is a quoted
    JSON string, so "15.4"-like versions and yes/no/on words cannot turn into numbers or
    booleans the way unquoted YAML scalars do."""
    header = (
        f"# Generated by specc {__version__} (dependency hash {spec.hashes.dependencies}).\n"
        "# Databricks Asset Bundle resources (JSON is valid YAML): include this file from databricks.yml.\n"
    )
    return header + dump_json(bundle_resources(spec, plan, endpoint))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: How a requirement reaches the cluster in each ``Plan.python_mode``: the rule of its marks.
_PYTHON_RULES = {
    "api": "pypi library",
    "requirements": "requirements file (a `requirements` library)",
    "init": "requirements file (init script: pip section)",
    "serverless": "requirements file (serverless environment)",
}


def _marks(spec: EnvSpec, plan: Plan) -> list[Mark]:
    """What each spec entry puts into the outputs, for :attr:`Rendered.provenance`; each
    names its rule (the part of the deployment that installs it) for ``specc explain``."""
    py = spec.python
    pip = _PYTHON_RULES.get(plan.python_mode, "pip requirement")
    marks: list[Mark] = [Mark(r.line, ("python", "requirements", i), pip) for i, r in enumerate(py.requirements)]
    marks += [
        Mark(c.line, ("python", "constraints", i), "constraints file (init script: pip section)")
        for i, c in enumerate(py.constraints)
    ]
    if py.index_url:
        marks.append(Mark(py.index_url, ("python", "index-url"), "pip index"))
    marks += [Mark(u, ("python", "extra-index-urls", i), "pip extra index") for i, u in enumerate(py.extra_index_urls)]
    # the init script's pip line passes them as shell words (`https://"${PYPI_USER}"@...`)
    if py.index_url and shell_url(py.index_url) != py.index_url:
        marks.append(Mark(shell_url(py.index_url), ("python", "index-url"), "pip index"))
    marks += [
        Mark(shell_url(u), ("python", "extra-index-urls", i), "pip extra index")
        for i, u in enumerate(py.extra_index_urls)
        if shell_url(u) != u
    ]
    marks += [
        Mark(f"wheels/{file_name(w.path)}", ("python", "wheels", i), "private wheel (whl library)")
        for i, w in enumerate(py.wheels)
    ]
    marks += [Mark(p.line, ("apt", "packages", i), "init script: apt section") for i, p in enumerate(spec.apt.packages)]
    marks += [
        Mark(f"debs/{file_name(d.path)}", ("apt", "debs", i), "init script: private .deb")
        for i, d in enumerate(spec.apt.debs)
    ]
    marks += [Mark(p.coordinates, ("maven", "packages", i), "maven library") for i, p in enumerate(spec.maven.packages)]
    marks += [
        Mark(f"jars/{file_name(j.path)}", ("maven", "jars", i), "jar library") for i, j in enumerate(spec.maven.jars)
    ]
    marks += [
        Mark(p.name, ("r", "packages", i), "R package (cran library or init script)")
        for i, p in enumerate(spec.r.packages)
    ]
    marks += [
        Mark(f"r/{file_name(s.path)}", ("r", "sources", i), "init script: private R source")
        for i, s in enumerate(spec.r.sources)
    ]
    marks += [
        Mark(s.databricks or "", ("secrets", name), "secret in spark_env_vars") for name, s in spec.secrets.items()
    ]
    marks += [Mark(k, ("env", k), "spark_env_vars") for k in spec.env]
    if spec.maven.repository:
        marks.append(Mark(spec.maven.repository, ("maven", "repository"), "maven library: repository"))
    if spec.r.repository:
        marks.append(Mark(spec.r.repository, ("r", "repository"), "R package: repository"))
    # a package's own repository and exclusions (the `repo` and `exclusions` of its library)
    for i, m in enumerate(spec.maven.packages):
        if m.repository:
            marks.append(Mark(m.repository, ("maven", "packages", i, "repository"), "maven library: repository"))
        marks += [
            Mark(e, ("maven", "packages", i, "exclusions", j), "maven library: exclusion")
            for j, e in enumerate(m.exclusions)
        ]
    marks += [
        Mark(p.repository, ("r", "packages", i, "repository"), "R package: repository")
        for i, p in enumerate(spec.r.packages)
        if p.repository
    ]
    for kind, path in (("requirements", ("python", "requirements")), ("constraints", ("python", "constraints"))):
        if kind in plan.uploads:  # the line installing the uploaded file (init.sh -r, a requirements library)
            marks.append(Mark(plan.uploads[kind].remote, path, f"uploaded {kind} file"))
    marks.append(Mark(plan.spark_version, ("runtime", "databricks"), "cluster runtime (spark_version)"))
    dbx = spec.targets.databricks
    cl = dbx.cluster
    if cl.node_type:
        marks.append(Mark(cl.node_type, ("targets", "databricks", "cluster", "node-type"), "cluster node type"))
    # the cluster fields the spec sets, by their key (`num_workers: 2` holds no text of its own)
    cluster = ("targets", "databricks", "cluster")
    if cl.workers is not None:
        marks.append(Mark("num_workers", (*cluster, "workers"), "cluster size"))
    if cl.autoscale is not None:
        marks.append(Mark("autoscale", (*cluster, "autoscale"), "cluster size"))
    if cl.data_security_mode:
        marks.append(Mark("data_security_mode", (*cluster, "data-security-mode"), "cluster access mode"))
    if dbx.notebook_dir:  # the job's notebook and task files are uploaded under it
        marks.append(Mark(dbx.notebook_dir, ("targets", "databricks", "notebook-dir"), "job notebook folder"))
    if "init-script" in plan.uploads:  # where the init script is uploaded and run from
        # init-script when the spec sets it, else the default under libraries-dir (validation
        # fills init_script in either way: the origins say which)
        written = ("targets", "databricks", "init-script") in spec.origins or not dbx.libraries_dir
        place = ("targets", "databricks", "init-script" if written else "libraries-dir")
        marks.append(Mark(plan.init_remote, place, "cluster init script"))
    marks += [
        Mark(f"WANT_PYTHON={shquote(spec.runtime.python_minor)}", ("runtime", "python"), "init script: Python check"),
        # the lines that use those variables: the check itself, and every log line's tag
        Mark('"$WANT_PYTHON"', ("runtime", "python"), "init script: Python check"),
        Mark(f"MODEL={shquote(spec.model.name)}", ("model", "name"), "init script: log tag"),
        Mark('"$MODEL"', ("model", "name"), "init script: log tag"),
    ]
    return marks + _name_marks(spec, plan)


def _name_marks(spec: EnvSpec, plan: Plan) -> list[Mark]:
    """Where ``model.name`` shows in the outputs, each in its context (a bare name could be any
    word of the templates: ``model``, ``init``...): the model's folders under libraries-dir and
    notebook-dir, the default init script's file name, the job's name, tag and default model URI."""
    name = spec.model.name
    path = ("model", "name")
    out = [
        Mark(plan.base, path, "the model's folder (<libraries-dir>/<model name>)"),
        Mark(plan.task_remote.rsplit("/", 1)[0], path, "the job notebook's folder (<notebook-dir>/<model name>)"),
        Mark(f"{name} batch scoring", path, "job name"),
        Mark("specc-model", path, "job tag"),  # the key of job.json's tag: its value is the name
        Mark(f'"specc-model": "{name}"', path, "job tag"),  # the same in bundle.yml's text
    ]
    if ("targets", "databricks", "init-script") not in spec.origins:  # derived: <libraries-dir>/init/<name>.sh
        out.append(Mark(plan.init_remote, path, "cluster init script (<libraries-dir>/init/<model name>.sh)"))
    # an uploaded file's whole remote path is a mark of its own (the entry it uploads): it names
    # the model's folder too
    out += [
        Mark(u.remote, path, "the model's folder (<libraries-dir>/<model name>)")
        for u in plan.uploads.values()
        if u.remote.startswith(plan.base + "/")
    ]
    if plan.model_uri == f"models:/{name}/1":  # no --model-name/--model-version/--from-model
        out.append(Mark(plan.model_uri, path, "the job's default model URI (version 1)"))
    return out
