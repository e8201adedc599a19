"""``Rendered.provenance``: which spec entries produced which output lines (text) or fields (JSON).

What a later ``specc explain`` reads: no second mechanism, and the normalized paths lead to
the spec (``spec.origins``: the TOML path, or a requirements file and line).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import specc
from specc.backends import BACKENDS
from specc.backends.base import Produced, trace_json, trace_text
from specc.spec import EnvSpec
from tests.helpers import EXAMPLES


@pytest.fixture(scope="module")
def kitchen() -> EnvSpec:
    return specc.load(EXAMPLES / "kitchen-sink" / "model-env.toml")


def _render(spec: EnvSpec, target: str):  # type: ignore[no-untyped-def]
    backend = BACKENDS[target]
    out = backend.render(spec, backend.options_type())
    assert out.files, out.diagnostics
    return out


def _line(text: bytes | Path, no: int) -> str:
    assert isinstance(text, bytes)
    return text.decode("utf-8").splitlines()[no - 1]


def test_dockerfile_pip_line_comes_from_python_requirements(kitchen: EnvSpec) -> None:
    out = _render(kitchen, "docker")
    lines = out.produced_by("Dockerfile", ("python", "requirements"))
    assert any("--requirement /tmp/specc/python/requirements.txt" in _line(out.files["Dockerfile"], n) for n in lines)
    # and each requirement line of the rendered requirements.txt names its entry
    req = out.files["deps/python/requirements.txt"]
    for i, r in enumerate(kitchen.python.requirements):
        (no,) = out.produced_by("deps/python/requirements.txt", ("python", "requirements", i))
        assert _line(req, no) == r.line


def test_init_sh_apt_lines_come_from_apt_packages(kitchen: EnvSpec) -> None:
    out = _render(kitchen, "databricks")
    script = out.files["init.sh"]
    for i, pkg in enumerate(kitchen.apt.packages):
        lines = out.produced_by("init.sh", ("apt", "packages", i))
        assert lines, pkg
        assert all(pkg.line in _line(script, n) for n in lines)
        assert ("apt", "packages", i) in out.sources_of("init.sh", lines[0])


def test_json_fields_by_pointer(kitchen: EnvSpec) -> None:
    out = _render(kitchen, "databricks")
    libraries = json.loads(out.files["libraries.json"])
    for i, pkg in enumerate(kitchen.maven.packages):
        # the package's coordinates (its own repository and exclusions are entries below it)
        pointers = out.produced_by("libraries.json", ("maven", "packages", i))
        (pointer,) = [p for p in pointers if str(p).endswith("/coordinates")]
        assert isinstance(pointer, str)
        below = {str(p).rsplit("/", 2)[-2] if str(p)[-1].isdigit() else str(p).rsplit("/", 1)[-1] for p in pointers}
        assert below <= {"coordinates", "exclusions", "repo"}, pointers
        node = libraries
        for part in pointer.strip("/").split("/"):
            node = node[int(part)] if isinstance(node, list) else node[part]
        assert node == pkg.coordinates
    assert out.produced_by("cluster.json", ("env", "OMP_NUM_THREADS")) == ["/spark_env_vars/OMP_NUM_THREADS"]


def test_mlflow_provenance_and_copies(kitchen: EnvSpec) -> None:
    out = _render(kitchen, "mlflow")
    assert out.produced_by("requirements.txt", ("python", "requirements"))
    assert out.produced_by("code/helpers.py", ("code", "paths")) == [1]
    # a wheel is a code path and a requirement line (what installs it at serve time)
    kwargs = json.loads(out.files["log_model.json"])
    pointers = out.produced_by("log_model.json", ("python", "wheels", 0))
    assert pointers == [
        "/code_paths/2",
        f"/pip_requirements/{kwargs['pip_requirements'].index('code/featurizer-0.3.0-py3-none-any.whl')}",
    ]


def test_every_entry_of_every_example_produces_something() -> None:
    """Each list entry the spec holds is traced to at least one output of some target."""
    for example in sorted(p for p in EXAMPLES.iterdir() if (p / "model-env.toml").is_file()):
        spec = specc.load(example / "model-env.toml")
        produced: set[tuple[str | int, ...]] = set()
        for target in BACKENDS:
            out = BACKENDS[target].render(spec, BACKENDS[target].options_type())
            produced |= {path for ps in out.provenance.values() for p in ps for path in p.paths}
        for section, field in (
            ("python", "requirements"),
            ("python", "wheels"),
            ("apt", "packages"),
            ("apt", "debs"),
            ("maven", "packages"),
            ("maven", "jars"),
            ("r", "packages"),
            ("r", "sources"),
            ("code", "paths"),
        ):
            for i in range(len(getattr(getattr(spec, section), field))):
                assert (section, field, i) in produced, (example.name, section, field, i)


def test_tracing_matches_whole_tokens_only() -> None:
    text = "install r-base\nR -e 'install(\"r\")'\nfoo\n"
    assert trace_text(text, [("r", ("r", "packages", 0))]) == [Produced(2, (("r", "packages", 0),))]
    assert trace_json({"a": ["x", "numpy==1.0"]}, [("numpy==1.0", ("p",))]) == [Produced("/a/1", (("p",),))]


def test_provenance_is_not_written_into_outputs(kitchen: EnvSpec, tmp_path: Path) -> None:
    """The sidecar stays what it was (the goldens pin it); provenance lives on Rendered."""
    from specc.backends import write_output

    out = _render(kitchen, "docker")
    write_output(out, kitchen, "docker", tmp_path / "o")
    sidecar = json.loads((tmp_path / "o" / "specc-provenance.json").read_text())
    assert set(sidecar) == {"specc-version", "target", "model", "dependency-hash", "hashes"}


def test_origins_of_leads_back_to_the_spec(kitchen: EnvSpec) -> None:
    """From an output line to the spec entry and from there to where the spec wrote it."""
    from specc.diagnostics import Origin, Span

    spec = kitchen.model_copy()
    origin = Origin(("python", "requirements-files", 0), "requirements.txt", Span(3, 1, 3, 20))
    spec._origins = {("python", "requirements", 1): origin}
    out = _render(spec, "mlflow")
    (line,) = out.produced_by("requirements.txt", ("python", "requirements", 1))
    assert out.origins_of(spec, "requirements.txt", line) == [(("python", "requirements", 1), origin)]
