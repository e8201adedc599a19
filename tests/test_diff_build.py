"""``specc diff``'s Docker layer report against a real layer cache: buildah builds OLD, then NEW
with ``--layers``, and the steps buildah takes from its cache are exactly the ones diff says stay
cached (tests/infra/buildah.py; no Docker engine or registry needed).

The spec installs a local wheel only (``python.wheels``), so the builds need no network.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from specc import load
from specc.backends import get_backend
from specc.backends.base import write_rendered
from specc.diff import diff
from tests.infra.buildah import Buildah

pytestmark = pytest.mark.slow

SPEC = """\
spec-version = 1
[model]
name = "churn"
[runtime]
python = "3.11"
[python]
wheels = ["dist/{wheel}"]
[code]
paths = ["src/churn"]
[env]
OMP_NUM_THREADS = "{threads}"
[targets.docker]
serve = false
"""


def repo(folder: Path, wheels: Path, *, version: str = "0.1.0", threads: str = "4", code: str = "K = 1\n") -> Path:
    (folder / "src" / "churn").mkdir(parents=True)
    (folder / "src" / "churn" / "__init__.py").write_text(code, encoding="utf-8")
    (folder / "dist").mkdir()
    wheel = f"tinypkg-{version}-py3-none-any.whl"
    shutil.copy(wheels / wheel, folder / "dist" / wheel)
    (folder / "model-env.toml").write_text(SPEC.format(wheel=wheel, threads=threads), encoding="utf-8")
    return folder


def context(spec_dir: Path, out: Path) -> Path:
    backend = get_backend("docker")
    rendered = backend.render(load(spec_dir / "model-env.toml"), backend.options_type())
    assert not [d for d in rendered.diagnostics if d.severity == "error"], rendered.diagnostics
    out.mkdir(parents=True)
    write_rendered(rendered, out)
    return out


@pytest.mark.parametrize(
    ("change", "first_rebuilt"),
    [
        ({"code": "K = 2\n"}, "COPY code/"),
        ({"threads": "8"}, "ENV "),
        ({"version": "0.2.0"}, "COPY deps/python/"),
    ],
)
def test_diff_layers_match_the_real_layer_cache(
    buildah: Buildah,
    base_image: str,
    tiny_wheels_dir: Path,
    tmp_path: Path,
    change: dict[str, str],
    first_rebuilt: str,
) -> None:
    old = repo(tmp_path / "old", tiny_wheels_dir)
    new = repo(tmp_path / "new", tiny_wheels_dir, **change)
    tag = f"localhost/specc-diff-{tmp_path.name.lower()}"
    buildah.bud(context(old, tmp_path / "ctx-old"), f"{tag}:old", build_args={"BASE": base_image}).check()
    built = buildah.bud(context(new, tmp_path / "ctx-new"), f"{tag}:new", build_args={"BASE": base_image}).check()

    layers = diff(str(old), str(new)).targets["docker"].docker
    assert layers is not None and layers.computed
    steps = [s for s in built.steps if not s.startswith("FROM ")]
    cached = set(built.cached_steps())
    rebuilt = [s for s in steps if s not in cached]
    assert rebuilt and rebuilt[0].startswith(first_rebuilt), built.steps
    # diff names the same steps, in order, and counts the rest as cached
    assert [i.instruction for i in layers.invalidated] == [s.split(" ", 1)[0] for s in rebuilt]
    assert layers.kept == len(steps) - len(rebuilt) + sum(1 for s in built.steps if s.startswith("FROM "))
