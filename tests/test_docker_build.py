"""Real builds of rendered Docker contexts with buildah (no Docker engine, no registry here).

Every image is built once per session on the local Debian bookworm base
(``--pull=never --build-arg BASE=<local base>``; ``tests/infra/README.md`` has how and why).
What is proven, image by image:

* sklearn-basic (+ a logged pyfunc model, serve = true): sklearn and the code path import; the
  server answers ``/invocations`` on 127.0.0.1 with the right prediction; after a code-only
  change every dependency step comes from the layer cache.
* private-index: an index on 127.0.0.1 that demands a token; the build succeeds with
  ``--secret``, fails without, and the token is in no layer, config or manifest.
* Maven: Ivy resolves ``com.example:app:1.0`` (+ transitive ``lib``) from a repository fixture;
  both are on the classpath with the private jar, the excluded ``slf4j-api`` is not; the private
  ``.deb`` is installed by the apt layer.
* R: ``tinypkg`` 0.1.0 (an archived version) from a CRAN-like fixture and the private source
  package ``churnr`` load with ``library()``.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import urllib.request
from pathlib import Path

import pytest

from specc.api import load
from specc.backends import RenderOptions, write_rendered
from specc.backends import docker as backend
from tests.infra.buildah import Buildah, BuildResult, free_port
from tests.infra.pypi_index import build_tiny_wheel
from tests.test_docker import save_model

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# CI installs buildah (.ci/install-system-deps.sh); a missing one must fail loudly, not skip
assert shutil.which("buildah"), "buildah is not installed: run .ci/install-system-deps.sh"


def render_context(spec_dir: Path, out: Path, model_dir: Path | None = None) -> Path:
    spec = load(spec_dir / "model-env.toml")
    rendered = backend.render(spec, RenderOptions(model_dir=model_dir))
    assert not [d for d in rendered.diagnostics if d.severity == "error"], rendered.diagnostics
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    write_rendered(rendered, out)
    return out


def build(buildah: Buildah, base: str, ctx: Path, tag: str, **kw: object) -> BuildResult:
    return buildah.bud(ctx, tag, build_args={"BASE": base}, **kw)  # type: ignore[arg-type]


def image_config(buildah: Buildah, image: str) -> dict:  # type: ignore[type-arg]
    """The image's Docker config (``Entrypoint``, ``User``, ``Healthcheck``...); buildah 1.28's
    ``--format`` has no ``json`` function, so parse the whole inspect output."""
    out = buildah._buildah(["inspect", "--type", "image", image]).stdout
    return json.loads(out)["Docker"]["config"]


# --- sklearn-basic: build, import, serve, cache --------------------------------------------


@pytest.fixture(scope="module")
def sklearn_build(buildah: Buildah, base_image: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    work = tmp_path_factory.mktemp("sklearn")
    repo = work / "sklearn-basic"
    shutil.copytree(EXAMPLES / "sklearn-basic", repo)
    port = free_port()
    toml = (repo / "model-env.toml").read_text()
    (repo / "model-env.toml").write_text(toml.replace("serve = true", f"serve = true\nport = {port}"))
    model = save_model(work / "model", repo / "src")
    ctx = render_context(repo, work / "ctx", model)
    result = build(buildah, base_image, ctx, "localhost/specc-sklearn:1").check()
    return {
        "repo": repo,
        "ctx": ctx,
        "model": model,
        "port": port,
        "image": "localhost/specc-sklearn:1",
        "first": result,
    }


def test_sklearn_image_imports_sklearn_and_code(buildah: Buildah, sklearn_build: dict) -> None:  # type: ignore[type-arg]
    proc = buildah.run(
        sklearn_build["image"],
        ["python", "-c", "import sklearn, iris_features; print(sklearn.__version__, iris_features.FEATURES[0])"],
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1.9.1", "sepal_length"]


def test_sklearn_image_config_serves_as_non_root(buildah: Buildah, sklearn_build: dict) -> None:  # type: ignore[type-arg]
    cfg = image_config(buildah, sklearn_build["image"])
    assert cfg["User"] == "10001"
    assert cfg["Entrypoint"][:3] == ["mlflow", "models", "serve"] and "local" in cfg["Entrypoint"]
    assert cfg["Healthcheck"]["Test"][0] in ("CMD", "CMD-SHELL")
    assert f"{sklearn_build['port']}/tcp" in cfg["ExposedPorts"]


def test_sklearn_image_serves_predictions(buildah: Buildah, sklearn_build: dict) -> None:  # type: ignore[type-arg]
    cfg = image_config(buildah, sklearn_build["image"])
    port = sklearn_build["port"]
    with buildah.start_server(sklearn_build["image"], cfg["Entrypoint"], port, ready_path="/ping", timeout=120) as srv:
        body = json.dumps(
            {
                "dataframe_split": {
                    "columns": ["sepal_length", "sepal_width", "petal_length", "petal_width"],
                    "data": [[5.1, 3.5, 1.4, 0.2], [6.0, 3.0, 4.5, 1.5]],
                }
            }
        ).encode()
        req = urllib.request.Request(f"{srv.url}/invocations", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            answer = json.loads(resp.read())
        # the healthcheck command itself, run inside the image against the live server
        health = cfg["Healthcheck"]["Test"]
        assert buildah.run(sklearn_build["image"], health[1:]).returncode == 0
    assert answer["predictions"] == pytest.approx([14.0, 6.0])


def test_code_change_keeps_every_dependency_layer_cached(
    buildah: Buildah,
    base_image: str,
    sklearn_build: dict,  # type: ignore[type-arg]
) -> None:
    repo = sklearn_build["repo"]
    init = repo / "src" / "iris_features" / "__init__.py"
    init.write_text(init.read_text() + "\n# a code-only change\n")
    ctx = render_context(repo, sklearn_build["ctx"].parent / "ctx2", sklearn_build["model"])
    before = (sklearn_build["ctx"] / "deps").rglob("*")
    for path in before:  # the files of the dependency layers are byte-identical
        if path.is_file():
            assert path.read_bytes() == (ctx / path.relative_to(sklearn_build["ctx"])).read_bytes()
    result = build(buildah, base_image, ctx, "localhost/specc-sklearn:2").check()
    steps = result.steps
    code_step = next(i for i, s in enumerate(steps) if s.startswith("COPY code/"))
    dependency_steps = [s for s in steps[1:code_step]]
    assert dependency_steps, steps
    cached = result.cached_steps()
    assert [s for s in dependency_steps if s not in cached] == []
    assert steps[code_step] not in cached


# --- private index --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def private_index(pypi_index_factory, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    wheels = tmp_path_factory.mktemp("private-wheels")
    build_tiny_wheel(wheels, "acme-tokenizer", "2.1.0")
    canary = "canary-" + secrets.token_hex(12)
    return pypi_index_factory(wheels, username="__token__", password=canary), canary


@pytest.fixture(scope="module")
def private_ctx(private_index, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    index, _ = private_index
    repo = tmp_path_factory.mktemp("private") / "private-index"
    shutil.copytree(EXAMPLES / "private-index", repo)
    toml = (repo / "model-env.toml").read_text()
    url = index.url.replace("http://", "http://${PYPI_USER}:${PYPI_TOKEN}@")
    toml = toml.replace("https://${PYPI_USER}:${PYPI_TOKEN}@pkgs.example.com/simple", url)
    # Keep the test fast: the two public pins (sklearn, numpy) prove nothing about the index.
    toml = re.sub(r'\n  "(scikit-learn|numpy)==[^"]+",', "", toml)
    (repo / "model-env.toml").write_text(toml)
    return render_context(repo, repo.parent / "ctx")


def test_private_index_needs_the_secret_and_never_stores_it(
    buildah: Buildah,
    base_image: str,
    private_index,  # type: ignore[no-untyped-def]
    private_ctx: Path,
    tmp_path: Path,
) -> None:
    _index, canary = private_index
    (tmp_path / "user.txt").write_text("__token__\n")
    (tmp_path / "token.txt").write_text(canary + "\n")
    ok = build(
        buildah,
        base_image,
        private_ctx,
        "localhost/specc-private:1",
        secrets={"pypi_user": tmp_path / "user.txt", "pypi_token": tmp_path / "token.txt"},
    ).check()
    assert "Successfully installed" in ok.log and "acme-tokenizer-2.1.0" in ok.log.replace("_", "-")
    # build_tiny_wheel names the module after the distribution: acme_tokenizer
    proc = buildah.run("localhost/specc-private:1", ["python", "-c", "import acme_tokenizer, featurizer"])
    assert proc.returncode == 0, proc.stderr
    found = buildah.find_in_image("localhost/specc-private:1", [canary, "acme_tokenizer"])
    assert found[b"acme_tokenizer"], "positive control: the installed package must be found in the layers"
    assert not found[canary.encode()], "the index token leaked into a layer, the config or the manifest"

    # --no-cache: a layer cache key never includes secrets (BuildKit's neither), so a cached
    # install step would hide the missing secret.
    without = build(buildah, base_image, private_ctx, "localhost/specc-private:nosecret", extra_args=["--no-cache"])
    assert not without.ok
    assert "build secret 'pypi_user' is missing" in without.log


# --- Maven through Ivy ----------------------------------------------------------------------


def test_maven_jars_on_classpath_with_exclusions(
    buildah: Buildah,
    base_image: str,
    maven_repo,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    repo = tmp_path / "maven-model"
    shutil.copytree(EXAMPLES / "kitchen-sink" / "lib", repo / "lib")  # the private jar and .deb
    (repo / "model-env.toml").write_text(
        'spec-version = 1\n[model]\nname = "jvm-model"\n[runtime]\npython = "3.11"\n'
        '[apt]\ndebs = ["lib/libchurn_1.0_amd64.deb"]\n'
        f'[maven]\nrepository = "{maven_repo.url}"\n'
        'packages = [{ coordinates = "com.example:app:1.0", exclusions = ["org.slf4j:slf4j-api"] }]\n'
        'jars = ["lib/churn-udfs-1.2.0.jar"]\n'
    )
    ctx = render_context(repo, tmp_path / "ctx")
    build(buildah, base_image, ctx, "localhost/specc-maven:1").check()
    ls = buildah.run("localhost/specc-maven:1", ["sh", "-c", "ls /opt/specc/jars; echo CP=$CLASSPATH"])
    assert ls.returncode == 0, ls.stderr
    jars = sorted(ls.stdout.split()[:-1])
    assert jars == ["churn-udfs-1.2.0.jar", "com.example-app-1.0.jar", "com.example-lib-2.0.jar"], ls.stdout
    assert "CP=/opt/specc/jars/*" in ls.stdout
    app = buildah.run("localhost/specc-maven:1", ["java", "com.example.app.App"])
    assert app.stdout.strip() == "com.example:app:1.0", app.stderr
    excluded = buildah.run("localhost/specc-maven:1", ["java", "org.slf4j.slf4j_api.Slf4j_api"])
    assert excluded.returncode != 0
    # the private .deb was installed in the apt layer
    deb = buildah.run("localhost/specc-maven:1", ["cat", "/usr/share/libchurn/thresholds.conf"])
    assert deb.returncode == 0 and deb.stdout, deb.stderr


# --- R from a CRAN-like repository ----------------------------------------------------------


def test_r_package_from_cran_like_repository(
    buildah: Buildah,
    base_image: str,
    cran_repo,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    repo = tmp_path / "r-model"
    shutil.copytree(EXAMPLES / "kitchen-sink" / "lib", repo / "lib")  # the private R source package
    (repo / "model-env.toml").write_text(
        'spec-version = 1\n[model]\nname = "r-model"\n[runtime]\npython = "3.11"\n'
        f'[r]\nrepository = "{cran_repo.url}"\n'
        'packages = [{ name = "tinypkg", version = "0.1.0" }]\n'  # archived: not the current 0.2.0
        'sources = ["lib/churnr_0.3.0.tar.gz"]\n'
    )
    ctx = render_context(repo, tmp_path / "ctx")
    build(buildah, base_image, ctx, "localhost/specc-r:1").check()
    proc = buildah.run(
        "localhost/specc-r:1",
        [
            "Rscript",
            "-e",
            "library(tinypkg); library(churnr); cat(twice(21), as.character(packageVersion('tinypkg')))",
        ],
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["42", "0.1.0"]
