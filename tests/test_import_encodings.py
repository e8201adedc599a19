"""Text files in the encodings pip reads (pip's auto_decode: a UTF-8/16/32 byte-order mark, a
``# -*- coding: ... -*-`` line, else UTF-8).  Windows PowerShell 5's
``pip freeze > requirements.txt`` writes UTF-16 LE with a BOM: `specc import` refused it
("cannot read requirements.txt: 'utf-8' codec can't decode byte 0xff")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomllib

from tests.helpers import run_cli

REQS = "numpy==1.26.4\r\npandas==2.2.2  # données\r\n"


@pytest.mark.parametrize(
    ("name", "data", "source", "check"),
    [
        ("requirements.txt", b"\xff\xfe" + REQS.encode("utf-16-le"), "requirements.txt",
         lambda s: s["python"]["requirements"] == ["numpy==1.26.4", "pandas==2.2.2"]),
        ("requirements.txt", b"\xfe\xff" + REQS.encode("utf-16-be"), "requirements.txt",
         lambda s: s["python"]["requirements"] == ["numpy==1.26.4", "pandas==2.2.2"]),
        ("requirements.txt", b"\xff\xfe\x00\x00" + REQS.encode("utf-32-le"), "requirements.txt",
         lambda s: s["python"]["requirements"] == ["numpy==1.26.4", "pandas==2.2.2"]),
        ("requirements.txt", ("# -*- coding: latin-1 -*-\n" + REQS).encode("latin-1"), "requirements.txt",
         lambda s: s["python"]["requirements"] == ["numpy==1.26.4", "pandas==2.2.2"]),
        ("environment.yml", "\ufeffdependencies:\n  - python=3.11\n  - numpy=1.26.4\n".encode("utf-16"),
         "environment.yml", lambda s: s["python"]["requirements"] == ["numpy==1.26.4.*"]),
        ("apt.txt", "\ufeffcurl\r\ngit\r\n".encode("utf-16"), ".", lambda s: s["apt"]["packages"] == ["curl", "git"]),
        ("cog.yaml", '\ufeffbuild:\n  python_version: "3.11"\n  python_packages: [numpy==1.26.4]\n'.encode("utf-16"),
         "cog.yaml", lambda s: s["python"]["requirements"] == ["numpy==1.26.4"]),
    ],
)  # fmt: skip
def test_encodings_pip_reads(name: str, data: bytes, source: str, check: object, tmp_path: Path) -> None:
    (tmp_path / name).write_bytes(data)
    r = run_cli("import", str(tmp_path / source), "--python", "3.11", "--format", "json")
    assert r.code == 0, r.out
    spec = tomllib.loads((tmp_path / "model-env.toml").read_text(encoding="utf-8"))
    assert check(spec)  # type: ignore[operator]


def test_an_unknown_declared_encoding_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"# -*- coding: klingon -*-\nnumpy==1.26.4\n")
    r = run_cli("import", str(tmp_path / "requirements.txt"), "--python", "3.11", "--format", "json")
    assert r.code == 1
    (d,) = json.loads(r.out)["diagnostics"]
    assert d["code"] == "SPC700" and d["file"] == "requirements.txt"
    assert not (tmp_path / "model-env.toml").exists()


def test_excerpts_of_a_utf16_file_are_text(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"\xff\xfe" + "numpy==1.26.4\n--pre\n".encode("utf-16-le"))
    r = run_cli("import", str(tmp_path / "requirements.txt"), "--python", "3.11")
    assert r.code == 0
    assert "2 | --pre" in r.err
