"""Benchmark: ``specc check --model`` on logged models (cold CLI process and warm in-process).

    .venv/bin/python bench/check.py [--runs 5]

Logs two models once into a throwaway sqlite tracking store: examples/sklearn-basic with
``mlflow.sklearn`` (code layout; the check asks the flavor for its default requirements, so it
imports MLflow) and examples/kitchen-sink with ``mlflow.pyfunc`` (artifacts layout, wheels,
private packages, constraints).  Then times, per model:

* ``specc check --model DIR`` as a fresh process (what a CI step or pre-deploy hook pays),
* ``specc check --model models:/...`` as a fresh process (MLflow downloads the model first),
* ``specc.drift.check_model`` in-process after a warm-up (the comparison itself).

One warm-up run of each is discarded; the median of ``--runs`` (at least 5) is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _median(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per variant (default 5, minimum 5)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 5)
    warnings.filterwarnings("ignore")

    import logging

    import mlflow
    from sklearn.linear_model import LogisticRegression

    import specc
    import specc.mlflow
    from specc.drift import check_model

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="specc-bench-check-"))
    here = os.getcwd()
    os.chdir(tmp)
    uri = f"sqlite:///{tmp}/mlflow.db"
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(experiment_id=mlflow.create_experiment("bench", artifact_location=(tmp / "a").as_uri()))

    class Echo(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input

    models = {}
    try:
        spec = specc.load(ROOT / "examples" / "sklearn-basic" / "model-env.toml")
        sk = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
        with mlflow.start_run():
            info = specc.mlflow.log_model(mlflow.sklearn, spec, sk_model=sk, name="model")
        models["sklearn-basic"] = info.model_uri
        spec = specc.load(ROOT / "examples" / "kitchen-sink" / "model-env.toml")
        with mlflow.start_run():
            info = mlflow.pyfunc.log_model(
                name="model", python_model=Echo(), **specc.mlflow.log_model_kwargs(spec, flavor="pyfunc")
            )
        models["kitchen-sink"] = info.model_uri

        env = {**os.environ, "MLFLOW_TRACKING_URI": uri}
        specc_bin = [sys.executable, "-m", "specc.cli"]
        print(f"specc check --model, median of {runs} runs (after one warm-up)")
        print(f"{'model':<15} {'CLI, folder':>12} {'CLI, models:/':>14} {'in-process':>11}")
        for example, model_uri in models.items():
            folder = mlflow.artifacts.download_artifacts(model_uri)
            spec_dir = str(ROOT / "examples" / example)
            spec = specc.load(Path(spec_dir) / "model-env.toml")
            assert check_model(spec, folder) == [], f"{example}: unexpected drift"

            def cli(target: str, spec_dir: str = spec_dir) -> None:
                proc = subprocess.run([*specc_bin, "check", spec_dir, "--model", target], env=env, capture_output=True)
                assert proc.returncode == 0, proc.stderr.decode()[-2000:]

            t_dir = _median(lambda folder=folder, cli=cli: cli(folder), runs)
            t_uri = _median(lambda model_uri=model_uri, cli=cli: cli(model_uri), runs)
            t_in = _median(lambda spec=spec, folder=folder: check_model(spec, folder), runs)
            print(f"{example:<15} {t_dir:>11.2f}s {t_uri:>13.2f}s {t_in * 1000:>9.0f}ms")
    finally:
        os.chdir(here)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
