"""``specc explain`` as a user meets it: faults found by using it on real model repositories,
each turned into a test together with the other cases of the same kind.

Expected positions are computed from the spec text written here (``_position``), never copied
from specc's output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specc.api import check
from specc.backends import BACKENDS
from specc.diagnostics import format_path
from specc.explain import explain, locator
from tests import test_docker
from tests.helpers import EXAMPLES, example_names, run_cli

logged_sklearn_model = test_docker.logged_sklearn_model  # the fixture: sklearn-basic saved by mlflow


def _json(*argv: str, cwd: Path | None = None) -> dict[str, Any]:
    r = run_cli("explain", *argv, "--format", "json", cwd=cwd)
    assert r.code == 0, r.err + r.out
    doc: dict[str, Any] = json.loads(r.out)
    return doc


def _position(path: Path, needle: str) -> tuple[int, int]:
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        col = line.find(needle)
        if col >= 0:
            return no, col + 1
    raise AssertionError(f"{needle!r} not in {path}")


def _line_of(spec: Path, target: str, file: str, start: str) -> int:
    """The line of rendered ``file`` starting with ``start`` (after indentation)."""
    doc = _json(str(spec), "-t", target, file)
    for piece in doc["files"][0]["pieces"]:
        if piece["text"].strip().startswith(start):
            return int(piece["where"])
    raise AssertionError(f"no line starting {start!r} in {file}")


def _one_source(spec: Path, target: str, address: str) -> dict[str, Any]:
    (piece,) = _json(str(spec), "-t", target, address)["files"][0]["pieces"]
    (src,) = piece["sources"]
    return dict(src)


SERVING = """\
spec-version = 1

[model]
name = "churn-sk"

[runtime]
python = "3.11"

[python]
requirements = ["scikit-learn==1.5.2"]

[secrets.ACME_TOKEN]
docker = "acme_token"

[targets.docker]
serve = true
"""


# --- a default is "not written" and points at the nearest table the spec writes ------------------
# Found: `EXPOSE 8080` said `from: targets.docker.port @ model-env.toml:32:1` as if the port were
# written there, while line 32 is `[targets.docker]` and the port is the default.


def test_default_port_is_not_written_and_points_at_its_table(tmp_path: Path) -> None:
    spec = tmp_path / "model-env.toml"
    spec.write_text(SERVING, encoding="utf-8")
    line = _line_of(spec, "docker", "Dockerfile", "EXPOSE")
    src = _one_source(spec, "docker", f"Dockerfile:{line}")
    assert src["written"] is False
    assert src["entry"] == "targets.docker" and src["path"] == "targets.docker.port"
    assert (src["span"]["line"], src["span"]["column"]) == _position(spec, "[targets.docker]")
    text = run_cli("explain", str(spec), "-t", "docker", f"Dockerfile:{line}").out
    assert "from:  targets.docker @ " in text and "not written in the spec" in text


def test_written_port_is_written_at_its_value(tmp_path: Path) -> None:
    spec = tmp_path / "model-env.toml"
    spec.write_text(SERVING + "port = 9000\n", encoding="utf-8")
    line = _line_of(spec, "docker", "Dockerfile", "EXPOSE")
    src = _one_source(spec, "docker", f"Dockerfile:{line}")
    assert src["written"] is True and src["entry"] == "targets.docker.port"
    line_no, col = _position(spec, "9000")
    assert (src["span"]["line"], src["span"]["column"]) == (line_no, col)


def test_base_image_from_the_runtime_is_not_written_a_written_one_is(tmp_path: Path) -> None:
    spec = tmp_path / "model-env.toml"
    spec.write_text(SERVING, encoding="utf-8")
    line = _line_of(spec, "docker", "Dockerfile", "ARG BASE=")
    derived = _one_source(spec, "docker", f"Dockerfile:{line}")
    assert (derived["entry"], derived["written"]) == ("runtime", False)
    image = "python:3.11-slim-bookworm@sha256:" + "a" * 64
    spec.write_text(SERVING + f'base-image = "{image}"\n', encoding="utf-8")
    line = _line_of(spec, "docker", "Dockerfile", "ARG BASE=")
    written = _one_source(spec, "docker", f"Dockerfile:{line}")
    assert (written["entry"], written["written"]) == ("targets.docker.base-image", True)
    assert (written["span"]["line"], written["span"]["column"]) == _position(spec, f'"{image}"')


def test_a_declared_secret_table_is_written(tmp_path: Path) -> None:
    spec = tmp_path / "model-env.toml"
    spec.write_text(SERVING, encoding="utf-8")
    doc = _json(str(spec), "-t", "mlflow", "specc-environment.json#/secrets/ACME_TOKEN")
    by_where = {p["where"]: p["sources"] for p in doc["files"][0]["pieces"]}
    (docker,) = by_where["/secrets/ACME_TOKEN/docker"]
    assert docker["written"] is True and docker["entry"] == "secrets.ACME_TOKEN.docker"
    assert (docker["span"]["line"], docker["span"]["column"]) == _position(spec, '"acme_token"')
    # the Databricks mapping is not written: a default under the written secret table
    for src in by_where.get("/secrets/ACME_TOKEN/databricks", []):
        assert src["written"] is False and src["entry"] == "secrets.ACME_TOKEN"


def _spelled(data: Any, entry: tuple[str | int, ...]) -> Any:
    """The TOML value at ``entry``; AssertionError when the file does not spell it."""
    node = data
    for part in entry:
        ok = (isinstance(node, list) and isinstance(part, int) and part < len(node)) or (
            isinstance(node, dict) and part in node
        )
        assert ok, f"{format_path(entry)} is not written in the spec file"
        node = node[part]
    return node


@pytest.mark.parametrize("name", example_names())
def test_every_source_written_or_not_is_honest(name: str) -> None:
    """Across every example and target: a source marked written names an entry the spec file
    spells (or a requirements file's line); one marked not written names a table the spec writes,
    and its span is that table's."""
    folder = EXAMPLES / name
    result = check(folder / "model-env.toml")
    assert result.spec is not None and result.document is not None
    data = result.document.data
    spec_name = result.document.source.name
    for target, backend in BACKENDS.items():
        rendered = backend.render(result.spec, backend.options_type())
        if any(d.severity == "error" for d in rendered.diagnostics):
            continue
        for f in explain(rendered, target, spec_name, locator(result)).files:
            for piece in f.pieces:
                for s in piece.sources:
                    if s.file != spec_name:  # a requirements file's line
                        assert s.written and s.entry[:2] == ("python", "requirements-files")
                        continue
                    value = _spelled(data, s.entry)
                    if s.written:
                        assert not (
                            isinstance(value, dict) and s.path != s.entry and s.path[: len(s.entry)] == s.entry
                        ), f"{name}/{target} {f.file}:{piece.where}: {format_path(s.path)} written at a table"
                    else:
                        assert isinstance(value, dict), (
                            f"{name}/{target} {f.file}:{piece.where}: not-written {format_path(s.path)} at a value"
                        )


# --- an address inside a copied file or folder names something the copy holds ---------------------
# Found: `specc explain -t docker code/churn/nope.py` explained the folder and exited 0 for a file
# that does not exist.

CODE_SPEC = """\
spec-version = 1
[model]
name = "churn-sk"
[runtime]
python = "3.11"
[python]
requirements = ["scikit-learn==1.5.2"]
wheels = ["dist/featurizer-0.3.0-py3-none-any.whl"]
[code]
paths = ["src/churn"]
[targets.docker]
serve = true
"""


@pytest.fixture
def code_repo(tmp_path: Path) -> Path:
    import shutil

    (tmp_path / "src" / "churn" / "features").mkdir(parents=True)
    (tmp_path / "src" / "churn" / "__init__.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    (tmp_path / "src" / "churn" / "features" / "scale.py").write_text("K = 2\n", encoding="utf-8")
    (tmp_path / "dist").mkdir()
    wheel = EXAMPLES / "kitchen-sink" / "dist" / "featurizer-0.3.0-py3-none-any.whl"
    shutil.copy(wheel, tmp_path / "dist")
    (tmp_path / "model-env.toml").write_text(CODE_SPEC, encoding="utf-8")
    return tmp_path


def _error(repo: Path, target: str, address: str) -> tuple[str, str]:
    r = run_cli("explain", str(repo), "-t", target, address, "--format", "json")
    assert r.code == 1, r.out + r.err
    (d,) = [d for d in json.loads(r.out)["diagnostics"] if d["severity"] == "error"]
    return d["code"], d.get("hint") or ""


@pytest.mark.parametrize("target", ["docker", "mlflow"])
def test_a_missing_file_inside_a_copied_folder_is_unknown(code_repo: Path, target: str) -> None:
    code, hint = _error(code_repo, target, "code/churn/nope.py")
    assert code == "SPC770"
    assert "__init__.py" in hint and "features/scale.py" in hint


@pytest.mark.parametrize("address", ["code/churn/__init__.py", "code/churn/features/scale.py", "code/churn/features"])
def test_a_file_or_folder_inside_a_copied_folder_is_its_entry(code_repo: Path, address: str) -> None:
    (f,) = _json(str(code_repo), "-t", "docker", address)["files"]
    assert f["file"] == "code/churn" and f["kind"] == "copied"
    (src,) = f["pieces"][0]["sources"]
    assert src["entry"] == "code.paths[0]"
    assert (src["span"]["line"], src["span"]["column"]) == _position(code_repo / "model-env.toml", '"src/churn"')


def test_a_copied_folder_with_a_trailing_slash_is_the_folder(code_repo: Path) -> None:
    assert _json(str(code_repo), "-t", "docker", "code/churn/")["files"][0]["file"] == "code/churn"


def test_lines_of_a_file_inside_a_copied_folder_are_checked(code_repo: Path) -> None:
    assert _json(str(code_repo), "-t", "docker", "code/churn/__init__.py:2")["files"][0]["file"] == "code/churn"
    for line in ("3", "0", "-1", "999999"):
        code, hint = _error(code_repo, "docker", f"code/churn/__init__.py:{line}")
        assert code == "SPC771" and "has 2 lines" in hint
    assert _error(code_repo, "docker", "code/churn/__init__.py#/x")[0] == "SPC773"


@pytest.mark.parametrize(
    ("target", "wheel"),
    [
        ("docker", "deps/python/wheels/featurizer-0.3.0-py3-none-any.whl"),
        ("databricks", "files/wheels/featurizer-0.3.0-py3-none-any.whl"),
    ],
)
def test_nothing_is_inside_a_copied_file(code_repo: Path, target: str, wheel: str) -> None:
    spec = code_repo / "model-env.toml"
    if target == "databricks":
        text = CODE_SPEC.replace('python = "3.11"', 'python = "3.11"\ndatabricks = "15.4.x-cpu-ml-scala2.12"')
        text += '[targets.databricks]\nlibraries-dir = "/Volumes/ml/churn/libs"\n'
        text += '[targets.databricks.cluster]\nnode-type = "i3.xlarge"\n'
        spec.write_text(text, encoding="utf-8")
    (f,) = _json(str(code_repo), "-t", target, wheel)["files"]
    assert f["kind"] == "copied"
    code, hint = _error(code_repo, target, f"{wheel}/featurizer/__init__.py")
    assert code == "SPC770" and "copied file, not a folder" in hint


# --- a value the spec writes is never "generated" where the output carries it ----------------------
# Found: `COPY code/`, `ENV PYTHONPATH=...`, the ENTRYPOINT's `--port`, the HEALTHCHECK, cluster.json's
# `num_workers` / `data_security_mode` / init script destination, a Maven package's exclusions and
# repository, the Python version checks: all said "generated [... template]" though the spec wrote them.

DBX_SPEC = """\
spec-version = 1

[model]
name = "fraud-dbx"

[runtime]
python = "3.11"
databricks = "15.4.x-cpu-ml-scala2.12"

[python]
requirements = ["lightgbm==4.3.0"]

[maven]
packages = [
  "com.johnsnowlabs.nlp:spark-nlp_2.12:5.3.3",
  { coordinates = "org.xerial:sqlite-jdbc:3.45.1.0", exclusions = ["org.slf4j:slf4j-api"], repository = "https://maven.example.com/releases" },
]

[apt]
packages = ["libgomp1"]

[targets.docker]
serve = true
port = 9000

[targets.databricks]
libraries-dir = "/Volumes/ml/fraud/libs"

[targets.databricks.cluster]
node-type = "i3.xlarge"
workers = 2
data-security-mode = "SINGLE_USER"
"""  # noqa: E501 (an inline table must fit on one line)


def _pieces(spec: Path, target: str, file: str) -> list[dict[str, Any]]:
    return list(_json(str(spec), "-t", target, file)["files"][0]["pieces"])


def _source_of(piece: dict[str, Any], entry: str) -> dict[str, Any]:
    hits = [s for s in piece["sources"] if s["entry"] == entry]
    assert hits, f"{piece['where']} {piece['text']!r}: no source {entry} in {piece['sources']}"
    return dict(hits[0])


@pytest.fixture
def dbx(tmp_path: Path) -> Path:
    spec = tmp_path / "model-env.toml"
    spec.write_text(DBX_SPEC, encoding="utf-8")
    return spec


def test_docker_serving_lines_come_from_serve_and_port(dbx: Path) -> None:
    by_start = {p["text"].strip().split(" ")[0]: p for p in _pieces(dbx, "docker", "Dockerfile")}
    port_at = _position(dbx, "9000")
    for start in ("EXPOSE", "ENTRYPOINT", "CMD"):  # CMD: the HEALTHCHECK's URL holds the port
        src = _source_of(by_start[start], "targets.docker.port")
        assert src["written"] and (src["span"]["line"], src["span"]["column"]) == port_at
    for start in ("ENTRYPOINT", "HEALTHCHECK"):
        src = _source_of(by_start[start], "targets.docker.serve")
        assert (src["span"]["line"], src["span"]["column"]) == _position(dbx, "true")
    build = [p for p in _pieces(dbx, "docker", "BUILD.md") if "-p 9000:9000" in p["text"]]
    assert build and _source_of(build[0], "targets.docker.port")["written"]


def test_docker_python_check_comes_from_runtime_python(dbx: Path) -> None:
    (check,) = [p for p in _pieces(dbx, "docker", "Dockerfile") if "sys.version_info" in p["text"]]
    src = _source_of(check, "runtime.python")
    assert (src["span"]["line"], src["span"]["column"]) == _position(dbx, '"3.11"')


def test_docker_code_layer_lines_come_from_code_paths(code_repo: Path) -> None:
    spec = code_repo / "model-env.toml"
    at = _position(spec, '["src/churn"]')
    pieces = _pieces(code_repo, "docker", "Dockerfile") + _pieces(code_repo, "docker", ".dockerignore")
    for needle in ("COPY code/", "PYTHONPATH=", "!code/"):
        (piece,) = [p for p in pieces if needle in p["text"]]
        src = _source_of(piece, "code.paths")
        assert (src["span"]["line"], src["span"]["column"]) == at and src["written"]


@pytest.mark.parametrize("file", ["cluster.json", "job.json"])
def test_databricks_cluster_fields_come_from_the_cluster_table(dbx: Path, file: str) -> None:
    pieces = {str(p["where"]).rsplit("/", 1)[-1]: p for p in _pieces(dbx, "databricks", file)}
    src = _source_of(pieces["num_workers"], "targets.databricks.cluster.workers")
    line, col = _position(dbx, "workers = 2")
    assert (src["span"]["line"], src["span"]["column"]) == (line, col + len("workers = "))
    src = _source_of(pieces["data_security_mode"], "targets.databricks.cluster.data-security-mode")
    assert (src["span"]["line"], src["span"]["column"]) == _position(dbx, '"SINGLE_USER"')
    src = _source_of(pieces["destination"], "targets.databricks.libraries-dir")
    assert (src["span"]["line"], src["span"]["column"]) == _position(dbx, '"/Volumes/ml/fraud/libs"')


def test_databricks_autoscale_and_a_written_init_script(dbx: Path) -> None:
    text = DBX_SPEC.replace("workers = 2", "autoscale = { min = 1, max = 4 }").replace(
        'libraries-dir = "/Volumes/ml/fraud/libs"',
        'libraries-dir = "/Volumes/ml/fraud/libs"\ninit-script = "/Volumes/ml/fraud/init/setup.sh"',
    )
    dbx.write_text(text, encoding="utf-8")
    pieces = _pieces(dbx, "databricks", "cluster.json")
    scale = [p for p in pieces if str(p["where"]).startswith("/autoscale")]
    assert scale and all(_source_of(p, "targets.databricks.cluster.autoscale") for p in scale if p["sources"])
    assert any(p["sources"] for p in scale)
    (dest,) = [p for p in pieces if str(p["where"]).endswith("/destination")]
    src = _source_of(dest, "targets.databricks.init-script")
    assert (src["span"]["line"], src["span"]["column"]) == _position(dbx, '"/Volumes/ml/fraud/init/setup.sh"')


@pytest.mark.parametrize(("target", "file"), [("databricks", "libraries.json"), ("databricks", "bundle.yml")])
def test_a_maven_packages_exclusions_and_repository(dbx: Path, target: str, file: str) -> None:
    pieces = _pieces(dbx, target, file)
    (excl,) = [p for p in pieces if "org.slf4j:slf4j-api" in p["text"]]
    src = _source_of(excl, "maven.packages[1].exclusions[0]")
    assert (src["span"]["line"], src["span"]["column"]) == _position(dbx, '"org.slf4j:slf4j-api"')
    (repo,) = [p for p in pieces if "https://maven.example.com/releases" in p["text"]]
    src = _source_of(repo, "maven.packages[1].repository")
    assert (src["span"]["line"], src["span"]["column"]) == _position(dbx, '"https://maven.example.com/releases"')


def test_the_python_the_targets_check_comes_from_runtime_python(dbx: Path) -> None:
    at = _position(dbx, '"3.11"')
    (want,) = [p for p in _pieces(dbx, "databricks", "init.sh") if p["text"].startswith("WANT_PYTHON=")]
    (env,) = [p for p in _pieces(dbx, "mlflow", "python_env.yaml") if p["text"].startswith("python:")]
    for piece in (want, env):
        src = _source_of(piece, "runtime.python")
        assert (src["span"]["line"], src["span"]["column"]) == at


def _leaves(node: Any, path: tuple[str | int, ...] = ()) -> Any:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
    else:
        yield path, node


@pytest.mark.parametrize("name", [*example_names(), "user-dbx"])
def test_no_line_carrying_a_written_value_is_generated(name: str, tmp_path: Path) -> None:
    """Every line / field holding, as a whole token, a string value the spec writes (3+
    characters) has a source -- comments and specc's own file names aside."""
    import re

    if name == "user-dbx":
        spec = tmp_path / "model-env.toml"
        spec.write_text(DBX_SPEC, encoding="utf-8")
    else:
        spec = EXAMPLES / name / "model-env.toml"
    result = check(spec)
    assert result.spec is not None and result.document is not None
    values: dict[str, tuple[str | int, ...]] = {}
    for path, value in _leaves(result.document.data):
        skip = path[0] in ("spec-version", "model") or path[:2] in {
            ("python", "requirements-files"),
            ("runtime", "overrides"),
            ("mlflow", "pip"),
        }
        if isinstance(value, str) and len(value) >= 3 and not skip:
            values.setdefault(value, path)
            if "://" in value:  # a URL also shows quoted or escaped: its host and path at least
                values.setdefault(value.split("://", 1)[1].rsplit("@", 1)[-1], path)
    tokens = {v: re.compile(r"(?<![\w.-])" + re.escape(v) + r"(?![\w-])") for v in values}
    missing = []
    for target, backend in BACKENDS.items():
        rendered = backend.render(result.spec, backend.options_type())
        if any(d.severity == "error" for d in rendered.diagnostics):
            continue
        for f in explain(rendered, target, result.document.source.name, locator(result)).files:
            if f.file.endswith(".md"):
                continue  # prose
            for piece in f.pieces:
                text = piece.text.strip()
                if piece.sources or text.startswith(("#", "//")):
                    continue
                missing += [
                    f"{target} {f.file}:{piece.where} {text[:60]!r} holds {format_path(values[v])}"
                    for v, rx in tokens.items()
                    if rx.search(text)
                ]
    assert missing == []


# --- `--locked`: a pin the lock adds comes from the lock ----------------------------------------------
# Found: with --locked, every transitive pin of deps/python/requirements.txt said
# "generated [docker: requirements.txt template (header)]": the lock that put it there was not named.

R_FORECAST = EXAMPLES / "r-forecast"


def _lock_name_line(name: str) -> tuple[int, int]:
    """Where ``name = "<name>"`` of a [[python.packages]] is in the example's lock (line, column of the value)."""
    line, col = _position(R_FORECAST / "model-env.lock", f'name = "{name}"')
    return line, col + len("name = ")


def _pinned(pieces: list[dict[str, Any]], json_file: bool = False) -> list[tuple[dict[str, Any], str]]:
    import re

    out = []
    for p in pieces:
        text = json.loads(p["text"]) if json_file else p["text"]
        m = re.match(r"^\s*(?:-\s+)?[\"']?([A-Za-z0-9][A-Za-z0-9._-]*)==", text) if isinstance(text, str) else None
        if m:
            out.append((p, m.group(1)))
    return out


@pytest.mark.parametrize(
    ("target", "file"),
    [("docker", "deps/python/requirements.txt"), ("mlflow", "requirements.txt"), ("mlflow", "conda.yaml")],
)
def test_every_locked_pin_names_its_lock_entry(target: str, file: str) -> None:
    from tests.test_explain import _validator

    doc = _json(str(R_FORECAST), "-t", target, "--locked", file)
    _validator().validate(doc)
    pinned = _pinned(doc["files"][0]["pieces"])
    assert len(pinned) >= 3
    lock_file = f"{R_FORECAST}/model-env.lock"
    for piece, name in pinned:
        assert not piece["generated"], piece
        (lock_src,) = [s for s in piece["sources"] if s["file"] == lock_file]
        assert lock_src["rule"] == "locked pin (model-env.lock)" and lock_src["written"]
        assert (lock_src["span"]["line"], lock_src["span"]["column"]) == _lock_name_line(name)
        assert lock_src["path"].startswith("python.packages[")
        # a requirement the spec names keeps its spec source first
        if len(piece["sources"]) > 1:
            assert piece["sources"][0]["file"] != lock_file


def test_locked_pypi_libraries_name_their_lock_entry() -> None:
    doc = _json(str(R_FORECAST), "-t", "databricks", "--locked", "libraries.json")
    pinned = _pinned(doc["files"][0]["pieces"], json_file=True)
    assert pinned
    for piece, name in pinned:
        (src,) = [s for s in piece["sources"] if s["file"].endswith("model-env.lock")]
        assert (src["span"]["line"], src["span"]["column"]) == _lock_name_line(name)
    # the transitive ones have the lock as their only source
    assert any(len(piece["sources"]) == 1 for piece, _ in pinned)


def test_a_locked_pin_in_detail_shows_the_lock_line() -> None:
    doc = _json(str(R_FORECAST), "-t", "docker", "--locked", "deps/python/requirements.txt")
    piece, name = _pinned(doc["files"][0]["pieces"])[0]
    out = run_cli(
        "explain", str(R_FORECAST), "-t", "docker", "--locked", f"deps/python/requirements.txt:{piece['where']}"
    )
    assert out.code == 0
    line = _lock_name_line(name)[0]
    assert f"model-env.lock:{line}:" in out.out and f'{line} | name = "{name}"' in out.out


def test_without_locked_no_source_is_the_lock() -> None:
    doc = _json(str(R_FORECAST), "-t", "docker", "deps/python/requirements.txt")
    assert all(not s["file"].endswith(".lock") for p in doc["files"][0]["pieces"] for s in p["sources"])


# --- a list the spec does not spell points at the entries its items came from ------------------------
# Found: with constraints from a `-c` line of a requirements file, `--constraint
# /tmp/specc/python/constraints.txt` said `from: python.constraints @ model-env.toml:10:1`, the
# `[python]` header: the spec writes no `constraints`, the requirements file brought them.

FILES_ONLY = """\
spec-version = 1
[model]
name = "churn"
[runtime]
python = "3.11"
databricks = "15.4.x-cpu-ml-scala2.12"
[python]
requirements-files = ["reqs/base.txt", "reqs/extra.txt"]
[targets.docker]
serve = false
[targets.databricks]
libraries-dir = "/Volumes/ml/churn/libs"
[targets.databricks.cluster]
node-type = "i3.xlarge"
"""


@pytest.fixture
def files_only(tmp_path: Path) -> Path:
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "base.txt").write_text("-c constraints.txt\nxgboost==2.1.1\n", encoding="utf-8")
    (tmp_path / "reqs" / "extra.txt").write_text("lightgbm==4.3.0\n", encoding="utf-8")
    (tmp_path / "reqs" / "constraints.txt").write_text("numpy<2.1\n", encoding="utf-8")
    (tmp_path / "model-env.toml").write_text(FILES_ONLY, encoding="utf-8")
    return tmp_path


def test_constraints_from_a_requirements_file_point_at_that_file(files_only: Path) -> None:
    spec = files_only / "model-env.toml"
    first = _position(spec, '"reqs/base.txt"')
    pieces = _pieces(files_only, "docker", "Dockerfile")
    (line,) = [p for p in pieces if p["text"].strip().startswith("--constraint")]
    src = _source_of(line, "python.requirements-files[0]")
    assert src["written"] and src["path"] == "python.constraints"
    assert (src["span"]["line"], src["span"]["column"]) == first
    for p in _pieces(files_only, "databricks", "uploads.json"):
        if json.loads(p["text"]).endswith("/constraints.txt"):
            assert (_source_of(p, "python.requirements-files[0]")["span"]["line"]) == first[0]


def test_requirements_from_several_files_point_at_the_files_list(files_only: Path) -> None:
    spec = files_only / "model-env.toml"
    (line,) = [p for p in _pieces(files_only, "docker", "Dockerfile") if p["text"].strip().startswith("--requirement")]
    src = _source_of(line, "python.requirements-files")
    assert src["written"] and (src["span"]["line"], src["span"]["column"]) == _position(spec, '["reqs/base.txt"')
    # each requirement line still points at its own file and line
    reqs = {p["text"]: p for p in _pieces(files_only, "docker", "deps/python/requirements.txt")}
    assert _source_of(reqs["lightgbm==4.3.0"], "python.requirements-files[1]")["file"].endswith("reqs/extra.txt")
    assert _source_of(reqs["xgboost==2.1.1"], "python.requirements-files[0]")["span"]["line"] == 2


def test_a_spelled_list_still_points_at_itself(code_repo: Path) -> None:
    spec = code_repo / "model-env.toml"
    (line,) = [p for p in _pieces(code_repo, "docker", "Dockerfile") if p["text"].strip().startswith("--requirement")]
    src = _source_of(line, "python.requirements")
    assert (src["span"]["line"], src["span"]["column"]) == _position(spec, '["scikit-learn==1.5.2"]')


# --- an [env] value whose name or shape says credential is never shown -----------------------------
# Found: `ENV API_KEY_X="zzzzplainvalue1234"` was explained in clear text (Dockerfile, specc-environment.json),
# though validation warns on it (SPC404) and `specc diff` shows it as <hidden>.

SECRET_ENV = """\
spec-version = 1
[model]
name = "m"
[runtime]
python = "3.11"
databricks = "15.4.x-cpu-ml-scala2.12"
[python]
requirements = ["six==1.16.0"]
[env]
DATABASE_URL = "postgres://svc:S3cretPw99@db.example.com/prod"
GH = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
API_KEY_X = "zzzzplainvalue1234"
SHORT_TOKEN = "q7x9"
OMP_NUM_THREADS = "7"
[targets.docker]
serve = false
[targets.databricks]
libraries-dir = "/Volumes/a/b/c"
[targets.databricks.cluster]
node-type = "i3.xlarge"
"""
HIDDEN = ("S3cretPw99", "abcdefghijklmnopqrstuvwxyz0123456789", "zzzzplainvalue1234")


@pytest.mark.parametrize("target", ["docker", "databricks", "mlflow"])
def test_credential_env_values_never_show(tmp_path: Path, target: str) -> None:
    spec = tmp_path / "model-env.toml"
    spec.write_text(SECRET_ENV, encoding="utf-8")
    outputs = [run_cli("explain", str(spec), "-t", target, *fmt) for fmt in ((), ("--format", "json"))]
    doc = json.loads(outputs[1].out)
    shown = [
        f"{f['file']}#{p['where']}" if f["kind"] == "json" else f"{f['file']}:{p['where']}"
        for f in doc["files"]
        for p in f["pieces"]
        if any(s["entry"].startswith("env.") for s in p["sources"])
    ]
    assert shown, "no piece comes from [env]"
    details = [run_cli("explain", str(spec), "-t", target, address) for address in shown]
    for r in (*outputs, *details):
        assert r.code == 0, r.err
        for value in HIDDEN:
            assert value not in r.out and value not in r.err
        for line in r.out.splitlines():
            if "SHORT_TOKEN" in line:
                assert "q7x9" not in line, line
    # a plain value stays readable
    plain = [p["text"] for f in doc["files"] for p in f["pieces"] if "OMP_NUM_THREADS" in str(p["where"]) + p["text"]]
    assert plain and all("7" in text for text in plain)


def test_an_index_url_quoted_for_the_shell_is_traced() -> None:
    """The init script's pip line passes index URLs as shell words (`https://"${PYPI_USER}"...`):
    both indexes of kitchen-sink are sources of that line."""
    kitchen = EXAMPLES / "kitchen-sink"
    spec = kitchen / "model-env.toml"
    (line,) = [p for p in _pieces(kitchen, "databricks", "init.sh") if "PIP_EXTRA_INDEX_URL=" in p["text"]]
    extra = _source_of(line, "python.extra-index-urls[0]")
    assert (extra["span"]["line"], extra["span"]["column"]) == _position(spec, '"https://${PYPI_USER}')
    index = _source_of(line, "python.index-url")
    assert (index["span"]["line"], index["span"]["column"]) == _position(spec, '"https://pypi.org/simple"')


# --- a FILE that is also a folder of the repository ---------------------------------------------------
# Found: with `[code] paths = ["code/churn"]`, `specc explain -t docker code/churn` took the repository's
# own folder code/churn for the spec ("a directory without a model-env.toml").

CODE_FOLDER_SPEC = """\
spec-version = 1
[model]
name = "churn"
[runtime]
python = "3.11"
[python]
requirements = ["scikit-learn==1.5.2"]
[code]
paths = ["code/churn"]
"""


def test_an_output_path_the_repository_also_has_is_file(tmp_path: Path) -> None:
    (tmp_path / "code" / "churn").mkdir(parents=True)
    (tmp_path / "code" / "churn" / "__init__.py").write_text("K = 1\n", encoding="utf-8")
    (tmp_path / "model-env.toml").write_text(CODE_FOLDER_SPEC, encoding="utf-8")
    for target in ("docker", "mlflow"):
        for address in ("code/churn", "code/churn/", "code/churn/__init__.py"):
            doc = _json("-t", target, address, cwd=tmp_path)
            (f,) = doc["files"]
            assert f["file"] == "code/churn", (target, address)
            assert f["pieces"][0]["sources"][0]["entry"] == "code.paths[0]"
    # a folder holding a spec is still the spec; one without, away from any spec, still an error
    assert _json("code/..", "-t", "docker", cwd=tmp_path)["spec"].endswith("model-env.toml")
    r = run_cli("explain", str(tmp_path / "code"), "-t", "docker", cwd=tmp_path.parent)
    assert r.code == 1 and "SPC002" in r.err


# --- the path of a rendered file, as the user has it ---------------------------------------------------
# Found: after `specc render -t docker --out build/docker`, `specc explain -t docker
# build/docker/Dockerfile:7` (and `./Dockerfile:7`) said "not an output file".


def test_a_path_into_a_rendered_folder_names_its_output_file(code_repo: Path) -> None:
    r = run_cli("render", str(code_repo), "-t", "docker", "--out", str(code_repo / "build" / "docker"))
    assert r.code == 0, r.err
    out = code_repo / "build" / "docker"
    cases = {
        "build/docker/Dockerfile:3": ("Dockerfile", 3),
        "./Dockerfile:3": ("Dockerfile", 3),
        f"{out}/deps/python/requirements.txt:4": ("deps/python/requirements.txt", 4),
        "build/docker/code/churn/__init__.py": ("code/churn", 1),
    }
    for address, (file, line) in cases.items():
        (f,) = _json("-t", "docker", address, cwd=code_repo)["files"]
        assert (f["file"], f["pieces"][0]["where"]) == (file, line), address
        rendered = (out / file).read_text(encoding="utf-8").splitlines() if f["kind"] == "text" else None
        if rendered is not None:  # the line explained is the line of the rendered file
            assert f["pieces"][0]["text"] == rendered[line - 1]
    for address in ("build/docker/code/churn/nope.py", "src/churn/__init__.py", "build/docker/Dockerfil"):
        r = run_cli("explain", "-t", "docker", address, "--format", "json", cwd=code_repo)
        assert r.code == 1 and json.loads(r.out)["diagnostics"][-1]["code"] == "SPC770", address


# --- a mistyped address says what was meant ------------------------------------------------------------
# Found: `requirements.txt:abc` said "`requirements.txt:abc` is not an output file"; `Dockerfil` listed
# every file without pointing at the one meant.


@pytest.mark.parametrize(
    ("address", "code", "message", "hint"),
    [
        (
            "requirements.txt:abc",
            "SPC771",
            "`abc` is not a line number of deps/python/requirements.txt",
            "lines: ask for",
        ),
        ("Dockerfile:", "SPC771", "no line number after `Dockerfile:`", "ask for `Dockerfile:1`"),
        ("Dockerfile:2.5", "SPC771", "`2.5` is not a line number of Dockerfile", "ask for `Dockerfile:1`"),
        ("Dockerfil", "SPC770", "`Dockerfil` is not an output file", "did you mean `Dockerfile`?"),
        ("dockerfile:3", "SPC770", "`dockerfile` is not an output file", "did you mean `Dockerfile`?"),
        ("requirments.txt", "SPC770", "is not an output file", "did you mean `deps/python/requirements.txt`?"),
        ("zzz", "SPC770", "`zzz` is not an output file", "its files are: "),
    ],
)
def test_mistyped_addresses(code_repo: Path, address: str, code: str, message: str, hint: str) -> None:
    r = run_cli("explain", str(code_repo), "-t", "docker", address, "--format", "json")
    assert r.code == 1
    d = json.loads(r.out)["diagnostics"][-1]
    assert d["code"] == code and message in d["message"] and hint in d["hint"], d
    if address == "zzz":
        assert "did you mean" not in d["hint"]


def test_a_spelled_list_with_file_items_names_both(files_only: Path) -> None:
    """`requirements = [...]` plus `requirements-files`: the pip install line installs both."""
    spec = files_only / "model-env.toml"
    text = FILES_ONLY.replace(
        'requirements-files = ["reqs/base.txt"', 'requirements = ["six==1.16.0"]\nrequirements-files = ["reqs/base.txt"'
    )
    spec.write_text(text, encoding="utf-8")
    (line,) = [p for p in _pieces(files_only, "docker", "Dockerfile") if p["text"].strip().startswith("--requirement")]
    assert [s["entry"] for s in line["sources"]] == ["python.requirements", "python.requirements-files"]
    spelled, files = line["sources"]
    assert (spelled["span"]["line"], spelled["span"]["column"]) == _position(spec, '["six==1.16.0"]')
    assert (files["span"]["line"], files["span"]["column"]) == _position(spec, '["reqs/base.txt"')
    assert spelled["written"] and files["written"]


# --- the copy of --model says the flag put it there ------------------------------------------------------
# Found: `specc explain -t docker --model DIR model` said "generated by the target: docker: copied file",
# as if the target had made it up.


def test_the_model_copy_names_the_model_flag(logged_sklearn_model: Path) -> None:
    spec_dir = str(EXAMPLES / "sklearn-basic")
    for address in ("model", "model/MLmodel"):
        (f,) = _json(spec_dir, "-t", "docker", "--model", str(logged_sklearn_model), address)["files"]
        (piece,) = f["pieces"]
        assert piece["generated"] and piece["rules"] == [f"docker: the logged model (--model {logged_sklearn_model})"]
    assert _error_code(spec_dir, "--model", str(logged_sklearn_model), "model/nope.txt") == "SPC770"


def _error_code(spec: str, *argv: str) -> str:
    r = run_cli("explain", spec, "-t", "docker", *argv, "--format", "json")
    assert r.code == 1
    return str(json.loads(r.out)["diagnostics"][-1]["code"])


def test_lines_of_a_copied_text_file_are_its_lines() -> None:
    """A copied single file (`[code] paths = [..., "helpers.py"]`) takes FILE:LINE within its
    line count, as a file inside a copied folder does; a binary copy (a wheel) only line 1."""
    kitchen = EXAMPLES / "kitchen-sink"
    count = len((kitchen / "helpers.py").read_text(encoding="utf-8").splitlines())
    for line in (1, count):
        (f,) = _json(str(kitchen), "-t", "docker", f"code/helpers.py:{line}")["files"]
        assert f["file"] == "code/helpers.py" and f["pieces"][0]["sources"][0]["entry"] == "code.paths[1]"
    for line in (0, count + 1):
        r = run_cli("explain", str(kitchen), "-t", "docker", f"code/helpers.py:{line}", "--format", "json")
        d = json.loads(r.out)["diagnostics"][-1]
        assert r.code == 1 and d["code"] == "SPC771" and f"has {count} lines" in d["hint"]
    wheel = "deps/python/wheels/featurizer-0.3.0-py3-none-any.whl"
    assert _json(str(kitchen), "-t", "docker", f"{wheel}:1")["files"][0]["kind"] == "copied"
    r = run_cli("explain", str(kitchen), "-t", "docker", f"{wheel}:2", "--format", "json")
    assert r.code == 1 and json.loads(r.out)["diagnostics"][-1]["code"] == "SPC771"


# --- what a render flag put there names the flag -------------------------------------------------------
# Found: `--cluster-id 0612-abc` showed as `generated [databricks: libraries.json (cluster_id)]` and
# `--model-name`/`--model-version` in the job's models:/ URI as template boilerplate.


def test_render_flags_are_named_where_they_land(dbx: Path) -> None:
    flags = ("--cluster-id", "0612-abc", "--model-name", "cat.sch.fraud", "--model-version", "1")
    doc = _json(str(dbx), "-t", "databricks", *flags)
    by_rule: dict[str, list[str]] = {}
    for f in doc["files"]:
        for p in f["pieces"]:
            for rule in p["rules"]:
                if "--" in rule:
                    by_rule.setdefault(rule, []).append(f"{f['file']}:{p['where']}")
    assert by_rule["databricks: --cluster-id 0612-abc"] == ["libraries.json:/cluster_id"]
    uri = by_rule["databricks: --model-name cat.sch.fraud; --model-version 1"]
    assert "job.json:/parameters/0/default" in uri and any(w.startswith("score.py:") for w in uri)
    # "1" alone is everywhere (exit 1, max_concurrent_runs: 1): never the flag's by itself
    assert "databricks: --model-version 1" not in by_rule
    # without the flags, the same pieces are the target's
    plain = _json(str(dbx), "-t", "databricks", "libraries.json#/cluster_id")["files"][0]["pieces"][0]
    assert plain["rules"] == ["databricks: libraries.json (cluster_id)"]


# --- any address: an explanation or an SPC770-SPC774 diagnostic, never anything else ------------------

_ADDRESS_PARTS = st.sampled_from(
    ["Dockerfile", "requirements.txt", "deps/", "python/", "code/", "churn_utils/", "helpers.py", "build/",
     "./", "../", ":", "::", "#", "#/", "/", "~1", "0", "1", "44", "-3", "999999", "abc", "é", " ", ".", "*"]
)  # fmt: skip


@pytest.fixture(scope="module")
def kitchen_docker() -> Any:
    result = check(EXAMPLES / "kitchen-sink" / "model-env.toml")
    assert result.spec is not None and result.document is not None
    backend = BACKENDS["docker"]
    rendered = backend.render(result.spec, backend.options_type())
    return explain(rendered, "docker", result.document.source.name, locator(result))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(_ADDRESS_PARTS, min_size=1, max_size=6))
def test_any_address_is_explained_or_a_coded_diagnostic(kitchen_docker: Any, parts: list[str]) -> None:
    from specc.explain import ExplainError, parse_address, select

    address = "".join(parts)
    try:
        f = select(kitchen_docker, parse_address(address))
    except ExplainError as exc:
        assert exc.diagnostic.code in {"SPC770", "SPC771", "SPC772", "SPC773", "SPC774"}
        assert exc.diagnostic.hint
        return
    assert f.file in {x.file for x in kitchen_docker.files} and f.pieces
