"""The example model repositories are complete: every referenced file exists and the
private packages they ship (wheel, .deb, jar, R source tarball) are real, valid packages."""

from __future__ import annotations

import email.parser
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from specc.runtimes import get_runtime, resolve_runtime

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXPECTED = {
    "sklearn-basic",
    "private-index",
    "spark-nlp",
    "r-forecast",
    "gpu-torch",
    "kitchen-sink",
    "private-wheel-scoring",
}
SPECS = sorted(EXAMPLES.glob("*/model-env.toml"))
IDS = [p.parent.name for p in SPECS]


def _load(spec: Path) -> dict[str, Any]:
    with spec.open("rb") as fh:
        return tomllib.load(fh)


def _referenced_paths(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(TOML path, file path) for every file the spec points at."""
    refs: list[tuple[str, str]] = []
    sections = [
        ("python", "requirements-files"),
        ("python", "wheels"),
        ("code", "paths"),
        ("apt", "debs"),
        ("maven", "jars"),
        ("r", "sources"),
    ]
    for section, key in sections:
        for i, value in enumerate(doc.get(section, {}).get(key, [])):
            refs.append((f"{section}.{key}[{i}]", value))
    for name, value in doc.get("artifacts", {}).items():
        refs.append((f"artifacts.{name}", value))
    return refs


def _files(spec: Path, kind: str) -> list[Path]:
    doc = _load(spec)
    section, key = kind.split(".")
    return [spec.parent / p for p in doc.get(section, {}).get(key, [])]


def _all(kind: str) -> list[Path]:
    return [p for spec in SPECS for p in _files(spec, kind)]


def test_all_examples_present() -> None:
    assert set(IDS) >= EXPECTED
    for name in IDS:
        assert (EXAMPLES / name / "README.md").is_file(), f"{name} has no README.md"
        assert not (EXAMPLES / name / ".git").exists()


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_referenced_files_exist_inside_example(spec: Path) -> None:
    doc = _load(spec)
    assert doc["spec-version"] == 1
    assert re.fullmatch(r"3\.\d+(\.\d+)?", doc["runtime"]["python"])
    root = spec.parent.resolve()
    refs = _referenced_paths(doc)
    for toml_path, rel in refs:
        assert not Path(rel).is_absolute() and ".." not in Path(rel).parts, toml_path
        target = (spec.parent / rel).resolve()  # resolve(): a symlink must not escape either
        assert target.is_relative_to(root), f"{toml_path} = {rel!r} leaves the example"
        assert target.exists(), f"{spec.parent.name}: {toml_path} = {rel!r} does not exist"
    # Code paths are copied to code/<final name>: two with the same name would collide.
    names = [Path(p).name for p in doc.get("code", {}).get("paths", [])]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_requirements_parse_and_files_follow(spec: Path) -> None:
    doc = _load(spec)
    python = doc.get("python", {})
    for line in [*python.get("requirements", []), *python.get("constraints", [])]:
        Requirement(line)
    pending = [spec.parent / f for f in python.get("requirements-files", [])]
    seen: set[Path] = set()
    while pending:
        file = pending.pop()
        if file in seen:
            continue
        seen.add(file)
        assert file.is_file(), f"{file} (referenced from a requirements file) is missing"
        for raw in file.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if m := re.match(r"^(-r|-c|--requirement|--constraint)\s+(\S+)$", line):
                pending.append(file.parent / m.group(2))
            else:
                assert not line.startswith("-"), f"{file}: option line {line!r}"
                Requirement(line)


DBR_SPECS = [s for s in SPECS if "databricks" in _load(s)["runtime"]]


@pytest.mark.parametrize("spec", DBR_SPECS, ids=[s.parent.name for s in DBR_SPECS])
def test_databricks_runtime_resolves_and_python_matches(spec: Path) -> None:
    runtime = _load(spec)["runtime"]
    key = resolve_runtime(runtime["databricks"], gpu="cuda" in runtime)
    assert key is not None, runtime["databricks"]
    info = get_runtime(key)
    assert info is not None
    assert runtime["python"].startswith(info.python), (key, info.python)


def test_gpu_example_resolves_to_gpu_runtime() -> None:
    runtime = _load(EXAMPLES / "gpu-torch" / "model-env.toml")["runtime"]
    assert resolve_runtime(runtime["databricks"], gpu=True) == "15.4.x-gpu-ml-scala2.12"


def test_kitchen_sink_uses_every_key() -> None:
    doc = _load(EXAMPLES / "kitchen-sink" / "model-env.toml")
    expected = {
        "model": {"name"},
        "runtime": {"python", "databricks", "cuda", "overrides"},
        "python": {
            "requirements",
            "requirements-files",
            "constraints",
            "wheels",
            "index-url",
            "extra-index-urls",
        },
        "code": {"paths"},
        "apt": {"packages", "debs"},
        "maven": {"repository", "packages", "jars"},
        "r": {"repository", "packages", "sources"},
        "mlflow": {"pip", "flavor"},
    }
    for section, keys in expected.items():
        assert set(doc[section]) == keys, section
    assert doc["env"] and doc["artifacts"]
    assert {"description", "databricks", "docker"} <= set(doc["secrets"]["PYPI_TOKEN"])
    # base-image is shown in a comment: a digest pin is specific to the day it is taken, and a
    # bare tag warns (SPC330), which --strict refuses
    assert set(doc["targets"]["docker"]) == {"platform", "serve", "port", "standalone"}
    dbx = doc["targets"]["databricks"]
    assert set(dbx) == {"libraries-dir", "init-script", "notebook-dir", "requirements-library", "cluster"}
    assert dbx["cluster"]["autoscale"] == {"min": 1, "max": 4}
    # Both the short and the table form of each list that has them.
    for section in ("maven", "r"):
        kinds = {type(p) for p in doc[section]["packages"]}
        assert kinds == {str, dict}, section
    # no apt "name=version" pin: one spec serves Docker's Debian and Databricks' Ubuntu, whose versions
    # differ (SPC356); the form itself is parsed in tests/test_validate.py
    assert not any("=" in p for p in doc["apt"]["packages"])
    assert any(Path(EXAMPLES / "kitchen-sink" / p).is_file() for p in doc["code"]["paths"])
    assert any(Path(EXAMPLES / "kitchen-sink" / p).is_dir() for p in doc["code"]["paths"])
    req = (EXAMPLES / "kitchen-sink" / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^-r ", req, re.M) and re.search(r"^-c ", req, re.M)


@pytest.mark.parametrize("wheel", _all("python.wheels"), ids=lambda p: p.parent.parent.name)
def test_wheel_is_valid(wheel: Path, tmp_path: Path) -> None:
    name, version, _build, tags = parse_wheel_filename(wheel.name)
    with zipfile.ZipFile(wheel) as zf:
        assert zf.testzip() is None
        dist_info = f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"
        metadata = email.parser.Parser().parsestr(zf.read(f"{dist_info}/METADATA").decode())
        assert f"{dist_info}/RECORD" in zf.namelist()
    assert canonicalize_name(metadata["Name"]) == name
    assert metadata["Version"] == str(version)
    assert any(t.interpreter == "py3" for t in tags)
    # Installable: pip accepts it offline, without dependencies.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "--target",
            str(tmp_path / "site"),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "site" / str(name).replace("-", "_") / "__init__.py").is_file()


@pytest.mark.parametrize("deb", _all("apt.debs"), ids=lambda p: p.name)
def test_deb_is_valid(deb: Path) -> None:
    data = deb.read_bytes()
    # ar archive whose first member is debian-binary "2.0".
    assert data.startswith(b"!<arch>\ndebian-binary   ")
    assert shutil.which("dpkg-deb"), "dpkg-deb is part of dpkg; .ci/install-system-deps.sh provides it"
    info = subprocess.run(["dpkg-deb", "--info", str(deb)], check=True, capture_output=True)
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Package", "Version", "Architecture"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    package, version, arch = deb.stem.split("_")
    assert f"Package: {package}" in fields and f"Version: {version}" in fields
    assert f"Architecture: {arch}" in fields
    assert b"new Debian package" in info.stdout


@pytest.mark.parametrize("jar", _all("maven.jars"), ids=lambda p: p.name)
def test_jar_is_valid(jar: Path) -> None:
    with zipfile.ZipFile(jar) as zf:
        assert zf.testzip() is None
        classes = [n for n in zf.namelist() if n.endswith(".class")]
        assert classes, f"{jar.name} contains no class"
        assert all(zf.read(c)[:4] == b"\xca\xfe\xba\xbe" for c in classes)
        assert "META-INF/MANIFEST.MF" in zf.namelist()


@pytest.mark.parametrize("tarball", _all("r.sources"), ids=lambda p: p.name)
def test_r_source_package_is_valid(tarball: Path) -> None:
    m = re.fullmatch(r"(?P<pkg>[A-Za-z][A-Za-z0-9.]*)_(?P<ver>[0-9][0-9.-]*)\.tar\.gz", tarball.name)
    assert m, f"{tarball.name} is not named <package>_<version>.tar.gz"
    pkg = m.group("pkg")
    with tarfile.open(tarball, "r:gz") as tf:
        names = tf.getnames()
        member = tf.extractfile(f"{pkg}/DESCRIPTION")
        assert member is not None
        description = email.parser.Parser().parsestr(member.read().decode("utf-8"))
    assert description["Package"] == pkg
    assert description["Version"] == m.group("ver")
    assert f"{pkg}/NAMESPACE" in names
    assert any(n.startswith(f"{pkg}/R/") and n.endswith(".R") for n in names)
