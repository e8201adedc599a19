"""``specc render --target databricks``: init script, Libraries API body, cluster/job specs, bundle.

One :class:`Plan` holds every decision (runtime, where each file is uploaded, which
dependency goes through the Libraries API and which through the init script); the
outputs are views of it, so they always agree on paths:

* ``init.sh``       cluster-scoped init script (``targets/databricks/init.sh.j2``)
* ``libraries.json``  body of ``POST /api/2.0/libraries/install``
* ``cluster.json``  a ``new_cluster`` (``compute.ClusterSpec``)
* ``job.json``      a Jobs API 2.1 batch-scoring job (``jobs.JobSettings``)
* ``score.py``      the job's notebook (``targets/databricks/score.py.j2``)
* ``bundle.yml``    the same job as Asset Bundle resources
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
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from specc import __version__
from specc.backends import Rendered, RenderOptions
from specc.diagnostics import Diagnostic, TomlPath
from specc.output import dump_json
from specc.quoting import shquote
from specc.runtimes import RuntimeInfo, get_runtime, known_runtimes, resolve_runtime
from specc.spec import EnvSpec, FileRef

TARGET = "databricks"
OPTIONS = frozenset({"cluster_id", "model_dir"})

#: Used when ``targets.databricks.libraries-dir`` is unset: exists in every workspace.
DEFAULT_LIBRARIES_DIR = "/Workspace/Shared/specc"
CLUSTER_ID_PLACEHOLDER = "<cluster-id>"
JOB_CLUSTER_KEY = "scoring"
TASK_KEY = "score"
ENVIRONMENT_KEY = "default"
#: The environment switch that asks init.sh to copy private jars onto the JVM classpath.
JARS_SWITCH = "SPECC_JARS_TO_CLASSPATH"
DEFAULT_CRAN = "https://cloud.r-project.org"

# Diagnostic codes of this target (docs/databricks.md lists them).
RUNTIME_DEFAULTED = "SPC320"
MAVEN_AUTH = "SPC321"
REQUIREMENTS_NEEDS_15 = "SPC322"
SERVERLESS_CANNOT = "SPC323"
NO_NODE_TYPE = "SPC324"
SECRET_UNMAPPED = "SPC325"
DUPLICATE_UPLOAD = "SPC326"
REQUIREMENTS_LIBRARY_IGNORED = "SPC327"
MODEL_RUNTIME_UNKNOWN = "SPC328"

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


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
    diagnostics: list[Diagnostic] = field(default_factory=list)
    generated: dict[str, bytes] = field(default_factory=dict)
    locked: Any = None  # a fresh model-env.lock (render --locked): exact pins, hashes where pip reads a file

    @property
    def serverless(self) -> bool:
        return self.runtime is not None and self.runtime.serverless

    def error(self, code: str, path: TomlPath, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, "error", message, path, hint))

    def warn(self, code: str, path: TomlPath, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, "warning", message, path, hint))

    def remote(self, kind: str) -> list[str]:
        return [u.remote for u in self.uploads.values() if u.kind == kind]


def render(spec: EnvSpec, options: RenderOptions) -> Rendered:
    """Render the Databricks deployment files for ``spec`` (pure, deterministic)."""
    plan = make_plan(spec, options)
    out = Rendered(diagnostics=list(plan.diagnostics))
    if any(d.severity == "error" for d in plan.diagnostics):
        return out
    files: dict[str, bytes | Path] = {}
    if not plan.serverless:
        init = render_init_script(spec, plan).encode("utf-8")
        files["init.sh"] = init
        out.modes["init.sh"] = 0o755
        plan.uploads["init-script"] = Upload("init-script", "init.sh", plan.init_remote, _sha(init))
    if plan.serverless:
        score = render_score_script(spec).encode("utf-8")
        plan.uploads["python-file"] = Upload("python-file", "score.py", plan.task_remote, _sha(score))
    else:
        score = render_score_notebook(spec).encode("utf-8")
        plan.uploads["notebook"] = Upload("notebook", "score.py", plan.task_remote, _sha(score))
    files["score.py"] = score
    files.update(plan.generated)
    for up in plan.uploads.values():
        if up.source is not None:
            files[up.local] = up.source
    if not plan.serverless:
        files["libraries.json"] = dump_json(libraries_body(plan, options)).encode("utf-8")
        files["cluster.json"] = dump_json(cluster_spec(spec, plan)).encode("utf-8")
    job = job_settings(spec, plan, task_path=plan.task_remote)
    files["job.json"] = dump_json(job).encode("utf-8")
    files["bundle.yml"] = bundle_text(spec, plan).encode("utf-8")
    uploads = sorted((u.as_dict() for u in plan.uploads.values()), key=lambda u: (u["remote"], u["kind"]))
    files["uploads.json"] = dump_json(uploads).encode("utf-8")
    out.files = files
    return out


def make_plan(spec: EnvSpec, options: RenderOptions) -> Plan:
    diags: list[Diagnostic] = []
    runtime = pick_runtime(spec, options, diags)
    dbx = spec.targets.databricks
    libdir = (dbx.libraries_dir or DEFAULT_LIBRARIES_DIR).rstrip("/")
    name = spec.model.name
    base = f"{libdir}/{name}"
    init_remote = dbx.init_script or f"{libdir}/init/{name}.sh"
    # Notebooks and task files run from the workspace, not from a volume.
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
        diagnostics=diags,
        locked=options.locked,
    )
    _plan_files(spec, plan)
    _plan_python(spec, plan)
    _plan_maven(spec, plan)
    _plan_r(spec, plan)
    _plan_secrets(spec, plan)
    _plan_serverless(spec, plan)
    if not plan.serverless and spec.targets.databricks.cluster.node_type is None:
        plan.warn(
            NO_NODE_TYPE,
            ("targets", "databricks", "cluster"),
            "no node-type: cluster.json and job.json have no node_type_id, which Databricks requires",
            'set targets.databricks.cluster.node-type, e.g. "i3.xlarge" (AWS) or "Standard_DS3_v2" (Azure)',
        )
    return plan


# --- runtime -------------------------------------------------------------------------------------


def pick_runtime(spec: EnvSpec, options: RenderOptions, diags: list[Diagnostic]) -> RuntimeInfo | None:
    """The runtime named by the spec, else the model's training runtime, else the newest LTS ML
    runtime with the spec's Python (a warning)."""
    gpu = spec.runtime.cuda is not None
    if spec.runtime.databricks is not None:
        info = get_runtime(spec.runtime.databricks)
        if info is not None and options.from_model:
            # a spec read back from a model was validated when it was logged, perhaps against
            # older manifests: check it again (a spec from a file was just checked by validation)
            diags.extend(_compat(spec, info))
        return info
    mm = ".".join(spec.runtime.python.split(".")[:2])
    info: RuntimeInfo | None = None
    if options.model_databricks_runtime:
        key = runtime_from_mlmodel(options.model_databricks_runtime, gpu=gpu)
        info = get_runtime(key) if key else None
        if info is None:
            diags.append(
                Diagnostic(
                    MODEL_RUNTIME_UNKNOWN,
                    "error",
                    f'the model was trained on Databricks runtime "{options.model_databricks_runtime}", '
                    "which specc does not know",
                    ("runtime", "databricks"),
                    "set runtime.databricks explicitly; `specc runtimes` lists the known runtimes",
                )
            )
            return None
        if info.python != mm:
            diags.append(
                Diagnostic(
                    "SPC212",
                    "error",
                    f"runtime.python is {spec.runtime.python} but the model's training runtime {info.key} "
                    f"runs Python {info.python}",
                    ("runtime", "python"),
                    "log and serve on the same Python, or set runtime.databricks explicitly",
                )
            )
    else:
        flavor = "gpu-ml" if gpu else "cpu-ml"
        candidates = [r for r in known_runtimes() if r.lts and r.flavor == flavor and r.python == mm]
        if not candidates:
            diags.append(
                Diagnostic(
                    MODEL_RUNTIME_UNKNOWN,
                    "error",
                    f"runtime.databricks is unset and no LTS {flavor} runtime runs Python {mm}",
                    ("runtime", "databricks"),
                    "set runtime.databricks; `specc runtimes` lists the known runtimes",
                )
            )
            return None
        info = candidates[-1]
        diags.append(
            Diagnostic(
                RUNTIME_DEFAULTED,
                "warning",
                f"runtime.databricks is unset: using {info.key}, the newest LTS {flavor} runtime with Python {mm}",
                ("runtime",),
                f'pin the runtime you train on, e.g. databricks = "{info.key}"',
            )
        )
    diags.extend(_compat(spec, info))
    return info


def _compat(spec: EnvSpec, info: RuntimeInfo) -> list[Diagnostic]:
    from specc.compat import check_runtime_compat

    reqs = [(("python", "requirements"), r) for r in spec.python.requirements]
    maven = [(("maven", "packages"), p) for p in spec.maven.packages]
    return check_runtime_compat(info, reqs, maven)


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
    groups: list[tuple[str, str, tuple[FileRef, ...], TomlPath]] = [
        ("wheel", "wheels", spec.python.wheels, ("python", "wheels")),
        ("jar", "jars", spec.maven.jars, ("maven", "jars")),
        ("deb", "debs", spec.apt.debs, ("apt", "debs")),
        ("r-source", "r", spec.r.sources, ("r", "sources")),
    ]
    base_dir = Path(spec.base_dir) if spec.base_dir else Path(".")
    for kind, folder, refs, path in groups:
        seen: dict[str, str] = {}
        for ref in refs:
            fname = PurePosixPath(ref.path).name
            if fname in seen:
                plan.error(
                    DUPLICATE_UPLOAD,
                    path,
                    f"{seen[fname]} and {ref.path} would both be uploaded as {plan.base}/{folder}/{fname}",
                    "rename one of them",
                )
                continue
            seen[fname] = ref.path
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
        if spec.targets.databricks.requirements_library:
            plan.warn(
                REQUIREMENTS_LIBRARY_IGNORED,
                ("targets", "databricks", "requirements-library"),
                "requirements-library is ignored: the init script installs the Python packages because of "
                + " and ".join(reasons),
                "set requirements-library = false to silence this",
            )
        if py.requirements or (plan.locked is not None and py.wheels):
            text = _requirements_text(spec, with_index=False, plan=plan, wheels=True)
            _add_generated(plan, "requirements", "requirements.txt", text)
        if py.constraints and plan.locked is None:  # the lock already honours them
            _add_generated(plan, "constraints", "constraints.txt", "".join(c.line + "\n" for c in py.constraints))
        return
    wheels = [{"whl": u.remote} for u in plan.uploads.values() if u.kind == "wheel"]
    if spec.targets.databricks.requirements_library and py.requirements:
        plan.python_mode = "requirements"
        rt = plan.runtime
        if rt is not None and _version_tuple(rt.version) < (15, 0):
            plan.error(
                REQUIREMENTS_NEEDS_15,
                ("targets", "databricks", "requirements-library"),
                f"a requirements library needs Databricks Runtime 15.0 or newer; {rt.key} is older",
                "set requirements-library = false (one pypi library per requirement) or use DBR >= 15.0",
            )
        text = _requirements_text(spec, with_index=True, plan=plan)
        remote = _add_generated(plan, "requirements", "requirements.txt", text)
        plan.libraries.append({"requirements": remote})
    else:
        plan.python_mode = "api"
        # --locked: one pypi library per locked package, exact pins (the Libraries API takes no hashes)
        lines = _locked_lines(plan, hashes=False) if plan.locked is not None else [r.line for r in py.requirements]
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
    if any(_authenticated(r.url) for r in py.requirements):
        reasons.append("a direct URL with credentials")
    return reasons


def _requirements_text(spec: EnvSpec, *, with_index: bool, plan: Plan | None = None, wheels: bool = False) -> str:
    lines = []
    if with_index and spec.python.index_url:
        lines.append(f"--index-url {spec.python.index_url}")
    if with_index:
        lines.extend(f"--extra-index-url {u}" for u in spec.python.extra_index_urls)
    if plan is not None and plan.locked is not None:
        # --locked: every locked package with its sha256 hashes (pip then checks every hash);
        # the spec's wheels too when this same pip run installs them (init script).
        lines.extend(_locked_lines(plan, hashes=True))
        if wheels:
            lines.extend(f"{u.remote} --hash=sha256:{u.sha256}" for u in plan.uploads.values() if u.kind == "wheel")
    else:
        lines.extend(r.line for r in spec.python.requirements)
    return "".join(line + "\n" for line in lines)


def _locked_lines(plan: Plan, *, hashes: bool) -> list[str]:
    from specc.lock import DEFAULT_PLATFORM
    from specc.lockfile import pip_lines

    platforms = plan.locked.python.platforms
    platform = DEFAULT_PLATFORM if DEFAULT_PLATFORM in platforms or not platforms else platforms[0]
    return pip_lines(plan.locked, platform=platform, hashes=hashes)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


# --- maven, R, secrets, serverless ----------------------------------------------------------------


def _plan_maven(spec: EnvSpec, plan: Plan) -> None:
    mvn = spec.maven
    for i, pkg in enumerate(mvn.packages):
        repo = pkg.repository or mvn.repository
        if repo is not None and ("${" in repo or "@" in repo.split("//", 1)[-1].split("/", 1)[0]):
            where: TomlPath = ("maven", "packages", i) if pkg.repository else ("maven", "repository")
            plan.error(
                MAVEN_AUTH,
                where,
                f"{pkg.coordinates}: Databricks resolves Maven coordinates in its control plane, without "
                "credentials, so an authenticated repository cannot be used",
                "download the jar and ship it instead: list it in maven.jars (it becomes a `jar` library)",
            )
            continue
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


def _plan_secrets(spec: EnvSpec, plan: Plan) -> None:
    used = set()
    if plan.python_mode == "init":
        used = set(init_secret_names(spec))
    for name, secret in sorted(spec.secrets.items()):
        if secret.databricks is not None:
            continue
        if name in used:
            plan.error(
                SECRET_UNMAPPED,
                ("secrets", name),
                f"secret {name} is needed by the init script's pip install but has no Databricks mapping",
                f'add databricks = "<scope>/<key>" to [secrets.{name}]',
            )
        else:
            plan.warn(
                SECRET_UNMAPPED,
                ("secrets", name),
                f"secret {name} has no Databricks mapping: it is not in spark_env_vars",
                f'add databricks = "<scope>/<key>" to [secrets.{name}]',
            )


def _plan_serverless(spec: EnvSpec, plan: Plan) -> None:
    if not plan.serverless:
        return
    rt = plan.runtime
    assert rt is not None
    cannot: list[tuple[TomlPath, str]] = []
    if spec.maven.packages:
        cannot.append((("maven", "packages"), "Maven coordinates (serverless takes jars only)"))
    if spec.r.packages or spec.r.sources:
        cannot.append((("r",), "R packages"))
    if spec.python.constraints:
        cannot.append((("python", "constraints"), "pip constraints"))
    for path, what in cannot:
        plan.error(
            SERVERLESS_CANNOT,
            path,
            f"{rt.key} is serverless: its environment cannot install {what}",
            'use a classic runtime, e.g. databricks = "15.4-ml"',
        )
    plan.libraries.clear()


def init_secret_names(spec: EnvSpec) -> list[str]:
    """Secrets the init script's pip step reads from its environment, in first-use order."""
    names: list[str] = []
    py = spec.python
    for url in (py.index_url, *py.extra_index_urls, *(r.url for r in py.requirements)):
        for m in _PLACEHOLDER.finditer(url or ""):
            if m.group(1) not in names:
                names.append(m.group(1))
    return names


# --- init.sh -----------------------------------------------------------------------------------------


def shell_url(url: str) -> str:
    """A URL with ``${NAME}`` placeholders as one shell word: literal parts quoted by
    :func:`shquote`, each placeholder a double-quoted variable expansion."""
    parts: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(url):
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
            "env": env,
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
        "python": ".".join(spec.runtime.python.split(".")[:2]),
        "runtime": plan.spark_version,
        "apt_packages": [p.line for p in spec.apt.packages],
        "debs": plan.remote("deb"),
        "pip": pip,
        "jars": plan.remote("jar"),
        "jars_switch": JARS_SWITCH,
        "r_pinned": r_pinned,
        "r_sources": plan.remote("r-source"),
    }
    return render_template("databricks/init.sh.j2", **view)


# --- score.py ----------------------------------------------------------------------------------------


def render_score_notebook(spec: EnvSpec) -> str:
    from specc.templating import render_template

    return render_template(
        "databricks/score.py.j2",
        version=__version__,
        dependency_hash=spec.hashes.dependencies,
        default_model_uri=json_str(default_model_uri(spec)),
    )


def render_score_script(spec: EnvSpec) -> str:
    from specc.templating import render_template

    return render_template(
        "databricks/score_job.py.j2",
        version=__version__,
        dependency_hash=spec.hashes.dependencies,
        default_model_uri=json_str(default_model_uri(spec)),
    )


def json_str(value: str) -> str:
    """A Python string literal (JSON's escaping is a subset of Python's)."""
    import json

    return json.dumps(value, ensure_ascii=True)


def default_model_uri(spec: EnvSpec) -> str:
    return f"models:/{spec.model.name}/1"


# --- JSON outputs --------------------------------------------------------------------------------------


def libraries_body(plan: Plan, options: RenderOptions) -> dict[str, Any]:
    return {"cluster_id": options.cluster_id or CLUSTER_ID_PLACEHOLDER, "libraries": plan.libraries}


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

    Classic: a notebook task on a job cluster (``%pip`` works only in notebooks).
    Serverless: a Python file task with an environment, since job environments apply to
    non-notebook tasks (``compute.Environment`` docstring) and serverless runs no init script.
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
        "parameters": [
            {"name": p, "default": default_model_uri(spec) if p == "model_uri" else ""} for p in JOB_PARAMETERS
        ],
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
        job["job_clusters"] = [{"job_cluster_key": JOB_CLUSTER_KEY, "new_cluster": cluster_spec(spec, plan)}]
        task["job_cluster_key"] = JOB_CLUSTER_KEY
        if plan.libraries:
            task["libraries"] = plan.libraries
    return job


def bundle_key(spec: EnvSpec) -> str:
    return re.sub(r"[^a-z0-9_]", "_", spec.model.name.lower()) + "_batch_score"


def bundle_resources(spec: EnvSpec, plan: Plan) -> dict[str, Any]:
    """The job as Asset Bundle resources: the notebook path is relative to bundle.yml, which
    the CLI syncs and translates; every other path is absolute (init script destinations
    are never translated, cli ``bundle/config/mutator/paths``)."""
    job = job_settings(spec, plan, task_path="./score.py")
    job["tasks"][0]["spark_python_task" if plan.serverless else "notebook_task"].pop("source")
    return {"resources": {"jobs": {bundle_key(spec): job}}}


def bundle_text(spec: EnvSpec, plan: Plan) -> str:
    """bundle.yml as JSON, which is YAML: no YAML dependency, and every value is a quoted
    JSON string, so "15.4"-like versions and yes/no/on words cannot turn into numbers or
    booleans the way unquoted YAML scalars do."""
    header = (
        f"# Generated by specc {__version__} (dependency hash {spec.hashes.dependencies}).\n"
        "# Databricks Asset Bundle resources (JSON is valid YAML): include this file from databricks.yml.\n"
    )
    return header + dump_json(bundle_resources(spec, plan))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
