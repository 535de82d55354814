"""Threads sharing one pipeline (a Dask worker's threads, a web server's) get the records one thread gets.

The components keep memos and per-document lookups; any of them kept on the component for the
document at hand would let one thread read another's document. The switch interval is made
tiny so that the threads interleave inside the components, not only between documents.
"""
import threading
from pathlib import Path

import pytest
from conftest import run_interleaved

from policylens import readers
from policylens.engines.local import annotate_batch

POLICIES = Path(__file__).resolve().parent.parent / "assets" / "policies"


@pytest.fixture(scope="module")
def texts():
    items = [item for item in readers.iter_inputs([str(POLICIES)]) if not isinstance(item, readers.InputError)]
    assert len(items) >= 5
    # Each policy also cut in half: more documents, of different lengths, in flight at once.
    texts = [item.text for item in items]
    return texts + [text[: len(text) // 2] for text in texts]


def test_threads_sharing_a_pipeline_get_the_records_of_one_thread(saved_pipeline, texts):
    import policylens

    expected = annotate_batch(policylens.load(saved_pipeline), [(text, {"n": n}) for n, text in enumerate(texts)])
    shared = policylens.load(saved_pipeline)  # fresh: its memos fill while the threads run
    results, failures = {}, []

    def run(name, order):
        try:
            results[name] = [(n, annotate_batch(shared, [(texts[n], {"n": n})])[0]) for n in order]
        except Exception as err:  # reported below, with the thread's name
            failures.append((name, repr(err)))

    orders = {"forward": list(range(len(texts))) * 2, "backward": list(reversed(range(len(texts)))) * 2}
    run_interleaved([threading.Thread(target=run, args=item) for item in orders.items()])
    assert failures == []
    assert sorted(results) == sorted(orders)
    for name, records in results.items():
        differing = [n for n, record in records if record != expected[n]]
        assert differing == [], f"{name}: documents {differing} differ from one thread's records"


def test_sentence_cues_are_read_per_document(nlp):
    """The cue verdict of a sentence is remembered for its document only: two documents with a
    party at the same tokens of a sentence of the same length each get their own sentence's cue."""
    from spacy.tokens import Span

    from policylens.components.doc_context import DocContext

    party_context = nlp.get_pipe("third_party_attributes").context
    docs = list(nlp.pipe(["We share data with third parties for advertising.", "We share data with third parties for analytics."]))
    found = []
    for doc in docs:  # one after the other, as two threads' documents may be
        span = Span(doc, 4, 6, label="THIRD_PARTY", span_id="generic.third_parties/third-parties")
        assert span.text == "third parties" and span.id_ in party_context.sentence_ids
        found.append(party_context.sentence_category(span, DocContext(doc)))
    assert found == ["advertising", None]
