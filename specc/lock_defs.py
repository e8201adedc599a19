"""model-env.lock's models, defined: the pydantic models its compiled classes come from.

The lock reuses the spec's own models for the sections it copies (``runtime``, ``apt``,
``maven``, ``r``; :mod:`specc.spec_defs`).  Like those, these definitions give the published
JSON Schema (``schemas/model-env-lock.schema.json``) and are compiled by
``scripts/compile_models.py`` into :mod:`specc._models`, which is what :mod:`specc.lockfile`
reads and writes with (no pydantic model machinery on ``specc lock``'s path).  Behaviour
beyond fields is in :mod:`specc.spec_methods`.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from specc.spec_defs import Apt, DependencyHashes, Maven, R, Runtime, _Norm
from specc.spec_methods import LockedPythonPackageMethods, LockFileMethods


class _Lock(_Norm):
    """Lock-only records; the sections the spec already has reuse :mod:`specc.spec`'s models."""


class LockedPythonPackage(LockedPythonPackageMethods, _Lock):
    """One resolved distribution."""

    name: str = Field(description="Canonical distribution name (PEP 503).", examples=["scikit-learn"])
    version: str | None = Field(
        default=None, description="Exact version; unset only for a direct URL reference.", examples=["1.5.2"]
    )
    url: str | None = Field(
        default=None,
        description="Direct reference (name @ url), credentials only as ${NAME} placeholders.",
        examples=["https://example.com/pkgs/pkg-1.0-py3-none-any.whl"],
    )
    path: str | None = Field(
        default=None,
        description="A local wheel of the spec, relative to the spec's folder.",
        examples=["dist/featurizer-0.3.0-py3-none-any.whl"],
    )
    hashes: list[str] = Field(
        default_factory=list,
        description="Accepted sha256 hashes (sha256:<hex>) of the distribution's files.",
        examples=[["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]],
    )
    platforms: list[str] = Field(
        default_factory=list,
        description="Platforms this entry applies to; empty means every locked platform.",
        examples=[["x86_64-manylinux_2_28"]],
    )
    preinstalled: str | None = Field(
        default=None,
        description="The Databricks runtime's preinstalled version, recorded when the locked one differs.",
        examples=["1.23.5"],
    )
    implied_only: bool = Field(
        default=False,
        description=(
            "Needed only by python.implied-requirements (the model's mlflow pin, the model server of a serving "
            "image), not by the spec's own requirements; the Databricks cluster libraries leave it out."
        ),
        examples=[True],
    )


class LockedPython(_Lock):
    """The Python section: resolved by ``uv pip compile``."""

    python_version: str = Field(description="Python version resolved for.", examples=["3.11"])
    platforms: list[str] = Field(
        description="uv --python-platform values resolved for.", examples=[["x86_64-manylinux_2_28"]]
    )
    resolver: str = Field(description="The resolver and its version.", examples=["uv 0.4.30"])
    index_url: str | None = Field(
        default=None, description="Primary index (placeholders kept).", examples=["https://pypi.org/simple"]
    )
    extra_index_urls: list[str] = Field(
        default_factory=list,
        description="Extra indexes, credentials only as ${NAME} placeholders.",
        examples=[["https://${PYPI_USER}:${PYPI_TOKEN}@pkgs.example.com/simple"]],
    )
    implied_requirements: list[str] = Field(
        default_factory=list,
        description=(
            "Requirements a target installs that the spec does not list, locked with it "
            "(the mlflow== pin MLflow adds to the logged model; the model server of a Docker image with serve = true)."
        ),
        examples=[["mlflow==3.17.2", "mlflow-skinny==3.17.2"]],
    )
    packages: list[LockedPythonPackage] = Field(
        default_factory=list, description="Every resolved distribution, sorted by name."
    )


class LockedR(R):
    """R dependencies as declared, plus the snapshot a dated repository pins."""

    snapshot: str | None = Field(
        default=None,
        description="Snapshot date (YYYY-MM-DD) of a dated repository; it pins every unpinned version.",
        examples=["2024-06-03"],
    )


class LockFile(LockFileMethods, _Lock):
    """model-env.lock, format version 1: the frozen view every target renders from (specc lock)."""

    model_config = ConfigDict(title="model-env.lock")

    lock_version: int = Field(
        description="Format version of this file; 1.", examples=[1], json_schema_extra={"const": 1}
    )
    specc_version: str = Field(description="specc version that wrote the file.", examples=["0.1.0"])
    spec: DependencyHashes = Field(description="Dependency hashes of the spec the lock was made from.")
    runtime: Runtime = Field(description="The runtime resolved for (the spec's, copied).")
    python: LockedPython = Field(description="Resolved Python distributions.")
    apt: Apt = Field(default_factory=Apt, description="apt packages as declared.")
    maven: Maven = Field(default_factory=Maven, description="Maven artifacts as declared.")
    r: LockedR = Field(default_factory=LockedR, description="R packages and snapshot as declared.")
