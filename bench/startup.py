"""Benchmark start-up: specc's commands against the interpreter, its dependencies and its peers.

    .venv/bin/python bench/startup.py [--runs 7] [--no-peers]

Every row is a fresh process, timed wall-clock from spawn to exit, and its user+system CPU
time (which a busy shared machine moves less).  One untimed warm-up round first (byte-code
caches, page cache), then ``--runs`` rounds (at least 7) running every row in turn; the median
(and min) is printed.  The ratios are to the *dependency floor*: ``python -c "import pydantic,
packaging.requirements, tomllib"`` in the same venv, the least any command of specc can cost.

* floors: ``python -c pass``, the dependency floor, and the floor plus one trivial pydantic
  model defined and validated (``import pydantic`` is lazy, so the floor itself loads none of
  pydantic's model machinery: this row is the least a pydantic-validating command costs);
* specc (this checkout, through ``specc.cli.main`` exactly like the ``specc`` console script)
  on examples/sklearn-basic: ``validate``, ``render --target docker`` and ``compile`` into a
  fresh folder each run;
* peers, the same environment (Python 3.11, the example's three pins, a trivial model)
  rendered to a Dockerfile without docker, each installed in its own throwaway venv under
  build/bench-venvs/ (created with pip from PyPI on the first run, then reused):
  ``bentoml build`` with ``lock_packages: false`` (the Dockerfile lands in the bento store),
  ``truss image build-context`` and ``mlflow models generate-dockerfile`` (on a pyfunc model
  saved by specc's venv, as in bench/render.py).  A peer that cannot be installed or run
  prints why in its row.

The issue's targets (validate <= 1.5x, render docker <= 1.8x the dependency floor) are
printed as PASS/FAIL.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / "build" / "bench-venvs"
EXAMPLE = ROOT / "examples" / "sklearn-basic"
PINS = ["scikit-learn==1.9.1", "pandas==3.1.1", "numpy==2.4.6"]  # examples/sklearn-basic's

# The console script's body; `python -c` keeps the checkout (PYTHONPATH) in charge of `specc`.
SPECC = "from specc.cli import console; console()"
FLOOR = "import pydantic, packaging.requirements, tomllib"
# `import pydantic` is lazy: the floor does not load pydantic's model machinery (pydantic.main,
# schema generation, the plugin loader's entry-point scan).  This row shows what any command
# that validates with one BaseModel pays on top, for reading the ratios.
ONE_MODEL = FLOOR + "\nfrom pydantic import BaseModel\nclass M(BaseModel):\n    x: int\nM(x=1)"
TARGETS = {"specc validate": 1.5, "specc render --target docker": 1.8}


@dataclass
class Row:
    """One command to time; ``error`` says why it could not be measured (then it is not run)."""

    label: str
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    before: Callable[[], None] | None = None  # reset its output before every run
    check: Callable[[], str | None] | None = None  # after every run: None, or what went wrong
    times: list[float] = field(default_factory=list)  # wall-clock seconds per timed run
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the process
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def run_once(self) -> tuple[float, float] | None:
        """(wall, cpu) of one fresh process, or None after setting ``error``."""
        if self.before:
            self.before()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(self.argv, env=self.env, cwd=self.cwd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"]
            self.error = f"exit {proc.returncode}: {tail[0][:100]}"
            return None
        problem = self.check() if self.check else None
        if problem:
            self.error = problem
            return None
        return wall, (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)


def measure(rows: list[Row], runs: int) -> None:
    """One warm-up round, then ``runs`` rounds of every row in turn.

    Interleaving spreads a busy moment of a shared machine over all rows alike, so the
    ratios stay fair even when the absolute numbers move.
    """
    for i in range(runs + 1):
        for row in rows:
            if row.error:
                continue
            got = row.run_once()
            if got and i:
                row.times.append(got[0])
                row.cpu.append(got[1])


def fresh(path: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(path, ignore_errors=True)


def has_dockerfile(folder: Path) -> Callable[[], str | None]:
    """The render really happened: a Dockerfile somewhere under ``folder``."""
    return lambda: None if any(folder.rglob("Dockerfile")) else f"no Dockerfile written under {folder.name}/"


# --- peers ------------------------------------------------------------------------------------


def peer_venv(name: str, requirement: str) -> tuple[Path | None, str | None]:
    """build/bench-venvs/<name> with ``requirement`` installed: (bin folder, None) or (None, why not)."""
    venv = VENVS / name
    marker = venv / ".specc-bench-ok"
    if marker.is_file() and marker.read_text().strip() == requirement:
        return venv / "bin", None
    shutil.rmtree(venv, ignore_errors=True)
    VENVS.mkdir(parents=True, exist_ok=True)
    print(f"  (first run: installing {requirement} into {venv.relative_to(ROOT)} ...)", file=sys.stderr)
    log = VENVS / f"{name}.log"
    with log.open("w") as fh:
        for argv in (
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", requirement],
        ):
            if subprocess.run(argv, stdout=fh, stderr=subprocess.STDOUT).returncode != 0:
                last = log.read_text().strip().splitlines()[-1:] or ["?"]
                return None, f"cannot install {requirement}: {last[0][:90]} (see {log.relative_to(ROOT)})"
    marker.write_text(requirement + "\n")
    return venv / "bin", None


def bentoml_row(work: Path, env: dict[str, str]) -> Row:
    label = "bentoml build (lock_packages: false)"
    bin_dir, why = peer_venv("bentoml", "bentoml==1.4.40")
    if bin_dir is None:
        return Row(label, error=why)
    project = work / "bento"
    (project / "src").mkdir(parents=True)
    shutil.copytree(EXAMPLE / "src" / "iris_features", project / "src" / "iris_features")
    (project / "service.py").write_text(
        textwrap.dedent(
            """\
            import bentoml


            @bentoml.service
            class Predictor:
                @bentoml.api
                def predict(self, rows: list[list[float]]) -> list[int]:
                    return [0 for _ in rows]
            """
        )
    )
    packages = "".join(f"    - {p}\n" for p in PINS)
    (project / "bentofile.yaml").write_text(
        'service: "service:Predictor"\ninclude:\n  - "service.py"\n  - "src/**"\n'
        f"python:\n  packages:\n{packages}  lock_packages: false\n"
        'docker:\n  python_version: "3.11"\n'
    )
    home = work / "bentoml-home"
    env = env | {"BENTOML_HOME": str(home), "BENTOML_DO_NOT_TRACK": "true"}
    argv = [str(bin_dir / "bentoml"), "build", "-f", "bentofile.yaml", "."]
    return Row(label, argv, env, cwd=project, before=fresh(home), check=has_dockerfile(home / "bentos"))


def truss_row(work: Path, env: dict[str, str]) -> Row:
    label = "truss image build-context"
    bin_dir, why = peer_venv("truss", "truss==0.18.36")
    if bin_dir is None:
        return Row(label, error=why)
    project = work / "truss_model"
    (project / "model").mkdir(parents=True)
    (project / "model" / "model.py").write_text(
        textwrap.dedent(
            """\
            class Model:
                def load(self):
                    pass

                def predict(self, model_input):
                    return [0 for _ in model_input]
            """
        )
    )
    reqs = "".join(f"  - {p}\n" for p in PINS)
    (project / "config.yaml").write_text(
        f"model_name: iris-classifier\npython_version: py311\nrequirements:\n{reqs}"
        'resources:\n  cpu: "1"\n  memory: 2Gi\n  use_gpu: false\n'
    )
    out = work / "truss-ctx"
    argv = [str(bin_dir / "truss"), "image", "build-context", str(out), str(project)]
    return Row(label, argv, env, before=fresh(out), check=has_dockerfile(out))


def mlflow_row(work: Path, env: dict[str, str]) -> Row:
    label = "mlflow models generate-dockerfile"
    try:
        version = importlib.metadata.version("mlflow")
    except importlib.metadata.PackageNotFoundError:
        return Row(label, error="mlflow is not installed in specc's venv (needed to save the model)")
    bin_dir, why = peer_venv("mlflow", f"mlflow=={version}")
    if bin_dir is None:
        return Row(label, error=why)
    sys.path.insert(0, str(ROOT / "bench"))
    from render import mlflow_dockerfile_argv, save_model  # bench/render.py

    model = save_model(work)
    out = work / "mlflow-ctx"
    argv = mlflow_dockerfile_argv(bin_dir / "mlflow", model, out)
    return Row(label, argv, env, before=fresh(out), check=has_dockerfile(out))


# --- main -------------------------------------------------------------------------------------


def show(rows: list[Row], floor: Row) -> None:
    for row in rows:
        if row.error:
            print(f"  {row.label:<48} not measured: {row.error}")
            continue
        ratio = row.median / floor.median
        cpu = statistics.median(row.cpu)
        line = f"  {row.label:<48} {row.median:6.3f} s ({min(row.times):.3f})  {ratio:5.2f}x"
        line += f"   cpu {cpu:6.3f} s {cpu / statistics.median(floor.cpu):5.2f}x"
        if row.label in TARGETS:
            limit = TARGETS[row.label]
            line += f"   target <= {limit}x: {'PASS' if ratio <= limit else 'FAIL'}"
        print(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="timed runs per row (default and minimum 7)")
    ap.add_argument("--no-peers", action="store_true", help="leave out bentoml, truss and mlflow")
    args = ap.parse_args(argv)
    runs = max(args.runs, 7)
    py = sys.executable
    # every row gets the same environment; PYTHONPATH puts this checkout's specc first
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # byte-code caches, as a user has them
    spec = str(EXAMPLE)
    with tempfile.TemporaryDirectory(prefix="specc-bench-startup-") as tmp:
        work = Path(tmp)
        out = work / "out"
        floors = [
            Row("python -c pass", [py, "-c", "pass"], env),
            Row("dependency floor (pydantic, packaging, tomllib)", [py, "-c", FLOOR], env),
            Row("  + one pydantic model defined and validated", [py, "-c", ONE_MODEL], env),
        ]
        specc = [
            Row("specc validate", [py, "-c", SPECC, "validate", spec], env),
            Row(
                "specc render --target docker",
                [py, "-c", SPECC, "render", "--target", "docker", spec, "--out", str(out)],
                env,
                before=fresh(out),
                check=has_dockerfile(out),
            ),
            Row("specc compile", [py, "-c", SPECC, "compile", spec, "--out", str(out)], env, before=fresh(out)),
        ]
        peers = []
        if not args.no_peers:
            for make in (bentoml_row, truss_row, mlflow_row):
                try:
                    peers.append(make(work, env))
                except Exception as exc:  # a peer's setup failed: say so in its row, keep going
                    peers.append(Row(make.__name__.removesuffix("_row"), error=f"{type(exc).__name__}: {exc}"))
        measure(floors + specc + peers, runs)
    floor = floors[1]
    if floor.error:
        print(f"dependency floor not measured: {floor.error}")
        return 1
    print(
        f"start-up, median of {runs} fresh processes (min), interleaved, after one warm-up round;\n"
        "x = ratio to the dependency floor (wall-clock; cpu = user+system time of the process)"
    )
    show(floors, floor)
    print("specc, examples/sklearn-basic:")
    show(specc, floor)
    if peers:
        print("peers, the same environment rendered to a Dockerfile (throwaway venvs in build/bench-venvs):")
        show(peers, floor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
