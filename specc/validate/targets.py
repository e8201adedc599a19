"""``[targets.docker]``, ``[targets.databricks]`` and ``[targets.databricks.serving]``: per-target options."""

from __future__ import annotations

from specc.diagnostics import Origin, TomlPath
from specc.spec import (
    AUTOSCALE_MAX,
    AUTOSCALE_MIN,
    ENDPOINT_NAME,
    IMAGE,
    PLATFORM,
    PORT,
    WORKERS,
    WORKLOAD_SIZE,
    WORKLOAD_TYPE,
    WORKSPACE_PATH,
    Autoscale,
    Cluster,
    ClusterInput,
    DatabricksTarget,
    DatabricksTargetInput,
    DockerTarget,
    DockerTargetInput,
    Model,
    Serving,
    ServingInput,
    Targets,
    TargetsInput,
)
from specc.validate.context import Context

# the data_security_mode values the Clusters API accepts
SECURITY_MODES = (
    "SINGLE_USER",
    "USER_ISOLATION",
    "NONE",
    "DATA_SECURITY_MODE_AUTO",
    "DATA_SECURITY_MODE_STANDARD",
    "DATA_SECURITY_MODE_DEDICATED",
    "LEGACY_SINGLE_USER",
    "LEGACY_SINGLE_USER_STANDARD",
    "LEGACY_TABLE_ACL",
    "LEGACY_PASSTHROUGH",
)


def validate(ctx: Context, sec: TargetsInput | None, model: Model | None) -> Targets:
    """``model`` names the default init script (``<libraries-dir>/init/<model>.sh``)."""
    docker = _docker(ctx, sec.docker if sec is not None else None)
    databricks = _databricks(ctx, sec.databricks if sec is not None else None, model)
    return Targets(docker=docker, databricks=databricks)


def _record_set(ctx: Context, path: TomlPath, fields: set[str]) -> None:
    for name in fields:
        key = name.replace("_", "-")
        ctx.record((*path, key), Origin((*path, key)))


def _docker(ctx: Context, sec: DockerTargetInput | None) -> DockerTarget:
    if sec is None:
        return DockerTarget()
    path = ("targets", "docker")
    image, platform, port = sec.base_image, sec.platform, sec.port
    if image is not None and not ctx.check(IMAGE, (*path, "base-image"), image):
        image = None
    if platform is not None and not ctx.check(PLATFORM, (*path, "platform"), platform):
        platform = None
    if not ctx.check_range(PORT, (*path, "port"), port):
        port = 8080
    _record_set(ctx, path, sec.model_fields_set)
    return DockerTarget(base_image=image, platform=platform, serve=sec.serve, port=port, standalone=sec.standalone)


_VOLUME_PARTS = ("catalog", "schema", "volume")


def _workspace_path_problem(value: str, key: str) -> tuple[str, str | None] | None:
    """Why ``value`` is no usable ``/Volumes/...`` or ``/Workspace/...`` path (SPC128), or None.

    Each reason is named: not absolute or another root (the rule's own message); a ``..``
    segment; whitespace: in the catalog, schema or volume name of a ``/Volumes`` path, which
    Unity Catalog object names cannot hold (Databricks, "Names": no period, space, forward
    slash or control character), elsewhere a character specc does not accept in the paths
    it writes into the init script and the job.
    """
    if not value.startswith(("/Volumes/", "/Workspace/")):
        return WORKSPACE_PATH.describe(value, key=key)
    parts = value.split("/")
    if ".." in parts:
        return f"{key} {value!r} has a '..' segment", "write the folder's own path, without '..'"
    if not any(c.isspace() for c in value):
        return None if WORKSPACE_PATH.matches(value) else WORKSPACE_PATH.describe(value, key=key)
    if parts[1] == "Volumes":
        for label, part in zip(_VOLUME_PARTS, parts[2:5], strict=False):
            if any(c.isspace() for c in part):
                return (
                    f"{key} {value!r}: the {label} name {part!r} contains whitespace, which Unity Catalog names cannot",
                    f"use the {label}'s real name (Unity Catalog names have no spaces; a display name is not the name)",
                )
    return (
        f"{key} {value!r} contains whitespace, which specc does not accept in the paths it writes into "
        "the init script, the cluster and the job",
        "use a folder whose path has no spaces",
    )


def _databricks(ctx: Context, sec: DatabricksTargetInput | None, model: Model | None) -> DatabricksTarget:
    if sec is None:
        return DatabricksTarget()
    path = ("targets", "databricks")
    libdir, init = sec.libraries_dir, sec.init_script
    for key, value in (("libraries-dir", libdir), ("init-script", init)):
        if value is None:
            continue
        if value.lower().startswith(("dbfs:", "/dbfs")):
            ctx.error(
                WORKSPACE_PATH.code,
                (*path, key),
                f"DBFS path {value!r}: Databricks disabled libraries and init scripts on DBFS",
                'use a Unity Catalog volume ("/Volumes/<catalog>/<schema>/<volume>/...") or "/Workspace/..."',
            )
        elif (problem := _workspace_path_problem(value, key)) is not None:
            ctx.error(WORKSPACE_PATH.code, (*path, key), *problem)
    notebook_dir = sec.notebook_dir
    if notebook_dir is not None:
        if (problem := _workspace_path_problem(notebook_dir, "notebook-dir")) is not None:
            ctx.error(WORKSPACE_PATH.code, (*path, "notebook-dir"), *problem)
            notebook_dir = None
        elif not notebook_dir.startswith("/Workspace/"):
            ctx.error(
                WORKSPACE_PATH.code,
                (*path, "notebook-dir"),
                f"notebook-dir {notebook_dir!r} is not a workspace folder: a job runs its notebook from /Workspace",
                'e.g. "/Workspace/Users/<you>/specc" or a folder only your team can change',
            )
            notebook_dir = None
        else:
            notebook_dir = notebook_dir.rstrip("/")
    if init is not None and not init.endswith(".sh"):
        ctx.error(WORKSPACE_PATH.code, (*path, "init-script"), "an init script path ends in .sh", None)
    if init is None and libdir is not None and model is not None:
        init = f"{libdir.rstrip('/')}/init/{model.name}.sh"
    _record_set(ctx, path, sec.model_fields_set - {"cluster", "serving"})
    return DatabricksTarget(
        libraries_dir=libdir,
        init_script=init,
        notebook_dir=notebook_dir,
        requirements_library=sec.requirements_library,
        cluster=_cluster(ctx, sec.cluster),
        serving=_serving(ctx, sec.serving),
    )


#: Databricks reserves endpoint names starting with this for its preconfigured endpoints
#: (docs.databricks.com, machine-learning/model-serving/create-manage-serving-endpoints).
RESERVED_ENDPOINT_PREFIX = "databricks-"


def _gpu_spec(ctx: Context) -> bool:
    """Whether the spec's runtime is a GPU one: ``runtime.cuda`` set, or ``runtime.databricks``
    naming a gpu-ml runtime (read from the typed input: the runtime section validates separately)."""
    from specc.runtimes import resolve_runtime

    rt = ctx.inp.runtime if ctx.inp is not None else None
    if rt is None:
        return False
    if rt.cuda is not None:
        return True
    key = resolve_runtime(rt.databricks) if rt.databricks else None
    return key is not None and "-gpu-" in key


def _serving(ctx: Context, sec: ServingInput | None) -> Serving | None:
    """None when the spec has no serving section (nothing is rendered for serving then)."""
    if sec is None:
        return None
    path = ("targets", "databricks", "serving")
    name = sec.endpoint_name
    if name is not None:
        if not ctx.check(ENDPOINT_NAME, (*path, "endpoint-name"), name):
            name = None
        elif name.lower().startswith(RESERVED_ENDPOINT_PREFIX):
            ctx.error(
                ENDPOINT_NAME.code,
                (*path, "endpoint-name"),
                f'serving endpoint name "{name}" starts with "{RESERVED_ENDPOINT_PREFIX}", which Databricks reserves '
                "for its own endpoints",
                f'e.g. "{name[len(RESERVED_ENDPOINT_PREFIX) :] or "model"}"',
            )
            name = None
    size = sec.workload_size
    if not ctx.check(WORKLOAD_SIZE, (*path, "workload-size"), size):
        size = "Small"
    wtype = sec.workload_type
    if wtype is not None and not ctx.check(WORKLOAD_TYPE, (*path, "workload-type"), wtype):
        wtype = None
    if wtype is None:
        wtype = "GPU_SMALL" if _gpu_spec(ctx) else "CPU"
    ctx.record(path, Origin(path))
    _record_set(ctx, path, sec.model_fields_set)
    return Serving(
        endpoint_name=name,
        workload_size=size,
        workload_type=wtype,
        scale_to_zero=sec.scale_to_zero,
        route_optimized=sec.route_optimized,
    )


def _cluster(ctx: Context, sec: ClusterInput | None) -> Cluster:
    if sec is None:
        return Cluster()
    path = ("targets", "databricks", "cluster")
    workers, auto = sec.workers, sec.autoscale
    if workers is not None and auto is not None:
        ctx.error(
            "SPC124",
            (*path, "autoscale"),
            "give either `workers` or `autoscale`, not both",
            "drop `workers` for an autoscaling cluster, or `autoscale` for a fixed size",
        )
    if workers is not None and not ctx.check_range(WORKERS, (*path, "workers"), workers):
        workers = None
    autoscale = None
    if auto is not None:
        lo, hi = auto.min, auto.max
        if not (AUTOSCALE_MIN.contains(lo) and AUTOSCALE_MAX.contains(hi)) or lo > hi:
            ctx.error(AUTOSCALE_MIN.code, (*path, "autoscale"), *AUTOSCALE_MIN.describe(lo, min=lo, max=hi))
        else:
            autoscale = Autoscale(min=lo, max=hi)
    mode = sec.data_security_mode
    if mode is not None and mode not in SECURITY_MODES:
        import difflib  # only for a suggestion

        close = difflib.get_close_matches(mode.upper(), SECURITY_MODES, n=1)
        ctx.error(
            "SPC105",
            (*path, "data-security-mode"),
            f'unknown data-security-mode "{mode}"',
            f'did you mean "{close[0]}"?' if close else "one of " + ", ".join(SECURITY_MODES),
        )
        mode = None
    _record_set(ctx, path, sec.model_fields_set)
    return Cluster(
        node_type=sec.node_type,
        workers=None if autoscale else (workers if workers is not None else 1),
        autoscale=autoscale,
        data_security_mode=mode or "SINGLE_USER",
    )
