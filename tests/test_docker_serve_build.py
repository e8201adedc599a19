"""Serving images built for real (buildah, the session's base image) that answer ``POST /invocations``.

Each model is logged with specc.mlflow.log_model to a sqlite tracking store, rendered through the
CLI (``specc render --target docker <project> --model <model>``, which checks the model first),
built exactly as a user builds it, and started with the image's own ENTRYPOINT:

* (a) a scikit-learn model whose spec lists only scikit-learn: the image must bring pandas and
  numpy (the scoring server) and skops (the flavor's default, from the model's requirements.txt);
  before, the container died with ``No module named 'pandas'``, then ``'skops'``;
* (b) the bundled example examples/private-wheel-scoring, logged by its own ``log_model.py``: a
  pyfunc model whose class is a code path (model_code/risk_model.py) and calls a private wheel
  committed with the example (scorekit); the rendered context is checked without a build in
  tests/test_docker_serve_example.py;
* (c) a model needing a system library: a pyfunc model that loads libyaml (apt package libyaml-0-2)
  through ctypes (its class is in a code path and calls a test-made private wheel too). The example
  cannot carry this case without an apt package in its spec, and an apt layer comes before the
  Python layer, so no build layer is shared: three images in all.

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
from tests.test_docker_serve_example import EXAMPLE, WHEEL, log_example_model

pytestmark = pytest.mark.slow

assert shutil.which("buildah"), "buildah is not installed: run .ci/install-system-deps.sh"


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with mlflow_tracking(tmp_path_factory.mktemp("mlflow"), "serve-build-tests") as root:
        yield root


def build_and_score(
    buildah: Buildah,
    base_image: str,
    project: Path,
    model: Path,
    work: Path,
    tag: str,
    rows: dict[str, list[Any]],
    *,
    port: int | None = None,
) -> tuple[Any, str]:
    """Render ``project`` with ``--model``, build it, run its ENTRYPOINT, POST ``rows``; (predictions, build log).

    ``port``: serve on this port instead of the image's (its ENTRYPOINT's ``--port`` value is
    replaced, what ``docker run -p <port>:<image port>`` does for a user): buildah shares the
    host's network, and a spec without a port serves on 8080, where anything else on the
    machine may already answer.
    """
    ctx = work / "ctx"
    run = render_cli(project, model, ctx)
    assert run.code == 0, run.err
    assert "error" not in run.err, run.err
    result = buildah.bud(ctx, tag, build_args={"BASE": base_image}).check()
    started = time.monotonic()
    config = json.loads(buildah._buildah(["inspect", "--type", "image", tag]).stdout)["Docker"]["config"]
    image_port = int(next(iter(config["ExposedPorts"])).split("/")[0])
    argv = list(config["Entrypoint"])
    if port is not None:
        at = argv.index("--port") + 1
        assert argv[at] == str(image_port), argv
        argv[at] = str(port)
    with buildah.start_server(tag, argv, port or image_port, ready_path="/ping", timeout=240) as server:
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


def test_b_the_private_wheel_example_is_served(
    buildah: Buildah, base_image: str, tracking: Path, tmp_path: Path
) -> None:
    """examples/private-wheel-scoring as its README says: logged by its log_model.py, rendered with
    the example's own spec, built, and asked for 0.01 * amount + 0.5 * age."""
    model = log_example_model()
    assert (model / "code" / WHEEL).is_file()
    assert (model / "code" / "risk_model.py").is_file()
    amounts, ages = [100.0, 250.5, 0.0], [30, 41, 18]
    rows: dict[str, list[Any]] = {"amount": amounts, "age": ages}
    tag = "localhost/specc-serve-private-wheel:1"
    predictions, log = build_and_score(buildah, base_image, EXAMPLE, model, tmp_path, tag, rows, port=free_port())
    expected = [0.01 * a + 0.5 * g for a, g in zip(amounts, ages, strict=True)]  # the README's formula
    # the model returns a Series and its signature's output is one unnamed double column: the
    # scoring server answers one record per row, keyed by the column name pandas gives it
    assert predictions == [{"0": pytest.approx(v)} for v in expected], predictions
    assert "scorekit" in log
    # the wheel is what the image installed (not a copy of the source on a path)
    probe = ["python", "-c", "import importlib.metadata as m; print(m.version('scorekit'))"]
    assert buildah.run(tag, probe, check=True).stdout.strip() == "0.1.0"


def test_c_model_needing_a_system_library(buildah: Buildah, base_image: str, tracking: Path, tmp_path: Path) -> None:
    """A pyfunc model whose class is in a code path, calls a private wheel and loads libyaml: each
    part fails the answer on its own."""
    project = pyfunc_project(tmp_path / "project", port=free_port())
    model = log_code_model(project, "twice_model", "TwiceWithLibyaml")
    assert (model / "code" / "tinypkg-0.1.0-py3-none-any.whl").is_file()
    assert (model / "code" / "twice_model" / "__init__.py").is_file()
    tag = "localhost/specc-serve-pyfunc:1"
    predictions, _ = build_and_score(buildah, base_image, project, model, tmp_path, tag, {"x": [2, 5]})
    # tinypkg.twice(x) + 1 from the code path's class, and the version libyaml reports
    assert [p.split("@")[0] for p in predictions] == ["5", "11"]
    assert all(p.split("@")[1].startswith("libyaml-0.") for p in predictions), predictions
    # the library comes from the image's apt layer: the base image alone does not have it
    probe = ["python3", "-c", "import ctypes; ctypes.CDLL('libyaml-0.so.2')"]
    assert buildah.run(base_image, probe).returncode != 0
    assert buildah.run(tag, probe).returncode == 0
