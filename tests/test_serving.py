"""Databricks Model Serving: ``[targets.databricks.serving]`` → serving-endpoint.json and bundle.yml.

The outputs are checked with their consumers' own definitions: the create body's ``config``
round-trips through ``databricks-sdk``'s ``serving.EndpointCoreConfigInput`` and its top-level
keys are parameters of ``ServingEndpointsAPI.create`` (the SDK has no type for the whole body);
the bundle resource goes through ``databricks-bundles``' ``ModelServingEndpoint``.  Renders run
through the real ``specc`` command line.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from specc.api import check
from specc.backends import BACKENDS
from specc.backends import databricks_serving as serving
from specc.backends.base import Ignored, Supported, Unsupported
from specc.backends.features import unanswered, unknown
from specc.spec import ENDPOINT_NAME, ENDPOINT_NAME_MAX, endpoint_name
from tests.helpers import REPO, run_cli
from tests.test_databricks import validate_bundle, validate_def

HEAD = 'spec-version = 1\n[model]\nname = "churn"\n[runtime]\npython = "3.11"\n'
NODE = (
    '[targets.databricks]\nlibraries-dir = "/Volumes/main/ml/libs"\nnotebook-dir = "/Workspace/Users/me/specc"\n'
    + '[targets.databricks.cluster]\nnode-type = "i3.xlarge"\n'
)
SERVING = "[targets.databricks.serving]\n"
# a serving section alone: the Databricks target then needs its libraries-dir (SPC359)
LIBDIR = '[targets.databricks]\nlibraries-dir = "/Volumes/main/ml/libs"\nnotebook-dir = "/Workspace/Users/me/specc"\n'
WHEEL = REPO / "examples" / "private-index" / "dist" / "featurizer-0.3.0-py3-none-any.whl"


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "model-env.toml").write_text(text, encoding="utf-8")
    return tmp_path / "model-env.toml"


def _render(tmp_path: Path, text: str, *flags: str) -> tuple[int, Path, list[dict[str, Any]]]:
    """Render ``text`` for Databricks; (exit code, output folder, located diagnostics)."""
    spec = _write(tmp_path, text)
    out = tmp_path / "out"
    r = run_cli("render", "--target", "databricks", str(spec), "--out", str(out), "--format", "json", *flags)
    return r.code, out, json.loads(r.out)["diagnostics"] if r.out.strip() else []


def _body(out: Path) -> dict[str, Any]:
    return json.loads((out / serving.ENDPOINT_FILE).read_text(encoding="utf-8"))


def _bundle(out: Path) -> dict[str, Any]:
    data = yaml.safe_load((out / "bundle.yml").read_text(encoding="utf-8"))
    validate_bundle(data)
    return data


def check_consumers(body: dict[str, Any]) -> None:
    """The create body against the SDK and the bundle type (see the module docstring)."""
    from databricks.bundles.model_serving_endpoints import ModelServingEndpoint
    from databricks.sdk.service import serving as sdk

    params = set(inspect.signature(sdk.ServingEndpointsAPI.create).parameters) - {"self"}
    assert set(body) <= params, set(body) - params
    assert sdk.EndpointCoreConfigInput.from_dict(body["config"]).as_dict() == body["config"]
    for entity in body["config"]["served_entities"]:
        assert sdk.ServedEntityInput.from_dict(entity).as_dict() == entity
        assert ENDPOINT_NAME.matches(entity["name"])
    # the update call takes the config as its body, the endpoint name from the path
    update = set(inspect.signature(sdk.ServingEndpointsAPI.update_config).parameters) - {"self", "name"}
    assert set(body["config"]) <= update
    validate_def(body, ModelServingEndpoint)
    assert ENDPOINT_NAME.matches(body["name"]) and not body["name"].startswith("databricks-")


# --- the outputs ------------------------------------------------------------------------------------


def test_endpoint_for_a_unity_catalog_model(tmp_path: Path) -> None:
    text = (
        HEAD
        + 'databricks = "15.4-ml"\n[env]\nOMP_NUM_THREADS = "4"\n'
        + '[secrets.API_KEY]\ndatabricks = "ml-secrets/api-key"\n[secrets.UNMAPPED]\ndescription = "x"\n'
        + NODE
        + SERVING
    )
    code, out, _ = _render(tmp_path, text, "--model-name", "main.ml.churn", "--model-version", "3")
    assert code == 0
    body = _body(out)
    check_consumers(body)
    assert body["name"] == "main-ml-churn"  # a UC name's dots cannot be in an endpoint name
    (entity,) = body["config"]["served_entities"]
    assert entity == {
        "name": "main-ml-churn-3",
        "entity_name": "main.ml.churn",
        "entity_version": "3",
        "workload_size": "Small",
        "workload_type": "CPU",
        "scale_to_zero_enabled": True,
        "environment_vars": {"API_KEY": "{{secrets/ml-secrets/api-key}}", "OMP_NUM_THREADS": "4"},
    }
    assert "route_optimized" not in body and "traffic_config" not in body["config"]
    bundle = _bundle(out)
    assert bundle["resources"]["model_serving_endpoints"] == {"churn_serving": body}
    assert set(bundle["resources"]["jobs"]) == {"churn_batch_score"}  # the job is still there


def test_every_field_of_the_section(tmp_path: Path) -> None:
    text = (
        HEAD
        + 'databricks = "15.4-ml"\n'
        + NODE
        + SERVING
        + 'endpoint-name = "churn_prod"\nworkload-size = "Medium"\nworkload-type = "CPU_LARGE"\n'
        + "scale-to-zero = false\nroute-optimized = true\n"
    )
    code, out, _ = _render(tmp_path, text)
    assert code == 0
    body = _body(out)
    check_consumers(body)
    assert body["name"] == "churn_prod" and body["route_optimized"] is True
    (entity,) = body["config"]["served_entities"]
    assert (entity["entity_name"], entity["entity_version"]) == ("churn", "1")  # model.name, version 1
    assert (entity["workload_size"], entity["workload_type"], entity["scale_to_zero_enabled"]) == (
        "Medium",
        "CPU_LARGE",
        False,
    )
    assert "environment_vars" not in entity  # nothing to set


def test_no_section_no_serving_output(tmp_path: Path) -> None:
    code, out, _ = _render(tmp_path, HEAD + 'databricks = "15.4-ml"\n' + NODE)
    assert code == 0
    assert not (out / serving.ENDPOINT_FILE).exists()
    assert set(_bundle(out)["resources"]) == {"jobs"}


@pytest.mark.parametrize(
    ("runtime", "written", "want"),
    [
        ('databricks = "15.4-ml"\n', None, "CPU"),
        ('databricks = "15.4-ml"\ncuda = "12.4"\n', None, "GPU_SMALL"),
        ('databricks = "15.4.x-gpu-ml-scala2.12"\n', None, "GPU_SMALL"),  # a GPU runtime without cuda
        ('databricks = "15.4-ml"\ncuda = "12.4"\n', "GPU_LARGE", "GPU_LARGE"),
        ("", None, "CPU"),  # no runtime named (SPC320 picks one): a CPU model
    ],
)
def test_workload_type_follows_the_runtime(tmp_path: Path, runtime: str, written: str | None, want: str) -> None:
    text = HEAD + runtime + NODE + SERVING + (f'workload-type = "{written}"\n' if written else "")
    spec = check(_write(tmp_path, text)).spec
    assert spec is not None and spec.targets.databricks.serving is not None
    assert spec.targets.databricks.serving.workload_type == want  # the normalized spec records it
    code, out, _ = _render(tmp_path, text)
    assert code == 0
    assert _body(out)["config"]["served_entities"][0]["workload_type"] == want


def test_cpu_workload_for_a_cuda_model_warns(tmp_path: Path) -> None:
    text = HEAD + 'databricks = "15.4-ml"\ncuda = "12.4"\n' + NODE + SERVING + 'workload-type = "CPU"\n'
    code, out, diags = _render(tmp_path, text)
    assert code == 0 and out.exists()
    (d,) = [d for d in diags if d["code"] == "SPC343"]
    assert d["severity"] == "warning" and d["line"] is not None


def test_bad_model_version_flag(tmp_path: Path) -> None:
    code, out, diags = _render(tmp_path, HEAD + 'databricks = "15.4-ml"\n' + NODE + SERVING, "--model-version", "prod")
    assert code == 1 and not out.exists()
    assert [d["code"] for d in diags] == ["SPC342"]
    # without a serving section the batch job still scores models:/<name>/<version>: checked too
    code, out, diags = _render(tmp_path, HEAD + 'databricks = "15.4-ml"\n' + NODE, "--model-version", "prod")
    assert code == 1 and not out.exists()
    assert [d["code"] for d in diags] == ["SPC342"]


@pytest.mark.parametrize(
    ("uri", "flags", "want"),
    [
        ("models:/main.ml.churn/7", (), ("main.ml.churn", "7")),
        ("models:/churn@champion", (), ("churn", "1")),  # an alias names no version
        ("models:/churn/7", ("main.ml.other", None), ("main.ml.other", "1")),  # another model: not its version
        ("models:/churn/7", (None, "9"), ("churn", "9")),
        ("/some/folder", (), ("churn", "1")),
        (None, (), ("churn", "1")),
    ],
)
def test_registered_model(uri: str | None, flags: tuple[str | None, ...], want: tuple[str, str]) -> None:
    from specc.api import check_text

    spec = check_text(HEAD + LIBDIR + SERVING).spec
    assert spec is not None
    name, version = (*flags, None, None)[:2]
    assert serving.registered_model(spec, name, version, uri) == want


# --- names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("main.ml.churn", "main-ml-churn"),
        ("iris-classifier", "iris-classifier"),
        ("churn.v2__x", "churn-v2__x"),
        ("databricks-gte", "model-databricks-gte"),
        ("..", "model"),
        ("a" * 80, "a" * (ENDPOINT_NAME_MAX - 9) + "-" + hashlib.sha256(b"a" * 80).hexdigest()[:8]),
    ],
)
def test_endpoint_name(name: str, want: str) -> None:
    assert endpoint_name(name) == want


def test_long_names_sharing_a_prefix_get_distinct_endpoints() -> None:
    """A cut name keeps a hash of the whole name: v2 and v3 of a long UC name never share an endpoint."""
    base = "main.schema_with_a_very_long_name_for_team_data_science.churn_classifier_gradient_boosted_"
    v2, v3 = endpoint_name(base + "v2"), endpoint_name(base + "v3")
    assert v2 != v3 and len(v2) == len(v3) == ENDPOINT_NAME_MAX


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=120))
def test_a_derived_endpoint_name_is_always_accepted(name: str) -> None:
    got = endpoint_name(name)
    assert ENDPOINT_NAME.matches(got) and len(got) <= ENDPOINT_NAME_MAX
    assert not got.lower().startswith("databricks-")
    assert endpoint_name(got) == got  # stable


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ('endpoint-name = "main.ml.churn"', "SPC129"),
        ('endpoint-name = "databricks-churn"', "SPC129"),
        ('workload-type = "GPU_TINY"', "SPC130"),
        ('workload-size = "9 units"', "SPC130"),
    ],
)
def test_validation_of_the_section(tmp_path: Path, line: str, code: str) -> None:
    r = run_cli("validate", "--format", "json", str(_write(tmp_path, HEAD + LIBDIR + SERVING + line + "\n")))
    assert r.code == 1
    (d,) = [d for d in json.loads(r.out)["diagnostics"] if d["severity"] == "error"]
    assert d["code"] == code and d["line"] == 10 and d["hint"]


def test_normalized_form_reads_back_the_same(tmp_path: Path) -> None:
    from specc.api import check_text
    from tests.toml_writer import dumps

    text = HEAD + 'cuda = "12.4"\n' + LIBDIR + SERVING + 'endpoint-name = "e"\nroute-optimized = true\n'
    spec = check(_write(tmp_path, text)).spec
    assert spec is not None
    again = check_text(dumps(spec.to_dict(with_hashes=False))).spec
    assert again is not None and again.to_dict() == spec.to_dict()


# --- what an endpoint can install ----------------------------------------------------------------------

AUTH = '[python]\nrequirements = ["acme==1.0"]\nextra-index-urls = ["https://${TOK}@pkgs.example.com/simple"]\n'


@pytest.mark.parametrize(
    ("fragment", "code", "path"),
    [
        ('[apt]\npackages = ["libgomp1"]\n', "SPC340", "apt.packages[0]"),
        ('[maven]\npackages = ["com.example:lib:1.0"]\n', "SPC340", "maven.packages[0]"),
        ('[r]\npackages = ["forecast"]\n', "SPC340", "r.packages[0]"),
        (AUTH + '[secrets.TOK]\ndatabricks = "s/k"\n', "SPC341", "python.extra-index-urls[0]"),
        (
            '[python]\nrequirements = ["acme @ https://${TOK}@pkgs.example.com/acme-1.0.tar.gz"]\n'
            '[secrets.TOK]\ndatabricks = "s/k"\n',
            "SPC341",
            "python.requirements[0]",
        ),
    ],
)
def test_what_an_endpoint_cannot_install(tmp_path: Path, fragment: str, code: str, path: str) -> None:
    text = HEAD + 'databricks = "15.4-ml"\n' + fragment + NODE
    # the batch job alone renders: these are serving's limits
    assert _render(tmp_path, text)[0] == 0
    r = run_cli("validate", "--format", "json", str(_write(tmp_path, text + SERVING)))
    errors = [d for d in json.loads(r.out)["diagnostics"] if d["severity"] == "error"]
    assert r.code == 1 and [(d["code"], d["path"]) for d in errors] == [(code, path)]
    assert errors[0]["line"] is not None and errors[0]["hint"]
    (tmp_path / "again").mkdir()
    rc, out, diags = _render(tmp_path / "again", text + SERVING)
    assert rc == 1 and not out.exists() and code in {d["code"] for d in diags}


def test_private_packages_as_wheels_logged_with_the_model(tmp_path: Path) -> None:
    """The wheels route: no index credentials, the wheel travels as code/<wheel> in the model,
    and nothing the endpoint reads holds a ${NAME} it cannot expand."""
    from specc.mlflow import compile_mlflow

    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / WHEEL.name).write_bytes(WHEEL.read_bytes())
    text = (
        HEAD
        + 'databricks = "15.4-ml"\n[python]\nrequirements = ["scikit-learn==1.3.0"]\n'
        + f'wheels = ["dist/{WHEEL.name}"]\n'
        + 'index-url = "https://pypi.org/simple"\n'  # an index without credentials stays
        + NODE
        + SERVING
    )
    code, out, diags = _render(tmp_path, text)
    assert code == 0, diags
    check_consumers(_body(out))
    spec = check(tmp_path / "model-env.toml").spec
    assert spec is not None
    model_requirements = compile_mlflow(spec, "sklearn").pip_lines
    assert f"code/{WHEEL.name}" in model_requirements
    assert not any("${" in line for line in model_requirements)
    assert "${" not in (out / serving.ENDPOINT_FILE).read_text()


# --- the capability table ---------------------------------------------------------------------------


def test_the_serving_table_answers_every_feature() -> None:
    assert unanswered(serving.CAPABILITIES) == []
    assert unknown(serving.CAPABILITIES) == []


def test_the_target_table_is_the_merge() -> None:
    from specc.backends import databricks

    merged = BACKENDS["databricks"].capabilities
    assert set(merged) == set(databricks.CAPABILITIES) | set(serving.CAPABILITIES)
    # apt.packages: the batch job's serverless rule and serving's, in that order
    rules = merged["apt.packages"]
    assert isinstance(rules, tuple) and [r.code for r in rules] == ["SPC301", "SPC340"]
    # a feature only serving restricts keeps the rule alone; one neither restricts keeps the batch answer
    assert isinstance(merged["python.index-url:credentials"], tuple)
    assert merged["env"] == databricks.CAPABILITIES["env"]


def test_merge_tables() -> None:
    a = Unsupported("SPC001", "error", "a")
    b = Unsupported("SPC002", "warning", "b")
    merged = serving.merge_tables(
        {"x": Supported("s"), "y": a, "z": Ignored("i")}, {"x": b, "y": Supported(), "w": Supported("w")}
    )
    assert merged == {"x": b, "y": a, "z": Ignored("i"), "w": Supported("w")}
    assert serving.merge_tables({"x": a}, {"x": b}) == {"x": (a, b)}


# --- provenance ---------------------------------------------------------------------------------------


def test_provenance_of_the_endpoint(tmp_path: Path) -> None:
    from specc.backends.base import RenderOptions

    text = (
        HEAD + 'databricks = "15.4-ml"\n[env]\nOMP_NUM_THREADS = "4"\n' + NODE + SERVING + 'workload-size = "Large"\n'
    )
    spec = check(_write(tmp_path, text)).spec
    assert spec is not None
    rendered = BACKENDS["databricks"].render(spec, RenderOptions())
    f = serving.ENDPOINT_FILE
    size = ("targets", "databricks", "serving", "workload-size")
    assert rendered.produced_by(f, size) == ["/config/served_entities/0/workload_size"]
    assert "/config/served_entities/0/environment_vars/OMP_NUM_THREADS" in rendered.produced_by(
        f, ("env", "OMP_NUM_THREADS")
    )
    origin = spec.origins[size]
    assert origin.path == size


# --- from a registered model -----------------------------------------------------------------------


def test_from_a_registered_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--from-model models:/<name>/<version>`` names the served entity (an MLflow registry in
    sqlite, the model logged with specc's log_model kwargs)."""
    import mlflow

    from specc.mlflow import log_model_kwargs

    class Echo(mlflow.pyfunc.PythonModel):  # type: ignore[misc,name-defined]
        def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
            return model_input

    db = tmp_path / "mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{db}")
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", f"sqlite:///{db}")
    mlflow.set_tracking_uri(f"sqlite:///{db}")
    mlflow.set_registry_uri(f"sqlite:///{db}")
    spec_dir = tmp_path / "repo"
    spec_dir.mkdir()
    text = HEAD + 'databricks = "15.4-ml"\n[env]\nMODE = "online"\n' + NODE + SERVING
    spec = check(_write(spec_dir, text)).spec
    assert spec is not None
    # artifacts under tmp_path, not ./mlruns in the working folder
    mlflow.set_experiment(experiment_id=mlflow.create_experiment("serving", artifact_location=str(tmp_path / "art")))
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=Echo(),
            registered_model_name="churn-registered",
            **log_model_kwargs(spec, "pyfunc", out_dir=tmp_path / "stage"),
        )
    version = str(info.registered_model_version)
    out = tmp_path / "out"
    r = run_cli(
        "render", "--target", "databricks", "--from-model", f"models:/churn-registered/{version}", "--out", str(out)
    )
    assert r.code == 0, r.err
    body = _body(out)
    check_consumers(body)
    (entity,) = body["config"]["served_entities"]
    assert (entity["entity_name"], entity["entity_version"]) == ("churn-registered", version)
    assert body["name"] == "churn-registered"
    assert entity["environment_vars"] == {"MODE": "online"}
    assert re.fullmatch(r"churn-registered-\d+", entity["name"])


# --- the docs say what the code does ---------------------------------------------------------------


def _doc_section(title: str) -> str:
    text = (REPO / "docs" / "databricks.md").read_text(encoding="utf-8")
    start = text.index(f"\n{title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _blocks(section: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section, flags=re.S)


def test_the_documented_body_is_what_specc_renders(tmp_path: Path) -> None:
    """The JSON in docs/databricks.md is the render of the spec it describes (same flags)."""
    section = _doc_section("## Model Serving")
    (documented,) = [json.loads(b) for b in _blocks(section, "json")]
    text = (
        'spec-version = 1\n[model]\nname = "churn-classifier"\n[runtime]\npython = "3.11"\ndatabricks = "15.4-ml"\n'
        '[env]\nOMP_NUM_THREADS = "4"\n[secrets.PYPI_TOKEN]\ndatabricks = "ml-secrets/pypi-token"\n' + NODE + SERVING
    )
    code, out, _ = _render(tmp_path, text, "--model-name", "main.ml.churn", "--model-version", "3")
    assert code == 0
    assert _body(out) == documented
    check_consumers(documented)


def test_the_documented_deploy_commands(tmp_path: Path) -> None:
    """The create/update commands: shellcheck-clean, and the endpoint they update is the one rendered."""
    import subprocess
    import sys

    (script,) = _blocks(_doc_section("### Create or update"), "sh")
    path = tmp_path / "deploy.sh"
    path.write_text("#!/bin/bash\nset -euo pipefail\n" + script, encoding="utf-8")
    shellcheck = Path(sys.executable).parent / "shellcheck"
    proc = subprocess.run([str(shellcheck), "-f", "gcc", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout
    assert "databricks serving-endpoints create --json @serving-endpoint.json" in script
    (render_line,) = [line for line in script.splitlines() if line.startswith("specc render")]
    flags = render_line.split()[render_line.split().index("--model-name") :]
    code, out, _ = _render(tmp_path, HEAD + 'databricks = "15.4-ml"\n' + NODE + SERVING, *flags)
    assert code == 0
    (update,) = [line for line in script.splitlines() if "update-config" in line]
    assert update.split()[3] == _body(out)["name"]


def test_the_batch_job_scores_the_model_the_endpoint_serves(tmp_path: Path) -> None:
    """--model-name/--model-version reach the batch job's default model_uri too (job.json,
    bundle.yml and the notebook's widget), not only the serving endpoint."""
    code, out, _ = _render(
        tmp_path,
        HEAD + 'databricks = "15.4-ml"\n' + NODE + SERVING,
        "--model-name",
        "main.ml.churn",
        "--model-version",
        "3",
    )
    assert code == 0
    assert _body(out)["config"]["served_entities"][0]["entity_name"] == "main.ml.churn"
    job = json.loads((out / "job.json").read_text(encoding="utf-8"))
    assert {p["name"]: p["default"] for p in job["parameters"]}["model_uri"] == "models:/main.ml.churn/3"
    assert '"models:/main.ml.churn/3"' in (out / "score.py").read_text(encoding="utf-8")
    assert "models:/main.ml.churn/3" in (out / "bundle.yml").read_text(encoding="utf-8")
