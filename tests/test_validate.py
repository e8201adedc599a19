"""The validation pipeline: origins of normalized items, bad items skipping only themselves,
locating diagnostics given on normalized paths, and the syntax rules in the published schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from specc import spec as spec_module
from specc.api import check, check_text
from specc.diagnostics import Diagnostic, Origin, Span
from specc.document import parse_spec_bytes
from specc.validate import Result, validate_document
from tests.helpers import EXAMPLES, REPO, example_names

SCHEMA = json.loads((REPO / "schemas" / "model-env.schema.json").read_text(encoding="utf-8"))
HEAD = 'spec-version = 1\n[runtime]\npython = "3.11"\n'


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    (folder / ".git").mkdir(exist_ok=True)  # the repository root: paths stay inside it
    return folder / "model-env.toml"


def _ok(result: Result) -> Result:
    assert result.spec is not None, [d.message for d in result.diagnostics]
    return result


# --- origins ------------------------------------------------------------------------------------


def test_origins_of_spec_entries_table_forms_and_requirements_file_lines(tmp_path: Path) -> None:
    spec_path = _write(
        tmp_path,
        {
            "model-env.toml": HEAD + "[python]\n"
            'requirements = ["zlib-ng==1.0", { name = "attrs", version = "23.1.0" }]\n'
            'requirements-files = ["requirements.txt"]\n',
            "requirements.txt": "# top\nnumpy==2.0.0\n-r sub/more.txt\n",
            "sub/more.txt": "\n\n  pandas==2.2.3\n",
        },
    )
    result = _ok(check(spec_path, display="model-env.toml"))
    assert result.spec is not None
    names = [r.name for r in result.spec.python.requirements]
    assert names == ["attrs", "numpy", "pandas", "zlib-ng"]
    origins = result.spec.origins
    assert origins is result.origins
    # a table form: the entry as written (index 1 in the spec, 0 once sorted)
    assert origins[("python", "requirements", 0)] == Origin(("python", "requirements", 1))
    # a line of the listed file: its requirements-files entry, the file and the line
    assert origins[("python", "requirements", 1)] == Origin(
        ("python", "requirements-files", 0), "requirements.txt", Span(2, 1, 2, 13)
    )
    # a line of a file included with -r: still that entry, but the nested file and its line
    assert origins[("python", "requirements", 2)] == Origin(
        ("python", "requirements-files", 0), str(Path("sub") / "more.txt"), Span(3, 3, 3, 16)
    )
    # a short string in the spec
    assert origins[("python", "requirements", 3)] == Origin(("python", "requirements", 0))
    assert origins[("python", "requirements-files", 0)] == Origin(("python", "requirements-files", 0))


def test_every_normalized_item_has_an_origin_in_the_kitchen_sink() -> None:
    result = _ok(check(EXAMPLES / "kitchen-sink"))
    spec = result.spec
    assert spec is not None
    data = spec.to_dict(with_hashes=False)
    collections = {
        ("python", "requirements"),
        ("python", "requirements-files"),
        ("python", "constraints"),
        ("python", "wheels"),
        ("python", "extra-index-urls"),
        ("code", "paths"),
        ("apt", "packages"),
        ("apt", "debs"),
        ("maven", "packages"),
        ("maven", "jars"),
        ("r", "packages"),
        ("r", "sources"),
    }
    missing = []
    for section, key in collections:
        items = data.get(section, {}).get(key, [])
        assert items, (section, key)  # the kitchen sink has every kind
        missing += [(section, key, k) for k in range(len(items)) if (section, key, k) not in spec.origins]
    for table in ("env", "secrets", "artifacts"):
        missing += [(table, name) for name in data.get(table, {}) if (table, name) not in spec.origins]
    assert not missing
    # every origin points at something the TOML writes (or a requirements-file line)
    assert result.document is not None
    for origin in spec.origins.values():
        assert origin.file is not None or origin.path in result.document.source_map.values, origin


@pytest.mark.parametrize("name", example_names())
def test_origins_stay_in_their_section_and_point_at_written_values(name: str) -> None:
    result = _ok(check(EXAMPLES / name))
    assert result.document is not None
    written = result.document.source_map.values
    for normalized, origin in result.origins.items():
        assert origin.path[0] == normalized[0], (normalized, origin)
        assert origin.path in written, (normalized, origin)
        assert (origin.file is None) == (origin.span is None)


# --- a bad item skips only itself -----------------------------------------------------------------


def test_a_bad_item_skips_only_itself(tmp_path: Path) -> None:
    text = HEAD + '[python]\nrequirements = ["numpy>=1.2,<", 42, "pandas"]\n'
    result = check_text(text, base_dir=tmp_path)
    assert result.spec is None
    by_code = {d.code: d for d in result.diagnostics}
    assert by_code["SPC103"].path == ("python", "requirements", 0)  # packaging refuses it
    assert by_code["SPC102"].path == ("python", "requirements", 1)  # not a string nor a table
    # the good one went all the way: parsed, checked for a pin, normalized, given its origin
    assert by_code["SPC202"].path == ("python", "requirements", 2)
    assert by_code["SPC202"].message == '"pandas" is unpinned'
    assert result.origins[("python", "requirements", 0)] == Origin(("python", "requirements", 2))


def test_shape_errors_in_several_sections_are_all_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    text = (
        "spec-version = 1\n[runtime]\npython = 3\n"
        '[apt]\npackages = [{ name = "libgomp1", bogus = 1 }, "Bad_Name", "curl"]\n'
        '[env]\nGOOD = "1"\nBAD = 2\nlower = "x"\n'
        "[targets.docker]\nport = 70000\nserve = 'yes'\n"
    )
    result = check_text(text, base_dir=tmp_path)
    got = sorted((d.code, d.path_str) for d in result.diagnostics)
    assert got == [
        ("SPC101", "apt.packages[0].bogus"),
        ("SPC102", "env.BAD"),
        ("SPC102", "runtime.python"),
        ("SPC102", "targets.docker.serve"),
        ("SPC109", "apt.packages[1]"),
        ("SPC113", "env.lower"),
        ("SPC123", "targets.docker.port"),
    ]
    assert result.spec is None


def test_a_typed_section_keeps_the_positions_the_user_wrote(tmp_path: Path) -> None:
    text = HEAD + '[maven]\npackages = [1, "a:b:1", true, "a:b:2"]\n'
    result = check_text(text, base_dir=tmp_path)
    conflict = next(d for d in result.diagnostics if d.code == "SPC201")
    assert conflict.path == ("maven", "packages", 3)
    assert conflict.span is not None and conflict.span.line == 5


# --- locating diagnostics given on normalized paths ----------------------------------------------


def test_locate_through_origins_without_reading_the_spec_again(tmp_path: Path) -> None:
    spec_path = _write(
        tmp_path,
        {
            "model-env.toml": HEAD + "[python]\n"
            'requirements = ["zz==1"]\nrequirements-files = ["requirements.txt"]\n'
            "[maven]\npackages = [\n"
            '  { coordinates = "org.b:b:1" },\n'
            '  "org.a:a:1",\n'
            "]\n",
            "requirements.txt": "aa==1\n",
        },
    )
    result = _ok(check(spec_path, display="model-env.toml"))
    spec_path.unlink()  # nothing may read it again
    given = [
        Diagnostic.error("SPC399", message="from a file", path=("python", "requirements", 0)),
        Diagnostic.error("SPC399", message="from the spec", path=("python", "requirements", 1)),
        Diagnostic.error("SPC399", message="table entry, sub-key", path=("maven", "packages", 1, "coordinates")),
        Diagnostic.error("SPC399", message="short entry, sub-key", path=("maven", "packages", 0, "coordinates")),
        Diagnostic.error("SPC399", message="no origin: same TOML path", path=("runtime", "python")),
        Diagnostic.error("SPC399", message="a section", path=("maven",)),
    ]
    placed = result.locate(given)
    by_msg = {d.message: d for d in placed}
    d = by_msg["from a file"]
    assert (d.file, d.path, d.span) == ("requirements.txt", ("python", "requirements-files", 0), Span(1, 1, 1, 6))
    d = by_msg["from the spec"]
    assert (d.file, d.path, d.span and d.span.line) == ("model-env.toml", ("python", "requirements", 0), 5)
    d = by_msg["table entry, sub-key"]
    assert d.path == ("maven", "packages", 0, "coordinates")
    assert d.span is not None and (d.span.line, d.span.col) == (9, 19)
    d = by_msg["short entry, sub-key"]
    assert d.path == ("maven", "packages", 1)  # a short string has no sub-key: the string itself
    assert d.span is not None and (d.span.line, d.span.col) == (10, 3)
    d = by_msg["no origin: same TOML path"]
    assert d.span is not None and d.span.line == 3
    assert by_msg["a section"].span is not None and by_msg["a section"].span.line == 7
    # excerpts come from what validation kept
    assert "aa==1" in result.sources["requirements.txt"]


def test_locate_leaves_placed_diagnostics_and_documentless_results_alone() -> None:
    placed = Diagnostic.warning("SPC399", message="x", path=("a",), file="f.txt", span=Span(1, 1, 1, 2))
    assert Result(None, []).locate([placed]) == [placed]
    result = _ok(check(EXAMPLES / "sklearn-basic"))
    assert result.locate([placed]) == [placed]


def test_capabilities_run_for_the_targets_asked(tmp_path: Path) -> None:
    text = 'spec-version = 1\n[runtime]\npython = "3.12"\ndatabricks = "serverless-v3"\n[apt]\npackages = ["curl"]\n'
    doc = parse_spec_bytes(text.encode(), "model-env.toml", tmp_path / "model-env.toml")
    implied = validate_document(doc)
    assert [d.code for d in implied.diagnostics] == ["SPC301"]
    assert implied.diagnostics[0].span is not None and implied.diagnostics[0].span.line == 5
    assert implied.spec is None
    only_mlflow = validate_document(doc, targets=("mlflow",))
    assert only_mlflow.spec is not None and not only_mlflow.diagnostics


def test_requirement_error_is_underlined_where_packaging_found_it(tmp_path: Path) -> None:
    result = check_text(HEAD + '[python]\nrequirements = ["numpy>=1.2,<"]\n', base_dir=tmp_path)
    (d,) = result.diagnostics
    # the string starts at column 17 (its quote); packaging points at ">=1.2,<"
    assert d.span == Span(5, 23, 5, 30)
    escaped = check_text(HEAD + '[python]\nrequirements = ["\\u006eumpy>=1.2,<"]\n', base_dir=tmp_path)
    (e,) = escaped.diagnostics
    assert e.span is not None and e.span.col == 17  # escapes: the whole value, not a wrong column


# --- syntax rules on the input models, published in the schema --------------------------------------


def _rules() -> list[spec_module.Syntax]:
    return [v for v in vars(spec_module).values() if isinstance(v, spec_module.Syntax)]


def test_the_schema_carries_every_syntax_rule() -> None:
    text = json.dumps(SCHEMA)
    missing = [r.pattern for r in _rules() if json.dumps(r.pattern) not in text]
    assert not missing
    assert SCHEMA["$defs"]["ModelInput"]["properties"]["name"]["anyOf"][0]["pattern"] == spec_module.MODEL_NAME.pattern
    port = SCHEMA["$defs"]["DockerTargetInput"]["properties"]["port"]
    assert (port["minimum"], port["maximum"]) == (1, 65535)


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        ({"model": {"name": "Churn Model"}}, "SPC108"),
        ({"runtime": {"python": "3.x"}}, "SPC107"),
        ({"apt": {"packages": ["libgomp1=x1"]}}, "SPC109"),
        ({"maven": {"packages": ["a:b"]}}, "SPC110"),
        ({"env": {"lower": "1"}}, "SPC113"),
        ({"targets": {"docker": {"port": 0}}}, "SPC123"),
    ],
)
def test_schema_and_validator_agree_on_syntax(doc: dict[str, object], code: str, tmp_path: Path) -> None:
    from tests.toml_writer import dumps

    full: dict[str, object] = {"spec-version": 1, "runtime": {"python": "3.11"}, **doc}
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(full)), "the schema accepts it"
    result = check_text(dumps(full), base_dir=tmp_path)
    assert code in {d.code for d in result.diagnostics}


def test_rules_match_whole_strings_only() -> None:
    # Python's $ also matches before a final newline (so does the jsonschema package, which
    # runs patterns with Python's re.search; ECMA-262 in editors does not): the rules use fullmatch
    assert not spec_module.PYTHON_VERSION.matches("3.11\n")
    assert not spec_module.PYTHON_VERSION.matches("3.\u0661\u0661")  # \d would take Arabic-Indic digits
    assert spec_module.PYTHON_VERSION.matches("3.11.9")


# --- one rule for a requirement, wherever it is written ------------------------------------------

# (requirement line, the codes it gets); each is written as a spec entry, as a line of a listed
# requirements file and as a line of a file that one includes (-r): the diagnostics must agree
SAME_RULE_LINES = [
    ("baz @ file:./dist/x.whl", ["SPC131"]),  # the file need not exist: it is refused as a kind
    ("qux @ file:///abs/q.whl", ["SPC131"]),
    ("loc @ ./wheels/loc-1.0-py3-none-any.whl", ["SPC131"]),
    ("priv2 @ git+https://github.com/o/r.git@v1", ["SPC131"]),
    ("git+https://github.com/o/r.git", ["SPC131"]),
    ("hgpkg @ hg+https://hg.example.com/r", ["SPC131"]),
    ("ftp-pkg @ ftp://files.example.com/f-1.0.tar.gz", ["SPC115"]),
    ("zz @ https://user:pw@files.example.com/zz-1.0-py3-none-any.whl", ["SPC401"]),
    ("yy @ https://files.example.com/${NOT_DECLARED}/yy-1.0-py3-none-any.whl", ["SPC403"]),
    ("ww @ http://files.example.com/ww-1.0-py3-none-any.whl", ["SPC406"]),
    ("ok @ https://files.example.com/${FILES_TOKEN}/ok-1.0-py3-none-any.whl", []),
    ("requests==2.32.3 --hash=sha256:" + "ab" * 32, ["SPC119"]),
    ("lxml==5.3.0 --config-settings=--build-option=--with-xslt", ["SPC119"]),
    ("pkg==1.0 --global-option=build_ext", ["SPC119"]),
    ("-e ./featurizer", ["SPC119"]),
    ("--index-url https://pkgs.example.com/simple", ["SPC119"]),
    ("scikit-learn~=1", ["SPC103"]),
    ("six==1.16.0", []),
]


def _codes_and_hints(result: Result) -> list[tuple[str, str, str | None]]:
    return [(d.code, d.message, d.hint) for d in result.diagnostics]


@pytest.mark.parametrize(("line", "codes"), SAME_RULE_LINES, ids=[line[:40] for line, _ in SAME_RULE_LINES])
def test_a_requirement_gets_one_rule_in_the_spec_and_in_requirements_files(
    tmp_path: Path, line: str, codes: list[str]
) -> None:
    secrets = '[secrets.FILES_TOKEN]\ndocker = "files_token"\n'
    inline = _write(
        tmp_path / "inline",
        {"model-env.toml": HEAD + secrets + "[python]\nrequirements = [" + json.dumps(line) + "]\n"},
    )
    listed = _write(
        tmp_path / "file",
        {
            "model-env.toml": HEAD + secrets + '[python]\nrequirements-files = ["requirements.txt"]\n',
            "requirements.txt": "six==1.16.0\n" + line + "\n",
        },
    )
    nested = _write(
        tmp_path / "nested",
        {
            "model-env.toml": HEAD + secrets + '[python]\nrequirements-files = ["requirements.txt"]\n',
            "requirements.txt": "-r more/nested.txt\n",
            "more/nested.txt": line + "\n",
        },
    )
    results = {name: check(p) for name, p in (("inline", inline), ("file", listed), ("nested", nested))}
    for name, result in results.items():
        assert [d.code for d in result.diagnostics] == codes, (name, _codes_and_hints(result))
    # the same words everywhere, so a hint never leads to a form the other place refuses
    assert _codes_and_hints(results["file"]) == _codes_and_hints(results["nested"])
    inline_words = _codes_and_hints(results["inline"])
    file_words = _codes_and_hints(results["file"])
    if line.startswith("-"):  # a pip option line says where it was written
        assert [h for _, _, h in inline_words] == [h for _, _, h in file_words]
    else:
        assert inline_words == file_words
    # reported where the line is written: the file and its line for a requirements file
    for d in results["file"].diagnostics:
        assert d.file is not None and d.file.endswith("requirements.txt") and d.span is not None
        assert d.span.line == 2
    for d in results["nested"].diagnostics:
        assert d.file is not None and d.file.endswith("nested.txt")


def test_unshippable_urls_point_at_wheels_and_never_at_a_form_that_is_refused(tmp_path: Path) -> None:
    """C1: the hint of a bare VCS line used to suggest "name @ git+https://...", itself refused."""
    spec = _write(
        tmp_path,
        {
            "model-env.toml": HEAD + "[python]\nrequirements = [\n"
            '  "priv2 @ git+https://github.com/o/r.git@v1",\n  "git+https://github.com/o/r.git",\n'
            '  "baz @ file:./dist/x.whl",\n]\n'
        },
    )
    result = check(spec)
    hints = [d.hint or "" for d in result.diagnostics]
    assert len(hints) == 3 and all("python.wheels" in h for h in hints), hints
    assert not any("pypi.org/simple" in h or '"name @ git+' in h for h in hints), hints


@pytest.mark.parametrize(
    "command",
    [("compile",), ("render", "--target", "docker"), ("render", "--target", "databricks")],
    ids=["compile", "render-docker", "render-databricks"],
)
def test_no_command_emits_a_requirement_validate_refuses(tmp_path: Path, command: tuple[str, ...]) -> None:
    """B2: a requirements file's file: URLs used to reach the model's requirements.txt, the
    Dockerfile and Databricks' pypi libraries; every command now stops at the same SPC131."""
    from tests.helpers import run_cli

    spec = _write(
        tmp_path,
        {
            "model-env.toml": HEAD + '[python]\nrequirements-files = ["requirements.txt"]\n'
            '[targets.databricks]\nlibraries-dir = "/Volumes/ml/default/libs"\n',
            "requirements.txt": "baz @ file:./dist/x.whl\nqux @ file:///abs/q.whl\nsix==1.16.0\n",
        },
    )
    out = tmp_path / "out"
    r = run_cli(*command, "--out", str(out), str(spec))
    assert r.code == 1, r.err
    assert r.err.count("[SPC131]") == 2 and "requirements.txt:1:7" in r.err, r.err
    assert not out.exists()
