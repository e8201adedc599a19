"""[mlflow] flavor is checked against the vendored list of MLflow flavors (SPC133)."""

from __future__ import annotations

import importlib.util

import pytest

from specc.api import check_text
from specc.validate.flavors import KNOWN, MLFLOW_2_ONLY, MLFLOW_3, suggestions


@pytest.mark.parametrize("name", sorted(MLFLOW_3 - {"python_function"}))
def test_each_listed_flavor_is_a_module_of_the_installed_mlflow(name: str) -> None:
    """The list's provenance, re-proved: mlflow.<name> exists and logs models."""
    assert importlib.util.find_spec(f"mlflow.{name}") is not None


def test_the_removed_flavors_are_gone_from_mlflow_3() -> None:
    import mlflow

    if int(mlflow.__version__.split(".")[0]) >= 3:
        for name in MLFLOW_2_ONLY:
            assert importlib.util.find_spec(f"mlflow.{name}") is None, name


@pytest.mark.parametrize(("typo", "meant"), [("sklaern", "sklearn"), ("pytroch", "pytorch"), ("xgbost", "xgboost")])
def test_typos_suggest_the_flavor(typo: str, meant: str) -> None:
    assert suggestions(typo)[0] == meant
    result = check_text(f'spec-version = 1\n[runtime]\npython = "3.11"\n[mlflow]\nflavor = "{typo}"\n')
    assert result.spec is None
    (d,) = result.diagnostics
    assert d.code == "SPC133" and f'"{meant}"' in (d.hint or "")


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_every_known_flavor_validates(name: str) -> None:
    result = check_text(f'spec-version = 1\n[runtime]\npython = "3.11"\n[mlflow]\nflavor = "{name}"\n')
    assert result.spec is not None and result.spec.mlflow.flavor == name


def test_check_refuses_an_unknown_flavor_flag() -> None:
    from tests.helpers import EXAMPLES, run_cli

    r = run_cli("check", str(EXAMPLES / "sklearn-basic"), "--model", "nowhere", "--flavor", "sklaern")
    assert r.code == 2
    assert "error[SPC133] --flavor 'sklaern' is no MLflow flavor (did you mean 'sklearn'?)" in r.err
