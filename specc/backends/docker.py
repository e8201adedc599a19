"""``specc render --target docker``: a Dockerfile and a complete build context.

Python decides, the template (``targets/docker/Dockerfile.j2``) lays out.  This
module builds one frozen :class:`DockerView` in which every decision is made:
which layers exist, their order, every value already quoted by
:mod:`specc.quoting`.  Layer order is designed for models (most stable first)::

    base (+ non-root user) -> apt packages + private debs -> R/Java runtimes
    -> python venv + pip install (secrets mounted on that step only)
    -> Maven jars (resolved by Ivy in a separate stage) + private jars
    -> R packages + private sources -> ENV -> code -> model -> serving

Files copied into dependency layers (``deps/<ecosystem>/``) carry only their own
ecosystem's hash, never a hash of code or artifacts, so editing model code (or
the model) leaves every dependency layer cached.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from specc import __version__
from specc.backends.base import (
    REQUIREMENT_FIELDS,
    CapabilityTable,
    Condition,
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
from specc.backends.shared import file_name, index_lines, pip_urls, requirement_lines, secret_names
from specc.diagnostics import Diagnostic, Severity
from specc.quoting import dockerfile_env_value, dockerfile_json, dockerfile_shquote, rquote
from specc.spec import EnvSpec

if TYPE_CHECKING:
    from specc.lockfile import LockFile

TARGET = "docker"


def render_template(name: str, /, **view: object) -> str:
    from specc.templating import render_template as render  # jinja2: only when rendering

    return render(name, **view)


@dataclass(frozen=True)
class DockerOptions(RenderOptions):
    """Options of ``specc render --target docker``."""

    model_dir: Path | None = field(
        default=None,
        metadata=flag("--model", "a logged MLflow model to copy in and serve", kind="model", metavar="DIR_OR_URI"),
    )
    locked: LockFile | None = field(
        default=None, metadata=flag("--locked", "use exact pins from model-env.lock; fail if it is stale", kind="lock")
    )


VENV = "/opt/venv"
STAGING = "/tmp/specc"  # dependency files are COPY'd here, installed, then removed
CODE_DIR = "/opt/specc/code"
JARS_DIR = "/opt/specc/jars"
MODEL_DIR = "/opt/model"
USER_NAME = "model"
USER_UID = 10001

#: What serves the model when the spec names no mlflow itself: mlflow-skinny has the
#: ``mlflow models serve`` CLI and its uvicorn scoring server without the tracking server.
DEFAULT_SERVING_MLFLOW = "mlflow-skinny==3.17.2"
MAVEN_CENTRAL = "https://repo1.maven.org/maven2/"
CRAN_DEFAULT = "https://cloud.r-project.org"

#: runtime.cuda (major.minor) -> the newest nvidia/cuda runtime tag of that line.  The
#: Ubuntu 22.04 images exist for every 11.8-12.6 line; none ships Python 3.11, which the
#: Dockerfile installs from the deadsnakes PPA.
CUDA_TAGS = {
    "11.8": "11.8.0",
    "12.0": "12.0.1",
    "12.1": "12.1.1",
    "12.2": "12.2.2",
    "12.3": "12.3.2",
    "12.4": "12.4.1",
    "12.5": "12.5.1",
    "12.6": "12.6.3",
}

# --- the view -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretMount:
    id: str  # BuildKit secret id, mounted at /run/secrets/<id>
    env: str  # the ${NAME} the requirements file expands


@dataclass(frozen=True)
class DockerView:
    """Everything the Dockerfile template lays out; every value already quoted."""

    specc_version: str
    model_name: str
    dependency_hash: str
    base_image: str
    from_flags: str  # "--platform=linux/amd64 " or ""
    install_python: tuple[str, ...]  # apt packages that bring Python (CUDA bases), quoted
    use_ppa: bool
    python_bin: str
    python_check: str  # a quoted python -c program asserting the interpreter version
    apt_packages: tuple[str, ...]  # quoted words: names, name=version, staged .deb paths
    apt_debs: bool
    runtime_packages: tuple[str, ...]  # quoted: R and/or a Java runtime
    pip: bool
    pip_secrets: tuple[SecretMount, ...]
    pip_args: tuple[str, ...]  # lines of quoted words after "pip install"
    maven_stage: bool
    maven_jars: bool  # private jars shipped with the spec
    java: bool
    r: bool
    env: tuple[tuple[str, str], ...]  # (KEY, quoted value)
    env_label: str  # what the ENV block holds, for its comment
    code: bool
    model: bool
    serve: bool
    port: int
    entrypoint: str  # JSON exec form
    healthcheck: str  # JSON exec form
    staging: str = STAGING
    venv: str = VENV
    code_dir: str = CODE_DIR
    jars_dir: str = JARS_DIR
    model_dir: str = MODEL_DIR
    user_name: str = USER_NAME
    user_uid: int = USER_UID


# --- helpers --------------------------------------------------------------------------------


def _diag(
    code: str, severity: Severity, path: tuple[str | int, ...], message: str, hint: str | None = None
) -> Diagnostic:
    return Diagnostic.create(code, severity=severity, message=message, path=path, hint=hint)


def _source(spec: EnvSpec, rel: str) -> Path:
    base = Path(spec.base_dir) if spec.base_dir else Path.cwd()
    return base / rel


def default_base_image(spec: EnvSpec) -> str | None:
    """``python:<runtime.python>-slim-bookworm``, or the CUDA runtime image for ``runtime.cuda``."""
    if spec.runtime.cuda:
        major_minor = ".".join(spec.runtime.cuda.split(".")[:2])
        tag = CUDA_TAGS.get(major_minor)
        if tag is None:
            return None
        return f"nvidia/cuda:{tag}-runtime-ubuntu22.04"
    return f"python:{spec.runtime.python}-slim-bookworm"


# --- context files --------------------------------------------------------------------------


def _ivy_files(spec: EnvSpec) -> tuple[bytes, bytes]:
    """``ivysettings.xml`` (one chain of Maven-layout repositories) and ``ivy.xml``."""
    import xml.etree.ElementTree as ET  # only a spec with Maven packages pays for the import

    repos: list[str] = []
    for pkg in spec.maven.packages:
        if pkg.repository and pkg.repository not in repos:
            repos.append(pkg.repository)
    default_repo = spec.maven.repository or MAVEN_CENTRAL
    if default_repo not in repos:
        repos.append(default_repo)

    settings = ET.Element("ivysettings")
    ET.SubElement(settings, "settings", defaultResolver="specc")
    resolvers = ET.SubElement(settings, "resolvers")
    chain = ET.SubElement(resolvers, "chain", name="specc", returnFirst="true")
    for i, url in enumerate(repos):
        root = url if url.endswith("/") else url + "/"
        ET.SubElement(chain, "ibiblio", name=f"repo{i}", m2compatible="true", root=root)

    module = ET.Element("ivy-module", {"version": "2.0", "xmlns:m": "http://ant.apache.org/ivy/maven"})
    ET.SubElement(module, "info", organisation="specc", module=spec.model.name)
    deps = ET.SubElement(module, "dependencies")
    for pkg in spec.maven.packages:
        c = pkg.coords
        dep = ET.SubElement(deps, "dependency", org=c.group, name=c.artifact, rev=c.version, conf="default->default")
        if c.packaging:  # group:artifact:packaging[:classifier]:version
            attrs = {"name": c.artifact, "type": c.packaging, "ext": c.packaging}
            if c.classifier:
                attrs["m:classifier"] = c.classifier
            ET.SubElement(dep, "artifact", attrs)
        for org, name in pkg.excluded:
            ET.SubElement(dep, "exclude", org=org, module=name)

    def dump(elem: ET.Element) -> bytes:
        ET.indent(elem)
        head = f"<!-- Rendered by specc {__version__}; maven dependency hash {spec.hashes.maven} -->\n"
        return (head + ET.tostring(elem, encoding="unicode") + "\n").encode("utf-8")

    return dump(settings), dump(module)


def _install_r(spec: EnvSpec, sources: list[str]) -> str:
    default_repo = spec.r.repository or CRAN_DEFAULT
    plain = [p for p in spec.r.packages if p.version is None]
    pinned = [p for p in spec.r.packages if p.version is not None]
    groups: dict[str, list[str]] = {}
    for p in plain:
        groups.setdefault(p.repository or default_repo, []).append(p.name)
    return render_template(
        "docker/install.R.j2",
        specc_version=__version__,
        r_hash=spec.hashes.r,
        default_repo=rquote(default_repo),
        groups=[(rquote(repo), ", ".join(rquote(n) for n in names)) for repo, names in groups.items()],
        pinned=[(rquote(p.name), rquote(p.version or ""), rquote(p.repository or default_repo)) for p in pinned],
        sources=[rquote(f"{STAGING}/r/sources/{name}") for name in sources],
        all_names=", ".join(rquote(n) for n in [p.name for p in spec.r.packages] + [s.split("_")[0] for s in sources]),
    )


# --- decisions ------------------------------------------------------------------------------


# --- capabilities ---------------------------------------------------------------------------


def _no_default_cuda_image(spec: EnvSpec, _facts: Facts, _use: Use) -> bool:
    return not spec.targets.docker.base_image and default_base_image(spec) is None


def _ppa_patch_mismatch(spec: EnvSpec, _facts: Facts, _use: Use) -> bool:
    return bool(spec.runtime.cuda) and not spec.targets.docker.base_image and spec.runtime.python.count(".") == 2


_CONTROL = "SPC334"
_INSTALLER_NAME = "SPC407"
_TARGET_OWNED = "SPC408"
_SECRET_NOT_IN_IMAGE = "SPC344"
_SECRET_ID_COLLISION = "SPC345"


def _owned(*groups: str) -> Condition:
    return lambda _spec, _facts, use: use.values["group"] in groups


def _owned_rules(section: str) -> tuple[Unsupported, ...]:
    """SPC408 (specc.backends.owned): names the image sets itself; Databricks' names are no concern here."""
    where = (
        "ENV would replace it in the image"
        if section == "env"
        else "the container gets it under this name (exported on the pip step, passed at docker run)"
    )
    return (
        Unsupported(
            _TARGET_OWNED,
            "error",
            "{name} is set by {owner}: " + where + ", dropping what the image set (PATH and VIRTUAL_ENV "
            f"point at {VENV}, where the ENTRYPOINT's mlflow is; PYTHONPATH holds {CODE_DIR})",
            "remove it; a folder reaches sys.path through [code] paths, packages through [python]",
            when=_owned("python"),
        ),
        Unsupported(
            _TARGET_OWNED,
            "error",
            "{name} is set by {owner}: the name is reserved on every target",
            "rename it (and every ${{{name}}} placeholder naming it), e.g. MY_{name}",
            when=_owned("specc"),
        ),
        Unsupported(
            _TARGET_OWNED,
            "warning",
            "{name} is read by {owner}: the image would set it for every process in the container (and a CUDA "
            "base image's own LD_LIBRARY_PATH, how it finds the driver, would be replaced)",
            "keep it only if every process should see it (e.g. a preloaded allocator); else rename it, e.g. MY_{name}",
            when=_owned("loader"),
        ),
    )


def _pip_secret_names(spec: EnvSpec) -> list[str]:
    """The secrets mounted and exported on the pip step (those its URLs name)."""
    return secret_names(pip_urls(spec.python))


_FILES_CLASH = Unsupported(
    "SPC337",
    "error",
    'two {section} files are named "{name}"; the build context holds one folder per ecosystem',
    "rename one of them",
)


def _clash(section: str) -> Unsupported:
    from dataclasses import replace

    return replace(_FILES_CLASH, message=_FILES_CLASH.message.replace("{section}", section))


#: What the Docker target expresses (SPC33x).  Keys: specc.backends.features.
CAPABILITIES: CapabilityTable = {
    **answer_all(Supported(), "spec-version", "model", "model.name", "runtime"),
    "runtime.python": Unsupported(
        "SPC332",
        "warning",
        "the CUDA image gets Python {minor} from the deadsnakes PPA, whose patch version is its latest, not {python}",
        "write runtime.python as major.minor, or set targets.docker.base-image to an image with that Python",
        when=_ppa_patch_mismatch,
    ),
    "runtime.cuda": Unsupported(
        "SPC335",
        "error",
        "no default CUDA base image for CUDA {cuda}",
        "set targets.docker.base-image, or use one of CUDA " + ", ".join(CUDA_TAGS),
        when=_no_default_cuda_image,
    ),
    "runtime.databricks": Unsupported(
        "SPC331",
        "warning",
        "the Docker image does not reproduce Databricks Runtime {databricks}: it holds only what the spec "
        "lists, not the runtime's preinstalled libraries or Spark",
        "list every library the model imports in python.requirements (the Databricks target's "
        "compatibility check keeps the versions consistent), then say so: targets.docker.standalone = true",
        when=lambda spec, _facts, _use: not spec.targets.docker.standalone,
    ),
    "runtime.overrides": Ignored("an acknowledgement about the Databricks runtime's packages"),
    **answer_all(
        Supported("pip install from deps/python/requirements.txt"),
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
    ),
    **answer_all(
        Supported("expanded by pip from BuildKit secrets mounted on the pip step only"),
        "python.index-url:credentials",
        "python.extra-index-urls:credentials",
        "python.requirements:url-credentials",
    ),
    "python.index-url:control-characters": Unsupported(_CONTROL, "error", "an index URL with control characters"),
    "python.extra-index-urls:control-characters": Unsupported(
        _CONTROL, "error", "an index URL with control characters"
    ),
    "python.requirements:control-characters": Unsupported(_CONTROL, "error", "a requirement with control characters"),
    "python.wheels:same-name": _clash("python.wheels"),
    **answer_all(Supported("COPY'd to /opt/specc/code, on PYTHONPATH"), "code", "code.paths", "code.paths.path"),
    "code.paths:file-names": Supported("validation rejects two code paths with one name (SPC206)"),
    **answer_all(
        Supported("apt-get install in one layer"),
        "apt",
        "apt.packages",
        "apt.packages.name",
        "apt.packages.version",
        "apt.debs",
        "apt.debs.path",
        "apt.debs.sha256",
    ),
    "apt.debs:same-name": _clash("apt.debs"),
    **answer_all(
        Supported("resolved by Ivy in a separate stage"),
        "maven",
        "maven.repository",
        "maven.packages",
        "maven.packages.coordinates",
        "maven.packages.exclusions",
        "maven.packages.repository",
        "maven.jars",
        "maven.jars.path",
        "maven.jars.sha256",
    ),
    "maven.packages:authenticated-repository": Unsupported(
        "SPC333",
        "error",
        "the Docker target cannot pass credentials to a maven repository",
        "serve the repository without authentication inside the build network, or vendor the packages as maven.jars",
        at=("maven", "repository"),
    ),
    "maven.repository:control-characters": Unsupported(
        _CONTROL, "error", "a maven repository URL with control characters", at=("maven", "repository")
    ),
    "maven.jars:same-name": _clash("maven.jars"),
    **answer_all(
        Supported("install.R"),
        "r",
        "r.repository",
        "r.packages",
        "r.packages.name",
        "r.packages.version",
        "r.packages.repository",
        "r.sources",
        "r.sources.path",
        "r.sources.sha256",
    ),
    "r.packages:authenticated-repository": Unsupported(
        "SPC333",
        "error",
        "the Docker target cannot pass credentials to a r repository",
        "serve the repository without authentication inside the build network, or vendor the packages as r.sources",
        at=("r", "repository"),
    ),
    "r.repository:control-characters": Unsupported(
        _CONTROL, "error", "a r repository URL with control characters", at=("r", "repository")
    ),
    "r.sources:same-name": _clash("r.sources"),
    "env": Supported("ENV"),
    "env:dollar": Supported("[env] values are literal: ENV escapes $ (\\$)"),
    "apt.packages:version-pin": Supported("the base image's Debian archive versions"),
    "r:standard-access-mode": Supported("no access modes in an image"),
    "env:installer-option": Unsupported(
        _INSTALLER_NAME,
        "warning",
        "{name} is read by {tool}: ENV sets it in the image after the installs, so a tool run in the "
        "container (MLflow's environment managers, pip, Rscript, java) reads it as its option",
        "rename it to a name no tool reads, e.g. MY_{name}",
        when=lambda _spec, _facts, use: use.values["group"] != "apt",
    ),
    # a secret no URL names is passed at docker run (SPC344): a tool in the container reads it, as [env]
    "secrets:installer-option": (
        Unsupported(
            _INSTALLER_NAME,
            "error",
            "{name} is read by {tool}: the pip step exports the build secret under its name, so pip reads it as "
            "one of its options (and prints a bad value in its error)",
            "rename it (and every ${{{name}}} placeholder naming it) to a name no tool reads, e.g. MY_{name}",
            when=lambda spec, _facts, use: (
                use.values["group"] == "pip" and use.values["name"] in _pip_secret_names(spec)
            ),
        ),
        Unsupported(
            _INSTALLER_NAME,
            "warning",
            "{name} is read by {tool}: passed to the container at docker run (no URL of the build names it), "
            "so a tool run in the container reads it as its option",
            "rename it to a name no tool reads, e.g. MY_{name}",
            when=lambda spec, _facts, use: (
                use.values["group"] != "apt" and use.values["name"] in _runtime_secrets(spec)
            ),
        ),
    ),
    "env:control-characters": Unsupported(
        _CONTROL,
        "error",
        "a Dockerfile ENV value cannot hold a line break or another control character",
        "put multi-line values in a file shipped with the code and point the variable at it",
    ),
    "env:shell-quoting": Supported('ENV escapes \\ and " inside its double quotes'),
    "env:target-owned": _owned_rules("env"),
    "secrets:target-owned": _owned_rules("secrets"),
    "secrets.docker:same-id": Unsupported(
        _SECRET_ID_COLLISION,
        "error",
        'secrets {first} and {name} both use the Docker secret id "{id}": the build mounts and the run passes one '
        "value for both, so one of them gets the other's credential",
        'give {name} its own id: docker = "<id>" in [secrets.{name}] (the default is the name in lower case)',
    ),
    "secrets:not-in-urls": Unsupported(
        _SECRET_NOT_IN_IMAGE,
        "warning",
        "secret {name} is named by no URL the build reads: the build does not use it and the image does not "
        "carry it, so the container has it only when it is passed at run time",
        "pass it when running the image: docker run -e {name} ... (BUILD.md shows it), or --env-file with a file "
        "kept outside the build context",
    ),
    **answer_all(Supported("BuildKit secret ids"), "secrets", "secrets.docker", "secrets.description"),
    "secrets.databricks": Ignored("the Databricks mapping of a secret"),
    "secrets.databricks:unset": Ignored("the Databricks mapping of a secret"),
    "artifacts": Ignored("MLflow artifacts travel inside the logged model (--model)"),
    "mlflow": Ignored("how specc compile fills log_model"),
    "targets": Supported(),
    **answer_all(
        Supported(),
        "targets.docker",
        "targets.docker.base-image",
        "targets.docker.platform",
        "targets.docker.serve",
        "targets.docker.port",
        "targets.docker.standalone",
    ),
    "targets.docker.base-image:tag-only": Unsupported(
        "SPC330",
        "warning",
        'base image "{image}" is a tag without a digest; it can change under you',
        'pin it: docker buildx imagetools inspect {image} (or skopeo inspect), then write "{image}@sha256:<digest>"',
    ),
    "targets.databricks": Ignored("options of the Databricks target"),
}


class DockerBackend:
    """The Docker target (see the module docstring)."""

    name = TARGET
    options_type = DockerOptions
    capabilities = CAPABILITIES

    def facts(self, spec: EnvSpec, options: RenderOptions | None = None) -> Facts:
        return Facts(values=_values(spec))

    def render(self, spec: EnvSpec, options: RenderOptions) -> Rendered:
        return render(spec, options)


def _values(spec: EnvSpec) -> dict[str, str]:
    return {
        "python": spec.runtime.python,
        "minor": spec.runtime.python_minor,
        "cuda": spec.runtime.cuda or "",
        "databricks": spec.runtime.databricks or "",
    }


BACKEND = DockerBackend()


# --- serving a logged model (--model) ---------------------------------------------------------

#: Names that bring ``mlflow models serve``; the model's ``mlflow==`` pin (MLflow adds one to
#: every model) is served by ``mlflow-skinny`` at the same version (see :func:`serving_lines`).
MLFLOW_NAMES = frozenset({"mlflow", "mlflow-skinny"})

#: What ``mlflow models serve --env-manager local`` imports beyond mlflow-skinny, by MLflow major
#: version.  Read from MLflow 3.17.2's source (and proven by tests/test_docker_serve_build.py):
#: ``mlflow.pyfunc`` imports numpy at module level, ``mlflow.pyfunc.scoring_server`` imports
#: pandas to parse every request; its FastAPI app runs under uvicorn, and fastapi, starlette and
#: uvicorn are requirements of mlflow-skinny 3.x.  MLflow 2's scoring server is a Flask app run
#: by gunicorn, neither of which mlflow-skinny 2.x brings.
SERVER_PACKAGES: dict[int, tuple[str, ...]] = {
    2: ("numpy", "pandas", "flask", "gunicorn"),
    3: ("numpy", "pandas"),
}
MODEL_STAGING = "deps/python/model"  # the model's local requirement files, in the build context


def _canon(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def _spec_names(spec: EnvSpec) -> set[str]:
    """Canonical names the spec installs itself: its requirements and its wheels' projects."""
    return {r.name for r in spec.python.requirements} | {w.project for w in spec.python.wheels}


@dataclass(frozen=True)
class ModelPip:
    """What a logged model adds to the image's one pip install (``--model``).

    Made from the model's ``requirements.txt`` (what MLflow logged: the flavor's defaults such as
    ``skops``, the model's own pins, ``code/<wheel>`` lines): lines naming a package the spec
    installs itself are left to the spec's line (``replaced``; ``specc check --model`` reports a
    version that differs), ``mlflow``/``mlflow-skinny`` lines are replaced by the server's
    :func:`serving_lines` (``mlflow_pin``), and local paths relative to the model folder are
    staged under ``deps/python/model/`` and rewritten to where the build finds them.
    """

    lines: tuple[str, ...] = ()  # requirement lines the image installs for the model
    named: tuple[tuple[str, str], ...] = ()  # (canonical name, line) of the named requirements among them
    wheels: tuple[tuple[str, str], ...] = ()  # (path in the image, sha256) of staged local wheels and sdists
    replaced: tuple[str, ...] = ()  # model lines left to the spec's own entries
    mlflow_pin: str | None = None  # the version of the model's ``mlflow==`` line
    problems: tuple[str, ...] = ()  # lines no build can install (absolute or missing paths)


def _local_project(name: str) -> str | None:
    """The canonical project name of a wheel or sdist file name, or None."""
    from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

    try:
        if name.endswith(".whl"):
            return str(parse_wheel_filename(name)[0])
        return str(parse_sdist_filename(name)[0])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def model_pip(spec: EnvSpec, model_dir: Path, files: dict[str, bytes | Path]) -> ModelPip:
    """Read ``model_dir/requirements.txt`` into a :class:`ModelPip`; stage its local files in ``files``.

    A model without the file adds nothing (``specc check --model`` reports SPC542).
    """
    from packaging.requirements import InvalidRequirement, Requirement

    from specc.hashing import sha256_file

    path = Path(model_dir) / "requirements.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ModelPip()
    spec_names = _spec_names(spec)
    spec_index = {" ".join(line.split()) for line in index_lines(spec.python)}
    lines: list[str] = []
    named: list[tuple[str, str]] = []
    wheels: list[tuple[str, str]] = []
    replaced: list[str] = []
    problems: list[str] = []
    pin: str | None = None

    def stage(rel: str) -> tuple[str, Path] | None:
        """(the image path, the model file) of ``rel``, staged; None when no build can find it."""
        parts = PurePosixPath(rel).parts
        src = Path(model_dir).joinpath(*parts)
        if rel.startswith(("/", "file:")) or ".." in parts or not src.exists():
            return None
        clean = PurePosixPath(*[p for p in parts if p != "."]).as_posix()
        files[f"{MODEL_STAGING}/{clean}"] = src
        return f"{STAGING}/python/model/{clean}", src

    for raw in text.splitlines():
        line = re.sub(r"(^|\s+)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            option, _, value = line.partition(" ")
            value = value.strip()
            if option in ("-c", "--constraint", "-r", "--requirement") and value:
                staged = (value, None) if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value) else stage(value)
                if staged is None:
                    problems.append(line)
                else:
                    lines.append(f"{option} {staged[0]}")
            elif " ".join(line.split()) not in spec_index:
                lines.append(line)  # an index the model was logged against, an editable install...
            continue
        try:
            req: Requirement | None = Requirement(line)
        except InvalidRequirement:
            req = None
        if req is not None and not (req.url is None and re.search(r"[/\\]|\.(whl|zip|tar\.gz)$", line)):
            name = _canon(req.name)
            if name in MLFLOW_NAMES:
                exact = [s.version for s in req.specifier if s.operator in ("==", "===")]
                pin = pin or (exact[0] if exact else None)
            elif name in spec_names:
                replaced.append(line)
            else:
                lines.append(line)
                named.append((name, line))
            continue
        # a local path relative to the model folder (MLflow writes code/<wheel> for shipped wheels)
        project = _local_project(PurePosixPath(line).name)
        if project is not None and project in spec_names:
            replaced.append(line)
            continue
        staged_file = stage(line)
        if staged_file is None:
            problems.append(line)
            continue
        where, src = staged_file
        lines.append(where)
        if src.is_file():
            wheels.append((where, sha256_file(src)))
    return ModelPip(tuple(lines), tuple(named), tuple(wheels), tuple(replaced), pin, tuple(problems))


def _logged_mlflow(options: DockerOptions, model: ModelPip | None) -> str | None:
    """The MLflow version the model was logged with: its ``mlflow==`` pin, else MLmodel's record."""
    if model is not None and model.mlflow_pin:
        return model.mlflow_pin
    return options.mlmodel.mlflow_version if options.mlmodel is not None else None


def serving_lines(spec: EnvSpec, logged_mlflow: str | None = None, model: ModelPip | None = None) -> list[str]:
    """The requirement lines the image adds so ``mlflow models serve`` runs.

    ``mlflow-skinny`` at the version the model was logged with (``logged_mlflow``; default
    :data:`DEFAULT_SERVING_MLFLOW`) unless the spec names mlflow itself, then the packages the
    scoring server imports (:data:`SERVER_PACKAGES`) that neither the spec nor the model names:
    unpinned, so they resolve together with everything else in the one pip install.  Only
    for an image that serves; with ``--locked`` the lock must pin them instead (SPC338).
    """
    names = _spec_names(spec) | {n for n, _ in (model.named if model else ())}
    out = []
    version = logged_mlflow or DEFAULT_SERVING_MLFLOW.split("==")[1]
    spec_mlflow = None
    if not names & MLFLOW_NAMES:
        out.append(f"mlflow-skinny=={version}")
    else:  # only then can the spec pin it: no second pass over 100,000 requirements otherwise
        spec_mlflow = _spec_mlflow_version(spec)
    served = spec_mlflow or version
    major = int(served.split(".")[0]) if served.split(".")[0].isdigit() else 3
    out += [p for p in SERVER_PACKAGES[min(max(major, 2), 3)] if p not in names]
    return out


def _spec_mlflow_version(spec: EnvSpec) -> str | None:
    """The version of the spec's own ``mlflow``/``mlflow-skinny==`` pin, if any."""
    for r in spec.python.requirements:
        if r.name in MLFLOW_NAMES and r.pinned_version:
            return r.pinned_version
    return None


def _model_check(spec: EnvSpec, options: DockerOptions, model: ModelPip | None) -> list[Diagnostic]:
    """--model: the spec's own mlflow pin against the model's (SPC336); lines no build installs (SPC339)."""
    if options.model_dir is None:
        return []
    diags: list[Diagnostic] = []
    logged = _logged_mlflow(options, model)
    served = _spec_mlflow_version(spec)
    if logged and served and served != logged:
        diags.append(
            _diag(
                "SPC336",
                "warning",
                ("python", "requirements"),
                f"the model was logged with mlflow {logged}; the image serves it with the spec's mlflow {served}",
                f'pin "mlflow-skinny=={logged}" (or "mlflow=={logged}") in python.requirements, '
                "or leave mlflow out: the image then serves with the version the model was logged with",
            )
        )
    for line in model.problems if model else ():
        diags.append(
            _diag(
                "SPC339",
                "error",
                (),
                f"the model's requirements.txt has `{line}`, which the image cannot install: "
                "an absolute path, or a file that is not in the model folder",
                "log the model with the file in its code paths (specc.mlflow.log_model ships the spec's wheels)",
            )
        )
    return diags


def _locked_platform(spec: EnvSpec) -> str:
    """The image's platform as the lock names it: the one answer of :func:`specc.lockfile.target_platform`."""
    from specc.lockfile import target_platform

    return target_platform(spec, "docker")[0]


def _locked_check(spec: EnvSpec, options: DockerOptions, model: ModelPip | None) -> list[Diagnostic]:
    """--locked: the lock must cover the image's platform and everything the image installs:
    the server's packages (SPC338) and the model's requirements (SPC339)."""
    lock = options.locked
    if lock is None:
        return []
    diags = []
    plat = _locked_platform(spec)
    if plat not in lock.python.platforms:
        diags.append(
            _diag(
                "SPC338",
                "error",
                ("targets", "docker", "platform"),
                f"model-env.lock has no resolution for the image's platform {plat} "
                f"(it has {', '.join(lock.python.platforms)})",
                f"run: specc lock --platform {plat}",
            )
        )
    locked = {_canon(p.name): p for p in lock.python_packages(plat if plat in lock.python.platforms else None)}
    serve = spec.targets.docker.serve or options.model_dir is not None
    if serve:
        wanted = serving_lines(spec, _logged_mlflow(options, model), model)
        missing = [w for w in wanted if _canon(w.split("==")[0]) not in locked]
        if any(_canon(w.split("==")[0]) in MLFLOW_NAMES for w in wanted) and locked.keys() & MLFLOW_NAMES:
            missing = [w for w in missing if _canon(w.split("==")[0]) not in MLFLOW_NAMES]
        if missing:
            diags.append(
                _diag(
                    "SPC338",
                    "error",
                    ("python", "requirements"),
                    "--locked: the model server needs " + ", ".join(f"`{m}`" for m in missing) + ", which "
                    "model-env.lock does not pin (pip --require-hashes installs nothing without a locked hash)",
                    "add " + ", ".join(f'"{m}"' for m in missing) + " to python.requirements and run specc lock",
                )
            )
    for name, line in model.named if model else ():
        from packaging.requirements import Requirement
        from packaging.version import InvalidVersion, Version

        pkg = locked.get(name)
        req = Requirement(line)
        try:
            ok = pkg is not None and (
                req.url is None and (not pkg.version or req.specifier.contains(Version(pkg.version), prereleases=True))
            )
        except InvalidVersion:
            ok = False
        if ok:
            continue
        have = "does not pin it" if pkg is None else f"has {name}=={pkg.version}"
        diags.append(
            _diag(
                "SPC339",
                "error",
                ("python", "requirements"),
                f"--locked: the model requires `{line}` (its requirements.txt) and model-env.lock {have}",
                f'add "{line}" to python.requirements and run specc lock, so the image installs what the model '
                "was logged with",
            )
        )
    return diags


def _requirements_txt(spec: EnvSpec, model: ModelPip | None, serving: list[str]) -> str:
    lines = [
        f"# Rendered by specc {__version__}; python dependency hash {spec.hashes.python}",
        "# ${NAME} placeholders are expanded by pip from the build secrets (never stored in a layer).",
    ]
    lines += index_lines(spec.python)
    lines += requirement_lines(spec)
    if model is not None and (model.lines or model.replaced):
        lines.append("# The model's requirements.txt (as MLflow logged it, the flavor's defaults included),")
        lines.append("# resolved together with the spec's in this one install:")
        if model.replaced:
            lines.append("# (the spec's own lines stand for: " + ", ".join(model.replaced) + ")")
        lines += model.lines
    if serving:
        lines.append("# What `mlflow models serve` needs: mlflow-skinny and what its scoring server imports.")
        lines += serving
    return "\n".join(lines) + "\n"


def _constraints_txt(spec: EnvSpec) -> str:
    head = f"# Rendered by specc {__version__}; python dependency hash {spec.hashes.python}"
    return "\n".join([head, *(c.line for c in spec.python.constraints)]) + "\n"


def _locked_requirements_txt(spec: EnvSpec, lock: LockFile, wheels: list[str], model: ModelPip | None) -> str:
    lines = [
        f"# Rendered by specc {__version__} from model-env.lock (python dependency hash {spec.hashes.python}):",
        "# exact pins with sha256 hashes, installed with pip --require-hashes.",
        "# ${NAME} placeholders are expanded by pip from the build secrets (never stored in a layer).",
    ]
    lines += index_lines(spec.python)
    lines += requirement_lines(spec, lock, platform=_locked_platform(spec), hashes=True)
    for ref, name in zip(spec.python.wheels, wheels, strict=True):
        lines.append(f"{STAGING}/python/wheels/{name} --hash=sha256:{ref.sha256}")
    for where, sha in model.wheels if model else ():
        lines.append(f"{where} --hash=sha256:{sha}")  # the model's own files, hashed as shipped
    return "\n".join(lines) + "\n"


def _pip_step(
    spec: EnvSpec,
    serve: bool,
    files: dict[str, bytes | Path],
    locked: LockFile | None = None,
    model: ModelPip | None = None,
    serving: list[str] | None = None,
) -> tuple[bool, list[SecretMount], list[list[str]]]:
    serving = (serving or []) if serve and locked is None else []
    wheels = [file_name(w.path) for w in spec.python.wheels]
    model_lines = model.lines if model is not None and locked is None else ()
    model_wheels = model.wheels if model is not None and locked is not None else ()
    if not (spec.python.requirements or serving or wheels or model_lines or model_wheels):
        return False, [], []
    if locked is not None:
        # Every package, the spec's own wheels included, with its hash: one hash-checked install.
        files["deps/python/requirements.txt"] = _locked_requirements_txt(spec, locked, wheels, model).encode("utf-8")
        args = [["--require-hashes", "--requirement", f"{STAGING}/python/requirements.txt"]]
        for ref, name in zip(spec.python.wheels, wheels, strict=True):
            files[f"deps/python/wheels/{name}"] = _source(spec, ref.path)
        return True, _pip_mounts(spec), args
    files["deps/python/requirements.txt"] = _requirements_txt(spec, model, serving).encode("utf-8")
    args = [["--requirement", f"{STAGING}/python/requirements.txt"]]
    if spec.python.constraints:
        files["deps/python/constraints.txt"] = _constraints_txt(spec).encode("utf-8")
        args.append(["--constraint", f"{STAGING}/python/constraints.txt"])
    for ref, name in zip(spec.python.wheels, wheels, strict=True):
        files[f"deps/python/wheels/{name}"] = _source(spec, ref.path)
        args.append([f"{STAGING}/python/wheels/{name}"])
    return True, _pip_mounts(spec), args


def _pip_mounts(spec: EnvSpec) -> list[SecretMount]:
    mounts = []
    for name in secret_names(pip_urls(spec.python)):
        secret = spec.secrets.get(name)
        mounts.append(SecretMount(id=secret.docker if secret else name.lower(), env=name))
    return mounts


def build_view(
    spec: EnvSpec, options: DockerOptions, files: dict[str, bytes | Path], model_reqs: ModelPip | None = None
) -> DockerView:
    """Make every decision; fill ``files`` with the build context (besides the Dockerfile).

    ``model_reqs``: what ``options.model_dir`` adds to the pip step (:func:`model_pip`; read here when None).
    """
    docker = spec.targets.docker
    if model_reqs is None and options.model_dir is not None:
        model_reqs = model_pip(spec, options.model_dir, files)
    model = options.model_dir is not None
    serve = docker.serve or model
    cuda_default = spec.runtime.cuda is not None and not docker.base_image
    minor = spec.runtime.python_minor
    python_bin = f"python{minor}" if cuda_default else "python3"

    apt_words = [dockerfile_shquote(p.line) for p in spec.apt.packages]
    for ref in spec.apt.debs:
        name = file_name(ref.path)
        files[f"deps/apt/debs/{name}"] = _source(spec, ref.path)
        apt_words.append(dockerfile_shquote(f"{STAGING}/apt/debs/{name}"))

    java = bool(spec.maven.packages or spec.maven.jars)
    r = bool(spec.r.packages or spec.r.sources)
    runtime_packages = []
    if r:
        # r-base-dev brings the compilers most CRAN source packages need.
        runtime_packages += ["r-base-core", "r-base-dev"]
    if java:
        runtime_packages.append("default-jre-headless")

    serving = serving_lines(spec, _logged_mlflow(options, model_reqs), model_reqs) if serve else []
    pip, mounts, pip_args = _pip_step(spec, serve, files, options.locked, model_reqs, serving)

    if spec.maven.packages:
        settings, ivy = _ivy_files(spec)
        files["deps/maven/ivy/ivysettings.xml"] = settings
        files["deps/maven/ivy/ivy.xml"] = ivy
    for ref in spec.maven.jars:
        files[f"deps/maven/jars/{file_name(ref.path)}"] = _source(spec, ref.path)

    if r:
        sources = []
        for ref in spec.r.sources:
            name = file_name(ref.path)
            files[f"deps/r/sources/{name}"] = _source(spec, ref.path)
            sources.append(name)
        files["deps/r/install.R"] = _install_r(spec, sources).encode("utf-8")

    env: list[tuple[str, str]] = []
    if spec.code.paths:
        env.append(("PYTHONPATH", dockerfile_env_value(CODE_DIR)))
    env += [(k, dockerfile_env_value(v)) for k, v in sorted(spec.env.items())]
    for code in spec.code.paths:
        files[f"code/{file_name(code.path)}"] = _source(spec, code.path)
    if options.model_dir is not None:
        files["model"] = Path(options.model_dir)

    check = (
        "import sys; v = sys.version_info[:2]; "
        f"sys.exit(0 if v == ({minor.replace('.', ', ')}) else "
        f'"specc: this image has Python %d.%d, the spec asks for {minor}" % v)'
    )
    port = docker.port
    health = (
        "import sys, urllib.request; "
        f"sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:{port}/ping', timeout=5).status == 200 else 1)"
    )
    return DockerView(
        specc_version=__version__,
        model_name=spec.model.name,
        dependency_hash=spec.hashes.dependencies,
        base_image=docker.base_image or default_base_image(spec) or "scratch",
        from_flags=f"--platform={docker.platform} " if docker.platform else "",
        install_python=(dockerfile_shquote(f"python{minor}"), dockerfile_shquote(f"python{minor}-venv"))
        if cuda_default
        else (),
        use_ppa=cuda_default,
        python_bin=python_bin,
        python_check=dockerfile_shquote(check),
        apt_packages=tuple(apt_words),
        apt_debs=bool(spec.apt.debs),
        runtime_packages=tuple(runtime_packages),
        pip=pip,
        pip_secrets=tuple(mounts),
        pip_args=tuple(" ".join(dockerfile_shquote(w) for w in line) for line in pip_args),
        maven_stage=bool(spec.maven.packages),
        maven_jars=bool(spec.maven.jars),
        java=java,
        r=r,
        env=tuple(env),
        env_label=", ".join(
            ([f"PYTHONPATH for the code in {CODE_DIR}"] if spec.code.paths else []) + (["[env]"] if spec.env else [])
        ),
        code=bool(spec.code.paths),
        model=model,
        serve=serve,
        port=port,
        entrypoint=dockerfile_json(
            [
                "mlflow",
                "models",
                "serve",
                "--model-uri",
                MODEL_DIR,
                "--env-manager",
                "local",
                "--host",
                "0.0.0.0",
                "--port",
                str(port),
            ]
        ),
        healthcheck=dockerfile_json([f"{VENV}/bin/python", "-c", health]),
    )


def _build_md(spec: EnvSpec, view: DockerView) -> str:
    tag = f"{spec.model.name}:latest"
    docker_secrets = [f"--secret id={m.id},env={m.env}" for m in view.pip_secrets]
    buildah_secrets = [f"--secret id={m.id},src=./{m.id}.txt" for m in view.pip_secrets]
    platform = [f"--platform {spec.targets.docker.platform}"] if spec.targets.docker.platform else []
    # Secrets no URL names are the model's at run time (SPC344): passed by name, so the value
    # comes from the caller's environment and never appears in the command line or this file.
    runtime = _runtime_secrets(spec)
    passed = "".join(f"-e {name} " for name in runtime)
    run = f"docker run --rm {passed}" + (f"-p {view.port}:{view.port} {tag}" if view.serve else f"-it {tag}")
    return render_template(
        "docker/BUILD.md.j2",
        view=view,
        tag=tag,
        docker_cmd=" ".join(["DOCKER_BUILDKIT=1 docker build", *platform, *docker_secrets, "-t", tag, "."]),
        buildah_cmd=" ".join(["buildah bud --format docker --layers", *platform, *buildah_secrets, "-t", tag, "."]),
        run_cmd=run,
        runtime_secrets=runtime,
    )


def _runtime_secrets(spec: EnvSpec) -> list[str]:
    """The secrets the container needs at run time: those no URL of the build names (SPC344)."""
    from specc.backends.features import FEATURES

    return [str(use.values["name"]) for use in FEATURES["secrets:not-in-urls"].find(spec)]


def render(spec: EnvSpec, options: RenderOptions | None = None) -> Rendered:
    """Render the build context for ``spec`` (see the module docstring for the layer order).

    Diagnostics: the capability table's (the ones ``specc validate`` reports too), then those
    of the options (``--model`` SPC336/SPC339, ``--locked`` SPC338/SPC339); files only when none
    is an error.  ``options.mlmodel`` (read by the command) gives the model's MLflow version; the
    model's ``requirements.txt`` is read here (:func:`model_pip`).
    """
    opts: DockerOptions = narrow(options, DockerOptions)
    out = Rendered()
    out.diagnostics.extend(check_table(CAPABILITIES, spec, BACKEND.facts(spec, opts)))
    staged: dict[str, bytes | Path] = {}
    model = model_pip(spec, opts.model_dir, staged) if opts.model_dir is not None else None
    out.diagnostics.extend(_model_check(spec, opts, model))
    out.diagnostics.extend(_locked_check(spec, opts, model))
    if any(d.severity == "error" for d in out.diagnostics):
        return out
    out.files.update(staged)
    view = build_view(spec, opts, out.files, model)
    out.files["Dockerfile"] = render_template("docker/Dockerfile.j2", v=view).encode("utf-8")
    out.files[".dockerignore"] = render_template("docker/dockerignore.j2", v=view).encode("utf-8")
    out.files["BUILD.md"] = _build_md(spec, view).encode("utf-8")
    serving = serving_lines(spec, _logged_mlflow(opts, model), model) if spec.targets.docker.serve else []
    out.marks = _marks(spec, serving)
    return out


def _marks(spec: EnvSpec, served: Sequence[str] = ()) -> list[Mark]:
    """What each spec entry puts into the build context, for :attr:`Rendered.provenance`;
    each names its rule (the part of the image that installs it) for ``specc explain``.
    ``served``: the requirement lines the image adds to serve (:func:`serving_lines`)."""
    marks: list[Mark] = []
    if spec.python.requirements or spec.python.wheels:
        marks.append(Mark(f"{STAGING}/python/requirements.txt", ("python", "requirements"), "pip install layer"))
    if spec.python.constraints:
        marks.append(Mark(f"{STAGING}/python/constraints.txt", ("python", "constraints"), "pip install layer"))
    if spec.python.index_url:
        marks.append(Mark(spec.python.index_url, ("python", "index-url"), "pip index"))
    marks += [
        Mark(u, ("python", "extra-index-urls", i), "pip extra index")
        for i, u in enumerate(spec.python.extra_index_urls)
    ]
    marks += [
        Mark(r.line, ("python", "requirements", i), "pip requirement") for i, r in enumerate(spec.python.requirements)
    ]
    marks += [
        Mark(c.line, ("python", "constraints", i), "pip constraint") for i, c in enumerate(spec.python.constraints)
    ]
    marks += [
        Mark(f"python/wheels/{file_name(w.path)}", ("python", "wheels", i), "pip install layer: private wheel")
        for i, w in enumerate(spec.python.wheels)
    ]
    marks += [Mark(p.line, ("apt", "packages", i), "apt layer") for i, p in enumerate(spec.apt.packages)]
    marks += [
        Mark(f"apt/debs/{file_name(d.path)}", ("apt", "debs", i), "apt layer: private .deb")
        for i, d in enumerate(spec.apt.debs)
    ]
    marks += [
        Mark(p.artifact, ("maven", "packages", i), "Maven jars stage (Ivy)") for i, p in enumerate(spec.maven.packages)
    ]
    marks += [
        Mark(f"maven/jars/{file_name(j.path)}", ("maven", "jars", i), "Maven jars layer: private jar")
        for i, j in enumerate(spec.maven.jars)
    ]
    marks += [Mark(p.name, ("r", "packages", i), "R packages layer") for i, p in enumerate(spec.r.packages)]
    marks += [
        Mark(f"r/sources/{file_name(s.path)}", ("r", "sources", i), "R packages layer: private source")
        for i, s in enumerate(spec.r.sources)
    ]
    marks += [Mark(f"{k}=", ("env", k), "ENV layer") for k in spec.env]
    marks += [Mark(s.docker, ("secrets", name), "build secret") for name, s in spec.secrets.items()]
    marks += [
        Mark(f"code/{file_name(c.path)}", ("code", "paths", i), "code layer") for i, c in enumerate(spec.code.paths)
    ]
    if spec.code.paths:  # the step copying them, PYTHONPATH, and what the build context lets through
        marks += [
            Mark(f"COPY code/ {CODE_DIR}/", ("code", "paths"), "code layer"),
            Mark(f"PYTHONPATH={dockerfile_env_value(CODE_DIR)}", ("code", "paths"), "code layer: PYTHONPATH"),
            Mark("!code/", ("code", "paths"), "code layer"),
        ]
    # the Python the image must have: the venv's check, and the PPA's packages on a CUDA image
    minor = spec.runtime.python_minor
    marks += [
        Mark(f"the spec asks for {minor}", ("runtime", "python"), "Python version check"),
        Mark(f"python{minor}", ("runtime", "python"), "Python version check"),
        Mark(f"python{minor}-venv", ("runtime", "python"), "Python version check"),
    ]
    # the section-wide repositories
    if spec.maven.repository:
        marks.append(Mark(spec.maven.repository, ("maven", "repository"), "Maven jars stage (Ivy): repository"))
    if spec.r.repository:
        marks.append(Mark(spec.r.repository, ("r", "repository"), "R packages layer: repository"))
    if spec.targets.docker.platform:
        marks.append(
            Mark(f"--platform={spec.targets.docker.platform}", ("targets", "docker", "platform"), "build platform")
        )
    name = spec.model.name
    marks += [  # model.name in its contexts (a bare name could be any word of the templates)
        Mark(f"model {name};", ("model", "name"), "Dockerfile header"),
        Mark(f"`{name}`", ("model", "name"), "BUILD.md: the image's name"),
        Mark(f"{name}:latest", ("model", "name"), "image tag"),
        Mark(f'module="{name}"', ("model", "name"), "Maven jars stage (Ivy): module name"),
    ]
    if spec.targets.docker.serve:
        port = spec.targets.docker.port
        serving = ("targets", "docker", "serve")
        marks += [
            Mark(f"EXPOSE {port}", ("targets", "docker", "port"), "serving entrypoint"),
            # the ENTRYPOINT's `--port`, the HEALTHCHECK's URL, BUILD.md's `-p 8080:8080`
            Mark(f'"--port", "{port}"', ("targets", "docker", "port"), "serving entrypoint"),
            Mark(f"127.0.0.1:{port}/ping", ("targets", "docker", "port"), "serving entrypoint: health check"),
            Mark(f"{port}:{port}", ("targets", "docker", "port"), "serving entrypoint"),
            Mark('"mlflow", "models", "serve"', serving, "serving entrypoint"),
            Mark("HEALTHCHECK", serving, "serving entrypoint: health check"),
            # requirements.txt's serving part: its comment and each line serving_lines adds
            Mark("`mlflow models serve`", serving, "serving packages"),
        ]
        marks += [Mark(line, serving, "serving packages (what `mlflow models serve` imports)") for line in served]
    # a Maven package's own repository (ivysettings.xml's resolver for it)
    marks += [
        Mark(m.repository, ("maven", "packages", i, "repository"), "Maven jars stage (Ivy): repository")
        for i, m in enumerate(spec.maven.packages)
        if m.repository
    ]
    if spec.targets.docker.base_image:
        marks.append(Mark(spec.targets.docker.base_image, ("targets", "docker", "base-image"), "base image"))
    else:
        marks.append(Mark(default_base_image(spec) or "", ("runtime",), "base image (from the runtime)"))
    return marks
