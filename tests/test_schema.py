"""The published JSON Schema: fresh, complete, and agreeing with the validator."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from specc import schema
from tests.helpers import EXAMPLES, REPO, run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCHEMA_PATH = REPO / "schemas" / "model-env.schema.json"


def test_committed_schemas_are_fresh() -> None:
    assert schema.stale() == [], "run `specc schema --name <name> > schemas/<name>` and commit"
    r = run_cli("schema", "--check")
    assert r.code == 0


def test_check_detects_a_stale_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import specc.schema as mod

    (tmp_path / "model-env.schema.json").write_text("{}\n")
    monkeypatch.setattr(mod, "schemas_dir", lambda *parts: tmp_path.joinpath(*parts))
    assert "model-env.schema.json" in mod.stale()


def test_schema_header() -> None:
    data = json.loads(SCHEMA_PATH.read_text())
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert data["additionalProperties"] is False
    assert data["required"] == ["spec-version", "runtime"]


def _walk_properties(node: Any, where: str = "#") -> list[tuple[str, dict[str, Any]]]:
    out = []
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            out.append((f"{where}/{name}", prop))
        for key, value in node.items():
            out += _walk_properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _walk_properties(value, f"{where}/{i}")
    return out


def test_every_field_has_a_description_and_an_example() -> None:
    data = json.loads(SCHEMA_PATH.read_text())
    missing = []
    for where, prop in _walk_properties(data):
        if "description" not in prop:
            missing.append(f"{where}: description")
        if "examples" not in prop and "$ref" not in prop and "anyOf" not in prop:
            missing.append(f"{where}: examples")
    assert not missing, missing


def test_every_object_forbids_unknown_keys() -> None:
    data = json.loads(SCHEMA_PATH.read_text())
    for name, definition in data["$defs"].items():
        if definition.get("type") == "object":
            assert definition.get("additionalProperties") is False, name


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_examples_validate_against_the_schema(example: str) -> None:
    data = tomllib.loads((EXAMPLES / example / "model-env.toml").read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(data)


def test_schema_rejects_what_the_validator_rejects() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))
    bad = {"spec-version": 1, "runtime": {"python": "3.11"}, "pyhton": {}}
    assert list(validator.iter_errors(bad))
    bad2 = {"spec-version": 1, "runtime": {"python": "3.11"}, "python": {"requirements": [42]}}
    assert list(validator.iter_errors(bad2))


def test_schema_command_prints_the_committed_file() -> None:
    r = run_cli("schema")
    assert r.code == 0 and r.out == SCHEMA_PATH.read_text()
    assert run_cli("schema", "--name", "nope.json").code == 2
