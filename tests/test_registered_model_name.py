"""--model-name / --model-version name a registered model: checked before anything is rendered (SPC360, SPC342)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specc.backends.databricks_serving import diagnostics_for_options, model_name_problems
from tests.helpers import run_cli

SPEC = """spec-version = 1
[model]
name = "m"
[runtime]
python = "3.11"
databricks = "15.4-ml"
[targets.databricks]
libraries-dir = "/Volumes/a/b/c"
[targets.databricks.cluster]
node-type = "i3.xlarge"
"""


@pytest.mark.parametrize(
    "name",
    ["main.ml.churn", "churn", "Churn Model", "prod-cat.ml_models.churn-v2", "main.ml." + "x" * 255],
)
def test_good_names(name: str) -> None:
    assert model_name_problems(name) == []


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("main.my model.churn", "schema name contains a space"),
        ("main..churn", "empty schema name"),
        (".ml.churn", "empty catalog name"),
        ("main.ml.", "empty model name"),
        ("a/b", "'/' or ':'"),
        ("models:/x", "'/' or ':'"),
        ("main.ml.ch\x01urn", "the model name contains the character '\\x01'"),
        ("main.ml." + "x" * 256, "longer than 255"),
        ("   ", "is empty"),
        ("tab\tname", "control character"),
    ],
)
def test_bad_names_are_errors(name: str, words: str) -> None:
    found = model_name_problems(name)
    assert found and found[0][0] == "error", found
    assert words in found[0][1]


@pytest.mark.parametrize("name", ["main.ml", "a.b.c.d"])
def test_dotted_names_of_other_lengths_warn(name: str) -> None:
    assert [p[0] for p in model_name_problems(name)] == ["warning"]


@given(st.text(max_size=40))
def test_any_text_gets_an_answer_and_never_raises(name: str) -> None:
    for severity, message, hint in model_name_problems(name):
        assert severity in ("error", "warning") and message and hint


@pytest.mark.parametrize("version", ["0", "latest", "-1", "1.0", "champion"])
def test_bad_versions(version: str) -> None:
    assert [d.code for d in diagnostics_for_options(None, version)] == ["SPC342"]


def _render(tmp_path: Path, *flags: str) -> tuple[int, str, Path]:
    (tmp_path / "model-env.toml").write_text(SPEC, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("render", "--target", "databricks", "--out", str(out), *flags, cwd=tmp_path)
    return result.code, result.err, out


def test_a_bad_uc_name_is_a_diagnostic_before_rendering(tmp_path: Path) -> None:
    code, err, out = _render(tmp_path, "--model-name", "main.my model.churn")
    assert code == 1
    assert "error[SPC360]" in err and "schema name contains a space" in err
    assert not out.exists()


def test_a_bad_version_without_serving_is_refused_too(tmp_path: Path) -> None:
    """The batch job scores models:/<name>/<version>: the version matters without a serving section."""
    code, err, out = _render(tmp_path, "--model-version", "latest")
    assert code == 1 and "error[SPC342]" in err
    assert not out.exists()


def test_a_good_uc_name_renders_into_the_job(tmp_path: Path) -> None:
    code, err, out = _render(tmp_path, "--model-name", "main.ml.churn", "--model-version", "3")
    assert code == 0, err
    assert "models:/main.ml.churn/3" in (out / "job.json").read_text(encoding="utf-8")
