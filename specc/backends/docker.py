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
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from specc import __version__
from specc.backends.base import (
    CapabilityTable,
    Facts,
    Ignored,
    Mark,
    Rendered,
    RenderOptions,
    Support,
    Supported,
    Unsupported,
    Use,
    check_table,
    flag,
    narrow,
)
from specc.backends.shared import file_name, index_lines, pip_urls, requirement_lines, secret_names
from specc.diagnostics import Diagnostic
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


def _diag(code: str, severity: str, path: tuple[str | int, ...], message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, severity, message, path, hint)  # type: ignore[arg-type]


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


def _python_minor(spec: EnvSpec) -> str:
    return ".".join(spec.runtime.python.split(".")[:2])


# --- context files --------------------------------------------------------------------------


def _requirements_txt(spec: EnvSpec, extra: list[str]) -> str:
    lines = [
        f"# Rendered by specc {__version__}; python dependency hash {spec.hashes.python}",
        "# ${NAME} placeholders are expanded by pip from the build secrets (never stored in a layer).",
    ]
    lines += index_lines(spec.python)
    lines += requirement_lines(spec)
    lines += extra
    return "\n".join(lines) + "\n"


def _constraints_txt(spec: EnvSpec) -> str:
    head = f"# Rendered by specc {__version__}; python dependency hash {spec.hashes.python}"
    return "\n".join([head, *(c.line for c in spec.python.constraints)]) + "\n"


def _ivy_files(spec: EnvSpec) -> tuple[bytes, bytes]:
    """``ivysettings.xml`` (one chain of Maven-layout repositories) and ``ivy.xml``."""
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
        parts = pkg.coordinates.split(":")
        dep = ET.SubElement(deps, "dependency", org=parts[0], name=parts[1], rev=parts[-1], conf="default->default")
        if len(parts) >= 4:  # group:artifact:packaging[:classifier]:version
            attrs = {"name": parts[1], "type": parts[2], "ext": parts[2]}
            if len(parts) == 5:
                attrs["m:classifier"] = parts[3]
            ET.SubElement(dep, "artifact", attrs)
        for excl in pkg.exclusions:
            org, name = excl.split(":")
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
_FILES_CLASH = Unsupported(
    "SPC337",
    "error",
    'two {section} files are named "{name}"; the build context holds one folder per ecosystem',
    "rename one of them",
)


def _clash(section: str) -> Unsupported:
    from dataclasses import replace

    return replace(_FILES_CLASH, message=_FILES_CLASH.message.replace("{section}", section))


def _all(support: Support, *keys: str) -> dict[str, Support]:
    return dict.fromkeys(keys, support)


#: What the Docker target expresses (SPC33x).  Keys: specc.backends.features.
CAPABILITIES: CapabilityTable = {
    **_all(Supported(), "spec-version", "model", "model.name", "runtime"),
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
    **_all(
        Supported("pip install from deps/python/requirements.txt"),
        "python",
        "python.requirements",
        *(f"python.requirements.{k}" for k in ("name", "version", "specifier", "extras", "markers", "url")),
        "python.requirements-files",
        "python.requirements-files.path",
        "python.requirements-files.sha256",
        "python.constraints",
        *(f"python.constraints.{k}" for k in ("name", "version", "specifier", "extras", "markers", "url")),
        "python.wheels",
        "python.wheels.path",
        "python.wheels.sha256",
        "python.index-url",
        "python.extra-index-urls",
    ),
    **_all(
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
    **_all(Supported("COPY'd to /opt/specc/code, on PYTHONPATH"), "code", "code.paths", "code.paths.path"),
    "code.paths:file-names": Supported("validation rejects two code paths with one name (SPC206)"),
    **_all(
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
    **_all(
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
    **_all(
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
    "env:control-characters": Unsupported(
        _CONTROL,
        "error",
        "a Dockerfile ENV value cannot hold a line break or another control character",
        "put multi-line values in a file shipped with the code and point the variable at it",
    ),
    **_all(Supported("BuildKit secret ids"), "secrets", "secrets.docker", "secrets.description"),
    "secrets.databricks": Ignored("the Databricks mapping of a secret"),
    "secrets.databricks:unset": Ignored("the Databricks mapping of a secret"),
    "artifacts": Ignored("MLflow artifacts travel inside the logged model (--model)"),
    "mlflow": Ignored("how specc compile fills log_model"),
    "targets": Supported(),
    **_all(
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
        "minor": _python_minor(spec),
        "cuda": spec.runtime.cuda or "",
        "databricks": spec.runtime.databricks or "",
    }


BACKEND = DockerBackend()


def _model_check(spec: EnvSpec, options: DockerOptions) -> list[Diagnostic]:
    """--model: the image should serve the model with the mlflow it was logged with (SPC336)."""
    diags: list[Diagnostic] = []
    if options.model_dir is not None:
        logged = _logged_mlflow_version(options.model_dir)
        serving = _serving_mlflow(spec)
        if logged and serving and serving.split("==")[-1] != logged and "==" in serving:
            diags.append(
                _diag(
                    "SPC336",
                    "warning",
                    ("python", "requirements"),
                    f"the model was logged with mlflow {logged}; the image serves it with {serving}",
                    f'add "mlflow-skinny=={logged}" (or "mlflow=={logged}") to python.requirements',
                )
            )
    return diags


def _logged_mlflow_version(model_dir: Path) -> str | None:
    mlmodel = Path(model_dir) / "MLmodel"
    try:
        text = mlmodel.read_text(encoding="utf-8")
    except OSError:
        return None
    m = re.search(r"^mlflow_version:\s*['\"]?([^\s'\"]+)", text, re.MULTILINE)
    return m.group(1) if m else None


def _serving_mlflow(spec: EnvSpec) -> str | None:
    """The requirement line that brings ``mlflow models serve``, or None if the spec lists one."""
    names = {r.name for r in spec.python.requirements}
    if names & {"mlflow", "mlflow-skinny"}:
        return None
    return DEFAULT_SERVING_MLFLOW


def _locked_platform(spec: EnvSpec) -> str:
    from specc.lock import normalize_platform

    return normalize_platform(spec.targets.docker.platform or "linux/amd64")


def _locked_check(spec: EnvSpec, options: DockerOptions) -> list[Diagnostic]:
    """--locked: the lock must cover the image's platform and everything the image installs (SPC338)."""
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
    serve = spec.targets.docker.serve or options.model_dir is not None
    locked_names = {p.name for p in lock.python.packages}
    if serve and _serving_mlflow(spec) and not locked_names & {"mlflow", "mlflow-skinny"}:
        diags.append(
            _diag(
                "SPC338",
                "error",
                ("python", "requirements"),
                "--locked: the model server needs mlflow, which model-env.lock does not pin "
                "(pip --require-hashes installs nothing without a locked hash)",
                f'add "{DEFAULT_SERVING_MLFLOW}" to python.requirements and run specc lock',
            )
        )
    return diags


def _locked_requirements_txt(spec: EnvSpec, lock: LockFile, wheels: list[str]) -> str:
    lines = [
        f"# Rendered by specc {__version__} from model-env.lock (python dependency hash {spec.hashes.python}):",
        "# exact pins with sha256 hashes, installed with pip --require-hashes.",
        "# ${NAME} placeholders are expanded by pip from the build secrets (never stored in a layer).",
    ]
    lines += index_lines(spec.python)
    lines += requirement_lines(spec, lock, platform=_locked_platform(spec), hashes=True)
    for ref, name in zip(spec.python.wheels, wheels, strict=True):
        lines.append(f"{STAGING}/python/wheels/{name} --hash=sha256:{ref.sha256}")
    return "\n".join(lines) + "\n"


def _pip_step(
    spec: EnvSpec, serve: bool, files: dict[str, bytes | Path], locked: LockFile | None = None
) -> tuple[bool, list[SecretMount], list[list[str]]]:
    extra = []
    if serve and (line := _serving_mlflow(spec)) and locked is None:
        extra.append(line)
    wheels = [file_name(w.path) for w in spec.python.wheels]
    if not (spec.python.requirements or extra or wheels):
        return False, [], []
    if locked is not None:
        # Every package, the spec's own wheels included, with its hash: one hash-checked install.
        files["deps/python/requirements.txt"] = _locked_requirements_txt(spec, locked, wheels).encode("utf-8")
        args = [["--require-hashes", "--requirement", f"{STAGING}/python/requirements.txt"]]
        for ref, name in zip(spec.python.wheels, wheels, strict=True):
            files[f"deps/python/wheels/{name}"] = _source(spec, ref.path)
        return True, _pip_mounts(spec), args
    files["deps/python/requirements.txt"] = _requirements_txt(spec, extra).encode("utf-8")
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


def build_view(spec: EnvSpec, options: DockerOptions, files: dict[str, bytes | Path]) -> DockerView:
    """Make every decision; fill ``files`` with the build context (besides the Dockerfile)."""
    docker = spec.targets.docker
    model = options.model_dir is not None
    serve = docker.serve or model
    cuda_default = spec.runtime.cuda is not None and not docker.base_image
    minor = _python_minor(spec)
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

    pip, mounts, pip_args = _pip_step(spec, serve, files, options.locked)

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
    return render_template(
        "docker/BUILD.md.j2",
        view=view,
        tag=tag,
        docker_cmd=" ".join(["DOCKER_BUILDKIT=1 docker build", *platform, *docker_secrets, "-t", tag, "."]),
        buildah_cmd=" ".join(["buildah bud --format docker --layers", *platform, *buildah_secrets, "-t", tag, "."]),
        run_cmd=(f"docker run --rm -p {view.port}:{view.port} {tag}" if view.serve else f"docker run --rm -it {tag}"),
    )


def render(spec: EnvSpec, options: RenderOptions | None = None) -> Rendered:
    """Render the build context for ``spec`` (see the module docstring for the layer order).

    Diagnostics: the capability table's (the ones ``specc validate`` reports too), then those
    of the options (``--model`` SPC336, ``--locked`` SPC338); files only when none is an error.
    """
    opts: DockerOptions = narrow(options, DockerOptions)
    out = Rendered()
    out.diagnostics.extend(check_table(CAPABILITIES, spec, BACKEND.facts(spec, opts)))
    out.diagnostics.extend(_model_check(spec, opts))
    out.diagnostics.extend(_locked_check(spec, opts))
    if any(d.severity == "error" for d in out.diagnostics):
        return out
    view = build_view(spec, opts, out.files)
    out.files["Dockerfile"] = render_template("docker/Dockerfile.j2", v=view).encode("utf-8")
    out.files[".dockerignore"] = render_template("docker/dockerignore.j2", v=view).encode("utf-8")
    out.files["BUILD.md"] = _build_md(spec, view).encode("utf-8")
    out.marks = _marks(spec)
    return out


def _marks(spec: EnvSpec) -> list[Mark]:
    """What each spec entry puts into the build context, for :attr:`Rendered.provenance`."""
    marks: list[Mark] = []
    if spec.python.requirements or spec.python.wheels:
        marks.append((f"{STAGING}/python/requirements.txt", ("python", "requirements")))
    if spec.python.constraints:
        marks.append((f"{STAGING}/python/constraints.txt", ("python", "constraints")))
    if spec.python.index_url:
        marks.append((spec.python.index_url, ("python", "index-url")))
    marks += [(u, ("python", "extra-index-urls", i)) for i, u in enumerate(spec.python.extra_index_urls)]
    marks += [(r.line, ("python", "requirements", i)) for i, r in enumerate(spec.python.requirements)]
    marks += [(c.line, ("python", "constraints", i)) for i, c in enumerate(spec.python.constraints)]
    marks += [(f"python/wheels/{file_name(w.path)}", ("python", "wheels", i)) for i, w in enumerate(spec.python.wheels)]
    marks += [(p.line, ("apt", "packages", i)) for i, p in enumerate(spec.apt.packages)]
    marks += [(f"apt/debs/{file_name(d.path)}", ("apt", "debs", i)) for i, d in enumerate(spec.apt.debs)]
    marks += [(p.coordinates.split(":")[1], ("maven", "packages", i)) for i, p in enumerate(spec.maven.packages)]
    marks += [(f"maven/jars/{file_name(j.path)}", ("maven", "jars", i)) for i, j in enumerate(spec.maven.jars)]
    marks += [(p.name, ("r", "packages", i)) for i, p in enumerate(spec.r.packages)]
    marks += [(f"r/sources/{file_name(s.path)}", ("r", "sources", i)) for i, s in enumerate(spec.r.sources)]
    marks += [(f"{k}=", ("env", k)) for k in spec.env]
    marks += [(s.docker, ("secrets", name)) for name, s in spec.secrets.items()]
    marks += [(f"code/{file_name(c.path)}", ("code", "paths", i)) for i, c in enumerate(spec.code.paths)]
    if spec.targets.docker.base_image:
        marks.append((spec.targets.docker.base_image, ("targets", "docker", "base-image")))
    else:
        marks.append((default_base_image(spec) or "", ("runtime",)))
    return marks
