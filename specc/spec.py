"""The ``model-env.toml`` data model, in two shapes.

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
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag


def _kebab(name: str) -> str:
    return name.replace("_", "-")


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


def _short_or_table(value: Any) -> str | None:
    if isinstance(value, str):
        return "short"
    if isinstance(value, dict):
        return "table"
    return None


def ShortOrTable(table: type[BaseModel], what: str) -> Any:
    """``"short string" | { table = ... }``, dispatched on the TOML type."""
    return Annotated[
        Union[Annotated[str, Tag("short")], Annotated[table, Tag("table")]],  # noqa: UP007
        Discriminator(
            _short_or_table,
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
    sha256: str | None = Field(
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

    name: str = Field(description="Distribution name (PEP 508).", examples=["scikit-learn"])
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
    extras: list[str] = Field(default_factory=list, description="Extras to install.", examples=[["openmp"]])
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

    name: str = Field(description="Package name (Debian policy).", examples=["libgomp1"])
    version: str | None = Field(default=None, description="Exact package version.", examples=["12.2.0-14"])


class MavenPackageInput(_Input):
    """A Maven artifact in table form (short form: \"group:artifact:version\")."""

    coordinates: str = Field(
        description="group:artifact:version, optionally group:artifact:packaging:classifier:version.",
        examples=["org.xerial:sqlite-jdbc:3.45.1.0"],
    )
    exclusions: list[str] = Field(
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

    name: str = Field(description="CRAN package name.", examples=["prophet"])
    version: str | None = Field(default=None, description="Exact version to install.", examples=["1.1.5"])
    repository: str | None = Field(
        default=None,
        description="Repository for this package only (overrides r.repository).",
        examples=["https://packagemanager.posit.co/cran/2024-06-03"],
    )


# --- input: sections --------------------------------------------------------------------------


class ModelInput(_Input):
    """What the model is called."""

    name: str | None = Field(
        default=None,
        description="Model name, [a-z0-9][a-z0-9._-]*. Default: the spec folder's name.",
        examples=["churn-classifier"],
    )


class RuntimeInput(_Input):
    """Where the model runs: Python, optionally a Databricks Runtime and CUDA."""

    python: str = Field(description='Python version, "3.11" or "3.11.9".', examples=["3.11"])
    databricks: str | None = Field(
        default=None,
        description=(
            "Databricks Runtime: a spark_version key (15.4.x-cpu-ml-scala2.12), a short form "
            '("15.4-ml", "15.4 LTS ML", "15.4") or a serverless environment ("serverless-v3").'
        ),
        examples=["15.4.x-cpu-ml-scala2.12"],
    )
    cuda: str | None = Field(
        default=None,
        description="CUDA version for GPU images and gpu-ml runtimes, major.minor.",
        examples=["12.4"],
    )


Requirement = ShortOrTable(RequirementInput, "a requirement")
AptPackage = ShortOrTable(AptPackageInput, "an apt package")
MavenPackage = ShortOrTable(MavenPackageInput, "a Maven artifact")
RPackage = ShortOrTable(RPackageInput, "an R package")
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
    databricks: str | None = Field(
        default=None,
        description="Databricks secret as scope/key, used as {{secrets/scope/key}}.",
        examples=["ml-secrets/pypi-token"],
    )
    docker: str | None = Field(
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
    flavor: str | None = Field(
        default=None,
        description="MLflow flavor whose default requirements exact mode merges in.",
        examples=["sklearn"],
    )


class AutoscaleInput(_Input):
    """Autoscaling bounds of the job cluster."""

    min: int = Field(description="Minimum workers.", examples=[1])
    max: int = Field(description="Maximum workers.", examples=[4])


class ClusterInput(_Input):
    """The job cluster the rendered Databricks job uses."""

    node_type: str | None = Field(default=None, description="node_type_id.", examples=["i3.xlarge"])
    workers: int | None = Field(
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

    base_image: str | None = Field(
        default=None,
        description="Base image; a digest pin (@sha256:...) is recommended, a bare tag warns.",
        examples=["python:3.11-slim-bookworm"],
    )
    platform: str | None = Field(default=None, description="Build platform.", examples=["linux/amd64"])
    serve: bool = Field(default=False, description="Add an entrypoint that serves the MLflow model.", examples=[True])
    port: int = Field(default=8080, description="Port the model server listens on.", examples=[8080])


class DatabricksTargetInput(_Input):
    """Options of `specc render --target databricks`."""

    libraries_dir: str | None = Field(
        default=None,
        description="Where wheels, jars and requirements are uploaded (/Volumes/... or /Workspace/...).",
        examples=["/Volumes/ml/default/libs"],
    )
    init_script: str | None = Field(
        default=None,
        description="Where the init script is uploaded. Default: <libraries-dir>/init/<model>.sh.",
        examples=["/Volumes/ml/default/init/churn-classifier.sh"],
    )
    requirements_library: bool = Field(
        default=False,
        description="true: one `requirements` library (DBR >= 15.0) instead of one `pypi` library each.",
        examples=[False],
    )
    cluster: ClusterInput | None = Field(default=None, description="The job cluster.")


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
    env: dict[str, str] = Field(
        default_factory=dict,
        description="Plain, non-secret environment variables.",
        examples=[{"OMP_NUM_THREADS": "4"}],
    )
    secrets: dict[str, SecretInput] = Field(
        default_factory=dict,
        description="Secrets by reference, keyed by name ([A-Z_][A-Z0-9_]*); never their values.",
        examples=[{"PYPI_TOKEN": {"databricks": "ml-secrets/pypi-token"}}],
    )
    artifacts: dict[str, LocalPath] = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="Extra files logged with the model (MLflow artifacts), keyed by name.",
        examples=[{"vocab": "data/vocab.json"}],
    )
    mlflow: MlflowInput | None = Field(default=None, description="MLflow log_model options.")
    targets: TargetsInput | None = Field(default=None, description="Per-target options.")


# --- normalized -----------------------------------------------------------------------------


class _Norm(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True, defer_build=True
    )


class FileRef(_Norm):
    """A local file, relative to the spec's folder (POSIX), with its sha256."""

    path: str
    sha256: str


class PathRef(_Norm):
    """A local file or folder, relative to the spec's folder (POSIX)."""

    path: str


class Req(_Norm):
    """A canonical Python requirement."""

    name: str
    extras: tuple[str, ...] = ()
    specifier: str = ""
    markers: str | None = None
    url: str | None = None

    @property
    def line(self) -> str:
        """The PEP 508 string, e.g. ``scikit-learn[openmp]==1.5.2; python_version >= "3.10"``."""
        out = self.name
        if self.extras:
            out += "[" + ",".join(self.extras) + "]"
        if self.url:
            out += f" @ {self.url}"
            if self.markers:
                out += " "
        else:
            out += self.specifier
        if self.markers:
            out += f"; {self.markers}"
        return out

    @property
    def pinned_version(self) -> str | None:
        """The exact version when the specifier is a single ``==`` pin."""
        if self.specifier.startswith("==") and "," not in self.specifier and "*" not in self.specifier:
            return self.specifier[2:]
        return None


class AptPkg(_Norm):
    name: str
    version: str | None = None

    @property
    def line(self) -> str:
        return f"{self.name}={self.version}" if self.version else self.name


class MavenPkg(_Norm):
    coordinates: str
    exclusions: tuple[str, ...] = ()
    repository: str | None = None

    @property
    def group(self) -> str:
        return self.coordinates.split(":")[0]

    @property
    def artifact(self) -> str:
        return self.coordinates.split(":")[1]

    @property
    def version(self) -> str:
        return self.coordinates.split(":")[-1]


class RPkg(_Norm):
    name: str
    version: str | None = None
    repository: str | None = None


class Model(_Norm):
    name: str


class Runtime(_Norm):
    python: str
    databricks: str | None = None
    cuda: str | None = None


class Python(_Norm):
    requirements: tuple[Req, ...] = ()
    requirements_files: tuple[FileRef, ...] = ()
    constraints: tuple[Req, ...] = ()
    wheels: tuple[FileRef, ...] = ()
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()


class Code(_Norm):
    paths: tuple[PathRef, ...] = ()


class Apt(_Norm):
    packages: tuple[AptPkg, ...] = ()
    debs: tuple[FileRef, ...] = ()


class Maven(_Norm):
    repository: str | None = None
    packages: tuple[MavenPkg, ...] = ()
    jars: tuple[FileRef, ...] = ()


class R(_Norm):
    repository: str | None = None
    packages: tuple[RPkg, ...] = ()
    sources: tuple[FileRef, ...] = ()


class Secret(_Norm):
    description: str | None = None
    databricks: str | None = None
    docker: str


class Mlflow(_Norm):
    pip: Literal["exact", "extra", "conda"] = "exact"
    flavor: str | None = None


class Autoscale(_Norm):
    min: int
    max: int


class Cluster(_Norm):
    node_type: str | None = None
    workers: int | None = 1
    autoscale: Autoscale | None = None
    data_security_mode: str = "SINGLE_USER"


class DockerTarget(_Norm):
    base_image: str | None = None
    platform: str | None = None
    serve: bool = False
    port: int = 8080


class DatabricksTarget(_Norm):
    libraries_dir: str | None = None
    init_script: str | None = None
    requirements_library: bool = False
    cluster: Cluster = Cluster()


class Targets(_Norm):
    docker: DockerTarget = DockerTarget()
    databricks: DatabricksTarget = DatabricksTarget()


class Hashes(_Norm):
    """Content hashes (``sha256:<hex>``); see the contract's "Hashes and provenance".

    ``dependencies`` covers only what changes an installed environment; ``code``
    and ``artifacts`` are separate, so editing model code never changes it.
    """

    dependencies: str
    runtime: str
    python: str
    apt: str
    maven: str
    r: str
    code: str
    artifacts: str


class EnvSpec(_Norm):
    """The canonical, normalized form of a model-env.toml."""

    spec_version: int = 1
    model: Model
    runtime: Runtime
    python: Python = Python()
    code: Code = Code()
    apt: Apt = Apt()
    maven: Maven = Maven()
    r: R = R()
    env: dict[str, str] = Field(default_factory=dict)
    secrets: dict[str, Secret] = Field(default_factory=dict)
    artifacts: dict[str, PathRef] = Field(default_factory=dict)
    mlflow: Mlflow = Mlflow()
    targets: Targets = Targets()
    hashes: Hashes

    # Where relative paths point: the spec's folder.  Not part of the normalized
    # form (the same spec in another checkout normalizes to the same bytes).
    _base_dir: str | None = PrivateAttr(default=None)
    _spec_path: str | None = PrivateAttr(default=None)
    # normalized path → where it came from (see specc.diagnostics.Origins); empty for a
    # spec rebuilt from a logged model
    _origins: dict[Any, Any] = PrivateAttr(default_factory=dict)

    @property
    def base_dir(self) -> str | None:
        """Absolute path of the spec's folder, when loaded from a file."""
        return self._base_dir

    @property
    def spec_path(self) -> str | None:
        return self._spec_path

    @property
    def origins(self) -> dict[Any, Any]:
        """Normalized path (``("python", "requirements", 3)``) → :class:`specc.diagnostics.Origin`."""
        return self._origins

    def to_dict(self, *, with_hashes: bool = True) -> dict[str, Any]:
        """The normalized form as plain data (kebab-case keys, as in the TOML)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        if not with_hashes:
            data.pop("hashes", None)
        return data

    def to_json(self) -> str:
        import json

        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
