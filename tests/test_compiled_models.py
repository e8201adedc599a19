"""The compiled models (specc/_models.py) behave exactly as their pydantic definitions.

Commands validate and dump with classes generated from specc/spec_defs.py by
scripts/compile_models.py (issue 10's start-up): these tests keep the two in step.  The
generated file must be fresh; each compiled class has its definition's fields and defaults;
random documents are accepted or refused alike, with the same errors; every example's
normalized spec dumps the same through both; and the pydantic model behaviour specc relies on
(frozen, equality, hashing, copies, private attributes) holds.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from specc import lock_defs, spec, spec_defs
from specc.api import load
from specc.coremodel import CoreModel

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/model-env.toml"))


def _definitions() -> list[type[BaseModel]]:
    return [
        v
        for module in (spec_defs, lock_defs)
        for v in vars(module).values()
        if isinstance(v, type)
        and issubclass(v, BaseModel)
        and v.__module__ == module.__name__
        and not v.__name__.startswith("_")
    ]


def test_the_generated_module_is_fresh() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "compile_models.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


def test_check_fails_when_a_definition_changed(tmp_path: Path) -> None:
    """--check compares with what the definitions give now: a stale file is caught."""
    script = (ROOT / "scripts" / "compile_models.py").read_text(encoding="utf-8")
    out = ROOT / "specc" / "_models.py"
    stale = tmp_path / "_models.py"
    stale.write_text(out.read_text(encoding="utf-8").replace("'SINGLE_USER'", "'USER_ISOLATION'"), encoding="utf-8")
    code = script.replace('OUT = ROOT / "specc" / "_models.py"', f"OUT = Path({str(stale)!r})")
    patched = tmp_path / "compile_models.py"
    patched.write_text(code.replace("Path(__file__).resolve().parent.parent", f"Path({str(ROOT)!r})"), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(patched), "--check"], capture_output=True, text=True)
    assert proc.returncode == 1 and "stale" in proc.stderr


@pytest.mark.parametrize("definition", _definitions(), ids=lambda d: d.__name__)
def test_every_definition_is_compiled_with_its_fields_and_defaults(definition: type[BaseModel]) -> None:
    compiled = getattr(spec, definition.__name__)
    assert issubclass(compiled, CoreModel) and not issubclass(compiled, BaseModel)
    assert compiled.definition() is definition
    assert compiled.__fields__ == tuple(definition.model_fields)
    for name, info in definition.model_fields.items():
        if info.default_factory is not None:
            assert name in compiled.__factories__
        elif not info.is_required():
            assert compiled.__defaults__[name] == info.default
    # the behaviour both share is one mixin, not two copies
    assert [b for b in definition.__mro__ if not issubclass(b, BaseModel) and b is not object] == [
        b for b in compiled.__mro__ if not issubclass(b, CoreModel) and b is not object
    ]


# --- the input models: random documents are accepted or refused alike ----------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 70000),
    st.sampled_from(["3.11", "3.11.9", "x", "", "scikit-learn==1.5.2", "a:b:1.0", "libgomp1", "/Volumes/a/b"]),
    st.text(max_size=6),
)
_keys = st.sampled_from(
    [
        "spec-version",
        "runtime",
        "python",
        "requirements",
        "name",
        "version",
        "packages",
        "apt",
        "maven",
        "coordinates",
        "env",
        "OMP",
        "secrets",
        "databricks",
        "docker",
        "targets",
        "serve",
        "port",
        "path",
        "wheels",
        "extras",
        "bogus",
        "spec_version",
    ]
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=4)),
    max_leaves=12,
)


def _documents() -> st.SearchStrategy[dict[str, Any]]:
    """Mostly well-formed documents (about half valid) with at most one random section."""
    reqs = st.lists(
        st.sampled_from(["numpy==2.1.0", "pandas", {"name": "nltk", "version": "3.9.1"}, 3, {}]), max_size=3
    )
    python = st.fixed_dictionaries({}, optional={"requirements": st.one_of(reqs, reqs, _values), "index-url": _values})
    runtime = st.fixed_dictionaries({"python": st.sampled_from(["3.11", "3.10.4", 3])}, optional={"cuda": _values})
    base = st.fixed_dictionaries(
        {
            "spec-version": st.sampled_from([1, 1, 1, 1, 2, "1"]),
            "runtime": st.one_of(runtime, runtime, runtime, _values),
        },
        optional={"python": python},
    )
    sections = st.sampled_from(
        ["apt", "maven", "r", "env", "secrets", "targets", "artifacts", "model", "code", "bogus"]
    )
    noise = st.one_of(st.just({}), st.just({}), st.dictionaries(sections, _values, max_size=1))
    return st.builds(lambda b, n: {**b, **n}, base, noise)


def _errors(exc: ValidationError) -> list[tuple[Any, ...]]:
    return [(e["type"], tuple(e["loc"]), e["msg"]) for e in exc.errors(include_url=False)]


@settings(max_examples=300, deadline=None)
@given(_documents())
def test_input_documents_are_accepted_or_refused_alike(doc: dict[str, Any]) -> None:
    try:
        want = spec_defs.SpecInput.model_validate(doc).model_dump()
    except ValidationError as exc:
        with pytest.raises(ValidationError) as got:
            spec.SpecInput.model_validate(doc)
        assert _errors(got.value) == _errors(exc)
        return
    assert spec.SpecInput.model_validate(doc).model_dump() == want


# --- the normalized models: the examples dump the same through both -----------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_normalizes_and_dumps_the_same_through_the_definitions(example: Path) -> None:
    compiled = load(example)
    for kwargs in ({"mode": "json", "by_alias": True, "exclude_none": True}, {"mode": "python"}, {}):
        data = compiled.model_dump(**kwargs)
        again = spec_defs.EnvSpec.model_validate(compiled.model_dump(mode="json", by_alias=True))
        assert again.model_dump(**kwargs) == data
    # and back: the definitions' dump validates into an equal compiled spec (private attributes aside)
    back = spec.EnvSpec.model_validate(again.model_dump(mode="json", by_alias=True))
    assert back.model_dump() == compiled.model_dump()
    assert back.model_dump_json() == again.model_dump_json()


def test_refused_values_raise_the_definitions_errors() -> None:
    for cls_name, data in [
        ("WheelRef", {"path": "dist/not-a-wheel.txt", "sha256": "0" * 64}),
        ("MavenPkg", {"coordinates": "only:two"}),
        ("Req", {"name": "x", "bogus": 1}),
        ("Autoscale", {"min": "one", "max": 2}),
    ]:
        with pytest.raises(ValidationError) as want:
            getattr(spec_defs, cls_name)(**data)
        with pytest.raises(ValidationError) as got:
            getattr(spec, cls_name)(**data)
        assert _errors(got.value) == _errors(want.value), cls_name


# --- pydantic's model behaviour ------------------------------------------------------------------


def _req(**kw: Any) -> spec.Req:
    return spec.Req(**{"name": "scikit-learn", "specifier": "==1.5.2", **kw})


def test_frozen_equal_hashable_and_copied_like_pydantic() -> None:
    a, b = _req(), _req()
    assert a == b and hash(a) == hash(b) and a != _req(specifier="==1.5.3")
    assert a.line == "scikit-learn==1.5.2"  # a cached property is not a field: equality unchanged
    assert a == b and a.model_dump() == b.model_dump()
    with pytest.raises(ValidationError, match="frozen"):
        a.name = "x"  # type: ignore[misc]
    c = a.model_copy(update={"specifier": "==2"})
    assert c.line == "scikit-learn==2" and a.line == "scikit-learn==1.5.2" and c.model_fields_set >= {"specifier"}
    assert copy.deepcopy(a) == a and copy.copy(a) == a
    assert repr(a) == repr(spec_defs.Req(name="scikit-learn", specifier="==1.5.2"))
    assert spec.Req.model_construct(name="x").model_dump() == spec.Req(name="x").model_dump()


def test_private_attributes_and_defaults() -> None:
    s = load(EXAMPLES[0])
    assert s.base_dir == str(EXAMPLES[0].resolve()) and s.origins
    other = spec.EnvSpec.model_validate(s.model_dump(mode="json", by_alias=True))
    assert other.base_dir is None and other.origins == {}  # a private default, per instance
    other._origins[("x",)] = 1
    assert spec.EnvSpec.model_validate(s.model_dump(mode="json", by_alias=True)).origins == {}
    cluster = spec.Cluster()
    assert cluster.workers == 1 and spec.Cluster(autoscale={"min": 1, "max": 2}).workers is None
    assert spec.Runtime(python="3.11.9").python_minor == "3.11"


def test_definition_only_names_are_read_from_the_definitions() -> None:
    assert spec.Requirement is spec_defs.Requirement  # a type alias: only the definitions have it
    with pytest.raises(AttributeError):
        spec.NoSuchName  # noqa: B018
    assert spec.EnvSpec.model_fields["runtime"].description == spec_defs.EnvSpec.model_fields["runtime"].description


def test_a_lock_reads_and_writes_the_same_through_the_definitions(tmp_path: Path) -> None:
    from specc.lockfile import dump_lock, read_lock

    old = ROOT / "tests" / "data" / "model-env-v1.lock"
    lock = read_lock(old)
    assert isinstance(lock, CoreModel)
    data = lock.model_dump(mode="json", by_alias=True)
    again = lock_defs.LockFile.model_validate(data)
    assert again.model_dump(mode="json", by_alias=True, exclude_none=True) == lock.model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    assert dump_lock(lock) == old.read_text(encoding="utf-8")


def test_pickled_printed_and_used_inside_pydantic_like_the_definitions() -> None:
    import pickle
    import types

    from pydantic import TypeAdapter, create_model

    s = load(EXAMPLES[0])
    back = pickle.loads(pickle.dumps(s))
    assert back == s and back.origins == s.origins and type(back).__module__ == "specc.spec"
    definition = spec_defs.EnvSpec.model_validate(s.model_dump(mode="json", by_alias=True))
    assert str(s.runtime) == str(definition.runtime)  # pydantic's str: the fields alone
    assert repr(s.runtime) == repr(definition.runtime)
    # a compiled class is a field type of the user's own pydantic models, as the definitions are
    wrapper = create_model("Wrapper", env=(spec.EnvSpec, ...))
    w = wrapper.model_validate({"env": s.model_dump(mode="json", by_alias=True)})
    assert w.env == spec.EnvSpec.model_validate(s.model_dump(mode="json", by_alias=True))
    assert TypeAdapter(spec.Runtime).json_schema() == TypeAdapter(spec_defs.Runtime).json_schema()
    # the normalized models accept what the definitions accept, and refuse what they refuse
    with pytest.raises(ValidationError) as want:
        spec_defs.Model.model_validate(types.SimpleNamespace(name="x"))
    with pytest.raises(ValidationError) as got:
        spec.Model.model_validate(types.SimpleNamespace(name="x"))
    assert _errors(got.value) == _errors(want.value)
    assert got.value.title == want.value.title


def test_errors_are_titled_as_the_definitions_title_them() -> None:
    for compiled, definition, data in [
        (spec.SpecInput, spec_defs.SpecInput, {"spec-version": "x"}),
        (spec.EnvSpec, spec_defs.EnvSpec, {"model": 1}),
    ]:
        with pytest.raises(ValidationError) as want:
            definition.model_validate(data)
        with pytest.raises(ValidationError) as got:
            compiled.model_validate(data)
        assert got.value.title == want.value.title


@pytest.fixture
def other_pydantic_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if another pydantic-core minor were installed than the one that generated the schemas:
    every compiled class builds its schema from its definition, in this process."""
    from specc import _models, coremodel

    monkeypatch.setattr(_models, "PYDANTIC_CORE_VERSION", "1.0.0")
    monkeypatch.setattr(coremodel, "_usable", None)
    for c in vars(_models).values():
        if isinstance(c, type) and issubclass(c, CoreModel):
            for attr in ("_core_validator", "_core_serializer", "_runtime_schema"):
                if attr in c.__dict__:
                    monkeypatch.delattr(c, attr)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_another_pydantic_core_builds_the_same_models_from_the_definitions(
    example: Path, other_pydantic_core: None
) -> None:
    from specc import coremodel

    compiled = load(example)
    assert coremodel._generated_schemas_usable() is False
    assert "_runtime_schema" in type(compiled).__dict__  # built from the definition, not the file
    again = spec_defs.EnvSpec.model_validate(compiled.model_dump(mode="json", by_alias=True))
    assert again.model_dump(mode="json", by_alias=True) == compiled.model_dump(mode="json", by_alias=True)
    assert compiled.python.wheels == () or all(isinstance(w, spec.WheelRef) for w in compiled.python.wheels)
    with pytest.raises(ValidationError) as got:
        spec.SpecInput.model_validate({"spec-version": "x"})
    with pytest.raises(ValidationError) as want:
        spec_defs.SpecInput.model_validate({"spec-version": "x"})
    assert _errors(got.value) == _errors(want.value)


@pytest.mark.slow
def test_an_older_pydantic_renders_the_same_bytes(tmp_path: Path) -> None:
    """pydantic 2.12 (the oldest pyproject.toml allows, another pydantic-core minor): the schemas
    are built from the definitions, and every command's output is the same, byte for byte."""
    from specc.lock import find_uv

    uv = find_uv()
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(py), "pydantic==2.12.*", "packaging", "jinja2"], check=True
    )
    versions = subprocess.run(
        [str(py), "-c", "import pydantic_core; print(pydantic_core.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    import pydantic_core

    assert versions.split(".")[:2] != pydantic_core.__version__.split(".")[:2]  # really another minor
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for argv, out in [
        (["validate", "--format", "json", str(ROOT / "examples" / "kitchen-sink")], None),
        (["validate", str(ROOT / "tests" / "invalid" / "apt-conflict.toml")], None),
        (["render", "--target", "docker", str(ROOT / "examples" / "kitchen-sink")], "docker"),
        (["render", "--target", "databricks", str(ROOT / "examples" / "private-index")], "dbx"),
        (["lock", "--check", str(ROOT / "examples" / "sklearn-basic")], None),
    ]:
        got = []
        for python in (str(py), sys.executable):
            dest = tmp_path / f"{out}-{len(got)}"
            cmd = [python, "-m", "specc", *argv] + (["--out", str(dest)] if out else [])
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
            files = (
                {p.relative_to(dest).as_posix(): p.read_bytes() for p in dest.rglob("*") if p.is_file()} if out else {}
            )
            got.append((proc.returncode, proc.stdout, proc.stderr.replace(str(dest), "OUT"), files))
        assert got[0] == got[1], argv
        assert got[0][0] == (1 if "invalid" in argv[-1] else 0), (argv, got[0][2])
        assert bool(got[0][3]) == bool(out)  # a render wrote its files
