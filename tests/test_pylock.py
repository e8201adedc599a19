"""``specc lock --format pylock``: model-env.lock exported as PEP 751 pylock.toml, read by uv and pip.

The exports run with ``UV_OFFLINE=1``: uv answers from its cache (warm for the examples'
packages), so these tests need no network.  The one real install downloads two small wheels
and is marked slow; it is skipped only when files.pythonhosted.org cannot be reached.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from specc.lock import find_uv
from specc.lockfile import read_lock
from specc.pylock import check_pylock, is_pylock_name
from tests.helpers import EXAMPLES, run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pylock_mod = pytest.importorskip("packaging.pylock")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UV_OFFLINE", "1")


@pytest.fixture
def sklearn(tmp_path: Path, offline: None) -> Path:
    shutil.copytree(EXAMPLES / "sklearn-basic", tmp_path / "ex")
    return tmp_path / "ex"


def _export(folder: Path, *extra: str) -> tuple[int, str]:
    r = run_cli("lock", str(folder), "--format", "pylock", *extra)
    return r.code, r.err


def test_export_is_the_lock_with_urls_and_only_its_hashes(sklearn: Path) -> None:
    code, err = _export(sklearn)
    assert code == 0, err
    assert "warning[SPC763]" in err  # the model server's packages are left out, and said so
    text = (sklearn / "pylock.toml").read_text(encoding="utf-8")
    check_pylock(text)
    data = tomllib.loads(text)
    pylock = pylock_mod.Pylock.from_dict(data)
    assert str(pylock.lock_version) == "1.0" and pylock.created_by == "specc"
    assert data["requires-python"] == "==3.11.*"
    assert data["environments"] == ["sys_platform == 'linux' and platform_machine == 'x86_64'"]
    lock = read_lock(sklearn / "model-env.lock")
    want = {p.name: p for p in lock.python_packages("x86_64-manylinux_2_28") if not p.implied_only}
    assert {p.name: str(p.version) for p in pylock.packages} == {n: p.version for n, p in want.items()}
    for pkg in pylock.packages:
        files = [*(pkg.wheels or ()), *([pkg.sdist] if pkg.sdist else [])]
        assert pkg.wheels, f"{pkg.name}: no wheel for the platform"
        allowed = {h.removeprefix("sha256:") for h in want[pkg.name].hashes}
        for f in files:
            assert f.hashes["sha256"] in allowed
            assert f.url and f.url.startswith("https://") and "@" not in f.url.split("/")[2]
    # deterministic: the same lock gives the same bytes
    assert _export(sklearn)[0] == 0
    assert (sklearn / "pylock.toml").read_text(encoding="utf-8") == text


def test_uv_reads_the_export_and_would_install_exactly_the_lock(sklearn: Path, tmp_path: Path) -> None:
    assert _export(sklearn)[0] == 0
    uv = find_uv()
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "-q", "--offline", "-p", sys.executable, str(venv)], check=True)
    proc = subprocess.run(
        [uv, "pip", "sync", "--dry-run", "--offline", "-p", str(venv / "bin" / "python"), "pylock.toml"],
        cwd=sklearn,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    lock = read_lock(sklearn / "model-env.lock")
    want = {f"{p.name}=={p.version}" for p in lock.python_packages() if not p.implied_only}
    got = set(re.findall(r"^ \+ (\S+==\S+)$", proc.stderr + proc.stdout, re.M))
    assert got == want
    assert f"Would install {len(want)} packages" in proc.stderr + proc.stdout


PROBE = """\
spec-version = 1

[model]
name = "pylock-probe"

[runtime]
python = "{python}"

[python]
requirements = ["threadpoolctl==3.8.0", "joblib==1.6.0"]
wheels = ["dist/scorekit-0.1.0-py3-none-any.whl"]
"""


@pytest.mark.slow
def test_uv_and_pip_install_from_the_export(tmp_path: Path, offline: None) -> None:
    """A real install: the locked wheels from PyPI and the spec's own wheel by path, hash-checked
    (needs PyPI, as the other real uv resolutions of the suite do)."""
    folder = tmp_path / "probe"
    (folder / "dist").mkdir(parents=True)
    shutil.copyfile(
        EXAMPLES / "private-wheel-scoring" / "dist" / "scorekit-0.1.0-py3-none-any.whl",
        folder / "dist" / "scorekit-0.1.0-py3-none-any.whl",
    )
    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    (folder / "model-env.toml").write_text(PROBE.format(python=minor), encoding="utf-8")
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    out = folder / "out"
    code, err = _export(folder, "--pylock-file", str(out / "pylock.probe.toml"))
    assert code == 0, err
    data = tomllib.loads((out / "pylock.probe.toml").read_text(encoding="utf-8"))
    scorekit = next(p for p in data["packages"] if p["name"] == "scorekit")
    assert scorekit["wheels"][0]["path"] == "../dist/scorekit-0.1.0-py3-none-any.whl"  # relative to the file

    uv = find_uv()
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True)
    py = str(venv / "bin" / "python")
    proc = subprocess.run([uv, "pip", "sync", "-p", py, "pylock.probe.toml"], cwd=out, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    check = subprocess.run([py, "-c", "import threadpoolctl, joblib, scorekit"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr

    target = tmp_path / "pip-target"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--target", str(target), "-r", "pylock.probe.toml"],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    dists = {p.name for p in target.glob("*.dist-info")}
    lock = read_lock(folder / "model-env.lock")
    want = {f"{p.name.replace('-', '_')}-{p.version}.dist-info" for p in lock.python_packages() if not p.implied_only}
    assert {"joblib-1.6.0.dist-info", "scorekit-0.1.0.dist-info", "threadpoolctl-3.8.0.dist-info"} <= want
    assert dists == want


def test_a_lock_hash_the_index_does_not_serve_is_refused(sklearn: Path) -> None:
    lock = sklearn / "model-env.lock"
    text = lock.read_text(encoding="utf-8")
    lock_data = read_lock(lock)
    victim = next(p for p in lock_data.python.packages if p.name == "threadpoolctl")
    for h in victim.hashes:
        text = text.replace(h, "sha256:" + "0" * 64)
    lock.write_text(text, encoding="utf-8")
    code, err = _export(sklearn)
    assert code == 1
    assert "error[SPC761]" in err and "threadpoolctl" in err
    assert not (sklearn / "pylock.toml").exists()


def test_file_name_must_be_pep_751(sklearn: Path) -> None:
    code, err = _export(sklearn, "--pylock-file", str(sklearn / "requirements.lock"))
    assert code == 2 and "error[SPC762]" in err
    assert is_pylock_name("pylock.toml") and is_pylock_name("pylock.dev.toml")
    assert not is_pylock_name("pylock.a.b.toml") and not is_pylock_name("my-pylock.toml")


def test_stale_lock_or_unlocked_platform_exports_nothing(sklearn: Path) -> None:
    code, err = _export(sklearn, "--platform", "linux-aarch64")
    assert code == 1 and "SPC620" in err
    spec = sklearn / "model-env.toml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("scikit-learn==", "scikit-learn>=1,=="), encoding="utf-8")
    code, err = _export(sklearn)
    assert code == 1 and "SPC613" in err
    assert not (sklearn / "pylock.toml").exists()


def test_lock_still_takes_its_other_formats(sklearn: Path) -> None:
    r = run_cli("lock", str(sklearn), "--check", "--format", "json")
    assert r.code == 0, r.err
    assert r.out.lstrip().startswith("{")


def test_lock_parser_imports_no_resolver() -> None:
    """specc lock's parser imports specc.pylock for --format pylock: standard library only at import."""
    code = (
        "import sys, specc.commands.lock, specc.pylock; "
        "assert not any(m.startswith(('packaging', 'specc.lock', 'specc.lockfile')) for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_lock_help_teaches_the_export() -> None:
    r = run_cli("lock", "--help")
    assert r.code == 0
    examples = r.out.split("examples:", 1)[1].split("\n\n", 1)[0]
    assert "specc lock --format pylock " in examples and "--pylock-file pylock.arm.toml" in examples
    assert examples.count("specc lock --format pylock") == 2  # added once, however often the parser is built
    assert run_cli("lock", "--help").out == r.out


@pytest.mark.parametrize(
    "flags",
    [
        ["--check"],
        ["--upgrade"],
        ["--upgrade-package", "numpy"],
        ["--replace-platforms", "--platform", "linux-64"],
        ["--check", "--verify"],
        ["--conda"],
        ["--platform", "linux-64", "--platform", "linux-aarch64"],
    ],
)
def test_flags_the_export_would_ignore_are_a_usage_error(sklearn: Path, flags: list[str]) -> None:
    before = (sklearn / "model-env.lock").read_bytes()
    code, err = _export(sklearn, *flags)
    assert code == 2, err
    assert "does not apply" in err or "do not apply" in err or "one --platform" in err
    assert not (sklearn / "pylock.toml").exists() and not (sklearn / "model-env.conda.yml").exists()
    assert (sklearn / "model-env.lock").read_bytes() == before  # nothing re-locked either


def test_one_pylock_file_for_several_specs_is_a_usage_error(sklearn: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(sklearn, other)
    r = run_cli("lock", str(sklearn), str(other), "--format", "pylock", "--pylock-file", str(tmp_path / "pylock.toml"))
    assert r.code == 2 and "several specs" in r.err
    assert not (tmp_path / "pylock.toml").exists()
    # without --pylock-file, each spec gets its own file next to it
    r = run_cli("lock", str(sklearn), str(other), "--format", "pylock")
    assert r.code == 0, r.err
    assert (sklearn / "pylock.toml").is_file() and (other / "pylock.toml").is_file()
