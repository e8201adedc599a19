"""init.sh runs for real: a debootstrap bookworm chroot laid out like a Databricks node.

The rendered files are "uploaded" by copying each one to its remote path inside the chroot
(uploads.json says where), the init script runs from its remote path with the environment
the cluster would give it (spark_env_vars, with secret references resolved, and
DB_IS_DRIVER), and the test inspects what it installed. One chroot serves the whole module:
apt-get update there is the slow part, and every test uses its own model name, so its
libraries-dir does not collide with another's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from specc.api import check
from specc.backends import RenderOptions, write_rendered
from specc.backends import databricks as dbx
from tests.infra import rootfs as _rootfs
from tests.infra.cran_repo import CranRepo, make_cran_repo
from tests.infra.pypi_index import build_tiny_wheel

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
KITCHEN_LIB = REPO / "examples" / "kitchen-sink" / "lib"
TOKEN = "s3cr3t-canary-token"
USER = "__token__"


@pytest.fixture(scope="module")
def chroot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    master = _rootfs.databricks_base_rootfs()
    work = tmp_path_factory.mktemp("dbx-chroot")
    if _rootfs.overlay_supported():
        with _rootfs.overlay_rootfs(work / "ovl", master) as root:
            yield root
    else:
        root = _rootfs.copy_rootfs(work / "copy", master)
        yield root
        _rootfs.remove_rootfs(root)
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def index(pypi_index_factory):  # type: ignore[no-untyped-def]
    return pypi_index_factory(username=USER, password=TOKEN)


def _spec_dir(tmp: Path, body: str, name: str) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "model-env.toml").write_text(
        f'spec-version = 1\n[model]\nname = "{name}"\n[runtime]\npython = "3.11"\ndatabricks = "15.4-ml"\n'
        f'{body}\n[targets.databricks]\nlibraries-dir = "/Volumes/test/ml/libs"\n',
        encoding="utf-8",
    )
    return tmp


def deploy(spec_dir: Path, root: Path, out: Path) -> tuple[str, dict[str, str]]:
    """Render, "upload" every file into the chroot; return the init script path and the
    environment the cluster gives it (spark_env_vars, secrets resolved as Databricks would)."""
    result = check(spec_dir / "model-env.toml")
    assert result.spec is not None, result.diagnostics
    rendered = dbx.render(result.spec, RenderOptions())
    assert not [d for d in rendered.diagnostics if d.severity == "error"], rendered.diagnostics
    out.mkdir(parents=True)
    write_rendered(rendered, out)
    for up in json.loads((out / "uploads.json").read_text()):
        if up["kind"] == "notebook":
            continue
        dest = root / up["remote"].lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / up["local"], dest)
    cluster = json.loads((out / "cluster.json").read_text())
    env = {"DB_IS_DRIVER": "TRUE", "DB_CLUSTER_ID": "0000-000000-test"}
    secrets = {"{{secrets/ci/user}}": USER, "{{secrets/ci/token}}": TOKEN}
    for k, v in cluster.get("spark_env_vars", {}).items():
        env[k] = secrets.get(v, v)
    (init,) = cluster["init_scripts"]
    return init["volumes"]["destination"], env


def run_init(root: Path, script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _rootfs.run_in_chroot(root, ["bash", script], env=env, timeout=600)


FULL = """
[python]
requirements = ["tinypkg"]
constraints = ["tinypkg<0.2"]
wheels = ["dist/localpkg-1.0.0-py3-none-any.whl"]
index-url = "{index}"
[apt]
packages = ["hello"]
debs = ["lib/libchurn_1.0_amd64.deb"]
[maven]
jars = ["lib/churn-udfs-1.2.0.jar"]
[env]
{switch} = "true"
[secrets.IDX_USER]
databricks = "ci/user"
[secrets.IDX_TOKEN]
databricks = "ci/token"
"""


def _auth_url(index) -> str:  # type: ignore[no-untyped-def]
    return f"http://${{IDX_USER}}:${{IDX_TOKEN}}@127.0.0.1:{index.port}/simple"


@pytest.fixture(scope="module")
def full_run(chroot: Path, index, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("full")
    spec_dir = _spec_dir(tmp / "spec", FULL.format(index=_auth_url(index), switch=dbx.JARS_SWITCH), "full-model")
    build_tiny_wheel(spec_dir / "dist", "localpkg", "1.0.0")
    (spec_dir / "lib").mkdir()
    for f in ("libchurn_1.0_amd64.deb", "churn-udfs-1.2.0.jar"):
        shutil.copyfile(KITCHEN_LIB / f, spec_dir / "lib" / f)
    script, env = deploy(spec_dir, chroot, tmp / "out")
    first = run_init(chroot, script, env)
    second = run_init(chroot, script, env)
    return {"out": tmp / "out", "script": script, "env": env, "first": first, "second": second}


def _py(root: Path, code: str) -> subprocess.CompletedProcess[str]:
    return _rootfs.run_in_chroot(root, ["/databricks/python/bin/python", "-c", code], timeout=60)


def test_init_script_installs_everything(chroot: Path, full_run) -> None:  # type: ignore[no-untyped-def]
    first = full_run["first"]
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    # apt package and private deb
    st = _rootfs.run_in_chroot(chroot, ["dpkg-query", "-W", "-f=${Status}\n", "hello", "libchurn"], timeout=60)
    assert st.stdout.split("\n")[:2] == ["install ok installed"] * 2, st.stdout + st.stderr
    assert (chroot / "usr/share/libchurn/thresholds.conf").is_file()
    # pip from the authenticated index, constraints honoured, the local wheel installed
    proc = _py(chroot, "import tinypkg, localpkg; print(tinypkg.VERSION, localpkg.VERSION)")
    assert proc.stdout.split() == ["0.1.0", "1.0.0"], proc.stdout + proc.stderr
    # private jar on the classpath
    assert (chroot / "databricks/jars/churn-udfs-1.2.0.jar").read_bytes() == (
        KITCHEN_LIB / "churn-udfs-1.2.0.jar"
    ).read_bytes()
    assert "specc-init[full-model driver]" in first.stdout


def test_second_run_is_idempotent(full_run) -> None:  # type: ignore[no-untyped-def]
    second = full_run["second"]
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-4000:]
    assert "apt: hello already installed" in second.stdout
    assert "apt: libchurn 1.0 already installed" in second.stdout


def test_secrets_never_reach_logs_or_files(full_run) -> None:  # type: ignore[no-untyped-def]
    for run in (full_run["first"], full_run["second"]):
        assert TOKEN not in run.stdout and TOKEN not in run.stderr
    for p in Path(full_run["out"]).rglob("*"):
        if p.is_file():
            assert TOKEN.encode() not in p.read_bytes(), p


def test_missing_secret_fails_loudly(chroot: Path, full_run) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in full_run["env"].items() if k != "IDX_TOKEN"}
    proc = run_init(chroot, full_run["script"], env)
    assert proc.returncode != 0
    assert "IDX_TOKEN is not set" in proc.stderr


def test_wrong_token_fails(chroot: Path, full_run) -> None:  # type: ignore[no-untyped-def]
    # Uninstall tinypkg so that pip must ask the index again, which refuses the token.
    _rootfs.run_in_chroot(chroot, ["/databricks/python/bin/pip", "uninstall", "-y", "-q", "tinypkg"], check=True)
    proc = run_init(chroot, full_run["script"], dict(full_run["env"], IDX_TOKEN="wrong-token"))
    assert proc.returncode != 0, proc.stdout[-3000:]
    # pip gets a 401 and sees no candidate (it cannot prompt: --no-input)
    assert "tinypkg" in proc.stderr and "error: command failed" in proc.stderr, proc.stderr[-3000:]
    assert "wrong-token" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("no-apt", '[apt]\npackages = ["specc-no-such-package"]\n'),
        (
            "no-pip",
            '[python]\nrequirements = ["specc-no-such-dist==1.0"]\nindex-url = "{index}"\n'
            '[secrets.IDX_USER]\ndatabricks = "ci/user"\n[secrets.IDX_TOKEN]\ndatabricks = "ci/token"\n',
        ),
    ],
)
def test_nonexistent_package_makes_the_script_fail(
    chroot: Path,
    index,
    tmp_path: Path,
    name: str,
    body: str,  # type: ignore[no-untyped-def]
) -> None:
    spec_dir = _spec_dir(tmp_path / "spec", body.replace("{index}", _auth_url(index)), name)
    script, env = deploy(spec_dir, chroot, tmp_path / "out")
    proc = run_init(chroot, script, env)
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert "error: command failed" in proc.stderr


@pytest.fixture
def dashed_cran(tmp_path: Path) -> Iterator[CranRepo]:
    """A CRAN-like repository whose versions keep CRAN's dash (1.0-1), which R reads as 1.0.1."""
    root = make_cran_repo(
        tmp_path / "cran", packages=(("tinypkg", ("0.1.0", "0.2.0")), ("dashpkg", ("1.0-1", "1.0-2")))
    )
    with CranRepo(root) as repo:
        yield repo


def test_pinned_cran_versions_and_private_r_sources(chroot: Path, dashed_cran: CranRepo, tmp_path: Path) -> None:
    _rootfs.install_r_in_rootfs(chroot)
    body = (
        f'[r]\nrepository = "{dashed_cran.url}"\n'
        # not current, so from Archive/; and a dashed version that R reports as 1.0.2
        'packages = [{ name = "tinypkg", version = "0.1.0" }, { name = "dashpkg", version = "1.0-2" }]\n'
        'sources = ["lib/churnr_0.3.0.tar.gz"]\n'
    )
    spec_dir = _spec_dir(tmp_path / "spec", body, "r-model")
    (spec_dir / "lib").mkdir()
    shutil.copyfile(KITCHEN_LIB / "churnr_0.3.0.tar.gz", spec_dir / "lib" / "churnr_0.3.0.tar.gz")
    script, env = deploy(spec_dir, chroot, tmp_path / "out")
    for attempt in range(2):
        proc = run_init(chroot, script, env)
        assert proc.returncode == 0, f"run {attempt}: " + proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "tinypkg 0.1.0 already installed" in proc.stderr + proc.stdout
    assert "dashpkg 1.0-2 already installed" in proc.stderr + proc.stdout
    versions = "cat(sapply(c('tinypkg', 'dashpkg', 'churnr'), function(p) as.character(packageVersion(p))))"
    got = _rootfs.run_in_chroot(chroot, ["Rscript", "-e", versions], timeout=120)
    assert got.stdout.split() == ["0.1.0", "1.0.2", "0.3.0"], got.stdout + got.stderr

    # a version the repository does not have: the script fails
    bad_dir = _spec_dir(tmp_path / "bad", body.replace('"0.1.0"', '"9.9.9"').split("sources")[0], "r-bad")
    bad_script, bad_env = deploy(bad_dir, chroot, tmp_path / "bad-out")
    bad = run_init(chroot, bad_script, bad_env)
    assert bad.returncode != 0, bad.stdout[-3000:]
