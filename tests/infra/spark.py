"""Local stand-ins for a Databricks job: a runtime's Python, one shared Spark JVM, an MLflow server.

What each piece mirrors:

* :func:`runtime_venv` — ``/databricks/python`` of a runtime: a venv with PySpark at the
  runtime's Spark major.minor and the runtime's *own* versions (its manifest under
  ``targets/databricks/runtimes/``) of the packages on the scoring path; the whole manifest is
  the constraints file, so their dependencies take the runtime's versions too. Built once per
  machine under ``$SPECC_TEST_CACHE`` (default ``/var/tmp/specc-test-cache``; pip's own cache
  keeps the ~318 MB PySpark sdist and its built wheel), under a file lock.
* :func:`notebook_env` — a notebook's Python environment: a fresh venv that sees the runtime's
  packages *behind* its own (a ``.pth`` line), so ``%pip`` installs into it, shadows what it
  upgrades and leaves the runtime untouched, as notebook-scoped libraries do.
* :class:`SparkDriver` — the driver JVM (local mode), started once; Python processes attach to
  it through its py4j gateway (``PYSPARK_GATEWAY_PORT``/``_SECRET``), the way a notebook's
  Python REPL attaches to the cluster's JVM, so a restarted interpreter finds the same Spark
  session and tables.
* :class:`MlflowServer` — the workspace's tracking server and model registry: ``mlflow server``
  over sqlite, spoken to over REST, so the runtime's older MLflow client reads models logged by
  a newer MLflow as it does on Databricks.
* :func:`run_notebook` / :func:`run_script` — run a rendered ``score.py`` (Databricks notebook
  source) or serverless script with ``tests/infra/notebook_runner.py``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "notebook_runner.py"
#: Bump to rebuild every cached runtime venv.
VENV_VERSION = "1"
#: The packages on the scoring path (besides the flavor's library): what spark_udf, pyfunc and
#: pandas UDFs import in the runtime before %pip runs.
SCORING_PATH = ("numpy", "pandas", "pyarrow", "mlflow-skinny", "cloudpickle")
#: Variables that keep MLflow and friends from calling home: this machine reaches package
#: registries only.
QUIET_ENV = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}


def cache_root() -> Path:
    return Path(os.environ.get("SPECC_TEST_CACHE", "/var/tmp/specc-test-cache"))


def base_python() -> str:
    """The interpreter venvs are made from: this one's base (pyenv, system)."""
    return getattr(sys, "_base_executable", sys.executable)


def site_packages(venv: Path) -> Path:
    return venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def runtime_pins(runtime_key: str, extra: Sequence[str] = ()) -> tuple[list[str], list[str], str]:
    """(pins of the scoring path, constraints from the manifest, Spark major.minor) for a runtime.

    Raises LookupError for an unknown runtime or one whose Python is not this interpreter's."""
    from specc.runtimes import get_runtime

    info = get_runtime(runtime_key)
    if info is None:
        raise LookupError(f"unknown runtime {runtime_key}")
    mine = f"{sys.version_info.major}.{sys.version_info.minor}"
    if info.python != mine:
        raise LookupError(f"{runtime_key} runs Python {info.python}; this test runs {mine}")
    packages = info.packages()
    pins = [f"{name}=={packages[name]}" for name in (*SCORING_PATH, *extra) if name in packages]
    # setuptools: the manifests' 80.9.0 is a capture artifact (runtimes/README.md); pip/wheel are not listed
    constraints = [f"{n}=={v}" for n, v in sorted(packages.items()) if n not in ("setuptools", "pyspark", "py4j")]
    spark = ".".join((info.spark or "3.5").split(".")[:2])  # serverless v2 is Spark 3.5 (DB Connect 15)
    return pins, constraints, spark


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def runtime_venv(runtime_key: str, extra: Sequence[str] = (), *, timeout: float = 1800) -> Path:
    """The cached venv standing in for ``runtime_key``'s Python (see the module docstring).

    ``extra``: more packages at the runtime's versions (the flavor's library, e.g. scikit-learn).
    First build ~1 min with pip's cache warm (PySpark is an sdist built into a wheel once).
    Raises subprocess.CalledProcessError when pip fails."""
    pins, constraints, spark = runtime_pins(runtime_key, extra)
    want = [*pins, f"pyspark=={spark}.*"]
    digest = hashlib.sha256(json.dumps([VENV_VERSION, want, constraints, sys.version]).encode()).hexdigest()[:12]
    venv = cache_root() / f"spark-runtime-{runtime_key}-{digest}"
    done = venv / ".specc-complete"
    with _locked(cache_root() / f"spark-runtime-{runtime_key}-{digest}.lock"):
        if done.is_file():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([base_python(), "-m", "venv", str(venv)], check=True, timeout=300)
        cons = venv / "runtime-constraints.txt"
        cons.write_text("".join(c + "\n" for c in constraints), encoding="utf-8")
        cmd = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        proc = subprocess.run(
            [*cmd, "-c", str(cons), *want], timeout=timeout, env=_env(), capture_output=True, text=True
        )
        constrained = proc.returncode == 0
        if not constrained:
            # A manifest that does not resolve as a whole (serverless v2 lists mlflow-skinny 2.11.4,
            # which needs protobuf<5, next to protobuf 5.29.3): the pins alone, dependencies free.
            if "ResolutionImpossible" not in proc.stderr:
                raise subprocess.CalledProcessError(proc.returncode, proc.args, proc.stdout, proc.stderr)
            subprocess.run([*cmd, *want], check=True, timeout=timeout, env=_env())
        done.write_text(json.dumps({"pins": want, "manifest-constraints": constrained}), encoding="utf-8")
    return venv


def notebook_env(runtime: Path, dest: Path) -> Path:
    """A fresh venv over ``runtime`` (its packages visible behind the venv's own); returns its python.

    pip runs from the runtime's copy (``python -m pip``) and installs into this venv; a package it
    upgrades is installed here and shadows the runtime's, which pip leaves alone ("outside environment")."""
    subprocess.run([base_python(), "-m", "venv", "--without-pip", str(dest)], check=True, timeout=120)
    (site_packages(dest) / "_databricks_runtime.pth").write_text(f"{site_packages(runtime)}\n", encoding="utf-8")
    return dest / "bin" / "python"


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment for the runtime's processes: no PYTHONPATH (they must not see specc)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "JAVA_HOME", "PIP_CACHE_DIR", "SSL_CERT_FILE")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update({k: v for k, v in os.environ.items() if k.startswith("PIP_")})
    env.update(QUIET_ENV)
    env.update(extra or {})
    return env


# --- the driver JVM ---------------------------------------------------------------------------------

_DRIVER = """
import json, sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[2]").appName("specc-scoring-tests")
         .config("spark.sql.warehouse.dir", sys.argv[1])
         .config("spark.sql.shuffle.partitions", "2")
         .config("spark.ui.enabled", "false")
         .config("spark.driver.memory", "1g")
         .getOrCreate())
params = spark.sparkContext._gateway.gateway_parameters
print(json.dumps({"port": params.port, "secret": params.auth_token}), flush=True)
import contextlib, io, traceback
for line in sys.stdin:  # one JSON string of Python code per line, until the session closes stdin
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(json.loads(line), {"spark": spark, "__name__": "__driver__"})
        reply = {"ok": True, "out": out.getvalue()}
    except Exception:
        reply = {"ok": False, "out": out.getvalue() + traceback.format_exc()}
    print(json.dumps(reply), flush=True)
spark.stop()
"""


@dataclass
class SparkDriver:
    """One local-mode Spark JVM for the whole session; ``env`` attaches a Python process to it."""

    python: Path
    warehouse: Path
    log: Path
    proc: subprocess.Popen[str] | None = None
    env: dict[str, str] = field(default_factory=dict)

    def start(self, timeout: float = 180) -> SparkDriver:
        """:meth:`launch` then :meth:`wait`."""
        return self.launch().wait(timeout)

    def launch(self) -> SparkDriver:
        """Start the JVM without waiting for it (start the MLflow server meanwhile)."""
        self.warehouse.mkdir(parents=True, exist_ok=True)
        logfh = open(self.log, "w")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [str(self.python), "-c", _DRIVER, str(self.warehouse)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=logfh,
            text=True,
            env=_env({"PYSPARK_PYTHON": str(self.python)}),
            cwd=self.warehouse.parent,
        )
        return self

    def wait(self, timeout: float = 180) -> SparkDriver:
        """Until the driver prints its gateway: then :attr:`env` attaches a process to it."""
        assert self.proc is not None and self.proc.stdout is not None
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            self.close()
            raise TimeoutError(f"Spark did not start in {timeout} s:\n{self.log.read_text()[-3000:]}")
        line = self.proc.stdout.readline()
        if not line:
            self.close()
            raise RuntimeError(f"Spark did not start:\n{self.log.read_text()[-3000:]}")
        gateway = json.loads(line)
        self.env = {"PYSPARK_GATEWAY_PORT": str(gateway["port"]), "PYSPARK_GATEWAY_SECRET": gateway["secret"]}
        return self

    def run(self, code: str, timeout: float = 300) -> str:
        """Run ``code`` in the driver's own Python (``spark`` defined); returns what it printed.
        Cheaper than attaching a new interpreter. Raises AssertionError when the code raises."""
        import selectors

        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(code) + "\n")
        self.proc.stdin.flush()
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            raise TimeoutError(f"the Spark driver did not answer in {timeout} s")
        reply = json.loads(self.proc.stdout.readline() or '{"ok": false, "out": "the driver exited"}')
        if not reply["ok"]:
            raise AssertionError(f"driver code failed:\n{reply['out'][-6000:]}")
        return str(reply["out"])

    def close(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(Exception):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


# --- the tracking server ----------------------------------------------------------------------------


@dataclass
class MlflowServer:
    """``mlflow server`` (this interpreter's MLflow) over sqlite, artifacts in a local folder
    that clients read directly (``--no-serve-artifacts``), on 127.0.0.1."""

    root: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 240) -> MlflowServer:
        """:meth:`launch` then :meth:`wait`."""
        return self.launch().wait(timeout)

    def launch(self) -> MlflowServer:
        """Start the server without waiting for it (its first start migrates the sqlite schema: ~30 s)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        cmd = [
            sys.executable, "-m", "mlflow", "server",
            "--backend-store-uri", f"sqlite:///{self.root / 'mlflow.db'}",
            "--default-artifact-root", (self.root / "artifacts").as_uri(),
            "--no-serve-artifacts", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
        ]  # fmt: skip
        # no job runner: it starts seven huey consumers, which a registry for scoring does not need
        env = {**os.environ, **QUIET_ENV, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
        env.pop("MLFLOW_TRACKING_URI", None)
        log = open(self.root / "server.log", "wb")  # noqa: SIM115 - the server's, for its lifetime
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        return self

    def wait(self, timeout: float = 240) -> MlflowServer:
        """Until ``/health`` answers; raises RuntimeError if the server exits, TimeoutError."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited:\n{(self.root / 'server.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.uri}/health", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.close()
        raise TimeoutError(f"mlflow server did not answer in {timeout} s")

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


# --- running the rendered task ------------------------------------------------------------------------


@dataclass
class Run:
    """One notebook or script run: each interpreter's output, in order."""

    interpreters: list[subprocess.CompletedProcess[str]]

    @property
    def output(self) -> str:
        return "\n".join(p.stdout + p.stderr for p in self.interpreters)


def _run(
    python: Path, args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), str(RUNNER), *args], cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout
    )


def run_notebook(
    notebook: Path,
    python: Path,
    *,
    cwd: Path,
    params: Mapping[str, str],
    env: Mapping[str, str],
    timeout: float = 600,
) -> Run:
    """Run a Databricks notebook source file as a job would, with ``params`` as job parameters.

    Cells run in order in one interpreter; ``%pip`` runs real pip (``python -m pip``) from
    ``cwd``; ``dbutils.library.restartPython()`` ends the interpreter and the next cells run in
    a fresh one (widgets survive, as on Databricks). ``env`` must attach Spark
    (:attr:`SparkDriver.env`) and set ``MLFLOW_TRACKING_URI``. Raises AssertionError with every
    interpreter's output when a cell fails."""
    state = cwd / ".notebook-state.json"
    state.write_text(json.dumps({"params": dict(params), "widgets": {}, "next": 0}), encoding="utf-8")
    full = _env({**env, "PYSPARK_PYTHON": str(python), "PYSPARK_DRIVER_PYTHON": str(python)})
    procs: list[subprocess.CompletedProcess[str]] = []
    for _ in range(10):  # at most this many restarts
        proc = _run(python, ["notebook", str(notebook), str(state)], cwd, full, timeout)
        procs.append(proc)
        if proc.returncode != 0:
            raise AssertionError(f"notebook failed:\n{Run(procs).output[-8000:]}")
        if json.loads(state.read_text(encoding="utf-8"))["next"] is None:
            return Run(procs)
    raise AssertionError("the notebook restarted Python more than 10 times")


def run_script(
    script: Path, python: Path, args: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 600
) -> Run:
    """Run a Python file task (serverless) with ``args``; ``SparkSession.builder.getOrCreate()``
    in it returns the shared session."""
    full = _env({**env, "PYSPARK_PYTHON": str(python), "PYSPARK_DRIVER_PYTHON": str(python)})
    proc = _run(python, ["script", str(script), *args], cwd, full, timeout)
    if proc.returncode != 0:
        raise AssertionError(f"script failed:\n{(proc.stdout + proc.stderr)[-8000:]}")
    return Run([proc])


def spark_python(python: Path, code: str, *, cwd: Path, env: Mapping[str, str], timeout: float = 300) -> str:
    """Run ``code`` with ``spark`` attached to the shared session; returns its stdout."""
    full = _env({**env, "PYSPARK_PYTHON": str(python)})
    proc = _run(python, ["code", code], cwd, full, timeout)
    if proc.returncode != 0:
        raise AssertionError(f"spark code failed:\n{(proc.stdout + proc.stderr)[-6000:]}")
    return proc.stdout


def pip_install_lines(
    python: Path, lines: Sequence[str], *, cwd: Path, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """``python -m pip install -r <file of lines>`` run from ``cwd`` (a serverless environment's dependencies)."""
    req = cwd / "environment-dependencies.txt"
    req.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-r", req.name],
        cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    if proc.returncode != 0:
        raise AssertionError(f"pip failed:\n{(proc.stdout + proc.stderr)[-6000:]}")
    return proc


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
