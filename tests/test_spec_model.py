"""The normalized model's parsed views: Maven coordinates, wheels, the Python minor, cluster defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

import specc
from specc.spec import Cluster, EnvSpec, FileRef, MavenCoordinate, MavenPkg, Python, Runtime, WheelRef

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/model-env.toml"))
SHA = "0" * 64


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("org.xerial:sqlite-jdbc:3.45.1.0", ("org.xerial", "sqlite-jdbc", None, None, "3.45.1.0")),
        ("com.example:natives:jar:1.0", ("com.example", "natives", "jar", None, "1.0")),
        ("com.example:natives:jar:linux-x86_64:1.0", ("com.example", "natives", "jar", "linux-x86_64", "1.0")),
    ],
)
def test_maven_coordinate_shapes(text: str, parts: tuple[str | None, ...]) -> None:
    c = MavenCoordinate.parse(text)
    assert (c.group, c.artifact, c.packaging, c.classifier, c.version) == parts
    assert str(c) == text
    assert c.ident == text.rsplit(":", 1)[0]


@pytest.mark.parametrize("text", ["a:b", "a:b:c:d:e:f", "a::1.0", ""])
def test_maven_coordinate_rejects_other_shapes(text: str) -> None:
    with pytest.raises(ValueError, match="not Maven coordinates"):
        MavenCoordinate.parse(text)
    with pytest.raises(ValidationError):
        MavenPkg(coordinates=text)


def test_maven_pkg_parses_once_and_keeps_its_json() -> None:
    pkg = MavenPkg(coordinates="com.example:natives:jar:linux:1.0", exclusions=("org.slf4j:slf4j-api",))
    assert pkg.coords is pkg.coords  # cached
    assert (pkg.group, pkg.artifact, pkg.version) == ("com.example", "natives", "1.0")
    assert pkg.excluded == (("org.slf4j", "slf4j-api"),)
    assert pkg.model_dump(mode="json") == {
        "coordinates": "com.example:natives:jar:linux:1.0",
        "exclusions": ["org.slf4j:slf4j-api"],
        "repository": None,
    }
    assert pkg == MavenPkg.model_validate(pkg.model_dump())


def test_wheel_ref_project_and_version_from_the_file_name() -> None:
    w = WheelRef(path="dist/Feature_Izer-0.3.0-py3-none-any.whl", sha256=SHA)
    assert (w.project, w.version, w.filename) == ("feature-izer", "0.3.0", "Feature_Izer-0.3.0-py3-none-any.whl")
    assert w.model_dump() == {"path": "dist/Feature_Izer-0.3.0-py3-none-any.whl", "sha256": SHA}
    with pytest.raises(ValidationError, match="not a wheel file name"):
        WheelRef(path="dist/featurizer.whl", sha256=SHA)


def test_python_wheels_accept_plain_file_refs() -> None:
    py = Python(wheels=(FileRef(path="dist/featurizer-0.3.0-py3-none-any.whl", sha256=SHA),))
    assert isinstance(py.wheels[0], WheelRef)
    assert py.wheels[0].project == "featurizer"


@pytest.mark.parametrize(("python", "minor"), [("3.11", "3.11"), ("3.11.9", "3.11"), ("3.10.14", "3.10")])
def test_python_minor(python: str, minor: str) -> None:
    assert Runtime(python=python).python_minor == minor


def test_cluster_workers_default_depends_on_autoscale() -> None:
    assert Cluster().workers == 1
    auto = Cluster(autoscale={"min": 1, "max": 4})  # type: ignore[arg-type]
    assert auto.workers is None
    # dumped without nulls (as every specc JSON file is), it reads back the same
    assert Cluster.model_validate(auto.model_dump(mode="json", exclude_none=True)) == auto


@pytest.mark.parametrize("example", EXAMPLES)
def test_normalized_json_reads_back_identically(example: str) -> None:
    spec = specc.load(ROOT / "examples" / example / "model-env.toml")
    again = EnvSpec.model_validate_json(spec.to_json())
    assert again.model_dump() == spec.model_dump()  # (private attrs: where it was loaded from)
    assert again.to_json() == spec.to_json()


def test_every_normalized_field_is_described() -> None:
    missing = []

    def walk(model: type) -> None:
        for name, field in model.model_fields.items():  # type: ignore[attr-defined]
            if not field.description:
                missing.append(f"{model.__name__}.{name}")
            for arg in (*getattr(field.annotation, "__args__", ()), field.annotation):
                if isinstance(arg, type) and hasattr(arg, "model_fields") and arg.__module__ == "specc.spec":
                    walk(arg)

    walk(EnvSpec)
    assert not missing, missing


@pytest.mark.parametrize(
    ("requirement", "pinned"),
    [
        ("numpy==1.26.4", "1.26.4"),
        ("six===1.16.0", "1.16.0"),  # arbitrary equality: the string as written, not "=1.16.0"
        ("torch===2.3.1+cpu", "2.3.1+cpu"),
        ("numpy==1.26.*", None),
        ("numpy>=1.26", None),
        ("numpy==1.26.4,<2", None),
        ("numpy", None),
    ],
)
def test_pinned_version_of_each_operator(tmp_path: Path, requirement: str, pinned: str | None) -> None:
    spec_file = tmp_path / "model-env.toml"
    spec_file.write_text(
        f'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.11"\n'
        f'[python]\nrequirements = ["{requirement}"]\n'
    )
    (req,) = specc.load(spec_file).python.requirements
    assert req.pinned_version == pinned
