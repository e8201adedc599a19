"""`specc import` from peers' build files: cog.yaml, bentofile.yaml, Truss's config.yaml,
pixi.toml and pylock.toml (specc/importers/{cog,bentoml,truss,pixi,pylock}.py).

Each case is a realistic input written here (several shapes per kind: minimal, credentials in
index URLs, things that cannot be carried over).  For each: the import exits 0; the written spec
is compared with its golden (tests/golden/import/<case>.toml, SPECC_UPDATE_GOLDEN=1 rewrites);
the codes reported are exactly the expected ones; the spec validates, compiles to MLflow
``log_model`` kwargs and renders for Docker and Databricks in-process; importing twice gives
the same bytes; and no credential of the input appears in the spec or in any output.
"""

# ruff: noqa: E501 - the inputs are realistic files, long lines included

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.helpers import GOLDEN, assert_golden, run_cli

GOLDEN_IMPORT = GOLDEN / "import"

# --- inputs --------------------------------------------------------------------------------

COG_MINIMAL = {
    "cog.yaml": """\
build:
  python_version: "3.11"
  python_packages:
    - "scikit-learn==1.5.2"
    - "pandas==2.2.3"
predict: "predict.py:Predictor"
""",
}

COG_GPU_PRIVATE = {
    "cog.yaml": """\
# SDXL with a private helper package
build:
  gpu: true
  cuda: "12.1"
  python_version: 3.10          # unquoted: YAML reads 3.1, cog reads "3.10"
  system_packages:
    - "ffmpeg"
    - "libgl1-mesa-glx"
  python_requirements: requirements.txt
  run:
    - curl -o /usr/local/bin/pget -L "https://github.com/replicate/pget/releases/download/v0.8.2/pget_linux_x86_64" && chmod +x /usr/local/bin/pget
    - command: pip install -r /tmp/private.txt
      mounts:
        - type: secret
          id: pip
          target: /etc/pip.conf
image: "r8.im/acme/sdxl-lightning"
predict: "predict.py:Predictor"
environment:
  - HF_HUB_ENABLE_HF_TRANSFER=1
  - HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz0123456789
concurrency:
  max: 4
""",
    "requirements.txt": """\
--extra-index-url https://deploy:s3cr3t-Pass-42@pkgs.acme.internal/simple
torch==2.3.1
diffusers==0.29.2
transformers==4.42.4
acme-helpers==0.4.1
""",
}

COG_NO_PYTHON = {
    "cog.yaml": """\
build:
  gpu: true
  system_packages:
    - "libsndfile1"
    - "sox --no-install-recommends"
  python_packages:
    - "torchaudio==2.3.1"
    - "git+https://github.com/acme/audio-tools@2d1602a"
  pre_install:
    - "pip install --upgrade pip"
  sdk_version: "0.16.0"
model: "r8.im/acme/whisper-tiny"
run: "run.py:Runner"
weights:
  - name: base
    target: /src/weights
""",
}

BENTO_MINIMAL = {
    "bentofile.yaml": """\
service: "service:Summarization"
labels:
  owner: ml-team
include:
  - "*.py"
python:
  packages:
    - torch==2.3.1
    - transformers==4.42.4
docker:
  python_version: "3.11"
""",
}

BENTO_PRIVATE = {
    "bentofile.yaml": """\
service: "service:FraudDetector"
name: fraud-detector
description: "file: ./README.md"
include:
  - "service.py"
  - "features/"
exclude:
  - "tests/"
models:
  - "fraud-xgb:latest"
python:
  requirements_txt: ./requirements.txt
  index_url: "https://ci-bot:gh-Index-Pass-123@pkgs.acme.internal/simple"
  extra_index_url:
    - "https://${ARTIFACTORY_TOKEN}@acme.jfrog.io/artifactory/api/pypi/pypi/simple"
  trusted_host:
    - pkgs.acme.internal
  find_links:
    - "https://download.pytorch.org/whl/cpu/torch_stable.html"
  pip_args: "--pre"
  lock_packages: false
  wheels:
    - ./wheels/fraud_features-0.3.0-py3-none-any.whl
docker:
  distro: debian
  python_version: "3.11.9"
  cuda_version: "12.4"
  system_packages:
    - libgomp1
    - curl
  setup_script: "./setup.sh"
envs:
  - name: MODEL_THRESHOLD
    value: "0.83"
  - name: OPENAI_API_KEY
    value: "sk-proj-abcdefghijklmnopqrstuvwxyz012345"
  - name: HF_TOKEN
  - name: PIP_EXTRA_INDEX_URL
    value: "https://pkgs.acme.internal/simple"
    stage: build
""",
    "requirements.txt": "xgboost==2.1.1\nscikit-learn==1.5.2\n",
    "wheels/fraud_features-0.3.0-py3-none-any.whl": None,  # a wheel, built below
}

BENTO_CONDA_ALPINE = {
    "bentofile.yaml": """\
service: "service:H2OModel"
python:
  packages:
    - "requests==2.32.3"
conda:
  channels:
    - conda-forge
  dependencies:
    - "scikit-learn=1.5.2"
    - "libsndfile"
    - pip:
        - "h2o==3.46.0.5"
docker:
  distro: alpine
  system_packages:
    - openjdk17-jre
  base_image: "python:3.11-alpine"
  dockerfile_template: ./Dockerfile.template
args:
  model_name: h2o-gbm
""",
}

TRUSS_MINIMAL = {
    "config.yaml": """\
build_commands: []
environment_variables: {}
external_package_dirs: []
model_metadata: {}
model_name: Iris Classifier
python_version: py311
requirements:
- scikit-learn==1.5.2
- numpy==1.26.4
resources:
  accelerator: null
  cpu: '1'
  memory: 2Gi
  use_gpu: false
secrets: {}
system_packages: []
""",
}

TRUSS_GPU = {
    "config.yaml": """\
model_name: llama-3-8b-instruct
model_class_name: Model
python_version: py310
requirements:
  - torch==2.3.1
  - vllm==0.5.3
  - --extra-index-url https://__token__:tr-Secret-Token-987@pypi.acme.internal/simple
  - git+https://github.com/acme/prompt-utils.git@v1.2.0
system_packages:
  - ffmpeg
environment_variables:
  VLLM_ATTENTION_BACKEND: FLASHINFER
  WANDB_API_KEY: "0123456789abcdef0123456789abcdef01234567"
  enable_metrics: true
secrets:
  hf_access_token: null
  wandb_api_key: "literal-wandb-value-that-should-not-be-here"
resources:
  accelerator: A10G:2
  cpu: "8"
  memory: 32Gi
  use_gpu: true
base_image:
  image: nvcr.io/nvidia/pytorch:24.05-py3
  python_executable_path: /usr/bin/python3
build_commands:
  - python -c "import nltk; nltk.download('punkt')"
external_package_dirs:
  - ../shared
model_cache:
  - repo_id: meta-llama/Meta-Llama-3-8B-Instruct
    allow_patterns: ["*.json", "*.safetensors"]
runtime:
  predict_concurrency: 32
""",
}

TRUSS_PYPROJECT = {
    "config.yaml": """\
model_name: churn
python_version: py312
requirements_file: ./pyproject.toml
system_packages:
  - libgomp1
""",
    "pyproject.toml": """\
[project]
name = "churn-truss"
version = "0.1.0"
requires-python = ">=3.12"
dependencies = [
  "lightgbm==4.5.0",
  "pandas==2.2.3",
]
""",
}

PIXI_MINIMAL = {
    "pixi.toml": """\
[workspace]
name = "churn-model"
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64"]

[dependencies]
python = "3.11.*"
scikit-learn = "1.5.2.*"

[pypi-dependencies]
mlflow-skinny = "==2.16.2"
pandas = { version = ">=2.1,<3", extras = ["performance"] }

[tasks]
train = "python train.py"
""",
}

PIXI_FEATURES = {
    "pixi.toml": """\
[workspace]
name = "vision"
channels = ["conda-forge", "pytorch"]
platforms = [
  { platform = "linux-64", cuda = "12" },
  "osx-arm64",
]

[workspace.pypi-options]
index-url = "https://pypi.org/simple"
extra-index-urls = ["https://ml:px-Secret-Pass-55@pypi.acme.internal/simple"]
find-links = [{ path = "./links" }]
index-strategy = "unsafe-best-match"

[dependencies]
python = ">=3.10,<3.12"
libgomp = "*"

[pypi-dependencies]
torch = { version = "==2.3.1", index = "https://download.pytorch.org/whl/cu121" }
vision-utils = { path = "./vision-utils", editable = true }
detectron2 = { git = "https://github.com/facebookresearch/detectron2.git", rev = "5b72c27ae39f99db75d43f18fd1312e1ea934e60" }

[activation.env]
OMP_NUM_THREADS = "4"
WANDB_API_KEY = "0123456789abcdef0123456789abcdef01234567"

[target.linux-64.pypi-dependencies]
nvidia-ml-py = "==12.555.43"

[target.osx-arm64.dependencies]
mlx = ">=0.16"

[feature.serve.pypi-dependencies]
fastapi = "==0.111.0"

[feature.test.dependencies]
pytest = "*"

[environments]
default = ["serve"]
test = ["test"]
""",
}

PIXI_PYPROJECT = {
    "pyproject.toml": """\
[project]
name = "forecast"
version = "0.2.0"
requires-python = ">=3.12"
dependencies = ["statsmodels==0.14.2"]

[tool.pixi.workspace]
channels = ["conda-forge"]
platforms = ["linux-64"]

[tool.pixi.dependencies]
python = "3.12.*"

[tool.pixi.pypi-dependencies]
forecast = { path = ".", editable = true }
prophet = "==1.1.5"
""",
}

_SHA = "0" * 64

PYLOCK_UV = {
    "pylock.toml": f"""\
lock-version = "1.0"
requires-python = ">=3.12"
created-by = "uv"

[[packages]]
name = "joblib"
version = "1.4.2"
index = "https://pypi.org/simple"
sdist = {{ url = "https://files.pythonhosted.org/packages/64/33/joblib-1.4.2.tar.gz", upload-time = 2024-05-02T12:15:05Z, size = 2116621, hashes = {{ sha256 = "{_SHA}" }} }}
wheels = [{{ url = "https://files.pythonhosted.org/packages/91/29/joblib-1.4.2-py3-none-any.whl", upload-time = 2024-05-02T12:15:00Z, size = 301817, hashes = {{ sha256 = "{_SHA}" }} }}]

[[packages]]
name = "numpy"
version = "2.1.3"
index = "https://pypi.org/simple"
wheels = [
  {{ url = "https://files.pythonhosted.org/packages/8a/f0/numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hashes = {{ sha256 = "{_SHA}" }} }},
  {{ url = "https://files.pythonhosted.org/packages/1b/3f/numpy-2.1.3-cp312-cp312-macosx_14_0_arm64.whl", hashes = {{ sha256 = "{_SHA}" }} }},
]

[[packages]]
name = "scikit-learn"
version = "1.5.2"
index = "https://pypi.org/simple"
wheels = [{{ url = "https://files.pythonhosted.org/packages/1a/2b/scikit_learn-1.5.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hashes = {{ sha256 = "{_SHA}" }} }}]
""",
}

PYLOCK_PRIVATE = {
    "pylock.toml": f"""\
lock-version = "1.0"
environments = ["sys_platform == 'linux'"]
requires-python = "==3.11.*"
dependency-groups = ["dev"]
default-groups = []
created-by = "pdm"

[[packages]]
name = "acme-features"
version = "2.4.0"
index = "https://__token__:glpat-AbCdEfGhIjKlMnOpQrStUv@gitlab.acme.internal/api/v4/projects/42/packages/pypi/simple"
wheels = [{{ name = "acme_features-2.4.0-py3-none-any.whl", url = "https://gitlab.acme.internal/api/v4/projects/42/packages/pypi/files/acme_features-2.4.0-py3-none-any.whl", hashes = {{ sha256 = "{_SHA}" }} }}]

[[packages]]
name = "uvloop"
version = "0.20.0"
marker = "sys_platform != 'win32'"
index = "https://pypi.org/simple"
wheels = [{{ url = "https://files.pythonhosted.org/packages/00/11/uvloop-0.20.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hashes = {{ sha256 = "{_SHA}" }} }}]

[[packages]]
name = "pyjwt"
version = "2.9.0"
index = "https://pypi.org/simple"
sdist = {{ url = "https://files.pythonhosted.org/packages/fb/68/pyjwt-2.9.0.tar.gz", hashes = {{ sha256 = "{_SHA}" }} }}

[[packages]]
name = "prompt-utils"
vcs = {{ type = "git", url = "https://github.com/acme/prompt-utils.git", commit-id = "2d1602a0f7a5c4e1d2b3c4d5e6f708192a3b4c5d" }}

[[packages]]
name = "churn-core"
directory = {{ path = "./core", editable = true }}

[[packages]]
name = "scorer"
version = "0.1.0"
wheels = [{{ name = "scorer-0.1.0-py3-none-any.whl", path = "dist/scorer-0.1.0-py3-none-any.whl", hashes = {{ sha256 = "{_SHA}" }} }}]

[[packages]]
name = "pytest"
version = "8.3.3"
marker = "'dev' in dependency_groups"
index = "https://pypi.org/simple"
wheels = [{{ url = "https://files.pythonhosted.org/packages/6b/77/pytest-8.3.3-py3-none-any.whl", hashes = {{ sha256 = "{_SHA}" }} }}]
""",
    "dist/scorer-0.1.0-py3-none-any.whl": None,
}

# case → (the kind detected, the input file (None: the folder), files, the codes reported
# (sorted, with repeats), literal credentials that must never be printed or written)
CASES: dict[str, tuple[str, str | None, dict[str, str | None], list[str], list[str]]] = {
    "cog-minimal": ("cog", "cog.yaml", COG_MINIMAL, ["SPC742", "SPC791"], []),
    "cog-gpu-private": (
        "cog",
        None,
        COG_GPU_PRIVATE,
        ["SPC704", "SPC704", "SPC704", "SPC731", "SPC731", "SPC732", "SPC737", "SPC742"],
        ["s3cr3t-Pass-42", "hf_abcdefghijklmnopqrstuvwxyz0123456789"],
    ),
    "cog-no-python": (
        "cog",
        None,
        COG_NO_PYTHON,
        ["SPC711", "SPC731", "SPC732", "SPC734", "SPC736", "SPC741", "SPC742", "SPC742", "SPC791"],
        [],
    ),
    "bento-minimal": ("bentoml", None, BENTO_MINIMAL, ["SPC732", "SPC742", "SPC742"], []),
    "bento-private": (
        "bentoml",
        None,
        BENTO_PRIVATE,
        [
            "SPC704",
            "SPC704",
            "SPC704",
            "SPC704",
            "SPC704",
            "SPC731",
            "SPC732",
            "SPC733",
            "SPC733",
            "SPC733",
            "SPC733",
            "SPC734",
            "SPC737",
            "SPC737",
            "SPC742",
            "SPC742",
            "SPC742",
            "SPC742",
            "SPC743",
        ],
        ["gh-Index-Pass-123", "sk-proj-abcdefghijklmnopqrstuvwxyz012345"],
    ),
    "bento-conda-alpine": (
        "bentoml",
        "bentofile.yaml",
        BENTO_CONDA_ALPINE,
        ["SPC202", "SPC330", "SPC731", "SPC732", "SPC732", "SPC735", "SPC736", "SPC742", "SPC744", "SPC744", "SPC791"],
        [],
    ),
    "truss-minimal": ("truss", None, TRUSS_MINIMAL, ["SPC732"], []),
    "truss-gpu": (
        "truss",
        "config.yaml",
        TRUSS_GPU,
        [
            "SPC330",
            "SPC344",
            "SPC344",
            "SPC704",  # __token__ stays a user name: three secrets, not four
            "SPC704",
            "SPC704",
            "SPC711",
            "SPC731",
            "SPC732",
            "SPC732",
            "SPC732",
            "SPC732",
            "SPC737",
            "SPC737",
            "SPC741",
            "SPC742",
            "SPC742",
            "SPC743",
            "SPC743",
        ],
        [
            "tr-Secret-Token-987",
            "0123456789abcdef0123456789abcdef01234567",
            "literal-wandb-value-that-should-not-be-here",
        ],
    ),
    "truss-pyproject": ("truss", None, TRUSS_PYPROJECT, [], []),
    "pixi-minimal": ("pixi", None, PIXI_MINIMAL, ["SPC202", "SPC202", "SPC731", "SPC735", "SPC744"], []),
    "pixi-features": (
        "pixi",
        "pixi.toml",
        PIXI_FEATURES,
        [
            "SPC704",
            "SPC704",
            "SPC704",
            "SPC733",
            "SPC733",
            "SPC734",
            "SPC737",
            "SPC738",
            "SPC738",
            "SPC739",
            "SPC739",
            "SPC739",
            "SPC741",
            "SPC744",
            "SPC744",
            "SPC791",
        ],
        ["px-Secret-Pass-55", "0123456789abcdef0123456789abcdef01234567"],
    ),
    "pixi-pyproject": ("pixi", "pyproject.toml", PIXI_PYPROJECT, ["SPC738", "SPC744"], []),
    "pylock-uv": ("pylock", None, PYLOCK_UV, ["SPC734", "SPC740"], []),
    "pylock-private": (
        "pylock",
        "pylock.toml",
        PYLOCK_PRIVATE,
        ["SPC704", "SPC738", "SPC738", "SPC739", "SPC739", "SPC740", "SPC740", "SPC791"],  # __token__ stays
        ["glpat-AbCdEfGhIjKlMnOpQrStUv"],
    ),
}


#: arguments a case is imported with (a bentofile without docker.python_version: the Python is
#: the one given, not this interpreter's, so the golden does not depend on who runs the tests)
ARGS: dict[str, tuple[str, ...]] = {"bento-conda-alpine": ("--python", "3.11")}

#: cases whose Python no Databricks runtime has (the Databricks render refuses them, SPC328)
NO_DATABRICKS_RUNTIME = {"cog-no-python"}


def _wheel(path: Path) -> None:
    """A minimal, well-formed wheel (a zip with a METADATA and a WHEEL file)."""
    name, version = path.name.split("-")[:2]
    info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{info}/RECORD", "")


def _materialize(folder: Path, files: dict[str, str | None]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            _wheel(target)
        else:
            target.write_text(text, encoding="utf-8")


def _import(folder: Path, case: str, *extra: str) -> tuple[int, str, str]:
    _, entry, files, _, _ = CASES[case]
    _materialize(folder, files)
    source = folder / entry if entry else folder
    run = run_cli("import", str(source), *ARGS.get(case, ()), *extra)
    return run.code, run.out, run.err


class Imported:
    """Every case imported once (JSON report), on first use."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.done: dict[str, tuple[Path, dict[str, object]]] = {}

    def __getitem__(self, case: str) -> tuple[Path, dict[str, object]]:
        if case not in self.done:
            folder = self.base / case
            code, stdout, stderr = _import(folder, case, "--format", "json")
            assert code == 0, (case, stdout, stderr)
            self.done[case] = (folder, json.loads(stdout))
        return self.done[case]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return Imported(tmp_path_factory.mktemp("peers"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_import_matches_golden(case: str, imported: Imported) -> None:
    folder, _ = imported[case]
    assert_golden(GOLDEN_IMPORT / f"{case}.toml", (folder / "model-env.toml").read_bytes())


@pytest.mark.parametrize("case", sorted(CASES))
def test_import_reports_what_is_not_carried(case: str, imported: Imported) -> None:
    _, report = imported[case]
    codes = sorted(d["code"] for d in report["diagnostics"])  # type: ignore[index, union-attr]
    assert codes == CASES[case][3]


#: the codes that mean "an item of the source is left behind", written out (the command derives
#: its set from specc.codes by name; this list is the independent oracle)
NOT_CARRIED = {"SPC706", "SPC710", "SPC711", "SPC712", "SPC716", "SPC717", "SPC718", "SPC720", "SPC721", "SPC725",
               "SPC726", "SPC731", "SPC732", "SPC733", "SPC736", "SPC738", "SPC739", "SPC740", "SPC742", "SPC743",
               "SPC744"}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_summary_counts_what_is_not_carried(case: str, tmp_path: Path) -> None:
    """The summary line's "N items not carried over" counts the peers' codes too (it said 0 for
    every cog, BentoML, Truss, pixi and pylock import)."""
    import re

    code, _, err = _import(tmp_path / case, case)
    assert code == 0, err
    m = re.search(r"; (\d+) items? not carried over\)", err)
    assert m is not None, err
    expected = sum(1 for c in CASES[case][3] if c in NOT_CARRIED)
    assert int(m.group(1)) == expected
    if case != "truss-pyproject":  # the one case with nothing left behind
        assert expected > 0


@pytest.mark.parametrize("case", sorted(CASES))
def test_detected_kind(case: str, tmp_path: Path) -> None:
    from specc.importers import detect_kind

    kind, entry, files, _, _ = CASES[case]
    _materialize(tmp_path, files)
    assert detect_kind(tmp_path) == kind
    if entry:
        assert detect_kind(tmp_path / entry) == kind


@pytest.mark.parametrize("case", sorted(CASES))
def test_imported_spec_validates_compiles_and_renders(case: str, imported: Imported, tmp_path: Path) -> None:
    import warnings

    from specc.api import check, check_text
    from specc.backends import get_backend
    from specc.mlflow import log_model_kwargs

    folder, _ = imported[case]
    spec_file = folder / "model-env.toml"
    result = check(spec_file)
    assert result.spec is not None
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    spec = result.spec

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # this interpreter may differ from runtime.python
        kwargs = log_model_kwargs(spec, out_dir=tmp_path / "mlflow")
    requirements = [str(r) for r in kwargs.get("pip_requirements") or kwargs.get("extra_pip_requirements") or []]
    for req in spec.python.requirements:
        assert any(line.startswith(req.name) for line in requirements) or kwargs.get("conda_env"), req.name

    docker = get_backend("docker")
    out = docker.render(spec, docker.options_type())
    assert [d for d in out.diagnostics if d.severity == "error"] == []
    assert "Dockerfile" in out.files
    for pkg in spec.apt.packages:
        assert pkg.name.encode() in out.files["Dockerfile"]
    if spec.python.requirements:
        pinned = out.files["deps/python/requirements.txt"].decode()
        for req in spec.python.requirements:
            assert req.name in pinned, req.name

    # the peers know nothing of Databricks: a libraries-dir is what a user adds for it
    text = (
        spec_file.read_text(encoding="utf-8") + '\n[targets.databricks]\nlibraries-dir = "/Volumes/ml/default/libs"\n'
    )
    dbx_result = check_text(text, base_dir=folder, name="model-env.toml")
    if case in NO_DATABRICKS_RUNTIME:
        # cog's default Python (3.13) runs on no Databricks runtime: said, not rendered
        assert {d.code for d in dbx_result.diagnostics if d.severity == "error"} == {"SPC328"}
        return
    assert dbx_result.spec is not None, [d.message for d in dbx_result.diagnostics]
    databricks = get_backend("databricks")
    rendered = databricks.render(dbx_result.spec, databricks.options_type())
    assert [d.code for d in rendered.diagnostics if d.severity == "error"] == []
    assert rendered.files


@pytest.mark.parametrize("case", sorted(CASES))
def test_import_is_deterministic(case: str, tmp_path: Path) -> None:
    a = _import(tmp_path / "a" / "src", case)
    b = _import(tmp_path / "b" / "src", case)
    assert a[0] == b[0] == 0
    first = (tmp_path / "a" / "src" / "model-env.toml").read_bytes()
    assert first == (tmp_path / "b" / "src" / "model-env.toml").read_bytes()
    assert a[1:] == b[1:] or a[2].replace(str(tmp_path / "a"), "") == b[2].replace(str(tmp_path / "b"), "")


@pytest.mark.parametrize("case", sorted(c for c in CASES if CASES[c][4]))
def test_credentials_never_written_or_printed(case: str, tmp_path: Path) -> None:
    for fmt in ("text", "json"):
        folder = tmp_path / fmt
        code, stdout, stderr = _import(folder, case, "--format", fmt)
        assert code == 0
        written = (folder / "model-env.toml").read_text(encoding="utf-8")
        for secret in CASES[case][4]:
            assert secret not in written
            assert secret not in stdout
            assert secret not in stderr
        assert "${" in written  # the credentials are placeholders of declared secrets
        assert "[secrets." in written


# --- bad input: a diagnostic with a code and a place, exit 1, nothing written ---------------

BAD: dict[str, tuple[dict[str, str], str, str]] = {
    # case: (files, the code, where it points: "file:line")
    "cog-not-yaml": (
        {"cog.yaml": "build:\n  python_version: '3.11'\n  system_packages: [ffmpeg\n"},
        "SPC730",
        "cog.yaml:4",
    ),
    "cog-build-list": ({"cog.yaml": "build:\n  - python_version\n"}, "SPC730", "cog.yaml:1"),
    "cog-missing-file": (
        {"cog.yaml": 'build:\n  python_version: "3.11"\n  python_requirements: reqs/missing.txt\n'},
        "SPC730",
        "cog.yaml:3",
    ),
    "cog-bad-python": ({"cog.yaml": 'build:\n  python_version: "three"\n'}, "SPC730", "cog.yaml:2"),
    "bento-top-list": ({"bentofile.yaml": "- service\n"}, "SPC730", "bentofile.yaml:1"),
    "truss-python": ({"config.yaml": "model_name: m\npython_version: python3\n"}, "SPC730", "config.yaml:2"),
    "pixi-not-toml": (
        {"pixi.toml": '[workspace]\nname = "x"\n[dependencies\npython = "3.11"\n'},
        "SPC730",
        "pixi.toml:3",
    ),
    "pylock-version": (
        {
            "pylock.toml": 'lock-version = "2.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nversion = "1"\n'
            f'sdist = {{ url = "https://x.example/a-1.tar.gz", hashes = {{ sha256 = "{_SHA}" }} }}\n'
        },
        "SPC730",
        "pylock.toml:1",
    ),
    "pylock-bad-package": (
        {
            "pylock.toml": 'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "Not_Normalized"\nversion = "1"\n'
        },
        "SPC730",
        "pylock.toml:3",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_a_diagnostic_and_writes_nothing(case: str, tmp_path: Path) -> None:
    files, code, where = BAD[case]
    _materialize(tmp_path, dict(files))
    run = run_cli("import", str(tmp_path), "--python", "3.11", "--format", "json")
    assert run.code == 1, (run.out, run.err)
    assert not (tmp_path / "model-env.toml").exists()
    report = json.loads(run.out)
    found = [d for d in report["diagnostics"] if d["code"] == code]
    assert found, report
    file, line = where.split(":")
    assert any(d.get("file") == file and d.get("line") == int(line) for d in found), found
    text = run_cli("import", str(tmp_path), "--python", "3.11")
    assert text.code == 1
    assert "Traceback" not in text.err and "SPC900" not in text.err


def test_duplicate_yaml_key_is_reported(tmp_path: Path) -> None:
    (tmp_path / "cog.yaml").write_text('build:\n  python_version: "3.10"\n  python_version: "3.11"\n', encoding="utf-8")
    run = run_cli("import", str(tmp_path), "--format", "json")
    report = json.loads(run.out)
    assert any(d["code"] == "SPC730" and d.get("line") == 3 for d in report["diagnostics"])


def test_pixi_toml_1_1_inline_tables(tmp_path: Path) -> None:
    """pixi accepts TOML 1.1 (multi-line inline tables); so does the importer (tomli)."""
    (tmp_path / "pixi.toml").write_text(
        '[workspace]\nname = "x"\nplatforms = ["linux-64"]\n\n[dependencies]\npython = {\n  version = "3.12.*",\n'
        '  channel = "conda-forge",\n}\n\n[pypi-dependencies]\nrequests = "==2.32.3"\n',
        encoding="utf-8",
    )
    run = run_cli("import", str(tmp_path))
    assert run.code == 0, run.err
    text = (tmp_path / "model-env.toml").read_text(encoding="utf-8")
    assert 'python = "3.12"' in text and '"requests==2.32.3"' in text


def test_truss_detection_needs_a_truss_key(tmp_path: Path) -> None:
    """A config.yaml of some other tool is not taken for a Truss config."""
    from specc.importers import KINDS

    (tmp_path / "config.yaml").write_text("logging:\n  level: INFO\npython_version: '3.11'\n", encoding="utf-8")
    assert not KINDS["truss"].detect(tmp_path)
    (tmp_path / "config.yaml").write_text("python_version: py39\n", encoding="utf-8")
    assert KINDS["truss"].detect(tmp_path / "config.yaml")


# --- the value helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("3.11.*", "3.11"),
        ("3.11", "3.11"),
        ("==3.11.9", "3.11.9"),
        ("=3.10", "3.10"),
        ("3.12.1", "3.12.1"),
        ("~=3.11.0", "3.11"),
        (">=3.11,<3.12", "3.11"),
        (">=3.10,<3.12", None),
        (">=3.10", None),
        ("*", None),
        ("2.7", None),
    ],
)
def test_python_from_conda(written: str, expected: str | None) -> None:
    from specc.importers._peers import python_from_conda

    assert python_from_conda(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [(">=3.10,<3.12", "3.11"), ("<=3.12", "3.12"), ("==3.9.*", "3.9"), (">=3.10", None), ("junk", None)],
)
def test_highest_minor(written: str, expected: str | None) -> None:
    from specc.importers._peers import highest_minor

    assert highest_minor(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"), [("12.4", "12.4"), ("12.4.1", "12.4"), ("12", "12.0"), ("11.8", "11.8"), ("cuda12", None)]
)
def test_cuda_version(written: str, expected: str | None) -> None:
    from specc.importers._peers import cuda_version

    assert cuda_version(written) == expected


# --- total: any YAML or TOML a peer's file may hold gives a diagnostic, never a crash -------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from(["3.11", "py311", "ffmpeg", "numpy==2.1.3", "git+https://x/y", "NAME=v", "", "*", ">=1,<2"]),
    st.text(max_size=12),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "name", "version", "pip", "image"]), inner, max_size=3)
    ),
    max_leaves=8,
)
_KEYS = {
    "cog": ["build", "image", "predict", "run", "environment", "concurrency", "weights"],
    "cog.build": ["python_version", "python_packages", "python_requirements", "system_packages", "gpu", "cuda", "run"],
    "bentoml": ["service", "name", "python", "docker", "conda", "envs", "include", "models"],
    "truss": [
        "model_name",
        "python_version",
        "requirements",
        "system_packages",
        "environment_variables",
        "secrets",
        "resources",
        "base_image",
    ],
    "pixi": [
        "workspace",
        "dependencies",
        "pypi-dependencies",
        "pypi-options",
        "feature",
        "environments",
        "target",
        "activation",
    ],
}


def _yaml_doc(kind: str) -> st.SearchStrategy[dict[str, object]]:
    top = st.dictionaries(st.sampled_from(_KEYS[kind]), _VALUES, max_size=5)
    if kind == "cog":
        return st.builds(
            lambda t, b: {**t, "build": b},
            top,
            st.dictionaries(st.sampled_from(_KEYS["cog.build"]), _VALUES, max_size=5),
        )
    if kind == "truss":
        return st.builds(lambda t: {"model_name": "m", **t}, top)
    return top


_FILES = {"cog": "cog.yaml", "bentoml": "bentofile.yaml", "truss": "config.yaml"}


@pytest.mark.parametrize("kind", ["cog", "bentoml", "truss"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_yaml_shape_gives_diagnostics_not_a_crash(kind: str, data: st.DataObject, tmp_path: Path) -> None:
    import yaml

    doc = data.draw(_yaml_doc(kind))
    folder = tmp_path / f"case{abs(hash(repr(doc))) % 10**8}"
    folder.mkdir(exist_ok=True)
    (folder / _FILES[kind]).write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = folder / "model-env.toml"
    run = run_cli("import", str(folder), "--from", kind, "--python", "3.11", "--out", str(out), "--force")
    assert run.code in (0, 1), run.err
    assert out.exists() == (run.code == 0)
    if run.code == 0:
        from specc.api import check

        assert not [d for d in check(out).diagnostics if d.severity == "error"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    doc=st.dictionaries(
        st.sampled_from(_KEYS["pixi"]),
        st.dictionaries(
            st.sampled_from(["python", "numpy", "name", "index-url", "default", "linux-64", "env", "version"]),
            _VALUES.filter(lambda v: v is not None),
            max_size=3,
        ),
        max_size=5,
    )
)
def test_any_pixi_shape_gives_diagnostics_not_a_crash(doc: dict[str, object], tmp_path: Path) -> None:
    import tomlkit

    folder = tmp_path / f"case{abs(hash(repr(doc))) % 10**8}"
    folder.mkdir(exist_ok=True)
    try:
        text = tomlkit.dumps(_no_none(doc))
    except Exception:  # a shape TOML cannot hold (mixed arrays): not this test's business
        return
    (folder / "pixi.toml").write_text(text, encoding="utf-8")
    out = folder / "model-env.toml"
    run = run_cli("import", str(folder), "--python", "3.11", "--out", str(out), "--force")
    assert run.code in (0, 1), run.err
    assert out.exists() == (run.code == 0)


def _no_none(value: object) -> object:
    if isinstance(value, dict):
        return {k: _no_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_none(v) for v in value if v is not None]
    return value


def test_yaml_aliases_are_walked_once(tmp_path: Path) -> None:
    """A recursive alias and an alias bomb give diagnostics (or a spec), not a hang or a crash."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    (tmp_path / "cog.yaml").write_text(
        'build:\n  python_version: "3.11"\n  run: &r [*r]\n'
        + "tests:\n"
        + "".join(f"  {line}\n" for line in bomb.splitlines()),
        encoding="utf-8",
    )
    run = run_cli("import", str(tmp_path), "--format", "json")
    assert run.code in (0, 1), run.err
    assert "SPC900" not in run.err


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("cog.yaml", 'build:\n  python_version: "3.11"\n  python_requirements: /etc/hostname\n'),
        ("bentofile.yaml", "docker:\n  python_version: '3.11'\npython:\n  requirements_txt: ../outside.txt\n"),
        ("config.yaml", "model_name: m\npython_version: py311\nrequirements_file: ../outside.txt\n"),
    ],
)
def test_files_outside_the_folder_are_never_read(name: str, text: str, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("leaked-package==1.0\n", encoding="utf-8")
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    run = run_cli("import", str(folder), "--format", "json")
    assert run.code == 1
    assert "leaked-package" not in run.out
    report = json.loads(run.out)
    assert any(d["code"] == "SPC730" and "outside the imported folder" in d["message"] for d in report["diagnostics"])


def test_pixi_path_dependency_outside_is_reported_not_fatal(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "pixi.toml").write_text(
        '[workspace]\nplatforms = ["linux-64"]\n[dependencies]\npython = "3.12.*"\n'
        '[pypi-dependencies]\nshared = { path = "../shared" }\nrequests = "==2.32.3"\n',
        encoding="utf-8",
    )
    run = run_cli("import", str(folder), "--format", "json")
    assert run.code == 0, run.out
    assert [d["code"] for d in json.loads(run.out)["diagnostics"]] == ["SPC738"]


# --- smaller shapes, one branch each ---------------------------------------------------------

SHAPES: dict[str, tuple[dict[str, str], list[str], list[str]]] = {
    # name: (files, lines the spec must hold, the codes reported)
    "truss-uv-lock": (
        {
            "config.yaml": "model_name: m\npython_version: py312\nrequirements_file: uv.lock\n",
            "uv.lock": "version = 1\n",
            "pyproject.toml": '[project]\nname = "m"\nversion = "0"\ndependencies = ["polars==1.9.0"]\n',
        },
        ['"polars==1.9.0",  # from pyproject.toml:4:1'],
        ["SPC740"],
    ),
    "pixi-system-requirements": (
        {
            "pixi.toml": '[project]\nname = "gpu"\nplatforms = ["linux-64"]\n[system-requirements]\ncuda = "12.4"\n'
            'libc = { family = "glibc", version = "2.28" }\n[dependencies]\npython = "3.11"\n'
            '[pypi-dependencies]\ntorch = "==2.3.0"\n[target.linux-64.pypi-dependencies]\ntorch = "==2.3.1"\n'
            '[feature.serve.pypi-dependencies]\nfastapi = "==0.111.0"\n[environments]\ndefault = { features = ["serve"] }\n',
        },
        ['cuda = "12.4"', '"torch==2.3.1"', '"fastapi==0.111.0"', 'python = "3.11"'],
        ["SPC739"],
    ),
    "bento-docker-env": (
        {
            "bentofile.yaml": "service: s:S\ndocker:\n  python_version: '3.12'\n  env:\n    LOG_LEVEL: debug\n"
            "    DB_PASSWORD: hunter2-long-value\n",
        },
        ['LOG_LEVEL = "debug"', "[secrets.DB_PASSWORD]"],
        ["SPC704", "SPC737", "SPC742"],
    ),
    "bento-pyproject": (
        {
            "pyproject.toml": '[project]\nname = "svc"\nversion = "0"\ndependencies = [\n  "torch==2.3.1",\n]\n\n'
            '[tool.bentoml.build]\nservice = "service:Svc"\n\n[tool.bentoml.build.python]\n'
            'packages = ["transformers==4.42.4"]\n\n[tool.bentoml.build.docker]\npython_version = "3.11"\n'
            'system_packages = ["ffmpeg"]\n',
        },
        [
            '"torch==2.3.1",  # from pyproject.toml:5:3',
            '"transformers==4.42.4",  # from pyproject.toml:12:1',
            'python = "3.11"  # from pyproject.toml:15:1',
            '"ffmpeg",  # from pyproject.toml:16:1',
        ],
        ["SPC742"],
    ),
    "cog-first-format": (
        {
            "cog.yaml": 'environment:\n  python_version: "3.8"\n  python_packages:\n    - pytorch==1.4.0\n'
            '  system_packages:\n    - "ffmpeg"\npredict: "predict.py:JazzSoloComposerPredictor"\n',
        },
        [
            'python = "3.8"  # from cog.yaml:2:3',
            '"pytorch==1.4.0",  # from cog.yaml:4:7',
            '"ffmpeg",  # from cog.yaml:6:7',
        ],
        ["SPC732", "SPC742", "SPC791"],
    ),
    "cog-build-environment": (
        {"cog.yaml": "build:\n  python_version: '3.12'\n  environment:\n    - PIP_NO_CACHE=1\n    - not-a-pair\n"},
        ['PIP_NO_CACHE = "1"'],
        ["SPC743"],
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shapes(shape: str, tmp_path: Path) -> None:
    files, lines, codes = SHAPES[shape]
    _materialize(tmp_path, dict(files))
    run = run_cli("import", str(tmp_path), "--format", "json")
    assert run.code == 0, run.out
    text = (tmp_path / "model-env.toml").read_text(encoding="utf-8")
    for line in lines:
        assert line in text, text
    assert sorted(d["code"] for d in json.loads(run.out)["diagnostics"]) == codes


@pytest.mark.parametrize("kind", ["pixi", "bentoml"])
def test_a_pyproject_without_the_table_is_an_error(kind: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n', encoding="utf-8")
    run = run_cli("import", str(tmp_path / "pyproject.toml"), "--from", kind, "--format", "json")
    assert run.code == 1
    assert [d["code"] for d in json.loads(run.out)["diagnostics"]] == ["SPC730"]
    assert not (tmp_path / "model-env.toml").exists()


_WHEEL_NAMES = st.sampled_from(
    [
        "a-1.0-py3-none-any.whl",
        "a-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        "a-1.0-cp312-abi3-manylinux_2_17_x86_64.whl",
        "not-a-wheel.whl",
    ]
)
_FILE = st.fixed_dictionaries(
    {"hashes": st.just({"sha256": _SHA})},
    optional={
        "name": _WHEEL_NAMES,
        "url": st.sampled_from(["https://files.pythonhosted.org/a.whl", "https://x.example/a-1.0-py3-none-any.whl"]),
        "path": st.sampled_from(["dist/a-1.0-py3-none-any.whl", "../a.whl", "/abs/a.whl"]),
    },
)
_PACKAGE = st.fixed_dictionaries(
    {"name": st.sampled_from(["a", "b-c", "B_c"])},
    optional={
        "version": st.sampled_from(["1.0", "2.0rc1"]),
        "marker": st.sampled_from(
            ["sys_platform == 'linux'", "'dev' in dependency_groups", "extra == 'x'", "os_name == 'nt'"]
        ),
        "index": st.sampled_from(["https://pypi.org/simple", "https://u:p4ssw0rd-xyz@pkgs.example.com/simple"]),
        "wheels": st.lists(_FILE, max_size=2),
        "sdist": _FILE,
        "vcs": st.just({"type": "git", "url": "https://github.com/x/y", "commit-id": "a" * 40}),
        "directory": st.just({"path": "./core"}),
        "archive": st.just({"url": "https://x.example/a-1.0.tar.gz", "hashes": {"sha256": _SHA}}),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    packages=st.lists(_PACKAGE, max_size=4),
    requires=st.sampled_from([None, ">=3.10", "==3.12.*", "<3.13"]),
    groups=st.sampled_from([{}, {"dependency-groups": ["dev"], "default-groups": []}]),
)
def test_any_pylock_gives_diagnostics_not_a_crash(
    packages: list[dict[str, object]], requires: str | None, groups: dict[str, object], tmp_path: Path
) -> None:
    import tomlkit

    folder = tmp_path / f"case{abs(hash(repr((packages, requires, groups)))) % 10**8}"
    (folder / "dist").mkdir(parents=True, exist_ok=True)
    _wheel(folder / "dist" / "a-1.0-py3-none-any.whl")
    doc: dict[str, object] = {"lock-version": "1.0", "created-by": "test", **groups, "packages": packages}
    if requires:
        doc["requires-python"] = requires
    (folder / "pylock.toml").write_text(tomlkit.dumps(doc), encoding="utf-8")
    out = folder / "model-env.toml"
    run = run_cli("import", str(folder), "--python", "3.11", "--out", str(out), "--force", "--format", "json")
    assert run.code in (0, 1), run.err
    assert out.exists() == (run.code == 0)
    assert "p4ssw0rd-xyz" not in run.out
    if run.code == 0:
        assert "p4ssw0rd-xyz" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_diagnostic_has_a_line(case: str, imported: Imported) -> None:
    """Each diagnostic points at file:line, but those about an entry holding a credential (no
    line, so no excerpt can show the value).  pixi's feature and target tables written only as
    [feature.gpu.dependencies] had no line (the table has no header of its own)."""
    _, report = imported[case]
    lineless = [d for d in report["diagnostics"] if not d["line"] and d["code"] not in ("SPC704", "SPC737")]  # type: ignore[index, union-attr]
    assert not lineless, lineless


def test_a_table_without_its_own_header_points_at_its_first_entry(tmp_path: Path) -> None:
    text = (
        '[workspace]\nname = "p"\nchannels = ["conda-forge"]\nplatforms = ["linux-64", "osx-arm64"]\n\n'
        '[dependencies]\npython = "3.11.*"\n\n[target.osx-arm64.dependencies]\ntensorflow-macos = "*"\n\n'
        '[feature.gpu.system-requirements]\ncuda = "12"\n\n[feature.gpu.dependencies]\npytorch-cuda = "12.1.*"\n\n'
        '[environments]\ngpu = ["gpu"]\n'
    )
    (tmp_path / "pixi.toml").write_text(text, encoding="utf-8")
    r = run_cli("import", str(tmp_path), "--format", "json")
    assert r.code == 0, r.out
    got = {
        (d["message"].split(" ")[0] + " " + d["message"].split(" ")[1], d["line"])
        for d in json.loads(r.out)["diagnostics"]
        if d["code"] == "SPC739"
    }
    assert ("target.osx-arm64 tables", 9) in got
    assert ("feature 'gpu'", 12) in got


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_note_saying_carried_is_not_counted_as_left_out(case: str, imported: Imported) -> None:
    """Found as a user: cog's deprecated ``build.python_packages`` ("its requirements are carried
    over") was a not-carried code (SPC732), so the summary counted it as left behind; a BentoML
    base image, a pixi per-package index and a pylock made for other platforms too.  A message
    that says an item is carried over has SPC791; one with a not-carried code says it is not."""
    import re

    from specc.commands.import_ import _not_carried

    left_out = _not_carried()
    carried = re.compile(r"\b(is|are) carried over\b")
    for d in report_of(imported, case):
        # "X is carried over; Y is not" leaves Y behind: a not-carried code is right there
        says_carried = bool(carried.search(d["message"])) and not re.search(r"\bnot\b", d["message"])
        if d["code"] == "SPC791":
            assert says_carried, d
        elif d["code"] in left_out and says_carried:
            raise AssertionError(f"{case}: {d['code']} says carried: {d['message']}")


def report_of(imported: Imported, case: str) -> list[dict[str, str]]:
    _, report = imported[case]
    return report["diagnostics"]  # type: ignore[return-value]
