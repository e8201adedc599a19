"""Published JSON Schemas, generated from the models and committed under ``schemas/``.

``specc schema`` prints them; ``specc schema --check`` fails when a committed
file is stale, so CI keeps editors' completion in step with the code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from specc.resources import schemas_dir

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://specc.dev/schemas"


def _spec_schema() -> dict[str, Any]:
    from pydantic.json_schema import GenerateJsonSchema

    from specc.spec import SpecInput

    class _Gen(GenerateJsonSchema):
        def generate(self, schema: Any, mode: Any = "validation") -> Any:
            out = super().generate(schema, mode=mode)
            out["$schema"] = DRAFT
            out["$id"] = f"{BASE_ID}/model-env.schema.json"
            return out

    schema = SpecInput.model_json_schema(by_alias=True, schema_generator=_Gen)
    schema["description"] = (
        "model-env.toml, format version 1: one checked-in file describing a model's whole run-time environment (specc)."
    )
    tidy: dict[str, Any] = _tidy(schema)
    return tidy


def _tidy(node: Any) -> Any:
    """Drop pydantic's noise (auto titles) so the published file reads well."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "title" and isinstance(v, str) and k in node and "properties" not in node and "$defs" not in node:
                continue
            out[k] = _tidy(v)
        return out
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    return node


def _diagnostics_schema() -> dict[str, Any]:
    from specc.diagnostics import report_schema

    return report_schema()


# name → builder; other modules register their published schemas here
SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "model-env.schema.json": _spec_schema,
    "specc-diagnostics.schema.json": _diagnostics_schema,
}


def register(name: str, builder: Callable[[], dict[str, Any]]) -> None:
    SCHEMAS[name] = builder


def _load_registrations() -> None:
    # Modules that publish schemas register them on import; keep this list explicit.
    import importlib

    for module in ("specc.envartifact", "specc.lockfile", "specc.diff", "specc.explain"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def schema_text(name: str) -> str:
    _load_registrations()
    return json.dumps(SCHEMAS[name](), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def names() -> list[str]:
    _load_registrations()
    return sorted(SCHEMAS)


def stale() -> list[str]:
    """Names of committed schema files that differ from what the code generates."""
    out = []
    for name in names():
        path = schemas_dir(name)
        if not path.is_file() or path.read_text(encoding="utf-8") != schema_text(name):
            out.append(name)
    return out
