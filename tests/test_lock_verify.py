"""Locks that import: the compiled-package rule of ``specc lock`` and ``specc lock --verify``.

The slow tests resolve against PyPI and really install and import the locked sets (uv's shared
cache keeps repeated runs cheap).  Each case is a runtime-preferred compiled package next to a
numpy major version change, in another shape: held in the runtime's major version (the reported
dask case), the preference dropped (the spec needs numpy 2), the spec pinning the pair (an
error), the runtime's version kept, and a lock made without the rule that --verify catches.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from specc.lock import implied_requirements
from specc.lockfile import LockedPython, LockedPythonPackage, new_lock, read_lock, write_lock
from specc.verify import machine_platform, module_names
from tests.helpers import run_cli

linux_x86 = pytest.mark.skipif(
    machine_platform(["x86_64-manylinux_2_28"])[0] is None,
    reason="installs x86_64-manylinux_2_28 wheels: needs an x86_64 Linux machine (CI is one)",
)


def _spec(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model-env.toml").write_text('spec-version = 1\n[model]\nname = "m"\n' + body, encoding="utf-8")
    return folder


def _versions(folder: Path) -> dict[str, str]:
    return {p.name: p.version or "" for p in read_lock(folder / "model-env.lock").python.packages}


def _codes(err: str) -> list[str]:
    import re

    return re.findall(r"\[(SPC6\d{2})\]", err)  # the lock's codes (validation's SPC2xx may precede them)


# --- fast: the pieces -------------------------------------------------------------------------------


def test_module_names_from_record() -> None:
    record = "\n".join(
        [
            "pyarrow/__init__.py,sha256=x,1",
            "pyarrow/lib.cpython-311-x86_64-linux-gnu.so,sha256=x,1",
            "pyarrow-14.0.1.dist-info/RECORD,,",
            "six.py,sha256=x,1",
            "_cffi_backend.cpython-311-x86_64-linux-gnu.so,sha256=x,1",
            "__pycache__/six.cpython-311.pyc,,",
            "distutils-precedence.pth,sha256=x,1",
            "tests/__init__.py,sha256=x,1",
            "../../../bin/tool,sha256=x,1",
            "my-data/file.txt,sha256=x,1",
            "pkg.data/scripts/x,sha256=x,1",
        ]
    )
    assert module_names(record) == ["_cffi_backend", "pyarrow", "six"]


def test_machine_platform_matches_arch_and_glibc() -> None:
    plat, here = machine_platform(["aarch64-manylinux_2_28", "x86_64-manylinux_2_28"])
    assert here
    if sys.platform.startswith("linux") and "x86_64" in here:
        assert plat == "x86_64-manylinux_2_28"
    assert machine_platform(["x86_64-manylinux_9_99"])[0] is None  # a glibc from the future
    assert machine_platform([])[0] is None


def test_verify_needs_a_locked_platform_of_this_machine(tmp_path: Path) -> None:
    """A lock for another platform only: SPC632, nothing installed."""
    import specc

    folder = _spec(tmp_path / "arm", '[runtime]\npython = "3.11"\n[python]\nrequirements = ["six==1.16.0"]\n')
    spec = specc.load(folder / "model-env.toml")
    python = LockedPython(
        python_version="3.11",
        platforms=["riscv64-manylinux_2_39"],
        resolver="uv test",
        packages=[LockedPythonPackage(name="six", version="1.16.0", hashes=["sha256:" + "ab" * 32])],
        implied_requirements=implied_requirements(spec),  # as `specc lock` records them
    )
    write_lock(folder / "model-env.lock", new_lock(spec, python))
    # `lock --check` first: a lock without compile's x86_64 is stale (platforms); nothing is verified
    r = run_cli("lock", "--check", "--verify", str(folder))
    assert r.code == 1 and _codes(r.err) == ["SPC613"], r.err
    assert "platforms (" in r.err and "riscv64-manylinux_2_39" in r.err
    j = run_cli("lock", "--check", "--verify", "--format", "json", str(folder))
    data = json.loads(j.out)
    assert j.code == 1 and [d["code"] for d in data["diagnostics"]] == ["SPC613"] and data["errors"] == 1
    # verifying it anyway (the API): SPC632 names the lock's platforms
    from specc.verify import verify_lock

    got = verify_lock(spec, read_lock(folder / "model-env.lock"), lock_file="model-env.lock")
    assert not got.ok and [d.code for d in got.diagnostics] == ["SPC632"]
    assert "riscv64-manylinux_2_39" in got.diagnostics[0].message


# --- slow: real resolutions, installs and imports ---------------------------------------------------


@pytest.mark.slow
@linux_x86
def test_reported_case_dask_on_15_4_ml_holds_numpy_and_imports(tmp_path: Path) -> None:
    """dask[complete]==2024.8.0 on 15.4 ML: dask needs numpy>=1.24 (above the runtime's 1.23.5).

    The runtime's pyarrow 14.0.1 (built against numpy 1.x) is preferred, so numpy must stay on
    1.x: specc keeps it below 2 (SPC605) and the locked set installs and imports.  The spec lists
    the runtime's own mlflow-skinny, as the issue's spec did not need to: without it the model's
    implied mlflow==2.19.0 pin (full MLflow) is resolved with dask, and its own requirements keep
    numpy at the runtime's 1.23.5 (test_lock_mlflow_pin.py covers that shape).
    """
    folder = _spec(
        tmp_path / "dask",
        '[runtime]\npython = "3.11"\ndatabricks = "15.4-ml"\n[python]\n'
        'requirements = ["dask[complete]==2024.8.0", "mlflow-skinny==2.19.0"]\n',
    )
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    got = _versions(folder)
    assert got["numpy"].startswith("1.") and got["numpy"] != "1.23.5"
    assert got["pyarrow"] == "14.0.1"
    assert "SPC605" in _codes(r.err) and "numpy is kept below 2" in r.err
    v = run_cli("lock", "--check", "--verify", "--no-overlay", str(folder))
    assert v.code == 0, v.err
    assert "34 distributions install" in v.err or "distributions install" in v.err


@pytest.mark.slow
@linux_x86
def test_spec_needing_numpy_2_drops_the_compiled_preferences(tmp_path: Path) -> None:
    """numpy>=2 next to pandas and matplotlib on 15.4: the runtime's pandas 1.5.3 and matplotlib
    3.7.2 (compiled against numpy 1.x) are not kept (SPC606); the lock imports.  Over the runtime
    (--verify's overlay), the cluster's own pyarrow 14.0.1 breaks with numpy 2: SPC633 says so.
    The spec lists an mlflow-skinny: the full mlflow 2.11.4 the model would otherwise carry needs
    numpy<2 (test_numpy_2_against_the_models_mlflow_pin_names_the_pin); not the runtime's 2.11.4,
    which imports pkg_resources without requiring setuptools (--verify says so: SPC630)."""
    folder = _spec(
        tmp_path / "np2",
        '[runtime]\npython = "3.11"\ndatabricks = "15.4"\n'
        '[python]\nrequirements = ["numpy>=2", "pandas", "matplotlib", "mlflow-skinny==2.19.0"]\n',
    )
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    got = _versions(folder)
    assert got["numpy"].startswith("2.")
    assert got["pandas"] != "1.5.3" and got["matplotlib"] != "3.7.2"
    assert "SPC606" in _codes(r.err) and "the runtime's pandas 1.5.3 is not kept" in r.err
    alone = run_cli("lock", "--check", "--verify", "--no-overlay", str(folder))
    assert alone.code == 0, alone.err
    over = run_cli("lock", "--check", "--verify", "--format", "json", str(folder))
    data = json.loads(over.out)
    failing = {d["message"].split()[0] for d in data["diagnostics"] if d["code"] == "SPC633"}
    assert over.code == 1 and "pyarrow" in failing, over.out
    lock_codes = {d["code"] for d in data["diagnostics"] if d["code"].startswith("SPC6")}
    assert lock_codes <= {"SPC633", "SPC634"}, data


@pytest.mark.slow
def test_numpy_2_against_the_models_mlflow_pin_names_the_pin(tmp_path: Path) -> None:
    """On 15.4 LTS the model is logged with the runtime's MLflow 2.11.4, and mlflow 2.11.4 needs
    numpy<2: a spec needing numpy 2 cannot be served by it.  The error names the implied pin."""
    folder = _spec(
        tmp_path / "np2pin",
        '[runtime]\npython = "3.11"\ndatabricks = "15.4"\n[python]\nrequirements = ["numpy>=2", "pandas"]\n',
    )
    r = run_cli("lock", "--format", "json", str(folder))
    assert r.code == 1, r.out
    errors = [d for d in json.loads(r.out)["diagnostics"] if d["severity"] == "error"]
    assert [d["code"] for d in errors] == ["SPC602"], errors
    assert "mlflow==2.11.4" in errors[0]["message"] and "numpy" in errors[0]["message"]
    assert "`mlflow==2.11.4` is the pin MLflow adds to the logged model" in errors[0]["hint"]
    assert not (folder / "model-env.lock").exists()


@pytest.mark.slow
def test_spec_pinning_the_pair_is_an_error_naming_both(tmp_path: Path) -> None:
    folder = _spec(
        tmp_path / "pair",
        '[runtime]\npython = "3.11"\ndatabricks = "15.4-ml"\n'
        '[python]\nrequirements = ["numpy>=2", "pyarrow==14.0.1"]\n',
    )
    r = run_cli("lock", "--format", "json", str(folder))
    assert r.code == 1
    data = json.loads(r.out)
    errors = [d for d in data["diagnostics"] if d["severity"] == "error"]
    assert [d["code"] for d in errors] == ["SPC604"], data
    assert "pyarrow 14.0.1" in errors[0]["message"] and "numpy" in errors[0]["message"]
    assert "numpy<2" in errors[0]["hint"] and "another pyarrow" in errors[0]["hint"]
    assert not (folder / "model-env.lock").exists()


@pytest.mark.slow
@linux_x86
def test_runtime_versions_kept_when_the_requirements_allow(tmp_path: Path) -> None:
    folder = _spec(
        tmp_path / "keep",
        '[runtime]\npython = "3.11"\ndatabricks = "15.4-ml"\n[python]\nrequirements = ["pyarrow", "numpy"]\n',
    )
    r = run_cli("lock", str(folder))
    assert r.code == 0 and _codes(r.err) == [], r.err
    got = _versions(folder)
    assert (got["numpy"], got["pyarrow"]) == ("1.23.5", "14.0.1")
    v = run_cli("lock", "--check", "--verify", str(folder))  # nothing moved: no overlay needed
    assert v.code == 0, v.err


@pytest.mark.slow
@linux_x86
def test_verify_catches_a_lock_that_does_not_import(tmp_path: Path) -> None:
    """Without a runtime there is no preference to drop: the spec pins pyarrow 14 with numpy 2
    itself, uv accepts it (pyarrow 14 declares numpy>=1.16.6), and --verify names the failure."""
    folder = _spec(
        tmp_path / "bad",
        '[runtime]\npython = "3.11"\n[python]\nrequirements = ["numpy==2.0.2", "pyarrow==14.0.1"]\n',
    )
    assert run_cli("lock", str(folder)).code == 0
    v = run_cli("lock", "--check", "--verify", "--format", "json", str(folder))
    assert v.code == 1
    data = json.loads(v.out)
    bad = [d for d in data["diagnostics"] if d["code"] == "SPC630"]
    assert bad and bad[0]["message"].startswith("pyarrow 14.0.1 (locked): `import pyarrow` fails"), data
    assert "numpy" in bad[0]["message"].lower()
    # `lock --verify` proves the new lock before writing it: one that fails is not written (it
    # was, and the next `lock --check` passed)
    before = (folder / "model-env.lock").read_bytes()
    toml = folder / "model-env.toml"
    toml.write_text(toml.read_text().replace('"numpy==2.0.2"', '"numpy==2.0.1"'))
    again = run_cli("lock", "--verify", str(folder))
    assert again.code == 1 and "--verify failed; nothing written" in again.err and "SPC630" in again.err
    assert (folder / "model-env.lock").read_bytes() == before
    assert run_cli("lock", "--check", str(folder)).code == 1  # still stale: the change is not locked


@pytest.mark.slow
def test_verify_without_the_specs_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import subprocess

    # no Python 3.13 to be found, whatever this machine has: a search path of the venv's bin and
    # the system's (no pyenv shims), no uv-managed Pythons, no active virtual environment
    empty = tmp_path / "no-managed-pythons"
    empty.mkdir()
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(empty))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    found = subprocess.run([uv, "python", "find", "3.13"], capture_output=True, text=True, env=env)
    assert found.returncode != 0, f"this test needs a search path without Python 3.13: {found.stdout}"
    folder = _spec(tmp_path / "py313", '[runtime]\npython = "3.13"\n[python]\nrequirements = ["six==1.16.0"]\n')
    assert run_cli("lock", str(folder)).code == 0
    v = run_cli("lock", "--check", "--verify", str(folder))
    assert v.code == 1 and _codes(v.err) == ["SPC632"] and "no Python 3.13" in v.err, v.err


@pytest.mark.parametrize(
    ("error", "want"),
    [
        # the usual form, and the same words re-raised by a package (evaluate 0.4.2 over a
        # 15.4 ML overlay ends with the bare sentence): both are the runtime's torch, not a
        # break the lock causes, so a warning that the import is not verified here
        ("ModuleNotFoundError: No module named 'torch'", "torch 2.3.1+cpu"),
        ("No module named 'torch'", "torch 2.3.1+cpu"),
        ("ImportError: No module named 'torch.nn'", "torch 2.3.1+cpu"),
        ("ModuleNotFoundError: No module named 'pyspark.sql'", "pyspark (Spark 3.5.0)"),
        # a module the lock pins, or none at all, is the lock's problem
        ("No module named 'numpy'", None),
        ("ImportError: Numba needs NumPy 1.24 or less", None),
    ],
)
def test_a_missing_runtime_module_is_named_however_it_is_reported(error: str, want: str | None) -> None:
    from types import SimpleNamespace

    from specc.verify import _runtime_provides

    spec = SimpleNamespace(runtime=SimpleNamespace(databricks="15.4.x-cpu-ml-scala2.12"))
    runtime = {"torch": "2.3.1+cpu", "numpy": "1.23.5"}
    assert _runtime_provides(error, spec, runtime, {"numpy": object()}) == want


def test_a_runtime_package_broken_without_the_lock_is_not_the_locks_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--verify's overlay imports the runtime packages the lock's moves reach.  One that fails
    on the runtime's own versions too (tensorflow-io-gcs-filesystem next to 15.4 ML's own
    tensorflow: "File system for gs already registered") made every --verify on that runtime
    fail, blaming the lock.  A second environment with only the runtime's own versions (the
    package and what it needs from the runtime) tells them apart: a package the lock breaks (it
    needs dep 1.x, the lock moves dep to 2.0) imports there; one that fails either way fails
    there with the same error.  Served on 127.0.0.1, installed for real."""
    from types import SimpleNamespace

    import specc.verify as verify
    from specc.lock import find_uv
    from specc.lockahead import base_env
    from tests.infra.pypi_index import PypiIndex, build_tiny_wheel

    wheels = tmp_path / "wheels"
    build_tiny_wheel(wheels, "dep", "1.0")
    build_tiny_wheel(wheels, "dep", "2.0")
    build_tiny_wheel(wheels, "needsone", "1.0", module_code="import dep\nassert dep.VERSION.startswith('1.')\n")
    build_tiny_wheel(wheels, "alwaysbroken", "1.0", module_code="raise ImportError('broken on its own')\n")
    runtime = {"dep": "1.0", "needsone": "1.0", "alwaysbroken": "1.0"}
    edges = {"needsone": {"dep"}, "alwaysbroken": set(), "dep": set()}  # the index's metadata, as read
    monkeypatch.setattr(verify, "runtime_edges", lambda runtime, python, platform: (edges, []))
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    lock = SimpleNamespace(python=SimpleNamespace(python_version=here))
    suspects = [("needsone", "needsone"), ("alwaysbroken", "alwaysbroken")]
    with PypiIndex(wheels) as idx:
        monkeypatch.setattr(verify, "RUNTIME_INDEX", idx.url)
        env = {**base_env(), "UV_INDEX_URL": idx.url, "UV_CACHE_DIR": str(tmp_path / "uv-cache")}
        work = tmp_path / "work"
        work.mkdir()
        got = verify._baseline_failures(find_uv(), env, lock, "x86_64-manylinux_2_28", str(work), suspects, runtime)
    assert got == {("alwaysbroken", "alwaysbroken"): "ImportError: broken on its own"}
    assert verify._baseline_failures("uv", env, lock, "p", str(work), [], runtime) == {}


def test_a_major_move_of_a_package_without_a_c_api_is_no_binary_risk(tmp_path: Path) -> None:
    """pandas 2.2.2 with the runtime's statsmodels 0.14.0 on 15.4 ML: statsmodels is compiled
    and depends on pandas, which moves 1.5.3 -> 2.2.2, so the compiled-package rule refused the
    pair (SPC604, nothing written) although statsmodels uses pandas through Python only.  The
    rule now counts a dependency's major move only when that dependency ships C headers (a C API
    to build against: numpy, pyarrow); pandas ships none.  --verify proves the pair imports."""
    from specc.verify import ships_c_api

    assert ships_c_api("pandas", "1.5.3") is False and ships_c_api("numpy", "1.23.5") is True
    folder = _spec(
        tmp_path / "sm",
        '[runtime]\npython = "3.11"\ndatabricks = "15.4-ml"\n'
        '[python]\nrequirements = ["pandas==2.2.2", "statsmodels==0.14.0"]\n',
    )
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert not {"SPC604", "SPC606"} & set(_codes(r.err)), r.err
    got = _versions(folder)
    assert got["statsmodels"] == "0.14.0" and got["pandas"] == "2.2.2"
    v = run_cli("lock", "--check", "--verify", "--no-overlay", str(folder))
    assert v.code == 0, v.err
