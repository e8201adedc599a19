"""The precompiled templates (``specc/_templates/``) are exactly what their sources say.

``scripts/compile_templates.py`` compiles ``targets/**/*.j2`` with Jinja2's own
``Environment.compile_templates``; the runtime loads the modules with ``jinja2.ModuleLoader``
(issue 10: no template is parsed at start-up).  These tests keep that safe: the committed modules
are what the script writes today (a template edited without regenerating fails here), the
script writes the same bytes every time, every template renders the same bytes from the source
and from its module on the real views of every example, and an installed specc (no checkout)
uses the modules while a checkout whose template was edited renders the edit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

import specc.templating as templating
from tests.helpers import REPO, example_names, run_cli

SCRIPT = REPO / "scripts" / "compile_templates.py"
COMPILED = REPO / "specc" / "_templates"
TEMPLATES = sorted(p.relative_to(REPO / "targets").as_posix() for p in (REPO / "targets").rglob("*.j2"))


def generate(out: Path, *, hash_seed: str = "0") -> dict[str, bytes]:
    """Run the generator into ``out`` in a fresh interpreter; the files it wrote by name."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)], cwd=REPO, capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def committed() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(COMPILED.glob("*.py"))}


def test_the_committed_modules_are_what_the_generator_writes(tmp_path: Path) -> None:
    fresh = generate(tmp_path / "a")
    have = committed()
    stale = sorted(n for n in fresh.keys() | have.keys() if fresh.get(n) != have.get(n))
    names = {jinja2.ModuleLoader.get_module_filename(t): t for t in TEMPLATES}
    assert not stale, (
        f"specc/_templates/ is stale for {[names.get(n, n) for n in stale]} (Jinja2 {jinja2.__version__}): "
        "run `python scripts/compile_templates.py` and commit the result"
    )
    check = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_generation_is_deterministic(tmp_path: Path) -> None:
    """Same templates, same bytes: another hash seed and another folder change nothing."""
    assert generate(tmp_path / "a", hash_seed="0") == generate(tmp_path / "deeper" / "b", hash_seed="4242")


def test_check_reports_a_stale_folder_and_a_rewrite_fixes_it(tmp_path: Path) -> None:
    out = tmp_path / "t"
    generate(out)
    module = out / jinja2.ModuleLoader.get_module_filename("docker/Dockerfile.j2")
    module.write_text(module.read_text() + "# edited\n")
    (out / "tmpl_0000.py").write_text("# a template that no longer exists\n")
    check = subprocess.run([sys.executable, str(SCRIPT), "--check", "--out", str(out)], capture_output=True, text=True)
    assert check.returncode == 1 and module.name in check.stdout and "tmpl_0000.py" in check.stdout
    assert generate(out) == committed()  # rewritten, and the orphan removed


def test_every_template_has_a_module_and_nothing_else_does() -> None:
    from specc import _templates

    assert sorted(_templates.SOURCES) == TEMPLATES
    modules = {jinja2.ModuleLoader.get_module_filename(t) for t in TEMPLATES}
    assert {p.name for p in COMPILED.glob("tmpl_*.py")} == modules
    assert jinja2.__version__ == _templates.JINJA2_VERSION


def test_the_runtime_environment_loads_the_modules() -> None:
    env = templating.environment()
    assert isinstance(env.loader, jinja2.ModuleLoader)
    assert not env.loader.has_source_access  # nothing parsed: the loader cannot even read sources
    source = templating.source_environment()
    for env_ in (env, source):  # the same options on both sides
        assert env_.undefined is jinja2.StrictUndefined and not env_.autoescape
        assert env_.keep_trailing_newline and env_.trim_blocks and env_.lstrip_blocks
    assert {k: source.filters[k] for k in ("shquote", "dockerfile_json", "dockerfile_env_value")} == {
        k: env.filters[k] for k in ("shquote", "dockerfile_json", "dockerfile_env_value")
    }
    with pytest.raises(jinja2.UndefinedError):  # strict with the modules too
        env.get_template("docker/dockerignore.j2").render()


SERVERLESS = (  # the only way to the serverless job's script (score_job.py.j2): no example is serverless
    'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.12"\ndatabricks = "serverless-v3"\n'
    '[python]\nrequirements = ["nltk==3.9.1"]\n'
    '[targets.databricks]\nlibraries-dir = "/Volumes/main/ml/specc"\n'
    'notebook-dir = "/Workspace/Users/me@example.com/specc"\n'
)


def test_every_template_renders_the_same_bytes_from_source_and_precompiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every ``render_template`` call of ``specc render`` on every example (both targets, plus a
    serverless spec), replayed through the source environment and the precompiled one."""
    calls: list[tuple[str, dict[str, object]]] = []
    real = templating.render_template

    def recording(name: str, /, **view: object) -> str:
        calls.append((name, view))
        return real(name, **view)

    monkeypatch.setattr(templating, "render_template", recording)  # the backends import it at call time
    serverless = tmp_path / "serverless"
    serverless.mkdir()
    (serverless / "model-env.toml").write_text(SERVERLESS, encoding="utf-8")
    rendered = 0
    for example in [*(str(REPO / "examples" / e) for e in example_names()), str(serverless)]:
        for target in ("docker", "databricks"):
            # a Docker-only example is refused by Databricks (SPC359): nothing rendered, nothing recorded
            out = tmp_path / "out" / f"{Path(example).name}-{target}"
            rendered += run_cli("render", "--target", target, example, "--out", str(out)).code == 0
    monkeypatch.undo()
    assert rendered >= len(example_names()) + 2
    assert sorted({name for name, _ in calls}) == TEMPLATES, "a template no render reached"
    precompiled, source = templating.environment(), templating.source_environment()
    assert isinstance(precompiled.loader, jinja2.ModuleLoader)
    for name, view in calls:
        want = source.get_template(name).render(**view)
        assert precompiled.get_template(name).render(**view).encode() == want.encode(), name


def _checkout_copy(tmp_path: Path) -> Path:
    """A minimal source checkout (pyproject, specc, targets) to edit without touching this one."""
    root = tmp_path / "checkout"
    root.mkdir()
    shutil.copy(REPO / "pyproject.toml", root)
    shutil.copytree(REPO / "targets", root / "targets")
    shutil.copytree(REPO / "specc", root / "specc", ignore=shutil.ignore_patterns("__pycache__"))
    return root


PROBE = (
    "import jinja2, specc.templating as t\n"
    "env = t.environment()\n"
    "print(type(env.loader).__name__)\n"
    "print(env.get_template('docker/dockerignore.j2').render(v={'specc_version': 'X'}).splitlines()[0])\n"
)


def _probe(root: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=root, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_a_checkout_renders_an_edited_template_as_written_and_a_foreign_jinja2_uses_the_sources(
    tmp_path: Path,
) -> None:
    root = _checkout_copy(tmp_path)
    first = (REPO / "targets" / "docker" / "dockerignore.j2").read_text().splitlines()[0]
    first = first.replace("{{ v.specc_version }}", "X")
    assert _probe(root) == ["ModuleLoader", first]
    ignore = root / "targets" / "docker" / "dockerignore.j2"
    original = ignore.read_text()
    ignore.write_text("# edited, not recompiled\n" + original)
    assert _probe(root) == ["FileSystemLoader", "# edited, not recompiled"]
    ignore.write_text(original)
    init = root / "specc" / "_templates" / "__init__.py"
    init.write_text(init.read_text().replace(f'"{jinja2.__version__}"', '"2.11.3"'))
    assert _probe(root) == ["FileSystemLoader", first]  # modules compiled by another Jinja2 are not used
