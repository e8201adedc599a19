"""Benchmark the Docker target against its peers, and the layer cache it is designed for.

1. Cold render, one fresh process per run (what a user or CI waits for):
   ``specc render --target docker --model M`` vs ``mlflow models generate-dockerfile -m M``
   on the same logged model (examples/sklearn-basic's spec; a pyfunc model saved by mlflow).
   Median of N runs each (default 5), printed with the ratio.
2. Image build with buildah (private storage, the test-suite's Debian bookworm base):
   full build vs. rebuild after changing only a code file (``--skip-build`` to leave it out).

Usage: .venv/bin/python bench/render.py [--runs 5] [--skip-build]
Other PyPI peers (truss, bentoml) are measured in /work/shared/research/peer-timings.md; they are
not installed in specc's venv.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

# `specc render` through the command module: identical to the CLI once `render` is registered.
SHIM = (
    "import argparse, sys\n"
    "from specc.cli import COMMANDS\n"
    "if 'render' in COMMANDS:\n"
    "    from specc.cli import main; sys.exit(main(sys.argv[1:]))\n"
    "from specc.commands import render\n"
    "p = argparse.ArgumentParser(prog='specc'); render.add_parser(p.add_subparsers(dest='command'))\n"
    "sys.exit(render.run(p.parse_args(sys.argv[1:])))\n"
)


def timed(argv: list[str], runs: int, before=None) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        if before:
            before()
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        out.append(time.perf_counter() - t0)
    return out


def save_model(work: Path) -> Path:
    from tests.test_docker import save_model as _save

    return _save(work / "model", ROOT / "examples" / "sklearn-basic" / "src")


def mlflow_dockerfile_argv(mlflow: Path, model: Path, out: Path) -> list[str]:
    """MLflow's own render of a saved model: a Dockerfile and build context in ``out``, no docker."""
    return [str(mlflow), "models", "generate-dockerfile", "-m", str(model), "-d", str(out), "--env-manager", "local"]


def bench_render(work: Path, runs: int) -> None:
    model = save_model(work)
    spec_dir = ROOT / "examples" / "sklearn-basic"
    out_specc, out_mlflow = work / "specc-ctx", work / "mlflow-ctx"

    def clean() -> None:
        shutil.rmtree(out_specc, ignore_errors=True)
        shutil.rmtree(out_mlflow, ignore_errors=True)

    specc_argv = [sys.executable, "-c", SHIM, "render", "--target", "docker", str(spec_dir)]
    specc_argv += ["--out", str(out_specc), "--model", str(model)]
    mlflow_argv = mlflow_dockerfile_argv(BIN / "mlflow", model, out_mlflow)
    s = timed(specc_argv, runs, clean)
    m = timed(mlflow_argv, runs, clean)
    ms, mm = statistics.median(s), statistics.median(m)
    print(f"cold render, median of {runs} (min):")
    print(f"  specc render --target docker --model   {ms:6.3f} s ({min(s):.3f})")
    print(f"  mlflow models generate-dockerfile      {mm:6.3f} s ({min(m):.3f})")
    print(f"  ratio mlflow / specc                   {mm / ms:6.2f}x")


def bench_build(work: Path) -> None:
    from specc.api import load
    from specc.backends import RenderOptions, write_rendered
    from specc.backends import docker as backend
    from tests.infra.buildah import Buildah

    repo = work / "sklearn-basic"
    shutil.copytree(ROOT / "examples" / "sklearn-basic", repo)

    def render(out: Path) -> Path:
        rendered = backend.render(load(repo / "model-env.toml"), RenderOptions())
        out.mkdir()
        write_rendered(rendered, out)
        return out

    b = Buildah()
    try:
        base = b.build_base_image()
        b.clear_cache_mounts()  # a cold pip cache: the full build downloads everything
        full = b.bud(render(work / "ctx1"), "localhost/bench:1", build_args={"BASE": base}).check()
        init = repo / "src" / "iris_features" / "__init__.py"
        init.write_text(init.read_text() + "\n# code-only change\n")
        again = b.bud(render(work / "ctx2"), "localhost/bench:2", build_args={"BASE": base}).check()
        print("buildah build of examples/sklearn-basic (serve=true, no model):")
        print(f"  full build (cold pip cache)            {full.duration:6.1f} s ({len(full.steps)} steps)")
        print(
            f"  rebuild after a code-only change       {again.duration:6.1f} s "
            f"({len(again.cached_steps())}/{len(again.steps)} steps from cache)"
        )
        print(f"  ratio                                  {full.duration / again.duration:6.1f}x")
    finally:
        b.cleanup()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-build", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="specc-bench-") as tmp:
        work = Path(tmp)
        bench_render(work, max(5, args.runs))
        if not args.skip_build and shutil.which("buildah"):
            bench_build(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
