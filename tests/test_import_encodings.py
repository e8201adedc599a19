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


@pytest.mark.parametrize(
    ("name", "folder_files", "code"),
    [
        ("requirements.txt", {}, "SPC700"),  # the file imported
        ("apt.txt", {"requirements.txt": "numpy==1.26.4\n"}, None),  # repo2docker's
        ("cog.yaml", {}, "SPC730"),  # a peer's YAML
        ("environment.yml", {}, "SPC700"),  # conda's YAML
    ],
)
def test_a_file_that_is_not_utf8_says_where(
    name: str, folder_files: dict[str, str], code: str | None, tmp_path: Path
) -> None:
    """A byte that is not UTF-8 (a Latin-1 "é" in a comment): the file, line and column, and
    how to fix it, not Python's codec text ("'utf-8' codec can't decode byte 0xe9 in position
    18: invalid continuation byte") without a line."""
    head = {
        "requirements.txt": b"numpy==1.26.4\n",
        "cog.yaml": b'build:\n  python_version: "3.11"\n',
        "apt.txt": b"curl\n",
    }.get(name, b"dependencies:\n  - python=3.11\n")
    (tmp_path / name).write_bytes(head + b"# caf\xe9 au lait\n")
    for other, text in folder_files.items():
        (tmp_path / other).write_text(text)
    line = head.count(b"\n") + 1
    r = run_cli("import", str(tmp_path), "--python", "3.11", "--format", "json")
    found = [d for d in json.loads(r.out)["diagnostics"] if "not UTF-8" in d["message"]]
    assert len(found) == 1, r.out
    [d] = found
    assert d["message"] == f"{name} is not UTF-8 text: byte 0xe9 at line {line}, column 6"
    assert d["line"] == line and d["file"] == name and "re-save it as UTF-8" in d["hint"]
    assert "codec" not in r.out
    if code is not None:
        assert d["code"] == code and d["severity"] == "error" and r.code == 1
    else:  # a repo2docker folder's apt.txt: not carried, the rest of the folder is
        assert d["severity"] == "warning" and r.code == 0


def test_a_utf16_file_that_does_not_decode_says_so(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"\xff\xfe" + "numpy\n".encode("utf-16-le") + b"\x00\xd8")
    r = run_cli("import", str(tmp_path / "requirements.txt"), "--format", "json")
    [d] = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "SPC700"]
    assert d["message"] == "requirements.txt is not UTF-16-LE text (byte 12 after its byte-order mark)"
    assert r.code == 1 and "codec" not in r.out
