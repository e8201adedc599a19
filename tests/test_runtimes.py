"""Databricks runtime manifests: freshness of the generated files and the lookup API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from specc.runtimes import (
    RuntimeInfo,
    get_runtime,
    known_runtimes,
    resolve_runtime,
    scala_suffix_ok,
    suggest_runtimes,
)

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "build_runtimes.py"
COMMITTED = REPO / "targets" / "databricks" / "runtimes"
# The runtime package lists the manifests are built from, vendored (see PROVENANCE.md there).
SOURCE = REPO / "scripts" / "databricks-runtimes"


def _generate(out: Path, source: Path = SOURCE) -> subprocess.CompletedProcess[str]:
    """Run the real script (its own argument parsing and exit code) into ``out``."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--source", str(source), "--out", str(out)],
        capture_output=True,
        text=True,
    )


def _manifests(out: Path, source: Path = SOURCE) -> dict[str, bytes]:
    proc = _generate(out, source)
    assert proc.returncode == 0, proc.stderr
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.json"))}


def test_generator_is_deterministic_and_manifests_are_fresh(tmp_path: Path) -> None:
    first = _manifests(tmp_path / "a")
    second = _manifests(tmp_path / "b")
    assert first == second
    committed = {p.name: p.read_bytes() for p in sorted(COMMITTED.glob("*.json"))}
    assert sorted(committed) == sorted(first), "regenerate: python scripts/build_runtimes.py"
    stale = [name for name in first if first[name] != committed[name]]
    assert not stale, f"stale manifests {stale}; regenerate: python scripts/build_runtimes.py"


def test_default_source_is_the_vendored_copy(tmp_path: Path) -> None:
    # No --source: a clone with nothing beside it must still rebuild the manifests.
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert len(list(tmp_path.glob("*.json"))) == len(list(SOURCE.glob("*.txt"))) + 1  # + index.json


def _small_source(tmp_path: Path) -> Path:
    """A two-row source: one serverless list and a dcs/ cross-check row (file absent, as vendored)."""
    src = tmp_path / "src"
    src.mkdir()
    index = (SOURCE / "INDEX.tsv").read_text(encoding="utf-8").splitlines()
    (row,) = [line for line in index if line.startswith("serverless-v3.txt\t")]
    dcs = "\t".join(["dcs/17.3-LTS-standard-python.txt", "DBR release-17.3-LTS", "3.12", "229", "x", "", "", ""])
    (src / "INDEX.tsv").write_text("\n".join([index[0], row, dcs]) + "\n", encoding="utf-8")
    (src / "serverless-v3.txt").write_bytes((SOURCE / "serverless-v3.txt").read_bytes())
    return src


def test_cross_check_rows_are_skipped(tmp_path: Path) -> None:
    built = _manifests(tmp_path / "out", _small_source(tmp_path))
    assert sorted(built) == ["index.json", "serverless-v3.json"]
    assert built["serverless-v3.json"] == (COMMITTED / "serverless-v3.json").read_bytes()


def test_a_list_missing_from_the_index_is_an_error(tmp_path: Path) -> None:
    src = _small_source(tmp_path)
    (src / "serverless-v9.txt").write_text("numpy==2.0.0\n", encoding="utf-8")
    proc = _generate(tmp_path / "out", src)
    assert proc.returncode == 1
    assert "INDEX.tsv does not list serverless-v9.txt" in proc.stderr
    assert not (tmp_path / "out").exists()  # nothing written on error


def test_vendored_source_is_self_contained() -> None:
    # Every INDEX.tsv row names a list that is here, and the provenance note travels with them.
    index = (SOURCE / "INDEX.tsv").read_text(encoding="utf-8").splitlines()[1:]
    named = {line.split("\t", 1)[0] for line in index}
    assert named == {p.name for p in SOURCE.glob("*.txt")}
    assert (SOURCE / "PROVENANCE.md").is_file()


def test_manifest_format() -> None:
    text = (COMMITTED / "15.4.x-cpu-ml-scala2.12.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "flavor"')


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15.4.x-cpu-ml-scala2.12", "15.4.x-cpu-ml-scala2.12"),
        ("15.4.x-scala2.12", "15.4.x-scala2.12"),
        ("15.4-ml", "15.4.x-cpu-ml-scala2.12"),
        ("15.4 LTS ML", "15.4.x-cpu-ml-scala2.12"),
        ("15.4 ML", "15.4.x-cpu-ml-scala2.12"),
        ("15.4-cpu-ml", "15.4.x-cpu-ml-scala2.12"),
        ("  15.4   lts   ml ", "15.4.x-cpu-ml-scala2.12"),
        ("15.4 LTS", "15.4.x-scala2.12"),
        ("15.4", "15.4.x-scala2.12"),
        ("15.4.x", "15.4.x-scala2.12"),
        ("15.4-gpu-ml", "15.4.x-gpu-ml-scala2.12"),
        ("15.4 LTS ML GPU", "15.4.x-gpu-ml-scala2.12"),
        ("15.4 LTS GPU ML", "15.4.x-gpu-ml-scala2.12"),
        ("serverless-v3", "serverless-v3"),
        ("serverless v3", "serverless-v3"),
        ("Serverless V3", "serverless-v3"),
        ("16.4", "16.4.x-scala2.12"),  # the default image of 16.4 LTS is Scala 2.12
        ("16.4 LTS ML", "16.4.x-cpu-ml-scala2.12"),
        ("17.3 LTS", "17.3.x-scala2.13"),  # 17.x only exists with Scala 2.13
        ("17.3-ml", "17.3.x-cpu-ml-scala2.13"),
        ("15.1 ML", "15.1.x-cpu-ml-scala2.12"),
    ],
)
def test_resolve_accepted_forms(value: str, expected: str) -> None:
    assert resolve_runtime(value) == expected


def test_resolve_gpu_variant() -> None:
    assert resolve_runtime("15.4-ml", gpu=True) == "15.4.x-gpu-ml-scala2.12"
    assert resolve_runtime("15.4 LTS ML", gpu=True) == "15.4.x-gpu-ml-scala2.12"
    # gpu only changes the ML short forms: standard, explicit cpu and full keys stay.
    assert resolve_runtime("15.4", gpu=True) == "15.4.x-scala2.12"
    assert resolve_runtime("15.4-cpu-ml", gpu=True) == "15.4.x-cpu-ml-scala2.12"
    assert resolve_runtime("15.4.x-cpu-ml-scala2.12", gpu=True) == "15.4.x-cpu-ml-scala2.12"


@pytest.mark.parametrize(
    "value",
    ["15.3-ml", "15.4-photon", "15.1 LTS", "16.4.x-scala2.13", "serverless-v9", "", "ml", "bogus"],
)
def test_resolve_unknown(value: str) -> None:
    assert resolve_runtime(value) is None


def test_suggestions() -> None:
    assert "15.4-ml" in suggest_runtimes("15.3-ml")
    assert suggest_runtimes("15.4.x-cpu-ml-scala2.11")[0] == "15.4.x-cpu-ml-scala2.12"
    assert "serverless-v3" in suggest_runtimes("serverles-v3")
    assert suggest_runtimes("15.4-photon")  # the version is known: offer its runtimes
    assert len(suggest_runtimes("15.4", n=2)) <= 2
    assert suggest_runtimes("completely-unrelated") == []


def test_runtime_properties_and_python() -> None:
    expected_python = {"15.4": "3.11", "14.3": "3.10", "16.4": "3.12", "17.3": "3.12"}
    for version, python in expected_python.items():
        for key in (resolve_runtime(version), resolve_runtime(f"{version}-ml")):
            assert key is not None
            info = get_runtime(key)
            assert info is not None and info.python == python
    ml = get_runtime("15.4.x-cpu-ml-scala2.12")
    assert ml == RuntimeInfo(
        key="15.4.x-cpu-ml-scala2.12",
        version="15.4",
        flavor="cpu-ml",
        lts=True,
        python="3.11",
        spark="3.5.0",
        scala="2.12",
        ubuntu="22.04",
    )
    assert ml.ml and not ml.gpu and not ml.serverless
    gpu = get_runtime("15.4.x-gpu-ml-scala2.12")
    assert gpu is not None and gpu.gpu and gpu.ml
    sl = get_runtime("serverless-v3")
    assert sl is not None and sl.serverless and not sl.ml and sl.scala is None
    assert sl.python == "3.12" and sl.ubuntu == "24.04"
    r173 = get_runtime("17.3.x-scala2.13")
    assert r173 is not None and r173.spark == "4.0.0" and r173.ubuntu == "24.04"
    r151 = get_runtime("15.1.x-scala2.12")
    assert r151 is not None and not r151.lts and r151.ubuntu is None
    assert get_runtime("15.4-ml") is None  # get_runtime takes keys only


def test_known_runtimes_sorted() -> None:
    runtimes = known_runtimes()
    keys = [r.key for r in runtimes]
    assert keys[:3] == ["12.2.x-scala2.12", "12.2.x-cpu-ml-scala2.12", "12.2.x-gpu-ml-scala2.12"]
    assert keys.index("15.4.x-scala2.12") < keys.index("16.1.x-scala2.12")
    assert all(r.serverless for r in runtimes[-4:])
    assert len(keys) == len(set(keys)) == 40


def test_packages() -> None:
    ml = get_runtime("15.4.x-cpu-ml-scala2.12")
    assert ml is not None
    pkgs = ml.packages()
    assert pkgs["numpy"] == "1.23.5"
    assert pkgs["pandas"] == "1.5.3"
    assert pkgs["databricks-sdk"] == "0.20.0"  # restored after being masked upstream
    assert "pyspark" not in pkgs  # dropped: DBR injects its own
    assert all(name == name.lower() and "_" not in name for name in pkgs)
    assert any(v.startswith("horovod @ ") for v in ml.verbatim())
    with pytest.raises(TypeError):
        pkgs["numpy"] = "2.0"  # type: ignore[index]
    assert ml.packages() is pkgs  # cached


def test_scala_suffix() -> None:
    r154 = get_runtime("15.4.x-cpu-ml-scala2.12")
    r173 = get_runtime("17.3.x-scala2.13")
    sl = get_runtime("serverless-v3")
    assert r154 is not None and r173 is not None and sl is not None
    assert scala_suffix_ok(r154, "spark-nlp_2.12") is True
    assert scala_suffix_ok(r154, "spark-nlp_2.13") is False
    assert scala_suffix_ok(r173, "spark-nlp_2.13") is True
    assert scala_suffix_ok(r173, "com.johnsnowlabs.nlp:spark-nlp_2.12:5.3.3") is False
    assert scala_suffix_ok(r154, "sqlite-jdbc") is None
    assert scala_suffix_ok(r154, "org.xerial:sqlite-jdbc:3.45.1.0") is None
    assert scala_suffix_ok(sl, "spark-nlp_2.12") is None
