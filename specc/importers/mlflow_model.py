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
from typing import TYPE_CHECKING

from specc.importers.base import Draft, TomlValue

if TYPE_CHECKING:
    from specc.mlmodel import MLmodel
    from specc.spec import EnvSpec

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
    from specc.envartifact import no_tracking_server

    unset = no_tracking_server(uri)
    if unset is not None:
        raise ModelDownloadError(f"cannot download {uri}: {unset}", None)
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
    logged_spec = _specc_environment(folder, model, draft)
    # a hand-edited "python_version: 3.10" is the float 3.1 to YAML: its text is the version
    written = texts.get(("flavors", "python_function", "python_version"))
    python_minor = _minor(written) if written else model.python_minor
    if python_minor:
        draft.set(("runtime", "python"), python_minor, source=at("flavors", "python_function", "python_version"))
    if model.databricks_runtime and logged_spec is None:  # the logged spec's runtime.databricks is exact
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
    if logged_spec is not None:
        for name in ("requirements.txt", "conda.yaml"):
            if (folder / name).is_file():
                draft.report(
                    NOT_CARRIED,
                    f"{name} is not read: specc-environment.json holds the spec the model was logged from (the "
                    f"rest of {name} is MLflow's own pin, the flavor's defaults or a lock's pins)",
                    source=name,
                    hint="run `specc lock` to pin every version again" if name == "requirements.txt" else None,
                )
    elif requirements.is_file():
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
        from specc.envartifact import BUNDLE_DIR

        # specc's own folder (specc-environment/, for non-pyfunc flavors) is not the model's code
        entries = sorted(p for p in code.iterdir() if p.name not in ("__pycache__", BUNDLE_DIR))
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


def _specc_environment(folder: Path, model: MLmodel, draft: Draft) -> EnvSpec | None:
    """A model logged by specc: the spec it was logged from (``specc-environment.json``, read as
    ``specc render --from-model`` and ``specc diff`` read it), carried over entry by entry
    (``model.name``, ``[runtime]``, the spec's own requirements, constraints and indexes,
    ``[apt]`` packages, Maven and R packages, ``[env]``, ``[secrets]``, ``[mlflow]`` and the
    target options that differ from their defaults).  Its files (wheels, .debs, jars, R
    sources, artifacts) are reported (SPC725): they live in the model, not in a repository.
    None when the model has no such file (or an unreadable one, reported)."""
    import json

    from pydantic import ValidationError

    from specc.envartifact import SpeccEnvironment, find_artifact, spec_from_artifact

    found = find_artifact(folder, model)
    if found is None:
        return None
    shown = found.relative_to(folder).as_posix()
    try:
        spec = spec_from_artifact(SpeccEnvironment.model_validate(json.loads(found.read_text(encoding="utf-8"))))
    except (OSError, ValueError, ValidationError) as exc:
        draft.report(
            NOT_CARRIED,
            f"{shown} is not read ({type(exc).__name__}): the spec is rebuilt from what MLflow records",
            source=shown,
        )
        return None

    def src(path: str) -> str:
        return f"{shown}: {path}"

    data = spec.to_dict(with_hashes=False)
    draft.set(("model", "name"), spec.model.name, source=src("model.name"))
    draft.set(("runtime", "python"), spec.runtime.python, source=src("runtime.python"))
    for key in ("databricks", "cuda"):
        if data["runtime"].get(key):
            draft.set(("runtime", key), data["runtime"][key], source=src(f"runtime.{key}"))
    for i, name in enumerate(spec.runtime.overrides):
        draft.add(("runtime", "overrides"), name, source=src(f"runtime.overrides[{i}]"))
    py = spec.python
    for key, reqs in (("requirements", py.requirements), ("constraints", py.constraints)):
        for i, r in enumerate(reqs):
            draft.add(("python", key), r.line, source=src(f"python.{key}[{i}]"))
    if py.index_url:
        draft.set(("python", "index-url"), py.index_url, source=src("python.index-url"))
    for i, url in enumerate(py.extra_index_urls):
        draft.add(("python", "extra-index-urls"), url, source=src(f"python.extra-index-urls[{i}]"))
    for i, a in enumerate(spec.apt.packages):
        draft.add(("apt", "packages"), a.line, source=src(f"apt.packages[{i}]"))
    for section in ("maven", "r"):
        table = data[section]
        if table.get("repository"):
            draft.set((section, "repository"), table["repository"], source=src(f"{section}.repository"))
        for i, item in enumerate(table.get("packages", [])):
            draft.add((section, "packages"), _plain_table(item), source=src(f"{section}.packages[{i}]"))
    for name, value in spec.env.items():
        draft.set(("env", name), value, source=src(f"env.{name}"))
    for name, secret in data["secrets"].items():
        for key, value in secret.items():
            if value and not (key == "docker" and value == name.lower()):
                draft.set(("secrets", name, key), value, source=src(f"secrets.{name}.{key}"))
    defaults = _target_defaults(spec)
    for section in ("mlflow", "targets"):
        for path, leaf in _leaves((section,), data.get(section, {})):
            if defaults.get(path, _MISSING) != leaf:
                draft.set(path, leaf, source=src(".".join(path)))
    files = [
        f"{kind} {ref['path']}"
        for kind, refs in (
            ("wheel", data["python"]["wheels"]),
            ("deb", data["apt"]["debs"]),
            ("jar", data["maven"]["jars"]),
            ("R source", data["r"]["sources"]),
        )
        for ref in refs
    ] + [f"artifact {key}" for key in data["artifacts"]]
    if files:
        draft.report(
            NOT_CARRIED,
            f"files of the logged spec are not carried over: {', '.join(files)} (they are in the model, not in "
            "your repository)",
            source=shown,
            hint="add your own copies under python.wheels, apt.debs, maven.jars, r.sources or [artifacts]",
        )
    return spec


_MISSING = object()


def _plain_table(item: dict[str, object]) -> TomlValue:
    """A normalized Maven/R package as the spec's table form (empty lists and None left out)."""
    return {k: v for k, v in item.items() if v not in (None, [], {})}  # type: ignore[misc]


def _leaves(prefix: tuple[str, ...], value: object) -> list[tuple[tuple[str, ...], TomlValue]]:
    if isinstance(value, dict):
        out: list[tuple[tuple[str, ...], TomlValue]] = []
        for k, v in value.items():
            out += _leaves((*prefix, str(k)), v)
        return out
    return [] if value is None else [(prefix, value)]  # type: ignore[list-item]


def _target_defaults(spec: EnvSpec) -> dict[tuple[str, ...], object]:
    """The ``[mlflow]``/``[targets]`` values a spec with only this model's name, runtime and
    Databricks folder gets by default: what need not be written."""
    from specc.api import check_text
    from specc.importers.writer import toml_value

    lines = [
        "spec-version = 1",
        "[model]",
        f"name = {toml_value(spec.model.name)}",
        "[runtime]",
        f"python = {toml_value(spec.runtime.python)}",
    ]
    if spec.runtime.databricks:
        lines.append(f"databricks = {toml_value(spec.runtime.databricks)}")
    if spec.runtime.cuda:
        lines.append(f"cuda = {toml_value(spec.runtime.cuda)}")
    dbx = spec.targets.databricks
    if dbx.libraries_dir:
        lines += ["[targets.databricks]", f"libraries-dir = {toml_value(dbx.libraries_dir)}"]
    result = check_text("\n".join(lines) + "\n", targets=())
    if result.spec is None:
        return {}
    data = result.spec.to_dict(with_hashes=False)
    out: dict[tuple[str, ...], object] = {
        path: v for section in ("mlflow", "targets") for path, v in _leaves((section,), data.get(section, {}))
    }
    out.pop(("targets", "databricks", "libraries-dir"), None)  # given above, not a default: always written
    return out


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
