"""The cyclic garbage collector during specc's bulk work.

A 100,000-requirement spec is a few million small live objects (models, tuples, dicts), and
CPython's cyclic collector re-scans every live container each time enough new ones have been
allocated: at that scale about half of validating and rendering.  specc's bulk work makes no
reference cycles it needs collected (reference counting frees its garbage), so the collector
pauses around it and is restored as it was:

* :func:`specc.validate.validate_document` (the validation pipeline, for API callers too);
* the ``specc`` command line, for the whole command (a short-lived process);
* ``bench/scale.py``, around each stage it drives through the Python API (it says so).

A caller who already disabled the collector keeps it disabled.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; re-enable it after only if it was enabled."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            _promote()
            gc.enable()


def _promote() -> None:
    """Move every tracked object into the oldest generation without scanning it.

    The pause left millions of new objects counted against the youngest generation, so the
    first allocation after ``gc.enable()`` would trigger a collection scanning all of them
    (a third of a second at 100,000 requirements): a cost the pause only postponed.  The ones
    still alive are the result the caller keeps; ``freeze`` + ``unfreeze`` puts them in the
    oldest generation (where surviving collections would have put them) and resets the count,
    so they are scanned again only at a later full collection, which also collects any cycle
    among them.  Skipped when the caller froze objects itself (``unfreeze`` would release them).
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
