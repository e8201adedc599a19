"""The console script's exit (specc.cli.console): the interpreter's teardown is skipped, nothing else.

Exit codes are main()'s, every byte written reaches its reader, ``atexit`` handlers run, and a
live thread gets Python's usual exit (which waits for it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sklearn-basic"


def _run(code: str, *argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=cwd)


CONSOLE = "from specc.cli import console; console()"


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (("validate", str(EXAMPLE)), 0),
        (("validate", "/no/such/spec"), 1),
        (("validate", "--no-such-flag"), 2),
        (("--version",), 0),
    ],
    ids=["ok", "invalid", "usage", "version"],
)
def test_exit_codes_are_mains(argv: tuple[str, ...], code: int) -> None:
    assert _run(CONSOLE, *argv).returncode == code


def test_every_byte_of_a_long_output_arrives(tmp_path: Path) -> None:
    from specc.schema import schema_text  # the longest output specc prints

    proc = _run(CONSOLE, "schema")
    assert proc.returncode == 0
    assert proc.stdout == schema_text("model-env.schema.json")
    assert len(proc.stdout) > 10_000


def test_atexit_handlers_run() -> None:
    code = "import atexit; atexit.register(print, 'handler ran'); " + CONSOLE
    proc = _run(code, "validate", str(EXAMPLE))
    assert proc.returncode == 0
    assert proc.stdout.strip().endswith("handler ran")


def test_a_live_thread_gets_pythons_usual_exit() -> None:
    code = (
        "import threading, time\n"
        "def late():\n"
        "    time.sleep(0.3); print('thread finished', flush=True)\n"
        "threading.Thread(target=late).start()\n" + CONSOLE
    )
    proc = _run(code, "validate", str(EXAMPLE))
    assert proc.returncode == 0
    assert "thread finished" in proc.stdout


def test_python_m_specc_is_the_console_script() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "specc", "validate", str(EXAMPLE)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0 and "ok" in proc.stdout + proc.stderr
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'specc = "specc.cli:console"' in text


# --- render builds one target's flags on the plain path ------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["render", "--target", "docker", "--out", "o", "--model", "m", "--locked"],
        ["render", "-t", "databricks", "-o", "o", "--cluster-id", "c", "--strict", "--format", "json", "spec"],
        ["render", "--target=mlflow", "--out=o", "--flavor", "sklearn"],
        ["render", "-tdocker", "-oo", "--from-model", "models:/x/1"],
    ],
    ids=["docker", "databricks", "equals", "short"],
)
def test_one_targets_flags_parse_as_every_targets(argv: list[str]) -> None:
    from specc.cli import build_parser

    narrow = build_parser(["render"], argv).parse_args(argv)
    wide = build_parser(["render"]).parse_args(argv)
    assert len(narrow._flag_targets) == 1 and len(wide._flag_targets) == 3
    for key, value in vars(narrow).items():
        if key not in ("_flag_targets", "_run"):
            assert getattr(wide, key) == value, key


@pytest.mark.parametrize(
    "argv",
    [
        ["render", "--target", "docker", "--cluster-id", "x"],  # another target's flag: named in the error
        ["render", "--target", "docker", "--mod", "x"],  # an abbreviation: ambiguous among every target's flags
        ["render", "--help"],
        ["render", "--target", "nope"],
        ["render", "--out", "o"],
    ],
)
def test_anything_else_gets_every_targets_flags(argv: list[str]) -> None:
    from specc.commands.render import flag_targets

    assert len(flag_targets(argv)) == 3


def test_a_foreign_flag_is_still_named(tmp_path: Path) -> None:
    proc = _run(
        CONSOLE, "render", "--target", "docker", str(EXAMPLE), "--out", str(tmp_path / "o"), "--cluster-id", "x"
    )
    assert proc.returncode == 2
    assert "--cluster-id does not apply to --target docker" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_running_the_package_inside_another_program_leaves_it_running() -> None:
    code = (
        "import runpy, sys\n"
        "sys.argv = ['specc', '--version']\n"
        "try:\n"
        "    runpy.run_module('specc', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    print('caught', exc.code)\n"
        "print('host continues')\n"
    )
    proc = _run(code)
    assert proc.returncode == 0
    assert "caught 0" in proc.stdout and "host continues" in proc.stdout


def test_render_help_lists_every_targets_flags() -> None:
    for argv in (["render", "--target", "docker", "--help"], ["render", "-t", "docker", "-h"]):
        proc = _run(CONSOLE, *argv)
        assert proc.returncode == 0
        assert "--cluster-id" in proc.stdout and "--flavor" in proc.stdout and "docker: " in proc.stdout


# --- what the helper's user run found (each a kind, with cases of our own) ------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("validate", str(ROOT / "tests" / "invalid" / "apt-conflict.toml")),  # a failure
        ("validate", "--strict", str(EXAMPLE)),
        ("schema",),  # a long output
    ],
)
def test_a_closed_pipe_is_never_reported_as_success(argv: tuple[str, ...]) -> None:
    """The reader went away before the verdict was written: exit 141 (128 + SIGPIPE), never 0
    (a CI step `specc validate | head` under pipefail must not pass a broken spec)."""
    import os

    read, write = os.pipe()
    os.close(read)  # like `| true` that has already exited: every write fails
    try:
        proc = subprocess.run([sys.executable, "-c", CONSOLE, *argv], stdout=write, stderr=write, cwd=ROOT)
    finally:
        os.close(write)
    assert proc.returncode == 141


@pytest.mark.parametrize("argv", [("validate", "--format", "json"), ("sbom", "--target", "docker"), ("schema",)])
def test_a_full_disk_is_an_output_error_not_a_bug(argv: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-c", CONSOLE, *argv, *([] if argv[0] == "schema" else [str(EXAMPLE)])],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
    assert proc.returncode == 1
    assert "cannot write the output: No space left on device" in proc.stderr
    assert "SPC900" not in proc.stderr and "Traceback" not in proc.stderr


def test_spec_errors_cross_process_boundaries() -> None:
    import pickle

    import specc

    with pytest.raises(specc.SpecError) as caught:
        specc.load(ROOT / "tests" / "invalid" / "apt-conflict.toml")
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is specc.SpecError and str(again) == str(caught.value)
    assert again.diagnostics == caught.value.diagnostics
    assert {"load", "SpecError"} <= set(dir(specc))


def test_sbom_never_overwrites_a_file_that_is_not_an_sbom(tmp_path: Path) -> None:
    import shutil

    spec = tmp_path / "m"
    shutil.copytree(EXAMPLE, spec)
    for name in ("model-env.toml", "README.md"):
        before = (spec / name).read_bytes()
        proc = _run(CONSOLE, "sbom", "--target", "docker", str(spec), "--out", str(spec / name))
        assert proc.returncode == 1 and "error[SPC764]" in proc.stderr and "is not a CycloneDX SBOM" in proc.stderr
        assert (spec / name).read_bytes() == before
    for fmt, name in (("json", "bom.json"), ("xml", "bom.xml")):  # its own earlier output is replaced
        for _ in range(2):
            proc = _run(
                CONSOLE, "sbom", "--target", "docker", "--format", fmt, str(spec), "--out", str(tmp_path / name)
            )
            assert proc.returncode == 0, proc.stderr


def test_an_unreachable_index_is_not_blamed_on_the_requirements(tmp_path: Path) -> None:
    """uv cannot reach an index (``.invalid`` never resolves): SPC602's hint says so, instead of
    calling the requirements unsatisfiable and pointing at the model's mlflow pin."""
    (tmp_path / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["six==1.16.0"]\n'
        'extra-index-urls = ["https://pkgs.specc-test.invalid/simple"]\n',
        encoding="utf-8",
    )
    proc = _run(CONSOLE, "lock", str(tmp_path))
    assert proc.returncode == 1
    assert "error[SPC602]" in proc.stderr
    assert "uv could not reach a package index" in proc.stderr
    assert "cannot be satisfied together" not in proc.stderr and "mlflow" not in proc.stderr.split("hint:")[-1]
    assert not (tmp_path / "model-env.lock").exists()
