"""The overhead work of ``specc lock`` (issue "Lock", item 7; docs/lock.md "Cost").

* the first ``uv pip compile`` starts before the spec is validated (:mod:`specc.lockahead`),
  and its result is used only when the validated spec makes exactly the predicted call;
* later resolutions of the same lock run ``--offline`` first and are kept only when every
  package in them was refreshed by this lock's online run.

Real uv runs (through uv's shared cache), no stand-ins: what is asserted is which call ran and
that the lock is the one a plain resolution gives.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

import pytest

from specc import lockahead
from specc.lockfile import read_lock
from tests.helpers import EXAMPLES, run_cli


@pytest.fixture
def takes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, Path]]:
    """For each predicted run: whether it was used (True) or stopped (False), and its folder."""
    seen: list[tuple[bool, Path]] = []
    real = lockahead.Ahead.take

    def spy(self: lockahead.Ahead, call: lockahead.UvCompile) -> Any:
        got = real(self, call)
        seen.append((got is not None, self.folder))
        return got

    monkeypatch.setattr(lockahead.Ahead, "take", spy)
    return seen


def _pins(folder: Path) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    lock = read_lock(folder / "model-env.lock")
    return {p.name: (p.version, tuple(p.hashes)) for p in lock.python.packages}


def _args(**kw: Any) -> argparse.Namespace:
    base = dict(check=False, conda=False, platform=[], replace_platforms=False, upgrade=False, upgrade_package=[])
    return argparse.Namespace(**{**base, **kw})


def test_a_relock_uses_the_run_started_ahead(tmp_path: Path, takes: list[tuple[bool, Path]]) -> None:
    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    before = _pins(folder)
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert [used for used, _ in takes] == [True]  # the validated spec made exactly the predicted call
    assert _pins(folder) == before  # and the lock is the committed one: same pins, same hashes
    assert not takes[0][1].exists()  # its folder is removed


def test_a_wrong_prediction_is_stopped_and_the_real_call_runs(tmp_path: Path, takes: list[tuple[bool, Path]]) -> None:
    """serve turned off: the prediction (the lock's implied lines) is not the call the spec makes."""
    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    toml = folder / "model-env.toml"
    toml.write_text(toml.read_text().replace("serve = true", "serve = false"))
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert [used for used, _ in takes] == [False] and not takes[0][1].exists()
    lock = read_lock(folder / "model-env.lock")
    assert lock.python.implied_requirements == ["mlflow==3.17.2"]  # the real call's result


def test_an_edited_requirement_is_predicted_from_the_spec(tmp_path: Path, takes: list[tuple[bool, Path]]) -> None:
    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    toml = folder / "model-env.toml"
    toml.write_text(toml.read_text().replace('"numpy==2.4.6",', '"numpy==2.4.6",\n  "six==1.16.0",'))
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert [used for used, _ in takes] == [True]
    assert _pins(folder)["six"][0] == "1.16.0"


def test_a_prediction_is_exactly_the_call_or_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    spec = folder / "model-env.toml"
    call = lockahead.predict(spec, upgrade=False, upgrade_packages=())
    assert call is not None
    assert call.inputs[0] == ("requirements.in", "numpy==2.4.6\npandas==3.1.1\nscikit-learn==1.9.1\n")
    assert call.inputs[1][0] == "implied.in" and call.inputs[1][1].startswith("mlflow==3.17.2\n")
    assert "scikit-learn==1.9.1\n" in call.preferred and call.platform == "x86_64-manylinux_2_28"
    up = lockahead.predict(spec, upgrade=False, upgrade_packages=["NumPy"])
    assert up is not None and up.upgrade == ("numpy",) and "numpy==" not in up.preferred
    # outside what is predicted: no run is started
    assert lockahead.start_ahead(spec, _args(platform=["linux-aarch64"])) is None
    assert lockahead.start_ahead(spec, _args(check=True)) is None
    (folder / "model-env.lock").unlink()
    assert lockahead.predict(spec, upgrade=False, upgrade_packages=()) is None  # no lock: nothing to predict from
    ks = tmp_path / "kitchen-sink"
    shutil.copytree(EXAMPLES / "kitchen-sink", ks)
    (ks / "model-env.lock").write_text((EXAMPLES / "sklearn-basic" / "model-env.lock").read_text())
    assert lockahead.predict(ks / "model-env.toml", upgrade=False, upgrade_packages=()) is None  # requirements files


def test_valid_pin_fast_path_agrees_with_packaging() -> None:
    from packaging.requirements import Requirement
    from packaging.version import Version

    for name, version in [("numpy", "1.23.5"), ("x", "0.66b2"), ("x", "2.0.0.post1"), ("x", "1.0.dev3"), ("a-b", "2")]:
        assert lockahead.valid_pin(name, version)
        Requirement(f"{name}=={version}")
        Version(version)
    assert not lockahead.valid_pin("x", "bad version") and not lockahead.valid_pin("x", "")
    assert lockahead.valid_pin("Foo_Bar", "1.0+cpu")  # not the fast path: packaging decides


def test_parsing_the_lock_command_imports_no_model() -> None:
    """The first resolution starts before the spec is validated: building `specc lock`'s parser
    (with the shared options of specc.commands._common) must not import pydantic or the models."""
    import subprocess
    import sys

    probe = (
        "import argparse, sys\n"
        "from specc.commands import lock\n"
        "p = argparse.ArgumentParser(); lock.add_parser(p.add_subparsers())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic' or m == 'specc.spec'))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_later_resolutions_are_kept_offline_only_when_refreshed(tmp_path: Path) -> None:
    """The offline answer counts only when every package in it came from this lock's online run."""
    import specc
    from specc.lock import _names, _Resolver, find_uv, uv_env

    folder = tmp_path / "six"
    folder.mkdir()
    (folder / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["six==1.16.0"]\n'
    )
    spec = specc.load(folder / "model-env.toml")
    env, secrets = uv_env(spec, {})
    r = _Resolver(spec, find_uv(), env, secrets, tmp_path / "work")
    inputs = [("requirements.in", "six==1.16.0\n")]
    first = r.compile(inputs, "x86_64-manylinux_2_28", {}, set(), {})  # online: refreshes six
    assert r.online_runs == 1 and r.refreshed == {"six"} and first.versions == {"six": "1.16.0"}
    second = r.compile(inputs, "aarch64-manylinux_2_28", {}, set(), {})  # another platform: offline
    assert r.online_runs == 1 and r.offline_kept == 1 and second.entries == first.entries
    r.refreshed = {"numpy"}  # as if six had not been read online by this lock
    r.compile(inputs, "aarch64-manylinux_2_28", {}, set(), {})
    assert r.online_runs == 2 and r.offline_kept == 1  # not kept: asked online again
    assert _names("six==1.16.0 \\\n    --hash=sha256:ab\n    # via -r requirements.in\nSix_x==1\n") == {"six", "six-x"}


def test_the_prediction_reads_the_lock_without_its_hashes_and_nothing_else(tmp_path: Path) -> None:
    """predict() parses the lock with its hash lines cut (most of its bytes): every other value
    reads exactly as in the whole file (a one-hash array, written inline, stays)."""
    import tomllib

    from specc.lockahead import _HASH_LINE

    for path in sorted(EXAMPLES.glob("*/model-env.lock")):
        text = path.read_text(encoding="utf-8")
        whole = tomllib.loads(text)
        cut = tomllib.loads(_HASH_LINE.sub("", text))
        assert len(_HASH_LINE.sub("", text)) < len(text) / 2, path
        for kept, pkg in zip(cut["python"]["packages"], whole["python"]["packages"], strict=True):
            assert set(kept.pop("hashes")) <= set(pkg.pop("hashes")), path
        assert cut == whole, path


def test_uv_is_told_this_interpreter_for_the_same_python_minor(tmp_path: Path) -> None:
    """No interpreter discovery (a version manager's shim costs a resolution ~0.1 s): the
    prediction and the real calls pass this Python when it is the spec's minor, else nothing."""
    import sys

    from specc.lockahead import build_interpreter, predict

    mine = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert build_interpreter(mine) == sys.executable
    assert build_interpreter(mine + ".99") == sys.executable  # an exact micro: still this minor
    assert build_interpreter("3.1") is None and build_interpreter("2.7") is None
    call = predict(EXAMPLES / "sklearn-basic" / "model-env.toml", upgrade=False, upgrade_packages=())
    assert call is not None
    cmd = call.command(tmp_path)
    if mine == "3.11":  # the example's Python
        assert cmd[cmd.index("--python") + 1] == sys.executable
    else:
        assert "--python" not in cmd
