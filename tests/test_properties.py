"""Property tests: validation is total; normalization is idempotent and order-independent."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specc.api import check_text
from specc.document import LoadError, parse_spec_bytes
from specc.validate import validate_document
from tests.toml_writer import dumps

# CI runs at least 2,000 examples of the totality property (the bar).
TOTALITY_EXAMPLES = int(os.environ.get("SPECC_HYPOTHESIS_EXAMPLES", "2000"))

KEYS = [
    "spec-version",
    "model",
    "name",
    "runtime",
    "python",
    "databricks",
    "cuda",
    "requirements",
    "requirements-files",
    "constraints",
    "wheels",
    "index-url",
    "extra-index-urls",
    "code",
    "paths",
    "apt",
    "packages",
    "debs",
    "maven",
    "repository",
    "coordinates",
    "exclusions",
    "jars",
    "r",
    "sources",
    "env",
    "secrets",
    "docker",
    "description",
    "artifacts",
    "mlflow",
    "pip",
    "flavor",
    "targets",
    "base-image",
    "platform",
    "serve",
    "port",
    "libraries-dir",
    "init-script",
    "requirements-library",
    "cluster",
    "node-type",
    "workers",
    "autoscale",
    "min",
    "max",
    "data-security-mode",
    "version",
    "specifier",
    "extras",
    "markers",
    "url",
    "path",
    "sha256",
]
STRINGS = st.one_of(
    st.sampled_from(
        [
            "3.11",
            "numpy==2.4.6",
            "pandas>=2,<3",
            "x",
            "",
            "15.4-ml",
            "serverless-v3",
            "libgomp1=1.0",
            "g:a:1",
            "a:b",
            "https://${T}@h/simple",
            "https://u:p@h/simple",
            "../../etc/passwd",
            "/abs",
            "data/x.json",
            "exact",
            "extra",
            "SINGLE_USER",
            "${",
            "dbfs:/x",
            "/Volumes/a/b/c",
            "é",
            "\n",
        ]
    ),
    st.text(max_size=12),
)
SCALARS = st.one_of(STRINGS, st.integers(-5, 70000), st.booleans(), st.floats(allow_nan=False, allow_infinity=False))


def toml_values() -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), children, max_size=5),
        ),
        max_leaves=20,
    )


DOCS = st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), toml_values(), max_size=8)


@settings(max_examples=TOTALITY_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=DOCS)
def test_validation_is_total(doc: dict[str, Any]) -> None:
    text = dumps(doc)
    try:
        parsed = parse_spec_bytes(text.encode("utf-8"), "model-env.toml", Path("/nonexistent-specc/model-env.toml"))
    except LoadError as exc:  # e.g. a key repeated after TOML normalization
        assert exc.diagnostics
        return
    result = validate_document(parsed)
    assert result.spec is not None or any(d.severity == "error" for d in result.diagnostics)
    for d in result.diagnostics:
        assert d.code.startswith("SPC") and d.code != "SPC900"
        assert d.message


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    try:
        doc = parse_spec_bytes(raw, "model-env.toml", Path("/nonexistent-specc/model-env.toml"))
    except LoadError as exc:
        assert exc.diagnostics and exc.diagnostics[0].code in {"SPC003", "SPC004", "SPC100"}
        return
    validate_document(doc)


# --- valid specs: idempotence and order independence ------------------------------------------

NAMES = st.sampled_from(["numpy", "pandas", "scikit-learn", "Scikit_Learn", "nltk", "torch", "SciPy", "requests"])
VERSIONS = st.sampled_from(["1.0", "2.4.6", "3.9.1", "0.18.1"])
REQS = st.builds(lambda n, v, op: f"{n}{op}{v}", NAMES, VERSIONS, st.sampled_from(["==", ">=", "~=", "!="]))
APT = st.sampled_from(["libgomp1", "graphviz", "zlib1g", "libcurl4", "curl=7.88.1-10"])
MAVEN = st.sampled_from(["org.a:a:1.0", "org.b:b:2.0", "com.c:c_2.12:3.1"])
RPKG = st.sampled_from(["forecast", "zoo", "data.table", "ggplot2"])
ENV = st.dictionaries(st.from_regex(r"[A-Z_][A-Z0-9_]{0,6}", fullmatch=True), st.text(max_size=8), max_size=4)


@st.composite
def valid_docs(draw: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"spec-version": 1, "runtime": {"python": draw(st.sampled_from(["3.10", "3.11", "3.12.1"]))}}
    doc["python"] = {
        "requirements": draw(st.lists(REQS, max_size=6)),
        "constraints": draw(st.lists(st.sampled_from(["urllib3<3", "idna<4", "numpy<3"]), max_size=3)),
    }
    doc["apt"] = {"packages": draw(st.lists(APT, max_size=4, unique=True))}
    doc["maven"] = {"packages": draw(st.lists(MAVEN, max_size=3, unique=True))}
    doc["r"] = {"packages": draw(st.lists(RPKG, max_size=3))}
    env = draw(ENV)
    if env:
        doc["env"] = env
    return doc


def _normalize(doc: dict[str, Any], base: Path) -> Any:
    # normalization alone: no target's capability table (a normalized dump writes every
    # [targets.*] table, so it would imply targets the original did not)
    return check_text(dumps(doc), base_dir=base, targets=())


@settings(max_examples=200, deadline=None)
@given(doc=valid_docs(), seed=st.integers(0, 2**32 - 1))
def test_normalization_is_idempotent_and_order_independent(doc: dict[str, Any], seed: int) -> None:
    base = Path("/nonexistent-specc")
    first = _normalize(doc, base)
    if first.spec is None:  # e.g. two conflicting pins drawn: must say why
        assert any(d.code == "SPC201" for d in first.diagnostics)
        return
    again = _normalize(first.spec.to_dict(with_hashes=False), base)
    assert again.spec is not None
    assert again.spec.to_dict() == first.spec.to_dict()

    rng = random.Random(seed)
    shuffled = {k: (dict(v) if isinstance(v, dict) else v) for k, v in doc.items()}
    for section in ("python", "apt", "maven", "r"):
        for key, value in shuffled[section].items():
            if isinstance(value, list):
                value = list(value)
                rng.shuffle(value)
                shuffled[section][key] = value
    if "env" in shuffled:
        items = list(shuffled["env"].items())
        rng.shuffle(items)
        shuffled["env"] = dict(items)
    other = _normalize(shuffled, base)
    assert other.spec is not None
    assert other.spec.to_json() == first.spec.to_json()
