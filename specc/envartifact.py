"""The non-Python dependency artifact ``specc-environment.json``, logged with every model.

MLflow records a model's Python environment (``requirements.txt``, ``conda.yaml``,
``python_env.yaml``) and nothing else.  specc logs one more file next to it that holds
everything a deploy target needs beyond pip (the format contract's last section): the
runtime, apt / Maven / R declarations, the private packages shipped inside the model
(with their in-model paths and sha256), env vars, secrets *by reference*, the target
options and the hashes.  It is the normalized spec plus in-model paths, so
``specc render --from-model MODEL`` rebuilds the deploy-time environment from the
logged model alone (:func:`load_from_model`).

Where it lives inside a model depends on the flavor that logged it (see ``docs/mlflow.md``):

* ``pyfunc`` layout: MLflow ``artifacts`` keys ``specc_environment`` (the JSON) and
  ``specc_private_packages`` (one folder with the private .deb/.jar/R sources), copied by
  MLflow to ``artifacts/<basename>``.
* ``code`` layout (every other flavor; ``mlflow.sklearn.log_model`` & co. take no
  ``artifacts=``): one folder ``specc-environment/`` passed in ``code_paths``, which every
  flavor accepts, so it lands at ``code/specc-environment/``.  The hyphen keeps it from ever
  being importable from ``code/`` (MLflow puts ``code/`` on ``sys.path``).

Reading goes through MLmodel's recorded artifact paths first, then both fixed layouts.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError

from specc import spec_defs
from specc.filetree import copy_tree
from specc.hashing import sha256_file
from specc.mlmodel import MLmodel, MLmodelError, read_mlmodel
from specc.spec import EnvSpec, FileRef, PathRef

ARTIFACT_FILE = "specc-environment.json"
ARTIFACT_KEY = "specc_environment"  # MLflow artifacts key of the JSON (pyfunc layout)
PACKAGES_KEY = "specc_private_packages"  # MLflow artifacts key of the private-packages folder
BUNDLE_DIR = "specc-environment"  # the staged folder; a code_path in the code layout
PACKAGES_DIR = "specc-private-packages"  # inside BUNDLE_DIR
ARTIFACTS_DIR = "artifacts"  # inside BUNDLE_DIR: [artifacts] files, code layout only
ARTIFACT_VERSION = 1

Layout = Literal["artifacts", "code"]
PYFUNC_FLAVORS = frozenset({"pyfunc", "python_function"})


def layout_for_flavor(flavor: str | None) -> Layout:
    """``artifacts`` when the model is logged with ``mlflow.pyfunc`` (or no flavor), else ``code``."""
    return "artifacts" if flavor is None or flavor in PYFUNC_FLAVORS else "code"


# --- the published model ---------------------------------------------------------------------
#
# Pydantic models extending the spec's definitions (specc.spec_defs): the artifact is read and
# written by the few commands that handle logged models, and its JSON Schema is published.
#
# The artifact is the normalized spec (specc.spec.EnvSpec, whose field descriptions are the
# schema's) plus one fact per shipped file or folder: where it is inside the model.  Only the
# sections that hold shipped things are extended here; every other model is the spec's own.

_IN_MODEL = "Where it is inside the logged model, relative to the model's root (POSIX)."


class ShippedFile(spec_defs.FileRef):
    """A local file the model carries (.deb, jar, R source package)."""

    in_model_path: str = Field(description=_IN_MODEL, examples=["artifacts/specc-private-packages/lib/x.deb"])


class ShippedWheel(spec_defs.WheelRef):
    """A local wheel the model carries (MLflow code_paths)."""

    in_model_path: str = Field(description=_IN_MODEL, examples=["code/featurizer-0.3.0-py3-none-any.whl"])


class ShippedPath(spec_defs.PathRef):
    """A local file or folder the model carries (code, artifacts)."""

    in_model_path: str = Field(description=_IN_MODEL, examples=["code/churn_utils"])


class ShippedPython(spec_defs.Python):
    """Python dependencies (MLflow's own files hold the same requirements in pip form)."""

    wheels: tuple[ShippedWheel, ...] = Field(default=(), description="Local wheels, shipped under code/.")


class ShippedCode(spec_defs.Code):
    """Local code shipped with the model (MLflow code_paths)."""

    paths: tuple[ShippedPath, ...] = Field(default=(), description="Files and folders, under code/.")


class ShippedApt(spec_defs.Apt):
    """OS packages."""

    debs: tuple[ShippedFile, ...] = Field(default=(), description="Private .deb files shipped in the model.")


class ShippedMaven(spec_defs.Maven):
    """JVM dependencies."""

    jars: tuple[ShippedFile, ...] = Field(default=(), description="Private jars shipped in the model.")


class ShippedR(spec_defs.R):
    """R dependencies."""

    sources: tuple[ShippedFile, ...] = Field(default=(), description="Private R source packages in the model.")


def _described(name: str) -> str:
    description = spec_defs.EnvSpec.model_fields[name].description
    assert description is not None
    return description


class SpeccEnvironment(spec_defs.EnvSpec):
    """specc-environment.json: what a logged model needs beyond MLflow's pip files (specc)."""

    model_config = ConfigDict(title="specc-environment.json")

    artifact_version: Literal[1] = Field(description="Format version of this file; 1.")
    python: ShippedPython = Field(default_factory=ShippedPython, description=_described("python"))
    code: ShippedCode = Field(default_factory=ShippedCode, description=_described("code"))
    apt: ShippedApt = Field(default_factory=ShippedApt, description=_described("apt"))
    maven: ShippedMaven = Field(default_factory=ShippedMaven, description=_described("maven"))
    r: ShippedR = Field(default_factory=ShippedR, description=_described("r"))
    artifacts: dict[str, ShippedPath] = Field(  # type: ignore[assignment]
        default_factory=dict, description=_described("artifacts")
    )


def _schema() -> dict[str, Any]:
    from specc.schema import BASE_ID, DRAFT, _tidy

    schema = SpeccEnvironment.model_json_schema(by_alias=True)
    schema["$schema"] = DRAFT
    schema["$id"] = f"{BASE_ID}/specc-environment.schema.json"
    for definition in (schema, *schema.get("$defs", {}).values()):
        _written_is_required(definition)
    tidy: dict[str, Any] = _tidy(schema)  # the same mapping, pydantic's auto titles dropped
    return tidy


def _omitted_at_default() -> frozenset[str]:
    """Aliases of the normalized fields that dumps leave out at their default (``exclude_if``)."""
    out = set()
    for obj in vars(spec_defs).values():
        if isinstance(obj, type) and issubclass(obj, spec_defs._Norm):
            for name, info in obj.model_fields.items():
                if getattr(info, "exclude_if", None) is not None:
                    out.add(info.alias or name)
    return frozenset(out)


_OMITTED_AT_DEFAULT = _omitted_at_default()


def _written_is_required(definition: dict[str, Any]) -> None:
    """Mark what the writer always writes as required, and drop its (then meaningless) default.

    The models carry the normalized spec's defaults (so reading is lenient), but the file is
    written with every default filled in and only nulls left out: a property is absent
    exactly when it may be null, or when its field is left out at its default (``exclude_if``:
    keys added after version 1, such as ``runtime.overrides``, so older files keep their shape).
    """
    props = definition.get("properties")
    if not isinstance(props, dict):
        return
    required = []
    for name, prop in props.items():
        nullable = any(alt.get("type") == "null" for alt in prop.get("anyOf", ()))
        if not nullable and name not in _OMITTED_AT_DEFAULT:
            required.append(name)
            prop.pop("default", None)
    definition["required"] = required


def _register() -> None:
    import specc.schema

    specc.schema.register("specc-environment.schema.json", _schema)


_register()


# --- writing ---------------------------------------------------------------------------------


def _posix_base(path: str) -> str:
    return PurePosixPath(path).name


#: what a leading ``..`` of a spec path becomes inside the private-packages folder
PARENT_PART = "__parent__"


def package_rel(path: str) -> str:
    """Where a private package's spec-relative ``path`` sits inside the private-packages folder.

    The spec path as written, except that each ``..`` (a spec in a subfolder of its repository
    naming ``../lib/x.deb``) becomes ``__parent__``: the copy stays inside that folder instead
    of landing next to the output folder.
    """
    return "/".join(PARENT_PART if part == ".." else part for part in path.split("/"))


def in_model_paths(spec: EnvSpec, layout: Layout) -> dict[str, str]:
    """Spec-relative path → in-model path, for every file or folder the model carries."""
    out: dict[str, str] = {}
    refs: list[PathRef | FileRef] = [*spec.code.paths, *spec.python.wheels]
    for ref in refs:
        out[ref.path] = f"code/{_posix_base(ref.path)}"
    packages_root = f"artifacts/{PACKAGES_DIR}" if layout == "artifacts" else f"code/{BUNDLE_DIR}/{PACKAGES_DIR}"
    for f in private_packages(spec):
        out[f.path] = f"{packages_root}/{package_rel(f.path)}"
    for key, ref in spec.artifacts.items():
        if layout == "artifacts":
            out[f"artifacts:{key}"] = f"artifacts/{_posix_base(ref.path)}"
        else:
            out[f"artifacts:{key}"] = f"code/{BUNDLE_DIR}/{ARTIFACTS_DIR}/{key}/{_posix_base(ref.path)}"
    return out


def private_packages(spec: EnvSpec) -> list[FileRef]:
    """The private non-Python packages (.deb, jar, R source) as FileRefs, in a stable order."""
    return [*spec.apt.debs, *spec.maven.jars, *spec.r.sources]


def build_artifact(spec: EnvSpec, layout: Layout) -> SpeccEnvironment:
    """The artifact for ``spec`` as logged in ``layout`` (pure: no filesystem access)."""
    return SpeccEnvironment.model_validate(artifact_data(spec, layout))


def environment_text(spec: EnvSpec, layout: Layout) -> str:
    """``artifact_text(build_artifact(spec, layout))`` without the model round trip.

    The data comes from a valid ``EnvSpec`` (plus in-model paths), so validating it into a
    :class:`SpeccEnvironment` and dumping it again gives the same data back: skipping that
    saves two passes over every item (most of ``specc compile`` for 100,000 requirements).
    tests/test_envartifact.py checks the two are byte-identical.
    """
    from specc.output import dump_json

    return dump_json(artifact_data(spec, layout))


def artifact_data(spec: EnvSpec, layout: Layout) -> dict[str, Any]:
    """The artifact as plain JSON data (kebab-case keys, nulls left out): what the file holds."""
    paths = in_model_paths(spec, layout)
    data = spec.to_dict()
    data["artifact-version"] = ARTIFACT_VERSION
    for section, key in (("python", "wheels"), ("apt", "debs"), ("maven", "jars"), ("r", "sources"), ("code", "paths")):
        for item in data.get(section, {}).get(key, []):
            item["in-model-path"] = paths[item["path"]]
    for key, item in data.get("artifacts", {}).items():
        item["in-model-path"] = paths[f"artifacts:{key}"]
    return data


def artifact_text(artifact: SpeccEnvironment) -> str:
    """The file's bytes: specc's one JSON style (sorted keys, indent 2, final newline)."""
    from specc.output import dump_json

    return dump_json(artifact.model_dump(mode="json", by_alias=True, exclude_none=True))


def spec_from_artifact(artifact: SpeccEnvironment) -> EnvSpec:
    """The normalized spec the artifact was compiled from (in-model paths dropped)."""
    data = artifact.model_dump(mode="json", by_alias=True)
    data.pop("artifact-version")

    def strip(items: list[dict[str, Any]]) -> None:
        for item in items:
            item.pop("in-model-path", None)

    for section, key in (("python", "wheels"), ("apt", "debs"), ("maven", "jars"), ("r", "sources"), ("code", "paths")):
        strip(data[section][key])
    strip(list(data["artifacts"].values()))
    return EnvSpec.model_validate(data)


# --- reading ---------------------------------------------------------------------------------


class FromModelError(Exception):
    """A logged model cannot be used; the message says why, for the user."""


@dataclass(frozen=True)
class FromModel:
    """A logged model's environment: the spec (paths resolving to the model's files) and where it came from."""

    spec: EnvSpec
    model_dir: Path
    databricks_runtime: str | None
    artifact: SpeccEnvironment
    artifact_path: Path
    #: the model's MLmodel, read once; targets take facts from it (mlflow_version, ...) instead of the file
    mlmodel: MLmodel


def resolve_model_dir(uri_or_dir: str | os.PathLike[str]) -> Path:
    """A local folder holding the model: a folder as-is, ``models:/``, ``runs:/``... downloaded by MLflow."""
    text = os.fspath(uri_or_dir)
    local = Path(text[len("file://") :] if text.startswith("file://") else text)
    is_uri = re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", text) is not None  # models:/, runs:/, s3://, dbfs:/...
    if not is_uri or text.startswith("file://") or local.exists():
        if not local.is_dir():
            raise FromModelError(f"{text}: no such model folder")
        if not (local / "MLmodel").is_file():
            raise FromModelError(f"{text}: not an MLflow model (no MLmodel file)")
        return local.resolve()
    try:
        import mlflow.artifacts
    except ImportError as exc:  # pragma: no cover - mlflow is a declared extra
        raise FromModelError(
            f"{text}: reading a model URI needs mlflow (pip install 'specc-env[mlflow]'): {exc}"
        ) from exc
    unset = no_tracking_server(text)
    if unset is not None:
        raise FromModelError(f"{text}: {unset}")
    try:
        path = Path(mlflow.artifacts.download_artifacts(artifact_uri=text))
    except Exception as exc:
        raise FromModelError(f"{text}: cannot download the model: {type(exc).__name__}: {exc}") from exc
    if not (path / "MLmodel").is_file():
        raise FromModelError(f"{text}: not an MLflow model (no MLmodel file)")
    return path


def no_tracking_server(uri: str) -> str | None:
    """Why a ``models:/`` or ``runs:/`` URI cannot be read here, when no tracking server (or
    registry) is configured: MLflow would then create an empty local store in the current folder
    (``mlflow.db``, ``mlruns``) and report the model as not found.  None when one is set
    (``MLFLOW_TRACKING_URI``, ``mlflow.set_tracking_uri``, ``MLFLOW_REGISTRY_URI`` for
    ``models:/``), when the current folder has MLflow's default local store already (a model
    logged here without a tracking URI), or on Databricks, where MLflow uses the workspace's."""
    if not uri.startswith(("models:/", "runs:/")) or os.environ.get("DATABRICKS_RUNTIME_VERSION"):
        return None
    if uri.startswith("models:/") and os.environ.get("MLFLOW_REGISTRY_URI"):
        return None
    from mlflow.tracking._tracking_service.utils import is_tracking_uri_set

    if is_tracking_uri_set():
        return None
    if Path("mlflow.db").is_file() or Path("mlruns").is_dir():  # MLflow's default local store, here
        return None
    return (
        "no MLflow tracking server is configured (MLFLOW_TRACKING_URI is unset), so MLflow would look in "
        "a new empty local store; export MLFLOW_TRACKING_URI (e.g. databricks, http://host:5000, "
        "sqlite:///mlflow.db) and, for models:/, MLFLOW_REGISTRY_URI if the registry is elsewhere"
    )


def _read_mlmodel(model_dir: Path) -> MLmodel:
    try:
        return read_mlmodel(model_dir)
    except MLmodelError as exc:
        raise FromModelError(str(exc)) from None


def find_artifact(model_dir: Path, mlmodel: MLmodel | None = None) -> Path | None:
    """Where ``specc-environment.json`` is inside a model folder, in any layout specc produces; None if nowhere.

    ``mlmodel`` is the model's MLmodel when the caller has read it already; else it is read here
    (:class:`FromModelError` when it is missing or malformed).
    """
    if mlmodel is None:
        mlmodel = _read_mlmodel(model_dir)
    candidates = []
    recorded = mlmodel.artifact(ARTIFACT_KEY)
    if recorded:
        candidates.append(recorded)
    candidates += [f"artifacts/{ARTIFACT_FILE}", f"code/{BUNDLE_DIR}/{ARTIFACT_FILE}"]
    for rel in candidates:
        path = model_dir / rel
        if path.is_file():
            return path
    return None


_CLEANUP: list[str] = []


def _cleanup() -> None:
    for d in _CLEANUP:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup)


def _climb(rel: str) -> int:
    """How many leading ``..`` a spec-relative path has (``../../x`` → 2)."""
    n = 0
    for part in PurePosixPath(rel).parts:
        if part != "..":
            break
        n += 1
    return n


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _place(src: Path, dest: Path, model_dir: Path) -> None:
    """Copy a file or folder of the model to ``dest`` under the file-tree policy; no symlink
    leading out of the model folder is followed."""
    copy_tree(src, dest, confine=model_dir)


def _actual_paths(artifact: SpeccEnvironment, model_dir: Path, mlmodel: MLmodel) -> dict[str, Path]:
    """Spec-relative path → the file inside this model (MLmodel's records win over the artifact's)."""
    out: dict[str, Path] = {}
    recorded_pkgs = mlmodel.artifact(PACKAGES_KEY)
    for f in (*artifact.apt.debs, *artifact.maven.jars, *artifact.r.sources):
        where = model_dir / f.in_model_path
        if recorded_pkgs and not where.exists():
            where = model_dir / recorded_pkgs / package_rel(f.path)
        out[f.path] = where
    shipped: list[ShippedWheel | ShippedPath] = [*artifact.python.wheels, *artifact.code.paths]
    for item in shipped:
        out[item.path] = model_dir / item.in_model_path
    for key, a in artifact.artifacts.items():
        recorded = mlmodel.artifact(key)
        out[a.path] = model_dir / (recorded or a.in_model_path)
    return out


def load_from_model(uri_or_dir: str | os.PathLike[str]) -> FromModel:
    """Rebuild the spec from a logged model alone.

    The returned spec's ``base_dir`` is a fresh folder (removed at exit) laid out like
    the spec's repository, holding copies of the model's wheels, private packages, code
    and artifacts, each sha256-checked against the artifact; targets use it exactly like
    a spec loaded from a checkout.  Requirements files were merged at logging time and
    are records only (their paths do not resolve).
    """
    model_dir = resolve_model_dir(uri_or_dir)
    mlmodel = _read_mlmodel(model_dir)
    path = find_artifact(model_dir, mlmodel)
    if path is None:
        raise FromModelError(
            f"{uri_or_dir}: the model has no {ARTIFACT_FILE} (log it with specc.mlflow.log_model_kwargs "
            "or specc.mlflow.log_model)"
        )
    try:
        artifact = SpeccEnvironment.model_validate(json.loads(path.read_text(encoding="utf-8")))
        spec = spec_from_artifact(artifact)
    except (ValueError, ValidationError) as exc:
        raise FromModelError(f"{path}: not a valid {ARTIFACT_FILE} (artifact-version 1): {exc}") from exc

    top = Path(tempfile.mkdtemp(prefix="specc-from-model-"))
    _CLEANUP.append(str(top))
    actual = _actual_paths(artifact, model_dir, mlmodel)
    # A spec in a subfolder of its repository names files as ``../x``: the placed copy keeps
    # that layout, so the spec's folder sits as many levels below ``top`` as paths climb.
    depth = max([0] + [_climb(rel) for rel in actual])
    base = top.joinpath(*["spec"] * depth) if depth else top
    base.mkdir(parents=True, exist_ok=True)
    real_model = model_dir.resolve()
    shipped = {f.path: f.sha256 for f in (*spec.python.wheels, *private_packages(spec))}
    for rel, src in actual.items():
        if PurePosixPath(rel).is_absolute() or not _within(os.path.normpath(base / rel), str(top)):
            raise FromModelError(f"{uri_or_dir}: {rel} is not a path inside a repository")
        if not _within(os.path.realpath(src), str(real_model)):
            raise FromModelError(f"{uri_or_dir}: {rel} lies outside the model folder (at {src})")
        if not src.exists():
            raise FromModelError(f"{uri_or_dir}: {rel} is missing from the model (expected at {src})")
        if rel in shipped and sha256_file(src) != shipped[rel]:
            raise FromModelError(f"{uri_or_dir}: {rel} in the model does not match its recorded sha256")
        _place(src, base / rel, real_model)
    spec._base_dir = str(base)
    return FromModel(
        spec=spec,
        model_dir=model_dir,
        databricks_runtime=mlmodel.databricks_runtime,
        artifact=artifact,
        artifact_path=path,
        mlmodel=mlmodel,
    )
