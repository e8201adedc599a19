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
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from specc.spec import EnvSpec

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


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Art(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True)


class ShippedFile(_Art):
    """A local file the model carries (wheel, .deb, jar, R source package)."""

    path: str = Field(description="Path in the spec's repository, relative to the spec's folder (POSIX).")
    sha256: str = Field(description="sha256 of the file's bytes (64 hex digits).")
    in_model_path: str = Field(description="Where the file is inside the logged model, relative to its root (POSIX).")


class ShippedPath(_Art):
    """A local file or folder the model carries (code, artifacts)."""

    path: str = Field(description="Path in the spec's repository, relative to the spec's folder (POSIX).")
    in_model_path: str = Field(description="Where it is inside the logged model, relative to its root (POSIX).")


class FileRecord(_Art):
    """A file that was read at validation time and merged (not shipped)."""

    path: str = Field(description="Path relative to the spec's folder (POSIX).")
    sha256: str = Field(description="sha256 of the file's bytes when the model was logged.")


class Requirement(_Art):
    """A canonical Python requirement (PEP 508, split into parts)."""

    name: str = Field(description="Canonical distribution name (PEP 503).")
    extras: list[str] = Field(default_factory=list, description="Extras, sorted.")
    specifier: str = Field(default="", description='PEP 440 specifier set, e.g. "==1.5.2"; empty for none.')
    markers: str | None = Field(default=None, description="PEP 508 environment marker.")
    url: str | None = Field(default=None, description="Direct reference (name @ url).")


class ModelSection(_Art):
    """What the model is called."""

    name: str = Field(description="Model name from the spec.")


class RuntimeSection(_Art):
    """Where the model runs."""

    python: str = Field(description='Python version, "3.11" or "3.11.9".')
    databricks: str | None = Field(default=None, description="Databricks Runtime spark_version key, if any.")
    cuda: str | None = Field(default=None, description="CUDA version, major.minor, if any.")


class PythonSection(_Art):
    """Python dependencies (MLflow's own files hold the same requirements in pip form)."""

    requirements: list[Requirement] = Field(default_factory=list, description="Requirements, canonical and sorted.")
    requirements_files: list[FileRecord] = Field(
        default_factory=list, description="requirements files merged into `requirements` (records only)."
    )
    constraints: list[Requirement] = Field(default_factory=list, description="pip constraints.")
    wheels: list[ShippedFile] = Field(default_factory=list, description="Local wheels, shipped under code/.")
    index_url: str | None = Field(default=None, description="Primary index; ${NAME} placeholders, never values.")
    extra_index_urls: list[str] = Field(
        default_factory=list, description="Extra indexes; ${NAME} placeholders, never values."
    )


class CodeSection(_Art):
    """Local code shipped with the model (MLflow code_paths)."""

    paths: list[ShippedPath] = Field(default_factory=list, description="Files and folders, under code/.")


class AptPackage(_Art):
    """A Debian/Ubuntu package."""

    name: str = Field(description="Package name.")
    version: str | None = Field(default=None, description="Exact Debian version, if pinned.")


class AptSection(_Art):
    """OS packages."""

    packages: list[AptPackage] = Field(default_factory=list, description="Packages from the distribution.")
    debs: list[ShippedFile] = Field(default_factory=list, description="Private .deb files shipped in the model.")


class MavenPackage(_Art):
    """A Maven artifact."""

    coordinates: str = Field(description="group:artifact[:packaging[:classifier]]:version.")
    exclusions: list[str] = Field(default_factory=list, description="Excluded transitive deps, group:artifact.")
    repository: str | None = Field(default=None, description="Repository for this artifact only.")


class MavenSection(_Art):
    """JVM dependencies."""

    repository: str | None = Field(default=None, description="Default repository; unset means Maven Central.")
    packages: list[MavenPackage] = Field(default_factory=list, description="Maven coordinates.")
    jars: list[ShippedFile] = Field(default_factory=list, description="Private jars shipped in the model.")


class RPackage(_Art):
    """An R package."""

    name: str = Field(description="CRAN package name.")
    version: str | None = Field(default=None, description="Exact version, if pinned.")
    repository: str | None = Field(default=None, description="Repository for this package only.")


class RSection(_Art):
    """R dependencies."""

    repository: str | None = Field(default=None, description="CRAN-like repository (a dated snapshot pins all).")
    packages: list[RPackage] = Field(default_factory=list, description="R packages.")
    sources: list[ShippedFile] = Field(default_factory=list, description="Private R source packages in the model.")


class SecretRef(_Art):
    """A secret by reference: never a value."""

    description: str | None = Field(default=None, description="What the secret is for.")
    databricks: str | None = Field(default=None, description="Databricks secret scope/key.")
    docker: str = Field(description="BuildKit secret id.")


class MlflowSection(_Art):
    """How the MLflow arguments were compiled."""

    pip: Literal["exact", "extra", "conda"] = Field(description="Which log_model environment argument was used.")
    flavor: str | None = Field(default=None, description="Flavor whose default requirements exact mode merges.")


class Autoscale(_Art):
    """Autoscaling bounds."""

    min: int = Field(description="Minimum workers.")
    max: int = Field(description="Maximum workers.")


class Cluster(_Art):
    """The Databricks job cluster."""

    node_type: str | None = Field(default=None, description="node_type_id.")
    workers: int | None = Field(default=None, description="Fixed number of workers.")
    autoscale: Autoscale | None = Field(default=None, description="Autoscaling bounds.")
    data_security_mode: str = Field(description="Access mode.")


class DockerTarget(_Art):
    """Options of the Docker target."""

    base_image: str | None = Field(default=None, description="Base image.")
    platform: str | None = Field(default=None, description="Build platform.")
    serve: bool = Field(description="Whether the image serves the model.")
    port: int = Field(description="Port the model server listens on.")


class DatabricksTarget(_Art):
    """Options of the Databricks target."""

    libraries_dir: str | None = Field(default=None, description="Where libraries are uploaded.")
    init_script: str | None = Field(default=None, description="Where the init script is uploaded.")
    requirements_library: bool = Field(description="One `requirements` library instead of one `pypi` each.")
    cluster: Cluster = Field(description="The job cluster.")


class Targets(_Art):
    """Per-target options."""

    docker: DockerTarget = Field(description="Docker target options.")
    databricks: DatabricksTarget = Field(description="Databricks target options.")


class Hashes(_Art):
    """Content hashes (sha256:<hex>), see the format contract's "Hashes and provenance"."""

    dependencies: str = Field(description="Everything that changes an installed environment.")
    runtime: str = Field(description="The runtime section.")
    python: str = Field(description="Python requirements, constraints, indexes, wheel contents.")
    apt: str = Field(description="apt packages and .deb contents.")
    maven: str = Field(description="Maven declarations and jar contents.")
    r: str = Field(description="R declarations and source package contents.")
    code: str = Field(description="Code contents (not part of `dependencies`).")
    artifacts: str = Field(description="Artifact contents (not part of `dependencies`).")


class SpeccEnvironment(_Art):
    """specc-environment.json: what a logged model needs beyond MLflow's pip files (specc)."""

    model_config = ConfigDict(title="specc-environment.json")

    artifact_version: Literal[1] = Field(description="Format version of this file; 1.")
    spec_version: int = Field(description="Format version of the model-env.toml it was compiled from.")
    model: ModelSection = Field(description="What the model is called.")
    runtime: RuntimeSection = Field(description="Python, Databricks Runtime, CUDA.")
    python: PythonSection = Field(description="Python dependencies.")
    code: CodeSection = Field(description="Local code shipped with the model.")
    apt: AptSection = Field(description="OS packages.")
    maven: MavenSection = Field(description="JVM dependencies.")
    r: RSection = Field(description="R dependencies.")
    env: dict[str, str] = Field(description="Plain environment variables with their values.")
    secrets: dict[str, SecretRef] = Field(description="Secrets by name, with per-target references; no values.")
    artifacts: dict[str, ShippedPath] = Field(description="Extra files logged with the model, by key.")
    mlflow: MlflowSection = Field(description="How log_model's arguments were compiled.")
    targets: Targets = Field(description="Per-target options.")
    hashes: Hashes = Field(description="Dependency, code and artifact hashes.")


def _schema() -> dict[str, Any]:
    from specc.schema import BASE_ID, DRAFT, _tidy

    schema = SpeccEnvironment.model_json_schema(by_alias=True)
    schema["$schema"] = DRAFT
    schema["$id"] = f"{BASE_ID}/specc-environment.schema.json"
    return _tidy(schema)  # type: ignore[no-any-return]


def _register() -> None:
    import specc.schema

    specc.schema.register("specc-environment.schema.json", _schema)


_register()


# --- writing ---------------------------------------------------------------------------------


def _posix_base(path: str) -> str:
    return PurePosixPath(path).name


def in_model_paths(spec: EnvSpec, layout: Layout) -> dict[str, str]:
    """Spec-relative path → in-model path, for every file or folder the model carries."""
    out: dict[str, str] = {}
    for ref in (*spec.code.paths, *spec.python.wheels):
        out[ref.path] = f"code/{_posix_base(ref.path)}"
    packages_root = f"artifacts/{PACKAGES_DIR}" if layout == "artifacts" else f"code/{BUNDLE_DIR}/{PACKAGES_DIR}"
    for f in private_packages(spec):
        out[f.path] = f"{packages_root}/{f.path}"
    for key, ref in spec.artifacts.items():
        if layout == "artifacts":
            out[f"artifacts:{key}"] = f"artifacts/{_posix_base(ref.path)}"
        else:
            out[f"artifacts:{key}"] = f"code/{BUNDLE_DIR}/{ARTIFACTS_DIR}/{key}/{_posix_base(ref.path)}"
    return out


def private_packages(spec: EnvSpec) -> list[Any]:
    """The private non-Python packages (.deb, jar, R source) as FileRefs, in a stable order."""
    return [*spec.apt.debs, *spec.maven.jars, *spec.r.sources]


def build_artifact(spec: EnvSpec, layout: Layout) -> SpeccEnvironment:
    """The artifact for ``spec`` as logged in ``layout`` (pure: no filesystem access)."""
    paths = in_model_paths(spec, layout)
    data = spec.to_dict()
    data["artifact-version"] = ARTIFACT_VERSION
    for section, key in (("python", "wheels"), ("apt", "debs"), ("maven", "jars"), ("r", "sources"), ("code", "paths")):
        for item in data.get(section, {}).get(key, []):
            item["in-model-path"] = paths[item["path"]]
    for key, item in data.get("artifacts", {}).items():
        item["in-model-path"] = paths[f"artifacts:{key}"]
    return SpeccEnvironment.model_validate(data)


def artifact_text(artifact: SpeccEnvironment) -> str:
    """The file's bytes: specc's one JSON style (sorted keys, indent 2, final newline)."""
    from specc.output import dump_json

    return dump_json(artifact.model_dump(mode="json", by_alias=True, exclude_none=True))


def spec_from_artifact(artifact: SpeccEnvironment) -> EnvSpec:
    """The normalized spec the artifact was compiled from (in-model paths dropped)."""
    # exclude_none=False: an absent optional field means None, never the EnvSpec default
    # (e.g. cluster.workers defaults to 1 but is None under autoscale).
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
        raise FromModelError(f"{text}: reading a model URI needs mlflow (pip install 'specc[mlflow]'): {exc}") from exc
    try:
        path = Path(mlflow.artifacts.download_artifacts(artifact_uri=text))
    except Exception as exc:
        raise FromModelError(f"{text}: cannot download the model: {type(exc).__name__}: {exc}") from exc
    if not (path / "MLmodel").is_file():
        raise FromModelError(f"{text}: not an MLflow model (no MLmodel file)")
    return path


def _read_mlmodel(model_dir: Path) -> dict[str, Any]:
    try:
        import yaml
    except ImportError:  # pragma: no cover - pyyaml comes with mlflow
        return {}
    try:
        data = yaml.safe_load((model_dir / "MLmodel").read_text(encoding="utf-8"))
    except Exception as exc:
        raise FromModelError(f"{model_dir}/MLmodel: unreadable: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _mlmodel_artifact(mlmodel: dict[str, Any], key: str) -> str | None:
    pyfunc = (mlmodel.get("flavors") or {}).get("python_function") or {}
    entry = (pyfunc.get("artifacts") or {}).get(key)
    if isinstance(entry, dict) and isinstance(entry.get("path"), str):
        return str(entry["path"])
    return None


def find_artifact(model_dir: Path, mlmodel: dict[str, Any] | None = None) -> Path | None:
    """Where ``specc-environment.json`` is inside a model folder, in any layout specc produces."""
    mlmodel = _read_mlmodel(model_dir) if mlmodel is None else mlmodel
    candidates = []
    recorded = _mlmodel_artifact(mlmodel, ARTIFACT_KEY)
    if recorded:
        candidates.append(recorded)
    candidates += [f"artifacts/{ARTIFACT_FILE}", f"code/{BUNDLE_DIR}/{ARTIFACT_FILE}"]
    for rel in candidates:
        path = model_dir / rel
        if path.is_file():
            return path
    return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_CLEANUP: list[str] = []


def _cleanup() -> None:
    for d in _CLEANUP:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup)


def _place(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy2(src, dest)


def _actual_paths(artifact: SpeccEnvironment, model_dir: Path, mlmodel: dict[str, Any]) -> dict[str, Path]:
    """Spec-relative path → the file inside this model (MLmodel's records win over the artifact's)."""
    out: dict[str, Path] = {}
    recorded_pkgs = _mlmodel_artifact(mlmodel, PACKAGES_KEY)
    for f in (*artifact.apt.debs, *artifact.maven.jars, *artifact.r.sources):
        where = model_dir / f.in_model_path
        if recorded_pkgs and not where.exists():
            where = model_dir / recorded_pkgs / f.path
        out[f.path] = where
    for f in (*artifact.python.wheels, *artifact.code.paths):
        out[f.path] = model_dir / f.in_model_path
    for key, a in artifact.artifacts.items():
        recorded = _mlmodel_artifact(mlmodel, key)
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

    base = Path(tempfile.mkdtemp(prefix="specc-from-model-"))
    _CLEANUP.append(str(base))
    shipped = {f.path: f.sha256 for f in (*spec.python.wheels, *private_packages(spec))}
    for rel, src in _actual_paths(artifact, model_dir, mlmodel).items():
        if not src.exists():
            raise FromModelError(f"{uri_or_dir}: {rel} is missing from the model (expected at {src})")
        if rel in shipped and _sha256(src) != shipped[rel]:
            raise FromModelError(f"{uri_or_dir}: {rel} in the model does not match its recorded sha256")
        _place(src, base / rel)
    spec._base_dir = str(base)
    runtime = mlmodel.get("databricks_runtime")
    return FromModel(
        spec=spec,
        model_dir=model_dir,
        databricks_runtime=runtime if isinstance(runtime, str) else None,
        artifact=artifact,
        artifact_path=path,
    )
