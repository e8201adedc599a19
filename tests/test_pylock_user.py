"""``specc lock --format pylock`` from an authenticated private index, end to end.

A real index (a local HTTP server that answers only with basic-auth credentials, as Artifactory
or a devpi behind a proxy does) serves one wheel built here; the spec names it through
``${IDX_USER}``/``${IDX_TOKEN}`` placeholders whose values (a canary) are in the environment.
``specc lock`` resolves it, the export writes its URL without credentials and says how to give
them, and ``uv pip sync`` installs it with a netrc file, and fails (401) without one.  Nothing
written holds the canary.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from specc.lock import find_uv
from tests.helpers import run_cli

CANARY = "CANARYs3cr3tXYZ"
USER = "bot"


def _wheel(folder: Path) -> Path:
    """A minimal valid wheel (PEP 427): acme_tok 2.1.0, one module."""
    path = folder / "packages" / "acme_tok-2.1.0-py3-none-any.whl"
    path.parent.mkdir(parents=True)
    files = {
        "acme_tok/__init__.py": b"VERSION = '2.1.0'\n",
        "acme_tok-2.1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: acme-tok\nVersion: 2.1.0\n",
        "acme_tok-2.1.0.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("acme_tok-2.1.0.dist-info/RECORD,,")
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
        z.writestr("acme_tok-2.1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return path


@pytest.fixture
def index(tmp_path: Path) -> Iterator[str]:
    """``http://127.0.0.1:<port>``: a PEP 503 index of one wheel, behind basic auth."""
    root = tmp_path / "index"
    wheel = _wheel(root)
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (root / "simple" / "acme-tok").mkdir(parents=True)
    (root / "simple" / "acme-tok" / "index.html").write_text(
        f'<html><body><a href="../../packages/{wheel.name}#sha256={sha}">{wheel.name}</a></body></html>\n',
        encoding="utf-8",
    )
    # the model's mlflow pin (specc.lock.model_mlflow_pin) resolves from this only index too:
    # a stand-in wheel of that version
    from specc.backends.docker import DEFAULT_SERVING_MLFLOW
    from tests.infra.pypi_index import build_tiny_wheel

    mlflow = build_tiny_wheel(root / "packages", "mlflow", DEFAULT_SERVING_MLFLOW.split("==", 1)[1])
    (root / "simple" / "mlflow").mkdir(parents=True)
    mlflow_sha = hashlib.sha256(mlflow.read_bytes()).hexdigest()
    (root / "simple" / "mlflow" / "index.html").write_text(
        f'<html><body><a href="../../packages/{mlflow.name}#sha256={mlflow_sha}">{mlflow.name}</a></body></html>\n',
        encoding="utf-8",
    )
    expected = "Basic " + base64.b64encode(f"{USER}:{CANARY}".encode()).decode()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="acme"')
                self.end_headers()
                return
            super().do_GET()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_export_from_an_authenticated_index_installs_with_netrc(
    tmp_path: Path, index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IDX_USER", USER)
    monkeypatch.setenv("IDX_TOKEN", CANARY)
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    model = tmp_path / "model"
    model.mkdir()
    (model / "model-env.toml").write_text(
        f"""spec-version = 1

[model]
name = "ticket-router"

[runtime]
python = "{minor}"

[python]
requirements = ["acme-tok==2.1.0"]
index-url = "http://${{IDX_USER}}:${{IDX_TOKEN}}@{index}/simple"

[secrets.IDX_USER]
docker = "idx_user"

[secrets.IDX_TOKEN]
docker = "idx_token"
""",
        encoding="utf-8",
    )
    r = run_cli("lock", str(model))
    assert r.code == 0, r.err
    r = run_cli("lock", str(model), "--format", "pylock")
    assert r.code == 0, r.err
    text = (model / "pylock.toml").read_text(encoding="utf-8")
    assert f"http://{index}/packages/acme_tok-2.1.0-py3-none-any.whl" in text
    assert f"Files of {index} need its credentials" in text and "~/.netrc" in text
    sbom = run_cli("sbom", str(model), "--target", "mlflow", "--locked")
    assert sbom.code == 0, sbom.err
    for written in (*model.iterdir(), sbom.out, sbom.err, r.err):
        content = written.read_text(encoding="utf-8") if isinstance(written, Path) else written
        assert CANARY not in content

    uv = find_uv()
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True)
    py = str(venv / "bin" / "python")
    env = {"PATH": "/usr/bin:/bin", "UV_CACHE_DIR": str(tmp_path / "uv-cache-2"), "HOME": str(tmp_path)}
    denied = subprocess.run(
        [uv, "pip", "sync", "-p", py, "pylock.toml"], cwd=model, capture_output=True, text=True, env=env
    )
    assert denied.returncode != 0 and "401" in denied.stderr
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1\nlogin {USER}\npassword {CANARY}\n", encoding="utf-8")
    ok = subprocess.run(
        [uv, "pip", "sync", "-p", py, "pylock.toml"],
        cwd=model,
        capture_output=True,
        text=True,
        env={**env, "NETRC": str(netrc)},
    )
    assert ok.returncode == 0, ok.stderr
    check = subprocess.run([py, "-c", "import acme_tok; print(acme_tok.VERSION)"], capture_output=True, text=True)
    assert check.stdout.strip() == "2.1.0", check.stderr
