"""``specc explain``: each line / JSON field of a render, with the spec entry and the rule behind it.

Expected positions are computed here from the example files' own text (the line and column
where the entry is written), never copied from specc's output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource

from specc.api import check_text
from specc.backends import BACKENDS
from specc.explain import explain, explain_schema, locator
from tests import test_docker
from tests.helpers import EXAMPLES, REPO, example_names, run_cli
from tests.test_properties import valid_docs
from tests.toml_writer import dumps

KITCHEN = EXAMPLES / "kitchen-sink"
logged_sklearn_model = test_docker.logged_sklearn_model  # the fixture: sklearn-basic saved by mlflow
SCHEMA = json.loads((REPO / "schemas" / "specc-explain.schema.json").read_text(encoding="utf-8"))
DIAGNOSTICS_SCHEMA = json.loads((REPO / "schemas" / "specc-diagnostics.schema.json").read_text(encoding="utf-8"))


def _validator() -> jsonschema.Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(
        DIAGNOSTICS_SCHEMA["$id"], Resource.from_contents(DIAGNOSTICS_SCHEMA)
    )
    return jsonschema.Draft202012Validator(SCHEMA, registry=registry)


def _json(*argv: str, cwd: Path | None = None) -> dict[str, Any]:
    r = run_cli("explain", *argv, "--format", "json", cwd=cwd)
    assert r.code == 0, r.err + r.out
    doc: dict[str, Any] = json.loads(r.out)
    _validator().validate(doc)
    return doc


def _position(path: Path, needle: str) -> tuple[int, int]:
    """1-based (line, column) of the first ``needle`` in ``path``."""
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        col = line.find(needle)
        if col >= 0:
            return no, col + 1
    raise AssertionError(f"{needle!r} not in {path}")


def _rendered_line(example: str, target: str, file: str, needle: str) -> int:
    """The 1-based line of ``file`` in the real render whose text, stripped, starts with ``needle``."""
    from specc import load

    backend = BACKENDS[target]
    out = backend.render(load(EXAMPLES / example / "model-env.toml"), backend.options_type())
    content = out.files[file]
    assert isinstance(content, bytes)
    for no, line in enumerate(content.decode().splitlines(), start=1):
        if line.strip().startswith(needle):
            return no
    raise AssertionError(f"{needle!r} not in {file}")


# --- exact provenance -------------------------------------------------------------------------------


def test_dockerfile_apt_line_traces_to_the_apt_entry() -> None:
    line = _rendered_line("kitchen-sink", "docker", "Dockerfile", "graphviz ")
    doc = _json(str(KITCHEN), "-t", "docker", f"Dockerfile:{line}")
    ((f,),) = [doc["files"]]
    assert f["file"] == "Dockerfile" and f["kind"] == "text"
    (piece,) = f["pieces"]
    assert piece["where"] == line and piece["text"].strip() == "graphviz \\"
    (src,) = piece["sources"]
    want_line, want_col = _position(KITCHEN / "model-env.toml", '"graphviz"')
    assert src["file"] == f"{KITCHEN}/model-env.toml"
    assert (src["span"]["line"], src["span"]["column"]) == (want_line, want_col)
    assert src["entry"] == "apt.packages[1]"  # as written: libgomp1 comes first in the file
    assert src["path"] == "apt.packages[0]"  # normalized: sorted
    assert src["rule"] == "apt layer" and src["written"] is True
    assert piece["generated"] is False and piece["rules"] == ["apt layer"]


def test_text_form_of_one_line_names_file_line_col_rule_and_the_spec_text() -> None:
    line = _rendered_line("kitchen-sink", "docker", "Dockerfile", "graphviz ")
    want_line, want_col = _position(KITCHEN / "model-env.toml", '"graphviz"')
    r = run_cli("explain", str(KITCHEN), "-t", "docker", f"Dockerfile:{line}")
    assert r.code == 0, r.err
    assert r.out.splitlines() == [
        f"Dockerfile:{line}: graphviz \\",
        "  rule:  apt layer",
        f"  from:  apt.packages[1] @ {KITCHEN}/model-env.toml:{want_line}:{want_col}",
        "         normalized: apt.packages[0]",
        f"         {want_line} | " + (KITCHEN / "model-env.toml").read_text().splitlines()[want_line - 1].rstrip(),
    ]


def test_requirement_line_traces_to_its_requirements_file_line() -> None:
    line = _rendered_line("kitchen-sink", "docker", "deps/python/requirements.txt", "nltk==3.9.1")
    # a unique file name is enough: requirements.txt is deps/python/requirements.txt here
    doc = _json(str(KITCHEN), "-t", "docker", f"requirements.txt:{line}")
    (f,) = doc["files"]
    assert f["file"] == "deps/python/requirements.txt"
    (piece,) = f["pieces"]
    (src,) = piece["sources"]
    want_line, want_col = _position(KITCHEN / "requirements.txt", "nltk==3.9.1")
    assert src["file"] == f"{KITCHEN}/requirements.txt"
    assert (src["span"]["line"], src["span"]["column"]) == (want_line, want_col)
    assert src["entry"] == "python.requirements-files[0]"
    assert src["rule"] == "pip requirement"


def test_a_requirement_of_a_nested_requirements_file_names_that_file() -> None:
    line = _rendered_line("kitchen-sink", "docker", "deps/python/requirements.txt", "scipy==")
    doc = _json(str(KITCHEN), "-t", "docker", f"deps/python/requirements.txt:{line}")
    (src,) = doc["files"][0]["pieces"][0]["sources"]
    want = _position(KITCHEN / "requirements-serving.txt", "scipy==")
    assert src["file"] == f"{KITCHEN}/requirements-serving.txt"
    assert (src["span"]["line"], src["span"]["column"]) == want


def test_libraries_json_field_traces_to_the_requirement() -> None:
    gpu = EXAMPLES / "gpu-torch"
    libraries = json.loads((REPO / "tests" / "golden" / "gpu-torch" / "databricks" / "libraries.json").read_text())
    package = libraries["libraries"][0]["pypi"]["package"]
    doc = _json(str(gpu), "-t", "databricks", "libraries.json#/libraries/0")
    (f,) = doc["files"]
    assert f["kind"] == "json"
    (piece,) = f["pieces"]
    assert piece["where"] == "/libraries/0/pypi/package"
    assert json.loads(piece["text"]) == package
    (src,) = piece["sources"]
    assert src["rule"] == "pypi library"
    want_line, want_col = _position(gpu / "model-env.toml", json.dumps(package))
    assert (src["file"], src["span"]["line"], src["span"]["column"]) == (f"{gpu}/model-env.toml", want_line, want_col)


def test_json_keys_the_spec_named_and_generated_fields() -> None:
    doc = _json(str(KITCHEN), "-t", "databricks", "cluster.json#/spark_env_vars")
    pieces = {p["where"]: p for p in doc["files"][0]["pieces"]}
    omp = pieces["/spark_env_vars/OMP_NUM_THREADS"]
    (src,) = omp["sources"]
    assert src["entry"] == "env.OMP_NUM_THREADS" and src["rule"] == "spark_env_vars"
    assert src["span"]["line"] == _position(KITCHEN / "model-env.toml", "OMP_NUM_THREADS")[0]
    # the cluster id comes from --cluster-id, not from the spec: generated, with its rule
    doc = _json(str(KITCHEN), "-t", "databricks", "--cluster-id", "0123-456789-abcdef12", "libraries.json#/cluster_id")
    (piece,) = doc["files"][0]["pieces"]
    assert json.loads(piece["text"]) == "0123-456789-abcdef12"
    assert piece["generated"] is True and piece["sources"] == []
    assert piece["rules"] == ["databricks: --cluster-id 0123-456789-abcdef12"]  # the flag, named


def test_the_spec_document_of_the_mlflow_target_traces_by_pointer() -> None:
    """specc-environment.json is the normalized spec: a field leads to the entry behind it (a
    requirements-file line here); a hash, which the spec does not write, is generated."""
    doc = _json(str(KITCHEN), "-t", "mlflow", "specc-environment.json#/python/requirements/0")
    pieces = {p["where"]: p for p in doc["files"][0]["pieces"]}
    name = pieces["/python/requirements/0/name"]
    assert json.loads(name["text"]) == "nltk"
    (src,) = name["sources"]
    assert src["rule"] == "specc-environment.json: the normalized spec"
    assert src["file"] == f"{KITCHEN}/requirements.txt"
    assert (src["span"]["line"], src["span"]["column"]) == _position(KITCHEN / "requirements.txt", "nltk==3.9.1")
    doc = _json(str(KITCHEN), "-t", "mlflow", "specc-environment.json#/hashes/python")
    (piece,) = doc["files"][0]["pieces"]
    assert piece["generated"] is True and piece["rules"] == ["mlflow: specc-environment.json (hashes)"]


def test_a_default_points_at_the_table_it_derives_from() -> None:
    line = _rendered_line("kitchen-sink", "docker", "Dockerfile", "ARG BASE=")
    doc = _json(str(KITCHEN), "-t", "docker", f"Dockerfile:{line}")
    (src,) = doc["files"][0]["pieces"][0]["sources"]
    assert src["rule"] == "base image (from the runtime)"
    assert src["entry"] == "runtime"
    assert src["span"]["line"] == _position(KITCHEN / "model-env.toml", "[runtime]")[0]


def test_copied_folder_and_a_file_inside_it() -> None:
    doc = _json(str(KITCHEN), "-t", "docker", "code/churn_utils/__init__.py")
    (f,) = doc["files"]
    assert f["file"] == "code/churn_utils" and f["kind"] == "copied"
    (src,) = f["pieces"][0]["sources"]
    assert src["rule"] == "code layer"
    assert (src["span"]["line"], src["span"]["column"]) == _position(KITCHEN / "model-env.toml", '"src/churn_utils"')


# --- the full listing: every line, nothing omitted ------------------------------------------------------


@pytest.mark.parametrize("target", ["docker", "databricks", "mlflow"])
def test_full_listing_covers_every_line_and_field(target: str) -> None:
    from specc.api import check

    result = check(KITCHEN / "model-env.toml", targets=())
    assert result.spec is not None
    backend = BACKENDS[target]
    rendered = backend.render(result.spec, backend.options_type())
    doc = _json(str(KITCHEN), "-t", target)
    files = {f["file"]: f for f in doc["files"]}
    assert sorted(files) == sorted(rendered.files)
    for name, content in rendered.files.items():
        pieces = files[name]["pieces"]
        if isinstance(content, Path):
            assert [p["where"] for p in pieces] == [1]
        elif name.endswith(".json"):
            assert files[name]["kind"] == "json"
            assert all(isinstance(p["where"], str) for p in pieces)
        else:
            assert [p["where"] for p in pieces] == list(range(1, len(content.decode().splitlines()) + 1))
        for p in pieces:
            assert p["rules"] and all(p["rules"])
            if p["generated"]:
                assert p["rules"][0].startswith(f"{target}: ")
    # every provenance the render records is shown, with a source unless the spec writes
    # nothing on any of its paths (a spec document's hashes)
    where_of = locator(result)
    for name, produced in rendered.provenance.items():
        sourced = {p["where"] for p in files[name]["pieces"] if p["sources"]}
        listed = {p["where"] for p in files[name]["pieces"]}
        for p in produced:
            assert p.where in listed, (name, p.where)
            if any(where_of(path).span is not None for path in p.paths):
                assert p.where in sourced, (name, p.where)
    if target == "mlflow":  # the spec documents add their fields to the marks' own
        assert any("/hashes/" in str(p.where) for p in rendered.provenance["specc-environment.json"])


def test_text_listing_is_one_line_per_piece() -> None:
    r = run_cli("explain", str(KITCHEN), "-t", "docker", "Dockerfile")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert len(lines) == len((REPO / "tests/golden/kitchen-sink/docker/Dockerfile").read_text().splitlines())
    assert lines[0] == "Dockerfile:1  # syntax=docker/dockerfile:1  <- generated [docker: Dockerfile template (header)]"
    apt = _position(KITCHEN / "model-env.toml", '"libgomp1"')
    assert f"  libgomp1 \\  <- apt.packages[0] @ {KITCHEN}/model-env.toml:{apt[0]}:{apt[1]} [apt layer]" in r.out


@pytest.mark.parametrize("example", example_names())
@pytest.mark.parametrize("target", ["docker", "databricks", "mlflow"])
def test_every_example_explains_and_validates_against_the_schema(example: str, target: str) -> None:
    r = run_cli("explain", str(EXAMPLES / example), "-t", target, "--format", "json")
    if r.code == 1:  # the target cannot express this example: the diagnostics report, with codes
        report = json.loads(r.out)
        jsonschema.Draft202012Validator(DIAGNOSTICS_SCHEMA).validate(report)
        assert report["errors"] > 0
        return
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    _validator().validate(doc)
    assert doc["target"] == target and doc["files"]


def test_the_committed_schema_is_fresh() -> None:
    from specc.schema import schema_text

    assert json.loads(schema_text("specc-explain.schema.json")) == explain_schema() == SCHEMA


# --- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "code", "in_hint"),
    [
        ("nope.txt", "SPC770", "Dockerfile, "),
        ("Dockerfile:0", "SPC771", "ask for 1 to"),
        ("Dockerfile:100000", "SPC771", "ask for 1 to"),
        ("Dockerfile#/x", "SPC773", "`Dockerfile:1`"),
        ("code/helpers.py:99", "SPC771", "ask for 1 to"),  # a copied text file has its own lines
        (
            "deps/python/wheels/featurizer-0.3.0-py3-none-any.whl:2",
            "SPC771",
            "`deps/python/wheels/featurizer-0.3.0-py3-none-any.whl:1`",
        ),
    ],
)
def test_bad_addresses_are_diagnostics_with_a_hint(address: str, code: str, in_hint: str) -> None:
    r = run_cli("explain", str(KITCHEN), "-t", "docker", address)
    assert r.code == 1
    assert r.out == ""
    assert f"error[{code}]" in r.err and in_hint in r.err, r.err
    assert "Traceback" not in r.err
    j = run_cli("explain", str(KITCHEN), "-t", "docker", address, "--format", "json")
    assert j.code == 1
    report = json.loads(j.out)
    jsonschema.Draft202012Validator(DIAGNOSTICS_SCHEMA).validate(report)
    assert [d["code"] for d in report["diagnostics"] if d["severity"] == "error"] == [code]


def test_json_file_addresses() -> None:
    r = run_cli("explain", str(KITCHEN), "-t", "databricks", "libraries.json:3")
    assert r.code == 1 and "error[SPC773]" in r.err and "libraries.json#/" in r.err
    r = run_cli("explain", str(KITCHEN), "-t", "databricks", "libraries.json#/nope")
    assert r.code == 1 and "error[SPC772]" in r.err and "/libraries" in r.err


def test_a_name_matching_several_outputs_is_ambiguous(tmp_path: Path) -> None:
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "requirements.txt").write_text("# shipped as code\n")
    (tmp_path / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["numpy==1.26.4"]\n'
        '[code]\npaths = ["extra/requirements.txt"]\n'
    )
    r = run_cli("explain", str(tmp_path), "-t", "docker", "requirements.txt")
    assert r.code == 1, r.out
    assert "error[SPC774]" in r.err
    assert "code/requirements.txt" in r.err and "deps/python/requirements.txt" in r.err
    # the copied file is the [code] entry's alone: the pip layer's staged requirements.txt,
    # which shares its file name, does not claim it
    ok = run_cli("explain", str(tmp_path), "-t", "docker", "code/requirements.txt")
    assert ok.code == 0
    assert ok.out.splitlines()[1:3] == [
        "  rule:  code layer",
        f"  from:  code.paths[0] @ {tmp_path}/model-env.toml:7:10",
    ]


def test_invalid_spec_and_unrenderable_target_exit_1(tmp_path: Path) -> None:
    (tmp_path / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["x=="]\n'
    )
    r = run_cli("explain", str(tmp_path), "-t", "docker")
    assert r.code == 1 and "error[SPC" in r.err and r.out == ""
    # sklearn-basic names no Databricks runtime the target accepts as is: render's errors, exit 1
    r = run_cli("explain", str(EXAMPLES / "sklearn-basic"), "-t", "databricks")
    assert r.code == 1 and "error[SPC" in r.err and "cannot render" in r.err


def test_target_flags_are_render_s(tmp_path: Path) -> None:
    r = run_cli("explain", str(KITCHEN), "-t", "docker", "--cluster-id", "x")
    assert r.code == 2 and "--cluster-id does not apply to --target docker" in r.err
    # --locked loads the spec's model-env.lock as render does: none here, so its code, exit 1
    spec = tmp_path / "model-env.toml"
    spec.write_text('spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["numpy==1.26.4"]\n')
    r = run_cli("explain", str(tmp_path), "-t", "docker", "--locked")
    assert r.code == 1 and "SPC611" in r.err
    assert run_cli("explain", "-t", "nope").code == 2
    assert run_cli("explain", str(KITCHEN), "Dockerfile").code == 2  # --target is required
    assert run_cli("explain", str(KITCHEN), "-t", "docker", "Dockerfile:1", "extra").code == 2
    # positionals on both sides of the options, as the usage line shows
    both = run_cli("explain", str(KITCHEN), "-t", "docker", "Dockerfile:1")
    assert both.code == 0 and both.out.startswith("Dockerfile:1: ")


def test_help_has_examples() -> None:
    r = run_cli("explain", "--help")
    assert r.code == 0
    assert "examples:" in r.out and "Dockerfile:44" in r.out and "--format json" in r.out
    assert "--locked" in r.out and "--cluster-id" in r.out  # the targets' flags, as render offers them


def test_one_argument_is_the_address_when_it_is_no_spec(tmp_path: Path) -> None:
    r = run_cli("explain", "-t", "docker", "Dockerfile:1", cwd=KITCHEN)
    assert r.code == 0, r.err
    assert r.out.startswith("Dockerfile:1: # syntax=docker/dockerfile:1\n")
    r = run_cli("explain", "-t", "docker", "model-env.toml", cwd=KITCHEN)  # a *.toml: the spec
    assert r.code == 0 and r.out.startswith(".dockerignore:1  ")  # files in name order


def test_nothing_is_written(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "ks"
    shutil.copytree(KITCHEN, copy)
    before = sorted(p.relative_to(copy) for p in copy.rglob("*"))
    for target in ("docker", "databricks", "mlflow"):
        assert run_cli("explain", "-t", target, cwd=copy).code == 0
    assert sorted(p.relative_to(copy) for p in copy.rglob("*")) == before


def test_output_is_deterministic_across_processes() -> None:
    outs = []
    for seed in ("0", "1"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        proc = subprocess.run(
            [sys.executable, "-m", "specc.cli", "explain", str(KITCHEN), "-t", "databricks", "--format", "json"],
            capture_output=True,
            env=env,
            cwd=REPO,
            check=True,
        )
        outs.append(proc.stdout)
    assert outs[0] == outs[1] and outs[0]
    assert run_cli("explain", str(KITCHEN), "-t", "docker").out == run_cli("explain", str(KITCHEN), "-t", "docker").out


# --- property: every requirement is explained by a line of the Docker output ----------------------------


@st.composite
def specs_with_files(draw: Any) -> tuple[dict[str, Any], list[str]]:
    """A small valid-looking spec, some of its requirements moved into a requirements file."""
    doc = draw(valid_docs())
    reqs = doc["python"]["requirements"]
    cut = draw(st.integers(0, len(reqs)))
    in_file = reqs[cut:]
    doc["python"]["requirements"] = reqs[:cut]
    if in_file:
        doc["python"]["requirements-files"] = ["reqs.txt"]
    return doc, in_file


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=specs_with_files())
def test_every_requirement_is_explained_by_a_docker_line(case: tuple[dict[str, Any], list[str]]) -> None:
    doc, in_file = case
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        text = dumps(doc)
        (base / "model-env.toml").write_text(text)
        file_text = "".join(line + "\n" for line in in_file)
        (base / "reqs.txt").write_text(file_text)
        result = check_text(text, base_dir=base, targets=())
        if result.spec is None:  # e.g. two conflicting pins drawn: said with a code
            assert all(d.code.startswith("SPC") for d in result.diagnostics)
            event("invalid spec")
            return
        spec = result.spec
        rendered = BACKENDS["docker"].render(spec, BACKENDS["docker"].options_type())
        if not rendered.files:
            assert any(d.severity == "error" for d in rendered.diagnostics)
            event("docker cannot render it")
            return
        event(f"explained ({'some' if spec.python.requirements else 'no'} requirements)")
        explanation = explain(rendered, "docker", "model-env.toml", locator(result))
        sources = [s for f in explanation.files if f.kind == "text" for p in f.pieces for s in p.sources]
        spec_lines = text.splitlines()
        req_lines = file_text.splitlines()
        for i in range(len(spec.python.requirements)):
            hits = [s for s in sources if s.path == ("python", "requirements", i)]
            assert hits, (i, spec.python.requirements[i].line)
            s = hits[0]
            assert s.span is not None and s.written and s.rule == "pip requirement"
            # the span holds the requirement as written: in the spec, or a line of reqs.txt
            if s.file is not None and s.file.endswith("reqs.txt"):
                assert s.entry == ("python", "requirements-files", 0)
                assert req_lines[s.span.line - 1] in in_file
            else:
                written = spec_lines[s.span.line - 1][s.span.col - 1 : s.span.end_col - 1]
                assert json.loads(written) in doc["python"]["requirements"]


def test_json_carries_the_spec_and_render_warnings(tmp_path: Path) -> None:
    # a range requirement warns while validating (SPC202): text mode prints it on stderr, JSON
    # keeps it in the document
    (tmp_path / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["numpy>=1.26"]\n'
    )
    doc = _json(str(tmp_path), "-t", "docker")
    assert "SPC202" in [d["code"] for d in doc["diagnostics"]]
    r = run_cli("explain", str(tmp_path), "-t", "docker")
    assert r.code == 0 and "warning[SPC202]" in r.err and "SPC202" not in r.out


def test_explain_imports_no_integration(tmp_path: Path) -> None:
    from tests.test_startup import NEVER, modules_after

    loaded = modules_after(tmp_path, "explain", str(EXAMPLES / "sklearn-basic"), "--target", "docker")
    assert "jinja2" in loaded  # the probe saw the Docker target render
    assert not loaded & NEVER


def test_model_flag_is_render_s(logged_sklearn_model: Path, tmp_path: Path) -> None:
    """``--model`` (a docker flag) is taken as render takes it: the model is read and checked,
    and the folder explained is the one render writes (the model copied in, as generated)."""
    spec_dir = str(EXAMPLES / "sklearn-basic")
    out = tmp_path / "ctx"
    assert (
        run_cli("render", "-t", "docker", spec_dir, "--model", str(logged_sklearn_model), "--out", str(out)).code == 0
    )
    written = {p.relative_to(out).as_posix() for p in out.iterdir()} - {"specc-provenance.json", ".specc-output"}
    doc = _json(spec_dir, "-t", "docker", "--model", str(logged_sklearn_model))
    listed = {f["file"].split("/", 1)[0] for f in doc["files"]}
    assert listed == written
    (model,) = [f for f in doc["files"] if f["file"] == "model"]
    assert model["kind"] == "copied" and model["pieces"][0]["generated"] is True
    bad = run_cli("explain", spec_dir, "-t", "docker", "--model", str(tmp_path / "missing"))
    assert bad.code == 1 and "Traceback" not in bad.err
