"""Annotated records from ``nlp.pipe`` in this process or from a pool of worker processes.

spaCy's own ``nlp.pipe(n_process=N)`` sends every Doc back to the parent as bytes, and the
parent rebuilds it and serialises the record: that per-document work in one process is as slow
as the pipeline itself, so two processes were no faster than one. Here each worker annotates a
whole batch and returns its finished records; the parent only reads inputs and writes lines.
Tasks are whole batches while more input follows; near the end of the input (which the parent
reads a few tasks ahead) they shrink, so that the workers finish together (``worker_tasks``).
At most ``4 * n_process`` tasks of at most ``MAX_TASK_CHARS`` characters are in flight, so
memory stays flat on any corpus. In both ways a document the pipeline raises on becomes a
``Failed`` item in its place, and the others of its batch are annotated all the same.
"""
import multiprocessing
import os
from collections import deque
from dataclasses import dataclass
from itertools import islice
from typing import Iterable, Iterator, List, Optional, Tuple, Union

import srsly
from spacy.language import Language

from ..gc_freeze import objects_frozen
from ..io import doc_to_record
from ..long_docs import long_record

# Tasks per worker that the parent reads ahead, to see the end of the input coming.
LOOKAHEAD_TASKS = 2
# The most characters per task (~400k tokens): memory in flight stays bounded on long documents.
MAX_TASK_CHARS = 2_000_000
# The worker's pipeline: inherited from the parent when processes are forked, else rebuilt.
_WORKER_NLP: Optional[Language] = None


@dataclass
class Failed:
    """A document the pipeline raised on, in place of its record.

    meta (dict): The document's meta (``source_path``, ``source_line``...).
    reason (str): What went wrong, with the exception's type and message.
    """

    meta: dict
    reason: str


def annotate_isolated(
    nlp: Language, batch: List[Tuple[str, dict]], batch_size: Optional[int] = None, serialize: bool = False
) -> List[Union[dict, str, Failed]]:
    """Annotate (text, meta) pairs; when the batch fails, its documents one by one.

    nlp (Language): The pipeline.
    batch (List[Tuple[str, dict]]): The inputs.
    batch_size (Optional[int]): Texts per ``nlp.pipe`` batch.
    serialize (bool): Return each record as its JSON line (without the newline).
    RETURNS (List[Union[dict, str, Failed]]): Per input, in order, its record (or line) or why
        it failed.
    """
    try:
        results: List[Union[dict, str, Failed]] = annotate_batch(nlp, batch, batch_size=batch_size)
    except Exception:  # one bad policy must not cost the others: find it
        results = []
        for text, meta in batch:
            try:
                results.extend(annotate_batch(nlp, [(text, meta)], batch_size=1))
            except Exception as err:
                results.append(Failed(meta, f"the pipeline failed on this document: {type(err).__name__}: {err}"))
    if serialize:
        results = [r if isinstance(r, Failed) else srsly.json_dumps(r) for r in results]
    return results


def annotate_batch(nlp: Language, batch: List[Tuple[str, dict]], batch_size: Optional[int] = None) -> List[dict]:
    """Annotate (text, meta) pairs into records, long texts included.

    nlp (Language): The pipeline.
    batch (List[Tuple[str, dict]]): The inputs.
    batch_size (Optional[int]): Texts per ``nlp.pipe`` batch.
    RETURNS (List[dict]): One record per input, in order.
    """
    return list(_records(nlp, batch, batch_size))


def _records(nlp: Language, items: Iterable[Tuple[str, dict]], batch_size: Optional[int]) -> Iterator[dict]:
    """Records of (text, meta) pairs, in input order.

    Texts up to ``nlp.max_length`` go through ``nlp.pipe`` a batch at a time, each with its meta,
    so that the record takes the input text as it is instead of rebuilding ``doc.text`` token
    by token. A longer text ends the batch before it and is annotated on its own, part by part,
    into one record (``long_docs.long_record``): no Doc of the whole text is built.
    """
    size = batch_size or nlp.batch_size
    batch: List[Tuple[str, dict]] = []
    for text, meta in items:
        if len(text) > nlp.max_length:
            yield from _batch_records(nlp, batch, size)
            batch = []
            yield long_record(nlp, text, meta)
            continue
        batch.append((text, meta))
        if len(batch) >= size:
            yield from _batch_records(nlp, batch, size)
            batch = []
    yield from _batch_records(nlp, batch, size)


def _batch_records(nlp: Language, batch: List[Tuple[str, dict]], batch_size: int) -> Iterator[dict]:
    """The records of texts within ``nlp.max_length``, in order."""
    if not batch:
        return
    for doc, (meta, text) in nlp.pipe(((text, (meta, text)) for text, meta in batch), as_tuples=True, batch_size=batch_size):
        yield doc_to_record(doc, meta, text=text)


def iter_records(
    items: Iterable[Tuple[str, dict]],
    nlp: Language,
    *,
    batch_size: int = 64,
    n_process: int = 1,
    serialize: bool = False,
) -> Iterator[Union[dict, str, Failed]]:
    """Annotate (text, meta) pairs and yield their records in input order.

    items (Iterable[Tuple[str, dict]]): The inputs, read lazily.
    nlp (Language): The pipeline.
    batch_size (int): Texts per batch.
    n_process (int): Worker processes; 1 runs in this process; -1: one per CPU (``usable_cpus``).
    serialize (bool): Yield each record as its JSON line (``srsly.json_dumps``, no newline).
        With workers, they serialise, and the parent, which does everything else serially,
        only passes strings on (a record dict costs it more to unpickle than a string and
        then again to serialise: ~120 ms against ~10 ms for ../shared/eval).
    YIELDS (Union[dict, str, Failed]): The record (or line) of each input
        (``io.doc_to_record``), or ``Failed`` for an input the pipeline raised on.
    """
    if n_process == -1:
        n_process = usable_cpus()
    if n_process <= 1:
        for batch in _batches(items, batch_size):
            yield from annotate_isolated(nlp, batch, batch_size=batch_size, serialize=serialize)
        return
    yield from _pool_records(items, nlp, batch_size, n_process, serialize)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system has one), at least 1.

    RETURNS (int): What ``--n-process -1`` starts as many workers as.
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _batches(items: Iterable[Tuple[str, dict]], size: int) -> Iterator[List[Tuple[str, dict]]]:
    iterator = iter(items)
    while True:
        batch = list(islice(iterator, size))
        if not batch:
            return
        yield batch


def _pool_records(
    items: Iterable[Tuple[str, dict]], nlp: Language, batch_size: int, n_process: int, serialize: bool
) -> Iterator[Union[dict, str, Failed]]:
    global _WORKER_NLP
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:  # the workers share the parent's pipeline, nothing to load
        context = multiprocessing.get_context("fork")
        _WORKER_NLP = nlp
        initargs: tuple = (None, None)
    else:  # spawn: rebuild the pipeline from its config and bytes in each worker
        context = multiprocessing.get_context("spawn")
        initargs = (nlp.config.to_str(), nlp.to_bytes())
    # Forked workers share the parent's memory until they write to it; the garbage collector
    # of each worker would touch every object of the pipeline, so they start with it frozen.
    # (The pool's workers are forked when it is made.)
    try:
        with objects_frozen():
            pool = context.Pool(n_process, initializer=_init_worker, initargs=initargs)
        with pool:
            pending: deque = deque()
            for batch in worker_tasks(items, batch_size, n_process):
                pending.append(pool.apply_async(_worker_batch, (batch, batch_size, serialize)))
                if len(pending) >= 4 * n_process:
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()
    finally:
        _WORKER_NLP = None


def worker_tasks(items: Iterable[Tuple[str, dict]], batch_size: int, n_process: int) -> Iterator[List[Tuple[str, dict]]]:
    """Cut the inputs into tasks for ``n_process`` workers, in order.

    While more input follows the ``LOOKAHEAD_TASKS * n_process`` tasks' worth read ahead, a
    task is a whole batch (components work a batch at a time, and larger batches cost them less
    per document) of at most ``MAX_TASK_CHARS`` characters. Once the end of the input is read,
    each task takes the next inputs up to about ``1 / (2 * n_process)`` of the characters left
    (at least one input): the tasks shrink towards the end, and no worker is left with a long
    last task while the others wait. (On ../shared/eval, simulated with characters as the cost:
    1.99 of an ideal 2.0 for two workers, against 1.93 for tasks of 16 documents and 1.86 for
    whole batches.)

    items (Iterable[Tuple[str, dict]]): The (text, meta) inputs.
    batch_size (int): The most inputs per task.
    n_process (int): Workers.
    YIELDS (List[Tuple[str, dict]]): The tasks, covering the inputs in order.
    """
    iterator = iter(items)
    ahead, ahead_chars = LOOKAHEAD_TASKS * n_process * batch_size, LOOKAHEAD_TASKS * n_process * MAX_TASK_CHARS
    buffer: deque = deque()
    chars = 0  # in the buffer
    exhausted = False
    while True:
        while not exhausted and len(buffer) < ahead and chars < ahead_chars:
            item = next(iterator, None)
            if item is None:
                exhausted = True
            else:
                buffer.append(item)
                chars += len(item[0])
        if not buffer:
            return
        share = chars / (2 * n_process) if exhausted else MAX_TASK_CHARS
        task = [buffer.popleft()]
        size = len(task[0][0])
        while buffer and len(task) < batch_size and size + len(buffer[0][0]) <= share:
            size += len(buffer[0][0])
            task.append(buffer.popleft())
        chars -= size
        yield task


def _init_worker(config: Optional[str], data: Optional[bytes]) -> None:
    global _WORKER_NLP
    if config is None:
        return
    from spacy.util import load_model_from_config
    from thinc.api import Config

    import policylens  # noqa: F401  (registers the factories)

    nlp = load_model_from_config(Config().from_str(config), auto_fill=False)
    _WORKER_NLP = nlp.from_bytes(data)


def _worker_batch(batch: List[Tuple[str, dict]], batch_size: int, serialize: bool) -> List[Union[dict, str, Failed]]:
    return annotate_isolated(_WORKER_NLP, batch, batch_size=batch_size, serialize=serialize)
