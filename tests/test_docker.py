"""The Docker target without building: golden files, hadolint, quoting, diagnostics.

Real builds live in ``tests/test_docker_build.py`` (marked slow).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specc.api import load
from specc.backends import RenderOptions
from specc.backends import docker as backend
from tests.backend_helpers import check_text  # a target test asks the target: no capability step

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "model-env.toml").is_file())
GOLDEN = ROOT / "tests" / "golden"
HADOLINT = Path(sys.executable).parent / "hadolint"
UPDATE = os.environ.get("SPECC_UPDATE_GOLDEN") == "1"


def run_render(*argv: str) -> int:
    """``specc render ...`` exactly as the command line runs it."""
    from specc.cli import main

    return main(["render", *argv])


def context_listing(out: Path) -> str:
    """One line per file of a rendered context: path, size, sha256 (bytes of copied files too)."""
    lines = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        rel = path.relative_to(out).as_posix()
        lines.append(f"{rel}  {len(data)}  {hashlib.sha256(data).hexdigest()}")
    return "\n".join(lines) + "\n"


def hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HADOLINT), "--config", str(ROOT / ".hadolint.yaml"), "--failure-threshold", "warning", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name in EXAMPLES:
        dest = tmp_path_factory.mktemp("ctx") / name
        assert run_render("--target", "docker", str(ROOT / "examples" / name), "--out", str(dest)) == 0
        out[name] = dest
    return out


@pytest.mark.parametrize("example", EXAMPLES)
def test_golden_dockerfile_and_context(example: str, rendered: dict[str, Path]) -> None:
    out = rendered[example]
    actual = {"Dockerfile": (out / "Dockerfile").read_text(), "context.txt": context_listing(out)}
    golden = GOLDEN / example / "docker"
    if UPDATE:
        golden.mkdir(parents=True, exist_ok=True)
        for name, text in actual.items():
            (golden / name).write_text(text)
    for name, text in actual.items():
        assert (golden / name).is_file(), f"missing golden {golden / name}; run with SPECC_UPDATE_GOLDEN=1"
        assert text == (golden / name).read_text(), f"{example}/{name} differs from its golden file"


@pytest.mark.parametrize("example", EXAMPLES)
def test_hadolint_clean(example: str, rendered: dict[str, Path]) -> None:
    proc = hadolint(rendered[example] / "Dockerfile")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_layer_order(rendered: dict[str, Path]) -> None:
    text = (rendered["kitchen-sink"] / "Dockerfile").read_text()
    final = text[text.index("\nFROM --platform=linux/amd64 ${BASE}\n") :]
    marks = [
        "useradd",
        "COPY deps/apt/",
        "r-base-core",
        "-m venv",  # python3 on a python image, python3.11 (deadsnakes) on the CUDA one
        "COPY deps/python/",
        "COPY --from=maven-jars",
        "COPY deps/maven/jars/",
        "COPY deps/r/",
        "OMP_NUM_THREADS",
        "COPY code/",
        "ENTRYPOINT",
    ]
    positions = [final.index(m) for m in marks]
    assert positions == sorted(positions)
    # the secret is mounted on the pip install step itself, and nowhere else
    pip_run = final[final.index("RUN --mount=type=cache,target=/root/.cache/pip") :]
    pip_run = pip_run[: pip_run.index("\n\n")]
    assert "--mount=type=secret,id=pypi_token" in pip_run and "pip install" in pip_run
    assert text.count("type=secret") == 2
    assert "ARG PYPI" not in text and "ENV PYPI" not in text


def test_dependency_files_carry_no_code_hash(rendered: dict[str, Path]) -> None:
    spec = load(ROOT / "examples" / "kitchen-sink" / "model-env.toml")
    out = rendered["kitchen-sink"]
    for path in (out / "deps").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for h in (spec.hashes.code, spec.hashes.artifacts, spec.hashes.dependencies):
                assert h.encode() not in data, path
    assert spec.hashes.code not in (out / "Dockerfile").read_text()


def test_dockerignore_sends_only_copied_folders(rendered: dict[str, Path]) -> None:
    lines = (rendered["sklearn-basic"] / ".dockerignore").read_text().splitlines()
    assert [ln for ln in lines if not ln.startswith("#")] == ["*", "!deps/", "!code/", "!model/"]


def test_build_md_has_exact_commands_with_secrets(rendered: dict[str, Path]) -> None:
    text = (rendered["private-index"] / "BUILD.md").read_text()
    secrets = "--secret id=pypi_user,env=PYPI_USER --secret id=pypi_token,env=PYPI_TOKEN"
    assert f"DOCKER_BUILDKIT=1 docker build {secrets}" in text
    assert "buildah bud --format docker --layers --secret id=pypi_user,src=./pypi_user.txt" in text


def test_default_base_images() -> None:
    spec = load(ROOT / "examples" / "sklearn-basic" / "model-env.toml")
    assert backend.default_base_image(spec) == "python:3.11-slim-bookworm"
    gpu = load(ROOT / "examples" / "gpu-torch" / "model-env.toml")
    assert backend.default_base_image(gpu) == "nvidia/cuda:12.4.1-runtime-ubuntu22.04"
    text = backend.render(gpu, RenderOptions()).files["Dockerfile"].decode()
    assert "ppa:deadsnakes/ppa" in text and "python3.11 -m venv /opt/venv" in text


def _spec(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    (tmp_path / "model-env.toml").write_text('spec-version = 1\n[model]\nname = "m"\n' + body)
    result = check_text((tmp_path / "model-env.toml").read_text(), base_dir=tmp_path)
    assert result.spec is not None, result.diagnostics
    return result.spec


def test_tag_without_digest_warns_and_fails_strict(tmp_path: Path) -> None:
    spec = _spec(tmp_path, '[runtime]\npython = "3.11"\n[targets.docker]\nbase-image = "python:3.11-slim"\n')
    codes = [(d.code, d.severity) for d in backend.render(spec, RenderOptions()).diagnostics]
    assert codes == [("SPC330", "warning")]
    (tmp_path / "src").mkdir()
    assert run_render("--target", "docker", str(tmp_path), "--out", str(tmp_path / "o1")) == 0
    assert run_render("--target", "docker", str(tmp_path), "--out", str(tmp_path / "o2"), "--strict") == 1
    assert not (tmp_path / "o2").exists()
    digest = "a" * 64
    pinned = _spec(tmp_path, f'[runtime]\npython = "3.11"\n[targets.docker]\nbase-image = "python@sha256:{digest}"\n')
    assert backend.render(pinned, RenderOptions()).diagnostics == []


def test_databricks_runtime_is_reported_not_dropped() -> None:
    spec = load(ROOT / "examples" / "spark-nlp" / "model-env.toml")
    assert [d.code for d in backend.render(spec, RenderOptions()).diagnostics] == ["SPC331"]


def test_env_value_with_newline_is_an_error(tmp_path: Path) -> None:
    spec = _spec(tmp_path, '[runtime]\npython = "3.11"\n[env]\nGREETING = "a\\nRUN rm -rf /"\n')
    out = backend.render(spec, RenderOptions())
    assert [(d.code, d.severity) for d in out.diagnostics] == [("SPC334", "error")]
    assert out.files == {}


def test_refuses_to_replace_a_foreign_folder(tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    assert run_render("--target", "docker", str(ROOT / "examples" / "sklearn-basic"), "--out", str(foreign)) == 1
    assert (foreign / "keep.txt").read_text() == "x"
    out = tmp_path / "ctx"
    for _ in range(2):  # a folder specc wrote is replaced
        assert run_render("--target", "docker", str(ROOT / "examples" / "sklearn-basic"), "--out", str(out)) == 0
    assert (out / "Dockerfile").is_file() and (out / ".specc-output").is_file()


def test_render_is_deterministic() -> None:
    spec = load(ROOT / "examples" / "kitchen-sink" / "model-env.toml")
    a = backend.render(spec, RenderOptions()).files
    b = backend.render(spec, RenderOptions()).files
    assert a == b


# --- hostile strings can never change the command structure ----------------------------------

HOSTILE = [
    "'; rm -rf / #",
    '"; touch /pwned; echo "',
    "$(touch /pwned)",
    "`touch /pwned`",
    "${PATH}",
    "a\\",
    "line\nRUN touch /pwned",
    "carriage\rreturn",
    "\\\nRUN evil",
    "ünïcødé ☃ \u2028 sep",
    "tab\there",
    "&& evil ||",
    '<x a="1"/> & </ivysettings>',
    '"); system("touch /pwned"); ("',
]


def _toml_str(value: str) -> str:
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _skeleton(dockerfile: str) -> list[tuple[str, int]]:
    """Instruction names, and for RUN the number of shell words: a hostile value is one word."""
    import shlex

    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(fileobj=__import__("io").BytesIO(dockerfile.encode()))
    out = []
    for item in parser.structure:
        words = 0
        if item["instruction"] == "RUN":
            words = len(shlex.split(item["value"], comments=False, posix=True))
        elif item["instruction"] == "ENV":
            words = len(shlex.split(item["value"], posix=True))
        out.append((item["instruction"], words))
    return out


FIELDS = ("env", "secret-description", "index-url", "maven-repository", "r-repository", "base-image")


def _hostile_spec(tmp: Path, field: str, s: str) -> str:
    """A spec using every free-text field; ``field`` gets the hostile string, the others benign."""

    def val(name: str, benign: str, wrap: str = "{}") -> str:
        return _toml_str(wrap.format(s) if name == field else benign)

    wheel = "dist/featurizer-0.3.0-py3-none-any.whl"
    (tmp / "dist").mkdir(exist_ok=True)
    shutil.copyfile(ROOT / "examples" / "private-index" / wheel, tmp / wheel)
    return (
        'spec-version = 1\n[model]\nname = "m"\n[runtime]\npython = "3.11"\n'
        "[python]\n"
        'requirements = ["numpy==1.0"]\n'
        f'wheels = ["{wheel}"]\n'
        f"extra-index-urls = [{val('index-url', 'https://${TOK}@example.com/x', 'https://${{TOK}}@example.com/{}')}]\n"
        f"[maven]\nrepository = {val('maven-repository', 'https://m.example.com/x', 'https://m.example.com/{}')}\n"
        'packages = ["g:a:1"]\n'
        f"[r]\nrepository = {val('r-repository', 'https://cran.example.com/x', 'https://cran.example.com/{}')}\n"
        'packages = ["zoo"]\n'
        f"[env]\nHOSTILE = {val('env', 'benign')}\nOTHER = {val('env', 'benign2', '{0}{0}')}\n"
        f"[secrets.TOK]\ndescription = {val('secret-description', 'benign')}\n"
        f"[targets.docker]\nserve = true\nbase-image = {val('base-image', 'python:3.11', 'python:{}')}\n"
    )


def _render_text(tmp: Path, text: str):  # type: ignore[no-untyped-def]
    result = check_text(text, base_dir=tmp)
    if result.spec is None:
        return None, result.diagnostics
    out = backend.render(result.spec, RenderOptions())
    return out, out.diagnostics


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(FIELDS), st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=30)))
def test_hostile_strings_keep_the_instruction_skeleton(tmp_path: Path, field: str, hostile: str) -> None:
    benign, _ = _render_text(tmp_path, _hostile_spec(tmp_path, "none", ""))
    assert benign is not None and benign.files
    rendered, diags = _render_text(tmp_path, _hostile_spec(tmp_path, field, hostile))
    if rendered is None or any(d.severity == "error" for d in diags):
        return  # refused with a diagnostic: nothing rendered, nothing to inject into
    a = rendered.files["Dockerfile"].decode()
    assert _skeleton(a) == _skeleton(benign.files["Dockerfile"].decode())
    # line-based files keep their lines; XML keeps its elements
    for name in ("deps/python/requirements.txt",):
        assert len(rendered.files[name].splitlines()) == len(benign.files[name].splitlines())
    import xml.etree.ElementTree as ET

    for name in ("deps/maven/ivy/ivysettings.xml", "deps/maven/ivy/ivy.xml"):
        tags = [e.tag for e in ET.fromstring(rendered.files[name].decode().split("\n", 1)[1]).iter()]
        assert tags == [e.tag for e in ET.fromstring(benign.files[name].decode().split("\n", 1)[1]).iter()]
    r_lines = rendered.files["deps/r/install.R"].decode().splitlines()
    assert len(r_lines) == len(benign.files["deps/r/install.R"].decode().splitlines())
    assert all(ln.isascii() for ln in r_lines)


# --- --model and --from-model ---------------------------------------------------------------

MODEL_CODE = '''\
import mlflow
from mlflow.pyfunc import PythonModel

from iris_features import add_ratio_features


class PetalRatioModel(PythonModel):
    """Twice the petal length/width ratio (computed by the example's code path)."""

    def predict(self, context, model_input, params=None):
        return (add_ratio_features(model_input)["petal_ratio"] * 2).tolist()


mlflow.models.set_model(PetalRatioModel())
'''


def save_model(dest: Path, code_dir: Path) -> Path:
    """A pyfunc model "from code" (nothing pickled, so no version skew), saved by mlflow itself."""
    script = dest.parent / "model_code.py"
    script.write_text(MODEL_CODE)
    prog = (
        "import sys, mlflow.pyfunc\n"
        f"sys.path.insert(0, {str(code_dir)!r})\n"
        f"mlflow.pyfunc.save_model({str(dest)!r}, python_model={str(script)!r}, "
        "pip_requirements=['pandas'])\n"
    )
    subprocess.run([sys.executable, "-c", prog], check=True, capture_output=True, text=True)
    return dest


@pytest.fixture(scope="module")
def logged_sklearn_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/sklearn-basic saved by mlflow with specc's log_model kwargs (code paths, the
    specc-environment.json artifact, exact pip requirements)."""
    import mlflow.pyfunc

    from specc.mlflow import log_model_kwargs

    work = tmp_path_factory.mktemp("logged")
    spec = load(ROOT / "examples" / "sklearn-basic" / "model-env.toml")
    kwargs = log_model_kwargs(spec, "pyfunc", out_dir=work / "staged")
    script = work / "model_code.py"
    script.write_text(MODEL_CODE)
    sys.path.insert(0, str(ROOT / "examples" / "sklearn-basic" / "src"))
    try:
        mlflow.pyfunc.save_model(str(work / "model"), python_model=str(script), **kwargs)
    finally:
        sys.path.remove(str(ROOT / "examples" / "sklearn-basic" / "src"))
    return work / "model"


def test_from_model_renders_the_same_context_as_the_spec(logged_sklearn_model: Path, tmp_path: Path) -> None:
    spec_dir = str(ROOT / "examples" / "sklearn-basic")
    with_spec, from_model = tmp_path / "spec", tmp_path / "from-model"
    assert (
        run_render("--target", "docker", spec_dir, "--model", str(logged_sklearn_model), "--out", str(with_spec)) == 0
    )
    assert run_render("--target", "docker", "--from-model", str(logged_sklearn_model), "--out", str(from_model)) == 0

    def listing(out: Path) -> list[str]:
        return [ln for ln in context_listing(out).splitlines() if not ln.startswith("specc-provenance.json")]

    assert (with_spec / "Dockerfile").read_text() == (from_model / "Dockerfile").read_text()
    assert listing(with_spec) == listing(from_model)
    text = (from_model / "Dockerfile").read_text()
    assert text.rstrip().endswith('"--port", "8080"]') and "COPY model/ /opt/model/" in text
    assert (from_model / "model" / "MLmodel").is_file()


def test_model_option_ships_the_model_last(logged_sklearn_model: Path) -> None:
    spec = load(ROOT / "examples" / "sklearn-basic" / "model-env.toml")
    out = backend.render(spec, RenderOptions(model_dir=logged_sklearn_model))
    assert out.files["model"] == logged_sklearn_model
    text = out.files["Dockerfile"].decode()
    assert text.index("COPY code/") < text.index("COPY model/") < text.index("ENTRYPOINT")
    assert out.diagnostics == []  # logged with the mlflow the image serves with


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[runtime]\npython = "3.11"\ncuda = "10.2"\n', [("SPC335", "error")]),
        ('[runtime]\npython = "3.11.9"\ncuda = "12.4"\n', [("SPC332", "warning")]),
        (
            '[runtime]\npython = "3.11"\n[maven]\nrepository = "https://${TOK}@m.example.com/"\n'
            'packages = ["g:a:1"]\n[secrets.TOK]\n',
            [("SPC333", "error")],
        ),
        (
            '[runtime]\npython = "3.11"\n[r]\nrepository = "https://${TOK}@cran.example.com/"\n'
            'packages = ["zoo"]\n[secrets.TOK]\n',
            [("SPC333", "error")],
        ),
        (
            '[runtime]\npython = "3.11"\n[python]\nwheels = ["a/x-1.0-py3-none-any.whl", "b/x-1.0-py3-none-any.whl"]\n',
            [("SPC337", "error")],
        ),
    ],
)
def test_what_docker_cannot_express(tmp_path: Path, body: str, expected: list[tuple[str, str]]) -> None:
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        shutil.copyfile(
            ROOT / "examples" / "private-index" / "dist" / "featurizer-0.3.0-py3-none-any.whl",
            tmp_path / d / "x-1.0-py3-none-any.whl",
        )
    spec = _spec(tmp_path, body)
    out = backend.render(spec, RenderOptions())
    assert [(d.code, d.severity) for d in out.diagnostics] == expected
    assert all(d.hint for d in out.diagnostics)


def test_model_logged_with_another_mlflow_warns(tmp_path: Path) -> None:
    from specc.mlmodel import read_mlmodel

    model = tmp_path / "model"
    model.mkdir()
    (model / "MLmodel").write_text("flavors: {}\nmlflow_version: 2.16.0\n")
    mlmodel = read_mlmodel(model)
    # the spec names no mlflow: the image serves with the one the model was logged with (MLflow 2's
    # scoring server is a Flask app under gunicorn, which mlflow-skinny 2.x does not bring)
    spec = load(ROOT / "examples" / "sklearn-basic" / "model-env.toml")
    out = backend.render(spec, RenderOptions(model_dir=model, mlmodel=mlmodel))
    assert out.diagnostics == []
    reqs = out.files["deps/python/requirements.txt"].decode().splitlines()
    assert reqs[-3:] == ["mlflow-skinny==2.16.0", "flask", "gunicorn"]
    # a spec pinning its own mlflow gets SPC336, which says what to pin
    pinned = _spec(tmp_path, '[runtime]\npython = "3.11"\n[python]\nrequirements = ["mlflow-skinny==3.17.2"]\n')
    out = backend.render(pinned, RenderOptions(model_dir=model, mlmodel=mlmodel))
    assert [(d.code, d.severity) for d in out.diagnostics] == [("SPC336", "warning")]
    assert "mlflow-skinny==2.16.0" in (out.diagnostics[0].hint or "")
