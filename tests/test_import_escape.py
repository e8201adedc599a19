"""``specc import`` never reads a file outside the folder it imports because a file or a link in
that folder says so (the peers' rule, ``specc.importers._peers.within``, for every kind).

Reproducer (found re-running issue 14): a ``requirements.txt`` with ``-r ../../outside.txt``
(or ``-r /abs/path``), a conda ``pip:`` ``-r`` line, a repo2docker folder whose
``requirements.txt``/``apt.txt``/``environment.yml`` are links to files elsewhere, an MLflow
model folder whose ``requirements.txt`` is such a link: each was read and its lines copied into
the written spec.  Now an include outside is SPC712 (not followed), a folder's own file outside
is SPC700 (not read); the file the user names on the command line is read wherever it leads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli

CANARY = "canary-outside-pkg"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "reqs.txt").write_text(f"{CANARY}==1.0\n", encoding="utf-8")
    (folder / "apt.txt").write_text(f"{CANARY}\n", encoding="utf-8")
    (folder / "env.yml").write_text(f"dependencies:\n- python=3.11\n- pip:\n  - {CANARY}==1.0\n", encoding="utf-8")
    (folder / "python_env.yaml").write_text(
        f"python: 3.11.9\nbuild_dependencies: [pip]\ndependencies: [{CANARY}==1.0]\n", encoding="utf-8"
    )
    (folder / "cog.yaml").write_text(
        f'build:\n  python_version: "3.11"\n  python_packages: ["{CANARY}==1.0"]\n', encoding="utf-8"
    )
    return folder


def _import(project: Path, source: str, *extra: str) -> tuple[int, str, str]:
    r = run_cli("import", str(project / source), "--out", str(project / "out" / "model-env.toml"), *extra)
    out = project / "out" / "model-env.toml"
    return r.code, r.err, out.read_text(encoding="utf-8") if out.exists() else ""


INCLUDES = [
    ("requirements.txt", "-r ../elsewhere/reqs.txt\nnumpy==1.26.4\n"),
    ("requirements.txt", "-c ../elsewhere/reqs.txt\nnumpy==1.26.4\n"),
    ("requirements.txt", "-r {abs}\nnumpy==1.26.4\n"),
    ("requirements.txt", "--requirement=../elsewhere/reqs.txt\nnumpy==1.26.4\n"),
    ("environment.yml", "dependencies:\n- python=3.11\n- pip:\n  - -r ../elsewhere/reqs.txt\n  - numpy==1.26.4\n"),
]


@pytest.mark.parametrize(("name", "text"), INCLUDES)
def test_include_outside_is_not_followed(tmp_path: Path, outside: Path, name: str, text: str) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / name).write_text(text.replace("{abs}", str(outside / "reqs.txt")), encoding="utf-8")
    code, err, spec = _import(project, name)
    assert code == 0, err
    assert "SPC712" in err and "outside the imported folder" in err, err
    assert CANARY not in spec and "numpy==1.26.4" in spec


def test_include_inside_is_followed(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "reqs").mkdir(parents=True)
    (project / "reqs" / "base.txt").write_text("pandas==2.2.2\n", encoding="utf-8")
    (project / "requirements.txt").write_text("-r reqs/base.txt\n", encoding="utf-8")
    code, err, spec = _import(project, "requirements.txt")
    assert code == 0 and "pandas==2.2.2" in spec, err


FOLDER_LINKS = [
    ("repo2docker", {"requirements.txt": "reqs.txt"}),
    ("repo2docker", {"environment.yml": "env.yml"}),
    ("repo2docker", {"apt.txt": "apt.txt", "requirements.txt": None}),
    ("repo2docker", {"binder/requirements.txt": "reqs.txt"}),
    ("mlflow", {"requirements.txt": "reqs.txt"}),
    ("mlflow", {"python_env.yaml": "python_env.yaml"}),
    ("cog", {"cog.yaml": "cog.yaml"}),
]

MLMODEL = "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    python_version: 3.11.9\n"


@pytest.mark.parametrize(("kind", "links"), FOLDER_LINKS)
def test_folder_file_linked_outside_is_not_read(
    tmp_path: Path, outside: Path, kind: str, links: dict[str, str | None]
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    if kind == "mlflow":
        (project / "MLmodel").write_text(MLMODEL, encoding="utf-8")
    for name, target in links.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if target is None:
            path.write_text("numpy==1.26.4\n", encoding="utf-8")
        else:
            path.symlink_to(outside / target)
    code, err, spec = _import(project, ".", "--from", kind)
    assert "outside the imported folder" in err, err
    assert CANARY not in spec and CANARY not in err
    assert code == 1 or "SPC700" not in err, err  # an error: nothing written


def test_named_file_is_read_wherever_its_link_leads(tmp_path: Path, outside: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "requirements.txt").symlink_to(outside / "reqs.txt")
    code, err, spec = _import(project, "requirements.txt")
    assert code == 0 and f"{CANARY}==1.0" in spec, err
