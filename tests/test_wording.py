"""Wording fixes that are easy to regress: slugs of non-ASCII folder names, SPC513/SPC603 text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specc.spec import MODEL_NAME, slug


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("Churn Model", "churn-model"),
        ("Modèle Prévision", "modele-prevision"),
        ("Straße", "strasse"),
        ("Données_2024", "donnees_2024"),
        ("Ærø", "aero"),
        ("模型", "model"),
        ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
    ],
)
def test_slug_keeps_the_letters_of_accented_names(folder: str, expected: str) -> None:
    assert slug(folder) == expected


@given(st.text(max_size=40))
def test_slug_is_always_a_valid_model_name(name: str) -> None:
    assert MODEL_NAME.matches(slug(name))


def test_a_changed_single_file_artifact_has_one_pair_of_parentheses(tmp_path: Path) -> None:
    from specc.drift import _compare_tree

    a, b = tmp_path / "spec" / "lookup.csv", tmp_path / "model" / "lookup.csv"
    a.parent.mkdir()
    b.parent.mkdir()
    a.write_text("x\n", encoding="utf-8")
    b.write_text("y\n", encoding="utf-8")
    (d,) = _compare_tree(
        a, b, "artifacts.lookup (data/lookup.csv)", ("SPC512", "SPC513"), path=("artifacts", "lookup"), file="m"
    )
    assert d.code == "SPC513"
    assert d.message == "artifacts.lookup (data/lookup.csv) differs from the model's copy (changed: lookup.csv)"


@pytest.mark.parametrize(("names", "pronoun"), [(["PYPI_TOKEN"], "it"), (["PYPI_TOKEN", "PYPI_USER"], "them")])
def test_spc603_pronoun_agrees(names: list[str], pronoun: str) -> None:
    from specc.api import check_text
    from specc.lock import LockFailed, uv_env

    userinfo = ":".join(f"${{{n}}}" for n in names)
    secrets = "".join(f'[secrets.{n}]\ndatabricks = "s/{n.lower()}"\n' for n in names)
    spec = check_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\n'
        f'index-url = "https://{userinfo}@pypi.example.com/simple"\n' + secrets
    ).spec
    assert spec is not None
    with pytest.raises(LockFailed) as exc:
        uv_env(spec, {})
    (d,) = exc.value.diagnostics
    assert d.code == "SPC603" and d.message.endswith(f"does not set {pronoun}"), d.message
