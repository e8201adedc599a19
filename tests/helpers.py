"""Shared test helpers: run the CLI in-process, golden-file comparison."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
GOLDEN = REPO / "tests" / "golden"
UPDATE_GOLDEN = os.environ.get("SPECC_UPDATE_GOLDEN") == "1"


def example_names() -> list[str]:
    return sorted(p.name for p in EXAMPLES.iterdir() if (p / "model-env.toml").is_file())


@contextlib.contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*argv: str, cwd: Path | None = None) -> Run:
    """Run ``specc`` in-process (fast) and capture its exit code and output."""
    from specc.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(chdir(cwd))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        code = main(list(argv))
    return Run(code, out.getvalue(), err.getvalue())


def assert_golden(path: Path, actual: str | bytes) -> None:
    """Compare with a golden file byte for byte; SPECC_UPDATE_GOLDEN=1 rewrites it."""
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.is_file(), f"missing golden file {path}; create it with SPECC_UPDATE_GOLDEN=1 and review the diff"
    expected = path.read_bytes()
    if expected != data:
        import difflib

        diff = "\n".join(
            difflib.unified_diff(
                expected.decode("utf-8", "replace").splitlines(),
                data.decode("utf-8", "replace").splitlines(),
                str(path),
                "actual",
                lineterm="",
            )
        )
        raise AssertionError(f"{path} differs (SPECC_UPDATE_GOLDEN=1 to accept):\n{diff}")


@contextlib.contextmanager
def mlflow_tracking(root: Path, experiment: str) -> Iterator[Path]:
    """A temporary sqlite tracking store for real MLflow logging, restored afterwards.

    ``set_experiment`` exports MLFLOW_EXPERIMENT_ID for child processes, and specc's uv
    guard sets MLFLOW_UV_*: all of them are put back as they were.
    """
    import mlflow

    uri = f"sqlite:///{root}/mlflow.db"
    keys = ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_ID", "MLFLOW_UV_AUTO_DETECT", "MLFLOW_LOG_UV_FILES")
    old = {k: os.environ.get(k) for k in keys}
    os.environ["MLFLOW_TRACKING_URI"] = uri
    mlflow.set_tracking_uri(uri)
    exp = mlflow.create_experiment(experiment, artifact_location=(root / "artifacts").as_uri())
    mlflow.set_experiment(experiment_id=exp)
    try:
        yield root
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        mlflow.set_tracking_uri(None)
