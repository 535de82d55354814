"""Keep the objects that exist when a corpus run starts (the pipeline) out of the collector's way.

A loaded pipeline holds ~125k Python objects (patterns, tries, tables, with the imports) that
live as long as it does. A full garbage collection visits every one of them, ~100 ms of CPU; a
long run of new texts sets one off now and then (one pass over ../shared/eval no longer does:
what the pipeline keeps is mostly made of untracked ints and tuples). Frozen (``gc.freeze``),
they are left out of collections until the run ends, and forked workers do not write to their
pages; the Docs, spans and records of the run are collected as before.
"""
import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def objects_frozen() -> Iterator[None]:
    """Freeze the objects that exist now for the block, and let them go back afterwards.

    When something else has frozen objects already (an outer block, the caller), nothing is
    frozen or unfrozen here: what was frozen before is not ours to give back.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
