"""The bundled example examples/private-wheel-scoring rendered as a serving image (fast: no build).

The image itself is built and asked for predictions in tests/test_docker_serve_build.py (case b);
here the rendered context is checked for how the private wheel gets in. The model, logged with
the example's own ``log_model.py``, ships the wheel as ``code/scorekit-0.1.0-py3-none-any.whl``
and lists that line in its ``requirements.txt``; the example's spec lists the same wheel under
``[python] wheels``. The spec's entry wins (specc.backends.docker.model_pip): the wheel is
installed once, from the spec's staged copy, which is byte for byte the copy the model ships.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import EXAMPLES, mlflow_tracking, run_cli

EXAMPLE = EXAMPLES / "private-wheel-scoring"
WHEEL = "scorekit-0.1.0-py3-none-any.whl"
#: where the Dockerfile's pip install finds the spec's wheels (specc.backends.docker STAGING)
IMAGE_WHEEL = f"/tmp/specc/python/wheels/{WHEEL}"


def log_example_model() -> Path:
    """Log the example's model with its own ``log_model.log()`` in the active tracking store;
    returns the downloaded model folder."""
    import mlflow

    spec = importlib.util.spec_from_file_location("private_wheel_log_model", EXAMPLE / "log_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    info = module.log()
    return Path(mlflow.artifacts.download_artifacts(info.model_uri))


def render_example(model: Path, out: Path) -> Any:
    """``specc render --target docker examples/private-wheel-scoring --model <model> --out <out>``."""
    if out.exists():
        shutil.rmtree(out)
    return run_cli("render", "--target", "docker", str(EXAMPLE), "--model", str(model), "--out", str(out))


@pytest.fixture(scope="module")
def example_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with mlflow_tracking(tmp_path_factory.mktemp("mlflow"), "serve-example-tests"):
        yield log_example_model()


def test_the_example_model_ships_its_wheel_and_code_path(example_model: Path) -> None:
    assert (example_model / "code" / WHEEL).read_bytes() == (EXAMPLE / "dist" / WHEEL).read_bytes()
    assert (example_model / "code" / "risk_model.py").is_file()
    lines = (example_model / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert f"code/{WHEEL}" in lines


def test_the_rendered_image_installs_the_wheel_once_from_the_staged_copy(example_model: Path, tmp_path: Path) -> None:
    ctx = tmp_path / "ctx"
    run = render_example(example_model, ctx)
    assert run.code == 0, run.err
    assert "error" not in run.err, run.err

    # the one pip install names the staged wheel, whose bytes are the model's own copy
    dockerfile = (ctx / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.count(IMAGE_WHEEL) == 1, dockerfile
    assert (ctx / "deps" / "python" / "wheels" / WHEEL).read_bytes() == (example_model / "code" / WHEEL).read_bytes()

    # the model's code/ line is left to the spec's entry: no second scorekit install, no path
    # relative to a folder the build does not run in
    text = (ctx / "deps" / "python" / "requirements.txt").read_text(encoding="utf-8")
    installs = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert not [ln for ln in installs if "scorekit" in ln or ln.startswith("code/")], installs
    assert f"code/{WHEEL}" in next(ln for ln in text.splitlines() if ln.startswith("# (the spec's own lines"))
    assert {"numpy==1.23.5", "pandas==1.5.3"} <= set(installs)
    assert any(ln.startswith("mlflow-skinny==") for ln in installs), installs

    # the model (with its code path) is served from /opt/model; the class is also on PYTHONPATH
    assert (ctx / "model" / "code" / "risk_model.py").is_file()
    assert (ctx / "code" / "risk_model.py").is_file()
    assert 'ENTRYPOINT ["mlflow", "models", "serve", "--model-uri", "/opt/model"' in dockerfile
