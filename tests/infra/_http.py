"""A tiny threaded static-file HTTP server on 127.0.0.1, shared by the repository fixtures.

Why not ``python -m http.server`` in a subprocess: an in-process server on an ephemeral port
needs no port guessing, starts in milliseconds, records every request (so tests can assert what a
consumer actually fetched) and can demand HTTP Basic auth, which the PyPI fixture needs to prove
that credentials are passed and never baked in.
"""

from __future__ import annotations

import base64
import functools
import hmac
import http.server
import threading
from pathlib import Path
from typing import Any

__all__ = ["StaticServer"]

HOST = "127.0.0.1"


class _Handler(http.server.SimpleHTTPRequestHandler):
    server_ref: StaticServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence stderr; requests are recorded on the server object instead."""

    def _authorised(self) -> bool:
        owner = self.server_ref
        if owner.username is None:
            return True
        header = self.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{owner.username}:{owner.password}".encode()).decode()
        return hmac.compare_digest(header.encode(), expected.encode())

    def _guard(self) -> bool:
        owner = self.server_ref
        ok = self._authorised()
        with owner._lock:
            owner.requests.append((self.command, self.path, ok))
        if not ok:
            body = b"401 Unauthorized\n"
            self.send_response(401)
            self.send_header("WWW-Authenticate", f'Basic realm="{owner.realm}"')
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        return ok

    def end_headers(self) -> None:
        if self.server_ref.cache_control is not None:
            self.send_header("Cache-Control", self.server_ref.cache_control)
        super().end_headers()

    def do_GET(self) -> None:
        if self._guard():
            self.server_ref._rewrite(self)
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._guard():
            self.server_ref._rewrite(self)
            super().do_HEAD()


class StaticServer:
    """Serve ``root`` on ``http://127.0.0.1:<ephemeral port>/`` from a daemon thread.

    Use as a context manager (or call :meth:`start`/:meth:`stop`). ``requests`` lists
    ``(method, path, authorised)`` for every request received.  ``cache_control``: a
    ``Cache-Control`` header for every response (None: none, so clients use heuristics on
    ``Last-Modified``, and a page served a moment ago may be taken as fresh without asking).
    """

    realm = "specc-test"

    def __init__(
        self,
        root: Path | str,
        *,
        username: str | None = None,
        password: str | None = None,
        cache_control: str | None = None,
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self.root = Path(root)
        self.username = username
        self.password = password
        self.cache_control = cache_control
        self.requests: list[tuple[str, str, bool]] = []
        self._lock = threading.Lock()
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _rewrite(self, handler: http.server.SimpleHTTPRequestHandler) -> None:
        """Hook for subclasses to map request paths (e.g. PEP 503 name normalisation)."""

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash, no credentials)."""
        return f"http://{HOST}:{self.port}"

    def start(self) -> StaticServer:
        handler = type("Handler", (_Handler,), {"server_ref": self})
        factory = functools.partial(handler, directory=str(self.root))
        self._httpd = http.server.ThreadingHTTPServer((HOST, 0), factory)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=f"specc-test-http-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> StaticServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
