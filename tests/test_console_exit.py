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
