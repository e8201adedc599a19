"""specc.diagnostics: constructors, rendering, the one JSON report (and its schema), masking of credentials."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from specc.diagnostics import Diagnostic, Span, format_path, redact, render_json, render_text
from tests.helpers import EXAMPLES, REPO, run_cli

REPORT_SCHEMA = json.loads((REPO / "schemas" / "specc-diagnostics.schema.json").read_text(encoding="utf-8"))


def test_format_path() -> None:
    assert format_path(("python", "requirements", 2)) == "python.requirements[2]"
    assert format_path(("artifacts", "my vocab")) == 'artifacts."my vocab"'
    assert format_path(()) == ""


def test_render_text_has_location_caret_and_hint() -> None:
    src = 'spec-version = 1\nx = "abc"\n'
    d = Diagnostic.error("SPC999", message="bad", path=("x",), hint="fix it", file="m.toml", span=Span(2, 5, 2, 10))
    text = render_text([d], {"m.toml": src})
    assert text.splitlines() == [
        "m.toml:2:5: error[SPC999] x: bad",
        "  |",
        '2 | x = "abc"',
        "  |     ^^^^^",
        "  = hint: fix it",
    ]


def test_redact_masks_literal_credentials_but_keeps_placeholders() -> None:
    assert redact("https://bob:hunter2@h/simple") == "https://***:*******@h/simple"
    assert redact("https://tok@h/simple") == "https://***@h/simple"
    assert redact("https://${USER}:${TOKEN}@h/simple") == "https://${USER}:${TOKEN}@h/simple"
    assert redact("https://h/simple?token=abc&x=1") == "https://h/simple?token=***&x=1"
    assert redact("https://h/simple?token=${T}") == "https://h/simple?token=${T}"


@given(
    st.text(alphabet=st.characters(blacklist_characters="@/:\"' \n\t\r?&#;", blacklist_categories=("Cs",)), min_size=4),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", min_size=4),
)
def test_redact_never_leaks_a_password(secret: str, token: str) -> None:
    masked = redact(f'x = "https://${{USER}}:{secret}@host/simple"')
    assert masked == f'x = "https://${{USER}}:{"*" * len(secret)}@host/simple"'
    assert token not in redact(f"https://h/simple?token={token}")


def test_json_rendering_masks_and_counts() -> None:
    d = Diagnostic.error(
        "SPC401", message="bad url https://a:b@h", path=("python", "index-url"), file="m.toml", span=Span(1, 1, 1, 2)
    )
    w = Diagnostic.warning("SPC202", message="unpinned", path=("python", "requirements", 0))
    payload = json.loads(render_json([d, w]))
    assert payload["errors"] == 1 and payload["warnings"] == 1
    assert payload["diagnostics"][0]["message"] == "bad url https://*:*@h"
    assert payload["diagnostics"][0]["path"] == "python.index-url"
    assert payload["diagnostics"][1]["line"] is None
    assert payload["diagnostics"][0]["name"] == "literal-credential"
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(payload)


# --- constructors ----------------------------------------------------------------------------


def test_keyword_constructors() -> None:
    d = Diagnostic.error("SPC103", message="bad", path=["python", "requirements", 2], hint="h")
    assert d == Diagnostic(code="SPC103", severity="error", message="bad", path=("python", "requirements", 2), hint="h")
    assert d.path == ("python", "requirements", 2) and d.name == "invalid-requirement"
    assert Diagnostic.warning("SPC202", message="m").severity == "warning"
    # create: the registered default severity unless told
    assert Diagnostic.create("SPC202", message="m").severity == "warning"
    assert Diagnostic.create("SPC404", message="m").severity == "error"
    assert Diagnostic.create("SPC404", message="m", severity="warning").severity == "warning"
    with pytest.raises(KeyError):
        Diagnostic.create("SPC999", message="an unregistered code needs an explicit severity")
    with pytest.raises(TypeError):
        Diagnostic.error("SPC103", "positional message")  # type: ignore[misc]
    with pytest.raises(TypeError):  # the fields are keyword-only too
        Diagnostic("SPC103", "error", "positional message")  # type: ignore[misc]


# --- the one JSON report ---------------------------------------------------------------------


def test_report_extra_keys() -> None:
    d = Diagnostic.error("SPC551", message="m", expected="a==1", actual="2", file="model-env.toml")
    check = {"spec": "model-env.toml", "against": "env", "lock": None, "drift": True}
    payload = json.loads(render_json([d], extra={"check": check}))
    assert payload["check"] == check and payload["diagnostics"][0]["expected"] == "a==1"
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(payload)
    with pytest.raises(ValueError):
        render_json([d], extra={"errors": 0})


def test_the_schema_rejects_what_is_not_a_report() -> None:
    validator = jsonschema.Draft202012Validator(REPORT_SCHEMA)
    good = json.loads(render_json([Diagnostic.error("SPC103", message="m")]))
    validator.validate(good)
    for broken in (
        {**good, "findings": []},  # an unknown top-level key
        {**good, "diagnostics": [{**good["diagnostics"][0], "kind": "requirement"}]},
        {**good, "diagnostics": [{k: v for k, v in good["diagnostics"][0].items() if k != "name"}]},
        {**good, "diagnostics": [{**good["diagnostics"][0], "code": "E103"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(broken)


def _report(text: str) -> dict[str, Any]:
    payload = json.loads(text)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(payload)
    return payload


BAD = 'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["numpy>=1.2,<", "pandas"]\n'


def test_validate_json_is_a_report(tmp_path: Path) -> None:
    (tmp_path / "model-env.toml").write_text(BAD, encoding="utf-8")
    r = run_cli("validate", "--format", "json", cwd=tmp_path)
    report = _report(r.out)
    assert r.code == 1 and (report["errors"], report["warnings"]) == (1, 1)
    assert [d["name"] for d in report["diagnostics"]] == ["invalid-requirement", "unpinned-requirement"]
    good = _report(run_cli("validate", str(EXAMPLES / "sklearn-basic"), "--normalized", "--format", "json").out)
    assert good["spec"]["model"]["name"]
    both = run_cli("validate", str(tmp_path), str(EXAMPLES / "sklearn-basic"), "--format", "json")
    assert _report(both.out)["errors"] == 1
    # several specs: each one's verdict, in the order given (a valid one has no diagnostic to show it)
    assert _report(both.out)["files"] == [
        {"file": str(tmp_path), "valid": False, "errors": 1, "warnings": 1},
        {"file": str(EXAMPLES / "sklearn-basic"), "valid": True, "errors": 0, "warnings": 0},
    ]
    strict = _report(run_cli("validate", str(tmp_path), str(tmp_path), "--strict", "--format", "json").out)
    assert [f["valid"] for f in strict["files"]] == [False, False] and strict["files"][0]["warnings"] == 0


def test_render_json_is_a_report(tmp_path: Path) -> None:
    r = run_cli(
        "render",
        "--target",
        "docker",
        str(EXAMPLES / "sklearn-basic"),
        "--out",
        str(tmp_path / "out"),
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    assert _report(r.out)["errors"] == 0
    (tmp_path / "model-env.toml").write_text(BAD, encoding="utf-8")
    r = run_cli("render", "--target", "docker", str(tmp_path), "--out", str(tmp_path / "out2"), "--format", "json")
    assert r.code == 1 and _report(r.out)["errors"] == 1


def test_compile_json_is_a_report_when_it_fails(tmp_path: Path) -> None:
    (tmp_path / "model-env.toml").write_text(BAD, encoding="utf-8")
    r = run_cli("compile", str(tmp_path), "--format", "json")
    assert r.code == 1 and _report(r.out)["errors"] == 1
    # valid, but the mlflow target rejects it (a code path named like specc's bundle): the same
    # report on stdout, with validation's warning beside the target's error; no kwargs
    (tmp_path / "specc-environment").mkdir()
    (tmp_path / "specc-environment" / "x.py").write_text("", encoding="utf-8")
    (tmp_path / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["pandas"]\n'
        '[code]\npaths = ["specc-environment"]\n',
        encoding="utf-8",
    )
    r = run_cli("compile", str(tmp_path), "--format", "json")
    report = _report(r.out)
    assert r.code == 1 and (report["errors"], report["warnings"]) == (1, 1)
    assert [d["code"] for d in report["diagnostics"]] == ["SPC202", "SPC310"]
    assert "nothing written" in r.err and "SPC310" not in r.err


def test_check_json_is_a_report(tmp_path: Path) -> None:
    spec = tmp_path / "model-env.toml"
    spec.write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["specc-no-such-pkg==1.0"]\n',
        encoding="utf-8",
    )
    r = run_cli("check", str(spec), "--env", "--format", "json")
    report = _report(r.out)
    assert r.code == 1 and report["check"]["drift"] is True
    assert report["diagnostics"][0]["name"] == "not-installed"
    # an invalid spec: the same report, no comparison made
    spec.write_text(BAD, encoding="utf-8")
    r = run_cli("check", str(spec), "--env", "--format", "json")
    assert r.code == 1 and "check" not in _report(r.out)


def test_render_text_splits_each_source_once() -> None:
    """Found with a 5,000-package import: every diagnostic re-split its file (quadratic, ~10 s)."""
    from specc.diagnostics import Span, render_text

    calls = []

    class Counting(str):
        def splitlines(self, keepends: bool = False) -> list[str]:
            calls.append(1)
            return str.splitlines(self, keepends)

    source = Counting("\n".join(f"pkg{i}==1.0" for i in range(200)))
    diags = [
        Diagnostic.warning(
            "SPC202", message="m", file="requirements.txt", span=Span(line=i + 1, col=1, end_line=i + 1, end_col=5)
        )
        for i in range(200)
    ]
    text = render_text(diags, {"requirements.txt": source})
    assert calls == [1]
    assert "200 | pkg199==1.0" in text and "1 | pkg0==1.0" in text
