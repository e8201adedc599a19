"""The feature catalogue every capability table answers.

A feature is a key and a finder: ``find(spec)`` yields each :class:`~specc.backends.base.Use`
of it in a normalized spec (a normalized path plus values for a rule's message).  Two kinds:

* one per field of the input model (:func:`input_fields`, ``SpecInput`` walked recursively:
  ``"python.index-url"``, ``"maven.packages.exclusions"``), found generically on the
  normalized spec: a use wherever the value is set;
* derived features, ``"<field>:<aspect>"``, for what a target cares about beyond presence
  (``"python.index-url:credentials"``, ``"apt.debs:same-name"``), found by their own function.

The exhaustiveness test fails when a table answers neither a feature nor (with ``Ignored``)
a section above it, so a new section or field cannot be forgotten by any target.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from specc.backends.shared import file_name_collisions, placeholders
from specc.diagnostics import TomlPath

if TYPE_CHECKING:
    from specc.backends.base import Use
    from specc.spec import EnvSpec

Finder = Callable[["EnvSpec"], Iterator["Use"]]


@dataclass(frozen=True)
class Feature:
    key: str
    doc: str
    find: Finder


# --- the input model's fields ------------------------------------------------------------------------


@cache
def input_fields() -> tuple[str, ...]:
    """Every field path of :class:`specc.spec.SpecInput` (kebab-case, list items and table
    values walked into: ``"python.requirements.url"``, ``"secrets.databricks"``), sorted."""
    from specc.coremodel import CoreModel
    from specc.spec import SpecInput

    out: list[str] = []

    def walk(model: type[CoreModel], prefix: str) -> None:
        for name in model.__fields__:
            path = f"{prefix}{name.replace('_', '-')}"  # the definitions' kebab-case aliases
            out.append(path)
            for sub in model.__nested__.get(name, ()):
                walk(sub, path + ".")

    walk(SpecInput, "")
    return tuple(sorted(set(out)))


def _is_set(value: Any) -> bool:
    return value not in (None, (), {}, "", False)


def _walk_normalized(node: Any, parts: list[str], path: TomlPath) -> Iterator[TomlPath]:
    if isinstance(node, tuple):
        for i, item in enumerate(node):
            yield from _walk_normalized(item, parts, (*path, i))
        return
    if isinstance(node, dict) and (not parts or (node and not hasattr(next(iter(node.values())), parts[0]))):
        # a table of plain values (env): each key is a use
        for key in sorted(node):
            if _is_set(node[key]):
                yield (*path, key)
        return
    if isinstance(node, dict):
        for key in sorted(node):
            yield from _walk_normalized(node[key], parts, (*path, key))
        return
    if not parts:
        if _is_set(node):
            yield path
        return
    attr = parts[0].replace("-", "_")
    if not hasattr(node, attr):
        return  # an input-only field (a table form's "version" becomes Req.specifier)
    yield from _walk_normalized(getattr(node, attr), parts[1:], (*path, parts[0]))


def _field_finder(key: str) -> Finder:
    def find(spec: EnvSpec) -> Iterator[Use]:
        from specc.backends.base import Use

        for path in _walk_normalized(spec, key.split("."), ()):
            yield Use(path)

    return find


# --- derived features ----------------------------------------------------------------------------------

_LITERAL_USER = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@]+@", re.IGNORECASE)


def _authenticated(url: str | None) -> bool:
    return bool(url) and (bool(placeholders(url or "")) or bool(_LITERAL_USER.match(url or "")))


def _index_credentials(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    if spec.python.index_url and placeholders(spec.python.index_url):
        yield Use(("python", "index-url"))


def _extra_index_credentials(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    for i, url in enumerate(spec.python.extra_index_urls):
        if placeholders(url):
            yield Use(("python", "extra-index-urls", i))


def _requirement_url_credentials(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    for i, req in enumerate(spec.python.requirements):
        if req.url and placeholders(req.url):
            yield Use(("python", "requirements", i))


def _maven_authenticated(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    for i, pkg in enumerate(spec.maven.packages):
        if _authenticated(pkg.repository or spec.maven.repository):
            where: TomlPath = ("maven", "packages", i) if pkg.repository else ("maven", "repository")
            yield Use(where, {"coordinates": pkg.coordinates})


def _r_authenticated(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    for i, pkg in enumerate(spec.r.packages):
        if _authenticated(pkg.repository or spec.r.repository):
            where: TomlPath = ("r", "packages", i) if pkg.repository else ("r", "repository")
            yield Use(where, {"name": pkg.name})


def _control(values: Callable[[EnvSpec], Iterator[tuple[TomlPath, str | None]]]) -> Finder:
    def find(spec: EnvSpec) -> Iterator[Use]:
        from specc.backends.base import Use
        from specc.quoting import has_control_chars

        for path, value in values(spec):
            if value and has_control_chars(value):
                yield Use(path)

    return find


def _control_in(prefix: TomlPath, values: Callable[[EnvSpec], list[str]]) -> Finder:
    """:func:`_control` over one list of values (``prefix + (k,)`` names the k-th), in one pass:
    the values are joined with a tab (which the check allows) and searched once; only a list
    holding a hit is walked again to name it (100,000 requirement lines at scale)."""

    def find(spec: EnvSpec) -> Iterator[Use]:
        from specc.backends.base import Use
        from specc.quoting import has_control_chars

        items = values(spec)
        if not has_control_chars("\t".join(items)):
            return
        for k, value in enumerate(items):
            if value and has_control_chars(value):
                yield Use((*prefix, k))

    return find


def _same_name(section: str) -> Finder:
    def find(spec: EnvSpec) -> Iterator[Use]:
        from specc.backends.base import Use

        a, b = section.split(".")
        refs = getattr(getattr(spec, a), b)
        for clash in file_name_collisions([((a, b, i), ref.path) for i, ref in enumerate(refs)]):
            yield Use(clash.path, {"name": clash.name, "first": clash.first_source, "this": clash.source})

    return find


#: MLflow artifact keys specc writes itself (specc.envartifact ARTIFACT_KEY, PACKAGES_KEY; not
#: imported: pydantic models)
RESERVED_ARTIFACT_KEYS = ("specc_environment", "specc_private_packages")


def _reserved_artifacts(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    for key in spec.artifacts:
        if key in RESERVED_ARTIFACT_KEYS:
            yield Use(("artifacts", key), {"name": key})


def _code_names(spec: EnvSpec) -> Iterator[Use]:
    """Every code path and wheel with its final name; ``other`` names an earlier entry with that
    name when a wheel is involved (two code paths are validation's SPC206)."""
    from specc.backends.base import Use

    seen: dict[str, TomlPath] = {}
    refs = [(("code", "paths", i), r.path) for i, r in enumerate(spec.code.paths)]
    refs += [(("python", "wheels", i), r.path) for i, r in enumerate(spec.python.wheels)]
    for path, rel in refs:
        name = rel.rstrip("/").rsplit("/", 1)[-1]
        prior = seen.get(name)
        other = "" if prior is None or (prior[0] == "code" and path[0] == "code") else _dotted(prior)
        yield Use(path, {"name": name, "source": rel, "other": other})
        seen.setdefault(name, path)


def _dotted(path: TomlPath) -> str:
    from specc.diagnostics import format_path

    return format_path(path)


def _base_image_tag(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    image = spec.targets.docker.base_image
    if image and "@sha256:" not in image:
        yield Use(("targets", "docker", "base-image"), {"image": image})


def _node_type_unset(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    if spec.targets.databricks.cluster.node_type is None:
        yield Use(("targets", "databricks", "cluster"))


def _secret_unmapped(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    for name, secret in sorted(spec.secrets.items()):
        if secret.databricks is None:
            yield Use(("secrets", name), {"name": name})


#: data_security_mode values meaning standard (formerly shared) access mode: the Clusters API's
#: old and new spellings.
STANDARD_MODES = ("USER_ISOLATION", "DATA_SECURITY_MODE_STANDARD")


def _standard_mode(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    mode = spec.targets.databricks.cluster.data_security_mode
    if mode in STANDARD_MODES:
        yield Use(("targets", "databricks", "cluster", "data-security-mode"), {"mode": mode})


def _r_on_standard_mode(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    mode = spec.targets.databricks.cluster.data_security_mode
    if mode in STANDARD_MODES and (spec.r.packages or spec.r.sources):
        yield Use(("r",), {"mode": mode})


def volume_parts(path: str) -> list[str] | None:
    """The parts after ``/Volumes/`` of a volume path (None: not a volume path)."""
    if path != "/Volumes" and not path.startswith("/Volumes/"):
        return None
    return [p for p in path[len("/Volumes") :].split("/") if p]


def _written_init_script(spec: EnvSpec) -> bool:
    """Whether the spec wrote init-script itself (else it follows libraries-dir), from its origins;
    a spec without origins (rebuilt from a model) counts a set value as written."""
    path = ("targets", "databricks", "init-script")
    return path in spec.origins if spec.origins else spec.targets.databricks.init_script is not None


def _volume_paths(spec: EnvSpec) -> Iterator[tuple[TomlPath, str, int]]:
    """(path, value, parts needed after /Volumes/) of every Databricks path the spec wrote."""
    dbx = spec.targets.databricks
    if dbx.libraries_dir:
        yield ("targets", "databricks", "libraries-dir"), dbx.libraries_dir, 3  # catalog/schema/volume
    if dbx.init_script and _written_init_script(spec):
        yield ("targets", "databricks", "init-script"), dbx.init_script, 4  # ... and a file in it


def _volume_shape(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    for path, value, need in _volume_paths(spec):
        parts = volume_parts(value)
        if parts is not None and len(parts) < need:
            yield Use(path, {"value": value, "key": str(path[-1])})


def _volumes_used(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    for path, value, _need in _volume_paths(spec):
        if volume_parts(value) is not None:
            yield Use(path, {"value": value, "key": str(path[-1])})


def _init_outside_volumes(spec: EnvSpec) -> Iterator[Use]:
    """The init script is stored outside a volume while libraries-dir (what it reads) is one."""
    from specc.backends.base import Use

    dbx = spec.targets.databricks
    libdir, init = dbx.libraries_dir, dbx.init_script
    if init and libdir and volume_parts(libdir) is not None and volume_parts(init) is None:
        yield Use(("targets", "databricks", "init-script"), {"init": init, "dir": libdir})


def _libraries_dir_unset(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    if spec.targets.databricks.libraries_dir is None:
        yield Use(("targets", "databricks", "libraries-dir"))


# Instance families by compute kind, from the clouds' and Databricks' GPU pages
# (docs.databricks.com/aws/en/compute/gpu lists the GPU ones): a prefix of node_type_id.
GPU_FAMILIES = (
    "g4dn.", "g5.", "g6.", "g6e.", "p3.", "p3dn.", "p4d.", "p4de.", "p5.",  # AWS
    "Standard_NC", "Standard_ND", "Standard_NV",  # Azure
    "a2-", "a3-", "g2-",  # GCP
)  # fmt: skip
CPU_FAMILIES = (
    "i3.", "i3en.", "i4i.", "m4.", "m5.", "m5d.", "m5n.", "m6i.", "m6id.", "m6g.", "m6gd.", "m7g.", "m7gd.",
    "r5.", "r5d.", "r6i.", "r6id.", "r6g.", "r6gd.", "r7g.", "r7gd.", "c5.", "c5d.", "c6i.", "c6id.", "c6gd.",
    "c7g.", "c7gd.", "z1d.",  # AWS
    "Standard_D", "Standard_E", "Standard_F", "Standard_L",  # Azure
    "n1-", "n2-", "n2d-", "c2-", "c2d-", "e2-",  # GCP
)  # fmt: skip


def node_kind(node_type: str) -> tuple[str, str] | None:
    """(``"gpu"`` | ``"cpu"``, the family prefix) of a known instance family, else None."""
    for kind, families in (("gpu", GPU_FAMILIES), ("cpu", CPU_FAMILIES)):
        for family in families:
            if node_type.startswith(family):
                return kind, family.rstrip(".-")
    return None


def _node_kind(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    node = spec.targets.databricks.cluster.node_type
    known = node_kind(node) if node else None
    if node and known:
        yield Use(
            ("targets", "databricks", "cluster", "node-type"), {"node": node, "kind": known[0], "family": known[1]}
        )


def _apt_pins(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    for i, pkg in enumerate(spec.apt.packages):
        if pkg.version:
            yield Use(("apt", "packages", i), {"name": pkg.name, "version": pkg.version})


def _env_dollar(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    for name, value in sorted(spec.env.items()):
        if "$" in value:
            yield Use(("env", name), {"name": name})


def _installer_names(section: str) -> Finder:
    def find(spec: EnvSpec) -> Iterator[Use]:
        from specc.backends.base import Use
        from specc.backends.installers import owner

        for name in sorted(getattr(spec, section)):
            found = owner(name)
            if found is not None:
                yield Use((section, name), {"name": name, "group": found.group, "tool": found.tool})

    return find


def _target_owned(section: str) -> Finder:
    """Secret or [env] names a target sets itself or its platform owns (:mod:`specc.backends.owned`)."""

    def find(spec: EnvSpec) -> Iterator[Use]:
        from specc.backends.base import Use
        from specc.backends.owned import owned

        for name in sorted(getattr(spec, section)):
            found = owned(name)
            if found is not None:
                yield Use((section, name), {"name": name, "group": found.group, "owner": found.owner})

    return find


#: What a POSIX shell still interprets inside double quotes besides ``$`` (``env:dollar``).
SHELL_QUOTED_SPECIALS = ("`", '"', "\\")


def _env_shell_specials(spec: EnvSpec) -> Iterator[Use]:
    from specc.backends.base import Use

    for name, value in sorted(spec.env.items()):
        found = [c for c in SHELL_QUOTED_SPECIALS if c in value]
        if found:
            yield Use(("env", name), {"name": name, "chars": " ".join(found)})


def _docker_secret_ids(spec: EnvSpec) -> Iterator[Use]:
    """A secret whose Docker id an earlier secret already uses (``first`` names that one)."""
    from specc.backends.base import Use

    seen: dict[str, str] = {}
    for name, secret in sorted(spec.secrets.items()):
        prior = seen.setdefault(secret.docker, name)
        if prior != name:
            yield Use(("secrets", name, "docker"), {"name": name, "id": secret.docker, "first": prior})


def _secrets_not_in_urls(spec: EnvSpec) -> Iterator[Use]:
    """Secrets no URL names (index, requirement, Maven or R repository): values the model's process
    needs at run time."""
    from specc.backends.base import Use
    from specc.backends.shared import pip_urls, secret_names

    repos = [u for _path, u in (*_urls(spec, "maven"), *_urls(spec, "r")) if u]
    used = set(secret_names([*pip_urls(spec.python), *repos]))
    for name, secret in sorted(spec.secrets.items()):
        if name not in used:
            yield Use(("secrets", name), {"name": name, "id": secret.docker})


def _urls(spec: EnvSpec, section: str) -> Iterator[tuple[TomlPath, str | None]]:
    sec = getattr(spec, section)
    yield (section, "repository"), sec.repository
    for pkg in sec.packages:
        yield (section, "repository"), pkg.repository


DERIVED: tuple[Feature, ...] = (
    Feature("python.index-url:credentials", "the primary index URL holds ${NAME} credentials", _index_credentials),
    Feature(
        "python.extra-index-urls:credentials", "an extra index URL holds ${NAME} credentials", _extra_index_credentials
    ),
    Feature(
        "python.requirements:url-credentials",
        "a direct-URL requirement holds ${NAME} credentials",
        _requirement_url_credentials,
    ),
    Feature(
        "maven.packages:authenticated-repository",
        "a Maven package resolves from a repository with credentials",
        _maven_authenticated,
    ),
    Feature(
        "r.packages:authenticated-repository",
        "an R package installs from a repository with credentials",
        _r_authenticated,
    ),
    Feature(
        "env:control-characters",
        "an env value holds a line break or another control character",
        _control(lambda s: (((("env", k), v) for k, v in sorted(s.env.items())))),
    ),
    Feature(
        "python.index-url:control-characters",
        "the index URL holds control characters",
        _control(lambda s: iter([(("python", "index-url"), s.python.index_url)])),
    ),
    Feature(
        "python.extra-index-urls:control-characters",
        "an extra index URL holds control characters",
        _control(lambda s: ((("python", "extra-index-urls", i), u) for i, u in enumerate(s.python.extra_index_urls))),
    ),
    Feature(
        "python.requirements:control-characters",
        "a requirement holds control characters",
        _control_in(("python", "requirements"), lambda s: [r.line for r in s.python.requirements]),
    ),
    Feature(
        "maven.repository:control-characters",
        "a Maven repository URL holds control characters",
        _control(lambda s: _urls(s, "maven")),
    ),
    Feature(
        "r.repository:control-characters",
        "an R repository URL holds control characters",
        _control(lambda s: _urls(s, "r")),
    ),
    Feature("python.wheels:same-name", "two wheels share a file name", _same_name("python.wheels")),
    Feature("apt.debs:same-name", "two .deb files share a file name", _same_name("apt.debs")),
    Feature("maven.jars:same-name", "two jars share a file name", _same_name("maven.jars")),
    Feature("r.sources:same-name", "two R source packages share a file name", _same_name("r.sources")),
    Feature("artifacts:reserved-name", "an artifact key specc uses for its own files", _reserved_artifacts),
    Feature("code.paths:file-names", "the final names of code paths and wheels (copied side by side)", _code_names),
    Feature("targets.docker.base-image:tag-only", "a base image without a @sha256 digest", _base_image_tag),
    Feature("targets.databricks.cluster.node-type:unset", "no node type for the job cluster", _node_type_unset),
    Feature("secrets.databricks:unset", "a secret without a Databricks scope/key mapping", _secret_unmapped),
    Feature(
        "targets.databricks.cluster.data-security-mode:standard",
        "standard (formerly shared) access mode, in either spelling",
        _standard_mode,
    ),
    Feature("r:standard-access-mode", "R packages on a standard access mode cluster", _r_on_standard_mode),
    Feature(
        "targets.databricks.libraries-dir:volume-shape",
        "a /Volumes path without /<catalog>/<schema>/<volume> (libraries-dir or a written init-script)",
        _volume_shape,
    ),
    Feature(
        "targets.databricks.libraries-dir:volumes",
        "libraries-dir or a written init-script in a Unity Catalog volume",
        _volumes_used,
    ),
    Feature(
        "targets.databricks.init-script:outside-volumes",
        "the init script is stored outside a volume while libraries-dir is a volume",
        _init_outside_volumes,
    ),
    Feature("targets.databricks.libraries-dir:unset", "no libraries-dir", _libraries_dir_unset),
    Feature(
        "targets.databricks.cluster.node-type:kind", "a node type of a known CPU or GPU instance family", _node_kind
    ),
    Feature("apt.packages:version-pin", "an apt package pinned to a version", _apt_pins),
    Feature("env:dollar", "an env value holding a $", _env_dollar),
    Feature("env:installer-option", "an env name an installer or tool reads as its option", _installer_names("env")),
    Feature("env:target-owned", "an env name the target sets itself or its platform owns", _target_owned("env")),
    Feature(
        "secrets:target-owned",
        "a secret name the target sets itself or its platform owns",
        _target_owned("secrets"),
    ),
    Feature("env:shell-quoting", "an env value holding a backtick, a double quote or a backslash", _env_shell_specials),
    Feature("secrets.docker:same-id", "two secrets with one Docker secret id", _docker_secret_ids),
    Feature("secrets:not-in-urls", "a secret no URL names (needed at run time)", _secrets_not_in_urls),
    Feature(
        "secrets:installer-option",
        "a secret name an installer or tool reads as its option",
        _installer_names("secrets"),
    ),
)


@cache
def _catalogue() -> dict[str, Feature]:
    out = {key: Feature(key, f"the input field {key}", _field_finder(key)) for key in input_fields()}
    for f in DERIVED:
        out[f.key] = f
    return out


class _Features:
    """``FEATURES[key]``: the catalogue, built on first use (walking the input model costs time)."""

    def __getitem__(self, key: str) -> Feature:
        return _catalogue()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_catalogue())

    def __len__(self) -> int:
        return len(_catalogue())

    def __contains__(self, key: object) -> bool:
        return key in _catalogue()


FEATURES = _Features()


def unanswered(table: typing.Mapping[str, Any]) -> list[str]:
    """Features ``table`` does not answer: no entry, and no ``Ignored`` entry for a section above."""
    from specc.backends.base import Ignored

    ignored = [k for k, v in table.items() if isinstance(v, Ignored)]

    def covered(key: str) -> bool:
        if key in table:
            return True
        field = key.split(":", 1)[0]
        return any(field == k or field.startswith(k + ".") for k in ignored)

    return [k for k in _catalogue() if not covered(k)]


def unknown(table: typing.Mapping[str, Any]) -> list[str]:
    """Table keys that name no feature (a typo, or a field that no longer exists)."""
    return [k for k in table if k not in _catalogue()]
