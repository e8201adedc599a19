"""``specc sbom``: CycloneDX 1.6 bills of every example and target, package URLs, determinism, secrets.

Regenerate the golden files with ``SPECC_UPDATE_GOLDEN=1 pytest tests/test_sbom.py`` and review the diff.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specc.api import load
from specc.backends import implied_targets
from specc.lockfile import read_lock
from specc.sbom import distro_of_image, plan, public_url, render, validate
from tests.helpers import EXAMPLES, GOLDEN, assert_golden, example_names, run_cli

pytest.importorskip("cyclonedx")


def _cases() -> list[tuple[str, str]]:
    return [(name, t) for name in example_names() for t in implied_targets(load(EXAMPLES / name / "model-env.toml"))]


def _components(text: str) -> list[dict]:
    return json.loads(text)["components"]


def _purls(text: str) -> set[str]:
    return {c["purl"] for c in _components(text) if "purl" in c}


def _prop(c: dict, name: str) -> str | None:
    return next((p["value"] for p in c.get("properties", []) if p["name"] == name), None)


@pytest.mark.parametrize(("example", "target"), _cases())
def test_every_example_and_target_validates_and_matches_its_golden(example: str, target: str) -> None:
    spec = EXAMPLES / example / "model-env.toml"
    r = run_cli("sbom", str(spec), "--target", target)
    assert r.code == 0, r.err
    assert validate(r.out, "json") is None
    assert_golden(GOLDEN / "sbom" / example / f"{target}.cdx.json", r.out)
    x = run_cli("sbom", str(spec), "--target", target, "--format", "xml")
    assert x.code == 0, x.err
    assert validate(x.out, "xml") is None
    assert 'xmlns="http://cyclonedx.org/schema/bom/1.6"' in x.out
    doc = json.loads(r.out)
    assert doc["specVersion"] == "1.6"
    assert "dependencies" not in doc and "<dependencies" not in x.out  # the lock records no edges
    assert "timestamp" not in doc["metadata"]
    # every requirement of the spec is listed under its PEP 503 name
    es = load(spec)
    names = {c["name"] for c in doc["components"]}
    assert {q.name for q in es.python.requirements} <= names
    assert {w.filename for w in es.python.wheels} <= names
    if target != "mlflow":
        assert {p.name for p in es.apt.packages} <= names
        assert {p.artifact for p in es.maven.packages} <= names
        assert {p.name for p in es.r.packages} <= names
    # the same serial number in both formats (one bill, two encodings)
    assert doc["serialNumber"] in x.out


SPEC = """\
spec-version = 1

[model]
name = "every-ecosystem"

[runtime]
python = "3.11"
databricks = "15.4.x-cpu-ml-scala2.12"
overrides = ["scikit-learn"]

[python]
requirements = ["scikit-learn==1.5.2", "requests>=2.31,<3", "tomli==2.0.1; python_version < '3.12'"]
wheels = ["dist/featurizer-0.3.0-py3-none-any.whl"]

[apt]
packages = ["libgomp1=12.2.0-14", "graphviz"]
debs = ["lib/libchurn_1.0_amd64.deb"]

[maven]
packages = [
  "org.xerial:sqlite-jdbc:3.45.1.0",
  "ml.dmlc:xgboost4j-spark_2.12:jar:cuda:2.0.3",
  { coordinates = "com.example:udfs:1.0.0", repository = "https://maven.example.com/releases" },
]
jars = ["lib/churn-udfs-1.2.0.jar"]

[r]
repository = "https://packagemanager.posit.co/cran/2024-06-03"
packages = ["forecast", { name = "prophet", version = "1.1.5" }]
sources = ["lib/churnr_0.3.0.tar.gz"]

[targets.docker]
base-image = "python:3.11-slim-bookworm"
platform = "linux/amd64"

[targets.databricks]
libraries-dir = "/Volumes/ml/default/libs"

[targets.databricks.cluster]
node-type = "i3.xlarge"
"""


@pytest.fixture
def every(tmp_path: Path) -> Path:
    ks = EXAMPLES / "kitchen-sink"
    for rel in (
        "dist/featurizer-0.3.0-py3-none-any.whl",
        "lib/libchurn_1.0_amd64.deb",
        "lib/churn-udfs-1.2.0.jar",
        "lib/churnr_0.3.0.tar.gz",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ks / rel, tmp_path / rel)
    (tmp_path / "model-env.toml").write_text(SPEC, encoding="utf-8")
    return tmp_path


PYPI = {"pkg:pypi/scikit-learn@1.5.2", "pkg:pypi/requests", "pkg:pypi/tomli@2.0.1"}
MAVEN = {
    "pkg:maven/org.xerial/sqlite-jdbc@3.45.1.0",
    "pkg:maven/ml.dmlc/xgboost4j-spark_2.12@2.0.3?classifier=cuda&type=jar",
    "pkg:maven/com.example/udfs@1.0.0?repository_url=https://maven.example.com/releases",
}
CRAN = {
    "pkg:cran/forecast?repository_url=https://packagemanager.posit.co/cran/2024-06-03",
    "pkg:cran/prophet@1.1.5?repository_url=https://packagemanager.posit.co/cran/2024-06-03",
}


def test_exact_package_urls_of_every_ecosystem(every: Path) -> None:
    docker = run_cli("sbom", str(every), "--target", "docker")
    assert docker.code == 0, docker.err
    assert _purls(docker.out) == PYPI | MAVEN | CRAN | {
        "pkg:docker/python@3.11-slim-bookworm",
        "pkg:deb/debian/libgomp1@12.2.0-14?arch=amd64&distro=bookworm",
        "pkg:deb/debian/graphviz?arch=amd64&distro=bookworm",
        # what the Dockerfile adds for R and Java
        "pkg:deb/debian/r-base-core?arch=amd64&distro=bookworm",
        "pkg:deb/debian/r-base-dev?arch=amd64&distro=bookworm",
        "pkg:deb/debian/default-jre-headless?arch=amd64&distro=bookworm",
    }
    dbx = run_cli("sbom", str(every), "--target", "databricks")
    assert dbx.code == 0, dbx.err
    assert _purls(dbx.out) == PYPI | MAVEN | CRAN | {
        "pkg:generic/databricks-runtime@15.4.x-cpu-ml-scala2.12",
        "pkg:deb/ubuntu/libgomp1@12.2.0-14?arch=amd64&distro=jammy",
        "pkg:deb/ubuntu/graphviz?arch=amd64&distro=jammy",
    }
    mlflow = run_cli("sbom", str(every), "--target", "mlflow")
    assert _purls(mlflow.out) == PYPI

    comps = {c["name"]: c for c in _components(dbx.out)}
    runtime = comps["databricks-runtime"]
    assert runtime["type"] == "platform" and runtime["version"] == "15.4.x-cpu-ml-scala2.12"
    assert _prop(runtime, "specc:ubuntu") == "22.04"
    base = {c["name"]: c for c in _components(docker.out)}["python"]
    assert base["type"] == "container" and _prop(base, "specc:distro") == "debian bookworm"
    # private files: file components with the spec's sha256, no purl
    es = load(every / "model-env.toml")
    files = {
        es.python.wheels[0].filename: es.python.wheels[0].sha256,
        "libchurn_1.0_amd64.deb": es.apt.debs[0].sha256,
        "churn-udfs-1.2.0.jar": es.maven.jars[0].sha256,
        "churnr_0.3.0.tar.gz": es.r.sources[0].sha256,
    }
    for out in (docker.out, dbx.out):
        got = {c["name"]: c for c in _components(out) if c["type"] == "file"}
        assert {n: c["hashes"][0]["content"] for n, c in got.items()} == files
        assert all("purl" not in c and c["hashes"][0]["alg"] == "SHA-256" for c in got.values())
    assert got["featurizer-0.3.0-py3-none-any.whl"]["version"] == "0.3.0"
    # the MLflow model carries the private files too (for the other targets), and says so
    carried = {c["name"]: c for c in _components(mlflow.out) if c["type"] == "file"}
    assert {n: c["hashes"][0]["content"] for n, c in carried.items()} == files
    assert {n for n, c in carried.items() if _prop(c, "specc:carried-only") == "true"} == set(files) - {
        "featurizer-0.3.0-py3-none-any.whl"
    }
    # the unpinned rule: no version, the specifier kept
    req = comps["requests"]
    assert "version" not in req and _prop(req, "specc:unpinned") == "true"
    assert _prop(req, "specc:specifier") == "<3,>=2.31"
    assert _prop(comps["tomli"], "specc:markers") == 'python_version < "3.12"'
    assert "version" not in comps["graphviz"] and _prop(comps["graphviz"], "specc:unpinned") == "true"
    assert _prop(comps["forecast"], "specc:r-snapshot") == "2024-06-03"
    for out, fmt in ((docker.out, "json"), (dbx.out, "json"), (mlflow.out, "json")):
        assert validate(out, fmt) is None


def test_unknown_distribution_gives_no_deb_purl_and_warns(every: Path) -> None:
    spec = every / "model-env.toml"
    spec.write_text(
        SPEC.replace('"python:3.11-slim-bookworm"', '"registry.example.com/team/base:1.0"'), encoding="utf-8"
    )
    r = run_cli("sbom", str(spec), "--target", "docker")
    assert r.code == 0, r.err
    assert "warning[SPC750]" in r.err and "registry.example.com" in r.err
    debs = [c for c in _components(r.out) if c["name"] in ("libgomp1", "graphviz", "r-base-core")]
    assert len(debs) == 3
    assert all("purl" not in c and _prop(c, "specc:distro") == "unknown" for c in debs)
    assert "pkg:docker/team/base@1.0?repository_url=registry.example.com" in _purls(r.out)
    assert validate(r.out) is None
    # --strict turns the warning into a failure, and nothing is written
    out = every / "sbom.json"
    assert run_cli("sbom", str(spec), "--target", "docker", "--strict", "--out", str(out)).code == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("python:3.11-slim-bookworm", "debian bookworm"),
        ("python:3.12-bullseye", "debian bullseye"),
        ("python:3.11-slim-bookworm@sha256:" + "a" * 64, "debian bookworm"),
        ("debian:12-slim", "debian bookworm"),
        ("debian:trixie", "debian trixie"),
        ("ubuntu:22.04", "ubuntu jammy"),
        ("ubuntu:noble", "ubuntu noble"),
        ("nvidia/cuda:12.4.1-runtime-ubuntu22.04", "ubuntu jammy"),
        ("nvcr.io/nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04", "ubuntu noble"),
        ("python:3.11", None),
        ("python:3.11-slim", None),
        ("registry.example.com:5000/team/img:v1", None),
        ("registry.example.com:5000/team/img:bookworm-slim", "debian bookworm"),
        ("scratch", None),
    ],
)
def test_distribution_of_a_base_image(image: str, expected: str | None) -> None:
    got = distro_of_image(image)
    assert (str(got) if got else None) == expected


def test_deterministic_bytes_and_serial_numbers(every: Path) -> None:
    spec = every / "model-env.toml"
    a = run_cli("sbom", str(spec), "--target", "docker").out
    assert run_cli("sbom", str(spec), "--target", "docker").out == a
    x1 = run_cli("sbom", str(spec), "--target", "docker", "--format", "xml").out
    assert run_cli("sbom", str(spec), "--target", "docker", "--format", "xml").out == x1
    serials = {
        t: json.loads(run_cli("sbom", str(spec), "--target", t).out)["serialNumber"]
        for t in ("docker", "databricks", "mlflow")
    }
    assert len(set(serials.values())) == 3
    # the serial follows the dependency hash: another requirement, another serial
    spec.write_text(SPEC.replace("scikit-learn==1.5.2", "scikit-learn==1.5.1"), encoding="utf-8")
    b = run_cli("sbom", str(spec), "--target", "docker").out
    assert json.loads(b)["serialNumber"] != serials["docker"]
    # ... and the base image, which the dependency hash does not cover
    spec.write_text(SPEC.replace("python:3.11-slim-bookworm", "python:3.11-bookworm"), encoding="utf-8")
    c = run_cli("sbom", str(spec), "--target", "docker").out
    assert json.loads(c)["serialNumber"] != serials["docker"]


def test_timestamp_only_when_asked(every: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    r = run_cli("sbom", str(every), "--target", "mlflow", "--timestamp")
    assert r.code == 0, r.err
    assert json.loads(r.out)["metadata"]["timestamp"] == "2023-11-14T22:13:20+00:00"
    assert validate(r.out) is None
    x = run_cli("sbom", str(every), "--target", "mlflow", "--timestamp", "--format", "xml")
    assert "<timestamp>2023-11-14T22:13:20+00:00</timestamp>" in x.out and validate(x.out, "xml") is None


def test_locked_lists_the_lock_with_its_hashes() -> None:
    spec = EXAMPLES / "sklearn-basic" / "model-env.toml"
    lock = read_lock(EXAMPLES / "sklearn-basic" / "model-env.lock")
    # what each target installs from the lock (requirement_lines' `implied`): the model's
    # requirements and the image take the implied-only packages, the cluster libraries do not
    for target, implied in (("docker", True), ("mlflow", True)):
        r = run_cli("sbom", str(spec), "--target", target, "--locked")
        assert r.code == 0, r.err
        assert validate(r.out) is None
        got = {c["name"]: c for c in _components(r.out) if c["type"] == "library"}
        want = [p for p in lock.python_packages("x86_64-manylinux_2_28") if implied or not p.implied_only]
        assert set(got) == {p.name for p in want}
        for p in want:
            c = got[p.name]
            assert c["purl"] == f"pkg:pypi/{p.name}@{p.version}"
            assert sorted(h["content"] for h in c["hashes"]) == sorted(h.removeprefix("sha256:") for h in p.hashes)
        doc = json.loads(r.out)
        assert {"name": "specc:locked", "value": "true"} in doc["metadata"]["properties"]
        unlocked = json.loads(run_cli("sbom", str(spec), "--target", target).out)
        assert unlocked["serialNumber"] != doc["serialNumber"]


def test_locked_with_a_stale_lock_fails_and_writes_nothing(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "sklearn-basic", tmp_path / "ex")
    spec = tmp_path / "ex" / "model-env.toml"
    spec.write_text(spec.read_text().replace("scikit-learn==", "scikit-learn>=1,=="), encoding="utf-8")
    r = run_cli("sbom", str(spec), "--target", "docker", "--locked", "--out", str(tmp_path / "s.json"))
    assert r.code == 1 and "SPC613" in r.err
    assert not (tmp_path / "s.json").exists()


CANARY = "canary-Zq8xJ3-secret-value"

SECRET_SPEC = """\
spec-version = 1

[model]
name = "secretive"

[runtime]
python = "3.11"
databricks = "15.4-ml"

[python]
requirements = ["scikit-learn==1.5.2", "privpkg @ https://${PYPI_USER}:${PYPI_TOKEN}@pkgs.example.com/files/privpkg-1.0.tar.gz"]
index-url = "https://${PYPI_USER}:${PYPI_TOKEN}@pkgs.example.com/simple"
extra-index-urls = ["https://pkgs.example.com/${PYPI_TOKEN}/simple"]

[secrets.PYPI_TOKEN]
databricks = "ml/pypi-token"

[secrets.PYPI_USER]
databricks = "ml/pypi-user"

[targets.docker]
serve = true

[targets.databricks]
libraries-dir = "/Volumes/ml/default/libs"
"""


def test_no_secret_reaches_an_sbom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYPI_TOKEN", CANARY)
    monkeypatch.setenv("PYPI_USER", CANARY + "-user")
    (tmp_path / "model-env.toml").write_text(SECRET_SPEC, encoding="utf-8")
    r = run_cli("sbom", str(tmp_path), "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    for t in ("docker", "databricks", "mlflow"):
        text = (tmp_path / "out" / f"{t}.cdx.json").read_text(encoding="utf-8")
        assert validate(text) is None
        assert CANARY not in text and "PYPI_TOKEN" not in text and "PYPI_USER" not in text and "${" not in text
        props = {p["name"]: p["value"] for p in json.loads(text)["metadata"]["properties"]}
        assert props["specc:python:index-url"] == "https://pkgs.example.com/simple"  # credentials dropped
        assert "specc:python:extra-index-url" not in props  # a placeholder in the path: left out
        priv = {c["name"]: c for c in _components(text)}["privpkg"]
        assert priv["purl"] == "pkg:pypi/privpkg@1.0?download_url=https://pkgs.example.com/files/privpkg-1.0.tar.gz"
        x = run_cli("sbom", str(tmp_path), "--target", t, "--format", "xml").out
        assert CANARY not in x and "${" not in x and validate(x, "xml") is None
    assert CANARY not in r.err


@given(
    user=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="@/?#\\"), min_size=1),
    password=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="@/?#\\"), min_size=8),
)
def test_public_url_never_keeps_credentials(user: str, password: str) -> None:
    from urllib.parse import quote

    url = f"https://{quote(user, safe='')}:{quote(password, safe='')}@pkgs.example.com/simple"
    assert public_url(url) == "https://pkgs.example.com/simple"
    assert public_url("https://${PYPI_USER}:${PYPI_TOKEN}@h.example.com/s") == "https://h.example.com/s"
    raw = public_url(f"https://{user}:{password}@pkgs.example.com/simple")  # unquoted: may not even parse
    assert raw is None or password not in raw.split("://", 1)[1].split("/", 1)[0]
    assert public_url("https://h.example.com/${TOKEN}/simple") is None


def test_several_targets_need_out_and_target_picks_one(every: Path) -> None:
    r = run_cli("sbom", str(every))
    assert r.code == 2 and "--target" in r.err and r.out == ""
    out = every / "boms"
    r = run_cli("sbom", str(every), "--out", str(out), "--format", "xml")
    assert r.code == 0, r.err
    # the bills, and the marker by which specc knows it may replace the folder next time
    assert sorted(p.name for p in out.iterdir()) == [
        ".specc-output",
        "databricks.cdx.xml",
        "docker.cdx.xml",
        "mlflow.cdx.xml",
    ]
    for p in out.glob("*.cdx.xml"):
        assert validate(p.read_text(encoding="utf-8"), "xml") is None
    one = every / "one.cdx.json"
    r = run_cli("sbom", str(every), "--target", "databricks", "--out", str(one))
    assert r.code == 0 and r.out == "" and validate(one.read_text(encoding="utf-8")) is None


def test_invalid_spec_gives_no_sbom(tmp_path: Path) -> None:
    (tmp_path / "model-env.toml").write_text('spec-version = 1\n[runtime]\npython = "2.7"\n', encoding="utf-8")
    r = run_cli("sbom", str(tmp_path), "--target", "mlflow", "--out", str(tmp_path / "x.json"))
    assert r.code == 1 and "error[" in r.err
    assert not (tmp_path / "x.json").exists()


def test_plan_without_a_runtime_warns(every: Path) -> None:
    p = plan(load(every / "model-env.toml"), "databricks", runtime=None)
    assert p.base is None and [d.code for d in p.diagnostics] == ["SPC751", "SPC750"]
    assert validate(render(p)) is None


def test_the_command_module_imports_no_cyclonedx() -> None:
    """`specc --help` and the parser stay light: cyclonedx is imported when a bill is rendered."""
    import subprocess
    import sys

    code = (
        "import sys, specc.commands.sbom; "
        "assert not any(m.startswith(('cyclonedx', 'packageurl')) for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_single_private_index_is_every_pip_package_s_repository(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PYPI_TOKEN", CANARY)
    (tmp_path / "model-env.toml").write_text(
        SECRET_SPEC.replace('extra-index-urls = ["https://pkgs.example.com/${PYPI_TOKEN}/simple"]\n', ""),
        encoding="utf-8",
    )
    r = run_cli("sbom", str(tmp_path), "--target", "mlflow")
    assert r.code == 0, r.err
    assert _purls(r.out) == {
        "pkg:pypi/scikit-learn@1.5.2?repository_url=https://pkgs.example.com/simple",
        # a direct reference names its own file, not an index
        "pkg:pypi/privpkg@1.0?download_url=https://pkgs.example.com/files/privpkg-1.0.tar.gz",
    }
    assert CANARY not in r.out and validate(r.out) is None
