"""The import graph of specc's commands: what a command imports is what it pays at start-up.

Not a timed test (bench/startup.py times them): each command runs in a fresh interpreter
through ``specc.cli.main``, exactly as the console script runs it, and reports the modules
loaded when it is done.  The rules (issue 10): nothing imports MLflow, databricks-sdk or uv
unless the command needs them; ``validate`` does not import jinja2.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sklearn-basic"

# Runs one command, then writes its exit code and sys.modules (top-level names and full) to argv[1].
PROBE = """\
import json, sys
from specc.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as fh:
    loader = sys.modules.get("pydantic.plugin._loader")
    scanned = loader is not None and loader._plugins is not None  # pydantic caches the scan's result
    json.dump({"code": code, "modules": sorted(sys.modules), "plugin_scan": scanned}, fh)
"""

NEVER = {"mlflow", "databricks", "uv"}  # databricks: the SDK's namespace package


def modules_after(tmp_path: Path, *argv: str) -> set[str]:
    """The top-level names of every module loaded by ``specc *argv`` in a fresh process."""
    report = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", PROBE, str(report), *argv], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(report.read_text())
    assert data["code"] == 0, proc.stderr
    return {name.split(".")[0] for name in data["modules"]}


def test_validate_imports_no_template_engine_and_no_integration(tmp_path: Path) -> None:
    loaded = modules_after(tmp_path, "validate", str(EXAMPLE))
    assert "pydantic_core" in loaded  # the probe saw the real pipeline run
    assert not loaded & (NEVER | {"jinja2"})


@pytest.mark.parametrize(
    "argv",
    [
        ("render", "--target", "docker"),
        ("render", "--target", "databricks"),
        ("compile",),  # the flavor's default requirements are merged at log time, not here
    ],
    ids=["render-docker", "render-databricks", "compile"],
)
def test_render_and_compile_import_no_integration(tmp_path: Path, argv: tuple[str, ...]) -> None:
    # sklearn-basic has no libraries-dir, which a Databricks render requires (SPC359)
    example = EXAMPLE.parent / "private-index" if "databricks" in argv else EXAMPLE
    loaded = modules_after(tmp_path, *argv, str(example), "--out", str(tmp_path / "out"))
    assert any((tmp_path / "out").iterdir())  # it did write its output
    assert not loaded & NEVER


def test_import_specc_imports_no_pipeline() -> None:
    """``import specc`` (and a backend's ``from specc import __version__``) stays cheap; the
    public ``specc.load`` is the function (no ``specc.load`` submodule shadows it)."""
    code = (
        "import sys, specc\n"
        "heavy = [m for m in ('specc.api', 'pydantic', 'packaging') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "import specc.api, specc.document\n"
        "assert specc.load is specc.api.load and specc.SpecError is specc.api.SpecError\n"
        "from specc import load\n"
        "assert load is specc.api.load\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_load_can_be_monkeypatched(monkeypatch: pytest.MonkeyPatch) -> None:
    import specc
    import specc.api

    def fake(*_a: object, **_k: object) -> str:
        return "fake"

    monkeypatch.setattr(specc, "load", fake)
    assert specc.load() == "fake"
    monkeypatch.undo()
    assert specc.load is specc.api.load


def test_spec_import_builds_no_input_validator() -> None:
    """``defer_build``: importing the models builds no validator; a command builds the ones it
    validates with (the JSON Schema and every section's nested model are built on demand)."""
    code = (
        "import specc.spec as s\n"
        "built = [n for n, c in vars(s).items() if isinstance(c, type) and issubclass(c, s._Input)\n"
        "         and c.__pydantic_complete__]\n"
        "assert not built, built\n"
        "assert s.SpecInput.model_json_schema()['title'] == 'model-env.toml'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def modules_of(tmp_path: Path, *argv: str, env: dict[str, str] | None = None) -> tuple[int, set[str], bool]:
    """Exit code, the full names of every module loaded by ``specc *argv`` in a fresh process,
    and whether pydantic scanned the installed distributions' entry points for plugins."""
    import os

    report = tmp_path / "modules.json"
    run_env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    run_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(report), *argv], cwd=ROOT, capture_output=True, text=True, env=run_env
    )
    assert report.exists(), proc.stderr
    data = json.loads(report.read_text())
    return data["code"], set(data["modules"]), data["plugin_scan"]


def test_version_answers_before_building_anything(tmp_path: Path) -> None:
    code, loaded, _ = modules_of(tmp_path, "--version")
    assert code == 0
    assert not {m for m in loaded if m.split(".")[0] in {"pydantic", "packaging"}}
    assert not {m for m in loaded if m.startswith("specc.commands")}


def test_a_command_imports_only_its_own_module(tmp_path: Path) -> None:
    code, loaded, scanned = modules_of(tmp_path, "validate", str(EXAMPLE))
    assert code == 0
    commands = {m for m in loaded if m.startswith("specc.commands.")} - {"specc.commands._common"}
    assert commands == {"specc.commands.validate"}
    assert "specc._models" in loaded  # it validated with the compiled models...
    assert "pydantic.main" not in loaded  # ...without pydantic's model machinery (issue 10)
    assert not scanned


@pytest.mark.parametrize(
    ("argv", "example"),
    [
        (("validate",), "sklearn-basic"),
        (("render", "--target", "docker", "--out", "out"), "sklearn-basic"),
        (("render", "--target", "databricks", "--out", "out"), "private-index"),
    ],
    ids=["validate", "render-docker", "render-databricks"],
)
def test_commands_never_load_pydantics_model_machinery(tmp_path: Path, argv: tuple[str, ...], example: str) -> None:
    """validate and render use the compiled models only (``compile`` does load pydantic: the
    environment artifact it writes is a pydantic model extending the definitions)."""
    argv = tuple(str(tmp_path / a) if a == "out" else a for a in argv)
    code, loaded, _ = modules_of(tmp_path, *argv, str(ROOT / "examples" / example))
    assert code == 0
    assert not {m for m in loaded if m == "pydantic.main" or m.startswith("pydantic._internal")}
    assert "specc.spec_defs" not in loaded  # the definitions are for schemas and error messages


def test_a_command_that_builds_pydantic_models_skips_the_plugin_scan(tmp_path: Path) -> None:
    code, loaded, scanned = modules_of(tmp_path, "schema", "--check")
    assert code == 0
    assert "pydantic.main" in loaded  # JSON Schemas come from the pydantic definitions
    assert not scanned  # no entry-point scan: the CLI switches pydantic's plugin loader off


def test_the_users_pydantic_plugin_setting_wins(tmp_path: Path) -> None:
    code, _, scanned = modules_of(tmp_path, "schema", "--check", env={"PYDANTIC_DISABLE_PLUGINS": "0"})
    assert code == 0
    assert scanned  # pydantic scanned for plugins, as the user asked


def test_render_docker_imports_no_xml_for_a_spec_without_maven(tmp_path: Path) -> None:
    code, loaded, _ = modules_of(tmp_path, "render", "--target", "docker", str(EXAMPLE), "--out", str(tmp_path / "o"))
    assert code == 0
    assert not {m for m in loaded if m.startswith("xml")}


def test_the_command_table_matches_the_command_modules() -> None:
    """The one-line help `specc --help` shows without importing a command is each module's HELP,
    and the top-level help is the same text as with every command's parser built."""
    import importlib

    from specc.cli import COMMANDS, build_parser

    for name, (module, help) in COMMANDS.items():
        assert help == importlib.import_module(module).HELP, name
    assert build_parser(()).format_help() == build_parser().format_help()


def test_validate_loads_only_the_targets_the_spec_implies(tmp_path: Path) -> None:
    """A registry entry imports its target's module on first use: a spec implying no Docker or
    Databricks target validates without loading either module (their tables, dataclasses and
    render code), and one with ``[targets.docker]`` loads Docker's and not Databricks'."""
    spec = tmp_path / "spec"
    spec.mkdir()
    base = 'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.11"\n'
    (spec / "model-env.toml").write_text(base + '[python]\nrequirements = ["numpy==2.4.6"]\n')
    code, loaded, _ = modules_of(tmp_path, "validate", str(spec))
    assert code == 0
    assert "specc.backends.features" in loaded  # the capability tables did run (mlflow's)
    assert not loaded & {"specc.backends.docker", "specc.backends.databricks", "specc.backends.databricks_serving"}
    (spec / "model-env.toml").write_text(base + "[targets.docker]\nserve = true\n")
    code, loaded, _ = modules_of(tmp_path, "validate", str(spec))
    assert code == 0
    assert "specc.backends.docker" in loaded
    assert not loaded & {"specc.backends.databricks", "specc.backends.databricks_serving"}


def test_a_registry_entry_is_its_targets_backend() -> None:
    """Each entry hands every call to its module's ``BACKEND``, loaded once, named as registered."""
    import importlib

    from specc.backends import BACKENDS

    for name, entry in BACKENDS.items():
        module = importlib.import_module(f"specc.backends.{name}")
        assert entry.name == name and entry.backend is module.BACKEND  # type: ignore[attr-defined]
        assert entry.capabilities is module.BACKEND.capabilities
        assert entry.options_type is module.BACKEND.options_type
