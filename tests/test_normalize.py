"""Normalization and semantic rules: the canonical EnvSpec every target consumes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from specc.api import SpecError, check, check_text, load
from tests.helpers import EXAMPLES, example_names
from tests.toml_writer import dumps

BASE = 'spec-version = 1\n[runtime]\npython = "3.11"\n'


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


@pytest.mark.parametrize("name", example_names())
def test_every_example_is_valid(name: str) -> None:
    result = check(EXAMPLES / name / "model-env.toml")
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert not errors, errors
    assert result.spec is not None


def test_defaults_are_filled(tmp_path: Path) -> None:
    d = tmp_path / "Churn Model"
    d.mkdir()
    (d / "model-env.toml").write_text(BASE)
    spec = load(d / "model-env.toml")
    data = spec.to_dict()
    assert data["model"] == {"name": "churn-model"}
    assert data["mlflow"] == {"pip": "exact"}
    assert data["targets"]["docker"] == {"port": 8080, "serve": False}  # standalone = false is left out (exclude_if)
    assert data["targets"]["databricks"]["cluster"] == {"data-security-mode": "SINGLE_USER", "workers": 1}
    assert set(data["hashes"]) == {"dependencies", "runtime", "python", "apt", "maven", "r", "code", "artifacts"}


def test_canonical_names_sorting_dedup(tmp_path: Path) -> None:
    text = BASE + (
        '[python]\nrequirements = ["Scikit_Learn==1.5.2", "numpy==2.4.6", { name = "NumPy", version = "2.4.6" }]\n'
        'constraints = ["urllib3<3", "Idna<4"]\n'
        '[apt]\npackages = ["zlib1g", "libgomp1", "zlib1g"]\n'
        '[maven]\npackages = ["org.b:b:1", "org.a:a:2"]\n'
        '[r]\npackages = ["zoo", { name = "forecast", version = "8.23.0" }]\n'
        '[env]\nZ = "1"\nA = "2"\n'
        "[secrets.TOKEN]\n"
    )
    spec = check_text(text, base_dir=tmp_path).spec
    assert spec is not None
    assert [r.line for r in spec.python.requirements] == ["numpy==2.4.6", "scikit-learn==1.5.2"]
    assert [r.line for r in spec.python.constraints] == ["idna<4", "urllib3<3"]
    assert [p.name for p in spec.apt.packages] == ["libgomp1", "zlib1g"]
    assert [p.coordinates for p in spec.maven.packages] == ["org.a:a:2", "org.b:b:1"]
    assert [p.name for p in spec.r.packages] == ["forecast", "zoo"]
    assert list(spec.env) == ["A", "Z"]
    assert spec.secrets["TOKEN"].docker == "token"


def test_normalized_form_is_a_fixed_point() -> None:
    for name in example_names():
        spec_path = EXAMPLES / name / "model-env.toml"
        first = load(spec_path)
        again = check_text(dumps(first.to_dict(with_hashes=False)), base_dir=spec_path.parent)
        assert again.spec is not None, again.diagnostics
        assert again.spec.to_dict() == first.to_dict(), name


def test_dependency_hash_ignores_code_and_artifacts(tmp_path: Path) -> None:
    src = EXAMPLES / "sklearn-basic"
    work = tmp_path / "proj"
    shutil.copytree(src, work)
    before = load(work / "model-env.toml").hashes
    code_file = next((work / "src").rglob("*.py"))
    code_file.write_text(code_file.read_text() + "\n# edited\n")
    (work / "data" / "labels.json").write_text('["changed"]')
    after = load(work / "model-env.toml").hashes
    assert after.dependencies == before.dependencies
    assert after.python == before.python
    assert after.code != before.code
    assert after.artifacts != before.artifacts


def test_wheel_content_changes_the_python_hash(tmp_path: Path) -> None:
    work = tmp_path / "proj"
    shutil.copytree(EXAMPLES / "private-index", work)
    before = load(work / "model-env.toml").hashes
    wheel = next((work / "dist").glob("*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    after = load(work / "model-env.toml").hashes
    assert after.python != before.python
    assert after.dependencies != before.dependencies
    assert after.apt == before.apt


def test_hashes_do_not_depend_on_the_checkout_location(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b" / "deeper"
    shutil.copytree(EXAMPLES / "kitchen-sink", a)
    shutil.copytree(EXAMPLES / "kitchen-sink", b)
    assert load(a / "model-env.toml").to_json() == load(b / "model-env.toml").to_json()


def test_requirement_files_are_merged(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("pandas==3.1.1\n-c constraints.txt\n")
    (tmp_path / "constraints.txt").write_text("numpy<3\n")
    spec = check_text(BASE + '[python]\nrequirements-files = ["requirements.txt"]\n', base_dir=tmp_path).spec
    assert spec is not None
    assert [r.line for r in spec.python.requirements] == ["pandas==3.1.1"]
    assert [r.line for r in spec.python.constraints] == ["numpy<3"]
    assert [f.path for f in spec.python.requirements_files] == ["requirements.txt"]


def test_placeholders_for_declared_secrets_are_accepted(tmp_path: Path) -> None:
    text = BASE + (
        '[python]\nextra-index-urls = ["https://${U}:${T}@pkgs.example.com/simple"]\n[secrets.U]\n[secrets.T]\n'
    )
    result = check_text(text, base_dir=tmp_path)
    assert result.ok, result.diagnostics


def test_secret_value_never_appears_in_diagnostics(tmp_path: Path) -> None:
    text = BASE + '[python]\nindex-url = "https://deploy:canary-s3cr3t-value@pkgs.example.com/simple"\n'
    result = check_text(text, base_dir=tmp_path)
    from specc.diagnostics import render_json, render_text

    assert "canary-s3cr3t-value" not in render_text(result.diagnostics, result.sources)
    assert "canary-s3cr3t-value" not in render_json(result.diagnostics)


def test_databricks_runtime_short_forms_normalize_to_keys(tmp_path: Path) -> None:
    libdir = '[targets.databricks]\nlibraries-dir = "/Volumes/ml/default/libs"\n'  # required (SPC359)
    spec = check_text(BASE + 'databricks = "15.4 LTS ML"\n' + libdir, base_dir=tmp_path).spec
    assert spec is not None and spec.runtime.databricks == "15.4.x-cpu-ml-scala2.12"
    spec = check_text(BASE + 'databricks = "15.4-ml"\ncuda = "12.4"\n' + libdir, base_dir=tmp_path).spec
    assert spec is not None and spec.runtime.databricks == "15.4.x-gpu-ml-scala2.12"


def test_init_script_defaults_under_libraries_dir(tmp_path: Path) -> None:
    text = 'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.11"\n' + (
        '[targets.databricks]\nlibraries-dir = "/Volumes/ml/default/libs/"\n'
    )
    spec = check_text(text, base_dir=tmp_path).spec
    assert spec is not None
    assert spec.targets.databricks.init_script == "/Volumes/ml/default/libs/init/m.sh"


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = BASE + '[python]\nrequirements = ["a=1", "b==1", "b==2"]\n[apt]\npackages = ["Bad"]\n[bogus]\n'
    result = check_text(text, base_dir=tmp_path)
    assert sorted(codes(result)) == ["SPC101", "SPC103", "SPC109", "SPC201"]


def test_load_raises_with_every_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "model-env.toml").write_text(BASE + '[apt]\npackages = ["Bad", "Worse!"]\n')
    with pytest.raises(SpecError) as e:
        load(tmp_path / "model-env.toml")
    assert [d.code for d in e.value.diagnostics] == ["SPC109", "SPC109"]
    assert "model-env.toml:5:" in str(e.value)


def test_strict_load_fails_on_warnings(tmp_path: Path) -> None:
    (tmp_path / "model-env.toml").write_text(BASE + '[python]\nrequirements = ["pandas"]\n')
    load(tmp_path / "model-env.toml")
    with pytest.raises(SpecError):
        load(tmp_path / "model-env.toml", strict=True)


def test_to_json_is_sorted_and_stable() -> None:
    spec = load(EXAMPLES / "kitchen-sink" / "model-env.toml")
    text = spec.to_json()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
