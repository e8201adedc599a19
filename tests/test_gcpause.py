"""specc.gcpause: the collector is restored as it was, without a deferred scan of the pause's objects."""

from __future__ import annotations

import gc

from specc.gcpause import paused


def test_restored_with_the_pauses_objects_promoted() -> None:
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        kept = [[i] for i in range(50_000)]  # containers the collector tracks
    assert gc.isenabled()
    # nothing counted against the youngest generation: no collection scanning `kept` is due
    assert gc.get_count()[0] < 100
    assert gc.get_freeze_count() == 0
    assert len(kept) == 50_000


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_objects_the_caller_froze_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused():
            [[i] for i in range(1000)]
        # nothing new was frozen (the count may drop: a frozen object that dies leaves the
        # permanent generation, and other code in this process may drop references meanwhile)
        assert gc.get_freeze_count() <= frozen and gc.isenabled()
    finally:
        gc.unfreeze()
