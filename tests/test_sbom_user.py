"""``specc sbom`` and ``specc lock --format pylock`` as a demanding user meets them.

Each test started as a reproducer of a fault found by using the commands on realistic model
repositories (a churn model on a private index, a Databricks spec with Maven, CRAN, private
files and a .deb, a CUDA image); each also covers other cases of the same kind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli

pytest.importorskip("cyclonedx")


def _spec(folder: Path, body: str, name: str = "churn-model") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model-env.toml"
    path.write_text(f'spec-version = 1\n\n[model]\nname = "{name}"\n\n{body}', encoding="utf-8")
    return path


PLAIN = """\
[runtime]
python = "3.11"

[python]
requirements = ["xgboost==2.1.1", "pandas==2.2.3"]
"""


def _bom(*argv: str) -> dict:
    r = run_cli("sbom", *argv)
    assert r.code == 0, r.err
    return json.loads(r.out)


# --- serial numbers name one bill -----------------------------------------------------------------


def test_two_models_with_the_same_requirements_get_different_serials(tmp_path: Path) -> None:
    a = _spec(tmp_path / "a", PLAIN, name="alpha")
    b = _spec(tmp_path / "b", PLAIN, name="beta")
    sa = _bom(str(a), "--target", "mlflow")["serialNumber"]
    sb = _bom(str(b), "--target", "mlflow")["serialNumber"]
    assert sa != sb
    # the same bill twice, and in XML: the same serial
    assert _bom(str(a), "--target", "mlflow")["serialNumber"] == sa
    x = run_cli("sbom", str(a), "--target", "mlflow", "--format", "xml")
    assert f'serialNumber="{sa}"' in x.out


def test_another_specc_version_or_docker_setting_gives_another_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import specc

    spec = _spec(tmp_path / "m", PLAIN + '\n[targets.docker]\nbase-image = "python:3.11-slim-bookworm"\n')
    first = _bom(str(spec), "--target", "docker")["serialNumber"]
    monkeypatch.setattr(specc, "__version__", "99.0.0")
    assert _bom(str(spec), "--target", "docker")["serialNumber"] != first
    monkeypatch.undo()
    # the platform (the apt arch qualifier) is not in the dependency hash either
    body = PLAIN + '\n[apt]\npackages = ["libgomp1"]\n\n[targets.docker]\nbase-image = "python:3.11-slim-bookworm"\n'
    one = _bom(str(_spec(tmp_path / "p1", body)), "--target", "docker")["serialNumber"]
    two = _bom(str(_spec(tmp_path / "p2", body + 'platform = "linux/arm64"\n')), "--target", "docker")
    assert two["serialNumber"] != one


def test_timestamp_keeps_the_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec(tmp_path / "m", PLAIN)
    plain = _bom(str(spec), "--target", "mlflow")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    stamped = _bom(str(spec), "--target", "mlflow", "--timestamp")
    assert stamped["metadata"]["timestamp"].startswith("2023-11-14")
    assert stamped["serialNumber"] == plain["serialNumber"]


# --- markers: what the target does not install is not in its bill ---------------------------------

MARKED = """\
[runtime]
python = "3.11"

[python]
requirements = [
  "pywin32==306; sys_platform == 'win32'",
  "numpy==1.26.4; python_version < '3.12'",
  "numpy==2.1.0; python_version >= '3.12'",
  "tomli==2.0.1; python_version < '3.11'",
  "uvloop==0.20.0; platform_machine == 'x86_64'",
  "exceptiongroup==1.2.2; python_full_version < '3.11.4'",
  "pyobjc-core==10.3.1; sys_platform == 'darwin'",
  "scikit-learn==1.5.2",
]
"""


def _pypi(doc: dict) -> set[str]:
    return {c["purl"] for c in doc["components"] if c.get("purl", "").startswith("pkg:pypi/")}


@pytest.mark.parametrize(
    ("docker", "target", "expected"),
    [
        # an arm64 image: no Windows, macOS, x86_64-only or other-Python package
        (
            'platform = "linux/arm64"',
            "docker",
            {"numpy@1.26.4", "exceptiongroup@1.2.2", "scikit-learn@1.5.2"},
        ),
        # no platform: the image is built for the builder's machine, either Linux machine
        ("", "docker", {"numpy@1.26.4", "exceptiongroup@1.2.2", "scikit-learn@1.5.2", "uvloop@0.20.0"}),
        # MLflow: served anywhere, but always on the spec's Python
        (
            "",
            "mlflow",
            {
                "numpy@1.26.4",
                "exceptiongroup@1.2.2",
                "scikit-learn@1.5.2",
                "uvloop@0.20.0",
                "pywin32@306",
                "pyobjc-core@10.3.1",
            },
        ),
    ],
)
def test_requirements_whose_markers_exclude_the_target_are_not_listed(
    tmp_path: Path, docker: str, target: str, expected: set[str]
) -> None:
    spec = _spec(tmp_path / "m", MARKED + f"\n[targets.docker]\n{docker}\n")
    got = _pypi(_bom(str(spec), "--target", target))
    assert got == {f"pkg:pypi/{e}" for e in expected}


def test_markers_on_databricks_follow_the_node_type_and_a_full_python_version(tmp_path: Path) -> None:
    body = MARKED.replace('python = "3.11"', 'python = "3.11.11"\ndatabricks = "15.4.x-cpu-ml-scala2.12"')
    cluster = '\n[targets.databricks]\nlibraries-dir = "/Volumes/ml/default/libs"\n\n[targets.databricks.cluster]\n'
    graviton = _spec(tmp_path / "g", body + cluster + 'node-type = "m6gd.xlarge"\n')
    intel = _spec(tmp_path / "i", body + cluster + 'node-type = "i3.xlarge"\n')
    g = _pypi(_bom(str(graviton), "--target", "databricks"))
    i = _pypi(_bom(str(intel), "--target", "databricks"))
    # 3.11.11 is not < 3.11.4: exceptiongroup is not installed
    assert "pkg:pypi/exceptiongroup@1.2.2" not in g | i
    assert "pkg:pypi/uvloop@0.20.0" in i and "pkg:pypi/uvloop@0.20.0" not in g
    assert "pkg:pypi/pywin32@306" not in g | i


# --- one image, one package URL -------------------------------------------------------------------


@pytest.mark.parametrize(
    "image",
    [
        "python:3.11-slim-bookworm",
        "library/python:3.11-slim-bookworm",
        "docker.io/python:3.11-slim-bookworm",
        "docker.io/library/python:3.11-slim-bookworm",
        "index.docker.io/library/python:3.11-slim-bookworm",
        "registry-1.docker.io/library/python:3.11-slim-bookworm",
    ],
)
def test_docker_hub_spellings_of_one_image_give_one_purl(image: str) -> None:
    from specc.sbom import _container, distro_of_image

    e = _container(image, distro_of_image(image))
    assert e.purl == "pkg:docker/python@3.11-slim-bookworm"
    assert e.name == "python"
    assert ("specc:image", image) in e.properties  # as written in the spec


@pytest.mark.parametrize(
    ("image", "purl"),
    [
        ("nvidia/cuda:12.4.1-runtime-ubuntu22.04", "pkg:docker/nvidia/cuda@12.4.1-runtime-ubuntu22.04"),
        ("docker.io/nvidia/cuda:12.4.1-runtime-ubuntu22.04", "pkg:docker/nvidia/cuda@12.4.1-runtime-ubuntu22.04"),
        (
            "nvcr.io/nvidia/cuda:12.4.1-runtime-ubuntu22.04",
            "pkg:docker/nvidia/cuda@12.4.1-runtime-ubuntu22.04?repository_url=nvcr.io",
        ),
        # another registry's own "library" namespace is its own business
        (
            "public.ecr.aws/docker/library/python:3.11",
            "pkg:docker/docker/library/python@3.11?repository_url=public.ecr.aws",
        ),
        ("localhost:5000/library/img:3", "pkg:docker/library/img@3?repository_url=localhost:5000"),
    ],
)
def test_other_registries_keep_their_namespace(image: str, purl: str) -> None:
    from specc.sbom import _container

    assert _container(image, None).purl == purl


# --- the Docker bill lists every apt package the Dockerfile installs ------------------------------

GPU = """\
[runtime]
python = "3.11"
cuda = "12.4"

[python]
requirements = ["torch==2.4.1", "Pillow==10.4.0"]

[apt]
packages = ["libgl1=1.7.0-1build1", "ffmpeg"]

[maven]
packages = ["org.xerial:sqlite-jdbc:3.45.1.0"]

[r]
packages = ["forecast"]

[targets.docker]
platform = "linux/amd64"
serve = true
"""


def _dockerfile_apt(dockerfile: str) -> set[str]:
    """Package names of every ``apt-get install`` of the image's final stage (build stages ship nothing)."""
    import re
    import shlex

    final = re.split(r"^FROM .*$", dockerfile, flags=re.M)[-1].replace("\\\n", " ")
    names: set[str] = set()
    for m in re.finditer(r"apt-get install ([^&\n]*)", final):
        for word in shlex.split(m.group(1)):
            if word.startswith("-") or "/" in word:  # flags, private .deb files (file components)
                continue
            names.add(word.split("=", 1)[0])
    return names


def _cases() -> list[tuple[str, Path | str]]:
    from tests.helpers import EXAMPLES, example_names

    out: list[tuple[str, Path | str]] = [("gpu-r-java", GPU)]
    for name in example_names():
        text = (EXAMPLES / name / "model-env.toml").read_text(encoding="utf-8")
        if "[targets.docker]" in text:
            out.append((name, EXAMPLES / name / "model-env.toml"))
    return out


@pytest.mark.parametrize(("name", "source"), _cases(), ids=[c[0] for c in _cases()])
def test_the_docker_bill_lists_every_apt_package_the_dockerfile_installs(
    tmp_path: Path, name: str, source: Path | str
) -> None:
    spec = _spec(tmp_path / "m", source) if isinstance(source, str) else source
    out = tmp_path / "rendered"
    r = run_cli("render", str(spec), "--target", "docker", "--out", str(out))
    assert r.code == 0, r.err
    installed = _dockerfile_apt((out / "Dockerfile").read_text(encoding="utf-8"))
    if name == "gpu-r-java":  # the parse finds what the template installs (a broken parse finds nothing)
        assert {"software-properties-common", "r-base-core", "default-jre-headless", "ffmpeg"} <= installed
    bom = _bom(str(spec), "--target", "docker")
    debs = {c["name"] for c in bom["components"] if c.get("purl", "").startswith("pkg:deb/") or _is_deb(c)}
    assert installed <= debs, f"installed by the Dockerfile, missing from the bill: {sorted(installed - debs)}"


def _is_deb(c: dict) -> bool:
    return any(p["name"] == "specc:distro" for p in c.get("properties", [])) and c["type"] == "library"


def test_the_ppa_tools_come_from_the_archive_and_python_from_the_ppa(tmp_path: Path) -> None:
    bom = _bom(str(_spec(tmp_path / "m", GPU)), "--target", "docker")
    purls = {c["name"]: c["purl"] for c in bom["components"] if "purl" in c}
    assert purls["software-properties-common"] == ("pkg:deb/ubuntu/software-properties-common?arch=amd64&distro=jammy")
    assert purls["python3.11"] == (
        "pkg:deb/ubuntu/python3.11?arch=amd64&distro=jammy"
        "&repository_url=https://ppa.launchpadcontent.net/deadsnakes/ppa/ubuntu"
    )


# --- output locations: a code, a hint, exit 1, nothing written ------------------------------------


def _nothing_written(r, *paths: Path) -> None:  # type: ignore[no-untyped-def]
    assert r.code == 1, r.err
    assert "error[SPC764]" in r.err and "= hint:" in r.err and "Traceback" not in r.err
    for p in paths:
        assert not p.exists()


def test_out_onto_a_folder_a_file_or_a_foreign_folder_is_spc764(tmp_path: Path) -> None:
    spec = _spec(tmp_path / "m", PLAIN + '\n[targets.docker]\nbase-image = "python:3.11-slim-bookworm"\n')
    folder = tmp_path / "boms"
    folder.mkdir()
    # one bill onto a folder: the hint names a file in it
    r = run_cli("sbom", str(spec), "--target", "docker", "--out", str(folder))
    _nothing_written(r, folder / "docker.cdx.json")
    assert f"--out {folder / 'docker.cdx.json'}" in r.err
    # a file where a parent folder must be
    a_file = tmp_path / "m" / "model-env.toml"
    r = run_cli("sbom", str(spec), "--target", "docker", "--out", str(a_file / "x.cdx.json"))
    _nothing_written(r)
    assert "is a file, not a folder" in r.err
    # several bills into an existing file, or a folder holding the user's own files
    r = run_cli("sbom", str(spec), "--out", str(a_file))
    _nothing_written(r)
    (folder / "README.md").write_text("ours\n", encoding="utf-8")
    r = run_cli("sbom", str(spec), "--out", str(folder))
    _nothing_written(r, folder / "docker.cdx.json", folder / "mlflow.cdx.json")
    assert (folder / "README.md").read_text(encoding="utf-8") == "ours\n"


def test_a_bill_folder_is_replaced_whole(tmp_path: Path) -> None:
    dbx = PLAIN.replace('python = "3.11"', 'python = "3.11"\ndatabricks = "15.4.x-cpu-ml-scala2.12"')
    dbx += '\n[targets.databricks]\nlibraries-dir = "/Volumes/ml/default/libs"\n'
    dbx += '\n[targets.databricks.cluster]\nnode-type = "i3.xlarge"\n'
    docker = '\n[targets.docker]\nbase-image = "python:3.11-slim-bookworm"\n'
    spec = _spec(tmp_path / "m", dbx + docker)
    out = tmp_path / "boms"
    assert run_cli("sbom", str(spec), "--out", str(out), "--format", "xml").code == 0
    assert {p.name for p in out.glob("*.cdx.*")} == {"databricks.cdx.xml", "docker.cdx.xml", "mlflow.cdx.xml"}
    # the spec drops its Docker target, and the team moves to JSON: no old bill stays behind
    spec.write_text(spec.read_text(encoding="utf-8").replace(docker, ""), encoding="utf-8")
    r = run_cli("sbom", str(spec), "--out", str(out))
    assert r.code == 0, r.err
    assert {p.name for p in out.glob("*.cdx.*")} == {"databricks.cdx.json", "mlflow.cdx.json"}


def test_pylock_file_onto_a_folder_or_under_a_file_is_spc764(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from tests.helpers import EXAMPLES

    monkeypatch.setenv("UV_OFFLINE", "1")
    ex = tmp_path / "ex"
    shutil.copytree(EXAMPLES / "sklearn-basic", ex)
    (ex / "out").mkdir()
    r = run_cli("lock", str(ex), "--format", "pylock", "--pylock-file", str(ex / "out"))
    _nothing_written(r, ex / "out" / "pylock.toml")
    assert f"--pylock-file {ex / 'out' / 'pylock.toml'}" in r.err
    r = run_cli("lock", str(ex), "--format", "pylock", "--pylock-file", str(ex / "model-env.toml" / "pylock.toml"))
    _nothing_written(r)


# --- versions a private file's name gives ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ecosystem", "version"),
    [
        ("acme-geo_2.0.1-1_amd64.deb", "deb", "2.0.1-1"),
        ("libchurn_1.0_amd64.deb", "deb", "1.0"),
        ("libfoo1_1.2.3+dfsg-4ubuntu1_arm64.deb", "deb", "1.2.3+dfsg-4ubuntu1"),
        ("libfoo_1.0_all.deb", "deb", "1.0"),
        ("custom.deb", "deb", None),
        ("acmer_0.2.0.tar.gz", "cran", "0.2.0"),
        ("data.table_1.15.4.tar.gz", "cran", "1.15.4"),
        ("churnr-0.3.0.tar.gz", "cran", None),
        ("acme-udfs-0.9.0.jar", "maven", "0.9.0"),
        ("spark-nlp_2.12-5.3.3.jar", "maven", "5.3.3"),
        ("guava-33.0.0-jre.jar", "maven", "33.0.0-jre"),
        ("udfs.jar", "maven", None),
    ],
)
def test_file_version_by_naming_convention(name: str, ecosystem: str, version: str | None) -> None:
    from specc.sbom import file_version

    assert file_version(name, ecosystem) == version


def test_private_files_and_direct_references_carry_their_version(tmp_path: Path) -> None:
    import shutil

    from tests.helpers import EXAMPLES

    m = tmp_path / "m"
    for rel in ("lib/libchurn_1.0_amd64.deb", "lib/churn-udfs-1.2.0.jar", "lib/churnr_0.3.0.tar.gz"):
        (m / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(EXAMPLES / "kitchen-sink" / rel, m / rel)
    body = """\
[runtime]
python = "3.11"

[python]
requirements = [
  "acme-core @ https://${TOKEN}@files.acme.io/acme_core-1.4.2-py3-none-any.whl",
  "acme-src @ https://files.acme.io/acme-src-0.7.tar.gz",
]

[apt]
debs = ["lib/libchurn_1.0_amd64.deb"]

[maven]
jars = ["lib/churn-udfs-1.2.0.jar"]

[r]
sources = ["lib/churnr_0.3.0.tar.gz"]

[secrets.TOKEN]
docker = "token"

[targets.docker]
base-image = "python:3.11-slim-bookworm"
"""
    spec = _spec(m, body)
    comps = {c["name"]: c for c in _bom(str(spec), "--target", "docker")["components"]}
    assert comps["libchurn_1.0_amd64.deb"]["version"] == "1.0"
    assert comps["churn-udfs-1.2.0.jar"]["version"] == "1.2.0"
    assert comps["churnr_0.3.0.tar.gz"]["version"] == "0.3.0"
    assert comps["acme-core"]["purl"] == (
        "pkg:pypi/acme-core@1.4.2?download_url=https://files.acme.io/acme_core-1.4.2-py3-none-any.whl"
    )
    assert comps["acme-src"]["version"] == "0.7"


# --- an independent check of every bill: the 1.6 schemas by jsonschema and lxml, purls by the spec --


def _example_cases() -> list[tuple[str, str]]:
    from specc.api import load
    from specc.backends import implied_targets
    from tests.helpers import EXAMPLES, example_names

    return [(n, t) for n in example_names() for t in implied_targets(load(EXAMPLES / n / "model-env.toml"))]


def _schema_dir() -> Path:
    import cyclonedx.schema

    return Path(cyclonedx.schema.__file__).parent / "_res"


def _json_errors(doc: dict) -> list[str]:
    """Validation by jsonschema itself (with format checks) against the 1.6 schema file, not the library's validator."""
    import jsonschema
    import referencing

    res = _schema_dir()

    def load(name: str) -> dict:
        return json.loads((res / name).read_text(encoding="utf-8"))

    registry = referencing.Registry().with_resources(
        [
            ("spdx.schema.json", referencing.Resource.from_contents(load("spdx.SNAPSHOT.schema.json"))),
            ("jsf-0.82.schema.json", referencing.Resource.from_contents(load("jsf-0.82.SNAPSHOT.schema.json"))),
        ]
    )
    v = jsonschema.Draft7Validator(
        load("bom-1.6.SNAPSHOT.schema.json"),
        registry=registry,
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )
    return [f"{e.json_path}: {e.message}" for e in v.iter_errors(doc)]


def _purl_errors(doc: dict) -> list[str]:
    """What an SBOM consumer checks of each component (purl spec, PEP 503, the bill's own consistency)."""
    import re

    from packageurl import PackageURL

    errors = []
    refs = [c["bom-ref"] for c in doc.get("components", [])]
    if len(refs) != len(set(refs)):
        errors.append("duplicate bom-refs")
    for c in doc.get("components", []):
        for h in c.get("hashes", []):
            if h["alg"] != "SHA-256" or not re.fullmatch(r"[0-9a-f]{64}", h["content"]):
                errors.append(f"{c['name']}: hash {h}")
        if "purl" not in c:
            continue
        p = PackageURL.from_string(c["purl"])
        if p.to_string() != c["purl"]:
            errors.append(f"not canonical: {c['purl']} (canonical {p.to_string()})")
        if p.version != c.get("version"):
            errors.append(f"{c['purl']}: purl version {p.version} but component version {c.get('version')}")
        if p.type == "pypi" and p.name != re.sub(r"[-_.]+", "-", p.name).lower():
            errors.append(f"{c['purl']}: not a PEP 503 name")
        if p.type == "deb" and (p.namespace not in ("debian", "ubuntu") or "distro" not in (p.qualifiers or {})):
            errors.append(f"{c['purl']}: a deb purl names its vendor and distro")
        if p.type == "maven" and (not p.namespace or p.namespace != c.get("group")):
            errors.append(f"{c['purl']}: maven group")
        if p.type == "cran" and p.namespace:
            errors.append(f"{c['purl']}: cran has no namespace")
    return errors


@pytest.mark.parametrize(("example", "target"), _example_cases())
def test_every_bill_passes_an_independent_validator_and_purl_checks(example: str, target: str) -> None:
    from lxml import etree

    from tests.helpers import EXAMPLES

    spec = str(EXAMPLES / example / "model-env.toml")
    doc = _bom(spec, "--target", target)
    assert _json_errors(doc) == []
    assert _purl_errors(doc) == []
    x = run_cli("sbom", spec, "--target", target, "--format", "xml")
    assert x.code == 0, x.err
    schema = etree.XMLSchema(etree.parse(str(_schema_dir() / "bom-1.6.SNAPSHOT.xsd")))
    root = etree.fromstring(x.out.encode("utf-8"))
    assert schema.validate(root), schema.error_log
    if (EXAMPLES / example / "model-env.lock").is_file():  # the lock's pins and hashes too
        locked = run_cli("sbom", spec, "--target", target, "--locked")
        if locked.code == 0:  # (a target whose platform the lock lacks is SPC620, tested elsewhere)
            assert _json_errors(json.loads(locked.out)) == [] and _purl_errors(json.loads(locked.out)) == []
        else:
            assert "SPC620" in locked.err, locked.err
    # the XML lists the same components as the JSON
    ns = {"c": "http://cyclonedx.org/schema/bom/1.6"}
    assert sorted(root.xpath("/c:bom/c:components/c:component/@bom-ref", namespaces=ns)) == sorted(
        c["bom-ref"] for c in doc["components"]
    )


def test_the_checks_catch_a_broken_bill() -> None:
    """The checks above can fail: a bill with the faults they look for is refused."""
    bad = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "not-a-urn",
        "version": 1,
        "components": [
            {
                "type": "library",
                "name": "Zope.Interface",
                "version": "7.0",
                "purl": "pkg:pypi/Zope.Interface@7.0",
                "bom-ref": "a",
            },
            {"type": "library", "name": "gdal-bin", "purl": "pkg:deb/gdal-bin@1", "bom-ref": "a"},
        ],
    }
    assert _json_errors(bad)  # serialNumber pattern
    errors = _purl_errors(bad)
    assert any("PEP 503" in e for e in errors) and any("deb purl" in e for e in errors)
    assert "duplicate bom-refs" in errors


# --- versions as PyPI names them ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("specifier", "version"),
    [
        ("==2.2.3", "2.2.3"),
        ("==2.2.03", "2.2.3"),
        ("==1.0.0-RC1", "1.0.0rc1"),
        ("==2.4.1+cpu", "2.4.1+cpu"),
        ("===1.16.0", "1.16.0"),
        ("==23.2.0,<24", "23.2.0"),
        ("==3.7,==3.7.0", "3.7"),
        ("==1.26.*", None),
        ("~=3.0.3", None),
        (">=1", None),
        ("", None),
        ("==1.0,==2.0", None),
        ("==2.0,<2", None),
    ],
)
def test_exact_version_is_the_one_version_a_specifier_admits(specifier: str, version: str | None) -> None:
    from specc.sbom import exact_version

    assert exact_version(specifier) == version


def test_pins_are_listed_under_their_normalized_version(tmp_path: Path) -> None:
    body = """\
[runtime]
python = "3.11"

[python]
requirements = ["pandas==2.2.03", "six===1.16.0", "attrs==23.2.0,<24", "numpy==1.26.*"]
"""
    comps = {c["name"]: c for c in _bom(str(_spec(tmp_path / "m", body)), "--target", "mlflow")["components"]}
    assert comps["pandas"]["purl"] == "pkg:pypi/pandas@2.2.3"
    assert comps["six"]["purl"] == "pkg:pypi/six@1.16.0"
    assert comps["attrs"]["purl"] == "pkg:pypi/attrs@23.2.0"
    assert "version" not in comps["numpy"]


def test_exact_version_agrees_with_packaging_on_any_release() -> None:
    from hypothesis import given
    from hypothesis import strategies as st
    from packaging.version import Version

    from specc.sbom import exact_version

    parts = st.lists(st.integers(0, 999), min_size=1, max_size=4)
    pre = st.sampled_from(["", "a1", "b2", "rc3", ".post1", ".dev4", "-RC1", "+local.7"])

    @given(parts, pre, st.booleans())
    def check(release: list[int], suffix: str, padded: bool) -> None:
        text = ".".join(f"0{n}" if padded else str(n) for n in release) + suffix
        assert exact_version(f"=={text}") == str(Version(text))
        assert exact_version(f"=={text},!=99999") == str(Version(text))  # a clause the pin satisfies
        assert exact_version(f"=={text},>{text}") is None  # ... and one it does not

    check()


# --- what --out names does not depend on how many targets the spec implies -------------------------


def test_out_without_target_is_a_folder_even_for_one_implied_target(tmp_path: Path) -> None:
    spec = _spec(tmp_path / "m", PLAIN)  # only mlflow is implied
    for given in ("sbom/", "sbom"):
        out = tmp_path / given
        r = run_cli("sbom", str(spec), "--out", str(out) + ("/" if given.endswith("/") else ""))
        assert r.code == 0, r.err
        assert (tmp_path / "sbom").is_dir() and (tmp_path / "sbom" / "mlflow.cdx.json").is_file()
    # stdout still takes a single implied target
    assert json.loads(run_cli("sbom", str(spec)).out)["metadata"]["properties"]


def test_a_trailing_slash_with_target_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    spec = _spec(tmp_path / "m", PLAIN)
    r = run_cli("sbom", str(spec), "--target", "mlflow", "--format", "xml", "--out", str(tmp_path / "boms") + "/")
    _nothing_written(r, tmp_path / "boms")
    assert f"--out {tmp_path / 'boms' / 'mlflow.cdx.xml'}" in r.err


@pytest.mark.parametrize(
    ("image", "codename"),
    [
        ("ubuntu:24.10", "oracular"),
        ("ubuntu:plucky-20250415", "plucky"),
        ("ubuntu:25.10", "questing"),
        ("nvidia/cuda:12.8.0-runtime-ubuntu24.04", "noble"),
        ("ubuntu:23.10", "mantic"),
    ],
)
def test_interim_ubuntu_releases_are_known(image: str, codename: str) -> None:
    from specc.sbom import distro_of_image

    d = distro_of_image(image)
    assert d is not None and (d.vendor, d.codename) == ("ubuntu", codename)


def test_a_repository_spelled_with_or_without_a_final_slash_gives_one_purl(tmp_path: Path) -> None:
    def purls(slash: str) -> set[str]:
        body = f"""\
[runtime]
python = "3.11"

[python]
requirements = ["acme-tok==2.1.0"]
index-url = "https://pkgs.acme.io/simple{slash}"

[maven]
packages = [{{ coordinates = "com.acme:udfs:1.0.0", repository = "https://maven.acme.io/releases{slash}" }}]

[r]
repository = "https://packagemanager.posit.co/cran/2024-06-03{slash}"
packages = ["forecast"]

[targets.docker]
base-image = "python:3.11-slim-bookworm"
"""
        doc = _bom(str(_spec(tmp_path / f"m{len(slash)}", body)), "--target", "docker")
        return {c["purl"] for c in doc["components"] if "purl" in c}

    plain = purls("")
    assert purls("/") == plain
    assert "pkg:maven/com.acme/udfs@1.0.0?repository_url=https://maven.acme.io/releases" in plain
    assert "pkg:pypi/acme-tok@2.1.0?repository_url=https://pkgs.acme.io/simple" in plain


@pytest.mark.parametrize(("name", "fmt"), [("bom.cdx.json", "xml"), ("bom.xml", "json"), ("BOM.JSON", "xml")])
def test_an_out_extension_that_contradicts_the_format_is_a_usage_error(tmp_path: Path, name: str, fmt: str) -> None:
    spec = _spec(tmp_path / "m", PLAIN)
    r = run_cli("sbom", str(spec), "--target", "mlflow", "--format", fmt, "--out", str(tmp_path / name))
    assert r.code == 2 and f"--format is {fmt}" in r.err and "or pass --format" in r.err
    assert not (tmp_path / name).exists()
    ok = run_cli("sbom", str(spec), "--target", "mlflow", "--format", fmt, "--out", str(tmp_path / f"bom.{fmt}"))
    assert ok.code == 0, ok.err
