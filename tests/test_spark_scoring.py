"""The rendered Databricks scoring task, run for real on local Spark 3.5 (DBR 15.4's Spark).

What runs (tests/infra/spark.py): one Spark JVM (local mode) and one MLflow tracking server
(sqlite registry) for the session; per run, a fresh notebook environment over the runtime's
Python, which holds the runtime's own versions of the packages on the scoring path (numpy,
pandas, pyarrow, mlflow-skinny, cloudpickle, from targets/databricks/runtimes/). The notebook's
``%pip`` runs real pip from a working folder that is not the model's; ``restartPython`` starts a
fresh interpreter that attaches to the same JVM. Models are logged with specc.

Not provable here: Delta (``overwriteSchema`` is asserted in the rendered files only), Unity
Catalog (three-part names score through the local registry; the UC switch is checked by running
the notebook's own function with and without ``DATABRICKS_RUNTIME_VERSION``), and workers on
other machines.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import EXAMPLES, GOLDEN, example_names, run_cli
from tests.infra import spark as sp

EXAMPLE = EXAMPLES / "private-wheel-scoring"
CLASSIC = "15.4.x-cpu-ml-scala2.12"
SERVERLESS = "serverless-v2"
ROWS = [(1, 100.0, 30, "north"), (2, 250.5, 41, "south"), (3, 0.0, 18, "east")]
TABLE_SCHEMA = "id long, amount double, age long, region string"  # two more columns than the model reads


def _expected(amount: float, age: int) -> float:
    return 0.01 * amount + 0.5 * age


# --- the rendered files (fast) -------------------------------------------------------------------------


def _cell_functions(source: str, names: set[str]) -> dict[str, Any]:
    """The named top-level functions and constants of a rendered notebook, exec'd here."""
    tree = ast.parse(source)
    keep = [
        n
        for n in tree.body
        if (isinstance(n, ast.FunctionDef) and n.name in names)
        or (isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "MLFLOW_AS" for t in n.targets))
    ]
    namespace: dict[str, Any] = {}
    exec(compile(ast.Module(body=keep, type_ignores=[]), "<score.py>", "exec"), namespace)
    import os as _os
    import re as _re

    import mlflow

    namespace.update(os=_os, re=_re, mlflow=mlflow)
    return namespace


def _golden_notebook(example: str = "private-wheel-scoring") -> str:
    return (GOLDEN / example / "databricks" / "score.py").read_text(encoding="utf-8")


def test_notebook_anchors_relative_lines_at_the_model_folder() -> None:
    ns = _cell_functions(_golden_notebook(), {"anchored"})
    assert ns["MLFLOW_AS"] == "mlflow-skinny"
    a = ns["anchored"]
    model = "/tmp/model-x"
    assert a("code/scorekit-0.1.0-py3-none-any.whl", model) == f"{model}/code/scorekit-0.1.0-py3-none-any.whl"
    assert a("-c constraints.txt", model) == f"-c {model}/constraints.txt"
    assert a("-r ./more.txt", model) == f"-r {model}/more.txt"
    assert a("./pkg", model) == f"{model}/pkg"
    assert a("x.whl", model) == f"{model}/x.whl"
    assert a("mlflow==3.17.2", model) == "mlflow-skinny==3.17.2"
    for kept in (
        "mlflow-skinny==3.17.2",
        "pandas==1.5.3",
        "--extra-index-url https://${PYPI_USER}:${PYPI_TOKEN}@pkgs.example.com/simple",
        "pkg @ https://host/pkg-1.0-py3-none-any.whl",
        "git+https://host/repo.git@v1#egg=repo",
        "/abs/wheel.whl",
        "# a comment",
        "",
    ):
        assert a(kept, model) == kept


def test_full_mlflow_kept_when_the_spec_asks_for_it(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "ex")
    toml = tmp_path / "ex" / "model-env.toml"
    toml.write_text(
        toml.read_text().replace('requirements = ["pandas', 'requirements = ["mlflow==3.1.0", "pandas'),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    run = run_cli("render", "--target", "databricks", str(tmp_path / "ex"), "--out", str(out))
    assert run.code == 0, run.err
    ns = _cell_functions((out / "score.py").read_text(encoding="utf-8"), {"anchored"})
    assert ns["MLFLOW_AS"] is None
    assert ns["anchored"]("mlflow==3.1.0", "/m") == "mlflow==3.1.0"


def _serverless_repo(dest: Path) -> Path:
    """The example with a serverless runtime; the spec pins the mlflow-skinny the model is logged
    with, since serverless installs from the spec only (docs/databricks.md)."""
    import mlflow

    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    toml = dest / "model-env.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('databricks = "15.4-ml"', f'databricks = "{SERVERLESS}"')
    text = text.replace('requirements = ["pandas', f'requirements = ["mlflow-skinny=={mlflow.__version__}", "pandas')
    text = text.replace('[targets.databricks.cluster]\nnode-type = "i3.xlarge"\n', "")
    toml.write_text(text, encoding="utf-8")
    return dest


@pytest.fixture(scope="session")
def serverless_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("serverless-render")
    return _render(_serverless_repo(root / "repo"), root / "dbx") / "score.py"


@pytest.mark.parametrize("databricks", [False, True])
@pytest.mark.parametrize("name", ["main.scoring.risk", "risk"])
def test_unity_catalog_registry_only_for_three_part_names_on_databricks(
    name: str, databricks: bool, serverless_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    for source in (_golden_notebook(), serverless_script.read_text(encoding="utf-8")):
        ns = _cell_functions(source, {"select_registry"})
        # set_registry_uri also exports MLFLOW_REGISTRY_URI: monkeypatch puts it back afterwards
        monkeypatch.setenv("MLFLOW_REGISTRY_URI", "http://127.0.0.1:1")
        mlflow.set_registry_uri("http://127.0.0.1:1")
        if databricks:
            monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "15.4")
        else:
            monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
        try:
            ns["select_registry"](f"models:/{name}/1")
            selected = mlflow.get_registry_uri() == "databricks-uc"
        finally:
            mlflow.set_registry_uri(None)  # type: ignore[arg-type]
        assert selected == (databricks and name.count(".") == 2)


@pytest.mark.parametrize(
    "example",
    [e for e in example_names() if (GOLDEN / e / "databricks").is_dir()],  # Databricks-rendered ones
)
def test_every_scoring_task_feeds_the_signature_and_overwrites_the_schema(example: str) -> None:
    """Delta's overwriteSchema cannot run here (no Delta): the rendered files say it."""
    score = (GOLDEN / example / "databricks" / "score.py").read_text(encoding="utf-8")
    assert '.option("overwriteSchema", "true").saveAsTable(' in score
    assert 'withColumn("prediction", predict())' in score  # the signature's inputs
    assert "if get_model_info(" in score  # struct(*columns) only for a model without a signature
    assert 'set_registry_uri("databricks-uc")' in score
    job = json.loads((GOLDEN / example / "databricks" / "job.json").read_text(encoding="utf-8"))
    if "notebook_task" in job["tasks"][0]:
        assert "%pip install -r $requirements_path" in score
        assert not any({"pypi", "whl", "requirements"} & set(lib) for lib in job["tasks"][0].get("libraries", []))
    else:
        assert "%pip" not in score


# --- the real runs (slow) -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def classic_runtime() -> Path:
    return sp.runtime_venv(CLASSIC)


@dataclass
class Stack:
    driver: sp.SparkDriver
    server: sp.MlflowServer


@pytest.fixture(scope="session")
def stack(classic_runtime: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The Spark JVM and the MLflow server, started side by side (each takes tens of seconds)."""
    import mlflow

    root = tmp_path_factory.mktemp("spark")
    driver = sp.SparkDriver(classic_runtime / "bin" / "python", root / "warehouse", root / "driver.log").launch()
    server = sp.MlflowServer(tmp_path_factory.mktemp("mlflow-server")).launch()
    old = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_UV_AUTO_DETECT", "MLFLOW_LOG_UV_FILES")}
    try:
        driver.wait()
        server.wait()
        os.environ["MLFLOW_TRACKING_URI"] = server.uri
        mlflow.set_tracking_uri(server.uri)
        mlflow.set_experiment("specc-spark-scoring")
        yield Stack(driver, server)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        mlflow.set_tracking_uri(None)  # type: ignore[arg-type]
        server.close()
        driver.close()


@pytest.fixture(scope="session")
def spark_driver(stack: Stack) -> sp.SparkDriver:
    return stack.driver


@pytest.fixture(scope="session")
def mlflow_server(stack: Stack) -> sp.MlflowServer:
    return stack.server


def _example_module(folder: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"log_model_{abs(hash(folder))}", folder / "log_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def models(mlflow_server: sp.MlflowServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Registered models, logged with specc: {case: models:/ URI}."""
    import mlflow

    import specc
    from specc.mlflow import log_model

    info = _example_module(EXAMPLE).log("risk-scorer")
    mlflow.register_model(info.model_uri, "main.scoring.risk_scorer")

    # a model without a signature: it reports the columns it was given
    repo = tmp_path_factory.mktemp("no-signature")
    (repo / "model-env.toml").write_text(
        'spec-version = 1\n[model]\nname = "no-signature"\n[runtime]\npython = "3.11"\n'
        'databricks = "15.4-ml"\n[python]\nrequirements = ["pandas==1.5.3", "numpy==1.23.5"]\n'
        '[targets.databricks]\nlibraries-dir = "/Volumes/test/ml/libs"\n',
        encoding="utf-8",
    )

    def columns_model() -> Any:
        class Columns(mlflow.pyfunc.PythonModel):
            def predict(self, context, model_input, params=None):  # no type hints: no signature
                return [float(len(model_input.columns) * 1000 + len(model_input))] * len(model_input)

        return Columns()

    with mlflow.start_run():
        bare = log_model(
            mlflow.pyfunc,
            specc.load(repo / "model-env.toml"),
            python_model=columns_model(),
            name="model",
            registered_model_name="no-signature",
        )
    assert bare.signature is None
    return {
        "wheel": "models:/risk-scorer/1",
        "uc-name": "models:/main.scoring.risk_scorer/1",
        "no-signature": "models:/no-signature/1",
    }


def _render(example_dir: Path, out: Path) -> Path:
    run = run_cli("render", "--target", "databricks", str(example_dir), "--out", str(out))
    assert run.code == 0, run.err
    return out


def _make_table(driver: sp.SparkDriver, name: str) -> None:
    code = (
        f"rows = {ROWS!r}\n"
        f"spark.createDataFrame(rows, {TABLE_SCHEMA!r}).write.mode('overwrite').saveAsTable({name!r})\n"
    )
    driver.run(code)


def _read_table(driver: sp.SparkDriver, name: str) -> tuple[list[str], list[dict[str, Any]]]:
    code = (
        "import json\n"
        f"df = spark.table({name!r})\n"
        "print(json.dumps({'columns': df.columns, 'rows': [r.asDict() for r in df.orderBy('id').collect()]}))\n"
    )
    out = json.loads(driver.run(code).strip().splitlines()[-1])
    return out["columns"], out["rows"]


def _versions(python: Path, names: list[str]) -> dict[str, str | None]:
    code = (
        "import importlib.metadata as m, json, sys\n"
        "def v(n):\n"
        "    try:\n        return m.version(n)\n    except m.PackageNotFoundError:\n        return None\n"
        "print(json.dumps({n: v(n) for n in sys.argv[1:]}))\n"
    )
    proc = subprocess.run([str(python), "-c", code, *names], capture_output=True, text=True, env=sp._env(), check=True)
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def classic_notebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _render(EXAMPLE, tmp_path_factory.mktemp("render") / "dbx") / "score.py"


def _score_classic(
    case: str, model_uri: str, notebook: Path, runtime: Path, driver: sp.SparkDriver, server: sp.MlflowServer, tmp: Path
) -> tuple[Path, list[str], list[dict[str, Any]], sp.Run]:
    python = sp.notebook_env(runtime, tmp / "notebook-env")
    work = tmp / "work"  # the job's working folder: not the model's
    work.mkdir()
    table = case.replace("-", "_")
    _make_table(driver, f"{table}_in")
    run = sp.run_notebook(
        notebook,
        python,
        cwd=work,
        params={"model_uri": model_uri, "input_table": f"{table}_in", "output_table": f"{table}_out"},
        env={**driver.env, "MLFLOW_TRACKING_URI": server.uri},
    )
    columns, rows = _read_table(driver, f"{table}_out")
    return python, columns, rows, run


def _assert_risk_scored(columns: list[str], rows: list[dict[str, Any]]) -> None:
    assert columns == ["id", "amount", "age", "region", "prediction"]
    assert [r["id"] for r in rows] == [r[0] for r in ROWS]
    for row in rows:
        assert row["prediction"] == pytest.approx(_expected(row["amount"], row["age"]))


@pytest.mark.slow
def test_notebook_scores_a_private_wheel_model_on_spark(
    models: dict[str, str],
    classic_notebook: Path,
    classic_runtime: Path,
    spark_driver: sp.SparkDriver,
    mlflow_server: sp.MlflowServer,
    tmp_path: Path,
) -> None:
    """(a) private wheel + code path and (b) a signature naming 2 of the table's 4 columns."""
    python, columns, rows, run = _score_classic(
        "wheel", models["wheel"], classic_notebook, classic_runtime, spark_driver, mlflow_server, tmp_path
    )
    _assert_risk_scored(columns, rows)
    assert len(run.interpreters) == 2  # restartPython gave the scoring cells a fresh interpreter
    assert f"(cwd {tmp_path / 'work'})" in run.output
    # one install path: the wheel came from the model folder; MLflow's pin as mlflow-skinny, so the
    # runtime's pandas/pyarrow/numpy stay; the runtime itself is untouched
    import mlflow

    got = _versions(python, ["scorekit", "mlflow", "mlflow-skinny", "pandas", "numpy", "pyarrow"])
    pins, _, _ = sp.runtime_pins(CLASSIC)
    runtime_versions = dict(p.split("==") for p in pins)
    assert got["scorekit"] == "0.1.0"
    assert got["mlflow"] is None
    assert got["mlflow-skinny"] == mlflow.__version__
    for name in ("pandas", "numpy", "pyarrow"):
        assert got[name] == runtime_versions[name], name
    assert _versions(classic_runtime / "bin" / "python", ["mlflow-skinny", "scorekit"]) == {
        "mlflow-skinny": runtime_versions["mlflow-skinny"],
        "scorekit": None,
    }


@pytest.mark.slow
def test_notebook_scores_a_model_without_signature_with_every_column(
    models: dict[str, str],
    classic_notebook: Path,
    classic_runtime: Path,
    spark_driver: sp.SparkDriver,
    mlflow_server: sp.MlflowServer,
    tmp_path: Path,
) -> None:
    """(c) no signature: the model gets every column of the table (4), by name."""
    _, columns, rows, _ = _score_classic(
        "no-signature", models["no-signature"], classic_notebook, classic_runtime, spark_driver, mlflow_server, tmp_path
    )
    assert columns == ["id", "amount", "age", "region", "prediction"]
    # len(columns) * 1000 + rows per batch: 4 columns reached the model
    assert all(int(r["prediction"]) // 1000 == 4 for r in rows), rows


@pytest.mark.slow
def test_notebook_scores_a_three_part_model_name(
    models: dict[str, str],
    classic_notebook: Path,
    classic_runtime: Path,
    spark_driver: sp.SparkDriver,
    mlflow_server: sp.MlflowServer,
    tmp_path: Path,
) -> None:
    """(d) catalog.schema.model: off Databricks the tracking server's registry serves it."""
    _, columns, rows, _ = _score_classic(
        "uc-name", models["uc-name"], classic_notebook, classic_runtime, spark_driver, mlflow_server, tmp_path
    )
    _assert_risk_scored(columns, rows)


@pytest.mark.slow
def test_serverless_environment_then_script_scores(
    mlflow_server: sp.MlflowServer, spark_driver: sp.SparkDriver, tmp_path: Path
) -> None:
    """The serverless job: its environment's dependencies (from the spec, files at their remote
    paths) installed into a fresh environment over serverless v2 from another folder, then the
    spark_python_task scores with the job's parameters."""
    repo = _serverless_repo(tmp_path / "repo")
    info = _example_module(repo).log("risk-scorer-serverless")
    out = _render(repo, tmp_path / "dbx")
    job = json.loads((out / "job.json").read_text(encoding="utf-8"))
    env_spec = job["environments"][0]["spec"]
    task = job["tasks"][0]["spark_python_task"]
    # "upload": every file at its remote path under a fake workspace root
    fake = tmp_path / "workspace-root"
    for up in json.loads((out / "uploads.json").read_text(encoding="utf-8")):
        dest = fake / up["remote"].lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / up["local"], dest)

    def remote(line: str) -> str:
        return " ".join(str(fake) + w if w.startswith(("/Workspace/", "/Volumes/")) else w for w in line.split())

    runtime = sp.runtime_venv(SERVERLESS)
    python = sp.notebook_env(runtime, tmp_path / "environment")
    work = tmp_path / "work"
    work.mkdir()
    sp.pip_install_lines(python, [remote(d) for d in env_spec["dependencies"]], cwd=work)
    _make_table(spark_driver, "serverless_in")
    params = {"model_uri": info.model_uri, "input_table": "serverless_in", "output_table": "serverless_out"}
    args = [
        a.replace("{{job.parameters." + k + "}}", v) for a in task["parameters"] for k, v in params.items() if k in a
    ]
    sp.run_script(
        Path(remote(task["python_file"])),
        python,
        args,
        cwd=work,
        env={**spark_driver.env, "MLFLOW_TRACKING_URI": mlflow_server.uri},
    )
    columns, rows = _read_table(spark_driver, "serverless_out")
    _assert_risk_scored(columns, rows)
    assert _versions(python, ["scorekit", "mlflow"]) == {"scorekit": "0.1.0", "mlflow": None}


def test_examples_cover_this_file() -> None:
    assert "private-wheel-scoring" in example_names()
    assert sys.version_info[:2] == (3, 11), "the Spark proof runs the DBR 15.x Python (3.11)"


# --- one install path on the job cluster (init script in a Databricks-like chroot) --------------------


@pytest.mark.slow
def test_job_cluster_init_script_leaves_pip_to_the_notebook(databricks_rootfs: Path, tmp_path: Path) -> None:
    """The job's cluster (job.json) sets SPECC_PYTHON_BY_NOTEBOOK: its init script skips pip (which
    here would fail: the index does not exist); cluster.json's own cluster still runs it."""
    from tests.infra import rootfs
    from tests.infra.pypi_index import build_tiny_wheel

    repo = tmp_path / "repo"
    build_tiny_wheel(repo / "dist", "localpkg", "1.0.0")
    (repo / "model-env.toml").write_text(
        'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.11"\ndatabricks = "15.4-ml"\n'
        '[python]\nrequirements = ["tinypkg"]\nwheels = ["dist/localpkg-1.0.0-py3-none-any.whl"]\n'
        'index-url = "http://${IDX_USER}:${IDX_TOKEN}@127.0.0.1:9/simple"\n'
        '[secrets.IDX_USER]\ndatabricks = "ci/user"\n[secrets.IDX_TOKEN]\ndatabricks = "ci/token"\n'
        '[targets.databricks]\nlibraries-dir = "/Volumes/test/ml/libs"\n[targets.databricks.cluster]\n'
        'node-type = "i3.xlarge"\n',
        encoding="utf-8",
    )
    out = _render(repo, tmp_path / "out")
    for up in json.loads((out / "uploads.json").read_text(encoding="utf-8")):
        dest = databricks_rootfs / up["remote"].lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / up["local"], dest)
    job = json.loads((out / "job.json").read_text(encoding="utf-8"))
    cluster = json.loads((out / "cluster.json").read_text(encoding="utf-8"))
    script = cluster["init_scripts"][0]["volumes"]["destination"]
    secrets = {"{{secrets/ci/user}}": "u", "{{secrets/ci/token}}": "t"}

    def env_of(new_cluster: dict[str, Any]) -> dict[str, str]:
        env = {"DB_IS_DRIVER": "TRUE"}
        env.update({k: secrets.get(v, v) for k, v in new_cluster.get("spark_env_vars", {}).items()})
        return env

    job_run = rootfs.run_in_chroot(
        databricks_rootfs, ["bash", script], env=env_of(job["job_clusters"][0]["new_cluster"])
    )
    assert job_run.returncode == 0, job_run.stderr[-3000:]
    assert "pip: left to the scoring notebook" in job_run.stdout + job_run.stderr
    have = rootfs.run_in_chroot(databricks_rootfs, ["/databricks/python/bin/pip", "show", "localpkg"])
    assert have.returncode != 0  # nothing installed by the init script
    cluster_run = rootfs.run_in_chroot(databricks_rootfs, ["bash", script], env=env_of(cluster))
    assert cluster_run.returncode != 0  # pip ran, and the index does not exist
    assert "pip: install" in cluster_run.stdout + cluster_run.stderr


def test_deploy_loop_in_the_docs_creates_folders_and_passes_shellcheck(tmp_path: Path) -> None:
    """The upload loop of docs/databricks.md ("Deploy"): mkdirs before every import, shellcheck-clean."""
    doc = (EXAMPLES.parent / "docs" / "databricks.md").read_text(encoding="utf-8")
    start = doc.index("jq -r '.[] | [.kind, .local, .remote] | @tsv' uploads.json")
    loop = doc[start : doc.index("\ndone\n", start) + len("\ndone\n")]
    assert loop.index("databricks workspace mkdirs") < loop.index("databricks workspace import")
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail("shellcheck is a system dependency (.ci/install-system-deps.sh)")
    script = tmp_path / "deploy.sh"
    script.write_text("#!/bin/bash\nset -euo pipefail\n" + loop, encoding="utf-8")
    proc = subprocess.run([shellcheck, str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
