"""CycloneDX 1.6 software bills of materials of a spec, one per target (``specc sbom``).

Two steps, so the decisions are testable apart from the library:

* :func:`plan` (pure, standard library and specc only) decides what a target ships: a list
  of :class:`Entry` (name, version, package URL, sha256 hashes, properties), the base the
  target installs on, the serial number and the diagnostics (SPC75x and SPC76x);
* :func:`render` turns a :class:`Plan` into CycloneDX JSON or XML through
  ``cyclonedx-python-lib`` (the ``sbom`` extra, imported only there), and :func:`validate`
  checks a document against the library's own CycloneDX 1.6 schemas.

The rules (docs/sbom.md says the same for users):

* **pip**: ``pkg:pypi/<PEP 503 name>@<version>``.  Without ``--locked`` a requirement pinned with
  ``==`` gets its version; any other requirement is a component without a version whose purl
  has none, with its specifier in the property ``specc:specifier`` (``""``: any version) and
  ``specc:unpinned = true``.  With ``--locked`` every package of the lock for the target's
  platform is listed with the lock's sha256 hashes (one per file pip may pick).
* **apt**: ``pkg:deb/<vendor>/<name>@<version>?arch=<arch>&distro=<codename>``; the vendor and
  codename come from the base: the Docker base image's name and tag
  (``python:3.11-slim-bookworm`` → debian bookworm, ``nvidia/cuda:...-ubuntu22.04`` → ubuntu
  jammy), the Ubuntu release of a Databricks runtime (the vendored runtime catalogue,
  ``targets/databricks/runtimes/``).  Unknown distribution: no purl, ``specc:distro = unknown``
  and a warning (SPC750).  Unpinned packages: no version, ``specc:unpinned = true``.
* **Maven**: ``pkg:maven/<group>/<artifact>@<version>`` (``type``/``classifier`` qualifiers from
  the coordinates, ``repository_url`` for a repository other than Maven Central).
* **CRAN**: ``pkg:cran/<name>@<version>``; unpinned as for apt (``specc:r-snapshot`` names the
  snapshot date of a dated repository, which fixes the version the install gets).
* **Private files** (wheels, jars, debs, R sources): ``file`` components named by the file, with
  the sha256 the spec records, their path in ``specc:path``; no purl (they are in no registry).
* **Base**: the Docker base image is a ``container`` component (``pkg:docker/...``); the
  Databricks runtime a ``platform`` component (``pkg:generic/databricks-runtime@<key>``) whose
  preinstalled packages it stands for.  The MLflow target has no base of its own; it lists the
  pip requirements and wheels, and the private files the model carries (``specc:carried-only``).
* **No dependency graph**: ``model-env.lock`` records no edges between packages, so the SBOM has
  no ``dependencies`` section (CycloneDX reads an empty entry as "depends on nothing").
* **No secrets**: URLs lose their user information; a URL still holding a ``${NAME}``
  placeholder after that is left out.  Environment values are never read.
* **Deterministic**: the serial number is a UUID 5 of the spec's dependency hash and a hash of
  the bill's whole content (model, specc version, target, base, components, properties), so
  the same bill has the same serial and two different bills never share one; no timestamp
  unless asked.

Debian codenames: https://www.debian.org/releases/ ; Ubuntu release names:
https://wiki.ubuntu.com/Releases (both as of 2026).
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit, urlunsplit

from specc.diagnostics import Diagnostic

if TYPE_CHECKING:
    from datetime import datetime

    from specc.lockfile import LockFile
    from specc.runtimes import RuntimeInfo
    from specc.spec import EnvSpec

__all__ = [
    "TARGETS",
    "Entry",
    "Plan",
    "distro_of_image",
    "distro_of_ubuntu",
    "plan",
    "public_url",
    "render",
    "validate",
]

TARGETS = ("docker", "databricks", "mlflow")
Format = Literal["json", "xml"]

#: Debian release codenames by major version (https://www.debian.org/releases/).
DEBIAN = {"10": "buster", "11": "bullseye", "12": "bookworm", "13": "trixie", "14": "forky"}
#: Ubuntu release names by version (https://wiki.ubuntu.com/Releases): the LTS releases and the
#: interim ones an image may still be tagged with (``ubuntu:24.10``, ``ubuntu:plucky``).
UBUNTU = {
    "18.04": "bionic",
    "20.04": "focal",
    "22.04": "jammy",
    "22.10": "kinetic",
    "23.04": "lunar",
    "23.10": "mantic",
    "24.04": "noble",
    "24.10": "oracular",
    "25.04": "plucky",
    "25.10": "questing",
    "26.04": "resolute",
}

#: The namespace of every serial number specc derives (a UUID 5 of specc's documentation URL).
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/specc-dev/specc/blob/main/docs/sbom.md")

UNKNOWN_DISTRO = "SPC750"
NO_RUNTIME = "SPC751"

_MAVEN_CENTRAL = ("https://repo1.maven.org/maven2", "https://repo.maven.apache.org/maven2")
_CRAN_DEFAULT = ("https://cloud.r-project.org", "https://cran.r-project.org")
_PPA_DEADSNAKES = "https://ppa.launchpadcontent.net/deadsnakes/ppa/ubuntu"
_PPA = "runtime.cuda (deadsnakes PPA)"
#: What the Dockerfile installs from the Ubuntu archive to add the deadsnakes PPA on a CUDA image.
_PPA_TOOLS = ("ca-certificates", "gpg-agent", "software-properties-common")
_DATED = re.compile(r"/(\d{4}-\d{2}-\d{2})/?$")


@dataclass(frozen=True)
class Distro:
    """A Debian-family distribution: ``vendor`` (purl namespace) and release ``codename``."""

    vendor: str  # "debian" | "ubuntu"
    codename: str

    def __str__(self) -> str:
        return f"{self.vendor} {self.codename}"


@dataclass(frozen=True)
class Entry:
    """One component: ``type`` is a CycloneDX component type (library, file, container, platform).

    ``purl`` is the package URL as text (None: no registry names it); ``hashes`` are hex sha256
    digests; ``properties`` (name, value) pairs under the ``specc:`` namespace.
    """

    type: str
    name: str
    version: str | None
    purl: str | None
    ecosystem: str  # pypi, deb, maven, cran, file, docker, databricks
    hashes: tuple[str, ...] = ()
    properties: tuple[tuple[str, str], ...] = ()
    group: str | None = None

    @property
    def ref(self) -> str:
        """The bom-ref before de-duplication: the purl, else ``<ecosystem>:<name>``."""
        if self.purl:
            return self.purl
        return f"{self.ecosystem}:{self.name}" + (f"@{self.version}" if self.version else "")


@dataclass
class Plan:
    """What one target ships, ready to serialize: :attr:`base` (None for MLflow) plus :attr:`components`."""

    target: str
    model: str
    serial: uuid.UUID
    base: Entry | None
    components: list[Entry]
    properties: list[tuple[str, str]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


# --- facts about bases ----------------------------------------------------------------------------


def distro_of_ubuntu(version: str | None) -> Distro | None:
    """``22.04`` → ubuntu jammy; None for a release specc does not know."""
    if version and version in UBUNTU:
        return Distro("ubuntu", UBUNTU[version])
    return None


def _split_image(image: str) -> tuple[str | None, str, str | None, str | None]:
    """``[registry/]path[:tag][@digest]`` → (registry, path, tag, digest)."""
    rest, _, digest = image.partition("@")
    registry = None
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, remainder
    path, tag = rest, None
    if ":" in rest.rsplit("/", 1)[-1]:
        path, _, tag = rest.rpartition(":")
    return registry, path, tag, digest or None


def distro_of_image(image: str) -> Distro | None:
    """The distribution of a base image, from its name and tag; None when they do not say.

    ``python:3.11-slim-bookworm`` → debian bookworm; ``debian:12-slim`` → debian bookworm;
    ``ubuntu:22.04`` and ``nvidia/cuda:12.4.1-runtime-ubuntu22.04`` → ubuntu jammy.  A tag
    without a release (``python:3.11``) moves with the image's publisher: unknown.
    """
    _registry, path, tag, _digest = _split_image(image.strip().lower())
    name = path.rsplit("/", 1)[-1]
    tag = tag or ""
    for codename in DEBIAN.values():
        if re.search(rf"(^|[-_.]){codename}($|[-_.])", tag):
            return Distro("debian", codename)
    for version, codename in UBUNTU.items():
        if re.search(rf"(^|[-_.]){codename}($|[-_.])", tag) or re.search(
            rf"ubuntu-?{re.escape(version)}($|[-_.])", tag
        ):
            return Distro("ubuntu", codename)
    if name == "debian":
        major = re.match(r"(\d+)", tag)
        if major and major.group(1) in DEBIAN:
            return Distro("debian", DEBIAN[major.group(1)])
    if name == "ubuntu":
        m = re.match(r"(\d\d\.\d\d)", tag)
        if m:
            return distro_of_ubuntu(m.group(1))
    return None


def public_url(url: str | None) -> str | None:
    """``url`` without user information (credentials); None when a ``${NAME}`` placeholder remains.

    The one gate every URL passes before it goes into an SBOM.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL Python can split ("[" in the authority): nothing of it is kept
        return None
    netloc = parts.netloc.rpartition("@")[2]
    out = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return None if "${" in out or "$%7B" in out.upper() else out


def _arch(platform: str | None) -> str | None:
    """Debian architecture of a platform (``linux/amd64``, ``x86_64-manylinux_2_28``); None if unset."""
    if not platform:
        return None
    p = platform.lower()
    if "arm64" in p or "aarch64" in p:
        return "arm64"
    if "amd64" in p or "x86_64" in p:
        return "amd64"
    return None


# --- building entries -----------------------------------------------------------------------------


def _purl(
    type_: str, namespace: str | None, name: str, version: str | None, qualifiers: dict[str, str] | None = None
) -> str:
    from packageurl import PackageURL

    quals = {k: v for k, v in (qualifiers or {}).items() if v}
    if "repository_url" in quals:  # one repository, one spelling: .../releases/ and .../releases
        quals["repository_url"] = quals["repository_url"].rstrip("/")
    return str(PackageURL(type=type_, namespace=namespace, name=name, version=version, qualifiers=quals or None))


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def exact_version(specifier: str) -> str | None:
    """The one version a PEP 440 specifier set admits, as PyPI names it; None for a range.

    ``==2.2.03`` → ``2.2.3`` and ``==1.0.0-RC1`` → ``1.0.0rc1`` (PEP 440 normalization: the
    release PyPI lists); ``===1.16.0`` → ``1.16.0`` (arbitrary equality: verbatim);
    ``==23.2.0,<24`` → ``23.2.0`` (the pin satisfies the other clauses); ``==1.26.*``, ``>=1``,
    ``==1.0,==2.0`` (nothing satisfies it) and an unparsable specifier → None.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        spec_set = SpecifierSet(specifier)
    except InvalidSpecifier:
        return None
    arbitrary = {s.version for s in spec_set if s.operator == "==="}
    if arbitrary:
        return arbitrary.pop() if len(arbitrary) == 1 and len(spec_set) == 1 else None
    pins = sorted(s.version for s in spec_set if s.operator == "==" and not s.version.endswith(".*"))
    try:
        versions = [Version(v) for v in pins]  # sorted: ==3.7,==3.7.0 gives one answer, whatever the set order
    except InvalidVersion:
        return None
    if not versions or any(v != versions[0] for v in versions):
        return None
    return str(versions[0]) if spec_set.contains(versions[0], prereleases=True) else None


def _pypi(
    name: str,
    version: str | None,
    *,
    specifier: str | None = None,
    markers: str | None = None,
    extras: tuple[str, ...] = (),
    url: str | None = None,
    hashes: tuple[str, ...] = (),
    extra: tuple[tuple[str, str], ...] = (),
    repository: str | None = None,
) -> Entry:
    props: list[tuple[str, str]] = []
    quals: dict[str, str] = {}
    if repository:
        quals["repository_url"] = repository
    if url is not None:
        public = public_url(url)
        if public:
            quals["download_url"] = public
        props.append(("specc:direct-reference", public or "(left out: it holds a ${NAME} placeholder)"))
    elif version is None:
        props += [("specc:unpinned", "true"), ("specc:specifier", specifier or "")]
    if extras:
        props.append(("specc:extras", ",".join(extras)))
    if markers:
        props.append(("specc:markers", markers))
    props += extra
    return Entry(
        type="library",
        name=_canon(name),
        version=version,
        purl=_purl("pypi", None, _canon(name), version, quals),
        ecosystem="pypi",
        hashes=hashes,
        properties=tuple(props),
    )


#: Version in a private file's name, by the naming convention of its ecosystem: Debian's
#: ``<name>_<version>_<arch>.deb`` (dpkg-deb --build's default name), R's
#: ``<name>_<version>.tar.gz`` (R CMD build), Maven's ``<artifact>-<version>[-<classifier>].jar``
#: (the version starts at the first ``-<digit>``).
_FILE_VERSION = {
    "deb": re.compile(r"^[a-z0-9][a-z0-9+.-]*_(?P<v>[0-9][A-Za-z0-9.+~:-]*)_[a-z0-9-]+\.deb$"),
    "cran": re.compile(r"^[A-Za-z][A-Za-z0-9.]*_(?P<v>[0-9]+(?:[.-][0-9]+)+)\.tar\.gz$"),
    "maven": re.compile(r"^.+?-(?P<v>[0-9][A-Za-z0-9._-]*)\.jar$"),
}


def file_version(name: str, ecosystem: str) -> str | None:
    """The version a private file's name gives by its ecosystem's convention; None if it follows none.

    ``acme-geo_2.0.1-1_amd64.deb`` → ``2.0.1-1``; ``churnr_0.3.0.tar.gz`` → ``0.3.0``;
    ``acme-udfs-0.9.0.jar`` → ``0.9.0``; ``udfs.jar`` → None.
    """
    pattern = _FILE_VERSION.get(ecosystem)
    m = pattern.match(name) if pattern else None
    return m.group("v") if m else None


def _url_version(url: str | None) -> str | None:
    """The version a direct reference's file name gives (a wheel or an sdist); None otherwise."""
    if not url:
        return None
    from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

    name = url.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1]
    try:
        if name.endswith(".whl"):
            return str(parse_wheel_filename(name)[1])
        if name.endswith((".tar.gz", ".zip")):
            return str(parse_sdist_filename(name)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


def _file(path: str, sha256: str, ecosystem: str, version: str | None = None) -> Entry:
    if version is None:
        version = file_version(path.rsplit("/", 1)[-1], ecosystem)
    return Entry(
        type="file",
        name=path.rsplit("/", 1)[-1],
        version=version,
        purl=None,
        ecosystem="file",
        hashes=(sha256,),
        properties=(("specc:path", path), ("specc:ecosystem", ecosystem)),
    )


def _deb(name: str, version: str | None, distro: Distro | None, arch: str | None, *extra: tuple[str, str]) -> Entry:
    props: list[tuple[str, str]] = []
    if version is None:
        props.append(("specc:unpinned", "true"))
    purl = None
    if distro is None:
        props.append(("specc:distro", "unknown"))
    else:
        quals = {"arch": arch or "", "distro": distro.codename}
        quals.update({k.removeprefix("purl:"): v for k, v in extra if k.startswith("purl:")})
        purl = _purl("deb", distro.vendor, name, version, quals)
    props += [p for p in extra if not p[0].startswith("purl:")]
    return Entry(type="library", name=name, version=version, purl=purl, ecosystem="deb", properties=tuple(props))


#: (sys_platform, os_name, platform_system, platform_machine) of the machines a target may run
#: on; the MLflow target's environment is built wherever the model is served (any of these).
_LINUX = {"amd64": ("linux", "posix", "Linux", "x86_64"), "arm64": ("linux", "posix", "Linux", "aarch64")}
_ANYWHERE = (
    *_LINUX.values(),
    ("darwin", "posix", "Darwin", "arm64"),
    ("darwin", "posix", "Darwin", "x86_64"),
    ("win32", "nt", "Windows", "AMD64"),
)


def marker_environments(spec: EnvSpec, target: str, platform: str | None) -> list[dict[str, str]]:
    """The PEP 508 marker environments ``target`` installs in (one per machine it may run on).

    The Python version is the spec's (a target installs no other); the machine is the target's
    platform (``targets.docker.platform``, the Databricks node type), both Linux machines for a
    Docker image without a platform, and every common machine for MLflow (served anywhere).
    A spec Python without a patch version gives its ``.0`` and a late patch, so a marker on
    ``python_full_version`` is kept when any patch release satisfies it.
    """
    minor = spec.runtime.python_minor
    fulls = [spec.runtime.python] if spec.runtime.python.count(".") == 2 else [f"{minor}.0", f"{minor}.99"]
    if target == "mlflow":
        machines: tuple[tuple[str, str, str, str], ...] = _ANYWHERE
    else:
        arch = _arch(platform)
        machines = (_LINUX[arch],) if arch else tuple(_LINUX.values())
    return [
        {
            "sys_platform": sys_platform,
            "os_name": os_name,
            "platform_system": system,
            "platform_machine": machine,
            "platform_python_implementation": "CPython",
            "implementation_name": "cpython",
            "python_version": minor,
            "python_full_version": full,
            "implementation_version": full,
            "platform_release": "",
            "platform_version": "",
            "extra": "",
        }
        for sys_platform, os_name, system, machine in machines
        for full in fulls
    ]


def applies(markers: str | None, environments: list[dict[str, str]]) -> bool:
    """Whether a requirement with ``markers`` installs in any of ``environments``.

    No markers, a marker on the kernel (``platform_release``, ``platform_version``, which no
    spec fixes) or one ``packaging`` cannot evaluate: True (listed, with its markers as a
    property): the bill errs on the side of listing.
    """
    if not markers:
        return True
    from packaging.markers import InvalidMarker, Marker, UndefinedComparison

    if "platform_release" in markers or "platform_version" in markers:
        return True
    try:
        marker = Marker(markers)
        return any(marker.evaluate(env) for env in environments)
    except (InvalidMarker, UndefinedComparison, ValueError, TypeError):
        return True


def _python_entries(spec: EnvSpec, target: str, lock: LockFile | None, platform: str) -> list[Entry]:
    serve = target == "docker" and spec.targets.docker.serve
    out: list[Entry] = []
    repo = _only_index(spec)
    unset = target == "docker" and not spec.targets.docker.platform  # built for the builder's machine
    envs = marker_environments(spec, target, None if unset else platform)
    if lock is not None:
        # what the target installs from the lock, as its renderer does (requirement_lines'
        # `implied`): the MLflow model and the image take the implied-only packages too (the
        # model's mlflow pin, the image's server), the Databricks cluster libraries do not
        implied = target != "databricks"
        for p in lock.python_packages(platform):
            if p.path or (p.implied_only and not implied):
                continue
            extra: list[tuple[str, str]] = []
            if p.preinstalled:
                extra.append(("specc:replaces-preinstalled", p.preinstalled))
            if p.implied_only:
                extra.append(("specc:implied-by", "targets.docker.serve" if serve else "python.implied-requirements"))
            out.append(
                _pypi(
                    p.name,
                    p.version if p.version else _url_version(p.url),
                    url=p.url,
                    hashes=tuple(h.removeprefix("sha256:") for h in p.hashes if h.startswith("sha256:")),
                    extra=tuple(extra),
                    repository=None if p.url else repo,
                )
            )
    else:
        for q in spec.python.requirements:
            if not applies(q.markers, envs):  # pywin32 on Linux, tomli on 3.11: not installed
                continue
            pinned = _url_version(q.url) if q.url else exact_version(q.specifier)
            out.append(
                _pypi(
                    q.name,
                    pinned,
                    specifier=q.specifier,
                    markers=q.markers,
                    extras=q.extras,
                    url=q.url,
                    repository=None if q.url else repo,
                )
            )
        if serve:
            from packaging.requirements import Requirement

            from specc.backends.docker import serving_lines

            for line in serving_lines(spec):
                r = Requirement(line)
                if not applies(str(r.marker) if r.marker else None, envs):
                    continue
                spec_set = str(r.specifier)
                pinned = exact_version(spec_set)
                out.append(
                    _pypi(
                        r.name,
                        pinned,
                        specifier=spec_set,
                        extra=(("specc:implied-by", "targets.docker.serve"),),
                        repository=repo,
                    )
                )
    out += [_file(w.path, w.sha256, "pypi", w.version) for w in spec.python.wheels]
    return out


def _only_index(spec: EnvSpec) -> str | None:
    """The ``repository_url`` of every pip package: the spec's one index when it is not PyPI.

    With extra indexes, which index serves a package is pip's choice at install time, so no
    package names one (the indexes are in the bill's metadata properties).
    """
    py = spec.python
    if not py.index_url or py.extra_index_urls:
        return None
    public = public_url(py.index_url)
    if public is None or public.rstrip("/") in ("https://pypi.org/simple", "https://pypi.python.org/simple"):
        return None
    return public


def _maven_entries(spec: EnvSpec) -> list[Entry]:
    out = []
    for pkg in spec.maven.packages:
        c = pkg.coords
        repo = public_url(pkg.repository or spec.maven.repository)
        if repo and repo.rstrip("/") in _MAVEN_CENTRAL:
            repo = None
        quals = {"type": c.packaging or "", "classifier": c.classifier or "", "repository_url": repo or ""}
        props = tuple(("specc:exclusion", ex) for ex in pkg.exclusions)
        out.append(
            Entry(
                type="library",
                group=c.group,
                name=c.artifact,
                version=c.version,
                purl=_purl("maven", c.group, c.artifact, c.version, quals),
                ecosystem="maven",
                properties=props,
            )
        )
    out += [_file(j.path, j.sha256, "maven") for j in spec.maven.jars]
    return out


def _r_entries(spec: EnvSpec) -> list[Entry]:
    out = []
    for pkg in spec.r.packages:
        repo = pkg.repository or spec.r.repository
        props: list[tuple[str, str]] = []
        if pkg.version is None:
            props.append(("specc:unpinned", "true"))
            dated = _DATED.search(repo or "")
            if dated:
                props.append(("specc:r-snapshot", dated.group(1)))
        public = public_url(repo)
        if public and public.rstrip("/") in _CRAN_DEFAULT:
            public = None
        out.append(
            Entry(
                type="library",
                name=pkg.name,
                version=pkg.version,
                purl=_purl("cran", None, pkg.name, pkg.version, {"repository_url": public or ""}),
                ecosystem="cran",
                properties=tuple(props),
            )
        )
    out += [_file(s.path, s.sha256, "cran") for s in spec.r.sources]
    return out


def _apt_entries(
    spec: EnvSpec, distro: Distro | None, arch: str | None, *, implied: list[tuple[str, str]]
) -> list[Entry]:
    out = [_deb(p.name, p.version, distro, arch) for p in spec.apt.packages]
    declared = {p.name for p in spec.apt.packages}
    for name, why in implied:
        if name in declared:
            continue
        extra = [("specc:implied-by", "runtime.cuda" if why == _PPA else why)]
        if why == _PPA:  # from the deadsnakes PPA, not the distribution's archive
            extra.append(("purl:repository_url", _PPA_DEADSNAKES))
        out.append(_deb(name, None, distro, arch, *extra))
    out += [_file(d.path, d.sha256, "deb") for d in spec.apt.debs]
    return out


# --- the plan -------------------------------------------------------------------------------------


def plan(
    spec: EnvSpec,
    target: str,
    *,
    lock: LockFile | None = None,
    runtime: RuntimeInfo | None = None,
) -> Plan:
    """What ``target`` ships for ``spec``: its base, its components, a serial number.

    ``lock``: the fresh lock (``--locked``), whose packages replace the spec's requirements;
    ``runtime``: for Databricks, the runtime the target renders for (the command picks it as
    ``specc render`` does); None with a Databricks target gives an unknown base (SPC751).
    Raises ValueError for a target specc does not know.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}")
    from specc.lockfile import target_platform

    platform, _ = target_platform(spec, target)
    diags: list[Diagnostic] = []
    base: Entry | None = None
    distro: Distro | None = None
    arch: str | None = None
    where: tuple[str, ...] = ()
    implied_apt: list[tuple[str, str]] = []
    props: list[tuple[str, str]] = [("specc:target", target), ("specc:python", spec.runtime.python)]

    if target == "docker":
        from specc.backends.docker import default_base_image

        image = spec.targets.docker.base_image or default_base_image(spec) or "scratch"
        distro = distro_of_image(image)
        arch = _arch(spec.targets.docker.platform)
        base = _container(image, distro)
        if spec.r.packages or spec.r.sources:
            implied_apt += [("r-base-core", "r"), ("r-base-dev", "r")]
        if spec.maven.packages or spec.maven.jars:
            implied_apt.append(("default-jre-headless", "maven"))
        if spec.runtime.cuda and not spec.targets.docker.base_image:
            # the CUDA images ship no such Python: the Dockerfile (targets/docker/Dockerfile.j2)
            # installs what add-apt-repository needs from the Ubuntu archive, then Python from
            # the deadsnakes PPA (tests/test_sbom_user.py checks the bill against the Dockerfile)
            minor = spec.runtime.python_minor
            implied_apt += [(name, "runtime.cuda") for name in _PPA_TOOLS]
            implied_apt += [(f"python{minor}", _PPA), (f"python{minor}-venv", _PPA)]
        where = ("targets", "docker", "base-image") if spec.targets.docker.base_image else ("runtime",)
    elif target == "databricks":
        arch = _arch(platform)
        where = ("runtime", "databricks")
        if runtime is not None:
            distro = distro_of_ubuntu(runtime.ubuntu)
            base = _platform(runtime, distro)
        else:
            diags.append(
                Diagnostic.create(
                    NO_RUNTIME,
                    severity="warning",
                    message="the Databricks runtime is unknown: the SBOM has no platform component",
                    path=where,
                    hint="set runtime.databricks to a runtime `specc runtimes` lists",
                )
            )
    else:
        where = ()

    entries = _python_entries(spec, target, lock, platform)
    if target != "mlflow":
        apt = _apt_entries(spec, distro, arch, implied=implied_apt)
        if distro is None and any(e.ecosystem == "deb" for e in apt):
            base_name = base.name + (f":{base.version}" if base and base.version else "") if base else "the base"
            diags.append(
                Diagnostic.create(
                    UNKNOWN_DISTRO,
                    severity="warning",
                    message=f"cannot tell the distribution of {base_name}: its apt packages get no package URL",
                    path=where,
                    hint="name the release in the image tag (python:3.11-slim-bookworm, ubuntu:22.04)"
                    if target == "docker"
                    else "pin a runtime whose Ubuntu release specc knows (`specc runtimes`)",
                )
            )
        entries += apt + _maven_entries(spec) + _r_entries(spec)
    else:
        # the model carries the private .deb, jar and R source files (for the other targets to
        # install): they ship in it, though MLflow installs none of them
        carried = ("specc:carried-only", "true")
        for ref, eco in [
            *((d, "deb") for d in spec.apt.debs),
            *((j, "maven") for j in spec.maven.jars),
            *((r, "cran") for r in spec.r.sources),
        ]:
            f = _file(ref.path, ref.sha256, eco)
            entries.append(dataclasses.replace(f, properties=(*f.properties, carried)))

    py = spec.python
    if index := public_url(py.index_url):
        props.append(("specc:python:index-url", index))
    props += [("specc:python:extra-index-url", u) for u in map(public_url, py.extra_index_urls) if u]
    props.append(("specc:dependency-hash", spec.hashes.dependencies))
    props.append(("specc:locked", "true" if lock is not None else "false"))
    if lock is not None:
        props.append(("specc:platform", platform))
    serial = _serial(spec, target, base, entries, props)
    return Plan(
        target=target,
        model=spec.model.name,
        serial=serial,
        base=base,
        components=entries,
        properties=props,
        diagnostics=diags,
    )


#: Docker Hub's registry names: an image there is named without a registry in its package URL.
_DOCKER_HUB = ("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com")


def _container(image: str, distro: Distro | None) -> Entry:
    """The base image as a ``container`` component, one package URL per image however it is written.

    Docker Hub's spellings name one image: ``python``, ``library/python``,
    ``docker.io/library/python`` and ``index.docker.io/python`` all give
    ``pkg:docker/python`` (the purl spec's Docker Hub default: no ``repository_url``, official
    images without the ``library/`` namespace); another registry is the ``repository_url``.
    """
    registry, path, tag, digest = _split_image(image)
    if registry and registry.lower() in _DOCKER_HUB:
        registry = None
    if registry is None and path.startswith("library/"):
        path = path.removeprefix("library/")
    namespace, _, name = path.rpartition("/")
    version = digest or tag
    quals = {"repository_url": registry or ""}
    props: list[tuple[str, str]] = [("specc:image", image)]
    if digest and tag:
        props.append(("specc:tag", tag))
    props.append(("specc:distro", str(distro) if distro else "unknown"))
    purl = None if image == "scratch" else _purl("docker", namespace or None, name, version, quals)
    return Entry(
        type="container",
        name=path,
        version=version,
        purl=purl,
        ecosystem="docker",
        properties=tuple(props),
    )


def _platform(info: RuntimeInfo, distro: Distro | None) -> Entry:
    props = [("specc:python", info.python), ("specc:flavor", info.flavor)]
    props += [(f"specc:{k}", v) for k, v in (("spark", info.spark), ("scala", info.scala)) if v]
    props.append(("specc:ubuntu", info.ubuntu or "unknown"))
    if distro:
        props.append(("specc:distro", str(distro)))
    name = "databricks-serverless-environment" if info.serverless else "databricks-runtime"
    return Entry(
        type="platform",
        name=name,
        version=info.key,
        purl=_purl("generic", None, name, info.key),
        ecosystem="databricks",
        properties=tuple(props),
    )


def _serial(
    spec: EnvSpec,
    target: str,
    base: Entry | None,
    components: list[Entry],
    properties: list[tuple[str, str]],
) -> uuid.UUID:
    """UUID 5 of the spec's dependency hash and everything the bill says.

    The dependency hash alone is not enough: two models with the same requirements (another
    ``model.name``, the root component), another base, the lock's resolution, the rules of
    another specc version (``metadata.tools``) all give other bills, and CycloneDX reads a
    serial number as naming one bill.  So the serial is derived from the dependency hash plus a
    canonical dump of the model, the specc version, the target, the base, every component and
    every metadata property: the same content gives the same serial, any other content
    another.  The timestamp (``--timestamp``) is not part of it: the same bill at another time.
    """
    import json

    from specc import __version__
    from specc.hashing import sha256_bytes

    def entry(e: Entry | None) -> object:
        return None if e is None else dataclasses.asdict(e)

    content = json.dumps(
        {
            "model": spec.model.name,
            "specc": __version__,
            "target": target,
            "base": entry(base),
            "components": [entry(c) for c in components],
            "properties": properties,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return uuid.uuid5(SERIAL_NAMESPACE, f"{spec.hashes.dependencies}\n{sha256_bytes(content)}")


# --- CycloneDX --------------------------------------------------------------------------------------


def render(p: Plan, fmt: Format = "json", *, timestamp: datetime | None = None) -> str:
    """The CycloneDX 1.6 document of ``p`` as text (JSON or XML), deterministic.

    Needs ``cyclonedx-python-lib`` (``pip install 'specc-env[sbom]'``); ImportError otherwise.
    The library writes a dependency entry for every component, which CycloneDX reads as
    "depends on nothing"; the lock records no edges, so the section is removed.
    """
    import warnings

    from cyclonedx.model import HashAlgorithm, HashType, Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.tool import ToolRepository
    from cyclonedx.output import make_outputter
    from cyclonedx.schema import OutputFormat, SchemaVersion
    from packageurl import PackageURL

    from specc import __version__

    seen: dict[str, int] = {}

    def component(e: Entry) -> Component:
        ref = e.ref
        seen[ref] = seen.get(ref, 0) + 1
        if seen[ref] > 1:  # the same name twice (two markers): refs must be unique
            ref = f"{ref}#{seen[ref]}"
        c = Component(
            type=ComponentType(e.type),
            name=e.name,
            group=e.group,
            version=e.version,
            purl=PackageURL.from_string(e.purl) if e.purl else None,
            bom_ref=ref,
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=h) for h in e.hashes],
            properties=[Property(name=k, value=v) for k, v in e.properties],
        )
        return c

    bom = Bom(serial_number=p.serial)
    bom.metadata.timestamp = timestamp  # type: ignore[assignment]  # None: no timestamp (deterministic)
    bom.metadata.component = Component(
        type=ComponentType.MACHINE_LEARNING_MODEL, name=p.model, bom_ref=f"specc:model:{p.model}"
    )
    bom.metadata.tools = ToolRepository(
        components=[Component(type=ComponentType.APPLICATION, name="specc", version=__version__, group="specc-dev")]
    )
    bom.metadata.properties = [Property(name=k, value=v) for k, v in p.properties]
    if p.base is not None:
        bom.components.add(component(p.base))
    for e in p.components:
        bom.components.add(component(e))
    kind = OutputFormat.JSON if fmt == "json" else OutputFormat.XML
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "the root component has no dependencies": by design, see above
        text = make_outputter(bom, kind, SchemaVersion.V1_6).output_as_string(indent=2)
    return _without_dependencies(text, fmt)


def _without_dependencies(text: str, fmt: Format) -> str:
    if fmt == "json":
        import json

        data = json.loads(text)
        data.pop("dependencies", None)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    # the XML writer's element: no text inside the document can contain "<dependencies>" (escaped)
    text = re.sub(r"\n\s*<dependencies>.*?</dependencies>", "", text, flags=re.DOTALL)
    text = re.sub(r"\n\s*<dependencies/>", "", text)
    return text if text.endswith("\n") else text + "\n"


def validate(text: str, fmt: Format = "json") -> str | None:
    """None when ``text`` is a valid CycloneDX 1.6 document (the library's own schemas), else the error."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from cyclonedx.validation.xml import XmlValidator

    validator = JsonStrictValidator(SchemaVersion.V1_6) if fmt == "json" else XmlValidator(SchemaVersion.V1_6)
    error = validator.validate_str(text)
    return None if error is None else str(error)
