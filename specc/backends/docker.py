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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from specc import __version__
from specc.backends import Rendered, RenderOptions
from specc.diagnostics import Diagnostic
from specc.quoting import dockerfile_env_value, dockerfile_json, dockerfile_shquote, has_control_chars, rquote
from specc.spec import EnvSpec
from specc.templating import render_template

TARGET = "docker"
OPTIONS = frozenset({"model_dir"})

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

_PLACEHOLDER = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


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


def _file_name(path: str) -> str:
    return PurePosixPath(path).name


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


def _secret_env_names(values: Iterable[str]) -> list[str]:
    names: list[str] = []
    for value in values:
        for name in _PLACEHOLDER.findall(value):
            if name not in names:
                names.append(name)
    return names


# --- context files --------------------------------------------------------------------------


def _requirements_txt(spec: EnvSpec, extra: list[str]) -> str:
    lines = [
        f"# Rendered by specc {__version__}; python dependency hash {spec.hashes.python}",
        "# ${NAME} placeholders are expanded by pip from the build secrets (never stored in a layer).",
    ]
    if spec.python.index_url:
        lines.append(f"--index-url {spec.python.index_url}")
    lines += [f"--extra-index-url {url}" for url in spec.python.extra_index_urls]
    lines += [req.line for req in spec.python.requirements]
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


def _check(spec: EnvSpec, options: RenderOptions) -> list[Diagnostic]:
    """What the Docker target cannot express (SPC33x)."""
    diags: list[Diagnostic] = []
    docker = spec.targets.docker
    if docker.base_image and "@sha256:" not in docker.base_image:
        diags.append(
            _diag(
                "SPC330",
                "warning",
                ("targets", "docker", "base-image"),
                f'base image "{docker.base_image}" is a tag without a digest; it can change under you',
                f"pin it: docker buildx imagetools inspect {docker.base_image} (or skopeo inspect), then write "
                f'"{docker.base_image}@sha256:<digest>"',
            )
        )
    if not docker.base_image and default_base_image(spec) is None:
        diags.append(
            _diag(
                "SPC335",
                "error",
                ("runtime", "cuda"),
                f"no default CUDA base image for CUDA {spec.runtime.cuda}",
                f"set targets.docker.base-image, or use one of CUDA {', '.join(CUDA_TAGS)}",
            )
        )
    if spec.runtime.cuda and not docker.base_image and spec.runtime.python.count(".") == 2:
        diags.append(
            _diag(
                "SPC332",
                "warning",
                ("runtime", "python"),
                f"the CUDA image gets Python {_python_minor(spec)} from the deadsnakes PPA, whose patch "
                f"version is its latest, not {spec.runtime.python}",
                "write runtime.python as major.minor, or set targets.docker.base-image to an image with that Python",
            )
        )
    if spec.runtime.databricks:
        diags.append(
            _diag(
                "SPC331",
                "warning",
                ("runtime", "databricks"),
                f"the Docker image does not reproduce Databricks Runtime {spec.runtime.databricks}: "
                "it holds only what the spec lists, not the runtime's preinstalled libraries or Spark",
                "list every library the model imports in python.requirements (the Databricks target's "
                "compatibility check keeps the versions consistent)",
            )
        )
    for name, value in spec.env.items():
        if has_control_chars(value):
            diags.append(
                _diag(
                    "SPC334",
                    "error",
                    ("env", name),
                    "a Dockerfile ENV value cannot hold a line break or another control character",
                    "put multi-line values in a file shipped with the code and point the variable at it",
                )
            )
    for i, url in enumerate(spec.python.extra_index_urls):
        if has_control_chars(url):
            diags.append(
                _diag("SPC334", "error", ("python", "extra-index-urls", i), "an index URL with control characters")
            )
    if spec.python.index_url and has_control_chars(spec.python.index_url):
        diags.append(_diag("SPC334", "error", ("python", "index-url"), "an index URL with control characters"))
    for i, req in enumerate(spec.python.requirements):
        if has_control_chars(req.line):
            diags.append(
                _diag("SPC334", "error", ("python", "requirements", i), "a requirement with control characters")
            )
    for section, path, urls in (
        ("maven", ("maven", "repository"), [spec.maven.repository, *(p.repository for p in spec.maven.packages)]),
        ("r", ("r", "repository"), [spec.r.repository, *(p.repository for p in spec.r.packages)]),
    ):
        if any(u and has_control_chars(u) for u in urls):
            diags.append(_diag("SPC334", "error", path, f"a {section} repository URL with control characters"))
        if any(u and _PLACEHOLDER.search(u) for u in urls):
            diags.append(
                _diag(
                    "SPC333",
                    "error",
                    path,
                    f"the Docker target cannot pass credentials to a {section} repository",
                    "serve the repository without authentication inside the build network, or vendor the "
                    f"packages as {'maven.jars' if section == 'maven' else 'r.sources'}",
                )
            )
    for section, refs in (
        ("python.wheels", spec.python.wheels),
        ("apt.debs", spec.apt.debs),
        ("maven.jars", spec.maven.jars),
        ("r.sources", spec.r.sources),
    ):
        seen: set[str] = set()
        for i, ref in enumerate(refs):
            name = _file_name(ref.path)
            if name in seen:
                diags.append(
                    _diag(
                        "SPC337",
                        "error",
                        (*section.split("."), i),
                        f'two {section} files are named "{name}"; the build context holds one folder per ecosystem',
                        "rename one of them",
                    )
                )
            seen.add(name)
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


def _locked_check(spec: EnvSpec, options: RenderOptions) -> list[Diagnostic]:
    """--locked: the lock must cover the image's platform and everything the image installs (SPC338)."""
    lock = options.locked
    if lock is None:
        return []
    diags = []
    plat = _locked_platform(spec)
    if plat not in lock.python.platforms:  # type: ignore[attr-defined]
        diags.append(
            _diag(
                "SPC338",
                "error",
                ("targets", "docker", "platform"),
                f"model-env.lock has no resolution for the image's platform {plat} "
                f"(it has {', '.join(lock.python.platforms)})",  # type: ignore[attr-defined]
                f"run: specc lock --platform {plat}",
            )
        )
    serve = spec.targets.docker.serve or options.model_dir is not None
    locked_names = {p.name for p in lock.python.packages}  # type: ignore[attr-defined]
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


def _locked_requirements_txt(spec: EnvSpec, lock: object, wheels: list[str]) -> str:
    from specc.lockfile import pip_lines

    lines = [
        f"# Rendered by specc {__version__} from model-env.lock (python dependency hash {spec.hashes.python}):",
        "# exact pins with sha256 hashes, installed with pip --require-hashes.",
        "# ${NAME} placeholders are expanded by pip from the build secrets (never stored in a layer).",
    ]
    if spec.python.index_url:
        lines.append(f"--index-url {spec.python.index_url}")
    lines += [f"--extra-index-url {url}" for url in spec.python.extra_index_urls]
    lines += pip_lines(lock, platform=_locked_platform(spec), hashes=True)  # type: ignore[arg-type]
    for ref, name in zip(spec.python.wheels, wheels, strict=True):
        lines.append(f"{STAGING}/python/wheels/{name} --hash=sha256:{ref.sha256}")
    return "\n".join(lines) + "\n"


def _pip_step(
    spec: EnvSpec, serve: bool, files: dict[str, bytes | Path], locked: object | None = None
) -> tuple[bool, list[SecretMount], list[list[str]]]:
    extra = []
    if serve and (line := _serving_mlflow(spec)) and locked is None:
        extra.append(line)
    wheels = [_file_name(w.path) for w in spec.python.wheels]
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
    urls = [u for u in (spec.python.index_url, *spec.python.extra_index_urls) if u]
    urls += [r.url for r in spec.python.requirements if r.url]
    mounts = []
    for name in _secret_env_names(urls):
        secret = spec.secrets.get(name)
        mounts.append(SecretMount(id=secret.docker if secret else name.lower(), env=name))
    return mounts


def build_view(spec: EnvSpec, options: RenderOptions, files: dict[str, bytes | Path]) -> DockerView:
    """Make every decision; fill ``files`` with the build context (besides the Dockerfile)."""
    docker = spec.targets.docker
    model = options.model_dir is not None
    serve = docker.serve or model
    cuda_default = spec.runtime.cuda is not None and not docker.base_image
    minor = _python_minor(spec)
    python_bin = f"python{minor}" if cuda_default else "python3"

    apt_words = [dockerfile_shquote(p.line) for p in spec.apt.packages]
    for ref in spec.apt.debs:
        name = _file_name(ref.path)
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
        files[f"deps/maven/jars/{_file_name(ref.path)}"] = _source(spec, ref.path)

    if r:
        sources = []
        for ref in spec.r.sources:
            name = _file_name(ref.path)
            files[f"deps/r/sources/{name}"] = _source(spec, ref.path)
            sources.append(name)
        files["deps/r/install.R"] = _install_r(spec, sources).encode("utf-8")

    env: list[tuple[str, str]] = []
    if spec.code.paths:
        env.append(("PYTHONPATH", dockerfile_env_value(CODE_DIR)))
    env += [(k, dockerfile_env_value(v)) for k, v in sorted(spec.env.items())]
    for ref in spec.code.paths:
        files[f"code/{_file_name(ref.path)}"] = _source(spec, ref.path)
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


def render(spec: EnvSpec, options: RenderOptions) -> Rendered:
    """Render the build context for ``spec`` (see the module docstring for the layer order)."""
    out = Rendered()
    out.diagnostics.extend(_check(spec, options))
    out.diagnostics.extend(_locked_check(spec, options))
    if any(d.severity == "error" for d in out.diagnostics):
        return out
    view = build_view(spec, options, out.files)
    out.files["Dockerfile"] = render_template("docker/Dockerfile.j2", v=view).encode("utf-8")
    out.files[".dockerignore"] = render_template("docker/dockerignore.j2", v=view).encode("utf-8")
    out.files["BUILD.md"] = _build_md(spec, view).encode("utf-8")
    return out
