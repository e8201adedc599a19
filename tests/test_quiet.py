"""A quiet happy path: a correct spec prints nothing to worry about.

The runtime checks (SPC213/214/215/216) are the Databricks target's: `validate` and the
Databricks render report them, `compile` and the Docker render do not; `runtime.overrides`
acknowledges an intended replacement; `validate -q` prints errors only; every bundled
example passes `--strict`, and so do the commands `make demo` runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES, REPO, example_names, run_cli

HEAD = 'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.11"\ndatabricks = "15.4-ml"\n'
# scikit-learn 1.5.2 replaces the 1.3.0 that 15.4 LTS ML preinstalls
REPLACING = (
    '[python]\nrequirements = ["scikit-learn==1.5.2"]\n'
    '[targets.databricks]\nlibraries-dir = "/Volumes/main/ml/specc"\n'
    'notebook-dir = "/Workspace/Users/me@example.com/specc"\n'
    '[targets.databricks.cluster]\nnode-type = "i3.xlarge"\n'
)


def _project(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "model-env.toml").write_text(body, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", example_names())
def test_every_example_is_clean_under_strict(name: str) -> None:
    r = run_cli("validate", "--strict", str(EXAMPLES / name))
    assert (r.code, r.err) == (0, f"{EXAMPLES / name}: ok (0 errors, 0 warnings)\n")


def test_make_demo_runs_strict_and_prints_no_warning(tmp_path: Path) -> None:
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    variables = dict(re.findall(r"^(\w+) \?= (\S+)$", (REPO / "Makefile").read_text(encoding="utf-8"), re.M))
    variables["OUT"] = str(tmp_path / "demo")
    commands = [line.strip() for line in recipe.splitlines() if line.strip().startswith("$(BIN)/specc ")]
    assert len(commands) == 4
    for command in commands:
        argv = re.sub(r"\$\((\w+)\)", lambda m: variables[m.group(1)], command.removeprefix("$(BIN)/specc ")).split()
        assert "--strict" in argv
        r = run_cli(*argv, cwd=REPO)
        assert r.code == 0, (argv, r.err)
        assert "warning[" not in r.err and "error[" not in r.err, (argv, r.err)


def test_runtime_warnings_come_from_validate_and_the_databricks_render_only(tmp_path: Path) -> None:
    folder = _project(tmp_path, HEAD + REPLACING + "[targets.docker]\nstandalone = true\n")
    assert "warning[SPC215] python.requirements[0]" in run_cli("validate", str(folder)).err
    databricks = run_cli("render", "--target", "databricks", str(folder), "--out", str(tmp_path / "d"))
    assert databricks.code == 0 and "warning[SPC215] python.requirements[0]" in databricks.err
    for argv in (
        ("compile", str(folder), "--out", str(tmp_path / "m")),
        ("render", "--target", "docker", str(folder), "--out", str(tmp_path / "o")),
    ):
        r = run_cli(*argv)
        assert r.code == 0 and "SPC21" not in r.err and "warning[" not in r.err, (argv, r.err)
    # --strict: the same warning is an error of validate and the Databricks render only
    assert run_cli("validate", "--strict", str(folder)).code == 1
    assert run_cli("compile", "--strict", str(folder), "--out", str(tmp_path / "m2")).code == 0


def test_an_acknowledged_override_passes_strict_and_changes_no_hash(tmp_path: Path) -> None:
    import specc

    plain = _project(tmp_path, HEAD + REPLACING)
    acked = tmp_path / "acked"
    acked.mkdir()
    (acked / "model-env.toml").write_text(HEAD + 'overrides = ["Scikit_Learn"]\n' + REPLACING, encoding="utf-8")
    r = run_cli("validate", "--strict", str(acked))
    assert (r.code, r.err) == (0, f"{acked}: ok (0 errors, 0 warnings)\n")
    spec = specc.load(acked / "model-env.toml")
    assert spec.runtime.overrides == ("scikit-learn",)
    # an acknowledgement installs nothing: the dependency hashes are those of the plain spec
    assert spec.hashes == specc.load(plain / "model-env.toml").hashes
    rendered = run_cli("render", "--strict", "--target", "databricks", str(acked), "--out", str(tmp_path / "d"))
    assert rendered.code == 0 and "warning[" not in rendered.err


def test_an_acknowledgement_of_nothing_warns(tmp_path: Path) -> None:
    """A package the runtime does not have: validate says so.  A preinstalled one no requirement
    names (numpy) may be replaced by a dependency's needs: only `specc lock` can tell
    (tests/test_lock_overrides.py), so validate is silent about it."""
    folder = _project(tmp_path, HEAD + 'overrides = ["specc-not-on-any-runtime"]\n' + REPLACING)
    err = run_cli("validate", str(folder)).err
    assert "warning[SPC216] runtime.overrides[0]" in err and "does not preinstall" in err and "warning[SPC215]" in err
    (tmp_path / "np").mkdir()
    folder = _project(tmp_path / "np", HEAD + 'overrides = ["numpy"]\n' + REPLACING)
    assert "SPC216" not in run_cli("validate", str(folder)).err


def test_quiet_prints_errors_only(tmp_path: Path) -> None:
    warns = _project(
        tmp_path,
        HEAD
        + '[python]\nrequirements = ["pandas"]\n[targets.databricks]\nlibraries-dir = "/Volumes/a/b/c"\n'
        + 'notebook-dir = "/Workspace/a"\n',
    )
    loud = run_cli("validate", str(warns))
    assert loud.code == 0 and "warning[SPC202]" in loud.err
    quiet = run_cli("validate", "-q", str(warns))
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")
    both = tmp_path / "both"
    both.mkdir()
    (both / "model-env.toml").write_text(
        HEAD
        + '[python]\nrequirements = ["pandas", "numpy>=1,<"]\n[targets.databricks]\nlibraries-dir = "/Volumes/a/b/c"\n'
        + 'notebook-dir = "/Workspace/a"\n',
        encoding="utf-8",
    )
    r = run_cli("validate", "-q", str(both))
    assert r.code == 1
    assert "error[SPC103]" in r.err and "warning[" not in r.err
    assert r.err.endswith(f"{both}: invalid (1 error, 2 warnings)\n")


def test_the_two_hints_agree() -> None:
    """SPC202 and SPC215 both say: keep the version you trained with, and name the command."""
    from specc.compat import check_runtime_compat
    from specc.requirements import parse_requirement_string
    from specc.runtimes import get_runtime
    from specc.validate.python import _PIN_HINT

    info = get_runtime("15.4.x-cpu-ml-scala2.12")
    assert info is not None
    req = parse_requirement_string("scikit-learn==1.5.2")
    (d,) = check_runtime_compat(info, [(("python", "requirements", 0), req)])
    assert d.hint is not None
    for hint in (d.hint, _PIN_HINT):
        assert "trained with" in hint and "`specc pin --from-env`" in hint
    assert 'runtime.overrides = ["scikit-learn"]' in d.hint
