"""specc.output.dump_json: its fast writer gives json.dumps's exact bytes, errors included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specc.output import dump_json


def reference(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),  # unicode, control characters, quotes, backslashes, U+2028
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=5).map(tuple),
        st.dictionaries(st.text(max_size=8), children, max_size=5),
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_same_bytes_as_json_dumps(data: Any) -> None:
    assert dump_json(data) == reference(data)


@pytest.mark.parametrize(
    "data",
    [
        {},
        [],
        {"a": {}, "b": [], "c": [[]], "d": [{}]},
        {"z": 1, "a": 2, "m": {"y": None, "b": True}},
        {2: "int keys", 1: "sorted as numbers"},  # non-string keys: json.dumps's own conversion
        {1.5: 1, 0.5: 2},
        {True: 1, False: 2},
        {"n": {10: "a", 9: "b"}},
        '\u2028\x00é"\\',
        float("nan"),
    ],
)
def test_edge_cases(data: object) -> None:
    assert dump_json(data) == reference(data)


def test_errors_are_json_dumps_errors() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dump_json({"a": {1, 2}})
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        dump_json({"a": cycle})
    with pytest.raises(TypeError):
        dump_json({"a": 1, 2: 3})  # mixed key types cannot be sorted, as in json.dumps


def test_str_and_int_subclasses_as_json_writes_them() -> None:
    import enum

    class Color(enum.IntEnum):
        RED = 1

    class Name(str):
        pass

    data = {"c": Color.RED, "n": Name("x"), "l": [Color.RED, Name("y")]}
    assert dump_json(data) == reference(data)


@settings(max_examples=200, deadline=None)
@given(values, values)
def test_a_fragment_is_spliced_as_its_value_would_be_written(value: Any, other: Any) -> None:
    """One value encoded once (JsonFragment) and put at several depths of several documents
    gives the bytes of writing the value itself at each place, on the fast path and on the
    json.dumps fallback (a non-string key sends the whole document there)."""
    from specc.output import JsonFragment

    fragment = JsonFragment(value)
    doc = {"a": fragment, "b": [other, {"c": [fragment]}]}
    plain = {"a": value, "b": [other, {"c": [value]}]}
    assert dump_json(doc) == reference(plain)
    assert dump_json(fragment) == reference(value)
    assert dump_json({1: fragment}) == reference({1: value})
    # a fragment equals what its value equals: NaN (which the strategy draws) equals nothing
    assert (fragment == value) == (value == value) and bool(fragment) == bool(value)
