"""``specc diff OLD NEW`` (specc/diff.py, specc/commands/diff.py): realistic pairs, exact results.

Each test writes two environments that differ in one realistic way and asserts the structured
result (changes, the Docker steps rebuilt, the Databricks restart verdict), the published JSON
shape, the exit codes, and that credentials never show.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specc.diff import Change, DiffResult, diff, diff_schema, dockerfile_steps, load_side, schema_text
from tests.helpers import REPO, run_cli

SCHEMA = json.loads((REPO / "schemas" / "specc-diff.schema.json").read_text(encoding="utf-8"))
DIAG_SCHEMA = json.loads((REPO / "schemas" / "specc-diagnostics.schema.json").read_text(encoding="utf-8"))


def _toml_str(value: str) -> str:
    return json.dumps(value)


def write_spec(
    folder: Path,
    *,
    requirements: tuple[str, ...] = ("pandas==2.2.2", "scikit-learn==1.5.2"),
    apt: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    secrets: tuple[str, ...] = (),
    databricks: str | None = None,
    docker: bool = True,
    code: str | None = None,
    maven: tuple[str, ...] = (),
    python: str = "3.11",
    name: str = "churn",
) -> Path:
    """A model-env.toml in ``folder`` (created), with a code package when ``code`` is given."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["spec-version = 1", "[model]", f"name = {_toml_str(name)}", "[runtime]", f"python = {_toml_str(python)}"]
    if databricks:
        lines.append(f"databricks = {_toml_str(databricks)}")
    lines += ["[python]", "requirements = [" + ", ".join(_toml_str(r) for r in requirements) + "]"]
    if apt:
        lines += ["[apt]", "packages = [" + ", ".join(_toml_str(a) for a in apt) + "]"]
    if maven:
        lines += ["[maven]", "packages = [" + ", ".join(_toml_str(m) for m in maven) + "]"]
    if code is not None:
        pkg = folder / "src" / "churn_utils"
        pkg.mkdir(parents=True, exist_ok=True)
        (pkg / "__init__.py").write_text(code, encoding="utf-8")
        lines += ["[code]", 'paths = ["src/churn_utils"]']
    if env:
        lines.append("[env]")
        lines += [f"{k} = {_toml_str(v)}" for k, v in env.items()]
    for s in secrets:
        lines += [f"[secrets.{s}]", f'databricks = "ml/{s.lower()}"']
    if docker:
        lines += ["[targets.docker]", "serve = true"]
    if databricks:
        lines += ["[targets.databricks]", 'libraries-dir = "/Volumes/ml/churn/libs"']
        lines += ["[targets.databricks.cluster]", 'node-type = "i3.xlarge"']
    (folder / "model-env.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "model-env.toml"


def _changes(result: DiffResult) -> list[tuple[str, str, str, str | None, str | None]]:
    return [(c.ecosystem, c.name, c.change, c.old, c.new) for c in result.changes]


def _validate(report: dict[str, Any]) -> dict[str, Any]:
    import jsonschema

    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    return report


# --- realistic pairs ---------------------------------------------------------------------------


def test_requirement_version_bump(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", code="X = 1\n")
    new = write_spec(tmp_path / "new", requirements=("pandas==2.2.3", "scikit-learn==1.5.2"), code="X = 1\n")
    result = diff(str(old), str(new))
    assert _changes(result) == [("pip", "pandas", "changed", "==2.2.2", "==2.2.3")]
    assert list(result.targets) == ["mlflow", "docker"]
    assert [c.name for c in result.targets["mlflow"].changes] == ["pandas"]
    layers = result.targets["docker"].docker
    assert layers is not None and layers.computed
    # the first step rebuilt copies the changed requirements.txt; the base, user and venv stay cached
    first = layers.invalidated[0]
    assert (first.instruction, first.summary) == ("COPY", "COPY deps/python/ /tmp/specc/python/")
    # exactly the first changed step and every step after it (one stage here)
    new_side = load_side(str(new))
    assert new_side.spec is not None
    steps = dockerfile_steps(render_docker(new_side.spec))
    assert layers.invalidated == steps[layers.kept :]
    assert steps[layers.kept - 1].summary.startswith("RUN python3 -m venv /opt/venv")  # the last one kept
    assert "COPY code/ /opt/specc/code/" in [s.summary for s in layers.invalidated]


def render_docker(spec: Any) -> Any:
    from specc.backends import get_backend

    backend = get_backend("docker")
    return backend.render(spec, backend.options_type())


def test_maven_change_rebuilds_its_stage_and_the_copy_from_it(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", maven=("org.xerial:sqlite-jdbc:3.45.1.0",))
    new = write_spec(tmp_path / "new", maven=("org.xerial:sqlite-jdbc:3.46.0.0",))
    result = diff(str(old), str(new))
    assert _changes(result) == [("maven", "org.xerial:sqlite-jdbc", "changed", "3.45.1.0", "3.46.0.0")]
    layers = result.targets["docker"].docker
    assert layers is not None
    rebuilt = [(s.stage, s.summary.split(" /")[0]) for s in layers.invalidated]
    # the Ivy stage from its copied ivy.xml on; in the final stage, only from the COPY --from on:
    # the pip layers above it stay cached
    assert rebuilt[:4] == [
        ("maven-jars", "COPY deps/maven/ivy/"),
        ("maven-jars", "RUN --mount=type=cache,target=/root/.ivy2/cache mkdir -p"),
        ("final", "COPY --from=maven-jars"),
        ("final", "ENV CLASSPATH SPARK_CLASSPATH"),
    ]
    assert not any("pip install" in s.summary for s in layers.invalidated)


def test_apt_package_added(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old")
    new = write_spec(tmp_path / "new", apt=("libgomp1",))
    result = diff(str(old), str(new))
    assert _changes(result) == [("apt", "libgomp1", "added", None, "*")]
    layers = result.targets["docker"].docker
    assert layers is not None
    first = layers.invalidated[0]
    assert first.instruction == "RUN" and "apt-get update" in first.summary
    # kept: FROM, ARG DEBIAN_FRONTEND and the RUN creating the user, all above the apt step
    assert layers.kept == 3


def test_code_change_rebuilds_only_the_code_layer_and_after(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", code="THRESHOLD = 0.5\n")
    new = write_spec(tmp_path / "new", code="THRESHOLD = 0.7\n")
    result = diff(str(old), str(new))
    [change] = result.changes
    assert (change.ecosystem, change.name, change.change) == ("code", "src/churn_utils", "changed")
    assert change.old != change.new and change.old.startswith("sha256:")
    layers = result.targets["docker"].docker
    assert layers is not None
    summaries = [s.summary for s in layers.invalidated]
    assert summaries[0] == "COPY code/ /opt/specc/code/"
    # the requirement layers stay cached
    assert not any("pip install" in s or "deps/python" in s for s in summaries)
    assert all(
        s.instruction in ("COPY", "WORKDIR", "USER", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT") for s in layers.invalidated
    )
    # the code does not concern a cluster's restart: Databricks is not implied here
    assert "databricks" not in result.targets


def test_env_var_change_and_databricks_restart(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", env={"OMP_NUM_THREADS": "4"}, databricks="15.4.x-cpu-ml-scala2.12")
    new = write_spec(tmp_path / "new", env={"OMP_NUM_THREADS": "8"}, databricks="15.4.x-cpu-ml-scala2.12")
    result = diff(str(old), str(new))
    assert _changes(result) == [("env", "OMP_NUM_THREADS", "changed", '"4"', '"8"')]
    assert list(result.targets) == ["mlflow", "docker", "databricks"]
    cluster = result.targets["databricks"].databricks
    assert cluster is not None and cluster.restart is True
    assert cluster.reasons == ["environment variables or secrets (spark_env_vars) changes"]
    layers = result.targets["docker"].docker
    assert layers is not None and layers.invalidated[0].summary == "ENV OMP_NUM_THREADS"


def test_databricks_runtime_change_needs_a_restart(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", databricks="15.4.x-cpu-ml-scala2.12", docker=False)
    new = write_spec(tmp_path / "new", databricks="16.4.x-cpu-ml-scala2.12", docker=False, python="3.12")
    result = diff(str(old), str(new))
    assert _changes(result) == [
        ("runtime", "databricks", "changed", "15.4.x-cpu-ml-scala2.12", "16.4.x-cpu-ml-scala2.12"),
        ("runtime", "docker-base-image", "changed", "python:3.11-slim-bookworm", "python:3.12-slim-bookworm"),
        ("runtime", "python", "changed", "3.11", "3.12"),
    ]
    assert list(result.targets) == ["mlflow", "databricks"]
    # the Docker base image is no concern of Databricks or MLflow
    assert [c.name for c in result.targets["databricks"].changes] == ["databricks", "python"]
    cluster = result.targets["databricks"].databricks
    assert cluster is not None and cluster.restart is True
    assert cluster.reasons[0] == (
        "the Databricks Runtime (spark_version) changes: 15.4.x-cpu-ml-scala2.12 → 16.4.x-cpu-ml-scala2.12"
    )
    # the text report still shows the change no reported target uses
    text = run_cli("diff", str(old), str(new)).out
    assert "[other] 1 change no reported target uses\n  ~ runtime docker-base-image python:3.11-slim-bookworm" in text


def test_databricks_library_only_added_installs_without_restart(tmp_path: Path) -> None:
    kw: dict[str, Any] = {"databricks": "15.4.x-cpu-ml-scala2.12", "docker": False}
    old = write_spec(tmp_path / "old", maven=("org.xerial:sqlite-jdbc:3.45.1.0",), **kw)
    new = write_spec(
        tmp_path / "new", maven=("org.xerial:sqlite-jdbc:3.45.1.0", "com.google.guava:guava:33.2.1-jre"), **kw
    )
    result = diff(str(old), str(new))
    assert _changes(result) == [("maven", "com.google.guava:guava", "added", None, "33.2.1-jre")]
    cluster = result.targets["databricks"].databricks
    assert cluster is not None
    assert (cluster.restart, cluster.reasons) == (False, [])
    assert cluster.installable == ["maven com.google.guava:guava:33.2.1-jre"]
    # and the other way round the library is removed: that needs a restart
    back = diff(str(new), str(old)).targets["databricks"].databricks
    assert back is not None and back.restart is True
    assert back.reasons == ["cluster library removed: maven com.google.guava:guava:33.2.1-jre"]


def test_changed_library_version_needs_a_restart(tmp_path: Path) -> None:
    kw: dict[str, Any] = {"databricks": "15.4.x-cpu-ml-scala2.12", "docker": False}
    old = write_spec(tmp_path / "old", maven=("org.xerial:sqlite-jdbc:3.45.1.0",), **kw)
    new = write_spec(tmp_path / "new", maven=("org.xerial:sqlite-jdbc:3.46.0.0",), **kw)
    cluster = diff(str(old), str(new)).targets["databricks"].databricks
    assert cluster is not None and cluster.restart is True
    assert cluster.reasons == [
        "cluster library changed: maven org.xerial:sqlite-jdbc:3.45.1.0 → maven org.xerial:sqlite-jdbc:3.46.0.0"
    ]


def test_pip_through_the_init_script_needs_a_restart(tmp_path: Path) -> None:
    # an authenticated index: pip runs in the init script (the Libraries API cannot pass the
    # credentials), from a requirements.txt uploaded next to it; a bump changes that file only
    sides = []
    for name, version in (("old", "2.2.2"), ("new", "2.2.3")):
        spec = write_spec(
            tmp_path / name,
            requirements=(f"pandas=={version}",),
            secrets=("PYPI_USER", "PYPI_TOKEN"),
            databricks="15.4.x-cpu-ml-scala2.12",
            docker=False,
        )
        text = spec.read_text().replace(
            "[python]\n", '[python]\nindex-url = "https://${PYPI_USER}:${PYPI_TOKEN}@pypi.example.com/simple"\n'
        )
        spec.write_text(text.replace('scala2.12"\n', 'scala2.12"\noverrides = ["pandas"]\n', 1))
        sides.append(str(spec))
    result = diff(*sides)
    assert _changes(result) == [("pip", "pandas", "changed", "==2.2.2", "==2.2.3")]
    cluster = result.targets["databricks"].databricks
    assert cluster is not None and cluster.restart is True
    assert cluster.reasons == ["a file the init script installs changes: /Volumes/ml/churn/libs/churn/requirements.txt"]
    assert cluster.installable == []


def _lock(spec_path: Path, packages: list[tuple[str, str]], dest: Path) -> Path:
    import specc
    from specc.lockfile import LockedPython, LockedPythonPackage, new_lock, write_lock

    spec = specc.load(spec_path)
    python = LockedPython(
        python_version="3.11",
        platforms=["x86_64-manylinux_2_28"],
        resolver="uv 0.4.30",
        packages=[LockedPythonPackage(name=n, version=v, hashes=[f"sha256:{'a' * 64}"]) for n, v in packages],
    )
    write_lock(dest, new_lock(spec, python))
    return dest


def test_lock_vs_lock_upgraded_pins(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "spec", requirements=("pandas>=2.2",), docker=False)
    old = _lock(spec, [("numpy", "1.26.4"), ("pandas", "2.2.2"), ("pytz", "2024.1")], tmp_path / "old.lock")
    new = _lock(spec, [("numpy", "2.0.1"), ("pandas", "2.2.2"), ("tzdata", "2024.1")], tmp_path / "new.lock")
    result = diff(str(old), str(new))
    assert (result.old.kind, result.new.kind) == ("lock", "lock")
    assert _changes(result) == [
        ("pip", "numpy", "changed", "==1.26.4", "==2.0.1"),
        ("pip", "pytz", "removed", "==2024.1", None),
        ("pip", "tzdata", "added", None, "==2024.1"),
    ]
    assert result.not_compared == []
    assert list(result.targets) == ["mlflow"]
    # a spec against a lock: what the lock does not record is listed, not reported as removed
    mixed = diff(str(spec), str(old))
    assert "env" in mixed.not_compared and "code" in mixed.not_compared
    assert ("pip", "pandas", "changed", ">=2.2", "==2.2.2") in _changes(mixed)


def test_python_patch_pin_is_a_change_between_specs(tmp_path: Path) -> None:
    # 3.11 -> 3.11.9 is an edit of the spec (only a model's recorded 3.11.9 satisfies 3.11)
    old = write_spec(tmp_path / "old", docker=False)
    new = write_spec(tmp_path / "new", docker=False, python="3.11.9")
    assert ("runtime", "python", "changed", "3.11", "3.11.9") in _changes(diff(str(old), str(new)))


def test_pip_specifiers_compare_pep440_aware(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", requirements=("pandas==2.2",))
    new = write_spec(tmp_path / "new", requirements=("pandas==2.2.0",))
    assert diff(str(old), str(new)).changes == []


# --- a model really logged with MLflow ---------------------------------------------------------


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """(model URI, local model folder, the spec it was logged from) in a temporary sqlite store."""
    mlflow = pytest.importorskip("mlflow")
    import specc
    from specc.mlflow import log_model_kwargs
    from tests.helpers import mlflow_tracking

    class Echo(mlflow.pyfunc.PythonModel):  # type: ignore[misc, name-defined]
        def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
            return model_input

    root = tmp_path_factory.mktemp("diff-mlflow")
    spec_path = write_spec(root / "spec", env={"OMP_NUM_THREADS": "4"}, code="THRESHOLD = 0.5\n")
    with mlflow_tracking(root, "specc-diff"):
        spec = specc.load(spec_path)
        with mlflow.start_run():
            info = mlflow.pyfunc.log_model(name="model", python_model=Echo(), **log_model_kwargs(spec, flavor="pyfunc"))
        folder = Path(mlflow.artifacts.download_artifacts(info.model_uri))
        yield info.model_uri, folder, spec_path


def test_spec_against_a_logged_model(logged: tuple[str, Path, Path], tmp_path: Path) -> None:
    uri, folder, _spec = logged
    new = write_spec(
        tmp_path / "new",
        requirements=("pandas==2.2.3", "scikit-learn==1.5.2"),
        env={"OMP_NUM_THREADS": "4"},
        code="THRESHOLD = 0.5\n",  # the model's copy of the code hashes like the checkout's
    )
    # requirements.txt also holds mlflow==... and cloudpickle (added at log time): not differences
    assert "cloudpickle" in (folder / "requirements.txt").read_text()
    result = diff(str(folder), str(new))
    assert result.old.kind == "model"
    assert _changes(result) == [("pip", "pandas", "changed", "==2.2.2", "==2.2.3")]
    edited = write_spec(tmp_path / "edited", env={"OMP_NUM_THREADS": "4"}, code="THRESHOLD = 0.7\n")
    assert [(c.ecosystem, c.name, c.change) for c in diff(str(folder), str(edited)).changes] == [
        ("code", "src/churn_utils", "changed")
    ]
    # the same through the models:/ URI (downloaded by MLflow from the fixture's store)
    by_uri = diff(uri, str(new))
    assert (by_uri.old.display, _changes(by_uri)) == (uri, _changes(result))

    # a model MLflow logged without specc's file: only requirements.txt and the Python are known
    bare = tmp_path / "bare"
    shutil.copytree(folder, bare)
    found = list(bare.rglob("specc-environment.json"))
    assert found
    for f in found:
        f.unlink()
    result = diff(str(bare), str(new))
    assert _changes(result) == [("pip", "pandas", "changed", "==2.2.2", "==2.2.3")]
    assert set(result.not_compared) == {
        "pip-constraints", "pip-indexes", "wheels", "apt", "debs", "maven", "jars", "r",
        "r-sources", "env", "secrets", "code", "artifacts", "options",
    }  # fmt: skip
    assert list(result.targets) == ["mlflow", "docker"]
    layers = result.targets["docker"].docker
    assert layers is not None and not layers.computed
    # without requirements.txt, pip is not known either (never "every requirement added")
    (bare / "requirements.txt").unlink()
    unknown = diff(str(bare), str(new))
    assert unknown.changes == [] and "pip" in unknown.not_compared


# --- JSON, exit codes, masking -----------------------------------------------------------------


def test_committed_schema_is_fresh() -> None:
    assert (REPO / "schemas" / "specc-diff.schema.json").read_text(encoding="utf-8") == schema_text()
    assert diff_schema()["$id"].endswith("/specc-diff.schema.json")


def test_json_report_validates_and_exit_codes(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", env={"OMP_NUM_THREADS": "4"}, databricks="15.4.x-cpu-ml-scala2.12")
    new = write_spec(tmp_path / "new", env={"OMP_NUM_THREADS": "8"}, databricks="15.4.x-cpu-ml-scala2.12")
    run = run_cli("diff", str(old.parent), str(new.parent), "--format", "json")
    assert run.code == 1, run.err
    report = _validate(json.loads(run.out))
    assert report["differs"] is True
    assert report["changes"] == [
        {"ecosystem": "env", "name": "OMP_NUM_THREADS", "change": "changed", "old": '"4"', "new": '"8"'}
    ]
    assert report["targets"]["databricks"]["cluster"]["restart"] is True
    assert report["targets"]["docker"]["layers"]["invalidated"][0]["instruction"] == "ENV"
    same = run_cli("diff", str(old), str(old), "--format", "json")
    assert same.code == 0, same.err
    assert _validate(json.loads(same.out))["differs"] is False
    text = run_cli("diff", str(old), str(old))
    assert (text.code, text.out.splitlines()[2]) == (0, "no differences")
    only = run_cli("diff", str(old), str(new), "--target", "databricks", "--format", "json")
    assert list(json.loads(only.out)["targets"]) == ["databricks"]


def test_invalid_input_is_exit_2_never_differs(tmp_path: Path) -> None:
    import jsonschema

    good = write_spec(tmp_path / "good")
    bad = tmp_path / "bad" / "model-env.toml"
    bad.parent.mkdir()
    bad.write_text('spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["pandas=>2"]\n')
    run = run_cli("diff", str(good), str(bad), "--format", "json")
    assert run.code == 2
    report = json.loads(run.out)
    jsonschema.Draft202012Validator(DIAG_SCHEMA).validate(report)
    assert "differs" not in report and report["errors"] >= 1
    text = run_cli("diff", str(good), str(bad))
    assert text.code == 2 and text.out == ""
    assert "cannot compare" in text.err and "invalid input, not a difference" in text.err and "error[SPC1" in text.err
    missing = run_cli("diff", str(good), str(tmp_path / "nowhere"), "--format", "json")
    assert missing.code == 2 and [d["code"] for d in json.loads(missing.out)["diagnostics"]] == ["SPC780"]
    lock = tmp_path / "broken.lock"
    lock.write_text("lock-version = 7\n")
    assert [
        d["code"] for d in json.loads(run_cli("diff", str(lock), str(good), "--format", "json").out)["diagnostics"]
    ] == ["SPC781"]
    model = tmp_path / "model"
    model.mkdir()
    (model / "MLmodel").write_text("flavors: [1, 2]\n")
    out = run_cli("diff", str(model), str(good), "--format", "json")
    assert out.code == 2 and [d["code"] for d in json.loads(out.out)["diagnostics"]] == ["SPC782"]
    usage = run_cli("diff", str(good), str(good), "--target", "k8s")
    assert usage.code == 2 and "invalid choice" in usage.err
    assert run_cli("diff", str(good)).code == 2


def test_secrets_and_credentials_are_never_shown(tmp_path: Path) -> None:
    token_old = "hf_" + "a" * 34
    token_new = "hf_" + "b" * 34
    old = write_spec(
        tmp_path / "old", env={"HF_TOKEN": token_old}, secrets=("PYPI_TOKEN",), databricks="15.4.x-cpu-ml-scala2.12"
    )
    new = write_spec(tmp_path / "new", env={"HF_TOKEN": token_new}, databricks="15.4.x-cpu-ml-scala2.12")
    result = diff(str(old), str(new))
    assert ("env", "HF_TOKEN", "changed", "<hidden>", "<hidden>") in _changes(result)
    assert ("secrets", "PYPI_TOKEN", "removed", "databricks=ml/pypi_token docker=pypi_token", None) in _changes(result)
    # a secret whose Databricks mapping alone moved is no concern of the Docker image
    moved = write_spec(tmp_path / "moved", env={"HF_TOKEN": token_old}, databricks="15.4.x-cpu-ml-scala2.12")
    moved.write_text(moved.read_text() + '[secrets.PYPI_TOKEN]\ndatabricks = "ml2/pypi"\n')
    relocated = diff(str(old), str(moved))
    assert _changes(relocated) == [
        (
            "secrets",
            "PYPI_TOKEN",
            "changed",
            "databricks=ml/pypi_token docker=pypi_token",
            "databricks=ml2/pypi docker=pypi_token",
        )
    ]
    assert relocated.targets["docker"].changes == []
    assert [c.name for c in relocated.targets["databricks"].changes] == ["PYPI_TOKEN"]
    for fmt in ("text", "json"):
        run = run_cli("diff", str(old), str(new), "--format", fmt)
        assert run.code == 1
        for token in (token_old, token_new, "a" * 34, "b" * 34):
            assert token not in run.out and token not in run.err


def test_text_report_is_sorted_and_deterministic(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", requirements=("pandas==2.2.2", "scikit-learn==1.5.2", "numpy==2.0.1"))
    new = write_spec(
        tmp_path / "new", requirements=("scikit-learn==1.5.1", "pandas==2.2.3", "zarr==2.18.2"), apt=("libgomp1",)
    )
    first = run_cli("diff", str(old), str(new))
    assert first.code == 1 and first.out == run_cli("diff", str(old), str(new)).out
    block = first.out.split("[mlflow]")[1].split("\n\n")[0].splitlines()[1:]
    # by ecosystem (docs/diff.md's order), then name
    assert block == [
        "  - pip numpy ==2.0.1",
        "  ~ pip pandas ==2.2.2 → ==2.2.3",
        "  ~ pip scikit-learn ==1.5.2 → ==1.5.1",
        "  + pip zarr ==2.18.2",
        "  + apt libgomp1 *",
    ]
    names = [c.name for c in diff(str(old), str(new)).changes]
    assert names == ["numpy", "pandas", "scikit-learn", "zarr", "libgomp1"]


# --- properties --------------------------------------------------------------------------------

_NAMES = st.sampled_from(["pandas", "numpy", "scikit-learn", "lightgbm", "pyarrow", "requests", "scipy"])
_VERSIONS = st.sampled_from(["1.0", "1.2.3", "2.0.1", "2024.1"])
_REQ = st.tuples(_NAMES, st.sampled_from(["==", ">=", "~="]), _VERSIONS).map(lambda t: f"{t[0]}{t[1]}{t[2]}")
_SPECS = st.fixed_dictionaries(
    {
        "requirements": st.lists(_REQ, max_size=4, unique_by=lambda r: r.split("=")[0].split(">")[0].split("~")[0]),
        "apt": st.lists(st.sampled_from(["libgomp1", "curl", "git", "libpq5"]), max_size=3, unique=True),
        "env": st.dictionaries(
            st.sampled_from(["OMP_NUM_THREADS", "LOG_LEVEL", "MODE"]),
            st.sampled_from(["1", "debug", "x y"]),
            max_size=2,
        ),
        "python": st.sampled_from(["3.10", "3.11", "3.12"]),
        "docker": st.booleans(),
    }
)


def _side(folder: Path, kw: dict[str, Any]) -> Any:
    write_spec(folder, **{**kw, "requirements": tuple(kw["requirements"]), "apt": tuple(kw["apt"])})
    return load_side(str(folder / "model-env.toml"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=_SPECS, b=_SPECS)
def test_diff_properties(tmp_path_factory: pytest.TempPathFactory, a: dict[str, Any], b: dict[str, Any]) -> None:
    from specc.diff import diff_sides

    root = tmp_path_factory.mktemp("prop")
    sa, sb = _side(root / "a", a), _side(root / "b", b)
    same = diff_sides(sa, _side(root / "a2", a))
    assert same.changes == [] and not same.differs
    for t in same.targets.values():
        assert t.changes == []
        if t.docker is not None and t.docker.computed:
            assert t.docker.invalidated == []
        if t.databricks is not None and t.databricks.computed:
            assert t.databricks.restart in (False, None)
    ab, ba = diff_sides(sa, sb), diff_sides(sb, sa)

    def keyed(changes: list[Change], kind: str) -> set[tuple[str, str]]:
        return {(c.ecosystem, c.name) for c in changes if c.change == kind}

    assert keyed(ab.changes, "added") == keyed(ba.changes, "removed")
    assert keyed(ab.changes, "removed") == keyed(ba.changes, "added")
    assert {(c.ecosystem, c.name, c.old, c.new) for c in ab.changes if c.change == "changed"} == {
        (c.ecosystem, c.name, c.new, c.old) for c in ba.changes if c.change == "changed"
    }

    # every field drawn here is compared: two different specs always differ (apt packages are a
    # set: the spec's order is not kept, `["curl", "git"]` and `["git", "curl"]` are one spec)
    def norm(kw: dict[str, Any]) -> dict[str, Any]:
        return {**kw, "apt": sorted(kw["apt"])}

    assert ab.differs == ba.differs == (norm(a) != norm(b))


def test_diff_of_two_specs_imports_no_integration(tmp_path: Path) -> None:
    from tests.test_startup import NEVER, modules_after

    old = write_spec(tmp_path / "old", databricks="15.4.x-cpu-ml-scala2.12")
    # modules_after expects exit 0: the same spec on both sides, rendered for all three targets
    loaded = modules_after(tmp_path, "diff", str(old), str(old))
    assert "dockerfile_parse" in loaded  # the probe saw the Docker layers compared
    assert not loaded & NEVER


def test_identical_locks_say_nothing_about_layers_or_restarts(tmp_path: Path) -> None:
    """Found as a user: two equal locks printed "cluster: needs a spec ... on both sides"."""
    from tests.helpers import run_cli

    lock = Path(__file__).resolve().parent.parent / "examples" / "spark-nlp" / "model-env.lock"
    r = run_cli("diff", str(lock), str(lock))
    assert r.code == 0, r.err
    assert "no differences" in r.out and "needs a spec" not in r.out and "not computed" not in r.out
