"""``specc pin --from-env``: golden before/after files, failures leave the file byte-identical, idempotence."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import pytest

from specc.pin import PinError, plan_pins
from tests.helpers import GOLDEN, assert_golden, run_cli

PIN = GOLDEN / "pin"
VERSIONS = {
    "scikit-learn": "1.9.1",
    "pandas": "3.1.1",
    "numpy": "2.4.6",
    "scipy": "1.17.1",
    "joblib": "1.5.2",
    "nltk": "3.9.1",
}


def _copy(tmp_path: Path, name: str) -> Path:
    for f in PIN.iterdir():
        if f.name.endswith(".txt"):
            shutil.copy(f, tmp_path / f.name)
    dest = tmp_path / "model-env.toml"
    shutil.copy(PIN / name, dest)
    return dest


@pytest.mark.parametrize("case", ["inline", "tables"])
def test_golden_before_after(case: str, tmp_path: Path) -> None:
    before = "before.toml" if case == "inline" else "tables-before.toml"
    after = "after.toml" if case == "inline" else "tables-after.toml"
    spec = _copy(tmp_path, before)
    plan = plan_pins(spec, VERSIONS)
    assert not plan.errors
    plan.write()
    assert_golden(PIN / after, spec.read_bytes())
    # idempotent: a second run changes nothing
    again = plan_pins(spec, VERSIONS)
    assert not again.changed
    assert all(i.status != "pinned" for i in again.items)


def test_statuses_of_the_inline_golden(tmp_path: Path) -> None:
    plan = plan_pins(_copy(tmp_path, "before.toml"), VERSIONS)
    status = {i.where: i.status for i in plan.items}
    assert status == {
        "python.requirements[0]": "pinned",
        "python.requirements[1]": "pinned",
        "python.requirements[2]": "pinned",
        "python.requirements[3]": "already-pinned",
        "python.requirements[4]": "skipped",
        "python.requirements[5]": "pinned",
        "python.requirements[6]": "pinned",
    }


def test_requirements_files_are_reported_not_rewritten(tmp_path: Path) -> None:
    spec = _copy(tmp_path, "tables-before.toml")
    txt = (tmp_path / "requirements-pin.txt").read_bytes()
    plan = plan_pins(spec, VERSIONS)
    files = [i for i in plan.items if i.status == "file"]
    assert [(i.where, i.after) for i in files] == [("requirements-pin.txt:2", "pandas==3.1.1")]
    assert "not rewritten" in files[0].message
    plan.write()
    assert (tmp_path / "requirements-pin.txt").read_bytes() == txt


def test_range_violated_by_installed_version_is_an_error(tmp_path: Path) -> None:
    spec = _copy(tmp_path, "before.toml")
    plan = plan_pins(spec, {**VERSIONS, "scikit-learn": "2.1.0"})
    [err] = plan.errors
    assert err.where == "python.requirements[0]"
    assert "scikit-learn 2.1.0 is installed, but the spec asks for scikit-learn<2,>=1.5" in err.message


def _spec(tmp_path: Path, reqs: list[str]) -> Path:
    body = ",\n".join(f"  {r!r}" if '"' in r else f'  "{r}"' for r in reqs)
    path = tmp_path / "model-env.toml"
    path.write_text(
        f'spec-version = 1\n\n[model]\nname = "m"  # hi\n\n[runtime]\npython = "3.11"\n\n'
        f"[python]\nrequirements = [\n{body},  # trailing\n]\n",
        encoding="utf-8",
    )
    return path


def test_cli_not_installed_fails_and_leaves_the_file_byte_identical(tmp_path: Path) -> None:
    spec = _spec(tmp_path, ["packaging>=20", "specc-no-such-package-xyz>=1"])
    before = spec.read_bytes()
    r = run_cli("pin", "--from-env", str(spec))
    assert r.code == 1
    assert "specc-no-such-package-xyz is not installed in this environment" in r.err
    assert "python.requirements[1]" in r.err
    assert "not changed" in r.err
    assert spec.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model-env.toml"]  # no temporary left over


def test_cli_out_of_range_fails_cleanly(tmp_path: Path) -> None:
    spec = _spec(tmp_path, ["pytest<1"])
    before = spec.read_bytes()
    r = run_cli("pin", "--from-env", str(spec))
    assert r.code == 1
    assert f"pytest {importlib.metadata.version('pytest')} is installed, but the spec asks for pytest<1" in r.err
    assert spec.read_bytes() == before


def test_cli_pins_from_this_environment_and_is_idempotent(tmp_path: Path) -> None:
    spec = _spec(tmp_path, ["packaging>=20", "PyYAML", "nltk==3.9.1"])
    r = run_cli("pin", "--from-env", str(tmp_path))
    assert r.code == 0, r.err
    text = spec.read_text(encoding="utf-8")
    assert f'"packaging=={importlib.metadata.version("packaging")}"' in text
    assert f'"PyYAML=={importlib.metadata.version("PyYAML")}"' in text
    assert '"nltk==3.9.1"' in text and "# hi" in text and "# trailing" in text
    first = spec.read_bytes()
    r2 = run_cli("pin", "--from-env", str(spec))
    assert r2.code == 0 and "already pinned" in r2.err
    assert spec.read_bytes() == first


def test_cli_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    spec = _spec(tmp_path, ["packaging>=20"])
    before = spec.read_bytes()
    r = run_cli("pin", "--from-env", "--dry-run", str(spec))
    assert r.code == 0
    assert '-  "packaging>=20",  # trailing' in r.out
    assert f'+  "packaging=={importlib.metadata.version("packaging")}",  # trailing' in r.out
    assert spec.read_bytes() == before


def test_cli_requires_from_env(tmp_path: Path) -> None:
    spec = _spec(tmp_path, ["packaging>=20"])
    assert run_cli("pin", str(spec)).code == 2


def test_cli_invalid_spec_is_not_touched(tmp_path: Path) -> None:
    spec = tmp_path / "model-env.toml"
    spec.write_text('spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["numpy>=1,<"]\n')
    before = spec.read_bytes()
    assert run_cli("pin", "--from-env", str(spec)).code == 1
    assert spec.read_bytes() == before


def test_bad_path_is_a_pin_error(tmp_path: Path) -> None:
    with pytest.raises(PinError):
        plan_pins(tmp_path / "nope.toml", {})


def test_crlf_and_bom_are_kept(tmp_path: Path) -> None:
    spec = tmp_path / "model-env.toml"
    text = 'spec-version = 1\r\n[model]\r\nname = "m"\r\n[runtime]\r\npython = "3.11"\r\n'
    text += '[[python.requirements]]\r\nname = "pandas"  # c\r\n'
    spec.write_bytes(b"\xef\xbb\xbf" + text.encode())
    plan = plan_pins(spec, VERSIONS)
    plan.write()
    assert spec.read_bytes() == b"\xef\xbb\xbf" + text.replace("# c\r\n", '# c\r\nversion = "3.1.1"\r\n').encode()


# --- requirements files, nested -r / -c (issue: pin skipped lines validate reports as SPC202) -----------


def _nested(tmp_path: Path) -> Path:
    """A spec whose requirements file includes a nested -r file (in a subfolder) and a -c file."""
    (tmp_path / "reqs").mkdir()
    (tmp_path / "requirements.txt").write_text(
        "-r reqs/base.txt\n-c constraints.txt\npackaging==24.0\n", encoding="utf-8"
    )
    (tmp_path / "reqs" / "base.txt").write_text("# shared with the training job\nPyYAML>=5  # yaml\n", encoding="utf-8")
    (tmp_path / "constraints.txt").write_text("pytest>=7\n", encoding="utf-8")
    spec = tmp_path / "model-env.toml"
    spec.write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["nltk==3.9.1"]\n'
        'requirements-files = ["requirements.txt"]\n',
        encoding="utf-8",
    )
    return spec


def test_unpinned_lines_of_nested_files_are_reported(tmp_path: Path) -> None:
    spec = _nested(tmp_path)
    yaml_v = importlib.metadata.version("PyYAML")
    # validate reports the same lines as ranges (SPC202)
    v = run_cli("validate", str(spec))
    assert "reqs/base.txt:2" in v.err and "constraints.txt" not in v.err, v.err
    plan = plan_pins(spec)
    files = {i.where: i.after for i in plan.unpinned_in_files}
    assert files == {"reqs/base.txt:2": f"PyYAML=={yaml_v}"}  # constraints stay ranges, as validate agrees
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.txt")}
    r = run_cli("pin", "--from-env", str(spec))
    assert r.code == 0
    assert f"reqs/base.txt:2: note: PyYAML: not rewritten: write `PyYAML=={yaml_v}` there" in r.err
    assert "every requirement is already pinned" not in r.err
    assert "1 line(s) of requirements files are not pinned" in r.err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.txt")} == before  # shared files untouched


def test_rewrite_files_pins_them_behind_the_flag(tmp_path: Path) -> None:
    spec = _nested(tmp_path)
    yaml_v = importlib.metadata.version("PyYAML")
    r = run_cli("pin", "--from-env", "--rewrite-files", str(spec))
    assert r.code == 0, r.err
    assert (tmp_path / "reqs" / "base.txt").read_text(encoding="utf-8") == (
        f"# shared with the training job\nPyYAML=={yaml_v}  # yaml\n"
    )
    assert "1 requirements-file line(s) pinned" in r.err
    assert (tmp_path / "constraints.txt").read_text(encoding="utf-8") == "pytest>=7\n"
    again = run_cli("pin", "--from-env", str(spec))
    assert again.code == 0 and "every requirement is already pinned" in again.err, again.err


def test_rewrite_files_says_what_happened_and_nothing_contrary(tmp_path: Path) -> None:
    """With --rewrite-files a line it pins is reported once, as pinned (no "not rewritten" note for
    it), under the path the notes use; what it cannot pin is named without advising the flag given."""
    spec = _nested(tmp_path)
    base = tmp_path / "reqs" / "base.txt"
    base.write_text(base.read_text(encoding="utf-8") + "specc-no-such-package-zz\n", encoding="utf-8")
    yaml_v = importlib.metadata.version("PyYAML")
    dry = run_cli("pin", "--from-env", "--rewrite-files", "--dry-run", str(spec))
    assert dry.code == 0, dry.err
    assert f"reqs/base.txt:2: note: PyYAML: would be rewritten to `PyYAML=={yaml_v}`" in dry.err
    assert "1 requirements-file line(s) would be rewritten" in dry.err
    r = run_cli("pin", "--from-env", "--rewrite-files", str(spec))
    assert r.code == 0, r.err
    assert "PyYAML: not rewritten" not in r.err and "would be" not in r.err
    assert f"pinned reqs/base.txt:2: PyYAML>=5 -> PyYAML=={yaml_v}" in r.err, r.err
    assert "wrote" not in r.err and "model-env.toml is unchanged" in r.err  # only a requirements file changed
    assert "specc-no-such-package-zz: not rewritten" in r.err  # cannot be pinned: said so
    assert "run again with --rewrite-files" not in r.err
    assert r.err.rstrip().endswith("1 line(s) of requirements files are not pinned (listed above): pin them there")
