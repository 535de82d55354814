"""Corpus runs keep the pipeline's objects out of the garbage collector's passes, and give them back."""
import gc

import pytest

from policylens.annotate import annotate_stream
from policylens.gc_freeze import objects_frozen
from policylens.readers import InputDocument

from conftest import ListWriter


# A frozen object can still die (its last reference dropped, here or in another thread, such as a
# pool's handler thread still finishing from an earlier test), and the freeze count then drops:
# the counts are compared with room for that. Tracked objects made after a freeze show whether a
# block froze again (the count would grow by them) or gave back (it would fall to 0).
FRESH = 1000


def test_frozen_inside_given_back_after():
    assert gc.get_freeze_count() == 0
    with objects_frozen():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        fresh = [[] for _ in range(FRESH)]
        with objects_frozen():  # an inner block neither freezes again nor gives back
            assert frozen // 2 < gc.get_freeze_count() < frozen + len(fresh) // 2
        assert frozen // 2 < gc.get_freeze_count() < frozen + len(fresh) // 2
    assert gc.get_freeze_count() == 0


def test_what_the_caller_froze_stays_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        fresh = [[] for _ in range(FRESH)]
        with objects_frozen():
            pass
        assert frozen // 2 < gc.get_freeze_count() < frozen + len(fresh) // 2
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("n_process", [1, 2])
def test_annotate_stream_runs_frozen(nlp, n_process):
    seen = []

    def items():
        for i in range(6):
            seen.append(gc.get_freeze_count())
            yield InputDocument(f"We keep your email address for {i + 1} days.", {"source_path": f"p{i}.txt"})

    output, errors = ListWriter(), ListWriter()
    summary = annotate_stream(items(), nlp, output, errors, batch_size=2, n_process=n_process, progress=False)
    assert summary.documents == 6 and len(output.records) == 6
    assert all(count > 0 for count in seen)  # still frozen after the worker pool was made
    assert gc.get_freeze_count() == 0
