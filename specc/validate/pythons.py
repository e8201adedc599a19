"""Which CPython versions exist: the newest patch release of each minor version specc knows.

``runtime.python = "3.11.99"`` names a Python nobody can install; a typo like that must be
an error, not a Docker build failing on a missing base image or a cluster that never starts.
A table of every release goes stale, so the rule is plausibility against the newest known
patch of each minor (:func:`problem`):

* a minor line that has ended (its final release is out, ``FINAL``): any later patch is an
  error;
* a maintained minor: a patch up to ``GRACE`` releases past the newest known one is a warning
  (it may have been released after this table; upgrade specc), beyond that an error (patch
  releases come about every two months: ``GRACE`` covers a year);
* a minor one past the newest known is a warning (a new line specc does not know yet); further
  is an error.

Provenance: ``NEWEST_PATCH`` is the newest CPython ``X.Y.Z`` (final releases, no pre-releases)
per minor version in the download list embedded in uv 0.13.9 (``uv python list
--all-versions --only-downloads --all-platforms --output-format json``, read on 2026-11-30;
python-build-standalone builds of the python.org releases).  ``FINAL``: the minor lines past
their end of life whose last release is out: 3.8 (PEP 569, last release 3.8.20) and 3.9
(PEP 596, last release 3.9.25).  Update both when a release ships (the same command).
"""

from __future__ import annotations

from typing import Literal

AS_OF = "uv 0.13.9's CPython download list, 2026-11"

NEWEST_PATCH: dict[int, int] = {8: 20, 9: 25, 10: 22, 11: 18, 12: 16, 13: 18, 14: 10, 15: 2}
FINAL: frozenset[int] = frozenset({8, 9})
GRACE = 6

Verdict = tuple[Literal["error", "warning"], str, str]


def problem(version: str) -> Verdict | None:
    """``(severity, message, hint)`` when the well-formed ``3.minor[.patch]`` ``version`` is not a
    CPython release specc knows, else None.  Minors below 3.8 are the caller's (SPC107)."""
    parts = [int(p) for p in version.split(".")]
    minor, patch = parts[1], (parts[2] if len(parts) > 2 else None)
    newest_minor = max(NEWEST_PATCH)
    check = "check it with `python --version` where you trained"
    if minor > newest_minor:
        if minor > newest_minor + 1:
            return ("error", f"Python 3.{minor} does not exist (the newest Python is 3.{newest_minor})", check)
        return (
            "warning",
            f"Python 3.{minor} is newer than any Python specc knows (3.{newest_minor}, as of {AS_OF})",
            f"{check}; if it was released since, upgrade specc",
        )
    newest = NEWEST_PATCH.get(minor)
    if patch is None or newest is None or patch <= newest:
        return None
    if minor in FINAL:
        return ("error", f"Python {version} does not exist: 3.{minor}.{newest} was the last 3.{minor} release", check)
    if patch > newest + GRACE:
        return ("error", f"Python {version} does not exist (the newest 3.{minor} release is 3.{minor}.{newest})", check)
    return (
        "warning",
        f"Python {version} is newer than any 3.{minor} release specc knows (3.{minor}.{newest}, as of {AS_OF})",
        f"{check}; if it was released since, upgrade specc",
    )
