"""The flow process's garbage collection during a run."""

from __future__ import annotations

import gc
import weakref

from flows.collection import run_collection, set_aside
from flows.parallel import WORKER_GC_THRESHOLD


class _Node:
    """An object that can refer to itself (a cycle only the collector frees)."""

    me: object = None


def test_a_run_collects_young_objects_less_often_and_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    with run_collection():
        assert gc.get_threshold()[0] == WORKER_GC_THRESHOLD
        set_aside()
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cyclic_garbage_set_aside_is_collected_once_the_run_ends() -> None:
    with run_collection():
        node = _Node()
        node.me = node
        ref = weakref.ref(node)
        del node
        set_aside()
        gc.collect()
        assert ref() is not None  # set aside: not scanned while the run lasts
    gc.collect()
    assert ref() is None  # nothing is kept for good


def test_a_run_inside_a_frozen_caller_leaves_its_freeze_alone() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with run_collection():
            set_aside()
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
