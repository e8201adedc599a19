"""The ``mlflow`` importer: a logged MLflow model's folder (or a ``models:/``/``runs:/`` URI the
command downloads first with :func:`download`).

What a logged model holds (MLflow's own layout, ``mlflow.models.Model`` and
``mlflow.utils.environment``) and where it goes:

- ``MLmodel`` (read by :func:`specc.mlmodel.read_mlmodel`): ``flavors.python_function.
  python_version`` → ``runtime.python`` (major.minor), ``databricks_runtime`` →
  ``runtime.databricks`` when specc knows that runtime (else SPC726), the logging flavor →
  ``mlflow.flavor``, ``flavors.python_function.artifacts`` → ``[artifacts]`` (a local folder
  only);
- ``requirements.txt`` → the pip converter (``python.requirements``...);
- ``python_env.yaml``: ``python`` → ``runtime.python`` (its ``build_dependencies`` — pip,
  setuptools, wheel — are the consumer's tools and are not carried, SPC725);
- ``conda.yaml``: read only when there is no ``requirements.txt`` (MLflow writes the same pip
  list into both), through the conda importer;
- ``uv.lock`` (MLflow 3 logs it for uv projects): not carried (SPC725; ``specc lock`` makes
  ``model-env.lock``);
- ``code/`` (``code_paths``) → ``code.paths``, each entry of the folder (a local folder only;
  a downloaded model's code is in a temporary folder, SPC725).
"""

from __future__ import annotations

import re
from pathlib import Path

from specc.importers.base import Draft

NOT_CARRIED = "SPC725"
RUNTIME_UNKNOWN = "SPC726"


class ModelDownloadError(Exception):
    """A ``models:/``/``runs:/`` URI could not be downloaded; ``hint`` says what to check."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def download(uri: str, dst: Path) -> Path:
    """Download the model at ``uri`` into ``dst`` with mlflow (its tracking and registry URIs
    come from the environment, ``MLFLOW_TRACKING_URI``); returns the model's folder.

    Raises :class:`ModelDownloadError` (mlflow missing, an unknown model, run or version, an
    unreachable server), never mlflow's own exceptions.
    """
    try:
        import mlflow.artifacts
    except ImportError:
        raise ModelDownloadError(
            f"cannot download {uri}: mlflow is not installed", "pip install mlflow, or import the model's folder"
        ) from None
    try:
        local = mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(dst))
    except Exception as exc:  # mlflow raises MlflowException, OSError, requests errors...
        from specc.diagnostics import redact

        reason = redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        raise ModelDownloadError(
            f"cannot download {uri}: {reason}",
            "check MLFLOW_TRACKING_URI (and MLFLOW_REGISTRY_URI for models:/) and the model's name and version",
        ) from None
    folder = Path(local)
    if not (folder / "MLmodel").is_file():
        found = sorted(folder.rglob("MLmodel"))
        if not found:
            raise ModelDownloadError(
                f"{uri} holds no MLmodel file", "point the URI at the model, e.g. runs:/<id>/model"
            )
        folder = found[0].parent
    return folder


class _Importer:
    kind = "mlflow"
    summary = "a logged MLflow model: its folder (MLmodel, requirements.txt, python_env.yaml, conda.yaml, code/)"

    def detect(self, path: Path) -> bool:
        if path.is_dir():
            return (path / "MLmodel").is_file()
        return path.name == "MLmodel"

    def read(self, path: Path, draft: Draft) -> None:
        folder = path if path.is_dir() else path.parent
        read_model(folder, draft)


def read_model(folder: Path, draft: Draft) -> None:
    """Fill ``draft`` from the model in ``folder`` (see the module's docstring)."""
    from specc.importers.base import read_yaml
    from specc.mlmodel import MLmodelError, read_mlmodel

    # read_yaml first: it refuses a recursive alias or an alias bomb before anything walks the data
    texts: dict[tuple[str | int, ...], str] = {}
    parsed = read_yaml(folder / "MLmodel", draft, shown="MLmodel", texts=texts)
    if parsed is None:
        return
    lines: dict[tuple[str | int, ...], int] = parsed[1]
    try:
        model = read_mlmodel(folder)
    except MLmodelError as exc:
        # "<folder>/MLmodel: flavors.python_function.python_version: expected ..." → MLmodel:<line>
        message = str(exc)
        for prefix in (f"{folder / 'MLmodel'}: ", f"{folder}/MLmodel: ", f"{folder}: "):
            message = message.removeprefix(prefix)
        where = "MLmodel"
        if m := re.match(r"^([A-Za-z0-9_.-]+): ", message):
            line = parsed[1].get(tuple(m.group(1).split(".")))
            where = f"MLmodel:{line}" if line else where
        draft.report("SPC700", f"MLmodel: {message}", source=where, severity="error")
        return

    def at(*path: str | int) -> str:
        line = lines.get(path)
        return f"MLmodel:{line}" if line else "MLmodel"

    local = draft.origin is None
    # a hand-edited "python_version: 3.10" is the float 3.1 to YAML: its text is the version
    written = texts.get(("flavors", "python_function", "python_version"))
    python_minor = _minor(written) if written else model.python_minor
    if python_minor:
        draft.set(("runtime", "python"), python_minor, source=at("flavors", "python_function", "python_version"))
    if model.databricks_runtime:
        from specc import runtimes

        key = runtimes.resolve_runtime(model.databricks_runtime)
        if key is None or runtimes.get_runtime(key) is None:
            draft.report(
                RUNTIME_UNKNOWN,
                f'the model was logged on Databricks Runtime "{model.databricks_runtime}", which specc does not know',
                source=at("databricks_runtime"),
                hint="set runtime.databricks yourself (`specc runtimes` lists the known runtimes)",
            )
        else:
            draft.set(("runtime", "databricks"), model.databricks_runtime, source=at("databricks_runtime"))
            if re.fullmatch(r"\d+\.\d+", model.databricks_runtime.strip()):
                # MLflow records DATABRICKS_RUNTIME_VERSION, which is "15.4" on the ML runtime too
                draft.report(
                    RUNTIME_UNKNOWN,
                    f'the model was logged on Databricks Runtime "{model.databricks_runtime}", which does not say '
                    "whether it was the ML runtime; the spec reads it as the standard one",
                    source=at("databricks_runtime"),
                    hint=f'write "{model.databricks_runtime}-ml" if the model was trained on Databricks Runtime ML',
                )
    flavor = model.logged_flavor
    if flavor != "pyfunc" and flavor.replace("_", "").isalnum() and flavor[:1].isalpha():
        draft.set(("mlflow", "flavor"), flavor, source=at("flavors", flavor))
    _python_env(folder, draft)
    requirements = folder / "requirements.txt"
    if requirements.is_file():
        from specc.importers.requirements import read_requirements_file

        read_requirements_file(requirements, draft, root=draft.root)
        if (folder / "conda.yaml").is_file():
            draft.report(
                NOT_CARRIED,
                "conda.yaml is not read: requirements.txt lists the same pip requirements",
                source="conda.yaml",
            )
    elif (folder / "conda.yaml").is_file():
        from specc.importers.conda import read_environment

        read_environment(folder / "conda.yaml", draft)
    if (folder / "uv.lock").is_file():
        draft.report(
            NOT_CARRIED,
            "uv.lock is not carried over: model-env.toml lists requirements, model-env.lock pins them",
            source="uv.lock",
            hint="run `specc lock` after the import to pin every version again",
        )
    code = folder / "code"
    if code.is_dir():
        entries = sorted(p for p in code.iterdir() if p.name != "__pycache__")
        if local:
            for entry in entries:
                draft.add(("code", "paths"), draft.spec_path(entry), source=f"code/{entry.name}")
        elif entries:
            draft.report(
                NOT_CARRIED,
                f"code/ ({', '.join(e.name for e in entries)}) is not carried over from a downloaded model",
                source="code",
                hint="list your source folders under code.paths (the files the model was logged with are in "
                "its code/ folder)",
            )
    for key, rel in sorted(model.pyfunc_artifacts.items()):
        if local and (folder / rel).exists():
            draft.set(("artifacts", key), draft.spec_path(folder / rel), source=at("flavors", "python_function"))
        else:
            draft.report(
                NOT_CARRIED,
                f'artifact "{key}" ({rel}) is not carried over'
                + (" from a downloaded model" if not local else ": not in the model's folder"),
                source=at("flavors", "python_function"),
                hint="add it under [artifacts] with the path of your own copy",
            )


def _python_env(folder: Path, draft: Draft) -> None:
    """``python_env.yaml``: ``python`` (``3.11.7``) → ``runtime.python``; build tools reported."""
    env = folder / "python_env.yaml"
    if not env.is_file():
        return
    from specc.importers.base import read_yaml

    texts: dict[tuple[str | int, ...], str] = {}
    parsed = read_yaml(env, draft, shown="python_env.yaml", texts=texts)
    if parsed is None:
        return
    data, lines = parsed
    if not isinstance(data, dict):
        draft.report("SPC700", "python_env.yaml is not a mapping", source="python_env.yaml", severity="error")
        return
    python = texts.get(("python",), data.get("python"))  # "python: 3.10" is the float 3.1 to YAML
    minor = _minor(str(python)) if isinstance(python, str | float | int) else None
    if minor:
        draft.set(("runtime", "python"), minor, source=f"python_env.yaml:{lines.get(('python',), 1)}")
    elif python is not None:
        draft.report(
            NOT_CARRIED,
            f"python {str(python)[:40]!r} is not a Python version; runtime.python is not taken from it",
            source=f"python_env.yaml:{lines.get(('python',), 1)}",
        )
    build = data.get("build_dependencies")
    if isinstance(build, list) and build:
        draft.report(
            NOT_CARRIED,
            "build_dependencies (" + ", ".join(str(b) for b in build) + ") are not carried over: each target "
            "brings its own pip",
            source=f"python_env.yaml:{lines.get(('build_dependencies',), 1)}",
        )


def _minor(version: str) -> str | None:
    """``"3.10"``, ``"3.10.14"`` → ``"3.10"``; anything else None."""
    m = re.fullmatch(r"\s*(\d+)\.(\d+)(?:\.\d+)*\s*", version)
    return f"{m.group(1)}.{m.group(2)}" if m else None


IMPORTER = _Importer()
