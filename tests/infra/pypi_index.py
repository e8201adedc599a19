"""A PEP 503 "simple" package index on 127.0.0.1, optionally behind HTTP Basic auth, plus a
network-free wheel builder.

Why: specc renders private-index settings (``--index-url`` with a token, Docker build secrets,
Databricks init scripts). Tests must prove that pip really authenticates with the token and that
the token never lands in an image layer or a rendered file; that needs a real index that rejects
missing or wrong credentials with 401 + ``WWW-Authenticate: Basic`` exactly like a private index.

Example::

    wheel = build_tiny_wheel(tmp_path / "wheels")
    with PypiIndex(tmp_path / "wheels", username="__token__", password="s3cr3t-canary") as idx:
        pip_install(["--index-url", idx.url_with_auth, "tinypkg"])
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from tests.infra._http import StaticServer

__all__ = ["PypiIndex", "build_tiny_wheel", "isolated_pip_env", "normalize_name"]

# A fixed timestamp keeps wheels byte-identical between runs (deterministic hashes).
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def normalize_name(name: str) -> str:
    """PEP 503 normalisation: runs of ``-_.`` become ``-``, lower case."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def build_tiny_wheel(
    dest_dir: Path | str,
    name: str = "tinypkg",
    version: str = "0.1.0",
    module_code: str | None = None,
    *,
    requires: Iterable[str] = (),
    extra_files: dict[str, str] | None = None,
) -> Path:
    """Write ``{dist}-{version}-py3-none-any.whl`` into ``dest_dir`` and return its path.

    The zip is assembled by hand (no setuptools, no network) per the wheel spec: the package
    ``{pkg}/__init__.py`` (``module_code`` or a default defining ``VERSION`` and ``twice``),
    ``METADATA`` (with ``Requires-Dist`` for ``requires``), ``WHEEL`` and a ``RECORD`` listing a
    sha256 for every file. Byte-for-byte deterministic for the same arguments.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    dist = re.sub(r"[-_.]+", "_", name)  # wheel filename escaping
    pkg = dist.lower()
    if module_code is None:
        module_code = f'VERSION = "{version}"\n\n\ndef twice(x):\n    return 2 * x\n'
    info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "Summary: A tiny test package built by specc's test fixtures\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    wheel = "Wheel-Version: 1.0\nGenerator: specc-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files: dict[str, bytes] = {f"{pkg}/__init__.py": module_code.encode()}
    for rel, text in (extra_files or {}).items():
        files[rel] = text.encode()
    files[f"{info}/METADATA"] = metadata.encode()
    files[f"{info}/WHEEL"] = wheel.encode()
    record_lines = [f"{path},{_record_hash(data)},{len(data)}" for path, data in files.items()]
    record_lines.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record_lines) + "\n").encode()

    out = dest_dir / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zi = zipfile.ZipInfo(path, date_time=_ZIP_DATE)
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, data)
    return out


def _dist_name(filename: str) -> str | None:
    if filename.endswith(".whl"):
        return filename.split("-")[0]
    for ext in (".tar.gz", ".zip"):
        if filename.endswith(ext):
            return filename[: -len(ext)].rsplit("-", 1)[0]
    return None


class PypiIndex(StaticServer):
    """Serve the wheels/sdists in ``wheels_dir`` as a PEP 503 index at ``/simple/``.

    The index pages are generated on :meth:`start` (and by :meth:`refresh` after adding files)
    into a private temp dir; package files are hard-linked or copied there, with ``#sha256=``
    fragments so pip verifies them. ``url`` has no credentials; ``url_with_auth`` embeds them
    (what a user would put in ``--index-url``).
    """

    def __init__(
        self,
        wheels_dir: Path | str,
        *,
        username: str | None = None,
        password: str | None = None,
        cache_control: str | None = None,
    ) -> None:
        self.wheels_dir = Path(wheels_dir)
        self._tmp = Path(tempfile.mkdtemp(prefix="specc-pypi-"))
        super().__init__(self._tmp, username=username, password=password, cache_control=cache_control)
        self.refresh()

    def refresh(self) -> None:
        """(Re)generate ``/simple/`` from the current content of ``wheels_dir``."""
        simple = self._tmp / "simple"
        files_dir = self._tmp / "files"
        shutil.rmtree(simple, ignore_errors=True)
        shutil.rmtree(files_dir, ignore_errors=True)
        simple.mkdir()
        files_dir.mkdir()
        projects: dict[str, list[Path]] = {}
        for f in sorted(self.wheels_dir.iterdir()) if self.wheels_dir.is_dir() else []:
            dist = _dist_name(f.name)
            if dist is not None and f.is_file():
                projects.setdefault(normalize_name(dist), []).append(f)
                shutil.copy2(f, files_dir / f.name)
        links = []
        for project, dist_files in sorted(projects.items()):
            links.append(f'<a href="{quote(project)}/">{html.escape(project)}</a><br/>')
            anchors = []
            for f in dist_files:
                sha = hashlib.sha256(f.read_bytes()).hexdigest()
                anchors.append(f'<a href="../../files/{quote(f.name)}#sha256={sha}">{html.escape(f.name)}</a><br/>')
            (simple / project).mkdir()
            (simple / project / "index.html").write_text(_page(project, anchors))
        (simple / "index.html").write_text(_page("Simple index", links))

    def _rewrite(self, handler) -> None:  # type: ignore[no-untyped-def]
        """Accept non-normalised project names (``/simple/Tiny_Pkg/``) as pip may send them."""
        m = re.match(r"^/simple/([^/?#]+)(/?.*)$", handler.path)
        if m:
            handler.path = f"/simple/{normalize_name(m.group(1))}{m.group(2) or '/'}"

    @property
    def url(self) -> str:
        """Index URL for ``--index-url``, without credentials."""
        return f"{self.base_url}/simple"

    @property
    def url_with_auth(self) -> str:
        """Index URL with ``user:password@`` embedded (percent-encoded)."""
        if self.username is None:
            return self.url
        cred = f"{quote(self.username, safe='')}:{quote(self.password or '', safe='')}"
        return f"http://{cred}@127.0.0.1:{self.port}/simple"

    def stop(self) -> None:
        super().stop()

    def close(self) -> None:
        """Stop serving and delete the generated index."""
        self.stop()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __exit__(self, *exc: object) -> None:
        self.close()


def _page(title: str, body: list[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0">'
        f"<title>{html.escape(title)}</title></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def isolated_pip_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment for a pip subprocess that ignores the machine's pip configuration.

    Why: CI and sandbox machines often set ``PIP_FIND_LINKS``/``extra-index-url`` (this one
    does), which would let pip satisfy a requirement from elsewhere and make an auth test pass
    for the wrong reason. Combine with pip's ``--isolated`` flag.
    """
    import os

    env = {k: v for k, v in (base or dict(os.environ)).items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env
