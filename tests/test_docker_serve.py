"""``specc render --target docker --model``: what a serving image installs, and the model check first.

Models are logged for real (MLflow, a sqlite tracking store per module) and rendered through the
CLI, the way a user renders them.  The images themselves are built and asked for predictions in
tests/test_docker_serve_build.py (slow); here every fault kind has a fast test:

* the requirements of the scikit-learn case (a spec listing only scikit-learn) hold the flavor's
  defaults from the model (skops, cloudpickle) and the scoring server's packages (mlflow-skinny at
  the logged version, numpy, pandas), in one file, each package once;
* a 3.10 spec with a 3.11 model is an error and writes nothing; a patch-only difference warns;
* a model logged without specc (no specc-environment.json) warns with a hint;
* the model's local wheel lines are staged and rewritten; an absolute path is SPC339;
* ``--locked``: what the model adds must be pinned by the lock (SPC339), the server's packages too (SPC338).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specc.api import load
from tests.helpers import mlflow_tracking, run_cli
from tests.infra.pypi_index import build_tiny_wheel

ROOT = Path(__file__).resolve().parent.parent
PY = f"{sys.version_info.major}.{sys.version_info.minor}"


# --- projects and models (shared with tests/test_docker_serve_build.py) ----------------------


def write_spec(root: Path, body: str, *, name: str, port: int | None = None) -> Path:
    """``root/model-env.toml``: ``body`` under a [model] name and this Python's runtime, serving on ``port``."""
    root.mkdir(parents=True, exist_ok=True)
    serve = "[targets.docker]\nserve = true\n" + (f"port = {port}\n" if port else "")
    text = f'spec-version = 1\n[model]\nname = "{name}"\n[runtime]\npython = "{PY}"\n{body}{serve}'
    (root / "model-env.toml").write_text(text, encoding="utf-8")
    return root


def sklearn_project(root: Path, port: int | None = None) -> Path:
    """The reported case: a spec listing only scikit-learn, flavor sklearn, serve = true."""
    import sklearn

    body = f'[python]\nrequirements = ["scikit-learn=={sklearn.__version__}"]\n[mlflow]\nflavor = "sklearn"\n'
    return write_spec(root, body, name="iris-sk", port=port)


def log_sklearn(project: Path) -> Path:
    """A LogisticRegression on two named columns, logged with specc.mlflow.log_model (sklearn
    flavor: MLflow 3 saves it with skops); returns the downloaded model folder."""
    import mlflow
    import mlflow.sklearn
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from specc.mlflow import log_model

    x = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 1.0, 0.0, 0.0]})
    model = LogisticRegression().fit(x, [0, 0, 1, 1])
    spec = load(project / "model-env.toml")
    with mlflow.start_run():
        info = log_model(mlflow.sklearn, spec, sk_model=model, name="model")
    return Path(mlflow.artifacts.download_artifacts(info.model_uri))


PYFUNC_PROJECT_CODE = '''\
"""A pyfunc model whose class lives in a code path, whose work is done by a private wheel and
which calls a C library from an apt package (libyaml) through ctypes."""

import ctypes

import mlflow.pyfunc


class TwiceWithLibyaml(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        import tinypkg  # the private wheel: installed where the model serves, not where it is logged

        lib = ctypes.CDLL("libyaml-0.so.2")
        lib.yaml_get_version_string.restype = ctypes.c_char_p
        version = lib.yaml_get_version_string().decode()
        return [f"{tinypkg.twice(int(x)) + 1}@libyaml-{version}" for x in model_input["x"]]
'''


def pyfunc_project(root: Path, port: int | None = None) -> Path:
    """A spec with a private wheel (tinypkg, built here), a code path holding the model class, and
    the apt package libyaml-0-2 (libyaml-0.so.2, which the model loads; the base image lacks it)."""
    wheel = build_tiny_wheel(root / "dist", "tinypkg", "0.1.0")
    code = root / "src" / "twice_model"
    code.mkdir(parents=True)
    (code / "__init__.py").write_text(PYFUNC_PROJECT_CODE, encoding="utf-8")
    body = (
        f'[python]\nwheels = ["dist/{wheel.name}"]\n[code]\npaths = ["src/twice_model"]\n'
        '[apt]\npackages = ["libyaml-0-2"]\n'
    )
    return write_spec(root, body, name="twice", port=port)


def log_code_model(project: Path, module: str, cls: str) -> Path:
    """An instance of ``module.cls`` (from the project's code path) logged with specc.mlflow.log_model
    (pyfunc): cloudpickle pickles it by reference, so serving must import it from the code path."""
    import importlib

    import mlflow
    import mlflow.pyfunc

    from specc.mlflow import log_model

    src = str(project / "src")
    sys.path.insert(0, src)
    try:
        model = getattr(importlib.import_module(module), cls)()
        spec = load(project / "model-env.toml")
        with mlflow.start_run():
            info = log_model(mlflow.pyfunc, spec, python_model=model, name="model")
    finally:
        sys.path.remove(src)
        sys.modules.pop(module, None)
    return Path(mlflow.artifacts.download_artifacts(info.model_uri))


def render_cli(project: Path, model: Path, out: Path, *extra: str) -> Any:
    """``specc render --target docker <project> --model <model> --out <out>`` in-process."""
    if out.exists():
        shutil.rmtree(out)
    return run_cli("render", "--target", "docker", str(project), "--model", str(model), "--out", str(out), *extra)


def requirement_lines(ctx: Path) -> list[str]:
    text = (ctx / "deps" / "python" / "requirements.txt").read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln and not ln.startswith("#")]


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with mlflow_tracking(tmp_path_factory.mktemp("mlflow"), "serve-tests") as root:
        yield root


@pytest.fixture(scope="module")
def sklearn_case(tracking: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    project = sklearn_project(tmp_path_factory.mktemp("sk") / "project")
    return project, log_sklearn(project)


# --- (a) the requirements of a spec listing only scikit-learn ----------------------------------


def test_sklearn_image_installs_flavor_defaults_and_server_packages(
    sklearn_case: tuple[Path, Path], tmp_path: Path
) -> None:
    import mlflow
    import sklearn

    project, model = sklearn_case
    logged = (model / "requirements.txt").read_text().split()
    assert any(r.startswith("skops==") for r in logged), logged  # the flavor default the spec never lists
    run = render_cli(project, model, tmp_path / "ctx")
    assert run.code == 0, run.err
    assert "warning" not in run.err and "error" not in run.err, run.err
    lines = requirement_lines(tmp_path / "ctx")
    names = [ln.split("==")[0] for ln in lines]
    assert len(names) == len(set(names)), lines  # one resolution, each package once
    assert lines[0] == f"scikit-learn=={sklearn.__version__}"  # the spec's own line first
    skops = next(r for r in logged if r.startswith("skops=="))
    assert skops in lines  # the model's pin, as logged
    # the model's `mlflow==` pin is served by mlflow-skinny at that version, plus what the
    # scoring server imports (mlflow.pyfunc: numpy; mlflow.pyfunc.scoring_server: pandas)
    assert f"mlflow=={mlflow.__version__}" in logged and "mlflow" not in names
    assert lines[-3:] == [f"mlflow-skinny=={mlflow.__version__}", "numpy", "pandas"]
    dockerfile = (tmp_path / "ctx" / "Dockerfile").read_text()
    assert dockerfile.count("pip install") == 1  # one install, no second resolution


def test_the_server_packages_are_the_ones_mlflow_imports() -> None:
    """The list in docker.SERVER_PACKAGES against MLflow's own source: every third-party module the
    scoring server's import chain needs that mlflow-skinny does not require."""
    import importlib.metadata as md

    from packaging.requirements import Requirement

    from specc.backends.docker import SERVER_PACKAGES

    skinny = {Requirement(r).name.lower() for r in md.requires("mlflow-skinny") or [] if "extra ==" not in r}
    assert {"fastapi", "uvicorn", "starlette"} <= skinny  # the server itself comes with mlflow-skinny 3.x
    assert not set(SERVER_PACKAGES[3]) & skinny
    source = Path(md.distribution("mlflow-skinny").locate_file("mlflow/pyfunc/__init__.py")).read_text()
    server = Path(md.distribution("mlflow-skinny").locate_file("mlflow/pyfunc/scoring_server/__init__.py")).read_text()
    assert "\nimport numpy as np" in source  # module level: `mlflow models serve` dies without it
    assert "import pandas as pd" in server


# --- the model check before rendering ---------------------------------------------------------


def test_python_minor_mismatch_is_an_error(sklearn_case: tuple[Path, Path], tmp_path: Path) -> None:
    project, model = sklearn_case
    other = tmp_path / "py310"
    shutil.copytree(project, other)
    spec_file = other / "model-env.toml"
    spec_file.write_text(spec_file.read_text().replace(f'python = "{PY}"', 'python = "3.10"'))
    run = render_cli(other, model, tmp_path / "ctx")
    assert run.code == 1
    assert "error[SPC530]" in run.err and "error[SPC531]" in run.err, run.err
    assert "nothing written" in run.err and not (tmp_path / "ctx").exists()
    # the same comparison as `specc check --model`
    check = run_cli("check", str(other), "--model", str(model))
    assert check.code == 1 and "SPC531" in check.err


def test_python_patch_mismatch_only_warns(sklearn_case: tuple[Path, Path], tmp_path: Path) -> None:
    project, model = sklearn_case
    other = tmp_path / "patch"
    shutil.copytree(project, other)
    spec_file = other / "model-env.toml"
    spec_file.write_text(spec_file.read_text().replace(f'python = "{PY}"', f'python = "{PY}.0"'))
    # the runtime section differs from the logged artifact too: rewrite the artifact's copy so only
    # the Python versions of python_env.yaml / MLmodel (3.11.x, not 3.11.0) differ
    model_copy = tmp_path / "model"
    shutil.copytree(model, model_copy)
    for art in model_copy.rglob("specc-environment.json"):
        data = json.loads(art.read_text())
        data["runtime"]["python"] = f"{PY}.0"
        art.write_text(json.dumps(data))
    run = render_cli(other, model_copy, tmp_path / "ctx")
    assert "warning[SPC531]" in run.err and "same minor version" in run.err, run.err
    assert "error[SPC531]" not in run.err


def test_unrelated_model_without_specc_artifact_warns(tmp_path: Path) -> None:
    """A model saved by plain MLflow (no specc-environment.json) whose requirements the spec covers."""
    import mlflow.sklearn
    import sklearn
    import skops
    from sklearn.linear_model import LogisticRegression

    model = tmp_path / "plain"
    sk = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    mlflow.sklearn.save_model(
        sk, str(model), pip_requirements=[f"scikit-learn=={sklearn.__version__}", f"skops=={skops.__version__}"]
    )
    assert not list(model.rglob("specc-environment.json"))
    project = sklearn_project(tmp_path / "project")
    run = render_cli(project, model, tmp_path / "ctx")
    assert run.code == 0, run.err
    assert "warning[SPC520]" in run.err and "hint: the image installs the model's requirements.txt" in run.err
    assert "error" not in run.err
    assert f"skops=={skops.__version__}" in requirement_lines(tmp_path / "ctx")
    # --strict makes the warning an error, as for every other warning
    strict = render_cli(project, model, tmp_path / "ctx2", "--strict")
    assert strict.code == 1 and "SPC520" in strict.err


def test_malformed_mlmodel_is_a_clean_error(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "MLmodel").write_text("flavors: [not, a, mapping]\n")
    project = sklearn_project(tmp_path / "project")
    run = render_cli(project, model, tmp_path / "ctx")
    assert run.code == 1
    assert "specc render:" in run.err and "flavors: expected a mapping" in run.err and "Traceback" not in run.err


def test_a_model_from_another_spec_is_drift(sklearn_case: tuple[Path, Path], tmp_path: Path) -> None:
    _, model = sklearn_case
    project = write_spec(tmp_path / "other", '[python]\nrequirements = ["scikit-learn==1.5.2"]\n', name="iris-sk")
    run = render_cli(project, model, tmp_path / "ctx")
    assert run.code == 1 and "error[SPC502]" in run.err, run.err


# --- the model's local files and lines no build can install ------------------------------------


def _plain_model(tmp_path: Path, lines: list[str]) -> Path:
    """A model folder as MLflow lays it out, with ``requirements.txt`` holding ``lines``."""
    model = tmp_path / "model"
    (model / "code").mkdir(parents=True)
    (model / "MLmodel").write_text(
        "flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n"
        f"    python_version: {PY}.7\nmlflow_version: 3.17.2\n"
    )
    (model / "requirements.txt").write_text("\n".join(lines) + "\n")
    return model


def test_model_wheel_is_staged_and_rewritten(tmp_path: Path) -> None:
    from specc.backends import RenderOptions
    from specc.backends import docker as backend
    from specc.mlmodel import read_mlmodel

    model = _plain_model(tmp_path, ["mlflow==3.17.2", "code/acme-1.0-py3-none-any.whl", "-c constraints.txt"])
    wheel = build_tiny_wheel(model / "code", "acme", "1.0")
    (model / "constraints.txt").write_text("numpy<3\n")
    spec = load(write_spec(tmp_path / "p", "", name="acme") / "model-env.toml")
    out = backend.render(spec, RenderOptions(model_dir=model, mlmodel=read_mlmodel(model)))
    assert out.diagnostics == []
    reqs = [ln for ln in out.files["deps/python/requirements.txt"].decode().splitlines() if not ln.startswith("#")]
    assert reqs == [
        "/tmp/specc/python/model/code/acme-1.0-py3-none-any.whl",
        "-c /tmp/specc/python/model/constraints.txt",
        "mlflow-skinny==3.17.2",
        "numpy",
        "pandas",
    ]
    assert out.files["deps/python/model/code/acme-1.0-py3-none-any.whl"] == wheel
    assert out.files["deps/python/model/constraints.txt"] == model / "constraints.txt"


def test_unreachable_model_paths_are_spc339(tmp_path: Path) -> None:
    from specc.backends import RenderOptions
    from specc.backends import docker as backend

    model = _plain_model(tmp_path, ["/home/me/dist/acme-1.0-py3-none-any.whl", "code/missing-1.0-py3-none-any.whl"])
    spec = load(write_spec(tmp_path / "p", "", name="acme") / "model-env.toml")
    out = backend.render(spec, RenderOptions(model_dir=model))
    assert [(d.code, d.severity) for d in out.diagnostics] == [("SPC339", "error"), ("SPC339", "error")]
    assert "Dockerfile" not in out.files


def test_spec_wheel_wins_over_the_models_copy(tmp_path: Path) -> None:
    """A model logged by specc lists the spec's wheel as code/<wheel>: installed once, from the spec."""
    from specc.backends import RenderOptions
    from specc.backends import docker as backend

    project = pyfunc_project(tmp_path / "p")
    model = _plain_model(tmp_path, ["mlflow==3.17.2", "code/tinypkg-0.1.0-py3-none-any.whl", "cloudpickle==3.1.3"])
    shutil.copy(project / "dist" / "tinypkg-0.1.0-py3-none-any.whl", model / "code")
    out = backend.render(load(project / "model-env.toml"), RenderOptions(model_dir=model))
    text = out.files["deps/python/requirements.txt"].decode()
    assert "tinypkg" not in text.replace("# (the spec's own lines stand for: code/tinypkg-0.1.0-py3-none-any.whl)", "")
    assert "cloudpickle==3.1.3" in text.splitlines()
    assert "/tmp/specc/python/wheels/tinypkg-0.1.0-py3-none-any.whl" in out.files["Dockerfile"].decode()


# --- --locked -----------------------------------------------------------------------------------


def _lock(spec: Any, packages: dict[str, str]) -> Any:
    from specc.lockfile import LockedPython, LockedPythonPackage, new_lock

    pkgs = [
        LockedPythonPackage(name=n, version=v, hashes=[f"sha256:{'0' * 64}"], platforms=[])
        for n, v in sorted(packages.items())
    ]
    python = LockedPython(python_version=PY, platforms=["x86_64-manylinux_2_28"], resolver="hand", packages=pkgs)
    return new_lock(spec, python)


def test_locked_names_what_the_model_adds_and_the_lock_lacks(sklearn_case: tuple[Path, Path]) -> None:
    import mlflow
    import sklearn

    from specc.backends import docker as backend
    from specc.mlmodel import read_mlmodel

    project, model = sklearn_case
    spec = load(project / "model-env.toml")
    mlmodel = read_mlmodel(model)
    bare = _lock(spec, {"scikit-learn": sklearn.__version__})
    out = backend.render(spec, backend.DockerOptions(model_dir=model, mlmodel=mlmodel, locked=bare))
    skops = next(r for r in (model / "requirements.txt").read_text().split() if r.startswith("skops"))
    assert ("SPC339", skops) in {(d.code, d.message.split("`")[1]) for d in out.diagnostics}
    server = [d.message for d in out.diagnostics if d.code == "SPC338"]
    assert len(server) == 1 and "`numpy`" in server[0] and "`pandas`" in server[0], server
    assert all(d.severity == "error" for d in out.diagnostics) and "Dockerfile" not in out.files

    logged = dict(
        r.split("==") for r in (model / "requirements.txt").read_text().split() if "==" in r and not r.startswith("-")
    )
    full = _lock(spec, {**logged, "mlflow-skinny": mlflow.__version__, "numpy": "2.4.6", "pandas": "3.1.1"})
    out = backend.render(spec, backend.DockerOptions(model_dir=model, mlmodel=mlmodel, locked=full))
    assert out.diagnostics == [], out.diagnostics
    text = out.files["deps/python/requirements.txt"].decode()
    assert "--require-hashes" in out.files["Dockerfile"].decode() and "skops==" in text
