"""specc-environment.json: round trip, published schema, reading from a model folder (both layouts)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

import specc
from specc.envartifact import (
    ARTIFACT_FILE,
    FromModelError,
    SpeccEnvironment,
    artifact_text,
    build_artifact,
    in_model_paths,
    load_from_model,
    private_packages,
    resolve_model_dir,
    spec_from_artifact,
)
from specc.resources import schemas_dir

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/model-env.toml"))


def _spec(name: str) -> specc.spec.EnvSpec:  # type: ignore[name-defined]
    return specc.load(ROOT / "examples" / name / "model-env.toml")


@pytest.mark.parametrize("layout", ["artifacts", "code"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_round_trip_is_lossless(example: str, layout: str) -> None:
    spec = _spec(example)
    text = artifact_text(build_artifact(spec, layout))  # type: ignore[arg-type]
    back = spec_from_artifact(SpeccEnvironment.model_validate_json(text))
    assert back.model_dump() == spec.model_dump()
    assert back.to_json() == spec.to_json()


@pytest.mark.parametrize("example", EXAMPLES)
def test_artifact_validates_against_published_schema(example: str) -> None:
    schema = json.loads(schemas_dir("specc-environment.schema.json").read_text(encoding="utf-8"))
    data = json.loads(artifact_text(build_artifact(_spec(example), "code")))
    jsonschema.validate(data, schema)


def test_artifact_holds_contract_fields_and_no_secret_values() -> None:
    data = json.loads(artifact_text(build_artifact(_spec("kitchen-sink"), "artifacts")))
    assert data["artifact-version"] == 1
    assert data["runtime"]["databricks"] == "15.4.x-gpu-ml-scala2.12"
    assert data["hashes"]["dependencies"].startswith("sha256:")
    assert data["secrets"]["PYPI_TOKEN"] == {
        "databricks": "ml-secrets/pypi-token",
        "description": "read token for the private index",
        "docker": "pypi_token",
    }
    debs = data["apt"]["debs"]
    assert debs[0]["in-model-path"] == "artifacts/specc-private-packages/lib/libchurn_1.0_amd64.deb"
    assert len(debs[0]["sha256"]) == 64
    assert data["python"]["wheels"][0]["in-model-path"] == "code/featurizer-0.3.0-py3-none-any.whl"


def _fake_model(spec: specc.spec.EnvSpec, layout: str, dest: Path, mlmodel: str = "flavors: {}\n") -> Path:  # type: ignore[name-defined]
    """Lay out a model folder the way MLflow does for specc's kwargs (the real thing is in test_mlflow)."""
    dest.mkdir(parents=True)
    (dest / "MLmodel").write_text(mlmodel, encoding="utf-8")
    base = Path(spec.base_dir)
    paths = in_model_paths(spec, layout)  # type: ignore[arg-type]
    for ref in (*spec.code.paths, *spec.python.wheels, *private_packages(spec)):
        src, target = base / ref.path, dest / paths[ref.path]
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, target)
    for key, ref in spec.artifacts.items():
        target = dest / paths[f"artifacts:{key}"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(base / ref.path, target)
    where = "artifacts" if layout == "artifacts" else "code/specc-environment"
    (dest / where).mkdir(parents=True, exist_ok=True)
    (dest / where / ARTIFACT_FILE).write_text(artifact_text(build_artifact(spec, layout)), encoding="utf-8")  # type: ignore[arg-type]
    return dest


@pytest.mark.parametrize("layout", ["artifacts", "code"])
def test_load_from_model_folder_resolves_every_file(tmp_path: Path, layout: str) -> None:
    spec = _spec("kitchen-sink")
    model = _fake_model(spec, layout, tmp_path / "model", "databricks_runtime: 15.4.x-cpu-ml-scala2.12\n")
    loaded = load_from_model(model)
    assert loaded.model_dir == model.resolve()
    assert loaded.databricks_runtime == "15.4.x-cpu-ml-scala2.12"
    assert loaded.spec.to_json() == spec.to_json()
    base = Path(loaded.spec.base_dir)
    for ref in (*spec.python.wheels, *private_packages(spec)):
        assert (base / ref.path).read_bytes() == (Path(spec.base_dir) / ref.path).read_bytes()
    for ref in spec.code.paths:
        assert (base / ref.path).exists()
    assert (base / "data/vocab.json").is_file()


def test_load_from_model_rejects_tampered_package(tmp_path: Path) -> None:
    spec = _spec("kitchen-sink")
    model = _fake_model(spec, "code", tmp_path / "model")
    (model / "code/specc-environment/specc-private-packages/lib/churn-udfs-1.2.0.jar").write_bytes(b"evil")
    with pytest.raises(FromModelError, match=r"churn-udfs-1\.2\.0\.jar.*sha256"):
        load_from_model(model)


def test_load_from_model_errors_are_user_facing(tmp_path: Path) -> None:
    with pytest.raises(FromModelError, match="no such model folder"):
        resolve_model_dir(tmp_path / "nope")
    (tmp_path / "plain").mkdir()
    with pytest.raises(FromModelError, match="not an MLflow model"):
        resolve_model_dir(tmp_path / "plain")
    (tmp_path / "plain" / "MLmodel").write_text("flavors: {}\n", encoding="utf-8")
    with pytest.raises(FromModelError, match=f"no {ARTIFACT_FILE}"):
        load_from_model(tmp_path / "plain")
    (tmp_path / "plain" / "artifacts").mkdir()
    (tmp_path / "plain" / "artifacts" / ARTIFACT_FILE).write_text('{"artifact-version": 2}', encoding="utf-8")
    with pytest.raises(FromModelError, match="not a valid"):
        load_from_model(tmp_path / "plain")


def test_published_schema_is_fresh() -> None:
    import specc.schema

    assert "specc-environment.schema.json" in specc.schema.names()
    assert "specc-environment.schema.json" not in specc.schema.stale()


def test_reads_an_artifact_written_by_an_earlier_specc() -> None:
    """tests/data/specc-environment-v1.json was written by specc before the artifact reused the spec's models."""
    old = (ROOT / "tests" / "data" / "specc-environment-v1.json").read_text(encoding="utf-8")
    artifact = SpeccEnvironment.model_validate_json(old)
    assert artifact.artifact_version == 1
    assert artifact_text(artifact) == old  # read and written again: the same bytes
    spec = spec_from_artifact(artifact)
    # autoscale without workers stays so (the fixed-size default of 1 must not creep in)
    assert spec.targets.databricks.cluster.autoscale is not None
    assert spec.targets.databricks.cluster.workers is None
    assert spec.python.wheels[0].project == "featurizer"
    assert artifact.python.wheels[0].in_model_path == "code/featurizer-0.3.0-py3-none-any.whl"


def test_published_schema_requires_what_is_always_written() -> None:
    schema = json.loads(schemas_dir("specc-environment.schema.json").read_text(encoding="utf-8"))
    assert set(schema["required"]) == set(schema["properties"])
    cluster = schema["$defs"]["Cluster"]
    assert "workers" not in cluster["required"] and "data-security-mode" in cluster["required"]
    old = json.loads((ROOT / "tests" / "data" / "specc-environment-v1.json").read_text(encoding="utf-8"))
    del old["apt"]["packages"]
    with pytest.raises(jsonschema.ValidationError, match="packages"):
        jsonschema.validate(old, schema)


def test_from_model_rejects_a_malformed_mlmodel(tmp_path: Path) -> None:
    model = _fake_model(_spec("kitchen-sink"), "artifacts", tmp_path / "model", "flavors: [sklearn]\n")
    with pytest.raises(FromModelError, match="flavors: expected a mapping"):
        load_from_model(model)
    (model / "MLmodel").write_text("flavors:\n  python_function: {artifacts: {x: 1}\n", encoding="utf-8")
    with pytest.raises(FromModelError, match=r"MLmodel: not valid YAML \(line 3"):
        load_from_model(model)


def test_from_model_carries_the_mlmodel(tmp_path: Path) -> None:
    model = _fake_model(
        _spec("kitchen-sink"), "code", tmp_path / "model", "mlflow_version: 2.16.2\nflavors:\n  sklearn: {}\n"
    )
    loaded = load_from_model(model)
    assert loaded.mlmodel.mlflow_version == "2.16.2"
    assert loaded.mlmodel.logged_flavor == "sklearn"


@pytest.mark.parametrize("layout", ["artifacts", "code"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_environment_text_is_the_validated_artifact_dumped(example: str, layout: str) -> None:
    """compile writes ``environment_text`` (no model round trip): byte for byte what validating
    the data into a SpeccEnvironment and dumping it gives."""
    from specc.envartifact import environment_text

    spec = _spec(example)
    assert environment_text(spec, layout) == artifact_text(build_artifact(spec, layout))  # type: ignore[arg-type]
