"""Real MLflow: log with specc's kwargs, inspect the logged files, reload from elsewhere, predict, serve with uv.

One temporary sqlite tracking store per module; models are logged once (module fixtures) and
shared by the assertions.  No network mocks: the uv test really installs from PyPI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import mlflow
import pytest
import yaml

import specc
from specc.envartifact import ARTIFACT_FILE, load_from_model
from specc.mlflow import (
    FlavorError,
    RuntimeMismatchWarning,
    compile_mlflow,
    flavor_default_requirements,
    log_model,
    log_model_kwargs,
)
from specc.spec import Runtime
from tests.helpers import mlflow_tracking

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/model-env.toml"))
CODE_MODULES = {"sklearn-basic": ["iris_features"], "kitchen-sink": ["churn_utils", "helpers"]}


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with mlflow_tracking(tmp_path_factory.mktemp("mlflow"), "specc-tests") as root:
        yield root


def _probe_model(modules: list[str]) -> Any:
    """A PythonModel defined locally, so cloudpickle ships it by value (no import of tests/ at load)."""

    class Probe(mlflow.pyfunc.PythonModel):
        def load_context(self, context):
            self.loaded = {}
            for key, path in sorted(context.artifacts.items()):
                p = Path(path)
                self.loaded[key] = sorted(x.name for x in p.rglob("*")) if p.is_dir() else len(p.read_bytes())

        def predict(self, context, model_input, params=None):  # no hints: MLflow would infer a signature
            import importlib

            names = [importlib.import_module(m).__name__ for m in modules]
            return [json.dumps({"modules": names, "artifacts": self.loaded}, sort_keys=True)]

    return Probe()


def _files(model_dir: Path, name: str) -> list[str]:
    return (model_dir / name).read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def logged(tracking: Path) -> dict[str, tuple[str, Path, dict[str, Any]]]:
    """Every example logged as a pyfunc with specc's kwargs: {example: (uri, local dir, kwargs)}."""
    out = {}
    for example in EXAMPLES:
        spec = specc.load(ROOT / "examples" / example / "model-env.toml")
        kwargs = log_model_kwargs(spec, flavor="pyfunc")
        with mlflow.start_run():
            info = mlflow.pyfunc.log_model(
                name="model", python_model=_probe_model(CODE_MODULES.get(example, [])), **kwargs
            )
        out[example] = (info.model_uri, Path(mlflow.artifacts.download_artifacts(info.model_uri)), kwargs)
    return out


@pytest.mark.parametrize("example", EXAMPLES)
def test_logged_files_are_what_the_spec_implies(example: str, logged: dict[str, Any]) -> None:
    _, model, kwargs = logged[example]
    spec = specc.load(ROOT / "examples" / example / "model-env.toml")
    compiled = compile_mlflow(spec, "pyfunc")
    defaults = flavor_default_requirements("pyfunc")  # cloudpickle==<installed>
    expected = [line for line in compiled.pip_lines if not line.startswith("-c ")]
    expected += [d for d in defaults if d.split("==")[0] not in {r.name for r in spec.python.requirements}]
    if compiled.constraint_lines:
        expected.append("-c constraints.txt")
        assert _files(model, "constraints.txt") == list(compiled.constraint_lines)
    assert _files(model, "requirements.txt") == [f"mlflow=={mlflow.__version__}", *expected]
    conda = yaml.safe_load((model / "conda.yaml").read_text())
    assert conda["dependencies"][-1]["pip"] == [f"mlflow=={mlflow.__version__}", *expected]
    # MLflow records the interpreter that logs; specc warns when it differs from runtime.python
    py_env = yaml.safe_load((model / "python_env.yaml").read_text())
    assert ".".join(str(py_env["python"]).split(".")[:2]) == spec.runtime.python
    code = sorted(p.name for p in (model / "code").iterdir()) if (model / "code").exists() else []
    assert code == sorted(Path(r.path).name for r in (*spec.code.paths, *spec.python.wheels))
    arts = sorted(p.name for p in (model / "artifacts").iterdir())
    want = [Path(r.path).name for r in spec.artifacts.values()] + [ARTIFACT_FILE]
    if spec.apt.debs or spec.maven.jars or spec.r.sources:
        want.append("specc-private-packages")
    assert arts == sorted(want)
    assert not (model / "uv.lock").exists()
    # the non-Python artifact rebuilds the spec from the model alone
    loaded = load_from_model(model)
    assert loaded.spec.to_json() == spec.to_json()
    for ref in (*spec.python.wheels, *spec.apt.debs, *spec.maven.jars, *spec.r.sources):
        assert (Path(loaded.spec.base_dir) / ref.path).read_bytes() == (Path(spec.base_dir) / ref.path).read_bytes()
    assert kwargs["artifacts"]["specc_environment"].endswith(ARTIFACT_FILE)


def test_reload_from_another_directory_and_predict(logged: dict[str, Any], tmp_path: Path) -> None:
    """One fresh interpreter, another cwd: load every model and predict (code/ and artifacts resolve)."""
    script = (
        "import json, sys, mlflow, pandas as pd\n"
        "out = {}\n"
        "for name, uri in json.loads(sys.argv[1]).items():\n"
        "    m = mlflow.pyfunc.load_model(uri)\n"
        "    out[name] = json.loads(m.predict(pd.DataFrame({'x': [1]}))[0])\n"
        "print(json.dumps(out))\n"
    )
    uris = {k: str(v[1]) for k, v in logged.items()}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-c", script, json.dumps(uris)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    for example in EXAMPLES:
        spec = specc.load(ROOT / "examples" / example / "model-env.toml")
        got = results[example]
        assert got["modules"] == CODE_MODULES.get(example, [])
        for key in spec.artifacts:
            assert got["artifacts"][key] > 0
        assert got["artifacts"]["specc_environment"] > 0
        if spec.apt.debs:
            assert "libchurn_1.0_amd64.deb" in got["artifacts"]["specc_private_packages"]


def test_models_uri_reads_back_through_mlflow(logged: dict[str, Any]) -> None:
    uri, _, _ = logged["kitchen-sink"]
    loaded = load_from_model(uri)  # models:/m-... downloaded by MLflow
    assert loaded.spec.model.name == "churn-classifier"
    assert loaded.databricks_runtime is None


@pytest.fixture(scope="module")
def sklearn_model(tracking: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """kitchen-sink logged with the sklearn flavor (code layout) from a folder holding a stray uv project."""
    from sklearn.linear_model import LogisticRegression

    cwd = tmp_path_factory.mktemp("uvproj")
    (cwd / "pyproject.toml").write_text('[project]\nname = "stray"\nversion = "0"\n', encoding="utf-8")
    (cwd / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    spec = specc.load(ROOT / "examples" / "kitchen-sink" / "model-env.toml")
    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with mlflow.start_run():
            info = log_model(mlflow.sklearn, spec, sk_model=model, name="model")
    finally:
        os.chdir(here)
    return info, Path(mlflow.artifacts.download_artifacts(info.model_uri))


def test_sklearn_exact_mode_merges_flavor_defaults(sklearn_model: tuple[Any, Path]) -> None:
    info, model = sklearn_model
    reqs = _files(model, "requirements.txt")
    # the spec pins scikit-learn itself (kept); skops is the flavor's own need, never listed in the spec
    assert "scikit-learn==1.5.2" in reqs and not any(r.startswith("scikit-learn==1.9") for r in reqs)
    assert any(r.startswith("skops==") for r in reqs)
    assert reqs[-1] == "-c constraints.txt"
    assert not (model / "uv.lock").exists() and not (model / "pyproject.toml").exists()
    reloaded = mlflow.pyfunc.load_model(info.model_uri)
    assert list(reloaded.predict([[0.0], [3.0]])) == [0, 1]


def test_sklearn_code_layout_carries_the_artifact(sklearn_model: tuple[Any, Path]) -> None:
    _, model = sklearn_model
    assert (model / "code" / "specc-environment" / ARTIFACT_FILE).is_file()
    assert (model / "code" / "specc-environment" / "artifacts" / "vocab" / "vocab.json").is_file()
    loaded = load_from_model(model)
    spec = specc.load(ROOT / "examples" / "kitchen-sink" / "model-env.toml")
    assert loaded.spec.to_json() == spec.to_json()
    assert loaded.artifact.apt.debs[0].in_model_path == (
        "code/specc-environment/specc-private-packages/lib/libchurn_1.0_amd64.deb"
    )
    assert (Path(loaded.spec.base_dir) / "lib/libchurn_1.0_amd64.deb").is_file()


def test_modes_pass_exactly_one_environment_argument(tmp_path: Path) -> None:
    base = specc.load(ROOT / "examples" / "kitchen-sink" / "model-env.toml")
    for mode, key in (("exact", "pip_requirements"), ("extra", "extra_pip_requirements"), ("conda", "conda_env")):
        spec = base.model_copy(update={"mlflow": base.mlflow.model_copy(update={"pip": mode})})
        spec._base_dir = base.base_dir
        kwargs = log_model_kwargs(spec, flavor="pyfunc", out_dir=tmp_path / mode)
        assert {"pip_requirements", "extra_pip_requirements", "conda_env"} & set(kwargs) == {key}
        pip = kwargs[key]["dependencies"][-1]["pip"] if mode == "conda" else kwargs[key]
        constraint = pip[-1]
        assert constraint == f"-c {tmp_path / mode / 'constraints.txt'}" and Path(constraint[3:]).is_file()
        assert any(p.startswith("cloudpickle==") for p in pip) == (mode != "extra")
        again = log_model_kwargs(spec, flavor="pyfunc", out_dir=tmp_path / mode)  # re-staging the same folder
        assert again == kwargs
        if mode == "conda":
            assert kwargs[key]["dependencies"][0] == "python=3.11"


def test_conda_mode_logs(tracking: Path, tmp_path: Path) -> None:
    base = specc.load(ROOT / "examples" / "sklearn-basic" / "model-env.toml")
    spec = base.model_copy(update={"mlflow": base.mlflow.model_copy(update={"pip": "conda"})})
    spec._base_dir = base.base_dir
    with mlflow.start_run():
        info = log_model(mlflow.pyfunc, spec, python_model=_probe_model(["iris_features"]), name="model")
    model = Path(mlflow.artifacts.download_artifacts(info.model_uri))
    conda = yaml.safe_load((model / "conda.yaml").read_text())
    assert conda["name"] == "iris-classifier" and "scikit-learn==1.9.1" in conda["dependencies"][-1]["pip"]


def test_python_mismatch_warns(tmp_path: Path) -> None:
    base = specc.load(ROOT / "examples" / "sklearn-basic" / "model-env.toml")
    spec = base.model_copy(update={"runtime": Runtime(python="3.10")})
    spec._base_dir = base.base_dir
    with pytest.warns(RuntimeMismatchWarning, match=r"runtime.python is 3\.10"):
        log_model_kwargs(spec, out_dir=tmp_path / "a")
    dbr = base.model_copy(update={"runtime": Runtime(python="3.11", databricks="13.3.x-cpu-ml-scala2.12")})
    dbr._base_dir = base.base_dir
    with pytest.warns(RuntimeMismatchWarning, match="log and serve on the same runtime"):
        log_model_kwargs(dbr, out_dir=tmp_path / "b")


def test_missing_flavor_library_is_a_clean_error(tmp_path: Path) -> None:
    spec = specc.load(ROOT / "examples" / "gpu-torch" / "model-env.toml")
    try:
        import torch  # noqa: F401
    except ImportError:
        with pytest.raises(FlavorError, match="pytorch"):
            log_model_kwargs(spec, out_dir=tmp_path / "t")
    with pytest.raises(FlavorError, match="nosuchflavor"):
        flavor_default_requirements("nosuchflavor")


def test_log_model_refuses_conflicting_arguments() -> None:
    spec = specc.load(ROOT / "examples" / "sklearn-basic" / "model-env.toml")
    with pytest.raises(TypeError, match="pip_requirements"):
        log_model(mlflow.pyfunc, spec, pip_requirements=["x"])


@pytest.mark.slow
def test_local_wheel_serves_with_uv(tracking: Path, tmp_path: Path) -> None:
    """MLflow rebuilds the environment from the logged files alone, installs the shipped wheel, predicts."""
    if shutil.which("uv") is None and not (Path(sys.executable).parent / "uv").exists():
        pytest.fail("uv is a dev dependency and must be installed")
    from tests.infra.pypi_index import build_tiny_wheel

    repo = tmp_path / "repo"
    wheel = build_tiny_wheel(repo / "dist", name="tinypkg")
    import cloudpickle
    import pandas

    (repo / "model-env.toml").write_text(
        "spec-version = 1\n[runtime]\npython = "
        f'"{sys.version_info.major}.{sys.version_info.minor}"\n'
        f'[python]\nrequirements = ["pandas=={pandas.__version__}", "cloudpickle=={cloudpickle.__version__}"]\n'
        f'wheels = ["dist/{wheel.name}"]\n',
        encoding="utf-8",
    )
    spec = specc.load(repo / "model-env.toml")

    class Twice(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            import tinypkg

            return [tinypkg.twice(int(x)) for x in model_input["x"]]

    with mlflow.start_run():
        info = log_model(mlflow.pyfunc, spec, python_model=Twice(), name="model")
    model = Path(mlflow.artifacts.download_artifacts(info.model_uri))
    assert (model / "code" / wheel.name).is_file()
    assert f"code/{wheel.name}" in _files(model, "requirements.txt")
    (tmp_path / "in.json").write_text(json.dumps({"dataframe_split": {"columns": ["x"], "data": [[2], [5]]}}))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    script = (
        "import sys, mlflow.models\n"
        "mlflow.models.predict(sys.argv[1], input_path=sys.argv[2], content_type='json', env_manager='uv', "
        "output_path=sys.argv[3])\n"
    )
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, "-c", script, str(model), str(tmp_path / "in.json"), str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert json.loads(out.read_text())["predictions"] == [4, 10]


def test_python_api_mistakes_are_type_errors_that_say_the_fix(tmp_path: Path) -> None:
    # found as a user: log_model(model, spec=...) ended in "AttributeError: 'LogisticRegression'
    # object has no attribute '__name__'" from inside specc
    import mlflow.sklearn

    import specc
    import specc.mlflow

    (tmp_path / "model-env.toml").write_text(
        'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.11"\n', encoding="utf-8"
    )
    spec = specc.load(tmp_path / "model-env.toml")

    class Model:  # a fitted model object, passed where the flavor module goes
        def predict(self, x: Any) -> Any:
            return x

    with pytest.raises(TypeError, match=r"first argument is the flavor's module \(e\.g\. mlflow\.sklearn\), not Model"):
        specc.mlflow.log_model(Model(), spec)
    for call in (
        lambda: specc.mlflow.log_model(mlflow.sklearn, str(tmp_path / "model-env.toml")),
        lambda: specc.mlflow.log_model_kwargs(str(tmp_path / "model-env.toml")),  # type: ignore[arg-type]
    ):
        with pytest.raises(TypeError, match=r"spec is a str, not a loaded spec; load it first: spec = specc\.load"):
            call()
