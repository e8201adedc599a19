"""The ``model-env.toml`` data model, defined: the pydantic models every other form comes from.

* ``*Input`` models describe what a user may write: short string forms and full
  table forms, every key optional but ``spec-version`` and ``runtime.python``.
  They are strict (TOML types are exact, nothing is coerced) and forbid unknown
  keys.  The published JSON Schema (``schemas/model-env.schema.json``) is
  generated from them, so every field carries a description and an example.
* :class:`EnvSpec` is the one canonical, normalized form every compiler and
  target consumes: frozen, table forms only, names canonicalised, sets sorted
  and de-duplicated, every default filled in, file hashes recorded.  Dumped
  with ``by_alias=True`` (minus ``hashes``) it is itself a valid input, and
  normalizing it again changes nothing.

These definitions are the source of truth, but commands do not use these classes: they use
the *compiled* classes of the same names (:mod:`specc.spec`, generated into
:mod:`specc._models` by ``scripts/compile_models.py``), which validate and serialize with
the very pydantic-core schemas pydantic builds from the definitions here, without loading
pydantic's model machinery (the start-up cost of issue #10).  This module is imported only
where pydantic itself is needed: JSON Schemas, the translation of validation errors into
diagnostics, the import writer's key order, and the generator.  Behaviour beyond fields is in
:mod:`specc.spec_methods` (mixins both classes inherit); validators call its functions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    model_validator,
)

from specc.spec_methods import (
    AptPkgMethods,
    EnvSpecMethods,
    HashesMethods,
    MavenPkgMethods,
    ReqMethods,
    RuntimeMethods,
    WheelRefMethods,
    default_workers,
    is_empty,
    is_false,
    maven_parses,
    short_or_table,
    valid_wheel_name,
    wheels_from_file_refs,
)
from specc.syntax import (
    APT_NAME,
    APT_VERSION,
    ARTIFACT_NAME,
    AUTOSCALE_MAX,
    AUTOSCALE_MIN,
    CUDA_VERSION,
    DATABRICKS_SECRET,
    DOCKER_SECRET,
    ENDPOINT_NAME,
    ENV_NAME,
    EXTRA_NAME,
    FLAVOR,
    IMAGE,
    MAVEN_COORDINATES,
    MAVEN_EXCLUSION,
    MODEL_NAME,
    PACKAGE_NAME,
    PLATFORM,
    PORT,
    PYTHON_VERSION,
    R_NAME,
    R_VERSION,
    SECRET_NAME,
    SHA256,
    WORKERS,
    WORKLOAD_SIZE,
    WORKLOAD_TYPE,
    WORKSPACE_PATH,
    SchemaPattern,
    _body,
    _kebab,
)

ModelName = Annotated[str, MODEL_NAME]
PythonVersion = Annotated[str, PYTHON_VERSION]
CudaVersion = Annotated[str, CUDA_VERSION]
PackageName = Annotated[str, PACKAGE_NAME]
ExtraName = Annotated[str, EXTRA_NAME]
Sha256 = Annotated[str, SHA256]
AptName = Annotated[str, APT_NAME]
AptVersion = Annotated[str, APT_VERSION]
AptShort = Annotated[str, SchemaPattern(f"^{_body(APT_NAME)}(={_body(APT_VERSION)})?$")]
MavenCoordinates = Annotated[str, MAVEN_COORDINATES]
MavenExclusion = Annotated[str, MAVEN_EXCLUSION]
RName = Annotated[str, R_NAME]
RVersion = Annotated[str, R_VERSION]
EnvName = Annotated[str, ENV_NAME]
SecretName = Annotated[str, SECRET_NAME]
DatabricksSecret = Annotated[str, DATABRICKS_SECRET]
DockerSecret = Annotated[str, DOCKER_SECRET]
ArtifactName = Annotated[str, ARTIFACT_NAME]
Flavor = Annotated[str, FLAVOR]
Image = Annotated[str, IMAGE]
Platform = Annotated[str, PLATFORM]
WorkspacePath = Annotated[str, WORKSPACE_PATH]
EndpointName = Annotated[str, ENDPOINT_NAME]
WorkloadType = Annotated[str, WORKLOAD_TYPE]
WorkloadSize = Annotated[str, WORKLOAD_SIZE]
Port = Annotated[int, PORT]
Workers = Annotated[int, WORKERS]
AutoscaleMin = Annotated[int, AUTOSCALE_MIN]
AutoscaleMax = Annotated[int, AUTOSCALE_MAX]


class _Input(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        alias_generator=_kebab,
        populate_by_name=False,
        frozen=True,
        # Build validators on first use, not at import: importing the models (every command,
        # `specc --help`) builds none, and a nested section's model is never built on its own
        # (SpecInput's validator holds its schema); tests/test_startup.py checks it.
        defer_build=True,
    )


def ShortOrTable(table: type[BaseModel], what: str, short: Any = str) -> Any:
    """``"short string" | { table = ... }``, dispatched on the TOML type."""
    return Annotated[
        Union[Annotated[short, Tag("short")], Annotated[table, Tag("table")]],  # noqa: UP007
        Discriminator(
            short_or_table,
            custom_error_type="short_or_table",
            custom_error_message=f"expected {what} as a string or a table",
        ),
    ]


# --- input: small tables ----------------------------------------------------------------------


class FileInput(_Input):
    """A local file shipped with the spec, optionally with its expected sha256."""

    path: str = Field(
        description="Path relative to the spec's folder; must stay inside the repository.",
        examples=["dist/featurizer-0.3.0-py3-none-any.whl"],
    )
    sha256: Sha256 | None = Field(
        default=None,
        description="Expected sha256 of the file (64 hex digits); validation fails if it differs.",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )


class PathInput(_Input):
    """A local file or folder (code, artifacts)."""

    path: str = Field(
        description="Path relative to the spec's folder; must stay inside the repository.",
        examples=["src/churn_utils"],
    )


class RequirementInput(_Input):
    """A Python requirement in table form (the short form is a PEP 508 string)."""

    name: PackageName = Field(description="Distribution name (PEP 508).", examples=["scikit-learn"])
    version: str | None = Field(
        default=None,
        description='Exact version to pin (PEP 440), same as specifier "==<version>".',
        examples=["1.5.2"],
    )
    specifier: str | None = Field(
        default=None,
        description="PEP 440 version specifier set; exclusive with `version`.",
        examples=[">=2.1,<3"],
    )
    extras: list[ExtraName] = Field(default_factory=list, description="Extras to install.", examples=[["openmp"]])
    markers: str | None = Field(
        default=None,
        description="PEP 508 environment marker.",
        examples=["python_version >= '3.10'"],
    )
    url: str | None = Field(
        default=None,
        description="Direct reference (PEP 508 `name @ url`); credentials only as ${SECRET} placeholders.",
        examples=["https://example.com/pkgs/pkg-1.0-py3-none-any.whl"],
    )


class AptPackageInput(_Input):
    """A Debian/Ubuntu package in table form (short form: \"name\" or \"name=version\")."""

    name: AptName = Field(description="Package name (Debian policy).", examples=["libgomp1"])
    version: AptVersion | None = Field(default=None, description="Exact package version.", examples=["12.2.0-14"])


class MavenPackageInput(_Input):
    """A Maven artifact in table form (short form: \"group:artifact:version\")."""

    coordinates: MavenCoordinates = Field(
        description="group:artifact:version, optionally group:artifact:packaging:classifier:version.",
        examples=["org.xerial:sqlite-jdbc:3.45.1.0"],
    )
    exclusions: list[MavenExclusion] = Field(
        default_factory=list,
        description="Transitive dependencies to leave out, as group:artifact.",
        examples=[["org.slf4j:slf4j-api"]],
    )
    repository: str | None = Field(
        default=None,
        description="Repository for this artifact only (overrides maven.repository).",
        examples=["https://maven.example.com/releases"],
    )


class RPackageInput(_Input):
    """An R package in table form (short form: the package name)."""

    name: RName = Field(description="CRAN package name.", examples=["prophet"])
    version: RVersion | None = Field(default=None, description="Exact version to install.", examples=["1.1.5"])
    repository: str | None = Field(
        default=None,
        description="Repository for this package only (overrides r.repository).",
        examples=["https://packagemanager.posit.co/cran/2024-06-03"],
    )


# --- input: sections --------------------------------------------------------------------------


class ModelInput(_Input):
    """What the model is called."""

    name: ModelName | None = Field(
        default=None,
        description="Model name, [a-z0-9][a-z0-9._-]*. Default: the spec folder's name.",
        examples=["churn-classifier"],
    )


class RuntimeInput(_Input):
    """Where the model runs: Python, optionally a Databricks Runtime and CUDA."""

    python: PythonVersion = Field(description='Python version, "3.11" or "3.11.9".', examples=["3.11"])
    databricks: str | None = Field(
        default=None,
        description=(
            "Databricks Runtime: a spark_version key (15.4.x-cpu-ml-scala2.12), a short form "
            '("15.4-ml", "15.4 LTS ML", "15.4") or a serverless environment ("serverless-v3").'
        ),
        examples=["15.4.x-cpu-ml-scala2.12"],
    )
    cuda: CudaVersion | None = Field(
        default=None,
        description="CUDA version for GPU images and gpu-ml runtimes, major.minor.",
        examples=["12.4"],
    )
    overrides: list[PackageName] = Field(
        default_factory=list,
        description=(
            "Packages the Databricks runtime preinstalls that the requirements replace on purpose: "
            "acknowledges each replacement (SPC215), so it is reviewed in the spec and --strict passes."
        ),
        examples=[["scikit-learn"]],
    )


Requirement = ShortOrTable(RequirementInput, "a requirement")
AptPackage = ShortOrTable(AptPackageInput, "an apt package", AptShort)
MavenPackage = ShortOrTable(MavenPackageInput, "a Maven artifact", MavenCoordinates)
RPackage = ShortOrTable(RPackageInput, "an R package", RName)
LocalFile = ShortOrTable(FileInput, "a file path")
LocalPath = ShortOrTable(PathInput, "a path")


class PythonInput(_Input):
    """Python dependencies."""

    requirements: list[Requirement] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="PEP 508 requirements; exact pins (==) are recommended, ranges warn.",
        examples=[["scikit-learn==1.5.2", {"name": "nltk", "version": "3.9.1"}]],
    )
    requirements_files: list[LocalFile] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="requirements.txt files merged in; -r and -c lines are followed.",
        examples=[["requirements.txt"]],
    )
    constraints: list[Requirement] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="pip constraints (PEP 508, no extras), passed through to every target.",
        examples=[["numpy<2.1"]],
    )
    wheels: list[LocalFile] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="Local wheels built by the repository.",
        examples=[["dist/featurizer-0.3.0-py3-none-any.whl"]],
    )
    index_url: str | None = Field(
        default=None,
        description="Primary package index; unset means the consumer's default index.",
        examples=["https://pypi.org/simple"],
    )
    extra_index_urls: list[str] = Field(
        default_factory=list,
        description="Extra package indexes; credentials only as ${SECRET} placeholders.",
        examples=[["https://${PYPI_USER}:${PYPI_TOKEN}@pkgs.example.com/simple"]],
    )


class CodeInput(_Input):
    """Local code shipped with the model."""

    paths: list[LocalPath] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="Files and folders that become MLflow code_paths and COPY'd code.",
        examples=[["src/churn_utils", "helpers.py"]],
    )


class AptInput(_Input):
    """OS packages (Debian/Ubuntu)."""

    packages: list[AptPackage] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description='Debian/Ubuntu packages, "name" or "name=version".',
        examples=[["libgomp1", "graphviz=2.42.2-7"]],
    )
    debs: list[LocalFile] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="Private .deb files shipped inside the model.",
        examples=[["lib/libchurn_1.0_amd64.deb"]],
    )


class MavenInput(_Input):
    """JVM dependencies."""

    repository: str | None = Field(
        default=None,
        description="Default repository; unset means Maven Central (and Spark Packages on Databricks).",
        examples=["https://repo1.maven.org/maven2"],
    )
    packages: list[MavenPackage] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="Maven coordinates group:artifact:version, or tables with exclusions.",
        examples=[["com.johnsnowlabs.nlp:spark-nlp_2.12:5.3.3"]],
    )
    jars: list[LocalFile] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="Private jars hosted nowhere else, shipped inside the model.",
        examples=[["lib/churn-udfs-1.2.0.jar"]],
    )


class RInput(_Input):
    """R dependencies."""

    repository: str | None = Field(
        default=None,
        description="CRAN-like repository; a dated snapshot pins every version.",
        examples=["https://packagemanager.posit.co/cran/2024-06-03"],
    )
    packages: list[RPackage] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="R packages by name, or tables with a version.",
        examples=[["forecast", {"name": "prophet", "version": "1.1.5"}]],
    )
    sources: list[LocalFile] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="Private R source packages (.tar.gz) shipped inside the model.",
        examples=[["lib/churnr_0.3.0.tar.gz"]],
    )


class SecretInput(_Input):
    """A secret by reference: a name plus where each target finds its value."""

    description: str | None = Field(
        default=None, description="What the secret is for.", examples=["read token for the private index"]
    )
    databricks: DatabricksSecret | None = Field(
        default=None,
        description="Databricks secret as scope/key, used as {{secrets/scope/key}}.",
        examples=["ml-secrets/pypi-token"],
    )
    docker: DockerSecret | None = Field(
        default=None,
        description="BuildKit secret id. Default: the secret's name, lower-cased.",
        examples=["pypi_token"],
    )


class MlflowInput(_Input):
    """How `specc compile` fills MLflow's log_model arguments."""

    pip: Literal["exact", "extra", "conda"] = Field(
        default="exact",
        description=(
            "exact: pip_requirements (the spec plus the flavor's defaults); extra: "
            "extra_pip_requirements (MLflow still infers); conda: conda_env."
        ),
        examples=["exact"],
    )
    flavor: Flavor | None = Field(
        default=None,
        description="MLflow flavor whose default requirements exact mode merges in.",
        examples=["sklearn"],
    )


class AutoscaleInput(_Input):
    """Autoscaling bounds of the job cluster."""

    min: AutoscaleMin = Field(description="Minimum workers.", examples=[1])
    max: AutoscaleMax = Field(description="Maximum workers.", examples=[4])


class ClusterInput(_Input):
    """The job cluster the rendered Databricks job uses."""

    node_type: str | None = Field(default=None, description="node_type_id.", examples=["i3.xlarge"])
    workers: Workers | None = Field(
        default=None, description="Fixed number of workers; exclusive with autoscale.", examples=[2]
    )
    autoscale: AutoscaleInput | None = Field(
        default=None, description="Autoscaling bounds; exclusive with workers.", examples=[{"min": 1, "max": 4}]
    )
    data_security_mode: str | None = Field(
        default=None,
        description="Access mode: SINGLE_USER (default), USER_ISOLATION, DATA_SECURITY_MODE_AUTO, ...",
        examples=["SINGLE_USER"],
    )


class DockerTargetInput(_Input):
    """Options of `specc render --target docker`."""

    base_image: Image | None = Field(
        default=None,
        description="Base image; a digest pin (@sha256:...) is recommended, a bare tag warns.",
        examples=["python:3.11-slim-bookworm"],
    )
    platform: Platform | None = Field(default=None, description="Build platform.", examples=["linux/amd64"])
    serve: bool = Field(default=False, description="Add an entrypoint that serves the MLflow model.", examples=[True])
    port: Port = Field(default=8080, description="Port the model server listens on.", examples=[8080])
    standalone: bool = Field(
        default=False,
        description=(
            "true: the image is meant to hold only what the spec lists, not the Databricks runtime's "
            "preinstalled libraries (acknowledges SPC331)."
        ),
        examples=[True],
    )


class ServingInput(_Input):
    """A Databricks Model Serving endpoint for the registered model (serving-endpoint.json, bundle.yml)."""

    endpoint_name: EndpointName | None = Field(
        default=None,
        description=(
            "Serving endpoint name: letters, digits, - and _ (not databricks-...). Default: the registered "
            "model's name with every other character run as - (main.ml.churn -> main-ml-churn)."
        ),
        examples=["churn-classifier"],
    )
    workload_size: WorkloadSize = Field(
        default="Small",
        description='Provisioned concurrency range: "Small" (4), "Medium" (8-16), "Large" (16-64) or a custom size.',
        examples=["Small"],
    )
    workload_type: WorkloadType | None = Field(
        default=None,
        description="Compute type (CPU, GPU_SMALL, ...). Default: GPU_SMALL when runtime.cuda is set or "
        "runtime.databricks is a GPU runtime, else CPU.",
        examples=["GPU_SMALL"],
    )
    scale_to_zero: bool = Field(
        default=True, description="Scale the endpoint's compute down to zero when idle.", examples=[True]
    )
    route_optimized: bool = Field(
        default=False, description="Create a route-optimized endpoint (route_optimized).", examples=[False]
    )


class DatabricksTargetInput(_Input):
    """Options of `specc render --target databricks`."""

    libraries_dir: WorkspacePath | None = Field(
        default=None,
        description="Where wheels, jars and requirements are uploaded (/Volumes/... or /Workspace/...).",
        examples=["/Volumes/ml/default/libs"],
    )
    init_script: WorkspacePath | None = Field(
        default=None,
        description="Where the init script is uploaded. Default: <libraries-dir>/init/<model>.sh.",
        examples=["/Volumes/ml/default/init/churn-classifier.sh"],
    )
    notebook_dir: WorkspacePath | None = Field(
        default=None,
        description="The workspace folder (/Workspace/...) the job's notebook goes to, as "
        "<notebook-dir>/<model>/score. Default: libraries-dir when it is a /Workspace folder.",
        examples=["/Workspace/Users/ml-team@example.com/specc"],
    )
    requirements_library: bool = Field(
        default=False,
        description="true: one `requirements` library (DBR >= 15.0) instead of one `pypi` library each.",
        examples=[False],
    )
    cluster: ClusterInput | None = Field(default=None, description="The job cluster.")
    serving: ServingInput | None = Field(
        default=None, description="A Model Serving endpoint for the model; present: serving outputs are rendered."
    )


class TargetsInput(_Input):
    """Per-target options."""

    docker: DockerTargetInput | None = Field(default=None, description="Docker target options.")
    databricks: DatabricksTargetInput | None = Field(default=None, description="Databricks target options.")


class SpecInput(_Input):
    """A model's whole run-time environment: model-env.toml, format version 1."""

    model_config = ConfigDict(title="model-env.toml")

    spec_version: int = Field(
        description="Format version of this file; must be 1.",
        examples=[1],
        json_schema_extra={"const": 1},
    )
    model: ModelInput | None = Field(default=None, description="What the model is called.")
    runtime: RuntimeInput = Field(description="Python version, Databricks Runtime, CUDA.")
    python: PythonInput | None = Field(default=None, description="Python dependencies.")
    code: CodeInput | None = Field(default=None, description="Local code shipped with the model.")
    apt: AptInput | None = Field(default=None, description="OS (Debian/Ubuntu) packages.")
    maven: MavenInput | None = Field(default=None, description="JVM dependencies.")
    r: RInput | None = Field(default=None, description="R dependencies.")
    # keys carry their syntax too: pydantic publishes a key pattern as patternProperties, and
    # additionalProperties=false makes a key outside it an error for editors as well
    env: dict[EnvName, str] = Field(
        default_factory=dict,
        description="Plain, non-secret environment variables.",
        examples=[{"OMP_NUM_THREADS": "4"}],
        json_schema_extra={"additionalProperties": False},
    )
    secrets: dict[SecretName, SecretInput] = Field(
        default_factory=dict,
        description="Secrets by reference, keyed by name ([A-Z_][A-Z0-9_]*); never their values.",
        examples=[{"PYPI_TOKEN": {"databricks": "ml-secrets/pypi-token"}}],
        json_schema_extra={"additionalProperties": False},
    )
    artifacts: dict[ArtifactName, LocalPath] = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="Extra files logged with the model (MLflow artifacts), keyed by name.",
        examples=[{"vocab": "data/vocab.json"}],
        json_schema_extra={"additionalProperties": False},
    )
    mlflow: MlflowInput | None = Field(default=None, description="MLflow log_model options.")
    targets: TargetsInput | None = Field(default=None, description="Per-target options.")


# --- normalized -----------------------------------------------------------------------------
#
# Every field below says its shape, its unit and its canonical form (what the normalizer
# guarantees), and where a fact comes from when it is not the spec itself.  These models are
# also the published shape of specc-environment.json (specc.envartifact) and of the
# dependency sections of model-env.lock (specc.lockfile): their descriptions land in those
# JSON Schemas.  Parsed views (a Maven coordinate's parts, a wheel's project and version, the
# Python minor) are computed properties, never serialized fields: the normalized JSON and
# every hash stay exactly what they are.  Section defaults are factories, so importing this
# module builds no instance (and no model's validator) before a command needs one.


class _Norm(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True, defer_build=True
    )


_SHA256_EXAMPLE = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
_HASH_EXAMPLE = "sha256:0f3c8b5e9d1a2c4f6e8b0a1c3d5e7f9a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e"


class FileRef(_Norm):
    """A local file, relative to the spec's folder (POSIX), with its sha256."""

    path: str = Field(
        description=(
            "Path relative to the spec's folder, POSIX separators, no `.`/`..` segments, inside the "
            "repository; the same file given twice is listed once."
        ),
        examples=["lib/libchurn_1.0_amd64.deb"],
    )
    sha256: str = Field(
        description="sha256 of the file's bytes when the spec was validated: 64 lower-case hex digits, no prefix.",
        examples=[_SHA256_EXAMPLE],
    )


class WheelRef(WheelRefMethods, FileRef):
    """A local wheel: a file whose name is a valid wheel file name (PEP 427).

    Its project and version are parsed from the file name once (by packaging) and cached;
    they are not serialized, so a wheel dumps exactly like any other file.
    """

    path: Annotated[str, AfterValidator(valid_wheel_name)] = Field(
        description=(
            "Path relative to the spec's folder, POSIX separators, no `.`/`..` segments, inside the "
            "repository; the same file given twice is listed once."
        ),
        examples=["lib/libchurn_1.0_amd64.deb"],
    )


class PathRef(_Norm):
    """A local file or folder, relative to the spec's folder (POSIX)."""

    path: str = Field(
        description="Path relative to the spec's folder, POSIX separators, inside the repository; a file or a folder.",
        examples=["src/churn_utils"],
    )


class Req(ReqMethods, _Norm):
    """A canonical Python requirement (PEP 508, split into its parts)."""

    name: str = Field(description="Distribution name, canonical (PEP 503: lower-case, runs of -_. as -).")
    extras: tuple[str, ...] = Field(default=(), description="Extras, canonical names, sorted, no duplicates.")
    specifier: str = Field(
        default="",
        description=(
            'PEP 440 specifier set, clauses sorted and comma-joined without spaces (">=2.1,<3" → "<3,>=2.1"); '
            '"version" in the spec becomes "==<version>"; empty for none.'
        ),
    )
    markers: str | None = Field(
        default=None, description="PEP 508 environment marker as packaging prints it (double quotes)."
    )
    url: str | None = Field(
        default=None, description="Direct reference (name @ url); credentials only as ${NAME} placeholders."
    )


class AptPkg(AptPkgMethods, _Norm):
    """A Debian/Ubuntu package from the distribution's archive."""

    name: str = Field(
        description="Package name (Debian policy: lower-case), unique in the list.", examples=["libgomp1"]
    )
    version: str | None = Field(
        default=None,
        description="Exact Debian version (apt `name=version`); unset: the archive's.",
        examples=["12.2.0-14"],
    )


class MavenPkg(MavenPkgMethods, _Norm):
    """A Maven artifact, resolved with its transitive dependencies by the consumer."""

    coordinates: Annotated[str, AfterValidator(maven_parses)] = Field(
        description=(
            "group:artifact:version or group:artifact:packaging[:classifier]:version, as written; "
            "one entry per group:artifact[:packaging[:classifier]]."
        ),
        examples=["org.xerial:sqlite-jdbc:3.45.1.0"],
    )
    exclusions: tuple[str, ...] = Field(
        default=(),
        description="Transitive dependencies left out, group:artifact, sorted, no duplicates.",
        examples=[["org.slf4j:slf4j-api"]],
    )
    repository: str | None = Field(
        default=None,
        description="Repository for this artifact only (overrides maven.repository); URL as written.",
        examples=["https://maven.example.com/releases"],
    )


class RPkg(_Norm):
    """An R package from a CRAN-like repository."""

    name: str = Field(
        description="CRAN package name as written (R names are case-sensitive), unique.", examples=["forecast"]
    )
    version: str | None = Field(
        default=None,
        description="Exact version to install; unset: the repository's (a dated snapshot pins it).",
        examples=["8.23.0"],
    )
    repository: str | None = Field(
        default=None,
        description="Repository for this package only (overrides r.repository).",
        examples=["https://packagemanager.posit.co/cran/2024-06-03"],
    )


class Model(_Norm):
    """What the model is called."""

    name: str = Field(
        description=(
            "[a-z0-9][a-z0-9._-]*: the spec's model.name, else its folder's name lower-cased with every "
            'other run of characters as "-" ("model" if nothing is left).'
        ),
        examples=["churn-classifier"],
    )


class Runtime(RuntimeMethods, _Norm):
    """Where the model runs."""

    python: str = Field(
        description='Python version as written, "3.11" (any 3.11.x) or "3.11.9" (exactly).', examples=["3.11"]
    )
    databricks: str | None = Field(
        default=None,
        description=(
            "Databricks Runtime as its spark_version key (15.4.x-cpu-ml-scala2.12) or serverless environment "
            "(serverless-v3); short forms are resolved through specc's runtime catalogue (`specc runtimes`)."
        ),
        examples=["15.4.x-cpu-ml-scala2.12"],
    )
    cuda: str | None = Field(default=None, description="CUDA version, major.minor.", examples=["12.4"])
    overrides: tuple[str, ...] = Field(
        default=(),
        # left out of dumps when empty: specc-environment.json and model-env.lock written before
        # the key existed read back byte for byte (their shape is unchanged for such specs)
        exclude_if=is_empty,
        description=(
            "Preinstalled packages of the Databricks runtime the requirements replace on purpose, "
            "PEP 503-canonical, sorted; an acknowledgement only (not part of the dependency hashes)."
        ),
        examples=[["scikit-learn"]],
    )


class Python(_Norm):
    """Python dependencies."""

    requirements: tuple[Req, ...] = Field(
        default=(),
        description=(
            "Requirements from the spec and its requirements files, one per name (and marker), merged, "
            "in the order first written."
        ),
    )
    requirements_files: tuple[FileRef, ...] = Field(
        default=(),
        description=(
            "requirements files read and merged into `requirements` (records only: targets never read them), by path."
        ),
    )
    constraints: tuple[Req, ...] = Field(default=(), description="pip constraints, merged like requirements.")
    wheels: Annotated[tuple[WheelRef, ...], BeforeValidator(wheels_from_file_refs)] = Field(
        default=(), description="Local wheels, sorted by path; one per project."
    )
    index_url: str | None = Field(
        default=None,
        description="Primary index; ${NAME} placeholders kept, never values. Unset: the consumer's default.",
    )
    extra_index_urls: tuple[str, ...] = Field(
        default=(), description="Extra indexes, in the order written (pip's order); ${NAME} placeholders, never values."
    )


class Code(_Norm):
    """Local code shipped with the model."""

    paths: tuple[PathRef, ...] = Field(
        default=(), description="Files and folders (MLflow code_paths, COPY'd into images), sorted by path."
    )


class Apt(_Norm):
    """OS packages (Debian/Ubuntu)."""

    packages: tuple[AptPkg, ...] = Field(default=(), description="Packages from the archive, sorted by name.")
    debs: tuple[FileRef, ...] = Field(default=(), description="Private .deb files shipped with the model, by path.")


class Maven(_Norm):
    """JVM dependencies."""

    repository: str | None = Field(
        default=None, description="Default repository; unset: Maven Central (and Spark Packages on Databricks)."
    )
    packages: tuple[MavenPkg, ...] = Field(default=(), description="Artifacts, sorted by coordinates.")
    jars: tuple[FileRef, ...] = Field(default=(), description="Private jars shipped with the model, by path.")


class R(_Norm):
    """R dependencies."""

    repository: str | None = Field(
        default=None, description="CRAN-like repository; a dated snapshot (…/YYYY-MM-DD) pins every version."
    )
    packages: tuple[RPkg, ...] = Field(default=(), description="Packages, sorted by name.")
    sources: tuple[FileRef, ...] = Field(default=(), description="Private R source packages (.tar.gz), by path.")


class Secret(_Norm):
    """A secret by reference: where each target finds its value; never the value."""

    description: str | None = Field(default=None, description="What the secret is for.")
    databricks: str | None = Field(
        default=None, description="Databricks secret as scope/key (used as {{secrets/scope/key}})."
    )
    docker: str = Field(description="BuildKit secret id; default: the secret's name lower-cased.")


class Mlflow(_Norm):
    """How `specc compile` fills MLflow's log_model arguments."""

    pip: Literal["exact", "extra", "conda"] = Field(
        default="exact",
        description="exact: pip_requirements; extra: extra_pip_requirements (MLflow still infers); conda: conda_env.",
    )
    flavor: str | None = Field(default=None, description="MLflow flavor whose default requirements exact mode merges.")


class Autoscale(_Norm):
    """Autoscaling bounds of the job cluster, in workers (driver not counted)."""

    min: int = Field(description="Minimum number of workers, >= 0.")
    max: int = Field(description="Maximum number of workers, >= min.")


class Cluster(_Norm):
    """The Databricks job cluster."""

    node_type: str | None = Field(default=None, description="node_type_id; unset: the workspace's default.")
    workers: int | None = Field(
        default=None,
        description="Fixed number of workers (driver not counted); 1 unless autoscale is set, then unset.",
    )
    autoscale: Autoscale | None = Field(default=None, description="Autoscaling bounds; exclusive with workers.")
    data_security_mode: str = Field(default="SINGLE_USER", description="Access mode (data_security_mode).")

    @model_validator(mode="before")
    @classmethod
    def _default_workers(cls, data: Any) -> Any:
        # specc.spec_methods.default_workers (the compiled class calls it by that name)
        return default_workers(data)


class DockerTarget(_Norm):
    """Options of `specc render --target docker`."""

    base_image: str | None = Field(
        default=None, description="Base image as written; unset: picked from runtime.python (and cuda)."
    )
    platform: str | None = Field(default=None, description="Build platform, e.g. linux/amd64; unset: the builder's.")
    serve: bool = Field(default=False, description="Whether the image serves the MLflow model.")
    port: int = Field(default=8080, description="TCP port the model server listens on.")
    standalone: bool = Field(
        default=False,
        exclude_if=is_false,  # as runtime.overrides: earlier artifacts keep their shape
        description="Whether the image is acknowledged to hold only what the spec lists (SPC331).",
    )


class Serving(_Norm):
    """A Databricks Model Serving endpoint (``[targets.databricks.serving]``)."""

    endpoint_name: str | None = Field(
        default=None,
        description="Endpoint name as written; unset: derived from the registered model's name when rendering.",
    )
    workload_size: str = Field(default="Small", description="workload_size of the served entity.")
    workload_type: str = Field(
        default="CPU",
        description="workload_type of the served entity; unset in the spec: GPU_SMALL for a GPU spec "
        "(runtime.cuda or a gpu-ml runtime), else CPU.",
    )
    scale_to_zero: bool = Field(default=True, description="scale_to_zero_enabled of the served entity.")
    route_optimized: bool = Field(default=False, description="route_optimized of the endpoint.")


class DatabricksTarget(_Norm):
    """Options of `specc render --target databricks`."""

    libraries_dir: str | None = Field(
        default=None, description="Where wheels, jars and requirements are uploaded (/Volumes/... or /Workspace/...)."
    )
    init_script: str | None = Field(
        default=None, description="Where the init script is uploaded; unset: <libraries-dir>/init/<model>.sh."
    )
    notebook_dir: str | None = Field(
        default=None,
        description="The workspace folder of the job's notebook; unset: libraries-dir when it is a /Workspace folder.",
    )
    requirements_library: bool = Field(
        default=False, description="One `requirements` library (DBR >= 15.0) instead of one `pypi` library each."
    )
    cluster: Cluster = Field(default_factory=Cluster, description="The job cluster.")
    serving: Serving | None = Field(
        default=None, description="The Model Serving endpoint; unset: no serving outputs are rendered."
    )


class Targets(_Norm):
    """Per-target options, every default filled in (present even when the spec has no [targets])."""

    docker: DockerTarget = Field(default_factory=DockerTarget, description="Docker target options.")
    databricks: DatabricksTarget = Field(default_factory=DatabricksTarget, description="Databricks target options.")


class DependencyHashes(_Norm):
    """Dependency hashes, each "sha256:<hex>" over a canonical JSON encoding (specc.hashing).

    Only what changes an installed environment counts; files count by content, never by path.
    """

    dependencies: str = Field(description="Hash over the five below.", examples=[_HASH_EXAMPLE])
    runtime: str = Field(description="Hash of the runtime section.", examples=[_HASH_EXAMPLE])
    python: str = Field(
        description="Hash of the Python version, requirements, constraints, indexes and wheel contents.",
        examples=[_HASH_EXAMPLE],
    )
    apt: str = Field(description="Hash of the apt packages and .deb contents.", examples=[_HASH_EXAMPLE])
    maven: str = Field(description="Hash of the Maven repository, packages and jar contents.", examples=[_HASH_EXAMPLE])
    r: str = Field(description="Hash of the R repository, packages and source contents.", examples=[_HASH_EXAMPLE])


class Hashes(HashesMethods, DependencyHashes):
    """Content hashes ("sha256:<hex>"); see the contract's "Hashes and provenance".

    `dependencies` covers only what changes an installed environment; `code` and
    `artifacts` are separate, so editing model code never changes it.
    """

    code: str = Field(description="Hash of the code contents (not part of `dependencies`).", examples=[_HASH_EXAMPLE])
    artifacts: str = Field(
        description="Hash of the artifact contents (not part of `dependencies`).", examples=[_HASH_EXAMPLE]
    )


class EnvSpec(EnvSpecMethods, _Norm):
    """The canonical, normalized form of a model-env.toml."""

    spec_version: int = Field(default=1, description="Format version of the model-env.toml; 1.")
    model: Model = Field(description="What the model is called.")
    runtime: Runtime = Field(description="Python, Databricks Runtime, CUDA.")
    python: Python = Field(default_factory=Python, description="Python dependencies.")
    code: Code = Field(default_factory=Code, description="Local code shipped with the model.")
    apt: Apt = Field(default_factory=Apt, description="OS packages.")
    maven: Maven = Field(default_factory=Maven, description="JVM dependencies.")
    r: R = Field(default_factory=R, description="R dependencies.")
    env: dict[str, str] = Field(
        default_factory=dict, description="Plain environment variables and their values, sorted by name."
    )
    secrets: dict[str, Secret] = Field(
        default_factory=dict, description="Secrets by name ([A-Z_][A-Z0-9_]*), sorted; references only, no values."
    )
    artifacts: dict[str, PathRef] = Field(
        default_factory=dict, description="Extra files logged with the model (MLflow artifacts), by key, sorted."
    )
    mlflow: Mlflow = Field(default_factory=Mlflow, description="How log_model's arguments are compiled.")
    targets: Targets = Field(default_factory=Targets, description="Per-target options.")
    hashes: Hashes = Field(description="Dependency, code and artifact hashes.")

    # Where relative paths point: the spec's folder.  Not part of the normalized
    # form (the same spec in another checkout normalizes to the same bytes).
    _base_dir: str | None = PrivateAttr(default=None)
    _spec_path: str | None = PrivateAttr(default=None)
    # normalized path → where it came from (see specc.diagnostics.Origins); empty for a
    # spec rebuilt from a logged model
    _origins: dict[Any, Any] = PrivateAttr(default_factory=dict)
