"""Syntax rules of model-env.toml values: one object per constrained type, and name helpers.

Light on purpose (``re`` and ``dataclasses`` only): the validator checks these rules on every
run, and the pydantic definitions in :mod:`specc.spec_defs` attach them to the input fields so
the published JSON Schema carries each ``pattern``/``minimum`` for editors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Union

__all__ = [
    "APT_NAME",
    "APT_VERSION",
    "ARTIFACT_NAME",
    "AUTOSCALE_MAX",
    "AUTOSCALE_MIN",
    "CUDA_VERSION",
    "DATABRICKS_SECRET",
    "DOCKER_SECRET",
    "ENDPOINT_NAME",
    "ENDPOINT_NAME_MAX",
    "ENV_NAME",
    "EXTRA_NAME",
    "FLAVOR",
    "IMAGE",
    "MAVEN_COORDINATES",
    "MAVEN_EXCLUSION",
    "MODEL_NAME",
    "PACKAGE_NAME",
    "PLATFORM",
    "PORT",
    "PYTHON_VERSION",
    "R_NAME",
    "R_VERSION",
    "SECRET_NAME",
    "SHA256",
    "WORKERS",
    "WORKLOAD_SIZE",
    "WORKLOAD_TYPE",
    "WORKLOAD_TYPES",
    "WORKSPACE_PATH",
    "Bounds",
    "Hint",
    "SchemaPattern",
    "Syntax",
    "endpoint_name",
    "env_name",
    "slug",
]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


# --- syntax rules: one object per constrained type ---------------------------------------------
#
# A rule is Annotated metadata on an input field.  It does two jobs: it puts ``pattern`` (or
# ``minimum``/``maximum``) into the published JSON Schema, so editors flag the mistake as it is
# typed, and it is what ``specc.validate`` checks, with the rule's own code, message and hint.
# pydantic itself does not enforce it: a pattern failure inside pydantic would surface as a
# generic type error, not as the precise diagnostic users get.
#
# Patterns are written in the common subset of JSON Schema's ECMA-262 dialect and Python's
# ``re``: ASCII classes (``[0-9]``, never ``\d``, which is Unicode in Python), anchored with
# ``^...$`` and matched in Python with ``fullmatch`` (Python's ``$`` also accepts a trailing
# newline, ECMA's does not), no look-behind, no named groups, no inline flags.


Hint = Union[str, Callable[[str], str], None]  # noqa: UP007 - evaluated at run time


@dataclass(frozen=True)
class Syntax:
    """A string's syntax: a JSON Schema ``pattern`` and the diagnostic when a value misses it.

    ``message`` and a string ``hint`` are ``str.format`` templates over ``value`` (and any
    extra fields the validator passes, e.g. ``key``); a callable hint gets the value.
    """

    pattern: str
    code: str
    message: str
    hint: Hint = None

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    def matches(self, value: str) -> bool:
        return self.regex.fullmatch(value) is not None

    def describe(self, value: str, **fields: object) -> tuple[str, str | None]:
        """The (message, hint) for a value that does not match."""
        hint = self.hint(value) if callable(self.hint) else self.hint
        return self.message.format(value=value, **fields), hint

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        out = handler(core_schema)
        out["pattern"] = self.pattern
        return out


@dataclass(frozen=True)
class Bounds:
    """An integer's range: JSON Schema ``minimum``/``maximum`` and the diagnostic outside it."""

    minimum: int | None
    maximum: int | None
    code: str
    message: str
    hint: str | None = None

    def contains(self, value: int) -> bool:
        return (self.minimum is None or value >= self.minimum) and (self.maximum is None or value <= self.maximum)

    def describe(self, value: int, **fields: object) -> tuple[str, str | None]:
        return self.message.format(value=value, **fields), self.hint

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        out = handler(core_schema)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


@dataclass(frozen=True)
class SchemaPattern:
    """A ``pattern`` for the JSON Schema only, composed from rules the validator checks one by one
    (a short form such as ``"name=version"`` is split first, then each part is checked)."""

    pattern: str

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        out = handler(core_schema)
        out["pattern"] = self.pattern
        return out


def _body(rule: Syntax) -> str:
    """A rule's pattern without its anchors, to compose a larger pattern."""
    return rule.pattern.removeprefix("^").removesuffix("$")


#: Latin letters Unicode does not decompose into a base letter and a mark (NFKD keeps them whole)
_LATIN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})


def slug(name: str) -> str:
    """A valid model name made from any folder name (``"Churn Model"`` → ``"churn-model"``).

    Accented Latin letters keep their base letter (``"Modèle Prévision"`` → ``"modele-prevision"``,
    ``"Straße"`` → ``"strasse"``): case-folded, NFKD-decomposed, combining marks dropped.  Other
    characters (other scripts, punctuation) become ``-``; a name with nothing left is ``"model"``.
    """
    import unicodedata

    folded = unicodedata.normalize("NFKD", name.casefold().translate(_LATIN_LETTERS))
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9._-]+", "-", ascii_only).strip("-._")
    return s or "model"


def env_name(name: str) -> str:
    """A valid environment variable name made from any name (``"pypi-token"`` → ``"PYPI_TOKEN"``)."""
    s = re.sub(r"[^A-Z0-9_]", "_", name.upper())
    return s if s and not s[0].isdigit() else "_" + s


#: specc's bound for the endpoint names it derives (a DNS label's 63 characters: the name becomes
#: part of the endpoint's URL); Databricks documents the characters, not a maximum length.
ENDPOINT_NAME_MAX = 63


def endpoint_name(name: str) -> str:
    """A serving endpoint name Databricks accepts, made from a registered model name.

    Databricks allows letters, digits, ``-`` and ``_`` (``ServingEndpointsAPI.create``) and reserves
    the ``databricks-`` prefix: every other run of characters (a Unity Catalog name's dots)
    becomes ``-``, the result is cut to :data:`ENDPOINT_NAME_MAX` characters
    (``"main.ml.churn"`` → ``"main-ml-churn"``).  A name that has to be cut keeps a short hash
    of the whole name at its end, so two long names that share a prefix never share an endpoint.
    """
    s = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-_")
    if s.lower().startswith("databricks-"):
        s = "model-" + s
    if len(s) > ENDPOINT_NAME_MAX:
        import hashlib

        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
        s = s[: ENDPOINT_NAME_MAX - 9].rstrip("-_") + "-" + digest
    return s or "model"


MODEL_NAME = Syntax(
    r"^[a-z0-9][a-z0-9._-]*$",
    "SPC108",
    'invalid model name "{value}"',
    lambda v: f'use lower-case letters, digits, ".", "_" and "-", e.g. "{slug(v)}"',
)
PYTHON_VERSION = Syntax(
    r"^3\.[0-9]{1,2}(\.[0-9]{1,3})?$",
    "SPC107",
    'invalid Python version "{value}"',
    'write major.minor or major.minor.micro, e.g. "3.11" or "3.11.9"',
)
CUDA_VERSION = Syntax(
    r"^[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,3})?$",
    "SPC117",
    'invalid CUDA version "{value}"',
    'write major.minor, e.g. "12.4"',
)
PACKAGE_NAME = Syntax(  # PEP 508 names (packaging's own pattern, case-insensitive)
    r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$",
    "SPC103",
    'invalid package name "{value}"',
    "names use letters, digits, . _ -",
)
EXTRA_NAME = Syntax(PACKAGE_NAME.pattern, "SPC103", 'invalid extra name "{value}"')
SHA256 = Syntax(r"^[0-9a-f]{64}$", "SPC105", "sha256 must be 64 lower-case hex digits")
APT_NAME = Syntax(
    r"^[a-z0-9][a-z0-9+.-]+$",
    "SPC109",
    'invalid apt package name "{value}"',
    "Debian package names are lower-case letters, digits, '+', '-' and '.', at least two characters",
)
APT_VERSION = Syntax(
    r"^([0-9]+:)?[0-9][A-Za-z0-9.+~:-]*$",
    "SPC109",
    'invalid apt package version "{value}"',
    'Debian versions start with a digit, e.g. "libgomp1=12.2.0-14"',
)
MAVEN_COORDINATES = Syntax(  # group:artifact[:packaging[:classifier]]:version
    r"^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+){2,4}$",
    "SPC110",
    'invalid Maven coordinates "{value}"',
    'write group:artifact:version, e.g. "org.xerial:sqlite-jdbc:3.45.1.0"',
)
MAVEN_EXCLUSION = Syntax(  # group:artifact, either may be a * wildcard
    r"^[A-Za-z0-9_.*-]+:[A-Za-z0-9_.*-]+$",
    "SPC111",
    'invalid Maven exclusion "{value}"',
    'write group:artifact (no version), e.g. "org.slf4j:slf4j-api"',
)
R_NAME = Syntax(
    r"^[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]$",
    "SPC112",
    'invalid R package name "{value}"',
    "R package names are letters, digits and '.', start with a letter and do not end with '.'",
)
R_VERSION = Syntax(r"^[0-9]+([.-][0-9]+)+$", "SPC112", 'invalid R package version "{value}"', 'e.g. version = "1.1.5"')
ENV_NAME = Syntax(
    r"^[A-Z_][A-Z0-9_]*$",
    "SPC113",
    "invalid environment variable name `{value}`",
    lambda v: f"names are [A-Z_][A-Z0-9_]*, e.g. `{env_name(v)}`",
)
SECRET_NAME = Syntax(
    ENV_NAME.pattern,
    "SPC114",
    "invalid secret name `{value}`",
    lambda v: f"secret names are [A-Z_][A-Z0-9_]*, e.g. `{env_name(v)}`",
)
DATABRICKS_SECRET = Syntax(
    r"^[A-Za-z0-9_.-]{1,128}/[A-Za-z0-9_.-]{1,128}$",
    "SPC122",
    'invalid Databricks secret reference "{value}"',
    'write scope/key, e.g. "ml-secrets/pypi-token"',
)
DOCKER_SECRET = Syntax(
    r"^[A-Za-z0-9_.-]+$", "SPC122", 'invalid BuildKit secret id "{value}"', "use letters, digits, '.', '_' and '-'"
)
ARTIFACT_NAME = Syntax(
    r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
    "SPC125",
    "invalid artifact name `{value}`",
    "use letters, digits, '.', '_' and '-'",
)
FLAVOR = Syntax(
    r"^[a-z][a-z0-9_]*$",
    "SPC105",
    'invalid MLflow flavor "{value}"',
    'name the flavor module, e.g. "sklearn" for mlflow.sklearn',
)
IMAGE = Syntax(  # [registry[:port]/]name[/name...][:tag][@sha256:digest]
    r"^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$",
    "SPC127",
    'invalid image reference "{value}"',
    'e.g. "python:3.11-slim-bookworm" or "python@sha256:<64 hex>"',
)
PLATFORM = Syntax(
    r"^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$",
    "SPC126",
    'invalid platform "{value}"',
    'write os/arch, e.g. "linux/amd64" or "linux/arm64"',
)
WORKSPACE_PATH = Syntax(  # the validator also refuses ".." segments and names DBFS paths
    r"^/(Volumes|Workspace)/[^\s]+$",
    "SPC128",
    "{key} must be an absolute /Volumes/... or /Workspace/... path",
    'e.g. "/Volumes/ml/default/libs"',
)
ENDPOINT_NAME = Syntax(  # the validator also refuses the reserved "databricks-" prefix
    r"^[A-Za-z0-9_-]+$",
    "SPC129",
    'invalid serving endpoint name "{value}"',
    lambda v: f'use letters, digits, "-" and "_", e.g. "{endpoint_name(v)}"',
)
#: ServingModelWorkloadType of databricks-sdk (serving.py) and of the bundle schema
WORKLOAD_TYPES = (
    "CPU",
    "CPU_MEDIUM",
    "CPU_LARGE",
    "GPU_SMALL",
    "GPU_MEDIUM",
    "GPU_LARGE",
    "GPU_XLARGE",
    "GPU_XLARGE_8",
    "MULTIGPU_MEDIUM",
)
WORKLOAD_TYPE = Syntax(
    "^(" + "|".join(WORKLOAD_TYPES) + ")$",
    "SPC130",
    'unknown serving workload type "{value}"',
    "one of " + ", ".join(WORKLOAD_TYPES),
)
WORKLOAD_SIZE = Syntax(  # Small, Medium, Large, or a custom size the workspace offers
    r"^[A-Za-z][A-Za-z0-9_-]*$",
    "SPC130",
    'invalid serving workload size "{value}"',
    '"Small", "Medium", "Large" or a custom size your workspace offers',
)
PORT = Bounds(1, 65535, "SPC123", "port {value} is out of range", "use 1-65535, e.g. 8080")
WORKERS = Bounds(0, None, "SPC124", "workers cannot be negative")
_AUTOSCALE = "invalid autoscale range min={min}, max={max}"
_AUTOSCALE_HINT = "use 0 <= min <= max and max >= 1, e.g. { min = 1, max = 4 }"
AUTOSCALE_MIN = Bounds(0, None, "SPC124", _AUTOSCALE, _AUTOSCALE_HINT)
AUTOSCALE_MAX = Bounds(1, None, "SPC124", _AUTOSCALE, _AUTOSCALE_HINT)
