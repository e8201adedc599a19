"""Capability tables: validate = render, every feature answered by every target, flags per target.

One matrix (``CASES``) of spec fragments × targets: each row says which diagnostic codes each
target raises for it (an empty set: supported).  Every row runs through ``render`` and through
:func:`specc.backends.check_capabilities` (what ``specc validate`` calls for the targets the spec
implies), and both must give exactly the expected codes, with the same severities and paths.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from specc.api import check
from specc.backends import BACKENDS, check_capabilities, implied_targets
from specc.backends.base import Ignored, Supported, Unsupported, flags_of, rules
from specc.backends.features import FEATURES, input_fields, unanswered, unknown
from specc.spec import EnvSpec
from tests.helpers import EXAMPLES, REPO, run_cli

JAR = REPO / "examples/kitchen-sink/lib/churn-udfs-1.2.0.jar"
LIBDIR = 'libraries-dir = "/Volumes/main/ml/libs"\nnotebook-dir = "/Workspace/Users/me@example.com/specc"\n'
CLUSTER = '[targets.databricks.cluster]\nnode-type = "i3.xlarge"\n'
NODE = "[targets.databricks]\n" + LIBDIR + CLUSTER
DOCKER = "[targets.docker]\nserve = true\n"
SERVING = "[targets.databricks.serving]\n"
USER_ISOLATION = "USER_ISOLATION"  # standard access mode, the old spelling


def head(python: str = "3.11", databricks: str | None = None, cuda: str | None = None) -> str:
    text = f'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "{python}"\n'
    if databricks:
        text += f'databricks = "{databricks}"\n'
    if cuda:
        text += f'cuda = "{cuda}"\n'
    return text


AUTH_INDEX = '[python]\nrequirements = ["acme==1.0"]\nextra-index-urls = ["https://${TOK}@pkgs.example.com/simple"]\n'
MAPPED = '[secrets.TOK]\ndatabricks = "s/k"\n'

# id -> (spec text, {target: codes it raises}); the targets not listed are not rendered
CASES: dict[str, tuple[str, dict[str, set[str]]]] = {
    "supported-everywhere": (
        head("3.11", "15.4-ml") + '[python]\nrequirements = ["acme==1.0"]\n' + NODE,
        {"databricks": set(), "mlflow": set()},
    ),
    "docker-plain": (head() + DOCKER + '[apt]\npackages = ["libgomp1"]\n', {"docker": set(), "mlflow": set()}),
    "base-image-tag": (
        head() + '[targets.docker]\nbase-image = "python:3.11-slim-bookworm"\n',
        {"docker": {"SPC330"}, "mlflow": set()},
    ),
    "base-image-digest": (
        head() + '[targets.docker]\nbase-image = "python:3.11-slim-bookworm@sha256:' + "a" * 64 + '"\n',
        {"docker": set()},
    ),
    "databricks-runtime-in-docker": (
        head("3.11", "15.4-ml") + DOCKER + NODE,
        {"docker": {"SPC331"}, "databricks": set(), "mlflow": set()},
    ),
    "serverless-apt": (
        head("3.12", "serverless-v3") + '[apt]\npackages = ["libgomp1"]\n',
        {"databricks": {"SPC301"}, "mlflow": set()},
    ),
    "serverless-authenticated-index": (
        head("3.12", "serverless-v3") + AUTH_INDEX + MAPPED + "[targets.databricks]\n" + LIBDIR,
        {"databricks": {"SPC301"}, "mlflow": set()},
    ),
    "serverless-maven": (
        head("3.12", "serverless-v3") + '[maven]\npackages = ["com.example:lib:1.0"]\n',
        {"databricks": {"SPC323"}, "mlflow": set()},
    ),
    "serverless-constraints": (
        head("3.12", "serverless-v3") + '[python]\nrequirements = ["acme==1.0"]\nconstraints = ["numpy<2"]\n'
        "[targets.databricks]\n" + LIBDIR,
        {"databricks": {"SPC323"}},
    ),
    "serverless-r": (head("3.12", "serverless-v3") + '[r]\npackages = ["forecast"]\n', {"databricks": {"SPC323"}}),
    "authenticated-maven": (
        head("3.11", "15.4-ml")
        + '[maven]\nrepository = "https://${TOK}@maven.example.com/repo"\npackages = ["com.example:lib:1.0"]\n'
        + MAPPED
        + DOCKER
        + NODE,
        {"docker": {"SPC331", "SPC333"}, "databricks": {"SPC321"}, "mlflow": set()},
    ),
    "requirements-library-before-15": (
        head("3.10", "14.3-ml") + '[python]\nrequirements = ["acme==1.0"]\n'
        "[targets.databricks]\nrequirements-library = true\n" + LIBDIR + CLUSTER,
        {"databricks": {"SPC322"}},
    ),
    "requirements-library-ignored": (
        head("3.11", "15.4-ml")
        + AUTH_INDEX
        + MAPPED
        + "[targets.databricks]\nrequirements-library = true\n"
        + LIBDIR
        + CLUSTER,
        {"databricks": {"SPC327"}},
    ),
    "duplicate-jars": (
        head("3.11", "15.4-ml") + '[maven]\njars = ["a/x-1.0.jar", "b/x-1.0.jar"]\n' + NODE,
        {"docker": {"SPC331", "SPC337"}, "databricks": {"SPC326"}, "mlflow": set()},
    ),
    "secret-for-pip-unmapped": (
        head("3.11", "15.4-ml") + AUTH_INDEX + '[secrets.TOK]\ndescription = "index token"\n' + NODE,
        {"databricks": {"SPC325"}, "mlflow": set()},
    ),
    "secret-unmapped": (
        head("3.11", "15.4-ml") + '[secrets.TOK]\ndescription = "unused"\n' + NODE,
        {"databricks": {"SPC325"}},
    ),
    "cuda-without-default-image": (head("3.11", cuda="11.2") + DOCKER, {"docker": {"SPC335"}, "mlflow": set()}),
    "cuda-patch-python": (head("3.11.9", cuda="12.4") + DOCKER, {"docker": {"SPC332"}}),
    "code-path-named-like-specc-folder": (
        head() + '[code]\npaths = ["src/specc-environment"]\n',
        {"mlflow": {"SPC310"}, "docker": set()},
    ),
    "artifact-named-like-specc-artifact": (
        head() + '[artifacts]\nspecc_environment = "src/specc-environment/x.py"\nvocab = "a/x-1.0.jar"\n',
        {"mlflow": {"SPC311"}, "docker": set()},
    ),
    "node-type-unset": (head("3.11", "15.4-ml") + "[targets.databricks]\n" + LIBDIR, {"databricks": {"SPC324"}}),
    "runtime-defaulted": (head("3.11") + NODE, {"databricks": {"SPC320"}}),
    "serving-supported": (
        head("3.11", "15.4-ml") + '[python]\nrequirements = ["acme==1.0"]\n' + NODE + SERVING,
        {"databricks": set(), "mlflow": set()},
    ),
    "serving-apt": (
        head("3.11", "15.4-ml") + '[apt]\npackages = ["libgomp1"]\n' + NODE + SERVING + DOCKER,
        {"databricks": {"SPC340"}, "docker": {"SPC331"}, "mlflow": set()},
    ),
    "serving-jars-and-r": (
        head("3.11", "15.4-ml") + '[maven]\njars = ["a/x-1.0.jar"]\n[r]\npackages = ["forecast"]\n' + NODE + SERVING,
        {"databricks": {"SPC340"}},
    ),
    "serving-index-credentials": (
        head("3.11", "15.4-ml") + AUTH_INDEX + MAPPED + NODE + SERVING,
        {"databricks": {"SPC341"}, "mlflow": set()},
    ),
    "serving-cpu-for-gpu": (
        head("3.11", "15.4-ml", cuda="12.4")
        + "[targets.databricks]\n"
        + LIBDIR
        + '[targets.databricks.cluster]\nnode-type = "g5.xlarge"\n'
        + SERVING
        + 'workload-type = "CPU"\n',
        {"databricks": {"SPC343"}},
    ),
    # --- the workspace's rules (docs/diagnostics.md#databricks-workspace-rules)
    "standard-mode-ml-runtime": (
        head("3.11", "15.4-ml") + NODE + f'data-security-mode = "{USER_ISOLATION}"\n',
        {"databricks": {"SPC350", "SPC357"}, "mlflow": set()},
    ),
    "standard-mode-gpu-runtime": (
        head("3.11", "15.4.x-gpu-ml-scala2.12")
        + "[targets.databricks]\n"
        + LIBDIR
        + '[targets.databricks.cluster]\nnode-type = "g4dn.xlarge"\n'
        + 'data-security-mode = "DATA_SECURITY_MODE_STANDARD"\n',
        {"databricks": {"SPC350", "SPC357"}},
    ),
    "standard-mode-r": (
        head("3.11", "15.4") + '[r]\npackages = ["forecast"]\n' + NODE + 'data-security-mode = "USER_ISOLATION"\n',
        {"databricks": {"SPC351", "SPC357"}},
    ),
    "standard-mode-allowlist": (
        head("3.11", "15.4")
        + '[maven]\npackages = ["com.example:lib:1.0"]\njars = ["a/x-1.0.jar"]\n'
        + NODE
        + 'data-security-mode = "DATA_SECURITY_MODE_STANDARD"\n',
        {"databricks": {"SPC357"}},
    ),
    "dedicated-mode-ml-runtime": (
        head("3.11", "15.4-ml") + '[r]\npackages = ["forecast"]\n' + NODE + 'data-security-mode = "SINGLE_USER"\n',
        {"databricks": set()},
    ),
    "volume-without-catalog-schema-volume": (
        head("3.11", "15.4-ml") + '[targets.databricks]\nlibraries-dir = "/Volumes/libs"\n' + CLUSTER,
        {"databricks": {"SPC352", "SPC361"}, "mlflow": set()},
    ),
    "init-script-volume-without-file": (
        head("3.11", "15.4-ml")
        + "[targets.databricks]\n"
        + LIBDIR
        + 'init-script = "/Volumes/main/ml/init.sh"\n'
        + CLUSTER,
        {"databricks": {"SPC352"}},
    ),
    "volumes-before-13-3": (head("3.9", "12.2-ml") + NODE, {"databricks": {"SPC353"}}),
    "workspace-folder-before-13-3": (
        head("3.9", "12.2-ml")
        + '[targets.databricks]\nlibraries-dir = "/Workspace/Users/me@example.com/specc"\n'
        + CLUSTER,
        {"databricks": set()},
    ),
    "gpu-runtime-on-cpu-node": (head("3.11", "15.4.x-gpu-ml-scala2.12") + NODE, {"databricks": {"SPC354"}}),
    "cpu-runtime-on-gpu-node": (
        head("3.11", "15.4-ml")
        + "[targets.databricks]\n"
        + LIBDIR
        + '[targets.databricks.cluster]\nnode-type = "Standard_NC4as_T4_v3"\n',
        {"databricks": {"SPC354"}},
    ),
    "unknown-node-family": (
        head("3.11", "15.4.x-gpu-ml-scala2.12")
        + "[targets.databricks]\n"
        + LIBDIR
        + '[targets.databricks.cluster]\nnode-type = "x9.huge"\n',
        {"databricks": set()},
    ),
    "init-script-outside-volumes-reads-volume": (
        head("3.11", "15.4-ml")
        + '[maven]\njars = ["a/x-1.0.jar"]\n'
        + "[targets.databricks]\n"
        + LIBDIR
        + 'init-script = "/Workspace/Users/me@example.com/init.sh"\n'
        + CLUSTER,
        {"databricks": {"SPC355"}},
    ),
    "init-script-outside-volumes-reads-nothing": (
        head("3.11", "15.4-ml")
        + "[targets.databricks]\n"
        + LIBDIR
        + 'init-script = "/Workspace/Users/me@example.com/init.sh"\n'
        + CLUSTER,
        {"databricks": set()},
    ),
    "apt-debian-version": (
        head("3.11", "15.4-ml") + '[apt]\npackages = ["libgomp1=12.2.0-14"]\n' + NODE + DOCKER,
        {"databricks": {"SPC356"}, "docker": {"SPC331"}, "mlflow": set()},
    ),
    "apt-unpinned": (head("3.11", "15.4-ml") + '[apt]\npackages = ["libgomp1"]\n' + NODE, {"databricks": set()}),
    "env-dollar": (
        head("3.11", "15.4-ml") + '[env]\nDATA_HOME = "$HOME/data"\n' + NODE + DOCKER,
        {"databricks": {"SPC358"}, "docker": {"SPC331"}, "mlflow": set()},
    ),
    "libraries-dir-unset": (head("3.11", "15.4-ml") + CLUSTER, {"databricks": {"SPC359"}, "mlflow": set()}),
    "libraries-dir-unset-init-script-set": (
        head("3.11", "15.4-ml") + '[targets.databricks]\ninit-script = "/Volumes/main/ml/libs/init.sh"\n' + CLUSTER,
        {"databricks": set()},
    ),
    "libraries-dir-unset-serverless-uploads": (
        head("3.12", "serverless-v3") + '[python]\nrequirements = ["acme==1.0"]\n',
        {"databricks": {"SPC359"}},
    ),
    "libraries-dir-unset-serverless-nothing-to-upload": (head("3.12", "serverless-v3"), {"databricks": set()}),
    # --- installer-owned names (specc/backends/installers.py)
    "installer-name-secret-read-by-pip": (
        head("3.11", "15.4-ml")
        + '[python]\nrequirements = ["acme==1.0"]\nextra-index-urls = ["https://${PIP_USER}@pkgs.example.com/simple"]\n'
        + '[secrets.PIP_USER]\ndatabricks = "s/k"\n'
        + NODE
        + DOCKER,
        {"databricks": {"SPC407"}, "docker": {"SPC331", "SPC407"}, "mlflow": set()},
    ),
    "installer-name-env-jvm": (
        head("3.11", "15.4-ml") + '[env]\nJAVA_TOOL_OPTIONS = "-Xmx2g"\n' + NODE + DOCKER,
        {"databricks": {"SPC407"}, "docker": {"SPC331", "SPC407"}, "mlflow": set()},
    ),
    "installer-name-env-uv": (
        head("3.11", "15.4-ml") + '[env]\nUV_INDEX_URL = "https://pkgs.example.com/simple"\n' + NODE + DOCKER,
        {"databricks": {"SPC407"}, "docker": {"SPC331", "SPC407"}},
    ),
    "installer-name-uv-credential-route": (
        head("3.11", "15.4-ml")
        + '[secrets.UV_INDEX_ACME_PASSWORD]\ndatabricks = "s/k"\ndocker = "acme"\n'
        + NODE
        + DOCKER,
        {"databricks": set(), "docker": {"SPC331", "SPC344"}},
    ),
    "installer-name-runtime-secret": (  # passed at docker run, read by a tool in the container
        head() + DOCKER + '[secrets.UV_INDEX_URL]\ndocker = "uv"\n',
        {"docker": {"SPC344", "SPC407"}},
    ),
    # --- target-owned names (specc/backends/owned.py, SPC408)
    "owned-python-names-docker": (  # B1: the image's PATH, PYTHONPATH, VIRTUAL_ENV
        head() + DOCKER + '[env]\nPATH = "/usr/bin"\nPYTHONPATH = "/foo"\nVIRTUAL_ENV = "/nope"\n',
        {"docker": {"SPC408"}, "mlflow": set()},
    ),
    "owned-python-names-databricks": (
        head("3.11", "15.4-ml") + NODE + '[env]\nPATH = "/usr/bin"\n',
        {"databricks": {"SPC408"}, "mlflow": set()},
    ),
    "owned-specc-and-db-names": (  # B1: specc's own switch, the cluster's DB_IS_DRIVER
        head("3.11", "15.4-ml") + NODE + DOCKER + '[env]\nSPECC_PYTHON_BY_NOTEBOOK = "true"\nDB_IS_DRIVER = "TRUE"\n',
        {"databricks": {"SPC408"}, "docker": {"SPC331", "SPC408"}, "mlflow": set()},
    ),
    "owned-databricks-runtime-version-secret": (
        head("3.11", "15.4-ml") + NODE + '[secrets.DATABRICKS_RUNTIME_VERSION]\ndatabricks = "s/k"\n',
        {"databricks": {"SPC408"}},
    ),
    "owned-loader-names": (  # legitimate uses exist (a preloaded allocator): a warning
        head("3.11", "15.4-ml")
        + NODE
        + DOCKER
        + '[env]\nLD_PRELOAD = "libjemalloc.so.2"\nLD_LIBRARY_PATH = "/opt/x"\n',
        {"databricks": {"SPC408"}, "docker": {"SPC331", "SPC408"}},
    ),
    "owned-databricks-setting": (
        head("3.11", "15.4-ml") + NODE + DOCKER + '[env]\nDATABRICKS_CONFIG_PROFILE = "dev"\n',
        {"databricks": {"SPC408"}, "docker": {"SPC331"}},
    ),
    "owned-sdk-credential-route": (
        head("3.11", "15.4-ml") + NODE + '[secrets.DATABRICKS_TOKEN]\ndatabricks = "s/k"\n'
        '[env]\nDATABRICKS_HOST = "https://adb-1.azuredatabricks.net"\n',
        {"databricks": set()},
    ),
    "owned-secret-unmapped-on-databricks": (  # not in spark_env_vars: Docker's concern only
        head("3.11", "15.4-ml") + NODE + DOCKER + '[secrets.PATH]\ndocker = "p"\n',
        {"databricks": {"SPC325"}, "docker": {"SPC331", "SPC344", "SPC408"}},
    ),
    # --- serverless jobs get no environment variables (B3)
    "serverless-env-and-secret": (
        head("3.12", "serverless-v3") + '[env]\nA = "1"\n[secrets.API_KEY]\ndatabricks = "s/k"\n',
        {"databricks": {"SPC323"}, "mlflow": set()},
    ),
    "serverless-unmapped-secret": (
        head("3.12", "serverless-v3") + '[secrets.API_KEY]\ndocker = "api_key"\n',
        {"databricks": {"SPC325"}},
    ),
    # --- Docker secrets (B4, B5)
    "docker-runtime-secret": (
        head() + DOCKER + '[secrets.API_KEY]\ndocker = "api_key"\n',
        {"docker": {"SPC344"}, "mlflow": set()},
    ),
    "docker-secret-id-collision": (
        head() + DOCKER + AUTH_INDEX + '[secrets.TOK]\ndocker = "same"\n[secrets.B]\ndocker = "same"\n',
        {"docker": {"SPC344", "SPC345"}, "mlflow": set()},
    ),
    "docker-secret-id-collides-with-a-default": (
        head() + DOCKER + AUTH_INDEX + '[secrets.TOK]\n[secrets.OTHER]\ndocker = "tok"\n',
        {"docker": {"SPC344", "SPC345"}},
    ),
    "databricks-one-key-two-names": (  # one credential under two names is fine
        head("3.11", "15.4-ml") + NODE + '[secrets.A]\ndatabricks = "s/k"\n[secrets.B]\ndatabricks = "s/k"\n',
        {"databricks": set()},
    ),
    # --- [env] values on Databricks (B6)
    "databricks-env-control-characters": (
        head("3.11", "15.4-ml") + NODE + DOCKER + '[env]\nA = "x\\u0000y"\nB = "one\\ntwo"\n',
        {"databricks": {"SPC334"}, "docker": {"SPC331", "SPC334"}, "mlflow": set()},
    ),
    "databricks-env-shell-quoting": (
        head("3.11", "15.4-ml") + NODE + DOCKER + '[env]\nA = "`id`"\nB = "say \\"hi\\""\nC = "a\\\\b"\n',
        {"databricks": {"SPC358"}, "docker": {"SPC331"}, "mlflow": set()},
    ),
    "databricks-env-tab-allowed": (head("3.11", "15.4-ml") + NODE + '[env]\nA = "x\\ty"\n', {"databricks": set()}),
}


def _project(tmp_path: Path, text: str) -> Path:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        shutil.copyfile(JAR, tmp_path / sub / "x-1.0.jar")
    (tmp_path / "src" / "specc-environment").mkdir(parents=True)
    (tmp_path / "src" / "specc-environment" / "x.py").write_text("", encoding="utf-8")
    (tmp_path / "model-env.toml").write_text(text, encoding="utf-8")
    return tmp_path / "model-env.toml"


def _spec(path: Path) -> EnvSpec:
    """The normalized spec of ``path`` with no target's table consulted (so the tables can be
    asked directly even for a fragment ``specc validate`` rejects)."""
    import specc.backends

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(specc.backends, "check_capabilities", lambda spec, targets: [])
        result = check(path)
    if result.spec is not None:
        return result.spec
    # Validation's own serverless rules (SPC301 was validation's before the tables): normalize a
    # classic twin with the same Python and put the serverless runtime back.
    text = path.read_text(encoding="utf-8")
    assert '"serverless-v3"' in text, [d.message for d in result.diagnostics]
    assert all(d.code == "SPC301" for d in result.diagnostics), [d.message for d in result.diagnostics]
    path.write_text(text.replace('"serverless-v3"', '"16.4-ml"'), encoding="utf-8")
    try:
        twin = check(path).spec
    finally:
        path.write_text(text, encoding="utf-8")
    assert twin is not None
    return twin.model_copy(update={"runtime": twin.runtime.model_copy(update={"databricks": "serverless-v3"})})


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_and_render_agree(case: str, tmp_path: Path) -> None:
    text, expected = CASES[case]
    spec = _spec(_project(tmp_path, text))
    for target, codes in expected.items():
        backend = BACKENDS[target]
        rendered = backend.render(spec, backend.options_type())
        by_render = [(d.code, d.severity, d.path, d.message) for d in rendered.diagnostics]
        by_table = [(d.code, d.severity, d.path, d.message) for d in check_capabilities(spec, [target])]
        assert {c for c, *_ in by_render} == codes, (target, by_render)
        assert sorted(by_table) == sorted(by_render), target  # validate = render
        assert bool(rendered.files) == all(s != "error" for _, s, *_ in by_render), target


@pytest.mark.parametrize("case", sorted(CASES))
def test_specc_validate_reports_what_the_implied_targets_raise(case: str, tmp_path: Path) -> None:
    text, expected = CASES[case]
    path = _project(tmp_path, text)
    spec = _spec(path)
    r = run_cli("validate", "--format", "json", str(path))
    reported = {d["code"] for d in json.loads(r.out)["diagnostics"]}
    for target in implied_targets(spec):
        if target in expected:
            assert expected[target] <= reported, (target, reported)


@pytest.mark.parametrize("case", sorted(CASES))
def test_render_cli_fails_exactly_when_validate_or_the_table_errors(case: str, tmp_path: Path) -> None:
    """`specc render --target T` exits 1 and writes nothing exactly when the spec itself is
    invalid or T's own table raises an error (another target's table does not stop T); its
    diagnostics are T's table's, placed in the spec file without reading it again.  And
    `specc validate` fails whenever the table of a target the spec implies raises an error."""
    from specc.api import check

    text, expected = CASES[case]
    path = _project(tmp_path, text)
    spec = _spec(path)
    validate_failed = not check(path, targets=()).ok  # the spec alone, no target's table
    validate_cli_failed = run_cli("validate", str(path)).code == 1
    for target in expected:
        table = check_capabilities(spec, [target])
        if target in implied_targets(spec) and any(d.severity == "error" for d in table):
            assert validate_cli_failed, (target, table)
        out = tmp_path / f"out-{target}"
        r = run_cli("render", "--target", target, str(path), "--out", str(out), "--format", "json")
        fails = validate_failed or any(d.severity == "error" for d in table)
        assert r.code == (1 if fails else 0), (target, r.out, r.err)
        assert out.exists() == (not fails)
        if not validate_failed:
            located = json.loads(r.out)["diagnostics"]
            assert sorted(d["code"] for d in located) == sorted(d.code for d in table)
            assert all(d["file"] == str(path) for d in located if d["path"]), located
            # placed on a line wherever the spec wrote the value (SPC324 is about an absent table)
            # (SPC359 is about an absent key)
            assert all(d["line"] is not None for d in located if d["code"] not in ("SPC324", "SPC359")), located


def test_every_target_answers_every_feature() -> None:
    for name, backend in BACKENDS.items():
        assert unanswered(backend.capabilities) == [], name
        assert unknown(backend.capabilities) == [], name


def test_exhaustiveness_fails_for_a_new_field() -> None:
    """The check is real: the input model is walked recursively, and a table missing one
    field (or answering it only through a Supported parent) is reported."""
    fields = input_fields()
    assert {"targets.docker.port", "targets.databricks.cluster.autoscale.min", "python.requirements.url"} <= set(fields)
    assert {"maven.packages.exclusions", "secrets.databricks", "artifacts.path", "spec-version"} <= set(fields)
    table = dict(BACKENDS["docker"].capabilities)
    del table["targets.docker.port"]
    assert unanswered(table) == ["targets.docker.port"]
    table["targets.docker"] = Supported()  # a Supported section does not answer its fields
    assert unanswered(table) == ["targets.docker.port"]
    table["targets"] = Ignored("x")  # an Ignored one does
    assert "targets.docker.port" not in unanswered(table)


def test_every_feature_has_a_finder_that_runs_on_every_example() -> None:
    from specc import load

    for example in sorted(p for p in EXAMPLES.iterdir() if (p / "model-env.toml").is_file()):
        spec = load(example / "model-env.toml")
        for key in FEATURES:
            list(FEATURES[key].find(spec))


def test_every_code_a_table_raises_is_documented() -> None:
    docs = "".join(p.read_text(encoding="utf-8") for p in (REPO / "docs").glob("*.md"))
    for backend in BACKENDS.values():
        for support in backend.capabilities.values():
            for rule in rules(support):
                assert isinstance(rule, Unsupported)
                assert rule.code in docs or _in_range(rule.code, docs), rule.code


def _in_range(code: str, docs: str) -> bool:
    import re

    n = int(code[3:])
    return any(int(a) <= n <= int(b) for a, b in re.findall(r"SPC(\d{3})-SPC(\d{3})", docs))


# --- flags ------------------------------------------------------------------------------------------


def _all_flags() -> list[tuple[str, str]]:
    out = []
    for name, backend in BACKENDS.items():
        out += [(name, f.option) for f in flags_of(backend.options_type).values()]
    return out


@pytest.mark.parametrize(("target", "option"), sorted({(t, o) for t in BACKENDS for _, o in _all_flags()}))
def test_a_flag_exists_exactly_for_the_targets_that_take_it(target: str, option: str, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "sklearn-basic", tmp_path / "p")
    takes = option in {f.option for f in flags_of(BACKENDS[target].options_type).values()}
    flag = [f for f in flags_of(BACKENDS[target].options_type).values() if f.option == option]
    value = [] if flag and flag[0].kind in ("switch", "lock") else ["x"]
    if not flag:
        other = next(b for b in BACKENDS.values() if option in {f.option for f in flags_of(b.options_type).values()})
        kind = next(f.kind for f in flags_of(other.options_type).values() if f.option == option)
        value = [] if kind in ("switch", "lock") else ["x"]
    r = run_cli("render", "--target", target, str(tmp_path / "p"), "--out", str(tmp_path / "o"), option, *value)
    if takes:
        assert r.code != 2, r.err
    else:
        assert r.code == 2 and option in r.err and "does not apply" in r.err
        assert not (tmp_path / "o").exists()


def test_compile_takes_the_mlflow_flags() -> None:
    from specc.cli import build_parser

    help_text = build_parser()._subparsers._group_actions[0].choices["compile"].format_help()  # type: ignore[union-attr]
    for f in flags_of(BACKENDS["mlflow"].options_type).values():
        assert f.option in help_text


def test_options_are_frozen_dataclasses_with_typed_flags() -> None:
    for backend in BACKENDS.values():
        assert dataclasses.is_dataclass(backend.options_type)
        for name, f in flags_of(backend.options_type).items():
            assert (
                f.option.startswith("--")
                and f.help
                and name in {x.name for x in dataclasses.fields(backend.options_type)}
            )


def test_the_registry_and_the_tables_import_light() -> None:
    """`specc validate` consults every table: that must not pull a target's heavy libraries."""
    import subprocess
    import sys

    code = (
        "import sys, specc\n"
        "from specc.backends import check_capabilities, implied_targets\n"
        f"s = specc.load({str(EXAMPLES / 'kitchen-sink' / 'model-env.toml')!r})\n"
        "check_capabilities(s, ('docker', 'databricks', 'mlflow'))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'mlflow', 'databricks', 'uv'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


# --- installer-owned names and literal [env] values ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("PIP_USER", "pip"),
        ("PIP_INDEX_URL", "pip"),  # specc sets it from [python] index-url: not a credential route
        ("UV_INDEX_URL", "uv"),
        ("UV_INDEX_ACME_PASSWORD", None),  # uv's documented credential route
        ("UV_INDEX_ACME_USERNAME", None),
        ("VIRTUALENV_PYTHON", "virtualenv"),
        ("JAVA_TOOL_OPTIONS", "jvm"),
        ("_JAVA_OPTIONS", "jvm"),
        ("JDK_JAVA_OPTIONS", "jvm"),
        ("R_LIBS_USER", "r"),
        ("R_PROFILE_USER", "r"),
        ("APT_CONFIG", "apt"),
        ("PIPELINE_TOKEN", None),  # a prefix of a word is not pip's
        ("PIP", None),
        ("UV", None),
        ("MAVEN_OPTS", None),  # no target runs Maven
        ("OMP_NUM_THREADS", None),
    ],
)
def test_installer_owned_names(name: str, group: str | None) -> None:
    from specc.backends.installers import owner

    found = owner(name)
    assert (found.group if found else None) == group


def test_env_values_are_literal_on_every_target(tmp_path: Path) -> None:
    """One behaviour for `$` in [env]: the value as written.  Docker's ENV escapes it (the image
    sees `$HOME/data`, not the expansion); the MLflow model carries it as written; Databricks
    would expand it in spark_env_vars, so it refuses the value (SPC358) instead of changing it."""
    text = head("3.11", "15.4-ml") + '[env]\nDATA_HOME = "$HOME/data"\n' + NODE + DOCKER
    spec = _spec(_project(tmp_path, text))
    assert spec.env == {"DATA_HOME": "$HOME/data"}
    docker = BACKENDS["docker"].render(spec, BACKENDS["docker"].options_type())
    assert 'DATA_HOME="\\$HOME/data"' in docker.files["Dockerfile"].decode()
    dbx = BACKENDS["databricks"].render(spec, BACKENDS["databricks"].options_type())
    assert [(d.code, d.severity, d.path) for d in dbx.diagnostics] == [("SPC358", "error", ("env", "DATA_HOME"))]
    assert dbx.files == {}
    (tmp_path / "plain").mkdir()
    plain = _spec(_project(tmp_path / "plain", text.replace("$HOME/data", "/data")))
    files = BACKENDS["databricks"].render(plain, BACKENDS["databricks"].options_type()).files
    assert json.loads(files["cluster.json"])["spark_env_vars"] == {"DATA_HOME": "/data"}


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("PATH", "python"),
        ("PYTHONPATH", "python"),
        ("VIRTUAL_ENV", "python"),
        ("PYTHONHOME", "python"),
        ("LD_PRELOAD", "loader"),
        ("LD_LIBRARY_PATH", "loader"),
        ("SPECC_PYTHON_BY_NOTEBOOK", "specc"),
        ("SPECC_JARS_TO_CLASSPATH", None),  # a documented user switch (docs/databricks.md)
        ("DB_IS_DRIVER", "db"),
        ("DB_CLUSTER_ID", "db"),
        ("DATABRICKS_RUNTIME_VERSION", "db"),
        ("DATABRICKS_CONFIG_PROFILE", "databricks"),
        ("DATABRICKS_HOST", None),  # the SDK's credential route
        ("DATABRICKS_TOKEN", None),
        ("DBT_PROFILES_DIR", None),  # DB_ is a prefix with its underscore
        ("DB", None),
        ("SPECC", None),
        ("MY_PATH", None),
    ],
)
def test_target_owned_names(name: str, group: str | None) -> None:
    from specc.backends.owned import owned

    found = owned(name)
    assert (found.group if found else None) == group


def _render(spec: EnvSpec, target: str) -> tuple[list[tuple[str, str]], dict[str, bytes | Path]]:
    backend = BACKENDS[target]
    out = backend.render(spec, backend.options_type())
    return [(d.code, d.severity) for d in out.diagnostics], out.files


def test_owned_names_render_nothing(tmp_path: Path) -> None:
    """B1: [env] PATH no longer reaches the Dockerfile's ENV, SPECC_* and DB_* no longer cluster.json."""
    text = head("3.11", "15.4-ml") + NODE + DOCKER + '[env]\nPATH = "/usr/bin"\nSPECC_PYTHON_BY_NOTEBOOK = "true"\n'
    spec = _spec(_project(tmp_path, text))
    codes, files = _render(spec, "docker")
    assert ("SPC408", "error") in codes and files == {}
    codes, files = _render(spec, "databricks")
    assert codes == [("SPC408", "error"), ("SPC408", "error")] and files == {}


def test_serverless_env_is_refused_not_dropped(tmp_path: Path) -> None:
    """B3: a serverless job.json has no place for [env] or secrets; render says so and writes nothing."""
    text = head("3.12", "serverless-v3") + '[env]\nA = "1"\n[secrets.API_KEY]\ndatabricks = "s/k"\n'
    spec = _spec(_project(tmp_path, text))
    codes, files = _render(spec, "databricks")
    assert codes == [("SPC323", "error"), ("SPC323", "error")] and files == {}
    (tmp_path / "plain").mkdir()
    plain = _spec(_project(tmp_path / "plain", head("3.12", "serverless-v3")))
    codes, files = _render(plain, "databricks")
    assert codes == [] and "job.json" in files


def test_docker_run_passes_runtime_secrets_by_name(tmp_path: Path) -> None:
    """B4: a secret no URL names is passed at docker run (`-e NAME`, never a value); the index's
    secret stays a build secret only."""
    text = head() + DOCKER + AUTH_INDEX + '[secrets.TOK]\n[secrets.API_KEY]\ndocker = "api_key"\n'
    spec = _spec(_project(tmp_path, text))
    codes, files = _render(spec, "docker")
    assert codes == [("SPC344", "warning")]
    build = files["BUILD.md"]
    assert isinstance(build, bytes)
    text_md = build.decode()
    run = text_md.split("## Run", 1)[1]
    assert "docker run --rm -e API_KEY -p 8080:8080 m:latest" in run
    assert "export API_KEY=...   # the value of secret API_KEY" in run and "--env-file" in run
    assert "-e TOK" not in run and "--secret id=tok,env=TOK" in text_md
    dockerfile = files["Dockerfile"]
    assert isinstance(dockerfile, bytes) and b"API_KEY" not in dockerfile and b"api_key" not in dockerfile


def test_docker_secret_ids_are_unique(tmp_path: Path) -> None:
    """B5: two names on one Docker id would mount one file for both; one scope/key under two
    names on Databricks is one credential under two names, which is fine."""
    text = head() + DOCKER + AUTH_INDEX + '[secrets.TOK]\ndocker = "same"\n[secrets.B]\ndocker = "same"\n'
    codes, files = _render(_spec(_project(tmp_path, text)), "docker")
    assert ("SPC345", "error") in codes and files == {}


def test_databricks_env_values_are_refused_like_docker(tmp_path: Path) -> None:
    """B6: a NUL or a line break cannot be in spark_env_vars; a backtick would run a command."""
    text = head("3.11", "15.4-ml") + NODE + '[env]\nA = "x\\u0000y"\nB = "`id`"\n'
    codes, files = _render(_spec(_project(tmp_path, text)), "databricks")
    assert codes == [("SPC334", "error"), ("SPC358", "error")] and files == {}


def test_the_jobs_notebook_follows_notebook_dir_never_a_shared_default_silently() -> None:
    """SPC361: with a volume libraries-dir the notebook needs a workspace folder (notebook-dir);
    without one it falls back to /Workspace/Shared, and that is reported."""
    from specc.api import check_text
    from specc.backends.databricks import DatabricksOptions, make_plan
    from specc.runtimes import get_runtime

    base = head("3.11", "15.4-ml") + '[targets.databricks]\nlibraries-dir = "/Volumes/main/ml/libs"\n' + CLUSTER
    shared = check_text(base)
    assert [d.code for d in shared.diagnostics] == ["SPC361"]
    chosen = check_text(
        base.replace(
            "[targets.databricks]\n", '[targets.databricks]\nnotebook-dir = "/Workspace/Users/me@example.com/specc/"\n'
        )
    )
    assert chosen.spec is not None and not chosen.diagnostics
    plan = make_plan(chosen.spec, DatabricksOptions(), get_runtime(chosen.spec.runtime.databricks or ""))
    assert plan.task_remote == f"/Workspace/Users/me@example.com/specc/{chosen.spec.model.name}/score"
    bad = check_text(
        base.replace("[targets.databricks]\n", '[targets.databricks]\nnotebook-dir = "/Volumes/main/ml/nb"\n')
    )
    assert [d.code for d in bad.diagnostics if d.severity == "error"] == ["SPC128"]
