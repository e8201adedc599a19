"""Serving images built for real (buildah, the session's base image) that answer ``POST /invocations``.

Each model is logged with specc.mlflow.log_model to a sqlite tracking store, rendered through the
CLI (``specc render --target docker <project> --model <model>``, which checks the model first),
built exactly as a user builds it, and started with the image's own ENTRYPOINT:

* (a) a scikit-learn model whose spec lists only scikit-learn: the image must bring pandas and
  numpy (the scoring server) and skops (the flavor's default, from the model's requirements.txt);
  before, the container died with ``No module named 'pandas'``, then ``'skops'``;
* (b) a pyfunc model whose class lives in a code path and calls a private wheel built here,
* (c) which also loads a C library (libyaml, apt package libyaml-0-2) through ctypes: (b) and (c)
  are one model and one image, so the suite pays for two builds, not three.

The builds share the session's base image and pip's cache mount.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import mlflow_tracking
from tests.infra.buildah import Buildah, free_port
from tests.test_docker_serve import (
    log_code_model,
    log_sklearn,
    pyfunc_project,
    render_cli,
    requirement_lines,
    sklearn_project,
)

pytestmark = pytest.mark.slow

assert shutil.which("buildah"), "buildah is not installed: run .ci/install-system-deps.sh"


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with mlflow_tracking(tmp_path_factory.mktemp("mlflow"), "serve-build-tests") as root:
        yield root


def build_and_score(
    buildah: Buildah, base_image: str, project: Path, model: Path, work: Path, tag: str, rows: dict[str, list[Any]]
) -> tuple[Any, str]:
    """Render ``project`` with ``--model``, build it, run its ENTRYPOINT, POST ``rows``; (predictions, build log)."""
    ctx = work / "ctx"
    run = render_cli(project, model, ctx)
    assert run.code == 0, run.err
    assert "error" not in run.err, run.err
    result = buildah.bud(ctx, tag, build_args={"BASE": base_image}).check()
    started = time.monotonic()
    config = json.loads(buildah._buildah(["inspect", "--type", "image", tag]).stdout)["Docker"]["config"]
    port = int(next(iter(config["ExposedPorts"])).split("/")[0])
    with buildah.start_server(tag, config["Entrypoint"], port, ready_path="/ping", timeout=240) as server:
        data = [list(r) for r in zip(*rows.values(), strict=True)]
        body = json.dumps({"dataframe_split": {"columns": list(rows), "data": data}})
        request = urllib.request.Request(
            f"{server.url}/invocations", data=body.encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = json.loads(response.read())
        except Exception as exc:  # the server's log says why (an import error, a failed load...)
            raise AssertionError(f"{exc}\n--- server log ---\n{server.log()[-4000:]}") from exc
    print(f"{tag}: build {result.duration:.1f} s, serve and score {time.monotonic() - started:.1f} s")
    return answer["predictions"], result.log


def test_a_sklearn_model_whose_spec_lists_only_scikit_learn(
    buildah: Buildah, base_image: str, tracking: Path, tmp_path: Path
) -> None:
    project = sklearn_project(tmp_path / "project", port=free_port())
    model = log_sklearn(project)
    predictions, log = build_and_score(
        buildah,
        base_image,
        project,
        model,
        tmp_path,
        "localhost/specc-serve-sklearn:1",
        {"a": [0.0, 3.0], "b": [1.0, 0.0]},
    )
    assert predictions == [0, 1]
    names = {ln.split("==")[0] for ln in requirement_lines(tmp_path / "ctx")}
    assert {"skops", "pandas", "numpy", "mlflow-skinny"} <= names
    assert "Successfully installed" in log


@pytest.fixture(scope="module")
def pyfunc_served(buildah: Buildah, base_image: str, tracking: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """(b) and (c) in one image, to keep the suite's build time down: the pyfunc model's class is in
    a code path, calls the private wheel and loads libyaml; each part fails the answer on its own."""
    work = tmp_path_factory.mktemp("pyfunc")
    project = pyfunc_project(work / "project", port=free_port())
    model = log_code_model(project, "twice_model", "TwiceWithLibyaml")
    tag = "localhost/specc-serve-pyfunc:1"
    predictions, _ = build_and_score(buildah, base_image, project, model, work, tag, {"x": [2, 5]})
    return {"model": model, "predictions": predictions, "tag": tag}


def test_b_pyfunc_model_with_a_private_wheel_and_a_code_path(pyfunc_served: dict) -> None:  # type: ignore[type-arg]
    model = pyfunc_served["model"]
    assert (model / "code" / "tinypkg-0.1.0-py3-none-any.whl").is_file()
    assert (model / "code" / "twice_model" / "__init__.py").is_file()
    # tinypkg.twice(x) + 1, computed by the class from the code path
    assert [p.split("@")[0] for p in pyfunc_served["predictions"]] == ["5", "11"]


def test_c_model_needing_a_system_library(buildah: Buildah, base_image: str, pyfunc_served: dict) -> None:  # type: ignore[type-arg]
    predictions = pyfunc_served["predictions"]
    assert all(p.split("@")[1].startswith("libyaml-0.") for p in predictions), predictions
    # the library comes from the image's apt layer: the base image alone does not have it
    probe = ["python3", "-c", "import ctypes; ctypes.CDLL('libyaml-0.so.2')"]
    assert buildah.run(base_image, probe).returncode != 0
    assert buildah.run(pyfunc_served["tag"], probe).returncode == 0
