"""Benchmark: ``log_model`` with MLflow's requirement inference vs with specc-compiled kwargs.

    .venv/bin/python bench/log_model.py [--runs 5]

Same model (a scikit-learn LogisticRegression on iris, ``mlflow.sklearn``, same input
example) logged alternately both ways into a throwaway sqlite tracking store; the specc
timing includes ``specc.load`` and ``log_model_kwargs`` (staging, flavor defaults).  One
warm-up run of each is discarded; the median of ``--runs`` runs each is reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per variant (default 5, minimum 5)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 5)
    warnings.filterwarnings("ignore")

    import logging

    import mlflow
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    import specc
    import specc.mlflow

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="specc-bench-"))
    os.chdir(tmp)  # keep MLflow's default ./mlruns and any uv detection out of the repository
    mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
    mlflow.set_experiment(experiment_id=mlflow.create_experiment("bench", artifact_location=(tmp / "a").as_uri()))

    iris = load_iris(as_frame=True)
    X, y = iris.data, iris.target
    model = LogisticRegression(max_iter=500).fit(X, y)
    example = X.head(3)
    spec_path = ROOT / "examples" / "sklearn-basic" / "model-env.toml"

    def inferred() -> None:
        mlflow.sklearn.log_model(model, name="model", input_example=example)

    def compiled() -> None:
        spec = specc.load(spec_path)
        specc.mlflow.log_model(mlflow.sklearn, spec, sk_model=model, name="model", input_example=example)

    times: dict[str, list[float]] = {"mlflow inference": [], "specc kwargs": []}
    with mlflow.start_run():
        inferred(), compiled()  # warm-up (imports, db)
        for _ in range(runs):
            for name, fn in (("mlflow inference", inferred), ("specc kwargs", compiled)):
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"mlflow {mlflow.__version__}, python {sys.version.split()[0]}, {runs} runs each (median)")
    for k, v in times.items():
        print(f"  {k:17s} median {med[k]:.3f}s  (min {min(v):.3f}s, max {max(v):.3f}s)")
    print(f"ratio inference/specc: {med['mlflow inference'] / med['specc kwargs']:.1f}x")
    os.chdir(ROOT)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
