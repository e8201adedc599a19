"""runtime.python must name a CPython that exists (SPC132): plausibility against the vendored table."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from specc.api import check_text
from specc.validate.pythons import FINAL, GRACE, NEWEST_PATCH, problem


def test_every_known_release_is_accepted() -> None:
    for minor, newest in NEWEST_PATCH.items():
        assert problem(f"3.{minor}") is None
        for patch in range(newest + 1):
            assert problem(f"3.{minor}.{patch}") is None, (minor, patch)


@given(minor=st.sampled_from(sorted(NEWEST_PATCH)), extra=st.integers(min_value=1, max_value=900))
def test_a_patch_past_the_newest(minor: int, extra: int) -> None:
    verdict = problem(f"3.{minor}.{NEWEST_PATCH[minor] + extra}")
    assert verdict is not None
    expected = "error" if minor in FINAL or extra > GRACE else "warning"
    assert verdict[0] == expected


def test_minors_past_the_newest() -> None:
    newest = max(NEWEST_PATCH)
    near = problem(f"3.{newest + 1}")
    assert near is not None and near[0] == "warning"
    far = problem(f"3.{newest + 2}.0")
    assert far is not None and far[0] == "error"


def test_the_reported_input_is_an_error_with_its_code() -> None:
    result = check_text('spec-version = 1\n[runtime]\npython = "3.11.99"\n')
    assert result.spec is None
    assert [(d.code, d.severity) for d in result.diagnostics] == [("SPC132", "error")]


def test_the_examples_and_a_plain_minor_pass() -> None:
    result = check_text('spec-version = 1\n[runtime]\npython = "3.11.9"\n')
    assert result.spec is not None and not result.diagnostics
