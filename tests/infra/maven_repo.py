"""A Maven-layout repository with tiny real jars, served on 127.0.0.1.

Why: specc's Databricks and Docker targets resolve Maven coordinates (with exclusions). Maven
Central is unreachable here, and Maven itself cannot run without downloading plugins, so tests
resolve with Debian's Apache Ivy (``/usr/share/java/ivy.jar``) against this fixture. The jars are
compiled with ``javac`` so a consumer that loads classes (``java -cp``) works too.

Layout created by :func:`make_maven_repo`::

    com.example:app:1.0   -> depends on com.example:lib:2.0 and org.slf4j:slf4j-api:1.7.36
    com.example:lib:2.0   -> no dependencies
    org.slf4j:slf4j-api:1.7.36 (a fake, tiny one)

so a test can prove transitive resolution (lib comes with app) and exclusions (slf4j left out).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.infra._http import StaticServer

__all__ = [
    "IVY_JAR",
    "Artifact",
    "MavenRepo",
    "ivy_retrieve",
    "make_maven_repo",
    "write_artifact",
]

IVY_JAR = Path("/usr/share/java/ivy.jar")


@dataclass(frozen=True)
class Artifact:
    """A Maven coordinate ``group:artifact:version`` with its direct dependencies."""

    group: str
    artifact: str
    version: str
    dependencies: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def coordinate(self) -> str:
        return f"{self.group}:{self.artifact}:{self.version}"

    def directory(self, root: Path) -> Path:
        return root.joinpath(*self.group.split("."), self.artifact, self.version)


DEFAULT_ARTIFACTS: tuple[Artifact, ...] = (
    Artifact("com.example", "lib", "2.0"),
    Artifact("org.slf4j", "slf4j-api", "1.7.36"),
    Artifact(
        "com.example",
        "app",
        "1.0",
        (("com.example", "lib", "2.0"), ("org.slf4j", "slf4j-api", "1.7.36")),
    ),
)


def _pom(a: Artifact) -> str:
    deps = "".join(
        "    <dependency>\n"
        f"      <groupId>{g}</groupId>\n      <artifactId>{n}</artifactId>\n"
        f"      <version>{v}</version>\n    </dependency>\n"
        for g, n, v in a.dependencies
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        "  <modelVersion>4.0.0</modelVersion>\n"
        f"  <groupId>{a.group}</groupId>\n  <artifactId>{a.artifact}</artifactId>\n"
        f"  <version>{a.version}</version>\n  <packaging>jar</packaging>\n"
        f"  <dependencies>\n{deps}  </dependencies>\n</project>\n"
    )


def _class_name(a: Artifact) -> tuple[str, str]:
    """A Java package and class unique to the artifact, e.g. ``com.example.lib``, ``Lib``."""
    ident = "".join(ch if ch.isalnum() else "_" for ch in a.artifact)
    return f"{a.group}.{ident}".lower(), ident.capitalize()


def _compile_jar(a: Artifact, out: Path) -> None:
    package, cls = _class_name(a)
    with tempfile.TemporaryDirectory(prefix="specc-jar-") as tmp:
        src = Path(tmp, "src", *package.split("."))
        src.mkdir(parents=True)
        (src / f"{cls}.java").write_text(
            f"package {package};\n"
            f"public class {cls} {{\n"
            f'  public static String coordinate() {{ return "{a.coordinate}"; }}\n'
            f"  public static void main(String[] args) {{ System.out.println(coordinate()); }}\n"
            "}\n"
        )
        classes = Path(tmp, "classes")
        subprocess.run(
            ["javac", "--release", "8", "-nowarn", "-d", str(classes), str(src / f"{cls}.java")],
            check=True,
            capture_output=True,
            text=True,
        )
        # jar --date keeps the jar reproducible (JDK 11+).
        subprocess.run(
            [
                "jar",
                "--create",
                "--date=2020-01-01T00:00:00Z",
                "--file",
                str(out),
                "-C",
                str(classes),
                ".",
            ],
            check=True,
            capture_output=True,
            text=True,
        )


def _checksums(path: Path) -> None:
    data = path.read_bytes()
    path.with_name(path.name + ".sha1").write_text(hashlib.sha1(data).hexdigest())
    path.with_name(path.name + ".md5").write_text(hashlib.md5(data).hexdigest())


def write_artifact(root: Path | str, artifact: Artifact) -> Path:
    """Write ``artifact``'s pom and compiled jar (with .sha1/.md5) under ``root``; return its
    version directory."""
    d = artifact.directory(Path(root))
    d.mkdir(parents=True, exist_ok=True)
    base = f"{artifact.artifact}-{artifact.version}"
    (d / f"{base}.pom").write_text(_pom(artifact))
    _compile_jar(artifact, d / f"{base}.jar")
    _checksums(d / f"{base}.pom")
    _checksums(d / f"{base}.jar")
    meta = d.parent / "maven-metadata.xml"
    meta.write_text(
        f"<metadata><groupId>{artifact.group}</groupId><artifactId>{artifact.artifact}"
        f"</artifactId><versioning><release>{artifact.version}</release><versions>"
        f"<version>{artifact.version}</version></versions></versioning></metadata>\n"
    )
    return d


def make_maven_repo(root: Path | str, artifacts: Sequence[Artifact] = DEFAULT_ARTIFACTS) -> Path:
    """Create a Maven-layout repository under ``root`` (default: app -> lib, slf4j-api)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for a in artifacts:
        write_artifact(root, a)
    return root


class MavenRepo(StaticServer):
    """Serve a Maven-layout folder on 127.0.0.1. ``url`` ends with ``/`` as Ivy/Maven expect."""

    @property
    def url(self) -> str:
        return f"{self.base_url}/"


def ivy_retrieve(
    repo_urls: Sequence[str],
    coordinates: Sequence[str],
    dest: Path | str,
    *,
    exclusions: Sequence[str] = (),
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """Resolve ``group:artifact:version`` coordinates transitively with Debian's Ivy into
    ``dest`` (``[artifact]-[revision].[ext]``), excluding ``group:artifact`` entries.

    The reference consumer for Maven fixtures (see the recipe); Ivy's cache goes to a temp dir so
    runs never share state. Returns the completed process (``check=False``).
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="specc-ivy-") as tmp:
        resolvers = "".join(f'<ibiblio name="r{i}" m2compatible="true" root="{u}"/>' for i, u in enumerate(repo_urls))
        (Path(tmp) / "ivysettings.xml").write_text(
            f'<ivysettings><settings defaultResolver="chain"/>'
            f'<caches defaultCacheDir="{tmp}/cache"/>'
            f'<resolvers><chain name="chain">{resolvers}</chain></resolvers></ivysettings>\n'
        )
        excl = "".join(f'<exclude org="{e.split(":")[0]}" module="{e.split(":")[1]}"/>' for e in exclusions)
        deps = ""
        for c in coordinates:
            g, n, v = c.split(":")
            deps += f'<dependency org="{g}" name="{n}" rev="{v}" conf="default->default"/>'
        (Path(tmp) / "ivy.xml").write_text(
            '<ivy-module version="2.0"><info organisation="specc" module="jars"/>'
            f"<dependencies>{deps}{excl}</dependencies></ivy-module>\n"
        )
        return subprocess.run(
            [
                "java",
                f"-Duser.home={tmp}",
                "-jar",
                str(IVY_JAR),
                "-settings",
                f"{tmp}/ivysettings.xml",
                "-ivy",
                f"{tmp}/ivy.xml",
                "-retrieve",
                f"{dest}/[artifact]-[revision].[ext]",
                "-confs",
                "default",
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def copy_repo(src: Path | str, dest: Path | str) -> Path:
    """Copy a repository folder (session fixtures hand out copies tests may modify)."""
    shutil.copytree(src, dest)
    return Path(dest)
