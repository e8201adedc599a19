"""--locked on specc compile and specc render: fail when the lock is missing or stale, else exact pins
(and hashes where the consumer checks them: pip --require-hashes in Docker, the requirements file on
Databricks)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from specc.lock import implied_requirements
from specc.lockfile import LockedPython, LockedPythonPackage, lock_path_for, new_lock, read_lock, write_lock
from tests.helpers import EXAMPLES, run_cli

H = "sha256:" + "cd" * 32


def _copy(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copytree(EXAMPLES / name, dst)
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _fake_lock(folder: Path, extra: dict[str, str] | None = None) -> None:
    """A lock pinning the spec's requirements (ranges get a made-up version) plus ``extra`` packages."""
    import specc

    spec = specc.load(folder / "model-env.toml")
    pkgs = {q.name: q.pinned_version or "9.9.9" for q in spec.python.requirements if not q.url}
    pkgs.update(extra or {"joblib": "1.4.2"})
    packages = [LockedPythonPackage(name=n, version=v, hashes=[H]) for n, v in sorted(pkgs.items())]
    for w in spec.python.wheels:
        name, version = Path(w.path).name.split("-")[:2]
        packages.append(LockedPythonPackage(name=name, version=version, path=w.path, hashes=[f"sha256:{w.sha256}"]))
    python = LockedPython(
        python_version=spec.runtime.python,
        platforms=["x86_64-manylinux_2_28"],
        resolver="uv test",
        index_url=spec.python.index_url,
        extra_index_urls=list(spec.python.extra_index_urls),
        packages=sorted(packages, key=lambda p: p.name),
        implied_requirements=implied_requirements(spec),  # as `specc lock` records them
    )
    write_lock(lock_path_for(folder / "model-env.toml"), new_lock(spec, python))


# --- missing / stale --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("compile", "--locked", "--out", "{out}"),
        ("render", "--target", "docker", "--locked", "--out", "{out}"),
        ("render", "--target", "databricks", "--locked", "--out", "{out}"),
    ],
    ids=["compile", "docker", "databricks"],
)
def test_locked_fails_without_a_fresh_lock(argv: tuple[str, ...], tmp_path: Path) -> None:
    folder = _copy("sklearn-basic", tmp_path)
    (folder / "model-env.lock").unlink()  # the example's committed lock
    out = tmp_path / "out"
    args = [a.format(out=out) for a in argv] + [str(folder)]
    r = run_cli(*args)
    assert r.code == 1 and "no lock file" in r.err and "specc lock" in r.err, r.err
    assert not out.exists()
    _fake_lock(folder)
    _edit(folder / "model-env.toml", '"numpy==2.4.6"', '"numpy==2.4.5"')
    r = run_cli(*args)
    assert r.code == 1 and "is stale: python (" in r.err, r.err
    assert not out.exists()


def test_locked_is_not_stale_after_editing_code(tmp_path: Path) -> None:
    folder = _copy("sklearn-basic", tmp_path)
    _fake_lock(folder)
    for f in (folder / "src").rglob("*.py"):
        f.write_text(f.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert run_cli("compile", "--locked", "--out", str(tmp_path / "o"), str(folder)).code == 0


# --- MLflow -------------------------------------------------------------------------------------


def test_compile_locked_pins_every_locked_package(tmp_path: Path) -> None:
    folder = _copy("kitchen-sink", tmp_path)
    _fake_lock(folder, {"joblib": "1.4.2", "pandas": "2.2.3"})
    out = tmp_path / "out"
    r = run_cli("compile", "--locked", "--out", str(out), str(folder))
    assert r.code == 0, r.err
    lines = [ln for ln in (out / "requirements.txt").read_text().splitlines() if ln and not ln.startswith("#")]
    lock = read_lock(folder / "model-env.lock")
    pins = [f"{p.name}=={p.version}" for p in lock.python.packages if not p.path]
    assert [ln for ln in lines if "==" in ln] == pins
    assert "pandas==2.2.3" in lines and "joblib==1.4.2" in lines
    assert not any("--hash" in ln or ln.startswith("-c ") for ln in lines)
    assert "code/featurizer-0.3.0-py3-none-any.whl" in lines
    assert not (out / "constraints.txt").exists()
    kwargs = json.loads((out / "log_model.json").read_text())
    assert [ln for ln in kwargs["pip_requirements"] if "==" in ln] == pins


def test_flavor_defaults_do_not_override_locked_pins() -> None:
    import specc
    from specc.mlflow import _merge_defaults

    spec = specc.load(EXAMPLES / "sklearn-basic" / "model-env.toml")
    lines = ["scikit-learn==1.9.1", "cloudpickle==3.1.3"]
    merged = _merge_defaults(spec, lines, ["mlflow==3.0.0", "cloudpickle==3.0.0", "scikit-learn==1.5.0"])
    assert merged == ["scikit-learn==1.9.1", "cloudpickle==3.1.3", "mlflow==3.0.0"]


# --- Docker -------------------------------------------------------------------------------------


def test_docker_locked_installs_with_require_hashes(tmp_path: Path) -> None:
    folder = _copy("kitchen-sink", tmp_path)
    _fake_lock(folder, {"joblib": "1.4.2", "mlflow-skinny": "3.1.0", "numpy": "2.4.6"})  # numpy: the server imports it
    out = tmp_path / "out"
    r = run_cli("render", "--target", "docker", "--locked", "--out", str(out), str(folder))
    assert r.code == 0, r.err
    req = (out / "deps/python/requirements.txt").read_text()
    lock = read_lock(folder / "model-env.lock")
    for p in lock.python.packages:
        if p.path:
            assert f"/tmp/specc/python/wheels/{Path(p.path).name} --hash={p.hashes[0]}" in req
        else:
            assert f"{p.name}=={p.version} --hash={H}" in req
    assert "--extra-index-url https://${PYPI_USER}:${PYPI_TOKEN}@pkgs.example.com/simple" in req
    assert not (out / "deps/python/constraints.txt").exists()
    dockerfile = (out / "Dockerfile").read_text()
    step = dockerfile[dockerfile.index("pip install") :].split("rm -rf")[0]
    assert "--require-hashes" in step and "/tmp/specc/python/requirements.txt" in step
    assert ".whl" not in step  # the wheel is a hashed line of the requirements file
    assert "--mount=type=secret,id=pypi_token" in dockerfile


def test_docker_locked_needs_mlflow_in_the_lock_to_serve(tmp_path: Path) -> None:
    folder = _copy("sklearn-basic", tmp_path)
    _fake_lock(folder)
    r = run_cli("render", "--target", "docker", "--locked", "--out", str(tmp_path / "o"), str(folder))
    assert r.code == 1 and "SPC338" in r.err and "mlflow" in r.err
    _edit(folder / "model-env.toml", "serve = true", "serve = false")
    _fake_lock(folder)
    assert run_cli("render", "--target", "docker", "--locked", "--out", str(tmp_path / "o"), str(folder)).code == 0


def test_docker_locked_needs_the_image_platform(tmp_path: Path) -> None:
    folder = _copy("gpu-torch", tmp_path)
    _edit(folder / "model-env.toml", 'platform = "linux/amd64"', 'platform = "linux/arm64"')
    _fake_lock(folder, {"mlflow-skinny": "3.1.0"})
    r = run_cli("render", "--target", "docker", "--locked", "--out", str(tmp_path / "o"), str(folder))
    # the lock's platform check (SPC620, the same for every target), before the Docker render
    assert r.code == 1 and "SPC620" in r.err and "aarch64-manylinux_2_28" in r.err, r.err


def test_docker_without_locked_is_unchanged(tmp_path: Path) -> None:
    folder = _copy("kitchen-sink", tmp_path)
    _fake_lock(folder)
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli("render", "--target", "docker", "--out", str(a), str(folder)).code == 0
    assert run_cli("render", "--target", "docker", "--out", str(b), str(EXAMPLES / "kitchen-sink")).code == 0
    assert (a / "Dockerfile").read_text() == (b / "Dockerfile").read_text()
    assert "--require-hashes" not in (a / "Dockerfile").read_text()


# --- Databricks ---------------------------------------------------------------------------------


def test_databricks_locked_init_script_checks_hashes(tmp_path: Path) -> None:
    folder = _copy("kitchen-sink", tmp_path)  # extra index with credentials: the init script installs
    _fake_lock(folder)
    out = tmp_path / "out"
    r = run_cli("render", "--target", "databricks", "--locked", "--out", str(out), str(folder))
    assert r.code == 0, r.err
    req = (out / "requirements.txt").read_text()
    assert f"joblib==1.4.2 --hash={H}" in req and f"scikit-learn==1.5.2 --hash={H}" in req
    assert re.search(r"^/Volumes/\S+/featurizer-0\.3\.0-py3-none-any\.whl --hash=sha256:[0-9a-f]{64}$", req, re.M)
    init = (out / "init.sh").read_text()
    assert "--require-hashes" in init
    assert not (out / "constraints.txt").exists()
    pip_line = next(ln for ln in init.splitlines() if "--require-hashes" in ln)
    assert ".whl" not in pip_line
    r = subprocess.run(["bash", "-n", str(out / "init.sh")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_databricks_locked_libraries_api_exact_pins(tmp_path: Path) -> None:
    folder = _copy("sklearn-basic", tmp_path)  # public index only: one pypi library per package
    text = (folder / "model-env.toml").read_text()  # a Databricks render needs libraries-dir (SPC359)
    (folder / "model-env.toml").write_text(
        text + '\n[targets.databricks]\nlibraries-dir = "/Volumes/ml/default/libs"\n'
    )
    _fake_lock(folder)
    out = tmp_path / "out"
    r = run_cli("render", "--target", "databricks", "--locked", "--out", str(out), str(folder))
    assert r.code == 0, r.err
    libs = json.loads((out / "libraries.json").read_text())["libraries"]
    pkgs = [lib["pypi"]["package"] for lib in libs if "pypi" in lib]
    lock = read_lock(folder / "model-env.lock")
    assert pkgs == [f"{p.name}=={p.version}" for p in lock.python.packages]


def test_databricks_locked_requirements_library_has_hashes(tmp_path: Path) -> None:
    folder = _copy("sklearn-basic", tmp_path)
    text = (folder / "model-env.toml").read_text()
    (folder / "model-env.toml").write_text(
        text + '\n[targets.databricks]\nrequirements-library = true\nlibraries-dir = "/Volumes/ml/default/libs"\n'
    )
    _fake_lock(folder)
    out = tmp_path / "out"
    r = run_cli("render", "--target", "databricks", "--locked", "--out", str(out), str(folder))
    assert r.code == 0, r.err
    req = (out / "requirements.txt").read_text()
    assert f"joblib==1.4.2 --hash={H}" in req and f"numpy==2.4.6 --hash={H}" in req
    libs = json.loads((out / "libraries.json").read_text())["libraries"]
    assert any("requirements" in lib for lib in libs)


# --- real: the rendered files install with pip --require-hashes ------------------------------------


@pytest.mark.slow
def test_rendered_locked_requirements_install_with_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.infra.pypi_index import build_tiny_wheel, isolated_pip_env

    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    folder = tmp_path / "m"
    whl = build_tiny_wheel(folder / "dist", "featurizer", "0.3.0", requires=["six"])
    (folder / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "{}.{}"\n'.format(*sys.version_info[:2])
        + '[python]\nrequirements = ["attrs==24.2.0"]\nwheels = ["dist/'
        + whl.name
        + '"]\n[targets.docker]\nserve = false\n[targets.databricks]\nlibraries-dir = "/Volumes/x/y/libs"\n',
        encoding="utf-8",
    )
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    lock = read_lock(folder / "model-env.lock")
    spec_own = {p.name for p in lock.python.packages if not p.implied_only}
    assert spec_own == {"attrs", "featurizer", "six"}
    assert lock.python.implied_requirements == ["mlflow==3.17.2"]  # the model's pin: installed too, hashed
    out = tmp_path / "docker"
    r = run_cli("render", "--target", "docker", "--locked", "--out", str(out), str(folder))
    assert r.code == 0, r.err
    req = (out / "deps/python/requirements.txt").read_text()
    local = tmp_path / "req.txt"
    local.write_text(req.replace("/tmp/specc/python/wheels/", f"{out}/deps/python/wheels/"), encoding="utf-8")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--isolated"]
    # the Dockerfile's own flags: --require-hashes --requirement FILE
    proc = subprocess.run(
        [*pip, "install", "--require-hashes", "--requirement", str(local)],
        capture_output=True,
        text=True,
        env=isolated_pip_env(),
    )
    assert proc.returncode == 0, proc.stderr
    check = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import featurizer, six, attrs, mlflow; print(featurizer.twice(2))"],
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip() == "4", check.stderr


@pytest.mark.slow
def test_locked_docker_image_builds_and_rejects_a_swapped_package(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    buildah,  # type: ignore[no-untyped-def]
    base_image: str,
    pypi_index_factory,  # type: ignore[no-untyped-def]
) -> None:
    """A real buildah build of a --locked context: pip --require-hashes installs the locked packages
    from a token-protected index; the same context fails once the index serves other bytes."""
    from tests.infra.pypi_index import build_tiny_wheel

    base = base_image
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    wheels = tmp_path / "wheels"
    build_tiny_wheel(wheels, "acme-tok", "2.1.0", requires=["acme-dep>=1"])
    build_tiny_wheel(wheels, "acme-dep", "1.0.0")
    build_tiny_wheel(wheels, "mlflow", "3.17.2")  # the model's implied mlflow pin, from the only index
    token = "canary-locked-build-token"
    index = pypi_index_factory(wheels, username="__token__", password=token)
    url = index.url.replace("http://", "http://${IDX_USER}:${IDX_TOKEN}@")
    folder = tmp_path / "m"
    local = build_tiny_wheel(folder / "dist", "featurizer", "0.3.0")
    (folder / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["acme-tok==2.1.0"]\n'
        f'index-url = "{url}"\nwheels = ["dist/{local.name}"]\n'
        '[secrets.IDX_USER]\ndocker = "idx_user"\n[secrets.IDX_TOKEN]\ndocker = "idx_token"\n'
        "[targets.docker]\nserve = false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("IDX_USER", "__token__")
    monkeypatch.setenv("IDX_TOKEN", token)
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    ctx = tmp_path / "ctx"
    r = run_cli("render", "--target", "docker", "--locked", "--out", str(ctx), str(folder))
    assert r.code == 0, r.err
    assert "--require-hashes" in (ctx / "Dockerfile").read_text()
    (tmp_path / "user.txt").write_text("__token__\n")
    (tmp_path / "token.txt").write_text(token + "\n")
    sec = {"idx_user": tmp_path / "user.txt", "idx_token": tmp_path / "token.txt"}
    ok = buildah.bud(ctx, "localhost/specc-locked:1", build_args={"BASE": base}, secrets=sec).check()
    assert "Successfully installed" in ok.log
    proc = buildah.run("localhost/specc-locked:1", ["python", "-c", "import acme_tok, acme_dep, featurizer, mlflow"])
    assert proc.returncode == 0, proc.stderr
    # the index now serves different bytes under the same version: the locked build must refuse them
    build_tiny_wheel(wheels, "acme-dep", "1.0.0", module_code="EVIL = True\n")
    index.refresh()
    bad = buildah.bud(
        ctx, "localhost/specc-locked:2", build_args={"BASE": base}, secrets=sec, extra_args=["--no-cache"]
    )
    assert not bad.ok
    assert "DO NOT MATCH THE HASHES" in bad.log.upper()
