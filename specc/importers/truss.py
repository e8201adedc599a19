"""The ``truss`` importer: Baseten Truss's ``config.yaml``.

The format (truss/base/truss_config.py ``TrussConfig``, read at basetenlabs/truss 0bee989,
2026-08-18)::

    model_name: my-model
    python_version: py311              # "py3XX"; default py313
    requirements: ["torch==2.3.1"]     # pip requirement lines, or (exclusive)
    requirements_file: requirements.txt   # requirements.txt, pyproject.toml or uv.lock
    system_packages: ["ffmpeg"]        # Debian apt packages
    environment_variables: {NAME: value}  # "do not store secret values here"
    secrets: {hf_access_token: null}   # names; values live in Baseten's settings
    external_package_dirs: ["../shared"]
    base_image: {image: ..., python_executable_path: ..., docker_auth: ...}
    resources: {cpu: "4", memory: 16Gi, accelerator: "A10G:2", use_gpu: true}
    build_commands: ["..."]
    model_cache: [...]                 # deprecated: weights
    weights: [...]
    runtime, build, docker_server, trt_llm, model_metadata, model_class_name, ...

Carried over: the Python version, requirements (inline, a requirements file, or a
pyproject.toml's ``[project] dependencies``; a ``uv.lock`` is read through its pyproject.toml),
system packages, environment variables (credential-looking ones become secrets), secrets (by
name, upper-cased), the base image, and ``model_name``.  The rest is a diagnostic
(SPC730-SPC743); an accelerator says a GPU is wanted (SPC741: the CUDA version is the image's).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from specc.importers.base import Draft

NAMES = ("config.yaml", "config.yml")
# keys only a Truss config has (TrussConfig's fields); one of them, or a "pyNNN" python_version,
# tells a Truss config.yaml from any other config.yaml
_TRUSS_KEYS = frozenset(
    {
        "model_name", "model_metadata", "model_class_name", "model_module_dir", "model_class_filename",
        "model_framework", "model_type", "bundled_packages_dir", "external_package_dirs", "model_cache",
        "trt_llm", "docker_server", "live_reload", "apply_library_patches", "examples_filename",
        "training_checkpoints", "bis_llm", "hf_cache",
    }
)  # fmt: skip
_PY = re.compile(r"^py3[0-9]{1,2}$")
# truss's default python_version (TrussConfig.python_version)
DEFAULT_PYTHON = "3.13"


def _looks_like_truss(file: Path) -> bool:
    """A cheap look at the first 64 KiB: a top-level Truss key or a ``python_version: py3NN``."""
    try:
        with file.open("rb") as f:
            head = f.read(65536).decode("utf-8", "replace")
    except OSError:
        return False
    for line in head.splitlines():
        m = re.match(r"^([A-Za-z_]+)\s*:\s*(.*?)\s*(#.*)?$", line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip("'\"")
        if key in _TRUSS_KEYS or (key == "python_version" and _PY.match(value)):
            return True
    return False


def _file(path: Path) -> Path | None:
    if path.is_file():
        return path if path.name in NAMES and _looks_like_truss(path) else None
    if path.is_dir():
        for name in NAMES:
            if (path / name).is_file() and _looks_like_truss(path / name):
                return path / name
    return None


class _Importer:
    kind = "truss"
    summary = "Baseten Truss's config.yaml (a file, or a Truss folder)"

    def detect(self, path: Path) -> bool:
        return _file(path) is not None

    def read(self, path: Path, draft: Draft) -> None:
        from specc.importers import _peers as p
        from specc.importers.requirements import requirement_lines

        file = _file(path) or (path / NAMES[0] if path.is_dir() else path)
        doc = p.load_yaml(file, draft)
        if doc is None:
            return
        folder = file.parent

        raw = doc.raw("python_version")
        if raw is None:
            draft.set(("runtime", "python"), DEFAULT_PYTHON, source=f"{doc.name}: Truss's default Python")
            draft.report(
                p.PYTHON_ASSUMED,
                f"python_version is not set; Truss's default, Python {DEFAULT_PYTHON}, is written",
                source=f"{doc.name}:1",
                hint="set runtime.python to the Python the model was trained with",
            )
        elif _PY.match(raw.strip()):
            digits = raw.strip()[2:]
            draft.set(("runtime", "python"), f"{digits[0]}.{digits[1:]}", source=doc.src("python_version"))
        elif (version := p.python_version(raw)) is not None:
            draft.set(("runtime", "python"), version, source=doc.src("python_version"))
        else:
            draft.report(
                p.INVALID,
                f"python_version {raw!r} is not a Truss Python version (py311, py312, ...)",
                source=doc.src("python_version"),
                severity="error",
            )

        requirement_lines(p.requirement_strings(doc, ("requirements",), draft, "requirements"), draft)
        req = doc.get("requirements_file")
        if isinstance(req, str) and req.strip():
            source = doc.src("requirements_file")
            target = p.within(draft, folder, req.strip(), source=source, what="requirements_file")
            if target is not None:
                _requirements_file(target, source, draft)
        elif req is not None:
            draft.report(
                p.INVALID,
                "requirements_file must be a file name",
                source=doc.src("requirements_file"),
                severity="error",
            )

        p.apt_packages(p.requirement_strings(doc, ("system_packages",), draft, "apt packages"), draft, distro="Debian")

        env = doc.get("environment_variables")
        if isinstance(env, dict):
            for name, value in env.items():
                p.env_var(str(name), value, draft, source=doc.src("environment_variables", name))
        elif env is not None:
            draft.report(
                p.INVALID,
                "environment_variables must be a mapping",
                source=doc.src("environment_variables"),
                severity="error",
            )

        secrets = doc.get("secrets")
        if isinstance(secrets, dict):
            for name, value in secrets.items():
                source = doc.src("secrets", name)
                if value not in (None, ""):
                    source = p.line_free(source, f"secrets.{name}")  # the line holds the value
                placeholder = draft.secret(str(name), source=source)
                declared = placeholder[2:-1]
                if value not in (None, ""):
                    draft.report(
                        p.SECRET_VALUE,
                        f"secrets.{name} has a value in the file; it is declared as secret {declared} and the value "
                        "is not written",
                        source=source,
                        hint="Truss secrets are placeholders (null); keep the value in each target's secret store",
                    )
                elif declared != name:
                    draft.report(
                        p.ENV,
                        f"secret {name} is declared as {declared} (spec secret names are upper case)",
                        source=source,
                    )
        elif secrets is not None:
            draft.report(p.INVALID, "secrets must be a mapping of names", source=doc.src("secrets"), severity="error")

        base = doc.get("base_image")
        if isinstance(base, dict) and isinstance(base.get("image"), str):
            draft.set(("targets", "docker", "base-image"), base["image"].strip(), source=doc.src("base_image", "image"))
            rest = sorted(k for k in base if k != "image")
            draft.report(
                p.SETTING,
                "base_image.image is carried over as targets.docker.base-image"
                + (f"; {', '.join(rest)} {'is' if len(rest) == 1 else 'are'} not" if rest else ""),
                source=doc.src("base_image"),
                hint="specc creates a venv from the image's python3 (python_executable_path is not used); "
                "registry credentials are docker login's business",
            )
        elif base is not None:
            draft.report(
                p.INVALID, "base_image must be a mapping with an image", source=doc.src("base_image"), severity="error"
            )

        _resources(doc, draft)

        name = doc.get("model_name")
        if isinstance(name, str) and name.strip() and (slugged := p.model_name(name)):
            draft.set(("model", "name"), slugged, source=doc.src("model_name"))

        commands = doc.get("build_commands")
        for i, command in enumerate(commands if isinstance(commands, list) else []):
            text = " ".join(str(command).split())
            draft.report(
                p.BUILD_STEP,
                f"build_commands[{i}] {text[:60]!r} is not carried over: the spec has no build commands",
                source=doc.src("build_commands", i),
                hint="declare what it installs (python.requirements, apt.packages) or keep the step in your own "
                "Dockerfile",
            )
        for key in ("external_package_dirs", "bundled_packages_dir", "model_module_dir", "data_dir", "external_data"):
            if doc.get(key) not in (None, [], {}, ""):
                draft.report(
                    p.CODE,
                    f"{key} is not carried over",
                    source=doc.src(key),
                    hint="list the code the model imports under code.paths (each folder ships as a package on "
                    "sys.path) and its data files under artifacts",
                )
        for key in ("model_cache", "weights", "hf_cache"):
            if doc.get(key):
                draft.report(
                    p.CODE,
                    f"{key}: the weights Truss downloads at build or start time are not carried over",
                    source=doc.src(key),
                    hint="log the weights with the model (artifacts) or download them in the model's code",
                )
        handled = {
            "python_version", "requirements", "requirements_file", "system_packages", "environment_variables",
            "secrets", "base_image", "resources", "model_name", "build_commands", "external_package_dirs",
            "bundled_packages_dir", "model_module_dir", "data_dir", "external_data", "model_cache", "weights",
            "hf_cache",
        }  # fmt: skip
        rest = [k for k in doc.data if k not in handled and doc.get(k) not in (None, [], {}, "")]
        for key in rest:
            draft.report(
                p.SETTING,
                f"{key} is not carried over (a Truss serving or platform setting)",
                source=doc.src(key),
            )


def _requirements_file(target: Path, source: str, draft: Draft) -> None:
    from specc.importers import _peers as p
    from specc.importers.requirements import read_requirements_file, requirement_lines

    if not target.is_file():
        draft.report(
            p.INVALID, f"requirements_file names {target.name!r}, which does not exist", source=source, severity="error"
        )
        return
    if target.name == "uv.lock":
        draft.report(
            p.LOCK_DETAIL,
            "requirements_file is a uv.lock: the dependencies of its pyproject.toml are carried over, not the "
            "locked versions",
            source=source,
            hint="run `specc lock` to pin them again",
        )
        target = target.parent / "pyproject.toml"
        if not target.is_file():
            draft.report(p.INVALID, "the uv.lock has no pyproject.toml next to it", source=source, severity="error")
            return
    if target.name == "pyproject.toml" or target.suffix == ".toml":
        pyproject = p.load_toml(target, draft)
        if pyproject is None:
            return
        deps = pyproject.get("project", "dependencies")
        if not isinstance(deps, list):
            draft.report(
                p.INVALID,
                f"{pyproject.name} has no [project] dependencies list",
                source=pyproject.name,
                severity="error",
            )
            return
        requirement_lines(p.requirement_strings(pyproject, ("project", "dependencies"), draft, "requirements"), draft)
        return
    read_requirements_file(target, draft, root=draft.root)


def _resources(doc: Any, draft: Draft) -> None:
    from specc.importers import _peers as p

    resources = doc.get("resources")
    if resources is None:
        return
    if not isinstance(resources, dict):
        draft.report(p.INVALID, "resources must be a mapping", source=doc.src("resources"), severity="error")
        return
    accelerator = resources.get("accelerator")
    gpu = resources.get("use_gpu") is True or (accelerator not in (None, ""))
    shown = ", ".join(
        f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in resources.items() if v is not None
    )
    draft.report(
        p.SETTING,
        f"resources ({shown}) are not carried over: instance sizes are each target's choice",
        source=doc.src("resources"),
        hint="set targets.databricks.cluster.node-type / serving.workload-type for Databricks",
    )
    if gpu and draft.get(("runtime", "cuda")) is None:
        draft.report(
            p.CUDA,
            "resources ask for a GPU"
            + (f" ({accelerator})" if accelerator else "")
            + " but the config names no CUDA version (Truss's image brings it)",
            source=doc.src("resources", "accelerator") if accelerator else doc.src("resources"),
            hint='set runtime.cuda (e.g. "12.4", the CUDA your torch wheels were built for)',
        )


IMPORTER = _Importer()
