"""``specc check``: real MLflow models (temporary sqlite store) against their specs; each drift detected.

Two models are logged once per module (kitchen-sink as a pyfunc: artifacts layout, wheels,
private packages, constraints, indexes; sklearn-basic with mlflow.sklearn: code layout and
flavor defaults); every drift case edits a copy of a model folder or of the example folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import mlflow
import pytest
import yaml

import specc
from specc.diagnostics import Diagnostic
from specc.drift import CheckError, check_env, check_model, tree_digest
from specc.mlflow import log_model, log_model_kwargs
from tests.helpers import EXAMPLES, REPO, mlflow_tracking, run_cli

REPORT_SCHEMA = json.loads((REPO / "schemas" / "specc-diagnostics.schema.json").read_text(encoding="utf-8"))


def _json_report(text: str) -> dict[str, Any]:
    """A --format json report, checked against the one published report schema."""
    import jsonschema

    report = json.loads(text)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    return report


def _heads(err: str) -> list[str]:
    """``severity[CODE]`` of every diagnostic printed on stderr."""
    return re.findall(r"(?m)^\S*: ((?:error|warning)\[SPC\d{3}\])", err)


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with mlflow_tracking(tmp_path_factory.mktemp("mlflow-check"), "specc-check") as root:
        yield root


class _Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


@pytest.fixture(scope="module")
def models(tracking: Path) -> dict[str, tuple[str, Path]]:
    """{example: (model URI, local model folder)}."""
    from sklearn.linear_model import LogisticRegression

    out = {}
    spec = specc.load(EXAMPLES / "kitchen-sink" / "model-env.toml")
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(name="model", python_model=_Echo(), **log_model_kwargs(spec, flavor="pyfunc"))
    out["kitchen-sink"] = (info.model_uri, Path(mlflow.artifacts.download_artifacts(info.model_uri)))
    spec = specc.load(EXAMPLES / "sklearn-basic" / "model-env.toml")
    sk = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    with mlflow.start_run():
        info = log_model(mlflow.sklearn, spec, sk_model=sk, name="model")
    out["sklearn-basic"] = (info.model_uri, Path(mlflow.artifacts.download_artifacts(info.model_uri)))
    return out


def _copy(models: dict[str, Any], example: str, tmp_path: Path) -> Path:
    dest = tmp_path / "model"
    shutil.copytree(models[example][1], dest)
    return dest


def _spec(example: str) -> Any:
    return specc.load(EXAMPLES / example / "model-env.toml")


def _codes(findings: list[Diagnostic]) -> list[str]:
    return [f.code for f in findings]


def _one(findings: list[Diagnostic], code: str) -> Diagnostic:
    hits = [f for f in findings if f.code == code]
    assert len(hits) == 1, findings
    assert len(findings) == 1, findings  # nothing else reported
    return hits[0]


# --- no drift -----------------------------------------------------------------------------------


@pytest.mark.parametrize("example", ["kitchen-sink", "sklearn-basic"])
def test_model_logged_from_the_compiled_kwargs_has_no_drift(example: str, models: dict[str, Any]) -> None:
    assert check_model(_spec(example), models[example][1]) == []
    r = run_cli("check", str(EXAMPLES / example), "--model", str(models[example][1]))
    assert r.code == 0, r.out + r.err
    assert r.out == "" and "match" in r.err


def test_models_uri_is_downloaded_and_checked(models: dict[str, Any]) -> None:
    uri = models["sklearn-basic"][0]
    assert uri.startswith("models:/")
    assert check_model(_spec("sklearn-basic"), uri) == []


def test_json_report_of_a_clean_model(models: dict[str, Any]) -> None:
    r = run_cli("check", str(EXAMPLES / "kitchen-sink"), "--model", str(models["kitchen-sink"][1]), "--format", "json")
    assert r.code == 0, r.err
    report = _json_report(r.out)
    assert report["check"]["drift"] is False and report["diagnostics"] == []
    assert report["check"]["against"] == str(models["kitchen-sink"][1]) and report["check"]["lock"] is None


# --- requirements -------------------------------------------------------------------------------


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_requirement_at_another_version(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "sklearn-basic", tmp_path)
    _edit(model / "requirements.txt", "pandas==3.1.1", "pandas==3.0.2")
    f = _one(check_model(_spec("sklearn-basic"), model), "SPC502")
    assert f.path_str == "python.requirements[1]" and f.file == "requirements.txt" and f.span is not None
    assert f.expected == "pandas==3.1.1" and f.actual == "pandas==3.0.2"
    assert f.message == "pandas: the spec requires `pandas==3.1.1`, the model has `pandas==3.0.2`"
    r = run_cli("check", str(EXAMPLES / "sklearn-basic"), "--model", str(model), "--no-lock")
    assert r.code == 1 and r.out == ""
    # the model's line, underlined, as validate shows a spec's
    assert r.err.splitlines()[:4] == [
        f"{model}/requirements.txt:3:1: error[SPC502] python.requirements[1]: pandas: the spec requires "
        "`pandas==3.1.1`, the model has `pandas==3.0.2`",
        "  |",
        "3 | pandas==3.0.2",
        "  | ^^^^^^^^^^^^^",
    ]
    assert (
        f"specc check: {EXAMPLES / 'sklearn-basic' / 'model-env.toml'} and {model} differ (1 error, 0 warnings)"
        in r.err
    )


def test_versions_compare_pep440_aware(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "sklearn-basic", tmp_path)
    _edit(model / "requirements.txt", "numpy==2.4.6", "NumPy == 2.4.6.0")
    assert check_model(_spec("sklearn-basic"), model) == []


def test_requirement_missing_and_extra(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "sklearn-basic", tmp_path)
    _edit(model / "requirements.txt", "numpy==2.4.6\n", "requests==2.32.3\n")
    findings = check_model(_spec("sklearn-basic"), model)
    assert sorted(_codes(findings)) == ["SPC501", "SPC503"]
    missing = next(f for f in findings if f.code == "SPC501")
    extra = next(f for f in findings if f.code == "SPC503")
    assert missing.message == "numpy: the spec requires `numpy==2.4.6`, the model does not list it"
    assert missing.path_str == "python.requirements[0]" and missing.span is None  # nothing to point at
    assert extra.actual == "requests==2.32.3" and "the spec does not" in extra.message and extra.path == ()


def test_constraints_and_index_lines(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "kitchen-sink", tmp_path)
    _edit(model / "constraints.txt", "numpy<2.1", "numpy<2.2")
    _edit(model / "requirements.txt", "--index-url https://pypi.org/simple\n", "")
    findings = check_model(_spec("kitchen-sink"), model)
    assert sorted(_codes(findings)) == ["SPC504", "SPC505"]
    cons = next(f for f in findings if f.code == "SPC505")
    assert cons.file == "constraints.txt" and cons.actual == "numpy<2.2" and cons.span is not None


# --- code and artifacts ---------------------------------------------------------------------------


def test_changed_code_file(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "kitchen-sink", tmp_path)
    with (model / "code" / "helpers.py").open("a", encoding="utf-8") as fh:
        fh.write("# edited after logging\n")
    f = _one(check_model(_spec("kitchen-sink"), model), "SPC511")
    assert f.path_str == "code.paths[0]" and f.file == "code/helpers.py"
    assert f.message == "helpers.py differs from the model's copy (changed: helpers.py)"


def test_changed_file_inside_a_code_package(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "sklearn-basic", tmp_path)
    init = next((model / "code" / "iris_features").glob("*.py"))
    init.write_text(init.read_text(encoding="utf-8") + "\nX = 1\n", encoding="utf-8")
    (model / "code" / "iris_features" / "new.py").write_text("", encoding="utf-8")
    f = _one(check_model(_spec("sklearn-basic"), model), "SPC511")
    assert f"changed: {init.name}" in f.message and "only in the model: new.py" in f.message


def test_removed_artifact(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "kitchen-sink", tmp_path)
    (model / "artifacts" / "vocab.json").unlink()
    f = _one(check_model(_spec("kitchen-sink"), model), "SPC512")
    assert (
        f.path == ("artifacts", "vocab") and f.message == "artifacts.vocab (data/vocab.json) is missing from the model"
    )


def test_removed_artifact_code_layout(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "sklearn-basic", tmp_path)
    shutil.rmtree(model / "code" / "specc-environment" / "artifacts" / "labels")
    f = _one(check_model(_spec("sklearn-basic"), model), "SPC512")
    assert f.file == "code/specc-environment/artifacts/labels/labels.json"


def test_changed_private_package_and_wheel(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "kitchen-sink", tmp_path)
    deb = next(model.rglob("libchurn_1.0_amd64.deb"))
    deb.write_bytes(deb.read_bytes() + b"\0")
    (model / "code" / "featurizer-0.3.0-py3-none-any.whl").unlink()
    findings = check_model(_spec("kitchen-sink"), model)
    assert sorted(_codes(findings)) == ["SPC514", "SPC515"]
    deb_finding = next(f for f in findings if f.code == "SPC515")
    assert deb_finding.path == ("apt", "debs", 0) and deb_finding.message.startswith("lib/libchurn_1.0_amd64.deb ")
    assert next(f for f in findings if f.code == "SPC514").path_str == "python.wheels[0]"


# --- non-Python environment, Python, Databricks ---------------------------------------------------


def test_apt_package_dropped_from_the_spec(models: dict[str, Any], tmp_path: Path) -> None:
    proj = tmp_path / "kitchen-sink"
    shutil.copytree(EXAMPLES / "kitchen-sink", proj)
    _edit(proj / "model-env.toml", '  "graphviz",', "")
    f = _one(check_model(specc.load(proj / "model-env.toml"), models["kitchen-sink"][1]), "SPC521")
    assert f.path_str == "apt.packages"
    assert f.message == "graphviz: in the model, not in the spec"
    assert f.file == "artifacts/specc-environment.json"


def test_env_and_maven_differences(models: dict[str, Any], tmp_path: Path) -> None:
    proj = tmp_path / "kitchen-sink"
    shutil.copytree(EXAMPLES / "kitchen-sink", proj)
    _edit(proj / "model-env.toml", 'OMP_NUM_THREADS = "4"', 'OMP_NUM_THREADS = "8"')
    _edit(proj / "model-env.toml", "spark-nlp_2.12:5.3.3", "spark-nlp_2.12:5.4.0")
    findings = check_model(specc.load(proj / "model-env.toml"), models["kitchen-sink"][1])
    messages = sorted(f"{f.path_str}: {f.message}" for f in findings)
    assert _codes(findings) == ["SPC521", "SPC521", "SPC521"], messages
    assert 'env.OMP_NUM_THREADS: the spec has "8", the model has "4"' in messages
    assert "maven.packages: com.johnsnowlabs.nlp:spark-nlp_2.12:5.4.0: in the spec, not in the model" in messages


def test_other_python_in_python_env_yaml(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "sklearn-basic", tmp_path)
    env = yaml.safe_load((model / "python_env.yaml").read_text())
    env["python"] = "3.10.14"
    (model / "python_env.yaml").write_text(yaml.safe_dump(env))
    f = _one(check_model(_spec("sklearn-basic"), model), "SPC530")
    assert f.message == "the model was logged for Python 3.10.14, the spec's runtime.python is 3.11"


def test_other_python_in_mlmodel(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "sklearn-basic", tmp_path)
    mlmodel = yaml.safe_load((model / "MLmodel").read_text())
    mlmodel["flavors"]["python_function"]["python_version"] = "3.12.1"
    (model / "MLmodel").write_text(yaml.safe_dump(mlmodel))
    assert _one(check_model(_spec("sklearn-basic"), model), "SPC531").actual == "3.12.1"


def test_databricks_runtime_mismatch(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "kitchen-sink", tmp_path)
    with (model / "MLmodel").open("a", encoding="utf-8") as fh:
        fh.write("databricks_runtime: '16.4'\n")
    f = _one(check_model(_spec("kitchen-sink"), model), "SPC532")  # the spec is on 15.4.x-gpu-ml-scala2.12
    assert "logged on Databricks Runtime 16.4, the spec's runtime.databricks is 15.4.x-gpu-ml-scala2.12" in f.message
    same = _copy(models, "kitchen-sink", tmp_path / "same")
    with (same / "MLmodel").open("a", encoding="utf-8") as fh:
        fh.write("databricks_runtime: 15.4.x-gpu-ml-scala2.12\n")
    assert check_model(_spec("kitchen-sink"), same) == []


def test_databricks_runtime_without_one_in_the_spec_warns(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "sklearn-basic", tmp_path)
    with (model / "MLmodel").open("a", encoding="utf-8") as fh:
        fh.write("databricks_runtime: '15.4'\n")
    f = _one(check_model(_spec("sklearn-basic"), model), "SPC533")
    assert f.severity == "warning"
    r = run_cli("check", str(EXAMPLES / "sklearn-basic"), "--model", str(model))
    assert r.code == 0 and r.out == ""
    assert (
        f"{model}/MLmodel: warning[SPC533] runtime.databricks: the model was logged on Databricks Runtime 15.4" in r.err
    )
    assert "match (0 errors, 1 warning)" in r.err


def test_model_without_the_specc_artifact(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "kitchen-sink", tmp_path)
    (model / "artifacts" / "specc-environment.json").unlink()
    assert "SPC520" in _codes(check_model(_spec("kitchen-sink"), model))


# --- hazards ----------------------------------------------------------------------------------------


def test_uv_files_and_absolute_paths_are_hazards(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "sklearn-basic", tmp_path)
    (model / "uv.lock").write_text("version = 1\n")
    (model / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    with (model / "requirements.txt").open("a", encoding="utf-8") as fh:
        fh.write("\n/home/me/dist/thing-1.0-py3-none-any.whl\n")
    findings = check_model(_spec("sklearn-basic"), model)
    assert sorted(_codes(findings)) == ["SPC504", "SPC540", "SPC540", "SPC541"]
    assert "an absolute local path" in next(f for f in findings if f.code == "SPC541").message


# --- CLI and JSON ------------------------------------------------------------------------------------


def test_json_report_with_drift(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "sklearn-basic", tmp_path)
    _edit(model / "requirements.txt", "pandas==3.1.1", "pandas==3.0.2")
    r = run_cli("check", str(EXAMPLES / "sklearn-basic"), "--model", str(model), "--format", "json", "--no-lock")
    assert r.code == 1
    report = _json_report(r.out)
    assert report["check"]["drift"] is True and (report["errors"], report["warnings"]) == (1, 0)
    assert report["diagnostics"] == [
        {
            "code": "SPC502",
            "name": "requirement-differs",
            "severity": "error",
            "message": "pandas: the spec requires `pandas==3.1.1`, the model has `pandas==3.0.2`",
            "path": "python.requirements[1]",
            "hint": None,
            "file": f"{model}/requirements.txt",
            "line": 3,
            "column": 1,
            "end_line": 3,
            "end_column": 14,
            "expected": "pandas==3.1.1",
            "actual": "pandas==3.0.2",
        }
    ]


def test_cli_usage_and_bad_model(tmp_path: Path) -> None:
    assert run_cli("check", str(EXAMPLES / "sklearn-basic")).code == 2
    assert run_cli("check", str(EXAMPLES / "sklearn-basic"), "--model", "x", "--env").code == 2
    r = run_cli("check", str(EXAMPLES / "sklearn-basic"), "--model", str(tmp_path))
    assert r.code == 1 and "not an MLflow model" in r.err


def test_malformed_mlmodel_is_a_check_error_naming_the_field(models: dict[str, Any], tmp_path: Path) -> None:
    # MLmodel is read by specc.mlmodel: an unquoted python_version (YAML reads 3.10 as 3.1) is an error
    # naming the file and the field, not a silent "3.1" compared with runtime.python
    model = _copy(models, "sklearn-basic", tmp_path)
    mlmodel = yaml.safe_load((model / "MLmodel").read_text())
    mlmodel["flavors"]["python_function"]["python_version"] = 3.10
    (model / "MLmodel").write_text(yaml.safe_dump(mlmodel))
    with pytest.raises(CheckError, match=r"MLmodel: flavors\.python_function\.python_version: expected a string"):
        check_model(_spec("sklearn-basic"), model)
    r = run_cli("check", str(EXAMPLES / "sklearn-basic"), "--model", str(model))
    assert r.code == 1 and "python_version: expected a string, got the number 3.1 (quote it" in r.err
    assert "Traceback" not in r.err


def test_tree_digest_ignores_caches(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"1")
    assert list(tree_digest(tmp_path)) == ["a.py"]


# --- this Python environment ------------------------------------------------------------------------


def _env_spec(tmp_path: Path, reqs: list[str], python: str = "3.11") -> Any:
    body = ", ".join(json.dumps(r) for r in reqs)
    (tmp_path / "model-env.toml").write_text(
        f'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "{python}"\n[python]\nrequirements = [{body}]\n'
    )
    return tmp_path / "model-env.toml"


def test_env_matches(tmp_path: Path) -> None:
    import importlib.metadata

    spec = _env_spec(tmp_path, [f"packaging=={importlib.metadata.version('packaging')}", "pyyaml>=5"])
    r = run_cli("check", str(spec), "--env")
    assert r.code == 0, r.out + r.err


def test_env_drift(tmp_path: Path) -> None:
    import importlib.metadata

    spec = _env_spec(tmp_path, ["packaging<1", "specc-no-such-pkg==1.0", "winonly; sys_platform == 'win32'"], "3.9")
    findings = check_env(specc.load(spec))
    assert sorted(_codes(findings)) == ["SPC550", "SPC551", "SPC552"]
    bad = next(f for f in findings if f.code == "SPC551")
    assert (
        bad.message
        == f"packaging: {importlib.metadata.version('packaging')} is installed, the spec requires `packaging<1`"
    )
    assert [f.path_str for f in sorted(findings, key=lambda f: f.code)] == [
        "python.requirements[1]",
        "python.requirements[0]",
        "runtime.python",
    ]
    r = run_cli("check", str(spec), "--env", "--format", "json")
    report = _json_report(r.out)
    assert r.code == 1 and report["check"]["drift"] is True and report["check"]["against"] == "env"
    assert {d["file"] for d in report["diagnostics"]} == {str(spec)}


# --- with model-env.lock ------------------------------------------------------------------------------


def _locked_project(tmp_path: Path, versions: dict[str, str], edit: tuple[str, str] | None = None) -> Path:
    """A copy of sklearn-basic with a model-env.lock pinning ``versions`` (no resolver run: written directly)."""
    from specc.lock import implied_requirements
    from specc.lockfile import LockedPython, LockedPythonPackage, new_lock, write_lock

    proj = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", proj)
    if edit:
        _edit(proj / "model-env.toml", *edit)
    spec = specc.load(proj / "model-env.toml")
    python = LockedPython(
        python_version="3.11",
        platforms=["x86_64-manylinux_2_28"],
        resolver="uv (test)",
        packages=[LockedPythonPackage(name=n, version=v) for n, v in sorted(versions.items())],
        implied_requirements=implied_requirements(spec),  # as `specc lock` records them
    )
    write_lock(proj / "model-env.lock", new_lock(spec, python))
    return proj


LOCKED = {"scikit-learn": "1.9.1", "pandas": "3.1.1", "numpy": "2.4.6", "scipy": "1.17.1"}


def test_fresh_lock_and_matching_model(models: dict[str, Any], tmp_path: Path) -> None:
    proj = _locked_project(tmp_path, LOCKED)
    r = run_cli("check", str(proj), "--model", str(models["sklearn-basic"][1]), "--format", "json")
    assert r.code == 0, r.out + r.err
    report = _json_report(r.out)
    assert report["check"]["lock"] == str(proj / "model-env.lock") and report["diagnostics"] == []


def test_model_logged_with_locked_pins_is_accepted(models: dict[str, Any], tmp_path: Path) -> None:
    """A range in the spec, the lock's exact pin in the model, a transitive locked package: no drift."""
    proj = _locked_project(tmp_path, LOCKED, ('"pandas==3.1.1"', '"pandas>=3,<4"'))
    model = _copy(models, "sklearn-basic", tmp_path)
    with (model / "requirements.txt").open("a", encoding="utf-8") as fh:
        fh.write("\nscipy==1.17.1\n")
    r = run_cli("check", str(proj), "--model", str(model))
    assert r.code == 0, r.out + r.err
    # without the lock, the same model drifts from the spec
    r = run_cli("check", str(proj), "--model", str(model), "--no-lock")
    assert r.code == 1
    assert sorted(_heads(r.err)) == ["error[SPC502]", "error[SPC503]"]


def test_model_at_another_version_than_the_lock(models: dict[str, Any], tmp_path: Path) -> None:
    proj = _locked_project(tmp_path, {**LOCKED, "scipy": "1.16.0"})
    model = _copy(models, "sklearn-basic", tmp_path)
    with (model / "requirements.txt").open("a", encoding="utf-8") as fh:
        fh.write("\nscipy==1.17.1\n")
    r = run_cli("check", str(proj), "--model", str(model))
    assert r.code == 1
    assert _heads(r.err) == ["error[SPC562]"]
    assert (
        f"{model}/requirements.txt:6:1: error[SPC562]: scipy: the model requires `scipy==1.17.1`, "
        "the lock has scipy==1.16.0"
    ) in r.err


def test_stale_lock_is_drift(models: dict[str, Any], tmp_path: Path) -> None:
    proj = _locked_project(tmp_path, LOCKED)
    _edit(proj / "model-env.toml", '"numpy==2.4.6"', '"numpy==2.4.5"')
    r = run_cli("check", str(proj), "--model", str(models["sklearn-basic"][1]))
    assert r.code == 1
    assert f"{proj / 'model-env.lock'}: error[SPC613]: model-env.lock is stale: python (" in r.err
    assert ": error[SPC502] python.requirements[0]: numpy: the spec requires `numpy==2.4.5`" in r.err


def test_lock_conditions_have_the_lock_commands_codes(models: dict[str, Any], tmp_path: Path) -> None:
    """One condition, one code: a stale lock is SPC613 and an unreadable one SPC612 under
    `specc check` as under `specc lock --check` (SPC561/SPC560 are retired)."""
    proj = _locked_project(tmp_path, LOCKED)
    _edit(proj / "model-env.toml", '"numpy==2.4.6"', '"numpy==2.4.5"')
    checked = run_cli("check", str(proj), "--model", str(models["sklearn-basic"][1]))
    locked = run_cli("lock", str(proj), "--check")
    assert "error[SPC613]" in checked.err and "error[SPC613]" in locked.err, (checked.err, locked.err)
    (proj / "model-env.lock").write_text("not = [a lock\n", encoding="utf-8")
    checked = run_cli("check", str(proj), "--model", str(models["sklearn-basic"][1]))
    assert checked.code == 1 and "error[SPC612]" in checked.err, checked.err
    assert "SPC560" not in checked.err and "SPC561" not in checked.err


def test_env_against_the_lock(tmp_path: Path) -> None:
    import importlib.metadata

    from specc.drift import check_env_lock
    from specc.lockfile import read_lock

    here = {"packaging": importlib.metadata.version("packaging"), "pyyaml": importlib.metadata.version("PyYAML")}
    proj = _locked_project(tmp_path, {**here, "specc-no-such-pkg": "1.0", "pytest": "0.1"})
    findings = check_env_lock(read_lock(proj / "model-env.lock"))
    assert [(f.code, f.expected) for f in findings] == [("SPC563", "pytest==0.1"), ("SPC563", "specc-no-such-pkg==1.0")]
    assert findings[1].message == "specc-no-such-pkg: not installed, the lock has specc-no-such-pkg==1.0"


def test_extra_mode_model_allows_inferred_requirements(tracking: Path, tmp_path: Path) -> None:
    """pip = "extra": MLflow infers requirements and appends the spec's; only the spec's are checked."""
    proj = tmp_path / "kitchen-sink"
    shutil.copytree(EXAMPLES / "kitchen-sink", proj)
    _edit(proj / "model-env.toml", 'pip = "exact"', 'pip = "extra"')
    spec = specc.load(proj / "model-env.toml")
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(name="model", python_model=_Echo(), **log_model_kwargs(spec, flavor="pyfunc"))
    model = Path(mlflow.artifacts.download_artifacts(info.model_uri))
    assert check_model(spec, model) == []
    _edit(model / "requirements.txt", "scipy==1.13.1", "scipy==1.13.0")
    assert _one(check_model(spec, model), "SPC502").message.startswith("scipy: ")


def test_every_listed_flavor_is_proven() -> None:
    from specc.drift import FLAVOR_DEFAULT_NAMES

    assert sorted(FLAVOR_DEFAULT_NAMES) == sorted(PROVEN_FLAVORS)


PROVEN_FLAVORS = ["pyfunc", "sklearn", "lightgbm", "statsmodels"]


@pytest.mark.parametrize("flavor", PROVEN_FLAVORS)
def test_flavor_default_names_cover_what_mlflow_adds(flavor: str) -> None:
    """The table that spares a check from importing MLflow agrees with MLflow itself."""
    import importlib

    from packaging.requirements import Requirement

    from specc.drift import FLAVOR_DEFAULT_NAMES
    from specc.mlflow import flavor_default_requirements

    module = importlib.import_module(f"mlflow.{flavor}")
    got: set[str] = set()
    if flavor in ("sklearn", "lightgbm"):
        got |= {Requirement(x).name for x in module.get_default_pip_requirements(True, True)}
    else:
        got |= {Requirement(x).name for x in flavor_default_requirements(flavor)}
    assert got, flavor
    assert {n.lower() for n in got} <= FLAVOR_DEFAULT_NAMES[flavor]


def test_constraints_line_dropped_from_requirements(models: dict[str, Any], tmp_path: Path) -> None:
    model = _copy(models, "kitchen-sink", tmp_path)
    _edit(model / "requirements.txt", "-c constraints.txt", "")
    f = _one(check_model(_spec("kitchen-sink"), model), "SPC505")
    assert "constraints are not applied" in f.message


def test_a_finding_on_a_spec_entry_is_shown_where_the_entry_is_written(tmp_path: Path) -> None:
    """--env findings point at the entry as written (TOML line:col, or the requirements/constraints
    file's line), never at a position in the merged, sorted list."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\n'
        'requirements = ["zzz-specc-missing==1.0", "aaa-specc-missing==2.0"]\n'
        'requirements-files = ["reqs.txt"]\n'
        'constraints = ["bbb-specc-unused==1.0", "packaging<1"]\n',
        encoding="utf-8",
    )
    (proj / "reqs.txt").write_text("# deps\nmmm-specc-missing==3.0\n-c cons.txt\n", encoding="utf-8")
    (proj / "cons.txt").write_text("pip<1\n", encoding="utf-8")
    r = run_cli("check", "proj", "--env", "--no-lock", cwd=tmp_path)
    assert r.code == 1
    heads = set(re.findall(r"(?m)^(\S+:\d+:\d+): error\[(SPC55\d)\] (\S+): (\S+):", r.err))
    assert {
        ("proj/model-env.toml:5:17", "SPC550", "python.requirements[0]", "zzz-specc-missing"),
        ("proj/model-env.toml:5:43", "SPC550", "python.requirements[1]", "aaa-specc-missing"),
        ("proj/reqs.txt:2:1", "SPC550", "python.requirements-files[0]", "mmm-specc-missing"),
        ("proj/model-env.toml:7:41", "SPC551", "python.constraints[1]", "packaging"),
        ("proj/cons.txt:1:1", "SPC551", "python.requirements-files[0]", "pip"),
    } <= heads, r.err
    # a constraint of a package that is not installed asks for nothing
    assert "error[SPC551] python.constraints[0]" not in r.err and len(heads) == 5


def test_check_reports_a_lock_without_a_platform_a_target_needs(tmp_path: Path) -> None:
    """`specc check` judges the lock as `specc lock --check` does: a Graviton cluster needs
    aarch64, which the example's x86_64-only lock lacks (SPC613, naming the platforms part)."""

    import specc
    from specc.drift import check_lock

    folder = tmp_path / "spark-nlp"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "spark-nlp", folder)
    spec_file = folder / "model-env.toml"
    fresh, diags = check_lock(specc.load(spec_file), folder / "model-env.lock")
    assert fresh is not None and diags == []
    spec_file.write_text(spec_file.read_text().replace('node-type = "i3.xlarge"', 'node-type = "m6gd.xlarge"'))
    _, diags = check_lock(specc.load(spec_file), folder / "model-env.lock")
    assert [d.code for d in diags] == ["SPC613"]
    assert "aarch64-manylinux_2_28" in diags[0].message and diags[0].actual == "platforms"
    assert diags[0].hint and "specc lock" in diags[0].hint


@pytest.mark.parametrize("argv", [["check", "--model", "models:/churn/3"], ["import", "models:/churn/3"]])
def test_a_model_uri_without_a_tracking_server_says_so_and_creates_nothing(argv: list[str], tmp_path: Path) -> None:
    """With no MLFLOW_TRACKING_URI, MLflow 3 reads models:/ from a new sqlite store it creates in
    the current folder (mlflow.db): `check --model` wrote that file into the model's repository
    and said the registered model was not found.  Now it says what is missing, creates nothing."""
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_") and k != "DATABRICKS_RUNTIME_VERSION"}
    args = [*argv, str(folder)] if argv[0] == "check" else [*argv, "--out", str(tmp_path / "out.toml")]
    r = subprocess.run([sys.executable, "-m", "specc", *args], capture_output=True, text=True, cwd=folder, env=env)
    assert r.returncode == 1, r.stderr
    assert "no MLflow tracking server is configured (MLFLOW_TRACKING_URI is unset)" in r.stderr
    assert not (folder / "mlflow.db").exists() and not (folder / "mlruns").exists()
    # MLflow's default local store in the current folder (a model logged here with no tracking
    # URI) is a store: MLflow is asked, and says what it says about the model
    (folder / "mlruns").mkdir()
    r = subprocess.run([sys.executable, "-m", "specc", *args], capture_output=True, text=True, cwd=folder, env=env)
    assert "no MLflow tracking server is configured" not in r.stderr
