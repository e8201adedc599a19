"""`specc import` from pip requirements files, and the helpers every test_import_* module shares.

Each case writes a realistic input into a temporary folder, imports it with the real command
(in-process), and compares the written model-env.toml, the normalized spec and the import's
diagnostics with goldens under tests/golden/import/<case>/ (SPECC_UPDATE_GOLDEN=1 rewrites
them).  Every imported spec is then compiled for MLflow and rendered for Docker and Databricks
through the in-process API.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import tomllib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import specc
from specc.importers.base import Draft
from specc.importers.requirements import read_requirements_file, requirement_lines
from specc.importers.writer import complete, finish, render
from tests.helpers import assert_golden, run_cli

GOLDEN = Path(__file__).resolve().parent / "golden" / "import"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def import_case(case: str, source: Path | str, *extra: str, cwd: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Import ``source`` (JSON diagnostics), compare with the goldens of ``case``; returns the
    written spec's path and the JSON report."""
    r = run_cli("import", str(source), "--python", "3.11", "--name", case, "--format", "json", *extra, cwd=cwd)
    assert r.code == 0, r.out + r.err
    report = json.loads(r.out)
    out = Path(report["output"]) if Path(report["output"]).is_absolute() else (cwd or Path.cwd()) / report["output"]
    text = out.read_text(encoding="utf-8")
    assert_golden(GOLDEN / case / "model-env.toml", text)
    spec = specc.load(out)
    assert_golden(GOLDEN / case / "normalized.json", spec.to_json())
    lines = [
        f"{d['severity']} {d['code']} {d['file']}:{d['line']}: {d['message']}"
        for d in sorted(report["diagnostics"], key=lambda d: (d["file"] or "", d["line"] or 0, d["code"], d["message"]))
    ]
    assert_golden(GOLDEN / case / "diagnostics.txt", "\n".join(lines) + "\n")
    return out, report


def round_trip(spec_path: Path) -> dict[str, dict[str, str | bytes]]:
    """Compile for MLflow and render Docker and Databricks in-process; no error may come out.

    Databricks needs a libraries-dir the user chooses (SPC359), which no import can know: it is
    appended (a copy of the spec next to it) before the Databricks render."""
    from specc.backends import BACKENDS
    from specc.mlflow import compile_mlflow

    spec = specc.load(spec_path)
    args = compile_mlflow(spec)
    assert args is not None
    out: dict[str, dict[str, str | bytes]] = {}
    docker = BACKENDS["docker"].render(spec, BACKENDS["docker"].options_type())
    assert not [d for d in docker.diagnostics if d.severity == "error"], docker.diagnostics
    assert "Dockerfile" in docker.files
    out["docker"] = dict(docker.files)  # type: ignore[arg-type]
    text = spec_path.read_text(encoding="utf-8")
    if "[targets.databricks]" not in text:
        text += '\n[targets.databricks]\nlibraries-dir = "/Volumes/main/default/specc"\n'
    dbx_path = spec_path.with_name("dbx-model-env.toml")
    dbx_path.write_text(text, encoding="utf-8")
    try:
        dbx_spec = specc.load(dbx_path)
    finally:
        dbx_path.unlink()
    dbx = BACKENDS["databricks"].render(dbx_spec, BACKENDS["databricks"].options_type())
    assert not [d for d in dbx.diagnostics if d.severity == "error"], dbx.diagnostics
    assert dbx.files
    out["databricks"] = dict(dbx.files)  # type: ignore[arg-type]
    return out


def file_text(files: dict[str, str | bytes], name: str) -> str:
    value = files[name]
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def codes(report: dict[str, Any]) -> list[str]:
    return sorted(d["code"] for d in report["diagnostics"])


# --- realistic inputs --------------------------------------------------------------------------

PIP_WITH_OPTIONS = {
    "requirements.txt": """\
# Training environment, exported by hand (pip freeze plus private packages)
--index-url https://ci-bot:Zq8xV3pLm2Nw7Rt@pkgs.acme.example/pypi/simple
--extra-index-url https://download.pytorch.org/whl/cpu
--extra-index-url https://${FURY_TOKEN}@pypi.fury.io/acme/
--trusted-host pkgs.acme.example
-f https://data.pyg.org/whl/torch-2.3.0+cpu.html

numpy==1.26.4
pandas==2.2.2   # dataframes
scikit-learn==1.5.1 \\
    --hash=sha256:1b94d6440603752b27842eda97f6395f570941857456c606eb1d638efdb38184 \\
    --hash=sha256:3c4dc4b8a6f5c9a2c8b1c2b2b3e0a9a8f0a1b2c3d4e5f60718293a4b5c6d7e8f
torch==2.3.1+cpu
acme-features[fast]==0.4.2 ; python_version >= "3.10"
-r requirements/serving.txt
-c constraints.txt
-e ./libs/acme-utils
git+https://github.com/acme/tokenizers.git@v0.3.1#egg=acme-tokenizers
./wheels/acme_model-1.0.0-py3-none-any.whl
--pre
""",
    "requirements/serving.txt": "fastapi==0.111.0\nuvicorn[standard]==0.30.1\n-r ../requirements.txt\n",
    "constraints.txt": "urllib3<3\nprotobuf>=4.25,<5\n-r requirements/missing.txt\n",
    # an empty zip (its end-of-central-directory record alone): a wheel is a zip (SPC217)
    "wheels/acme_model-1.0.0-py3-none-any.whl": "PK\x05\x06" + "\x00" * 18,
}

PIP_FREEZE = {
    "requirements.txt": "joblib==1.4.2\nnumpy==2.0.1\nscikit-learn==1.5.1\nscipy==1.14.0\nthreadpoolctl==3.5.0\n",
}

PIP_DIRECT_URLS = {
    "reqs/prod-requirements.txt": """\
-i https://${ARTIFACTORY_USER}:${ARTIFACTORY_PASSWORD}@acme.jfrog.io/artifactory/api/pypi/pypi/simple
xgboost==2.1.0
acme-proto @ https://files.acme.example/acme_proto-3.2.0-py3-none-any.whl?token=f3a9c1d2e4b5a6978877
lightgbm>=4.3,<5
file:///opt/wheels/internal-1.0-py3-none-any.whl
""",
}


def test_pip_options_credentials_nested_r_and_c(tmp_path: Path) -> None:
    src = write(tmp_path / "proj", PIP_WITH_OPTIONS)
    out, report = import_case("pip-options", src / "requirements.txt")
    assert out == src / "model-env.toml"
    text = out.read_text()
    # credentials became placeholders of declared secrets; the literal never reaches the spec or the report
    assert "Zq8xV3pLm2Nw7Rt" not in text and "Zq8xV3pLm2Nw7Rt" not in json.dumps(report)
    data = tomllib.loads(text)
    assert data["python"]["index-url"] == (
        "https://${PKGS_ACME_EXAMPLE_USER}:${PKGS_ACME_EXAMPLE_PASSWORD}@pkgs.acme.example/pypi/simple"
    )
    assert set(data["secrets"]) == {"FURY_TOKEN", "PKGS_ACME_EXAMPLE_PASSWORD", "PKGS_ACME_EXAMPLE_USER"}
    assert data["secrets"]["FURY_TOKEN"]["databricks"] == "pip-options/fury-token"
    # -r followed (the cycle back to requirements.txt reported), -c became constraints
    assert "fastapi==0.111.0" in data["python"]["requirements"]
    assert data["python"]["constraints"] == ["urllib3<3", "protobuf<5,>=4.25"]
    assert data["python"]["wheels"] == ["wheels/acme_model-1.0.0-py3-none-any.whl"]
    # every option or line not carried over is a diagnostic with a code and its file:line
    got = {(d["code"], d["file"], d["line"]) for d in report["diagnostics"]}
    assert {
        ("SPC710", "requirements.txt", 5),  # --trusted-host
        ("SPC710", "requirements.txt", 6),  # -f
        ("SPC710", "requirements.txt", 10),  # --hash
        ("SPC711", "requirements.txt", 17),  # -e
        ("SPC711", "requirements.txt", 18),  # git+
        ("SPC710", "requirements.txt", 20),  # --pre
        ("SPC712", "requirements/serving.txt", 3),  # the cycle
        ("SPC712", "constraints.txt", 3),  # the missing file
    } <= got
    assert report["errors"] == 0
    # every entry says where it came from
    for line in text.splitlines():
        if line.startswith("  ") and not line.startswith("  #"):
            assert "# from " in line, line
    files = round_trip(out)
    dockerfile = file_text(files["docker"], "Dockerfile")
    assert "PKGS_ACME_EXAMPLE_PASSWORD" in dockerfile and "Zq8xV3pLm2Nw7Rt" not in dockerfile


def test_pip_freeze_output(tmp_path: Path) -> None:
    src = write(tmp_path / "model", PIP_FREEZE)
    out, report = import_case("pip-freeze", src / "requirements.txt")
    assert codes(report) == []  # a plain freeze converts without a word
    assert tomllib.loads(out.read_text())["python"]["requirements"][0] == "joblib==1.4.2"
    files = round_trip(out)
    assert "scikit-learn==1.5.1" in file_text(files["docker"], "deps/python/requirements.txt")


def test_pip_direct_urls_and_query_tokens(tmp_path: Path) -> None:
    src = write(tmp_path / "svc", PIP_DIRECT_URLS)
    out, report = import_case(
        "pip-direct-urls", src / "reqs" / "prod-requirements.txt", "--out", str(src / "model-env.toml")
    )
    data = tomllib.loads(out.read_text())
    assert (
        "acme-proto @ https://files.acme.example/acme_proto-3.2.0-py3-none-any.whl?token=${FILES_ACME_EXAMPLE_TOKEN}"
        in (data["python"]["requirements"])
    )
    assert "f3a9c1d2e4b5a6978877" not in out.read_text()
    assert set(data["secrets"]) == {"ARTIFACTORY_USER", "ARTIFACTORY_PASSWORD", "FILES_ACME_EXAMPLE_TOKEN"}
    assert ("SPC711", "prod-requirements.txt", 5) in {(d["code"], d["file"], d["line"]) for d in report["diagnostics"]}
    round_trip(out)


def test_never_overwrites_without_force(tmp_path: Path) -> None:
    src = write(tmp_path, PIP_FREEZE)
    (src / "model-env.toml").write_text("keep me\n")
    r = run_cli("import", str(src / "requirements.txt"), "--python", "3.11")
    assert r.code == 1 and "error[SPC702]" in r.err and "--force" in r.err
    assert (src / "model-env.toml").read_text() == "keep me\n"
    assert run_cli("import", str(src / "requirements.txt"), "--python", "3.11", "--force").code == 0
    assert "joblib==1.4.2" in (src / "model-env.toml").read_text()


def test_unreadable_and_unknown_sources_write_nothing(tmp_path: Path) -> None:
    r = run_cli("import", str(tmp_path / "nope.txt"))
    assert r.code == 1 and "error[SPC700]" in r.err
    (tmp_path / "notes.md").write_text("# hello\n")
    r = run_cli("import", str(tmp_path / "notes.md"))
    assert r.code == 1 and "error[SPC701]" in r.err
    r = run_cli("import", str(tmp_path / "notes.md"), "--from", "poetry")
    assert r.code == 2 and "error[SPC701]" in r.err
    (tmp_path / "requirements.txt").write_bytes(b"numpy\n\xc3\x28bad\n")  # not UTF-8, no BOM, no coding line
    r = run_cli("import", str(tmp_path / "requirements.txt"), "--format", "json")
    assert r.code == 1 and json.loads(r.out)["diagnostics"][0]["code"] == "SPC700"
    assert not (tmp_path / "model-env.toml").exists()


def test_the_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    a = write(tmp_path / "a" / "proj", PIP_WITH_OPTIONS)
    b = write(tmp_path / "b" / "proj", PIP_WITH_OPTIONS)
    for src in (a, b):
        assert run_cli("import", str(src / "requirements.txt"), "--python", "3.11").code == 0
    assert (a / "model-env.toml").read_bytes() == (b / "model-env.toml").read_bytes()


def test_text_output_names_every_problem_with_file_and_line(tmp_path: Path) -> None:
    src = write(tmp_path / "proj", PIP_WITH_OPTIONS)
    r = run_cli("import", str(src / "requirements.txt"), "--python", "3.11")
    assert r.code == 0
    assert "requirements.txt:5:1: warning[SPC710]: pip option --trusted-host is not carried over" in r.err
    assert "Zq8xV3pLm2Nw7Rt" not in r.err  # the excerpt is masked
    assert "wrote " in r.err


def test_requirement_lines_api_for_other_formats(tmp_path: Path) -> None:
    draft = Draft("cog", root=tmp_path)
    requirement_lines(
        [("torch==2.3.1", "cog.yaml:7"), ("-r requirements.txt", "cog.yaml:8"), ("--pre", "cog.yaml:9"),
         ("Pillow >= 10", "cog.yaml:10")],
        draft,
    )  # fmt: skip
    assert draft.get(("python", "requirements")) == ["torch==2.3.1", "Pillow>=10"]
    assert [(n.code, n.source) for n in draft.notes] == [("SPC712", "cog.yaml:8"), ("SPC710", "cog.yaml:9")]


def test_a_later_index_url_replaces_every_index_before_it(tmp_path: Path) -> None:
    """pip's handle_option_line (pip/_internal/req/req_file.py): ``-i`` sets
    ``index_urls = [opts.index_url]``, replacing the index and every extra index URL read before
    it (in any file); extras after it are added.  The import kept the FIRST -i, so the spec
    installed from an index pip would not use."""
    write(
        tmp_path,
        {
            "requirements.txt": "-i https://a.example/simple\n--extra-index-url https://x.example/simple\n"
            "-r more.txt\n--extra-index-url https://y.example/simple\n",
            "more.txt": "-i https://b.example/simple\n",
        },
    )
    draft = Draft("requirements", root=tmp_path)
    read_requirements_file(tmp_path / "requirements.txt", draft, root=tmp_path)
    assert draft.get(("python", "index-url")) == "https://b.example/simple"
    assert draft.get(("python", "extra-index-urls")) == ["https://y.example/simple"]
    got = {(n.code, n.source) for n in draft.notes}
    assert got == {("SPC703", "requirements.txt:1"), ("SPC703", "requirements.txt:2")}
    assert all("more.txt:1" in n.message for n in draft.notes)


@pytest.mark.parametrize(
    ("line", "requirement", "reported"),
    [
        ("Django==4.2.13 --no-binary=Django", "Django==4.2.13", "ignored by pip"),
        ("numpy==1.26.4 --hash=sha256:" + "0" * 64, "numpy==1.26.4", "--hash on this line"),
        ("lightgbm==4.3.0 -Ccmake.define.USE_GPU=ON", "lightgbm==4.3.0", "-C on this line"),
        ("pkg==1.0 --prefer-binary --hash sha256:" + "0" * 64, "pkg==1.0", "ignored by pip"),
        ('pkg-a[x]>=1 ; python_version >= "3.8"', 'pkg-a[x]>=1; python_version >= "3.8"', None),
        ("acme-x @ https://files.example/acme_x-1.0-py3-none-any.whl", None, None),
    ],
)
def test_options_after_a_requirement_as_pip_splits_them(
    line: str, requirement: str | None, reported: str | None, tmp_path: Path
) -> None:
    """pip's break_args_options: the requirement ends at the first space-separated token that
    starts with "-"; options other than --hash/--config-settings/--global-option are ignored on
    a requirement line.  `Django==4.2.13 --no-binary=Django` was dropped whole as "not PEP 508"."""
    write(tmp_path, {"requirements.txt": line + "\n"})
    draft = Draft("requirements", root=tmp_path)
    read_requirements_file(tmp_path / "requirements.txt", draft, root=tmp_path)
    reqs = draft.get(("python", "requirements"))
    assert isinstance(reqs, list) and len(reqs) == 1
    if requirement is not None:
        assert reqs == [requirement]
    messages = " ".join(n.message for n in draft.notes)
    assert not [n for n in draft.notes if n.code == "SPC711"]
    if reported:
        assert reported in messages
    else:
        assert not draft.notes


# --- hostile input: never a broken TOML file, never a leaked credential -------------------------

_HOSTILE = st.text(
    alphabet=st.sampled_from([*"ab=<>!~.,;@:/\\\"'$(){}[]#\n\r\t -_", "é", "\u2028", "\x00", "\x7f", "💥"]),
    max_size=40,
)
_SECRETS = st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZ23456789", min_size=10, max_size=24)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_HOSTILE, max_size=6), name=st.sampled_from(["numpy", "acme-lib", "x"]), secret=_SECRETS)
def test_hostile_requirement_lines_give_valid_toml_and_no_credential(
    tmp_path: Path, lines: list[str], name: str, secret: str
) -> None:
    body = [f"{name}{line}" for line in lines]
    body.append(f"--extra-index-url https://bot:{secret}@h.example/simple")
    body.append(f"-i https://{secret}@i.example/simple")
    body.append(f"{name} @ https://h.example/{name}-1.0-py3-none-any.whl?token={secret}")
    folder = tmp_path / "h"
    folder.mkdir(exist_ok=True)
    (folder / "requirements.txt").write_text("\n".join(body), encoding="utf-8", errors="surrogatepass")
    draft = Draft("requirements", root=folder)
    read_requirements_file(folder / "requirements.txt", draft, root=folder)
    complete(draft, name="h", python="3.11", name_source="test", python_source="--python")
    raw = render(draft)
    tomllib.loads(raw)  # the rendering is always TOML, whatever the input
    text, result = finish(draft, folder / "model-env.toml")
    data = tomllib.loads(text)
    assert data["spec-version"] == 1
    assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics
    assert secret not in text
    assert all(secret not in (n.message + (n.hint or "") + (n.source or "")) for n in draft.notes)
    assert data["python"]["index-url"] == "https://${I_EXAMPLE_TOKEN}@i.example/simple"


@pytest.mark.parametrize(
    "value",
    [
        'a"b',
        "a\\b",
        "line\nbreak",
        "0\n",
        "key-ok",
        "nul\x00",
        "del\x7f",
        "sep\u2028",
        'q"""',
        "'''",
        "${X}",
        "$(rm -rf /)",
        "é💥",
    ],
)
def test_every_string_is_escaped_as_toml(value: str) -> None:
    draft = Draft("requirements")
    draft.set(("env", "X"), value, source=f"src\n{value}")
    draft.set(("env", value), "v", source="s")  # keys too ("0\n" once passed as a bare key)
    draft.add(("apt", "packages"), value, source=value)
    data = tomllib.loads(render(draft))
    assert data["env"]["X"] == value and data["env"][value] == "v" and data["apt"]["packages"] == [value]


def test_entries_the_loader_rejects_are_taken_out_and_reported(tmp_path: Path) -> None:
    """--out elsewhere: the wheel's path now leaves the spec's folder (SPC402), so the entry is
    taken out with the loader's reason (SPC706) and what is written still validates."""
    src = write(tmp_path / "proj", PIP_WITH_OPTIONS)
    out = tmp_path / "elsewhere" / "model-env.toml"
    r = run_cli("import", str(src / "requirements.txt"), "--python", "3.11", "--out", str(out), "--format", "json")
    assert r.code == 0, r.out
    dropped = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "SPC706"]
    assert len(dropped) == 1 and "acme_model-1.0.0-py3-none-any.whl" in dropped[0]["message"]
    assert (dropped[0]["file"], dropped[0]["line"]) == ("requirements.txt", 19)
    assert "wheels" not in tomllib.loads(out.read_text())["python"]
    assert run_cli("validate", str(out)).code == 0


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "https://download.pytorch.org/whl/cpu/torchvision-0.18.1%2Bcpu-cp311-cp311-linux_x86_64.whl",
            "torchvision @ https://download.pytorch.org/whl/cpu/torchvision-0.18.1%2Bcpu-cp311-cp311-linux_x86_64.whl",
        ),
        (
            "https://files.example.com/pkgs/acme_utils-2.0.1.tar.gz ; python_version >= '3.10'",
            'acme-utils @ https://files.example.com/pkgs/acme_utils-2.0.1.tar.gz ; python_version >= "3.10"',
        ),
        (
            "https://github.com/acme/tool/archive/refs/tags/v1.2.zip#egg=acme-tool",
            "acme-tool @ https://github.com/acme/tool/archive/refs/tags/v1.2.zip#egg=acme-tool",
        ),
        (
            "https://deploy:CANARYpw991@files.corp.example/acme_model-0.3.0-py3-none-any.whl",
            "acme-model @ https://${FILES_CORP_EXAMPLE_USER}:${FILES_CORP_EXAMPLE_PASSWORD}@files.corp.example/"
            "acme_model-0.3.0-py3-none-any.whl",
        ),
        ("https://github.com/acme/tool/archive/main.zip", None),
    ],
)
def test_bare_urls_pip_installs_are_carried_by_name(line: str, expected: str | None, tmp_path: Path) -> None:
    """pip installs a bare URL of a wheel or sdist (or one with #egg=); the converter turned
    every such line into "not a PEP 508 requirement" and dropped it.  Now it is ``name @ URL``
    (the name from the file name, as packaging parses it), credentials as secrets; a URL that
    names no package is still reported (SPC711), never silently dropped."""
    src = write(tmp_path / "u", {"requirements.txt": line + "\n"})
    draft = Draft("requirements", root=src)
    read_requirements_file(src / "requirements.txt", draft, root=src)
    got = draft.get(("python", "requirements"))
    if expected is None:
        assert got is None
        assert [n.code for n in draft.notes] == ["SPC711"]
        assert "names no package" in draft.notes[0].message
    else:
        assert got == [expected]
        assert "CANARYpw991" not in repr(draft.notes) + repr(draft.entries)
        assert not [n for n in draft.notes if n.code == "SPC711"]


def test_a_missing_local_wheel_says_so(tmp_path: Path) -> None:
    src = write(tmp_path / "w", {"requirements.txt": "./dist/acme-0.3.0-py3-none-any.whl\n"})
    draft = Draft("requirements", root=src)
    read_requirements_file(src / "requirements.txt", draft, root=src)
    (note,) = draft.notes
    assert note.code == "SPC711" and "no such file" in note.message


def test_a_replaced_index_leaves_no_secret_behind(tmp_path: Path) -> None:
    """The credentials of an index pip does not use (replaced by a later -i) are not declared as
    secrets (each would need a Databricks secret and a Docker --secret); an index on the same
    host keeps the secrets it shares."""
    write(
        tmp_path,
        {
            "requirements.txt": "-i https://u:Pw0rdPw0rdPw0rd@old.example/simple\n"
            "--extra-index-url https://tok3ntok3ntok3n@extra.example/simple\n"
            "-i https://u:Pw0rdPw0rdPw0rd@new.example/simple\n"
            "-i https://u:Pw0rdPw0rdPw0rd@new.example/other\n",
        },
    )
    draft = Draft("requirements", root=tmp_path)
    read_requirements_file(tmp_path / "requirements.txt", draft, root=tmp_path)
    assert draft.get(("python", "index-url")) == "https://${NEW_EXAMPLE_USER}:${NEW_EXAMPLE_PASSWORD}@new.example/other"
    assert set(draft.secrets) == {"NEW_EXAMPLE_USER", "NEW_EXAMPLE_PASSWORD"}


def test_a_user_name_beside_a_password_stays_a_user_name(tmp_path: Path) -> None:
    """The password is the secret when there is one (the spec's rule, specc.urls): PyPI's and
    GitLab's ``__token__`` user and a user name beside a ``${NAME}`` password are kept as
    written (they used to become a secret, or make the whole URL "credential-shaped" and
    dropped); two literals still become two secrets.  A ``${NAME}`` the file already used is
    declared, and SPC704 says so instead of claiming a credential was found."""
    write(
        tmp_path,
        {
            "requirements.txt": "--index-url https://alice:${PW}@a.example.com/simple\n"
            "--extra-index-url https://__token__:pypi-AgEIcHlwaS5vcmcCJGQ@b.example.com/simple\n"
            "--extra-index-url https://__token__:${GITLAB_TOKEN}@gitlab.example.com/api/v4/projects/1/packages/pypi/simple\n"
            "--extra-index-url https://bob:secretpw@c.example.com/simple\nsix==1.16.0\n",
        },
    )
    r = run_cli("import", str(tmp_path / "requirements.txt"), "--python", "3.11", "--format", "json")
    assert r.code == 0, r.out
    data = tomllib.loads((tmp_path / "model-env.toml").read_text())
    assert data["python"]["index-url"] == "https://alice:${PW}@a.example.com/simple"
    assert data["python"]["extra-index-urls"] == [
        "https://__token__:${B_EXAMPLE_COM_PASSWORD}@b.example.com/simple",
        "https://__token__:${GITLAB_TOKEN}@gitlab.example.com/api/v4/projects/1/packages/pypi/simple",
        "https://${C_EXAMPLE_COM_USER}:${C_EXAMPLE_COM_PASSWORD}@c.example.com/simple",
    ]
    assert set(data["secrets"]) == {
        "PW",
        "B_EXAMPLE_COM_PASSWORD",
        "GITLAB_TOKEN",
        "C_EXAMPLE_COM_USER",
        "C_EXAMPLE_COM_PASSWORD",
    }
    said = {d["line"]: d["message"] for d in json.loads(r.out)["diagnostics"] if d["code"] == "SPC704"}
    assert said[1].startswith("${PW} at requirements.txt:1 is declared as secret PW")
    assert said[3].startswith("${GITLAB_TOKEN} at requirements.txt:3 is declared")
    assert said[2].startswith("the credential at requirements.txt:2 is now secret B_EXAMPLE_COM_PASSWORD")
    assert "pypi-AgEI" not in r.out + (tmp_path / "model-env.toml").read_text()
    specc.load(tmp_path / "model-env.toml")  # the spec accepts what was written (SpecError otherwise)


def test_pip_freeze_file_urls(tmp_path: Path) -> None:
    """`pip freeze` in a conda environment writes `certifi @ file:///croot/certifi_.../work` for
    packages conda built: the version is not in the line, reported with what gives it (pip list
    --format=freeze); a file: URL of a wheel that exists is a wheel."""
    write(
        tmp_path,
        {
            "requirements.txt": "certifi @ file:///croot/certifi_1707229174982/work/certifi\n"
            "acme @ file:dist/acme-1.0-py3-none-any.whl\n",
        },
    )
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "acme-1.0-py3-none-any.whl").write_bytes(b"PK")
    draft = Draft("requirements", root=tmp_path)
    read_requirements_file(tmp_path / "requirements.txt", draft, root=tmp_path)
    assert draft.get(("python", "wheels")) == ["dist/acme-1.0-py3-none-any.whl"]
    (note,) = draft.notes
    assert note.code == "SPC711" and "certifi==<version>" in (note.hint or "")


def test_an_entry_the_loader_refuses_takes_its_secrets_along(tmp_path: Path) -> None:
    """pip expands ${VAR} anywhere; the spec only in credentials.  An index URL with one in its
    host or path is refused by the loader (SPC706) — and the secret declared for its credential
    stayed under [secrets], with an SPC704 asking to create it."""
    write(
        tmp_path,
        {
            "requirements.txt": "--extra-index-url https://tok3ntok3ntok3nX@${PIP_HOST}/simple\n"
            "--extra-index-url https://${PIP_TOKEN}@pkgs.example.com/simple\nnumpy==1.26.4\n"
        },
    )
    r = run_cli("import", str(tmp_path / "requirements.txt"), "--python", "3.11", "--format", "json")
    assert r.code == 0, r.out
    data = tomllib.loads((tmp_path / "model-env.toml").read_text())
    assert set(data["secrets"]) == {"PIP_TOKEN"}
    assert data["python"]["extra-index-urls"] == ["https://${PIP_TOKEN}@pkgs.example.com/simple"]
    codes_at = {(d["code"], d["line"]) for d in json.loads(r.out)["diagnostics"]}
    assert ("SPC706", 1) in codes_at and ("SPC704", 1) not in codes_at and ("SPC704", 2) in codes_at


@pytest.mark.parametrize(
    ("key", "credential"),
    [("token", True), ("access_token", True), ("api_key", True), ("apiKey", True), ("sig", True),
     ("X-Amz-Signature", True), ("X-Amz-Credential", True), ("X-Amz-Security-Token", True),
     ("X-Goog-Signature", True), ("X-Goog-Credential", True), ("password", True),
     ("X-Amz-SignedHeaders", False), ("sv", False), ("se", False), ("keyring", False), ("monkey", False),
     ("X-Amz-Expires", False), ("design", False)],
)  # fmt: skip
def test_credential_query_keys_by_word(key: str, credential: bool) -> None:
    from specc.importers.requirements import credential_query_key

    assert credential_query_key(key) is credential


def test_signed_storage_urls(tmp_path: Path) -> None:
    """Presigned wheel URLs (S3, GCS, Azure SAS): signatures and credentials become secrets, other
    query keys stay; a URL not carried (the AKIA key id would remain literal, or the loader
    refuses it) leaves no secret declared and no canary anywhere."""
    s3 = (
        "acme @ https://b.s3.amazonaws.com/acme-1.0-py3-none-any.whl?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIACANARYAMZ1234567%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Expires=3600"
        "&X-Amz-Signature=CANARYSIGabcdef0123456789abcdef0123456789abcdef0123456789abcdef01"
    )
    gcs = (
        "https://storage.googleapis.com/bkt/ccme-1.0-py3-none-any.whl?X-Goog-Algorithm=GOOG4-RSA-SHA256"
        "&X-Goog-Credential=svc%40proj.iam.gserviceaccount.com%2F20240101&X-Goog-Signature=CANARYGOOGSIG0123456789abcdef"
    )
    azure = "bcme @ https://acct.blob.core.windows.net/w/bcme-1.0-py3-none-any.whl?sv=2022-11-02&sp=r&sig=CANARYAZSIG%2Fabc%3D"
    write(tmp_path, {"requirements.txt": "\n".join([s3, gcs, azure]) + "\n"})
    r = run_cli("import", str(tmp_path / "requirements.txt"), "--python", "3.11", "--format", "json")
    assert r.code == 0, r.out
    text = (tmp_path / "model-env.toml").read_text()
    assert "CANARY" not in text + r.out and "AKIA" not in text + r.out
    data = tomllib.loads(text)
    assert any(
        q.startswith("ccme @ ") and "X-Goog-Algorithm=GOOG4-RSA-SHA256" in q for q in data["python"]["requirements"]
    )
    assert any("sv=2022-11-02&sp=r&sig=${" in q for q in data["python"]["requirements"])
    used = set(re.findall(r"\$\{([A-Z0-9_]+)\}", text))
    assert set(data["secrets"]) == used  # no secret is declared for a URL that is not carried
