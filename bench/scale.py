"""Benchmark scale: specs with 1,000, 10,000 and 100,000 Python dependencies.

    .venv/bin/python bench/scale.py [--sizes 1000,10000,100000] [--runs 1] [--profile N]

For each size a spec is generated into a temporary folder: a small model-env.toml (well under
the 1 MiB limit) naming a few requirements files that hold the bulk, with realistic distinct
project names (mixed case, ``_``/``.``/``-`` spellings that canonicalize apart), ``==`` pins,
some extras, environment markers, comments and one ``-r`` include.  Then one fresh process
per size does, through the Python API, timing each stage:

* validate: ``specc.api.check`` (read, parse, validate, normalize, hash);
* compile, render docker, render databricks: the target's render, written atomically into a
  fresh folder as the CLI writes it, with the cyclic garbage collector paused as the CLI
  pauses it for a command (validation pauses it itself: see specc.gcpause).

Printed: each stage per size, the total, the cost per dependency, and two checks from the
issue: the 100,000 total is under 3 s, and growth is linear (the per-dependency cost at
the largest size is within 1.5x of the one at the size before it).  ``--profile N`` runs
size N under cProfile instead and prints the top functions by own and cumulative time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's specc, also for --profile in this process
STAGES = ("validate", "compile", "render docker", "render databricks")
TOTAL_LIMIT_S = 3.0  # the bound for 100,000 dependencies
GROWTH_LIMIT = 1.5

_PREFIXES = [
    "py", "django", "flask", "pytest", "types", "azure", "google-cloud", "aws", "sphinx", "jupyter",
    "apache-airflow-providers", "opentelemetry", "mkdocs", "napari", "dagster", "prefect", "fastapi",
    "sqlalchemy", "pyramid", "plone", "odoo-addon", "ckanext", "collective", "tox", "pre-commit",
]  # fmt: skip
_WORDS = [
    "json", "yaml", "http", "async", "redis", "kafka", "graph", "vision", "audio", "geo", "time",
    "cache", "auth", "crypto", "stream", "search", "storage", "queue", "metrics", "trace", "log",
    "config", "schema", "table", "frame", "array", "tensor", "text", "token", "image", "video",
    "mail", "sms", "pdf", "excel", "csv", "xml", "html", "markdown", "rest", "grpc", "socket",
    "signal", "batch", "shard", "vector", "index", "query", "report", "chart", "plot", "map",
    "task", "worker", "pool", "lock", "retry", "rate", "limit", "mock",
]  # fmt: skip
_SUFFIXES = ["", "-utils", "-client", "-core", "-tools", "-sdk", "-plugin", "-api", "2", "-lite"]
_EXTRAS = ["cli", "async", "all", "dev", "s3"]
_MARKERS = ['python_version >= "3.9"', 'sys_platform == "linux"', 'platform_machine == "x86_64"']


def project_names(count: int, seed: int = 10) -> list[str]:
    """``count`` distinct PyPI-looking names, in a mix of spellings; distinct once canonicalized."""
    rng = random.Random(seed)
    names: list[str] = []
    for prefix in _PREFIXES:
        for first in _WORDS:
            for second in _WORDS:
                if first == second:
                    continue
                for suffix in _SUFFIXES:
                    names.append(f"{prefix}-{first}-{second}{suffix}")
    if count > len(names):
        raise SystemExit(f"at most {len(names):,} generated names")
    picked = rng.sample(names, count)
    out = []
    for name in picked:
        style = rng.random()
        if style < 0.1:
            name = name.replace("-", "_")
        elif style < 0.15:
            name = name.replace("-", ".", 1)
        elif style < 0.2:
            name = name.title()
        out.append(name)
    return out


def requirement_lines(names: list[str], seed: int = 10) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for i, name in enumerate(names):
        if i % 250 == 0:
            lines.append(f"# --- group {i // 250} ---")
        line = f"{name}=={rng.randint(0, 30)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}"
        roll = rng.random()
        if roll < 0.05:
            line = f"{name}[{rng.choice(_EXTRAS)}]=={line.split('==', 1)[1]}"
        elif roll < 0.10:
            line += f" ; {rng.choice(_MARKERS)}"
        lines.append(line)
    return lines


def write_spec(folder: Path, size: int, files: int = 4) -> Path:
    """A spec with ``size`` Python dependencies: 10 in the TOML, the rest in ``files`` files."""
    names = project_names(size)
    inline, bulk = names[:10], requirement_lines(names[10:])
    chunk = -(-len(bulk) // files)
    listed = []
    for i in range(files):
        part = bulk[i * chunk : (i + 1) * chunk]
        fname = f"requirements-{i}.txt"
        if i == files - 1:  # the last one is reached through a -r include of the one before
            (folder / fname).write_text("\n".join(part) + "\n")
            continue
        include = f"-r requirements-{i + 1}.txt\n" if i == files - 2 else ""
        (folder / fname).write_text(include + "\n".join(part) + "\n")
        listed.append(fname)
    reqs = "".join(f'  "{line}",\n' for line in requirement_lines(inline, seed=11) if not line.startswith("#"))
    toml = (
        "spec-version = 1\n\n"
        '[model]\nname = "scale"\n\n'
        '[runtime]\npython = "3.11"\n\n'
        f"[python]\nrequirements = [\n{reqs}]\n"
        f"requirements-files = {json.dumps(listed)}\n\n"
        '[mlflow]\nflavor = "sklearn"\n\n'
        "[targets.docker]\nserve = true\n\n"
        # a folder only the team can change (the init script runs as root): Databricks'
        # workspace rules refuse a render without one
        '[targets.databricks]\nlibraries-dir = "/Volumes/ml/prod/libs/specc"\n'
    )
    spec = folder / "model-env.toml"
    spec.write_text(toml)
    return spec


def write_target(spec: Any, target: str, out: Path) -> None:
    """Render ``target`` ("mlflow" is ``specc compile``) and write it to ``out``, as the CLI does.

    Works with the typed backend registry (``BACKENDS`` of objects with ``options_type``, mlflow
    registered as a target, ``write_output``) and with the registry of modules before it.
    """
    from specc import backends

    if target == "mlflow" and "mlflow" not in backends.BACKENDS:
        from specc.mlflow import compile_mlflow, write_compiled
        from specc.output import atomic_dir

        compiled = compile_mlflow(spec)
        with atomic_dir(out) as tmp:
            write_compiled(spec, compiled, tmp)
        return
    backend = backends.get_backend(target)
    rendered = backend.render(spec, getattr(backend, "options_type", backends.RenderOptions)())
    errors = [d for d in rendered.diagnostics if d.severity == "error"]
    if errors:
        raise SystemExit(f"{target}: {errors[:3]}")
    write_output = getattr(backends, "write_output", None)
    if write_output is not None:
        write_output(rendered, spec, target, out)
    else:
        from specc.output import atomic_dir

        with atomic_dir(out) as tmp:
            backends.write_rendered(rendered, tmp)


def run_stages(spec_path: Path, out: Path) -> dict[str, float]:
    """Validate, compile and render both targets in this process; seconds per stage."""
    times: dict[str, float] = {}
    t = time.perf_counter()
    from specc.api import check

    times["import"] = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    result = check(spec_path)
    times["validate"] = time.perf_counter() - t
    times["cpu validate"] = time.process_time() - c
    errors = [d for d in result.diagnostics if d.severity == "error"]
    if result.spec is None or errors:
        raise SystemExit(f"generated spec is invalid: {errors[:3]}")
    for stage, target in (("compile", "mlflow"), ("render docker", "docker"), ("render databricks", "databricks")):
        t, sc = time.perf_counter(), time.process_time()
        with _gc_paused():
            write_target(result.spec, target, out / target)
        times[stage] = time.perf_counter() - t
        times[f"cpu {stage}"] = time.process_time() - sc
    times["cpu"] = time.process_time() - c  # of the four stages: a busy machine moves wall time
    times["dependencies"] = len(result.spec.python.requirements)
    return times


def _gc_paused() -> Any:
    """The collector policy of the ``specc`` command line (it pauses the cyclic collector for the
    whole command, see specc.gcpause); validation pauses it itself, for API callers too, but a
    target's render through the API does not, so the bench applies the CLI's policy around each
    render stage (and says so in its output)."""
    try:
        from specc.gcpause import paused
    except ImportError:  # a checkout before specc.gcpause: no policy
        from contextlib import nullcontext

        return nullcontext()
    return paused()


def one(size: int) -> dict[str, float]:
    """Generate the spec of ``size`` dependencies and run every stage on it (this process)."""
    with tempfile.TemporaryDirectory(prefix=f"specc-bench-scale-{size}-") as tmp:
        folder = Path(tmp) / "spec"
        folder.mkdir()
        spec = write_spec(folder, size)
        times = run_stages(spec, Path(tmp) / "out")
        times["toml bytes"] = spec.stat().st_size
        return times


def profile(size: int, top: int = 30) -> None:
    import cProfile
    import pstats

    with tempfile.TemporaryDirectory(prefix=f"specc-bench-scale-{size}-") as tmp:
        folder = Path(tmp) / "spec"
        folder.mkdir()
        spec = write_spec(folder, size)
        prof = cProfile.Profile()
        prof.runcall(run_stages, spec, Path(tmp) / "out")
    stats = pstats.Stats(prof)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated dependency counts")
    ap.add_argument("--runs", type=int, default=1, help="fresh processes per size; the median is shown")
    ap.add_argument("--profile", type=int, metavar="N", help="profile size N in this process instead")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: print its times as JSON
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one)))
        return 0
    if args.profile:
        profile(args.profile)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    results: dict[int, dict[str, float]] = {}
    for size in sizes:
        runs = []
        for _ in range(max(args.runs, 1)):
            proc = subprocess.run(
                [sys.executable, __file__, "--one", str(size)], env=env, capture_output=True, text=True
            )
            if proc.returncode != 0:
                print(f"{size:,} dependencies: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
                return 1
            runs.append(json.loads(proc.stdout))
        runs.sort(key=lambda r: sum(r[s] for s in STAGES))
        results[size] = runs[len(runs) // 2]

    print("scale: one fresh process per size, Python API, seconds per stage (import not included)")
    print(
        "  GC: validation pauses the cyclic collector itself; the bench pauses it around each render\n"
        "  stage, as the `specc` command line does for a whole command (specc.gcpause)"
    )
    header = f"  {'dependencies':>12}  {'toml':>7}" + "".join(f"  {s:>17}" for s in STAGES)
    print(header + f"  {'total':>7}  {'per dep':>8}  {'cpu':>7}")
    per_dep: list[float] = []
    for size, r in results.items():
        total = sum(r[s] for s in STAGES)
        per_dep.append(total / size)
        line = f"  {int(r['dependencies']):>12,}  {int(r['toml bytes']):>6,}B"
        line += "".join(f"  {r[s]:>17.3f}" for s in STAGES)
        print(line + f"  {total:>7.3f}  {total / size * 1e6:>6.1f}us  {r['cpu']:>7.3f}")
        if f"cpu {STAGES[0]}" in r:  # CPU seconds per stage: what a loaded machine does not move
            cpu = f"  {'cpu':>12}  {'':>7}" + "".join(f"  {r[f'cpu {s}']:>17.3f}" for s in STAGES)
            print(cpu + f"  {sum(r[f'cpu {s}'] for s in STAGES):>7.3f}")
    largest = max(results)
    total = sum(results[largest][s] for s in STAGES)
    if largest >= 100_000:
        verdict = "PASS" if total < TOTAL_LIMIT_S else "FAIL"
        print(f"  {largest:,} dependencies in {total:.2f} s (target < {TOTAL_LIMIT_S:.0f} s): {verdict}")
    if len(per_dep) >= 2:
        growth = per_dep[-1] / per_dep[-2]
        verdict = "PASS" if growth <= GROWTH_LIMIT else "FAIL"
        print(
            f"  per-dependency cost {sizes[-2]:,} -> {sizes[-1]:,}: {growth:.2f}x "
            f"(linear within {GROWTH_LIMIT}x): {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
