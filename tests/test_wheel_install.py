"""The built wheel works on its own: installed into a fresh venv, outside the source tree.

This is what users get from `pip install specc-env`: targets/ and schemas/ must be
inside the wheel and found from there, not from a checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES, REPO

pytestmark = pytest.mark.slow


def _run(argv: list[str], cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, **kw)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), str(REPO)],
        cwd=tmp,
    )
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "dist").glob("specc_env-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "specc/_data/schemas/model-env.schema.json" in names
    assert any(n.startswith("specc/_data/targets/databricks/runtimes/") for n in names)
    assert "specc/_templates/__init__.py" in names  # the precompiled templates (scripts/compile_templates.py)
    assert sum(n.startswith("specc/_templates/tmpl_") for n in names) == len(list((REPO / "targets").rglob("*.j2")))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    if uv:
        cmd = [uv, "pip", "install", "--python", str(venv / "bin" / "python"), str(wheel)]
    else:
        cmd = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)]
    inst = _run(cmd, cwd=tmp)
    assert inst.returncode == 0, inst.stderr
    return venv


def test_installed_wheel_validates_and_prints_schemas(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "proj"
    shutil.copytree(EXAMPLES / "kitchen-sink", work)
    specc = str(installed / "bin" / "specc")
    r = _run([specc, "validate", "--normalized"], cwd=work)
    assert r.returncode == 0, r.stderr
    assert '"dependencies": "sha256:' in r.stdout
    r = _run([specc, "schema"], cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == (REPO / "schemas" / "model-env.schema.json").read_text()
    r = _run([specc, "schema", "--check"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = _run([specc, "runtimes", "15.4-ml"], cwd=tmp_path)
    assert r.returncode == 0 and "15.4.x-cpu-ml-scala2.12" in r.stdout


def test_installed_wheel_finds_its_data_inside_site_packages(installed: Path, tmp_path: Path) -> None:
    code = "import specc.resources as r; print(r.data_root()); print(r.source_checkout_root())"
    r = _run([str(installed / "bin" / "python"), "-c", code], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    root, checkout = r.stdout.split()
    assert "site-packages" in root and checkout == "None"
    code = "import specc.templating as t; print(type(t.environment().loader).__name__)"
    r = _run([str(installed / "bin" / "python"), "-c", code], cwd=tmp_path)
    assert r.stdout.strip() == "ModuleLoader", r.stderr  # renders from the precompiled modules


def test_installed_wheel_renders_every_target(installed: Path, tmp_path: Path) -> None:
    from specc.backends import BACKENDS

    work = tmp_path / "proj"
    shutil.copytree(EXAMPLES / "sklearn-basic", work)
    # every target renders it: Databricks needs a folder for the init script (SPC359)
    with (work / "model-env.toml").open("a", encoding="utf-8") as f:
        f.write('\n[targets.databricks]\nlibraries-dir = "/Volumes/main/ml/specc"\n')
    for target in sorted(BACKENDS):
        r = _run([str(installed / "bin" / "specc"), "render", "--target", target, "--out", f"out-{target}"], cwd=work)
        assert r.returncode == 0, (target, r.stderr)
        assert (work / f"out-{target}" / ".specc-output").is_file()
