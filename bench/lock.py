"""Benchmark: ``specc lock`` vs a plain ``uv pip compile`` of the same requirements (specc's overhead).

    .venv/bin/python bench/lock.py [--example sklearn-basic] [--runs 5]

Both sides resolve the example's requirements for the same Python version and
platform with ``--generate-hashes`` against PyPI, through the same (warm) uv
cache, so the difference is what specc adds: CLI start-up, loading and
validating the spec, the runtime manifest, seeding preferences, parsing uv's
output and writing the lock.  ``specc lock`` runs as the installed console
script (a subprocess, as a user or CI runs it).  One warm-up run of each is
discarded; the two are timed alternately and the medians of ``--runs`` runs
(at least 5) are printed with their ratio.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", default="sklearn-basic", help="example folder under examples/")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per variant (default 5, minimum 5)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 5)

    import specc
    from specc.lock import DEFAULT_PLATFORM, find_uv

    uv = find_uv()
    specc_bin = str(Path(sys.executable).parent / "specc")
    with tempfile.TemporaryDirectory(prefix="specc-bench-lock-") as tmp:
        folder = Path(tmp) / args.example
        shutil.copytree(ROOT / "examples" / args.example, folder)
        spec = specc.load(folder / "model-env.toml")
        req_in = Path(tmp) / "requirements.in"
        req_in.write_text("".join(q.line + "\n" for q in spec.python.requirements), encoding="utf-8")
        out = Path(tmp) / "requirements.txt"
        plain = [
            uv,
            "pip",
            "compile",
            str(req_in),
            "--python-version",
            spec.runtime.python,
            "--python-platform",
            DEFAULT_PLATFORM,
            "--generate-hashes",
            "--no-header",
            "--no-annotate",
            "--quiet",
            "--output-file",
            str(out),
        ]
        ours = [specc_bin, "lock", "--upgrade", str(folder)]

        def timed(cmd: list[str]) -> float:
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            return time.perf_counter() - t0

        timed(plain), timed(ours)  # warm-up (fills uv's cache for both)
        t_plain, t_ours = [], []
        for _ in range(runs):
            out.unlink(missing_ok=True)
            t_plain.append(timed(plain))
            t_ours.append(timed(ours))
        n = sum(1 for line in out.read_text().splitlines() if "==" in line)
        # in-process: specc's resolution step alone (no interpreter start-up, import or validation)
        from specc.lock import lock_spec

        t_inproc = []
        for _ in range(runs):
            t0 = time.perf_counter()
            lock_spec(spec, upgrade=True)
            t_inproc.append(time.perf_counter() - t0)
    m_plain, m_ours = statistics.median(t_plain), statistics.median(t_ours)
    print(f"example: {args.example} ({n} packages resolved, Python {spec.runtime.python}, {DEFAULT_PLATFORM})")
    print(f"uv pip compile --generate-hashes : median {m_plain * 1000:8.1f} ms over {runs} runs")
    print(f"specc lock                       : median {m_ours * 1000:8.1f} ms over {runs} runs")
    m_in = statistics.median(t_inproc)
    print(f"specc.lock.lock_spec (in-process): median {m_in * 1000:8.1f} ms over {runs} runs")
    print(
        f"overhead: {m_ours / m_plain:.2f}x ({(m_ours - m_plain) * 1000:+.1f} ms); resolution step alone "
        f"{m_in / m_plain:.2f}x (the rest is start-up: Python, importing specc, validating the spec)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
