"""Behaviour of the spec's models, written once for both of their classes.

Every model of :mod:`specc.spec` exists twice: its *definition* (a pydantic model in
:mod:`specc.spec_defs`: fields, descriptions, JSON Schema) and its *compiled* class (in
:mod:`specc._models`, generated from the definition by ``scripts/compile_models.py``: the same
pydantic-core validator and serializer without pydantic's model machinery, which is what every
command uses).  What a model does beyond its fields lives here, as mixins both classes inherit,
and as the plain functions the definitions' validators call (the generated module references
these functions by name, so a validator is never written twice).

Light on purpose: nothing here imports pydantic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self

    from specc._models import LockedPythonPackage
    from specc.diagnostics import Diagnostic

# --- validator and serializer functions (referenced by the definitions and the compiled module) --


def short_or_table(value: Any) -> str | None:
    """The tag of a ``"short string" | { table = ... }`` value, by its TOML type."""
    if isinstance(value, str):
        return "short"
    if isinstance(value, dict) or hasattr(value, "__pydantic_fields_set__"):  # a table, or its model (dumps)
        return "table"
    return None


def wheel_filename_problem(path: str) -> str | None:
    """Why ``path``'s file name is not a wheel file name (PEP 427, by packaging), or None."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        parse_wheel_filename(PurePosixPath(path).name)
    except InvalidWheelFilename as exc:
        return str(exc)
    return None


def valid_wheel_name(value: str) -> str:
    """``WheelRef.path``'s check: ValueError unless the file name is a wheel file name."""
    problem = wheel_filename_problem(value)
    if problem is not None:
        raise ValueError(f"not a wheel file name: {problem}")
    return value


def maven_parses(value: str) -> str:
    """``MavenPkg.coordinates``' check: ValueError unless :meth:`MavenCoordinate.parse` reads it."""
    MavenCoordinate.parse(value)
    return value


def wheels_from_file_refs(value: Any) -> Any:
    """``Python.wheels`` before validation: a plain FileRef (built by code that predates WheelRef)
    is re-read as a WheelRef, so its file name is checked and parsed like any other."""
    if isinstance(value, (list, tuple)):
        from specc.spec import FileRef, WheelRef

        return tuple(
            WheelRef(path=v.path, sha256=v.sha256) if isinstance(v, FileRef) and not isinstance(v, WheelRef) else v
            for v in value
        )
    return value


def default_workers(data: Any) -> Any:
    """``Cluster`` before validation: a fixed-size cluster has 1 worker unless told otherwise, an
    autoscaling one has none, so a document dumped without nulls reads back as it was."""
    if isinstance(data, dict) and "workers" not in data and data.get("autoscale") is None:
        return {**data, "workers": 1}
    return data


def is_empty(value: Any) -> bool:
    """Serialization ``exclude_if``: left out of dumps when empty (artifacts written before the
    field existed read back byte for byte)."""
    return not value


def is_false(value: Any) -> bool:
    """Serialization ``exclude_if``: left out of dumps when False (as :func:`is_empty`)."""
    return value is False


# --- parsed values ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MavenCoordinate:
    """Maven coordinates parsed once: ``group:artifact[:packaging[:classifier]]:version``.

    ``str()`` gives the coordinates back exactly as written.
    """

    group: str
    artifact: str
    version: str
    packaging: str | None = None
    classifier: str | None = None

    @classmethod
    def parse(cls, text: str) -> MavenCoordinate:
        """Split ``text``; ValueError unless it has 3, 4 or 5 non-empty ``:``-separated parts.

        The parts' syntax (which characters a group may hold) is validation's business;
        this only gives every consumer the same reading of the five shapes.
        """
        parts = text.split(":")
        if len(parts) not in (3, 4, 5) or not all(parts):
            raise ValueError(f'not Maven coordinates (group:artifact[:packaging[:classifier]]:version): "{text}"')
        if len(parts) == 3:
            return cls(group=parts[0], artifact=parts[1], version=parts[2])
        if len(parts) == 4:
            return cls(group=parts[0], artifact=parts[1], packaging=parts[2], version=parts[3])
        return cls(group=parts[0], artifact=parts[1], packaging=parts[2], classifier=parts[3], version=parts[4])

    @property
    def ident(self) -> str:
        """Everything but the version: what two entries must not both declare at different versions."""
        return ":".join(p for p in (self.group, self.artifact, self.packaging, self.classifier) if p is not None)

    def __str__(self) -> str:
        return f"{self.ident}:{self.version}"


# --- mixins -----------------------------------------------------------------------------------
#
# Attributes a mixin reads (``self.path``...) are the model's fields; the annotations below are
# for the type checker only (they are not fields: a mixin is not a model).


class WheelRefMethods:
    """A local wheel's project and version, parsed from its file name (by packaging) once and
    cached; not serialized, so a wheel dumps exactly like any other file."""

    if TYPE_CHECKING:
        path: str

    @cached_property
    def _parsed(self) -> tuple[str, str]:
        from packaging.utils import parse_wheel_filename

        project, version, _build, _tags = parse_wheel_filename(PurePosixPath(self.path).name)
        return str(project), str(version)

    @property
    def filename(self) -> str:
        """The file name alone, e.g. ``featurizer-0.3.0-py3-none-any.whl``."""
        return PurePosixPath(self.path).name

    @property
    def project(self) -> str:
        """The canonical project name (PEP 503) from the file name, e.g. ``featurizer``."""
        return self._parsed[0]

    @property
    def version(self) -> str:
        """The version from the file name, normalized (PEP 440), e.g. ``0.3.0``."""
        return self._parsed[1]


class ReqMethods:
    """A requirement's PEP 508 line and its pin."""

    if TYPE_CHECKING:
        name: str
        extras: tuple[str, ...]
        specifier: str
        markers: str | None
        url: str | None

    @cached_property
    def line(self) -> str:
        """The PEP 508 string, e.g. ``scikit-learn[openmp]==1.5.2; python_version >= "3.10"``.

        Cached (a ``cached_property`` is left out of fields, dumps and equality; the model is
        frozen, so the value cannot go stale): every target, the capability checks and the
        provenance marks each ask for it, 100,000 times in a large spec.
        """
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

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; the cached :attr:`line` is dropped when ``update`` may change it."""
        copy = super().model_copy(update=update, deep=deep)  # type: ignore[misc]  # the model's own
        if update:
            copy.__dict__.pop("line", None)
        return copy  # type: ignore[no-any-return]

    @property
    def pinned_version(self) -> str | None:
        """The exact version when the specifier is a single ``==`` pin or ``===`` (PEP 440's
        arbitrary equality, the version string as written); None for anything else."""
        spec = self.specifier
        if "," in spec or "*" in spec or not spec.startswith("=="):
            return None
        return spec[3:] if spec.startswith("===") else spec[2:]


class AptPkgMethods:
    if TYPE_CHECKING:
        name: str
        version: str | None

    @property
    def line(self) -> str:
        """``name=version`` (apt-get's pin syntax), or the bare name."""
        return f"{self.name}={self.version}" if self.version else self.name


class MavenPkgMethods:
    if TYPE_CHECKING:
        coordinates: str
        exclusions: tuple[str, ...]

    @cached_property
    def coords(self) -> MavenCoordinate:
        """The coordinates, parsed (once per object)."""
        return MavenCoordinate.parse(self.coordinates)

    @property
    def group(self) -> str:
        return self.coords.group

    @property
    def artifact(self) -> str:
        return self.coords.artifact

    @property
    def version(self) -> str:
        return self.coords.version

    @property
    def excluded(self) -> tuple[tuple[str, str], ...]:
        """The exclusions as (group, artifact) pairs."""
        out = []
        for ex in self.exclusions:
            group, _, artifact = ex.partition(":")
            out.append((group, artifact))
        return tuple(out)


class RuntimeMethods:
    if TYPE_CHECKING:
        python: str

    @property
    def python_minor(self) -> str:
        """``major.minor`` of :attr:`python` (``3.11.9`` → ``3.11``): what interpreters and images are picked by."""
        return ".".join(self.python.split(".")[:2])


class HashesMethods:
    def dependency_hashes(self) -> Any:
        """The dependency part alone (what model-env.lock records), a ``DependencyHashes``."""
        from specc.spec import DependencyHashes

        return DependencyHashes(**{name: getattr(self, name) for name in DependencyHashes.__fields__})


class EnvSpecMethods:
    """Where the spec was read from (private attributes: not part of the normalized form, so the
    same spec in another checkout normalizes to the same bytes) and its plain-data forms."""

    if TYPE_CHECKING:
        _base_dir: str | None
        _spec_path: str | None
        _origins: dict[Any, Any]

        def model_dump(self, **kwargs: Any) -> dict[str, Any]: ...

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


# --- model-env.lock (specc.lock_defs) ---------------------------------------------------------


class LockedPythonPackageMethods:
    if TYPE_CHECKING:
        name: str
        version: str | None
        url: str | None

    def requirement(self) -> str:
        """``name==version`` (or ``name @ url``), without hashes."""
        if self.url:
            return f"{self.name} @ {self.url}"
        return f"{self.name}=={self.version}"


class LockFileMethods:
    if TYPE_CHECKING:
        python: Any

    def python_packages(self, platform: str | None = None) -> list[LockedPythonPackage]:
        """Packages applying to ``platform`` (default: the first locked platform)."""
        plat = platform or (self.python.platforms[0] if self.python.platforms else None)
        return [p for p in self.python.packages if not p.platforms or plat in p.platforms]

    def require_platform(
        self, platform: str, *, target: str, path: tuple[str | int, ...] = (), file: str | None = None
    ) -> Diagnostic | None:
        """SPC620 when the lock has no resolution for ``platform`` (what ``--locked`` on ``target`` needs).

        ``platform`` is a uv platform (``x86_64-manylinux_2_28``) or an alias (``linux/arm64``);
        ``path`` is the spec value that decides it (``("targets", "docker", "platform")``).  None
        when the lock covers it.  Every ``--locked`` target calls this with the platform from
        :func:`target_platform` before using the lock's pins.
        """
        from specc.diagnostics import Diagnostic
        from specc.lockfile import lockable_platform, normalize_platform

        plat = normalize_platform(platform)
        if plat in self.python.platforms or (not self.python.packages and not self.python.platforms):
            return None
        if not lockable_platform(plat):
            return Diagnostic(
                code="SPC620",
                severity="error",
                message=f"--locked: {target} installs on {plat}, which uv cannot resolve for, so no lock covers it",
                path=path,
                hint="build for linux/amd64 or linux/arm64, or render without --locked",
                file=file,
            )
        return Diagnostic(
            code="SPC620",
            severity="error",
            message=(
                f"--locked: {target} installs on {plat}, but model-env.lock has no resolution for it "
                f"(it has {', '.join(self.python.platforms) or 'none'})"
            ),
            path=path,
            hint=f"run: specc lock --platform {plat} (the platforms already locked are kept)",
            file=file,
        )
