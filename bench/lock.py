"""Benchmark: ``specc lock`` vs a plain ``uv pip compile --generate-hashes`` of the same input.

    .venv/bin/python bench/lock.py [--runs 5] [--verify]

Two inputs, side by side:

* **small**: ``examples/sklearn-basic`` (three pins, ~50 packages with the model server);
* **resolution-heavy**: ``dask[complete]==2024.8.0`` on Databricks 15.4 LTS ML (the runtime's
  ~350 preinstalled versions are preferences, the model's implied ``mlflow==2.19.0`` is resolved
  with them);
* two more rows per input, **first**: the same with no previous output (uv) and no lock
  (specc), so nothing is known to refresh ahead and every resolution asks the index the usual
  way; the difference there is specc's start-up plus what the runtime's preferences cost uv;
* **compiled-package rule**: the same with the runtime's ``mlflow-skinny==2.19.0`` listed (so no
  full-mlflow pin keeps numpy down): ``--upgrade`` moves numpy to 2.x, and the rule re-resolves
  with ``numpy<2`` and asks for the wheel tags (SPC605), both offline after the first run.

Both sides resolve the same requirements for the same Python version and platform with
``--generate-hashes`` through the same warm uv cache.  A re-lock (the everyday case: the
previous pins are preferences, for uv its previous output) is where specc does its own work
differently: it refreshes the index pages of the previous lock's packages in one concurrent
round and resolves offline from them (docs/lock.md, "Cost"), while plain uv revalidates them one
dependency level after another; on top of that come specc's start-up, validating the spec, the
runtime manifest, parsing uv's output and writing the lock.  ``specc lock`` runs as the
installed console script (a subprocess, as a user or CI runs it).  ``specc lock --upgrade`` (every pin re-resolved,
so the compiled-package rule re-runs its resolutions) is timed too.  One warm-up run of each
is discarded; runs alternate and the medians of ``--runs`` (at least 5) are printed.

The targets (issue "Lock", item 7): on the heavy input ``specc lock`` ≤ 1.3× plain uv; on
the small one ≤ 0.2 s more than it.  ``--verify`` also times ``specc lock --check --verify``
(install into a throwaway venv through uv's cache, and import) on the small input.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = """spec-version = 1
[model]
name = "dask-on-dbr"
[runtime]
python = "3.11"
databricks = "15.4-ml"
[python]
requirements = ["dask[complete]==2024.8.0"]
"""
RULE = HEAVY.replace('"dask[complete]==2024.8.0"', '"dask[complete]==2024.8.0", "mlflow-skinny==2.19.0"')


# As installed: byte-compiled.  PYTHONDONTWRITEBYTECODE (set in some sandboxes and CI images)
# would make every run compile specc's sources again, which no installed specc does.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _timed(cmd: Sequence[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the command and every process it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(list(cmd), check=True, capture_output=True, env=ENV)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _median(cmds: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    for cmd in cmds.values():  # warm-up: fills uv's cache, writes the first lock
        _timed(cmd)
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
    for _ in range(runs):
        for k, cmd in cmds.items():
            times[k].append(_timed(cmd))
    return {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}


FIRST_UV = "uv pip compile, first (no output)"
FIRST_SPECC = "specc lock, first (no lock)"


def _case(title: str, folder: Path, runs: int, verify: bool) -> dict[str, tuple[float, float]]:
    import specc.api
    from specc.lock import DEFAULT_PLATFORM, find_uv, implied_requirements

    uv = find_uv()
    specc_bin = str(Path(sys.executable).parent / "specc")
    first = folder.parent / f"{folder.name}-first"  # a copy without a lock: a first `specc lock`
    shutil.copytree(folder, first)
    (first / "model-env.lock").unlink(missing_ok=True)
    fresh = 'rm -f "$0" && exec "$@"'  # each run starts with no lock / no previous output
    result = specc.api.check(folder / "model-env.toml", targets=())  # the spec alone, as `specc lock` reads it
    assert result.spec is not None, result.diagnostics
    spec = result.spec
    req_in = folder.parent / f"{folder.name}.in"
    lines = [q.line for q in spec.python.requirements] + implied_requirements(spec)
    req_in.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    out = folder.parent / f"{folder.name}.txt"
    out_first = folder.parent / f"{folder.name}-first.txt"
    plain = [
        uv, "pip", "compile", str(req_in), "--python-version", spec.runtime.python,
        "--python-platform", DEFAULT_PLATFORM, "--generate-hashes", "--no-header", "--quiet",
    ]  # fmt: skip
    cmds = {
        "uv pip compile --generate-hashes": [*plain, "--output-file", str(out)],
        "specc lock (re-lock)": [specc_bin, "lock", str(folder)],
        "specc lock --upgrade": [specc_bin, "lock", "--upgrade", str(folder)],
        "uv pip compile, first (no output)": [
            "sh",
            "-c",
            fresh,
            str(out_first),
            *plain,
            "--output-file",
            str(out_first),
        ],
        "specc lock, first (no lock)": [
            "sh",
            "-c",
            fresh,
            str(first / "model-env.lock"),
            specc_bin,
            "lock",
            str(first),
        ],
    }
    if verify:
        cmds["specc lock --check --verify"] = [specc_bin, "lock", "--check", "--verify", str(folder)]
    got = _median(cmds, runs)
    n = sum(1 for line in out.read_text().splitlines() if "==" in line)
    print(f"\n{title}: {n} packages, Python {spec.runtime.python}, {DEFAULT_PLATFORM}")
    base, base_cpu = got["uv pip compile --generate-hashes"]
    for k, (v, cpu) in got.items():
        print(
            f"  {k:<34} median {v * 1000:8.1f} ms  {v / base:5.2f}x  {(v - base) * 1000:+8.1f} ms"
            f"   cpu {cpu * 1000:7.1f} ms  {cpu / base_cpu:5.2f}x"
        )
    return got


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per variant (default 5, minimum 5)")
    parser.add_argument("--verify", action="store_true", help="also time `specc lock --check --verify` (small)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 5)
    with tempfile.TemporaryDirectory(prefix="specc-bench-lock-") as tmp:
        small = Path(tmp) / "sklearn-basic"
        shutil.copytree(ROOT / "examples" / "sklearn-basic", small)
        heavy = Path(tmp) / "dask-on-dbr"
        heavy.mkdir()
        (heavy / "model-env.toml").write_text(HEAVY, encoding="utf-8")
        rule = Path(tmp) / "dask-rule"
        rule.mkdir()
        (rule / "model-env.toml").write_text(RULE, encoding="utf-8")
        s = _case("small (examples/sklearn-basic)", small, runs, args.verify)
        h = _case("resolution-heavy (dask[complete] on 15.4 LTS ML)", heavy, runs, False)
        _case("compiled-package rule (the same, mlflow-skinny listed)", rule, runs, False)
    plain = "uv pip compile --generate-hashes"
    relock = "specc lock (re-lock)"
    small_extra = s[relock][0] - s[plain][0]
    heavy_ratio = h[relock][0] / h[plain][0]
    print(
        f"\ntargets (vs plain uv): heavy {heavy_ratio:.2f}x (<= 1.30x: {'met' if heavy_ratio <= 1.3 else 'NOT met'}); "
        f"small {small_extra * 1000:+.0f} ms (<= +200 ms: {'met' if small_extra <= 0.2 else 'NOT met'})"
    )
    for name, got in (("small", s), ("heavy", h)):
        a, b = got["specc lock, first (no lock)"][0], got["uv pip compile, first (no output)"][0]
        print(
            f"  {name}, a first lock (nothing to refresh ahead): specc {a / b:.2f}x plain uv ({(a - b) * 1000:+.0f} ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
