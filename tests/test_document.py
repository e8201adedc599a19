"""specc.document: reading files, TOML errors, and the source map behind every caret."""

from __future__ import annotations

from pathlib import Path

import pytest

from specc.document import MAX_SPEC_BYTES, LoadError, parse_spec_bytes, read_spec_file, scan


def _span(text: str, path: tuple) -> str:
    start, end = scan(text).values[path]
    return text[start:end]


def test_scan_locates_values_in_tables_arrays_and_inline_tables() -> None:
    text = (
        "spec-version = 1\n"
        "[python]\n"
        "requirements = [\n"
        '  "a==1",  # comment, with ] and "quotes"\n'
        '  { name = "b", version = "2" },\n'
        "]\n"
        "[targets.databricks.cluster]\n"
        "autoscale = { min = 1, max = 4 }\n"
    )
    assert _span(text, ("spec-version",)) == "1"
    assert _span(text, ("python", "requirements", 0)) == '"a==1"'
    assert _span(text, ("python", "requirements", 1)) == '{ name = "b", version = "2" }'
    assert _span(text, ("python", "requirements", 1, "version")) == '"2"'
    assert _span(text, ("targets", "databricks", "cluster", "autoscale", "max")) == "4"


def test_scan_handles_dotted_keys_quoted_keys_and_multiline_strings() -> None:
    text = 'a.b."c d" = "x"\ns = \'\'\'\nline ] one\n\'\'\'\nt = """say \\"hi\\" """\n[env]\n"WEIRD KEY" = "v"\n'
    assert _span(text, ("a", "b", "c d")) == '"x"'
    assert _span(text, ("s",)).startswith("'''")
    assert _span(text, ("t",)) == '"""say \\"hi\\" """'
    assert _span(text, ("env", "WEIRD KEY")) == '"v"'
    assert text[slice(*scan(text).keys[("env", "WEIRD KEY")])] == '"WEIRD KEY"'


def test_scan_counts_arrays_of_tables() -> None:
    text = "[[x]]\na = 1\n[[x]]\na = 2\n"
    assert _span(text, ("x", 1, "a")) == "2"


def test_columns_are_characters_not_bytes() -> None:
    doc = parse_spec_bytes('k = "é"\nv = "x"\n'.encode(), "m.toml")
    start, _ = doc.source_map.values[("v",)]
    assert doc.source.position(start) == (2, 5)


def test_missing_file_directory_and_binary(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as e:
        read_spec_file(tmp_path / "nope.toml")
    assert e.value.diagnostics[0].code == "SPC001"
    with pytest.raises(LoadError) as e:
        read_spec_file(tmp_path)
    assert e.value.diagnostics[0].code == "SPC002"
    (tmp_path / "bin.toml").write_bytes(b"\x00\x01\x02")
    with pytest.raises(LoadError) as e:
        read_spec_file(tmp_path / "bin.toml")
    assert e.value.diagnostics[0].code == "SPC003"


def test_folder_with_spec_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "model-env.toml").write_text('spec-version = 1\n[runtime]\npython = "3.11"\n')
    doc = read_spec_file(tmp_path, "proj")
    assert doc.source.name == "proj/model-env.toml"


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as fh:  # sparse: 50 MB on paper, nothing on disk
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(LoadError) as e:
        read_spec_file(big)
    assert e.value.diagnostics[0].code == "SPC004"
    assert f"{MAX_SPEC_BYTES:,}" in e.value.diagnostics[0].message


def test_toml_error_has_position_and_hint() -> None:
    with pytest.raises(LoadError) as e:
        parse_spec_bytes(b'a = "x"\nb = [1, 2\n', "m.toml")
    d = e.value.diagnostics[0]
    assert d.code == "SPC100"
    assert d.span is not None and d.span.line >= 2
    assert d.hint


def test_bom_is_ignored() -> None:
    doc = parse_spec_bytes("\ufeffspec-version = 1\n".encode(), "m.toml")
    assert doc.data == {"spec-version": 1}
