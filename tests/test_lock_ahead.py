"""The overhead work of ``specc lock`` (issue "Lock", item 7; docs/lock.md "Cost").

* a re-lock refreshes the index pages of the previous lock's packages in one concurrent round,
  started before the spec is validated (:mod:`specc.lockahead`), and resolves offline from them;
* an offline answer is kept only when every package uv's resolver looked at had its page read
  from the index by this lock (pages it lacked are refreshed, then it asks the index).

Real uv runs (through uv's shared cache, or a private one against an index served on
127.0.0.1), no stand-ins: what is asserted is which runs happened and that the lock is the one a
plain online resolution gives.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specc import lockahead
from specc.lockfile import read_lock
from tests.helpers import EXAMPLES, run_cli


@pytest.fixture
def resolvers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every ``_Resolver`` a ``specc lock`` made, to read its counters after the run."""
    import specc.lock

    made: list[Any] = []
    real = specc.lock._Resolver.__init__

    def spy(self: Any, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(specc.lock._Resolver, "__init__", spy)
    return made


@pytest.fixture
def head_starts(monkeypatch: pytest.MonkeyPatch) -> list[lockahead.Refreshing]:
    """Every refresh ``specc lock`` started before validating the spec."""
    import specc.lockahead

    started: list[lockahead.Refreshing] = []
    real = specc.lockahead.start_refresh

    def spy(spec_path: Any, args: Any) -> Any:
        got = real(spec_path, args)
        if got is not None:
            started.append(got)
        return got

    monkeypatch.setattr(specc.lockahead, "start_refresh", spy)
    return started


def _pins(folder: Path) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    lock = read_lock(folder / "model-env.lock")
    return {p.name: (p.version, tuple(p.hashes)) for p in lock.python.packages}


def _args(**kw: Any) -> argparse.Namespace:
    base = dict(check=False, conda=False, platform=[], replace_platforms=False, upgrade=False, upgrade_package=[])
    return argparse.Namespace(**{**base, **kw})


def test_a_relock_refreshes_the_pages_at_once_and_resolves_offline(
    tmp_path: Path, resolvers: list[Any], head_starts: list[lockahead.Refreshing]
) -> None:
    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    before = (folder / "model-env.lock").read_bytes()
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert (folder / "model-env.lock").read_bytes() == before  # the committed lock, byte for byte
    [ahead] = head_starts
    assert ahead.used and not ahead.folder.exists()  # waited for, then its folder removed
    names = {p.name for p in read_lock(folder / "model-env.lock").python.packages}
    assert names <= set(ahead.refresh.names)  # every locked package's page, in the one round
    [res] = resolvers
    assert (res.online_runs, res.offline_kept, res.refresh_runs) == (0, 1, 1)
    assert names <= res.refreshed


def test_a_new_dependency_gets_its_page_refreshed_then_resolves_offline(tmp_path: Path, resolvers: list[Any]) -> None:
    """A requirement bringing a dependency the previous lock lacks (bleach needs webencodings):
    the offline answer looked at a page this lock had not read; it is refreshed (one more
    round) and the answer is kept only after that."""
    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    committed = (folder / "model-env.lock").read_bytes()
    toml = folder / "model-env.toml"
    toml.write_text(toml.read_text().replace('"numpy==2.4.6",', '"numpy==2.4.6",\n  "bleach==6.1.0",'))
    first = run_cli("lock", str(folder))  # bleach and webencodings into uv's cache, whatever path it takes
    assert first.code == 0, first.err
    expected = (folder / "model-env.lock").read_bytes()
    assert "webencodings" in _pins(folder) and b"webencodings" not in committed
    (folder / "model-env.lock").write_bytes(committed)
    resolvers.clear()
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert (folder / "model-env.lock").read_bytes() == expected
    [res] = resolvers
    assert "webencodings" in res.refreshed
    assert (res.online_runs, res.offline_kept, res.refresh_runs) == (0, 1, 2)


def test_an_unreadable_resolver_log_means_asking_the_index(
    tmp_path: Path, resolvers: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When uv's log does not say which packages it looked at (another uv's wording), which
    pages decided is unknown: the offline answer is not kept, the index is asked."""
    import specc.lock

    monkeypatch.setattr(specc.lock, "RESOLVER_LOG", ("RUST_LOG", "off"))
    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    before = _pins(folder)
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert _pins(folder) == before
    [res] = resolvers
    assert res.online_runs == 1 and res.offline_kept == 0


def test_the_installed_uv_names_what_its_resolver_looked_at(tmp_path: Path) -> None:
    """The log line :func:`visited_names` reads is still uv's (a uv that changed it would only
    lose the fast path, but the test says so)."""
    import subprocess

    from specc.lock import find_uv

    req = tmp_path / "r.in"
    req.write_text("Six==1.16.0\n")
    env = {**lockahead.base_env(), lockahead.RESOLVER_LOG[0]: lockahead.RESOLVER_LOG[1]}
    cmd = [find_uv(), "pip", "compile", str(req), "--python-version", "3.11", "--quiet", "-o", str(tmp_path / "o")]
    proc = subprocess.run([*cmd, "--offline"], capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:  # not in this cache yet: online once
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert lockahead.visited_names(proc.stderr) == {"six"}
    assert lockahead.visited_names("DEBUG Searching for a compatible version of dask[complete] (==1)\n") == {"dask"}
    assert lockahead.visited_names("DEBUG Searching for a compatible version of Foo_Bar{sys_platform == 'x'}") == {
        "foo-bar"
    }
    assert lockahead.visited_names("nothing here") == set()


def test_what_is_refreshed_ahead_comes_from_the_raw_files(tmp_path: Path) -> None:
    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    spec = folder / "model-env.toml"
    found = lockahead.refresh_names(spec)
    assert found is not None
    python, names = found
    locked = {p.name for p in read_lock(folder / "model-env.lock").python.packages}
    assert python == "3.11" and set(names) == locked | {"scikit-learn", "pandas", "numpy"} and names == sorted(names)
    original = spec.read_text()
    spec.write_text(
        original.replace('"numpy==2.4.6",', '"numpy==2.4.6",\n  "Foo_Bar[x] >=1 ; python_version > \'3\'",')
    )
    found = lockahead.refresh_names(spec)
    assert found is not None and "foo-bar" in found[1]
    # only what surely asks PyPI alone: not with a remote direct reference, a key the spec does not
    # know (a misspelt index key must not send private names to PyPI), or an index the lock records
    spec.write_text(original.replace('"numpy==2.4.6",', '"numpy==2.4.6",\n  "gitdep @ git+https://example.com/g.git",'))
    assert lockahead.refresh_names(spec) is None
    spec.write_text(original.replace("[python]\n", '[python]\nextra-index-url = "https://pkgs.example.com/simple"\n'))
    assert "extra-index-url" in spec.read_text() and lockahead.refresh_names(spec) is None
    spec.write_text(original)
    lock = folder / "model-env.lock"
    locked_text = lock.read_text()
    lock.write_text(
        locked_text.replace("extra-index-urls = []", 'extra-index-urls = ["https://pkgs.example.com/simple"]')
    )
    assert lockahead.refresh_names(spec) is None
    lock.write_text(locked_text)
    # outside what is refreshed: no run is started
    assert lockahead.start_refresh(spec, _args(check=True)) is None
    assert lockahead.start_refresh(spec, _args(conda=True)) is None
    priv = tmp_path / "priv"
    priv.mkdir()
    (priv / "model-env.lock").write_bytes((folder / "model-env.lock").read_bytes())
    (priv / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nindex-url = "https://pkgs.example.com/simple"\n'
        'requirements = ["six==1.16.0"]\n'
    )
    assert lockahead.refresh_names(priv / "model-env.toml") is None  # an index of its own: asked online
    (folder / "model-env.lock").unlink()
    assert lockahead.refresh_names(spec) is None  # no lock: nothing known to refresh


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
    refresh and the resolutions pass this Python when it is the spec's minor, else nothing."""
    import sys

    from specc.lockahead import PageRefresh, UvCompile, build_interpreter

    mine = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert build_interpreter(mine) == sys.executable
    assert build_interpreter(mine + ".99") == sys.executable  # an exact micro: still this minor
    assert build_interpreter("3.1") is None and build_interpreter("2.7") is None
    refresh = PageRefresh("uv", ("six",), "3.9", (), str(tmp_path))  # builds nothing: this Python always
    cmd = refresh.command(tmp_path)
    assert cmd[cmd.index("--python") + 1] == sys.executable and "--no-deps" in cmd and "--universal" in cmd
    call = UvCompile("uv", (("requirements.in", "six\n"),), "", None, "3.1", "x86_64-manylinux_2_28", (), (), ".")
    assert "--python" not in call.command(tmp_path)


# --- the rule, against an index that changes (served on 127.0.0.1, a private uv cache) ---------


@pytest.fixture
def moving_index(tmp_path: Path) -> Iterator[tuple[Any, Path, dict[str, str]]]:
    """An index with ``alpha`` 1.0 and 2.0 (2.0 needs ``delta>=2``) and ``delta`` 1.0 only, so
    ``alpha`` resolves to 1.0; the environment resolutions run in (that index, a new cache).
    Its pages say ``Cache-Control: no-cache``, so uv's online runs revalidate every page they
    read (without it uv takes a page served a moment ago as fresh, online or not)."""
    from tests.infra.pypi_index import PypiIndex, build_tiny_wheel

    wheels = tmp_path / "wheels"
    build_tiny_wheel(wheels, "alpha", "1.0")
    build_tiny_wheel(wheels, "alpha", "2.0", requires=["delta>=2"])
    build_tiny_wheel(wheels, "delta", "1.0")
    idx = PypiIndex(wheels, cache_control="no-cache")
    idx.start()
    env = {**lockahead.base_env(), "UV_INDEX_URL": idx.url, "UV_CACHE_DIR": str(tmp_path / "uv-cache")}
    try:
        yield idx, wheels, env
    finally:
        idx.close()


def _publish(idx: Any, wheels: Path, name: str, version: str) -> None:
    """Add a release; the regenerated pages get a later modification time than any page uv
    has cached (the server answers If-Modified-Since to the second)."""
    from tests.infra.pypi_index import build_tiny_wheel

    build_tiny_wheel(wheels, name, version)
    idx.refresh()
    later = time.time() + 5
    for page in (idx._tmp / "simple").rglob("index.html"):
        os.utime(page, (later, later))


def _resolver(tmp_path: Path, env: dict[str, str], refresh: set[str], tag: str) -> Any:
    import specc
    from specc.lock import _Resolver, find_uv

    folder = tmp_path / "spec"
    folder.mkdir(exist_ok=True)
    (folder / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["alpha"]\n'
    )
    spec = specc.load(folder / "model-env.toml")
    return _Resolver(spec, find_uv(), env, [], tmp_path / tag, None, refresh)


def test_an_offline_answer_counts_only_when_online_would_give_it(
    tmp_path: Path, moving_index: tuple[Any, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """delta 2.0 is published after uv's cache read delta's page (1.0 only).  A re-lock that
    refreshes alpha alone (the previous lock's one package) resolves offline, and uv looks at
    delta's stale page: refused, delta's page is refreshed.  Offline again, uv now sees delta
    2.0 but has no metadata for it; it skips it, backs off to alpha 1.0 and exits 0: refused
    too (the warning in its log), and the index decides: alpha 2.0 with delta 2.0.  Once that
    metadata is cached, the same re-lock is answered offline.  Each half of the rule is needed:
    without either, a re-lock keeps an answer the index no longer gives."""
    import specc.lock

    idx, wheels, env = moving_index
    inputs = [("requirements.in", "alpha\n")]
    plat = "x86_64-manylinux_2_28"
    first = _resolver(tmp_path, env, set(), "first").compile(inputs, plat, {}, set(), {})
    assert first.versions == {"alpha": "1.0"}  # online; delta's page (1.0 only) is now in the cache
    _publish(idx, wheels, "delta", "2.0")
    with monkeypatch.context() as m:  # control: a rule that looked only at the answer's packages
        m.setattr(specc.lock, "visited_names", lambda log: {"alpha"})
        stale = _resolver(tmp_path, env, {"alpha"}, "control-visited")
        assert stale.compile(inputs, plat, {}, {"alpha"}, {}).versions == {"alpha": "1.0"}  # stale

    r = _resolver(tmp_path, env, {"alpha"}, "relock")
    got = r.compile(inputs, plat, {}, {"alpha"}, {})
    assert got.versions == {"alpha": "2.0", "delta": "2.0"}
    assert (r.online_runs, r.offline_kept, r.refresh_runs) == (1, 0, 2)  # alpha, delta; then online
    again = _resolver(tmp_path, env, {"alpha"}, "again")
    assert again.compile(inputs, plat, {}, {"alpha"}, {}).versions == {"alpha": "2.0", "delta": "2.0"}
    assert (again.online_runs, again.offline_kept, again.refresh_runs) == (0, 1, 2)

    _publish(idx, wheels, "delta", "3.0")
    with monkeypatch.context() as m:  # control: a rule that trusted an offline exit 0
        m.setattr(specc.lock, "offline_incomplete", lambda log: False)
        skipped = _resolver(tmp_path, env, {"alpha", "delta"}, "control-metadata")
        assert skipped.compile(inputs, plat, {}, {"alpha"}, {}).versions == {"alpha": "2.0", "delta": "2.0"}
    fresh = _resolver(tmp_path, env, {"alpha", "delta"}, "fresh")
    assert fresh.compile(inputs, plat, {}, {"alpha"}, {}).versions == {"alpha": "2.0", "delta": "3.0"}
    assert fresh.online_runs == 1


def test_a_new_release_of_a_locked_package_is_seen_by_a_relock(
    tmp_path: Path, moving_index: tuple[Any, Path, dict[str, str]]
) -> None:
    """The refreshed pages are the index's current ones: ``--upgrade`` of a locked package
    finds a release published after the cache last read its page (its metadata is not cached
    yet, so that resolution asks the index); the next re-lock is answered offline."""
    idx, wheels, env = moving_index
    inputs = [("requirements.in", "alpha\n")]
    _resolver(tmp_path, env, set(), "first").compile(inputs, "x86_64-manylinux_2_28", {}, set(), {})
    _publish(idx, wheels, "alpha", "3.0")
    r = _resolver(tmp_path, env, {"alpha", "delta"}, "relock")
    got = r.compile(inputs, "x86_64-manylinux_2_28", {"alpha": "1.0"}, {"alpha"}, {})
    assert got.versions == {"alpha": "3.0"}
    assert (r.online_runs, r.offline_kept) == (1, 0)
    r = _resolver(tmp_path, env, {"alpha", "delta"}, "again")
    got = r.compile(inputs, "x86_64-manylinux_2_28", {"alpha": "1.0"}, {"alpha"}, {})
    assert got.versions == {"alpha": "3.0"} and (r.online_runs, r.offline_kept) == (0, 1)
    kept = r.compile(inputs, "x86_64-manylinux_2_28", {"alpha": "1.0"}, set(), {})  # a preference holds
    assert kept.versions == {"alpha": "1.0"} and r.online_runs == 0


def test_a_head_start_made_for_other_indexes_is_not_used(
    tmp_path: Path, moving_index: tuple[Any, Path, dict[str, str]]
) -> None:
    _, _, env = moving_index
    inputs = [("requirements.in", "alpha\n")]
    _resolver(tmp_path, env, set(), "first").compile(inputs, "x86_64-manylinux_2_28", {}, set(), {})
    from specc.lock import find_uv

    other = {**env, "UV_INDEX_URL": "http://127.0.0.1:9/simple"}  # not this lock's index
    refresh = lockahead.PageRefresh(find_uv(), ("alpha",), "3.11", tuple(sorted(other.items())), str(tmp_path))
    ahead = lockahead.Refreshing.start(refresh)
    r = _resolver(tmp_path, env, {"alpha", "delta"}, "relock")
    r.ahead = ahead
    got = r.compile(inputs, "x86_64-manylinux_2_28", {}, set(), {})
    assert got.versions == {"alpha": "1.0"} and (r.online_runs, r.offline_kept, r.refresh_runs) == (0, 1, 1)
    assert not ahead.used and not ahead.folder.exists()  # stopped and removed, not waited for


def test_an_index_that_cannot_be_asked_stops_the_refresh_rounds(
    tmp_path: Path, moving_index: tuple[Any, Path, dict[str, str]]
) -> None:
    """No network (the index stopped): the first refresh fails, and that failure is reported at
    once (SPC602, suggesting --offline), instead of refreshing again round after round and then
    asking online (each try waits for uv's retries: a re-lock took 18 s, then 10.7 s, to fail)."""
    from specc.lock import LockFailed

    idx, _, env = moving_index
    inputs = [("requirements.in", "alpha\n")]
    _resolver(tmp_path, env, set(), "first").compile(inputs, "x86_64-manylinux_2_28", {}, set(), {})
    idx.stop()
    env = {**env, "UV_HTTP_RETRIES": "0"}  # uv's retries would only make the test wait
    r = _resolver(tmp_path, env, {"alpha", "delta"}, "down")
    with pytest.raises(LockFailed) as exc:
        r.compile(inputs, "x86_64-manylinux_2_28", {}, {"alpha"}, {})
    # the refresh's own failure is the answer: no online run waits for the same retries again
    assert (r.refresh_runs, r.online_runs, r.offline_kept) == (1, 0, 0) and not r.cacheable
    [d] = exc.value.diagnostics
    assert d.code == "SPC602" and d.message.startswith("uv cannot reach the package index")
    assert "could not reach a package index" in (d.hint or "") and "specc lock --offline" in (d.hint or "")


def test_uv_configuration_files_do_not_change_the_indexes(tmp_path: Path) -> None:
    """The spec names the indexes: a uv.toml beside it (or the user's) naming another index is
    not read (it made a lock resolve against that index without the lock saying so)."""
    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    (folder / "uv.toml").write_text('[pip]\nindex-url = "http://127.0.0.1:9/simple"\n')
    before = (folder / "model-env.lock").read_bytes()
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert (folder / "model-env.lock").read_bytes() == before
    assert lockahead.base_env({"UV_INDEX_URL": "http://x", "UV_CACHE_DIR": "/c"}) == {
        "UV_CACHE_DIR": "/c",
        "UV_NO_CONFIG": "1",
        "UV_PYTHON_DOWNLOADS": "never",
    }


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["-P", "numpy==1.2"], "--upgrade-package takes a package name, not 'numpy==1.2'"),
        (["-P", ""], "--upgrade-package takes a package name, not ''"),
        (["--platform", "bogus-os"], "--platform 'bogus-os' is not a platform uv can lock for"),
        (["--platform", "linux/ppc64le"], "--platform 'linux/ppc64le' is not a platform uv can lock for"),
        (["--check", "--platform", "linux-aarch64"], "--platform does nothing with --check"),
        (["--check", "-U", "-P", "numpy"], "--upgrade, --upgrade-package do nothing with --check"),
        (["--check", "--conda"], "--conda does nothing with --check"),
        (["--no-overlay"], "--no-overlay changes what --verify installs; use it with --verify"),
    ],
)
def test_flags_that_cannot_work_are_usage_errors(argv: list[str], said: str, tmp_path: Path) -> None:
    """Values uv would refuse came back as SPC602 "the requirements cannot be satisfied together"
    (exit 1); flags --check ignores passed silently ("up to date" on an x86-only lock asked
    for aarch64).  Each is a usage error now (exit 2), and nothing is resolved or written."""
    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    before = (folder / "model-env.lock").read_bytes()
    r = run_cli("lock", *argv, str(folder))
    assert r.code == 2 and said in r.err, r.err
    assert (folder / "model-env.lock").read_bytes() == before and not (folder / "model-env.conda.yml").exists()


def test_offline_resolves_from_the_cache_and_asks_no_index(
    tmp_path: Path, moving_index: tuple[Any, Path, dict[str, str]]
) -> None:
    """`specc lock --offline` (or UV_OFFLINE): with the index gone, a lock whose pages are cached
    is made from the cache, nothing refreshed (a re-lock without network failed after 18 s)."""
    idx, _, env = moving_index
    inputs = [("requirements.in", "alpha\n")]
    _resolver(tmp_path, env, set(), "first").compile(inputs, "x86_64-manylinux_2_28", {}, set(), {})
    idx.stop()
    import specc
    from specc.lock import _Resolver, find_uv

    spec = specc.load(tmp_path / "spec" / "model-env.toml")
    r = _Resolver(spec, find_uv(), env, [], tmp_path / "offline", None, {"alpha", "delta"}, offline=True)
    got = r.compile(inputs, "x86_64-manylinux_2_28", {}, set(), {})
    assert got.versions == {"alpha": "1.0"} and r.refresh_runs == 0 and not r.cacheable
    # and the flag: usage with --check is an error; the command line takes it
    folder = tmp_path / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", folder)
    before = (folder / "model-env.lock").read_bytes()
    assert run_cli("lock", "--check", "--offline", str(folder)).code == 2
    ok = run_cli("lock", "--offline", str(folder))
    assert ok.code == 0, ok.err
    assert (folder / "model-env.lock").read_bytes() == before


def test_a_local_wheel_is_read_from_its_file_not_refreshed(tmp_path: Path, resolvers: list[Any]) -> None:
    """A spec's local wheel is no index page: its name is never refreshed from PyPI (a name PyPI
    lacks made the refresh fail and every such re-lock ask online, slower than before), and a
    rebuilt wheel with a new dependency is seen by the offline resolution (uv reads the file)."""
    import os

    from tests.infra.pypi_index import build_tiny_wheel

    folder = tmp_path / "proj"
    (folder / "dist").mkdir(parents=True)
    wheel = build_tiny_wheel(folder / "dist", "specc-local-only-wheel", "1.0")
    (folder / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["idna==3.4"]\n'
        'wheels = ["dist/specc_local_only_wheel-1.0-py3-none-any.whl"]\n'
    )
    assert run_cli("lock", str(folder)).code == 0
    resolvers.clear()
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    [res] = resolvers
    assert (res.online_runs, res.offline_kept) == (0, 1) and "specc-local-only-wheel" in res.refreshed
    # rebuilt with a dependency (a later modification time): the re-lock locks it
    build_tiny_wheel(folder / "dist", "specc-local-only-wheel", "1.0", requires=["six==1.16.0"])
    later = wheel.stat().st_mtime + 10
    os.utime(wheel, (later, later))
    r = run_cli("lock", str(folder))
    assert r.code == 0, r.err
    assert _pins(folder)["six"][0] == "1.16.0"


def test_offline_with_a_package_never_fetched_says_so(
    tmp_path: Path, moving_index: tuple[Any, Path, dict[str, str]]
) -> None:
    """--offline and a package not in uv's cache: SPC602 names it and says to lock once with the
    network, at the spec's line (it said "cannot be satisfied together" at the lock)."""
    from specc.lock import LockFailed, _Resolver, find_uv

    _, _, env = moving_index
    folder = tmp_path / "spec"
    folder.mkdir()
    (folder / "model-env.toml").write_text(
        'spec-version = 1\n[runtime]\npython = "3.11"\n[python]\nrequirements = ["delta==1.0"]\n'
    )
    import specc

    spec = specc.load(folder / "model-env.toml")
    r = _Resolver(spec, find_uv(), env, [], tmp_path / "off", None, (), offline=True)
    with pytest.raises(LockFailed) as exc:
        r.compile([("requirements.in", "delta==1.0\n")], "x86_64-manylinux_2_28", {}, set(), {})
    [d] = exc.value.diagnostics
    assert "delta is not in uv's cache" in (d.hint or "") and tuple(d.path) == ("python", "requirements", 0)
