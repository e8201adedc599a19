"""specc.requirements: PEP 508 parsing, merging, requirements files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specc.requirements import (
    RequirementProblem,
    is_pinned,
    merge,
    parse_requirement_string,
    parse_requirements_file,
    requirement_from_table,
)


def test_canonical_form() -> None:
    r = parse_requirement_string("Scikit_Learn[OpenMP] >= 1.5 , <2 ; python_version >= '3.10'")
    assert r.name == "scikit-learn"
    assert r.extras == ("openmp",)
    assert r.specifier == "<2,>=1.5"
    assert r.line == 'scikit-learn[openmp]<2,>=1.5; python_version >= "3.10"'


def test_invalid_requirement_has_hint() -> None:
    with pytest.raises(RequirementProblem) as e:
        parse_requirement_string("numpy>=1.2,<")
    assert e.value.hint == 'finish the version specifier, e.g. "numpy>=1.2,<2"'
    with pytest.raises(RequirementProblem) as e:
        parse_requirement_string("pandas 2.2.3")
    assert e.value.hint == 'use == to pin a version: "pandas==2.2.3"'


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        # packaging refuses "~=1" (PEP 440: a compatible release needs two release parts) and
        # blames the name ("after name with no version specifier"): the message names the clause
        ("scikit-learn~=1", '"scikit-learn~=1.0" (>=1.0,<2) or "scikit-learn==1.*"'),
        ("numpy>=1.20,~=2", '"numpy>=1.20,~=2.0" (>=2.0,<3) or "numpy>=1.20,==2.*"'),
        ("torch ~= 2", '"torch~=2.0" (>=2.0,<3) or "torch==2.*"'),
    ],
)
def test_a_one_part_compatible_release_says_what_is_wrong(text: str, hint: str) -> None:
    with pytest.raises(RequirementProblem) as e:
        parse_requirement_string(text)
    assert e.value.code == "SPC103"
    assert "is not a version specifier (PEP 440)" in e.value.message
    assert "no version specifier" not in e.value.message
    assert e.value.hint == f"~= needs at least two release parts: write {hint}"
    assert e.value.span is not None and text[e.value.span[0] : e.value.span[1]].replace(" ", "").startswith("~=")
    # what the hint suggests parses
    assert parse_requirement_string(hint.split('"')[1]).specifier


def test_table_specifier_one_part_compatible_release_hint() -> None:
    req, problems = requirement_from_table("pandas", None, "~=2", (), None, None)
    assert req is None and [p.code for p in problems] == ["SPC116"]
    assert problems[0].hint == '~= needs at least two release parts: write "~=2.0" (>=2.0,<3) or "==2.*"'


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("requests==2.32.3 --hash=sha256:" + "ab" * 32, "--hash"),
        ("lxml==5.3.0 --config-settings=--build-option=--with-xslt", "--config-settings"),
        ("lxml==5.3.0 -C key=value", "-C"),
        ("pkg==1.0 --global-option=build_ext", "--global-option"),
        ('pkg==1.0 ; python_version >= "3.10" --hash=sha256:00', "--hash"),
    ],
)
def test_pip_options_after_a_requirement_are_named(text: str, option: str) -> None:
    with pytest.raises(RequirementProblem) as e:
        parse_requirement_string(text)
    assert e.value.code == "SPC119"
    assert e.value.message == f"pip option {option} is not supported on a requirement's line"
    assert e.value.span is not None and text[e.value.span[0] :].startswith(option)
    if option == "--hash":
        assert e.value.hint is not None and "specc lock" in e.value.hint and "model-env.lock" in e.value.hint
    else:
        assert e.value.hint is not None and "python.wheels" in e.value.hint


def test_pip_compile_output_gets_one_problem_per_requirement(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text(
        "certifi==2024.8.30 \\\n    --hash=sha256:00 \\\n    --hash=sha256:11\n    # via requests\nsix==1.16.0\n"
    )
    parsed = parse_requirements_file(tmp_path / "r.txt", tmp_path)
    assert [(p.lineno, p.code, p.col, p.end_col) for p in parsed.problems] == [(1, "SPC119", 1, 19)]
    assert [r.name for _, r in parsed.requirements] == ["six"]


def test_pinned() -> None:
    assert is_pinned(parse_requirement_string("a==1.0"))
    assert is_pinned(parse_requirement_string("a===1.0"))
    assert not is_pinned(parse_requirement_string("a==1.*"))
    assert not is_pinned(parse_requirement_string("a>=1"))
    assert not is_pinned(parse_requirement_string("a"))
    assert is_pinned(parse_requirement_string("a @ https://x/a-1.whl"))


def test_merge_dedupes_intersects_and_detects_conflicts() -> None:
    p = parse_requirement_string
    merged, conflicts = merge([p("b>=1"), p("a==1.0"), p("B<3"), p("a==1.0")])
    assert [m.line for m in merged] == ["a==1.0", "b<3,>=1"]
    assert not conflicts
    merged, conflicts = merge([p("a>=2,<3"), p("a==2.5")])
    assert [m.line for m in merged] == ["a==2.5"] and not conflicts
    _, conflicts = merge([p("a==1"), p("a==2")])
    assert len(conflicts) == 1
    _, conflicts = merge([p("a<2"), p("a==2.5")])
    assert len(conflicts) == 1
    # different markers are different requirements
    merged, conflicts = merge([p("a==1; python_version<'3.11'"), p("a==2; python_version>='3.11'")])
    assert len(merged) == 2 and not conflicts


def test_table_form() -> None:
    r, problems = requirement_from_table("NLTK", "3.9.1", None, ["X"], None, None)
    assert not problems and r is not None and r.line == "nltk[x]==3.9.1"
    r, problems = requirement_from_table("nltk", "3.9.1", ">=3", [], None, None)
    assert r is None and problems[0].path == ("specifier",)


def test_requirements_file_follows_r_and_c(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "requirements.txt").write_text(
        "# top\nnumpy==2.4.6  # inline comment\n-r sub/more.txt\n--constraint c.txt\n"
        "pandas==3.1.1 \\\n  ; python_version >= '3.9'\n"
    )
    (tmp_path / "sub" / "more.txt").write_text("scipy==1.17.1\n")
    (tmp_path / "c.txt").write_text("urllib3<3\n")
    parsed = parse_requirements_file(tmp_path / "requirements.txt", tmp_path)
    assert not parsed.problems
    assert [r.line for _, r in parsed.requirements] == [
        "numpy==2.4.6",
        "scipy==1.17.1",
        'pandas==3.1.1; python_version >= "3.9"',
    ]
    assert [r.line for _, r in parsed.constraints] == ["urllib3<3"]
    assert [p.name for p in parsed.files] == ["requirements.txt", "more.txt", "c.txt"]


def test_requirements_file_refuses_pip_options_and_cycles(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("-r b.txt\n--hash=sha256:00\n-e .\n--extra-index-url https://x/simple\n")
    (tmp_path / "b.txt").write_text("-r a.txt\n")
    parsed = parse_requirements_file(tmp_path / "a.txt", tmp_path)
    messages = [p.message for p in parsed.problems]
    assert any("cycle" in m for m in messages)
    assert any("--hash" in m for m in messages)
    assert any("editable" in m for m in messages)
    assert any("--extra-index-url" in m for m in messages)
    assert all(p.code == "SPC119" for p in parsed.problems)


def test_requirements_file_cannot_escape(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "outside.txt").write_text("x==1\n")
    (root / "r.txt").write_text("-r ../outside.txt\n")
    parsed = parse_requirements_file(root / "r.txt", root)
    assert parsed.problems[0].code == "SPC402"
    assert not parsed.requirements


_NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,8}[A-Za-z0-9])?", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(
    name=_NAMES,
    extras=st.none() | st.lists(_NAMES, min_size=1, max_size=3),
    version=st.none() | st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}", fullmatch=True),
)
def test_the_fast_path_agrees_with_packaging(name: str, extras: list[str] | None, version: str | None) -> None:
    """`name`, `name[a,b]` and `name==1.2.3` skip the parser (and pydantic's validation); the
    result must be what packaging gives, as a validated Req."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from specc.spec import Req

    text = name + ("" if extras is None else "[" + ",".join(extras) + "]")
    text += "" if version is None else f"=={version}"
    req = Requirement(text)
    expected = Req(
        name=canonicalize_name(req.name),
        extras=tuple(sorted({canonicalize_name(e) for e in req.extras})),
        specifier=",".join(sorted(str(s) for s in req.specifier)),
    )
    got = parse_requirement_string(text)
    assert got == expected
    assert got.model_dump() == expected.model_dump()
    assert got.line == expected.line


@pytest.mark.parametrize(
    "text",
    [
        'Flask_Cors==4.0.1 ; python_version >= "3.9"',
        "numpy==2.1.0;sys_platform=='linux'",
        "pkg[S3,cli]==1.2 ;  platform_machine == 'x86_64' and python_version < '3.13'",
        "pkg ; extra == 'Dev_Tools'",
        "pkg==1 ; os_name == 'a;b'",
    ],
)
def test_the_marker_fast_path_agrees_with_packaging(text: str) -> None:
    """`name==1.2 ; marker` skips the requirement parser (the marker is parsed once per distinct
    text); the result must be packaging's, as a validated Req."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from specc.spec import Req

    req = Requirement(text)
    expected = Req(
        name=canonicalize_name(req.name),
        extras=tuple(sorted({canonicalize_name(e) for e in req.extras})),
        specifier=",".join(sorted(str(s) for s in req.specifier)),
        markers=str(req.marker),
    )
    for _ in range(2):  # the second time from the marker memo
        got = parse_requirement_string(text)
        assert got == expected and got.model_dump() == expected.model_dump() and got.line == expected.line


@pytest.mark.parametrize("text", ["pkg==1 ;", "pkg==1 ; bogus", "pkg==1 ; python_version >="])
def test_an_invalid_marker_keeps_packagings_message_and_position(text: str) -> None:
    from packaging.requirements import InvalidRequirement, Requirement

    with pytest.raises(InvalidRequirement):
        Requirement(text)
    with pytest.raises(RequirementProblem) as info:
        parse_requirement_string(text)
    assert info.value.span is not None and info.value.message.startswith(f'invalid requirement "{text}": ')


def test_merge_orders_by_name_then_markers() -> None:
    lines = ['b; python_version < "3"', "ab==1", "b", "a-b==2", 'ab; os_name == "nt"', "a==1"]
    merged, conflicts = merge([parse_requirement_string(x) for x in lines])
    assert not conflicts
    assert [(r.name, r.markers or "") for r in merged] == sorted((r.name, r.markers or "") for r in merged)


def test_a_byte_order_mark_is_read_as_pip_reads_it(tmp_path: Path) -> None:
    """Windows editors write a UTF-8 BOM; pip accepts it, so a first line with one is not an error."""
    (tmp_path / "requirements.txt").write_bytes(b"\xef\xbb\xbf-r a.txt\nnumpy==2.4.6\n")
    (tmp_path / "a.txt").write_bytes(b"\xef\xbb\xbfpandas==3.1.1\n")
    parsed = parse_requirements_file(tmp_path / "requirements.txt", tmp_path)
    assert not parsed.problems
    assert [r.line for _, r in parsed.requirements] == ["pandas==3.1.1", "numpy==2.4.6"]
