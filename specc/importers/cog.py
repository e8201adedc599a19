"""The ``cog`` importer: Replicate Cog's ``cog.yaml``.

The format (cog's docs/yaml.md and its JSON schema pkg/config/data/config_schema_v1.0.json,
read at replicate/cog 6110c91, 2026-08-21)::

    build:
      python_version: "3.12"          # string or number; "3.12" or "3.12.1"; default 3.13
      python_requirements: requirements.txt   # a pip requirements file, or (deprecated)
      python_packages: ["torch==2.3.1"]       # inline requirements (exclusive with the file)
      python_overrides: overrides.txt # uv overrides
      system_packages: ["ffmpeg"]     # Ubuntu apt packages
      gpu: true                       # CUDA/cuDNN picked from torch/TF unless
      cuda: "12.1"                    # ... given here
      cudnn: "8"
      run: ["curl ... | sh", {command: "...", mounts: [{type: secret, id, target}]}]
      pre_install: [...]              # older: commands before the Python packages
      sdk_version: "0.18.0"           # the cog SDK installed in the image
      fast: true
      environment: ["NAME=value"]     # older: build-time variables
    image: "r8.im/user/model"         # the image name
    model: "r8.im/user/model"
    run: "run.py:Runner"              # the runner (predict: is its deprecated name)
    predict: "predict.py:Predictor"
    train: "train.py:train"
    concurrency: {max: 4}
    environment: ["NAME=value"]       # build and run time variables
    weights: [...]
    tests: [...]

Carried over: the Python version (the scalar's text, so an unquoted ``3.10`` stays 3.10),
requirements (inline, or the file through :func:`read_requirements_file`), system packages,
``cuda`` (``gpu`` without it: SPC741), environment variables (credentials become secrets), and
``image``/``model`` as ``model.name``.  Everything else is a diagnostic (SPC731-SPC743).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specc.importers.base import Draft

NAMES = ("cog.yaml", "cog.yml")
# cog's default when build.python_version is missing (docs/yaml.md: "the latest version of Python 3.13")
DEFAULT_PYTHON = "3.13"


def _file(path: Path) -> Path | None:
    if path.is_file():
        return path if path.name in NAMES else None
    if path.is_dir():
        for name in NAMES:
            if (path / name).is_file():
                return path / name
    return None


class _Importer:
    kind = "cog"
    summary = "Replicate Cog's cog.yaml (a file, or a folder holding one)"

    def detect(self, path: Path) -> bool:
        return _file(path) is not None

    def read(self, path: Path, draft: Draft) -> None:
        from specc.importers import _peers as p

        file = _file(path) or path
        doc = p.load_yaml(file, draft)
        if doc is None:
            return
        folder = file.parent
        if isinstance(doc.get("environment"), dict) and doc.get("build") is None:
            # cog's first format: the build settings were under `environment:` (docs/yaml.md before 0.1)
            doc = _renamed(doc, "environment", "build")
            draft.report(
                p.SETTING,
                "environment: is cog's first format (today's build:); read as build",
                source=doc.src("build"),
            )
        build = doc.get("build")
        if build is not None and not isinstance(build, dict):
            draft.report(p.INVALID, "build must be a mapping", source=doc.src("build"), severity="error")
            build = None
        build = build or {}

        # Python
        raw = doc.raw("build", "python_version")
        if raw is None:
            draft.set(("runtime", "python"), DEFAULT_PYTHON, source=f"{doc.name}: cog's default Python")
            draft.report(
                p.PYTHON_ASSUMED,
                f"build.python_version is not set; cog's default, Python {DEFAULT_PYTHON}, is written",
                source=doc.src("build"),
                hint="set runtime.python to the Python the model was trained with",
            )
        elif (version := p.python_version(raw)) is not None:
            draft.set(("runtime", "python"), version, source=doc.src("build", "python_version"))
        else:
            draft.report(
                p.INVALID,
                f"build.python_version {raw!r} is not a Python version (3.X or 3.X.Y)",
                source=doc.src("build", "python_version"),
                severity="error",
            )

        # Python packages
        from specc.importers.requirements import read_requirements_file, requirement_lines

        requirement_lines(p.requirement_strings(doc, ("build", "python_packages"), draft, "requirements"), draft)
        if "python_packages" in build:
            draft.report(
                p.CARRIED,
                "build.python_packages is deprecated in cog; its requirements are carried over",
                source=doc.src("build", "python_packages"),
            )
        req = build.get("python_requirements")
        if isinstance(req, str) and req.strip():
            target = p.within(
                draft,
                folder,
                req.strip(),
                source=doc.src("build", "python_requirements"),
                what="build.python_requirements",
            )
            if target is None:
                pass
            elif target.is_file():
                read_requirements_file(target, draft, root=draft.root)
            else:
                draft.report(
                    p.INVALID,
                    f"build.python_requirements names {req!r}, which does not exist",
                    source=doc.src("build", "python_requirements"),
                    severity="error",
                )
        elif req is not None:
            draft.report(
                p.INVALID,
                "build.python_requirements must be a file name",
                source=doc.src("build", "python_requirements"),
                severity="error",
            )
        if build.get("python_overrides"):
            draft.report(
                p.PIP_OPTION,
                f"build.python_overrides ({build['python_overrides']}) is not carried over: the spec has no "
                "overrides, only constraints",
                source=doc.src("build", "python_overrides"),
                hint="pin the overridden packages in python.requirements (or python.constraints)",
            )

        # system packages
        p.apt_packages(
            p.requirement_strings(doc, ("build", "system_packages"), draft, "apt packages"), draft, distro="Ubuntu"
        )

        # GPU
        cuda = doc.raw("build", "cuda")
        if cuda is not None:
            version = p.cuda_version(cuda)
            if version is not None:
                draft.set(("runtime", "cuda"), version, source=doc.src("build", "cuda"))
            else:
                draft.report(p.CUDA, f"build.cuda {cuda!r} is not a CUDA version", source=doc.src("build", "cuda"))
        elif build.get("gpu") is True:
            draft.report(
                p.CUDA,
                "build.gpu is true but build.cuda is not set: cog picks CUDA from the torch/TensorFlow "
                "version, specc does not",
                source=doc.src("build", "gpu"),
                hint='set runtime.cuda (e.g. "12.1", the CUDA your torch wheels were built for)',
            )
        if build.get("cudnn") is not None:
            draft.report(
                p.SETTING,
                f"build.cudnn ({doc.raw('build', 'cudnn')}) is not carried over: the spec has no cuDNN version",
                source=doc.src("build", "cudnn"),
                hint="the CUDA base image or the framework's wheels bring cuDNN",
            )

        # build steps
        for key in ("pre_install", "run"):
            steps = build.get(key)
            if steps is None:
                continue
            for i, step in enumerate(steps if isinstance(steps, list) else [steps]):
                command = step.get("command") if isinstance(step, dict) else step
                mounts = " (with secret mounts)" if isinstance(step, dict) and step.get("mounts") else ""
                draft.report(
                    p.BUILD_STEP,
                    f"build.{key} command {_short(command)}{mounts} is not carried over: "
                    "the spec has no build commands",
                    source=doc.src("build", key, i),
                    hint="declare what it installs (python.requirements, apt.packages, python.wheels) or keep "
                    "the step in your own Dockerfile",
                )
        for key, what in (("sdk_version", "the cog SDK version"), ("fast", "cog's fast build switch")):
            if key in build:
                draft.report(p.SETTING, f"build.{key} ({what}) is not carried over", source=doc.src("build", key))

        # environment
        for where in (("environment",), ("build", "environment")):
            for text, source in p.requirement_strings(doc, where, draft, "NAME=value strings"):
                name, eq, value = text.partition("=")
                if not eq:
                    draft.report(
                        p.ENV, f"environment entry {text!r} is not NAME=value; not carried over", source=source
                    )
                    continue
                p.env_var(name, value, draft, source=source)

        # names and entry points
        for key in ("image", "model"):
            value = doc.get(key)
            if isinstance(value, str) and value.strip() and (slugged := p.model_name(value)):
                draft.set(("model", "name"), slugged, source=doc.src(key))
        for key, what in (
            ("run", "the runner"),
            ("predict", "the predictor"),
            ("train", "the trainer"),
            ("concurrency", "concurrency settings"),
            ("weights", "weight sources"),
            ("tests", "cog's test cases"),
        ):
            value = doc.get(key)
            if value is None:
                continue
            shown = f" {value}" if isinstance(value, str) else ""
            draft.report(
                p.CODE if key in ("run", "predict", "train", "weights") else p.SETTING,
                f"{key}{shown} ({what}) is not carried over",
                source=doc.src(key),
                hint="list the code the model imports under code.paths and its files under artifacts"
                if key in ("run", "predict", "train", "weights")
                else None,
            )
        known = {"build", "image", "model", "run", "predict", "train", "concurrency", "environment", "weights", "tests"}
        for key in doc.data:
            if key not in known:
                draft.report(p.SETTING, f"unknown cog.yaml key {key!r} is not carried over", source=doc.src(key))
        known_build = {
            "python_version", "python_packages", "python_requirements", "python_overrides", "system_packages",
            "gpu", "cuda", "cudnn", "run", "pre_install", "sdk_version", "fast", "environment",
        }  # fmt: skip
        for key in build:
            if key not in known_build:
                draft.report(p.SETTING, f"unknown build key {key!r} is not carried over", source=doc.src("build", key))


def _renamed(doc: Any, old: str, new: str) -> Any:
    """``doc`` with its top-level key ``old`` named ``new`` (values and places kept)."""
    from specc.importers._peers import Doc

    data = {(new if k == old else k): v for k, v in doc.data.items()}
    lines = {((new, *k[1:]) if k[:1] == (old,) else k): v for k, v in doc.lines.items()}
    text = {((new, *k[1:]) if k[:1] == (old,) else k): v for k, v in doc.text.items()}
    return Doc(data, doc.name, lines, text)


def _short(command: object) -> str:
    text = " ".join(str(command).split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


IMPORTER = _Importer()
