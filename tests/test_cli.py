"""The command line: exit codes, --help that teaches, JSON output, init, laziness."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from specc import __version__
from specc.cli import COMMANDS
from tests.helpers import EXAMPLES, REPO, run_cli

GOOD = 'spec-version = 1\n[runtime]\npython = "3.11"\n'


def test_version() -> None:
    r = run_cli("--version")
    assert r.code == 0 and r.out.strip() == f"specc {__version__}"


def test_no_command_is_a_usage_error() -> None:
    assert run_cli().code == 2


def test_unknown_option_is_a_usage_error() -> None:
    r = run_cli("validate", "--bogus")
    assert r.code == 2 and "unrecognized arguments" in r.err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["validate", "--strcit"], "specc validate: error: unrecognized arguments: --strcit (did you mean --strict?)"),
        (["lock", "--upgade"], "specc lock: error: unrecognized arguments: --upgade (did you mean --upgrade?)"),
        (["render", "-t", "docker", "-o", "out", "--modle", "m"], "(did you mean --model?)"),
        (["render", "-t", "docker", "-o", "out", "--bogus"], "--bogus; see `specc render --help`"),
        (["compile", "--out", "o", "--lockd"], "(did you mean --locked?)"),
        (["--bogus"], "specc: error: unrecognized arguments: --bogus; see `specc --help`"),
    ],
)
def test_an_unknown_option_gets_the_commands_usage_and_the_nearest_option(argv: list[str], said: str) -> None:
    """The command's own usage line and name (it was the top level's "usage: specc [-h]
    [--version] COMMAND ..." for every command), and the option meant when one is close."""
    r = run_cli(*argv)
    assert r.code == 2 and said in r.err, r.err
    command = argv[0] if not argv[0].startswith("-") else None
    assert r.err.startswith(f"usage: specc {command} " if command else "usage: specc [-h]")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_examples(command: str) -> None:
    r = run_cli(command, "--help")
    assert r.code == 0
    assert "examples:" in r.out and f"specc {command}" in r.out


def test_validate_ok_and_warnings(tmp_path: Path) -> None:
    (tmp_path / "model-env.toml").write_text(GOOD + '[python]\nrequirements = ["pandas"]\n')
    r = run_cli("validate", cwd=tmp_path)
    assert r.code == 0
    assert "warning[SPC202]" in r.err and "ok (0 errors, 1 warning)" in r.err
    r = run_cli("validate", "--strict", cwd=tmp_path)
    assert r.code == 1 and "error[SPC202]" in r.err
    r = run_cli("validate", "-q", cwd=tmp_path)
    assert r.code == 0 and "ok (" not in r.err


def test_validate_missing_file_is_invalid_not_a_crash(tmp_path: Path) -> None:
    r = run_cli("validate", cwd=tmp_path)
    assert r.code == 1 and "error[SPC001]" in r.err and "Traceback" not in r.err


def test_validate_json(tmp_path: Path) -> None:
    (tmp_path / "model-env.toml").write_text(GOOD + '[apt]\npackages = ["Bad"]\n')
    r = run_cli("validate", "--format", "json", cwd=tmp_path)
    assert r.code == 1
    payload = json.loads(r.out)
    assert payload["errors"] == 1
    d = payload["diagnostics"][0]
    assert (d["code"], d["path"], d["line"], d["column"]) == ("SPC109", "apt.packages[0]", 5, 13)


def test_validate_normalized_prints_the_canonical_form() -> None:
    r = run_cli("validate", str(EXAMPLES / "sklearn-basic"), "--normalized")
    assert r.code == 0
    data = json.loads(r.out)
    assert data["model"]["name"] == "sklearn-basic" or data["model"]["name"]
    assert data["hashes"]["dependencies"].startswith("sha256:")
    r2 = run_cli("validate", str(EXAMPLES / "sklearn-basic"), "--normalized", "--format", "json")
    assert json.loads(r2.out)["spec"] == data


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_examples_validate_with_exit_0(example: str) -> None:
    r = run_cli("validate", str(EXAMPLES / example))
    assert r.code == 0, r.err
    assert " error[" not in r.err


def test_init_writes_a_valid_commented_spec(tmp_path: Path) -> None:
    r = run_cli("init", str(tmp_path), "--name", "churn", "--python", "3.11", "--databricks", "15.4-ml")
    assert r.code == 0, r.err
    text = (tmp_path / "model-env.toml").read_text()
    assert text.count("#") > 5 and 'name = "churn"' in text
    assert run_cli("validate", str(tmp_path)).code == 0
    again = run_cli("init", str(tmp_path))
    assert again.code == 1 and "--force" in again.err
    assert (tmp_path / "model-env.toml").read_text() == text


def test_init_from_requirements_txt(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("# mine\nnumpy==2.4.6\npandas==3.1.1  # data\n")
    assert run_cli("init", str(tmp_path), "--python", "3.11").code == 0
    r = run_cli("validate", str(tmp_path), "--normalized")
    names = [q["name"] for q in json.loads(r.out)["python"]["requirements"]]
    assert names == ["numpy", "pandas"]


def test_init_converts_complex_requirements_files(tmp_path: Path) -> None:
    """-r/-c lines, index URLs with credentials and pip options go through `specc import`'s
    converter: each entry copied with its origin, credentials as declared secrets."""
    (tmp_path / "requirements.txt").write_text(
        "--index-url https://bob:hunter2hunter2@pkgs.example.com/simple\n"
        "numpy==2.4.6\n-c constraints.txt\n--trusted-host pkgs.example.com\n"
    )
    (tmp_path / "constraints.txt").write_text("urllib3<3\n")
    r = run_cli("init", str(tmp_path), "--python", "3.11")
    assert r.code == 0, r.err
    text = (tmp_path / "model-env.toml").read_text()
    assert '"urllib3<3",  # from constraints.txt:1' in text and '"numpy==2.4.6",  # from requirements.txt:2' in text
    assert "hunter2" not in text and "hunter2" not in r.err
    assert "${PKGS_EXAMPLE_COM_PASSWORD}@pkgs.example.com" in text
    assert "warning[SPC710]" in r.err and "--trusted-host" in r.err  # reported, not dropped silently
    assert run_cli("validate", str(tmp_path)).code == 0


def test_init_bad_python_is_usage_error(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path), "--python", "three").code == 2
    assert not (tmp_path / "model-env.toml").exists()


@pytest.mark.parametrize(("runtime", "python"), [("16.4-ml", "3.12"), ("15.4 LTS", "3.11"), ("13.3-ml", "3.10")])
def test_init_picks_the_runtimes_python(tmp_path: Path, runtime: str, python: str) -> None:
    import specc

    r = run_cli("init", str(tmp_path), "--databricks", runtime)
    assert r.code == 0, r.err
    spec = specc.load(tmp_path / "model-env.toml")
    assert spec.runtime.python == python
    assert run_cli("validate", str(tmp_path)).code == 0


def test_init_rejects_an_unknown_runtime_before_writing(tmp_path: Path) -> None:
    r = run_cli("init", str(tmp_path), "--databricks", "16.9-ml")
    assert r.code == 2
    assert r.err == (
        'specc init: unknown Databricks runtime "16.9-ml"; did you mean "16.4-ml" or "16.1-ml" or "17.3-ml"?\n'
    )
    assert list(tmp_path.iterdir()) == []


def test_init_refuses_a_python_the_runtime_does_not_run(tmp_path: Path) -> None:
    r = run_cli("init", str(tmp_path), "--databricks", "16.4-ml", "--python", "3.11")
    assert r.code == 2 and "runs Python 3.12" in r.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["Bad Name!", "_leading-underscore", "UPPER"])
def test_init_rejects_a_bad_model_name_before_writing(tmp_path: Path, name: str) -> None:
    """Same kind as the runtime: a flag's bad value leaves no file behind to block the retry."""
    r = run_cli("init", str(tmp_path), "--name", name)
    assert r.code == 2 and "error[SPC108] model.name" in r.err and "nothing written" in r.err
    assert list(tmp_path.iterdir()) == []
    assert run_cli("init", str(tmp_path), "--name", "good-name").code == 0  # the retry needs no --force


def test_runtimes_lists_and_resolves() -> None:
    r = run_cli("runtimes", "--lts", "--ml", "--format", "json")
    rows = json.loads(r.out)
    assert {"15.4.x-cpu-ml-scala2.12", "16.4.x-gpu-ml-scala2.12"} <= {row["key"] for row in rows}
    r = run_cli("runtimes", "15.4-ml")
    assert r.code == 0 and "15.4.x-cpu-ml-scala2.12" in r.out and "3.11" in r.out
    r = run_cli("runtimes", "15.9-ml")
    assert r.code == 1 and "did you mean" in r.err


def test_cli_import_is_light() -> None:
    code = (
        "import sys, specc.cli; specc.cli.build_parser(); "
        "mods = ('mlflow', 'databricks', 'uv', 'pandas', 'numpy', 'jinja2', 'conda_lock', 'tomlkit'); "
        "heavy = [m for m in mods if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_console_script_runs() -> None:
    exe = Path(sys.executable).parent / "specc"
    out = subprocess.run([str(exe), "validate", str(EXAMPLES / "sklearn-basic")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_internal_error_exit_code(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import specc.commands.validate as v

    def boom(args: object) -> int:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(v, "run", boom)
    r = run_cli("validate", cwd=tmp_path)
    assert r.code == 3 and "internal error [SPC900]" in r.err and "kaboom" in r.err
