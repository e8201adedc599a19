"""The ``bentoml`` importer: BentoML's ``bentofile.yaml``.

The format (BentoML's docs/source/reference/bentoml/bento-build-options.rst and
src/bentoml/_internal/bento/build_config.py, read at bentoml/BentoML 32230a5, 2026-04-30)::

    service: "service:Summarization"
    name: summarization                # the bento's name
    description: "..."                 # or "file: ./README.md"
    labels: {owner: ml-team}
    include: ["*.py", "data/"]         # gitignore-style patterns of the build context
    exclude: ["tests/"]
    models: ["summarization-model:latest", {tag: ..., filter: ..., alias: ...}]
    args: {model_name: ...}            # template arguments
    envs: [{name: HF_TOKEN, value: "", stage: all|build|runtime}]
    python:
      packages: ["torch==2.3.1", "git+https://..."]
      requirements_txt: ./requirements.txt
      lock_packages: true              # uv pip compile at build time
      pack_git_packages: true
      index_url: https://pkgs.example.com/simple
      no_index: false
      extra_index_url: ["https://token:@pkgs.example.com/simple"]
      trusted_host: ["pkgs.example.com"]
      find_links: ["https://download.pytorch.org/whl/cu118/torch_stable.html"]
      pip_args: "--pre"
      wheels: ["./wheels/lib-0.1-py3-none-any.whl"]
    conda:
      channels: [conda-forge]
      dependencies: ["h2o", {pip: [...]}]
      pip: ["scikit-learn==1.2.0"]
      environment_yml: ./environment.yml
    docker:
      distro: debian                   # debian (default) | alpine | ubi8 | amazonlinux
      python_version: "3.11"           # default: the building machine's Python
      cuda_version: "12.1"             # deprecated
      system_packages: ["libgomp1"]
      setup_script: ./setup.sh
      base_image: python:3.11-slim     # replaces everything else about the image
      dockerfile_template: ./Dockerfile.template
      env: {NAME: value}               # older form of envs

Carried over: the Python version, requirements (inline and the file), the index URLs
(credentials become ``${NAME}`` secrets), wheels, system packages on a Debian image, CUDA, the
base image, environment variables (credential-looking ones become secrets), the bento's name,
and conda packages with a PyPI equivalent.  The rest is a diagnostic (SPC730-SPC743).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specc.importers.base import Draft

NAMES = ("bentofile.yaml", "bentofile.yml")


def _file(path: Path) -> Path | None:
    if path.is_file():
        if path.name in NAMES:
            return path
        return path if path.name == "pyproject.toml" and _has_tool_bentoml(path) else None
    if path.is_dir():
        for name in NAMES:
            if (path / name).is_file():
                return path / name
        if (path / "pyproject.toml").is_file() and _has_tool_bentoml(path / "pyproject.toml"):
            return path / "pyproject.toml"
    return None


def _has_tool_bentoml(file: Path) -> bool:
    """Whether a pyproject.toml has a ``[tool.bentoml.build]`` table (a cheap look at its text)."""
    try:
        with file.open("rb") as f:
            head = f.read(262144).decode("utf-8", "replace")
    except OSError:
        return False
    return "[tool.bentoml.build" in head


class _Importer:
    kind = "bentoml"
    summary = "BentoML's bentofile.yaml, or [tool.bentoml.build] in a pyproject.toml (a file, or a folder)"

    def detect(self, path: Path) -> bool:
        return _file(path) is not None

    def read(self, path: Path, draft: Draft) -> None:
        from specc.importers import _peers as p

        file = _file(path) or path
        if file.name == "pyproject.toml":
            # [tool.bentoml.build] holds the same keys; [project] dependencies join python.packages
            pyproject = p.load_toml(file, draft)
            if pyproject is None:
                return
            from specc.importers.requirements import requirement_lines

            requirement_lines(
                p.requirement_strings(pyproject, ("project", "dependencies"), draft, "requirements"), draft
            )
            if not isinstance(pyproject.get("tool", "bentoml", "build"), dict):
                draft.report(
                    p.INVALID,
                    f"{pyproject.name} has no [tool.bentoml.build] table",
                    source=pyproject.name,
                    severity="error",
                )
                return
            doc = pyproject.sub("tool", "bentoml", "build")
        else:
            loaded = p.load_yaml(file, draft)
            if loaded is None:
                return
            doc = loaded
        folder = file.parent
        sections: dict[str, dict[str, Any]] = {}
        for key in ("python", "docker", "conda"):
            value = doc.get(key)
            if value is not None and not isinstance(value, dict):
                draft.report(p.INVALID, f"{key} must be a mapping", source=doc.src(key), severity="error")
                value = None
            sections[key] = value or {}
        python, docker, conda = sections["python"], sections["docker"], sections["conda"]

        _docker(doc, docker, draft)
        _python(doc, python, folder, draft)
        _conda(doc, conda, folder, draft)
        _envs(doc, docker, draft)

        name = doc.get("name")
        if isinstance(name, str) and name.strip() and (slugged := p.model_name(name)):
            draft.set(("model", "name"), slugged, source=doc.src("name"))
        for key, what in (
            ("service", "the service entry point"),
            ("include", "the files to package"),
            ("exclude", "the files to leave out"),
            ("models", "the models packed into the bento"),
        ):
            if doc.get(key) is not None:
                draft.report(
                    p.CODE,
                    f"{key} ({what}) is not carried over",
                    source=doc.src(key),
                    hint="list the code the model imports under code.paths and its files under artifacts",
                )
        for key, what in (("description", "the description"), ("labels", "labels"), ("args", "template arguments")):
            if doc.get(key) is not None:
                draft.report(p.SETTING, f"{key} ({what}) is not carried over", source=doc.src(key))
        known = {
            "service", "name", "description", "labels", "include", "exclude", "models", "args", "envs",
            "python", "conda", "docker",
        }  # fmt: skip
        for key in doc.data:
            if key not in known:
                draft.report(p.SETTING, f"unknown bentofile key {key!r} is not carried over", source=doc.src(key))


def _docker(doc: Any, docker: dict[str, Any], draft: Draft) -> None:
    from specc.importers import _peers as p

    raw = doc.raw("docker", "python_version")
    if raw is None:
        pass  # BentoML uses the building machine's Python: the import's --python default (SPC705) stands
    elif (version := p.python_version(raw)) is not None:
        minor = ".".join(version.split(".")[:2])
        draft.set(("runtime", "python"), minor, source=doc.src("docker", "python_version"))
        if minor != version:
            # build_config.py _convert_python_version: "BentoML will install the latest 'pythonX.Y'"
            draft.report(
                p.PYTHON_ASSUMED,
                f"docker.python_version {version}: BentoML installs the latest Python {minor}, so {minor} is written",
                source=doc.src("docker", "python_version"),
                hint=f'write runtime.python = "{version}" if the model needs that exact release',
            )
    else:
        draft.report(
            p.INVALID,
            f"docker.python_version {raw!r} is not a Python version (3.X or 3.X.Y)",
            source=doc.src("docker", "python_version"),
            severity="error",
        )

    distro = docker.get("distro")
    debian = distro in (None, "debian")
    if not debian:
        draft.report(
            p.SETTING,
            f"docker.distro {distro!r} is not carried over: specc's images are Debian (Docker) and Ubuntu (Databricks)",
            source=doc.src("docker", "distro"),
        )
    packages = p.requirement_strings(doc, ("docker", "system_packages"), draft, "system packages")
    if debian:
        p.apt_packages(packages, draft)
    else:
        for name, source in packages:
            draft.report(
                p.SYSTEM_PACKAGE,
                f"system package {name!r} is a package of distro {distro}; not carried over",
                source=source,
                hint="add its Debian name to apt.packages",
            )

    cuda = doc.raw("docker", "cuda_version")
    if cuda is not None:
        version = p.cuda_version(cuda)
        if version is not None:
            draft.set(("runtime", "cuda"), version, source=doc.src("docker", "cuda_version"))
        else:
            draft.report(
                p.CUDA, f"docker.cuda_version {cuda!r} is not a CUDA version", source=doc.src("docker", "cuda_version")
            )

    image = docker.get("base_image")
    if isinstance(image, str) and image.strip():
        draft.set(("targets", "docker", "base-image"), image.strip(), source=doc.src("docker", "base_image"))
        draft.report(
            p.CARRIED,
            "docker.base_image is carried over as targets.docker.base-image: specc installs the "
            "requirements into a venv of the image's python3, where BentoML used the image as it is",
            source=doc.src("docker", "base_image"),
            hint="pin it by digest (image@sha256:...)",
        )
    for key, what in (
        ("setup_script", "the setup script"),
        ("dockerfile_template", "the Dockerfile template"),
    ):
        if docker.get(key) is not None:
            draft.report(
                p.BUILD_STEP,
                f"docker.{key} {docker[key]} ({what}) is not carried over: the spec has no build commands",
                source=doc.src("docker", key),
                hint="declare what it installs (python.requirements, apt.packages) or keep the step in your "
                "own Dockerfile",
            )
    known = {
        "distro", "python_version", "cuda_version", "system_packages", "setup_script", "base_image",
        "dockerfile_template", "env",
    }  # fmt: skip
    for key in docker:
        if key not in known:
            draft.report(p.SETTING, f"unknown docker key {key!r} is not carried over", source=doc.src("docker", key))


def _python(doc: Any, python: dict[str, Any], folder: Path, draft: Draft) -> None:
    from specc.importers import _peers as p
    from specc.importers.requirements import read_requirements_file, requirement_lines

    requirement_lines(p.requirement_strings(doc, ("python", "packages"), draft, "requirements"), draft)
    req = python.get("requirements_txt")
    if isinstance(req, str) and req.strip():
        target = p.within(
            draft, folder, req.strip(), source=doc.src("python", "requirements_txt"), what="python.requirements_txt"
        )
        if target is None:
            pass
        elif target.is_file():
            read_requirements_file(target, draft, root=draft.root)
        else:
            draft.report(
                p.INVALID,
                f"python.requirements_txt names {req!r}, which does not exist",
                source=doc.src("python", "requirements_txt"),
                severity="error",
            )
    index = python.get("index_url")
    if isinstance(index, str) and index.strip():
        source = doc.src("python", "index_url")
        if (url := p.index_url(index, draft, source=source)) is not None:
            draft.set(("python", "index-url"), url, source=source)
    for text, source in p.requirement_strings(doc, ("python", "extra_index_url"), draft, "index URLs"):
        if (url := p.index_url(text, draft, source=source)) is not None:
            draft.add(("python", "extra-index-urls"), url, source=source)
    for path, source in p.requirement_strings(doc, ("python", "wheels"), draft, "wheel paths"):
        target = p.within(draft, folder, path, source=source, what="python.wheels entry")
        if target is None:
            continue
        if target.is_file() and target.suffix == ".whl":
            draft.add(("python", "wheels"), p.display_name(target, draft.root), source=source)
        else:
            draft.report(
                p.SOURCE,
                f"python.wheels entry {path!r} is not a wheel file here; not carried over",
                source=source,
                hint="build the wheel and list it under python.wheels",
            )
    if python.get("no_index") is True:
        draft.report(
            p.PIP_OPTION,
            "python.no_index is not carried over: the spec always installs from an index",
            source=doc.src("python", "no_index"),
            hint="list the packages as python.wheels",
        )
    for key, why in (
        ("trusted_host", "specc's indexes are https with valid certificates"),
        ("find_links", "publish the packages to an index or ship wheels (python.wheels)"),
        ("pip_args", "the spec has no installer arguments"),
        ("lock_packages", "`specc lock` locks the spec"),
        ("pack_git_packages", "git requirements are not carried over"),
        ("is_src_layout", "the spec has no source-layout setting"),
    ):
        if python.get(key) is not None:
            value = python[key]
            shown = (
                ", ".join(map(str, value))
                if isinstance(value, list)
                else str(value).lower()
                if isinstance(value, bool)
                else str(value)
            )
            draft.report(
                p.PIP_OPTION,
                f"python.{key} = {shown} is not carried over: {why}",
                source=doc.src("python", key),
            )
    known = {
        "packages", "requirements_txt", "index_url", "extra_index_url", "wheels", "no_index", "trusted_host",
        "find_links", "pip_args", "lock_packages", "pack_git_packages", "is_src_layout",
    }  # fmt: skip
    for key in python:
        if key not in known:
            draft.report(p.SETTING, f"unknown python key {key!r} is not carried over", source=doc.src("python", key))


def _conda(doc: Any, conda: dict[str, Any], folder: Path, draft: Draft) -> None:
    from specc.importers import _peers as p
    from specc.importers.requirements import requirement_lines

    if not conda:
        return
    channels = conda.get("channels")
    if channels:
        draft.report(
            p.CONDA_NOT_CARRIED,
            f"conda.channels ({', '.join(map(str, channels)) if isinstance(channels, list) else channels}) are "
            "not carried over: the spec installs from PyPI",
            source=doc.src("conda", "channels"),
        )
    deps = conda.get("dependencies") or []
    if not isinstance(deps, list):
        draft.report(
            p.INVALID, "conda.dependencies must be a list", source=doc.src("conda", "dependencies"), severity="error"
        )
        deps = []
    for i, dep in enumerate(deps):
        source = doc.src("conda", "dependencies", i)
        if isinstance(dep, dict):
            requirement_lines(
                p.requirement_strings(doc, ("conda", "dependencies", i, "pip"), draft, "requirements"), draft
            )
        elif isinstance(dep, str):
            p.conda_dependency(dep, draft, source=source)
    requirement_lines(p.requirement_strings(doc, ("conda", "pip"), draft, "requirements"), draft)
    env = conda.get("environment_yml")
    if isinstance(env, str) and env.strip():
        target = p.within(
            draft, folder, env.strip(), source=doc.src("conda", "environment_yml"), what="conda.environment_yml"
        )
        if target is None:
            pass
        elif target.is_file():
            from specc.importers import KINDS

            KINDS["conda"].read(target, draft)
        else:
            draft.report(
                p.INVALID,
                f"conda.environment_yml names {env!r}, which does not exist",
                source=doc.src("conda", "environment_yml"),
                severity="error",
            )


def _envs(doc: Any, docker: dict[str, Any], draft: Draft) -> None:
    from specc.importers import _peers as p

    envs = doc.get("envs")
    if envs is not None and not isinstance(envs, list):
        draft.report(p.INVALID, "envs must be a list of {name, value}", source=doc.src("envs"), severity="error")
        envs = None
    for i, item in enumerate(envs or []):
        source = doc.src("envs", i)
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            draft.report(p.INVALID, f"envs[{i}] must be a mapping with a name", source=source, severity="error")
            continue
        name, value, stage = item["name"], item.get("value"), item.get("stage", "all")
        if stage == "build":
            draft.report(
                p.ENV,
                f"envs {name} is for the build only (stage: build); not carried over",
                source=source,
                hint="an index credential belongs in a ${NAME} placeholder of the index URL",
            )
            continue
        if value in (None, ""):
            # BentoML takes an empty value from the deployment (bentoml deploy --env / BentoCloud secrets)
            draft.secret(name, source=source)
            draft.report(
                p.SECRET_VALUE,
                f"envs {name} has no value in the file (it is given at deployment); it is declared as a secret",
                source=source,
            )
            continue
        p.env_var(name, value, draft, source=source, what="envs entry")
    env = docker.get("env")
    if isinstance(env, dict):
        for name, value in env.items():
            p.env_var(str(name), value, draft, source=doc.src("docker", "env", name))
    elif isinstance(env, list):
        for text, source in p.requirement_strings(doc, ("docker", "env"), draft, "NAME=value strings"):
            name, _, value = text.partition("=")
            p.env_var(name, value, draft, source=source)
    elif isinstance(env, str):
        draft.report(
            p.ENV, f"docker.env names a dotenv file ({env}); not carried over", source=doc.src("docker", "env")
        )


IMPORTER = _Importer()
