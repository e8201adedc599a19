"""Runtime compatibility checks (specc.compat), on the real runtime manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from specc.api import check_text
from specc.compat import check_runtime_compat
from specc.runtimes import get_runtime
from specc.spec import MavenPkg, Req


def _spec(tmp_path: Path, runtime: str, python: str = "3.11", body: str = "") -> list[tuple[str, str, str, str]]:
    text = f'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "{python}"\ndatabricks = "{runtime}"\n{body}'
    result = check_text(text, base_dir=tmp_path)
    return [(d.code, d.severity, d.path_str, d.message) for d in result.diagnostics]


def _codes(diags: list[tuple[str, str, str, str]]) -> list[str]:
    return [d[0] for d in diags]


# --- Python version (SPC212, checked by validation) -------------------------------------------


def test_python_matches_15_4_ml(tmp_path: Path) -> None:
    assert "SPC212" not in _codes(_spec(tmp_path, "15.4-ml", "3.11"))


def test_python_mismatch_16_4_ml_is_an_error(tmp_path: Path) -> None:
    diags = _spec(tmp_path, "16.4-ml", "3.11")
    hit = [d for d in diags if d[0] == "SPC212"]
    assert hit and hit[0][1] == "error" and hit[0][2] == "runtime.python"
    assert "3.12" in hit[0][3]


# --- Scala suffix (SPC214) ----------------------------------------------------------------------

SPARK_NLP_212 = '[maven]\npackages = ["com.johnsnowlabs.nlp:spark-nlp_2.12:5.3.3"]\n'


def test_scala_212_artifact_on_15_4_ml_is_fine(tmp_path: Path) -> None:
    assert "SPC214" not in _codes(_spec(tmp_path, "15.4-ml", body=SPARK_NLP_212))


def test_scala_212_artifact_on_17_3_ml_is_an_error(tmp_path: Path) -> None:
    diags = _spec(tmp_path, "17.3-ml", "3.12", body=SPARK_NLP_212)
    hit = [d for d in diags if d[0] == "SPC214"]
    assert len(hit) == 1
    _code, severity, path, message = hit[0]
    assert severity == "error" and path == "maven.packages[0]"
    assert "2.12" in message and "2.13" in message and "17.3.x-cpu-ml-scala2.13" in message


def test_scala_213_artifact_on_16_4_ml_is_an_error_table_form(tmp_path: Path) -> None:
    body = '[maven]\npackages = [{ coordinates = "org.example:lib_2.13:1.0" }]\n'
    diags = _spec(tmp_path, "16.4-ml", "3.12", body=body)
    hit = [d for d in diags if d[0] == "SPC214"]
    assert [(h[1], h[2]) for h in hit] == [("error", "maven.packages[0].coordinates")]


def test_plain_java_artifact_is_never_flagged() -> None:
    info = get_runtime("17.3.x-cpu-ml-scala2.13")
    assert info is not None
    pkg = MavenPkg(coordinates="org.xerial:sqlite-jdbc:3.45.1.0")
    assert check_runtime_compat(info, (), [(("maven", "packages", 0), pkg)]) == []


# --- preinstalled packages (SPC215) ---------------------------------------------------------------


def test_pin_differing_from_preinstalled_warns_with_both_versions(tmp_path: Path) -> None:
    # 15.4 ML preinstalls scikit-learn 1.3.0, 16.4 ML 1.4.2 (from the manifests).
    body = '[python]\nrequirements = ["numpy==1.23.5", "scikit-learn==1.4.2"]\n'
    on_15 = [d for d in _spec(tmp_path, "15.4-ml", body=body) if d[0] == "SPC215"]
    assert [(d[1], d[2]) for d in on_15] == [("warning", "python.requirements[1]")]
    assert "1.4.2" in on_15[0][3] and "1.3.0" in on_15[0][3]
    on_16 = [d for d in _spec(tmp_path, "16.4-ml", "3.12", body=body) if d[0] == "SPC215"]
    # numpy 1.26.4 on 16.4 ML: now numpy is the override, scikit-learn matches.
    assert [(d[1], d[2]) for d in on_16] == [("warning", "python.requirements[0]")]
    assert "1.23.5" in on_16[0][3] and "1.26.4" in on_16[0][3]


def test_local_version_label_matches_like_pip() -> None:
    info = get_runtime("15.4.x-cpu-ml-scala2.12")
    assert info is not None and info.packages()["torch"] == "2.3.1+cpu"
    ok = Req(name="torch", specifier="==2.3.1")
    bad = Req(name="torch", specifier="==2.4.0")
    diags = check_runtime_compat(info, [(("python", "requirements", 0), ok), (("python", "requirements", 1), bad)])
    assert [(d.code, d.path) for d in diags] == [("SPC215", ("python", "requirements", 1))]
    assert "2.3.1+cpu" in diags[0].message and "torch==2.4.0" in diags[0].message


def test_range_excluding_the_preinstalled_version_warns() -> None:
    info = get_runtime("16.4.x-cpu-ml-scala2.12")
    assert info is not None
    req = Req(name="pandas", specifier="<3,>=2.1")
    diags = check_runtime_compat(info, [(("python", "requirements", 0), req)])
    assert [d.code for d in diags] == ["SPC215"] and "1.5.3" in diags[0].message


@pytest.mark.parametrize("name", ["not-preinstalled-anywhere", "acme-tokenizer"])
def test_unknown_packages_are_not_flagged(name: str) -> None:
    info = get_runtime("15.4.x-cpu-ml-scala2.12")
    assert info is not None
    assert check_runtime_compat(info, [(("python", "requirements", 0), Req(name=name, specifier="==1.0"))]) == []
