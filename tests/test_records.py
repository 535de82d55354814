"""doc_to_record reads offsets and sentences from arrays: the same record as spaCy's own views give."""
import pytest
import srsly
from spacy.tokens import Doc

from conftest import SHARED, sample_texts
from policylens.engines.local import annotate_batch
from policylens.extensions import get_attrs
from policylens.io import doc_to_record, sentence_offsets
from policylens.labels import ATTRIBUTES, SPANS_KEY


def slow_record(doc, meta):
    """The record built from spaCy's views (doc.text, doc.sents, span.text), as it used to be."""
    spans = [
        {"start": s.start_char, "end": s.end_char, "label": s.label_, "text": s.text, "id": s.id_,
         "attrs": {n: get_attrs(s).get(n) for n in ATTRIBUTES.get(s.label_, tuple(get_attrs(s)))}}
        for s in doc.spans.get(SPANS_KEY, [])
    ]
    sents = [[s.start_char, s.end_char] for s in doc.sents] if doc.has_annotation("SENT_START") else []
    return {"text": doc.text, "meta": meta, "sents": sents, "spans": spans}


def texts():
    """The sample policies, and the ../shared/eval texts when present."""
    found = sample_texts()
    if (SHARED / "eval").exists():
        found += [r["text"] for path in sorted((SHARED / "eval").glob("*.jsonl")) for r in srsly.read_jsonl(path)]
    return found


def test_records_equal_spacys_views(nlp):
    inputs = texts()
    count = 0
    for doc, text in zip(nlp.pipe(inputs), inputs):
        expected = slow_record(doc, {"n": count})
        assert doc_to_record(doc, {"n": count}) == expected
        assert doc_to_record(doc, {"n": count}, text=text) == expected
        count += 1
    assert count >= 6


def test_annotate_batch_gives_the_records_of_the_docs(nlp):
    inputs = [(text, {"n": n}) for n, text in enumerate(texts()[:20])]
    records = annotate_batch(nlp, inputs)
    assert [r["meta"] for r in records] == [meta for _, meta in inputs]
    assert records == [slow_record(nlp(text), meta) for text, meta in inputs]


@pytest.mark.parametrize(
    "words,starts",
    [
        ([], []),
        (["One"], [None]),
        (["One", "two"], [None, None]),  # no sentence starts set: no sentences
        (["One", "."], [True, False]),
        (["One", ".", "Two", "words", "."], [True, False, True, False, False]),
        (["A", "b", "C"], [None, None, True]),  # only some starts set
        (["A", "b", "C", "d"], [True, True, True, True]),
    ],
)
def test_sentence_offsets(nlp, words, starts):
    doc = Doc(nlp.vocab, words=words, spaces=[True] * len(words))
    for token, start in zip(doc, starts):
        if start is not None:
            token.is_sent_start = start
    expected = [[s.start_char, s.end_char] for s in doc.sents] if doc.has_annotation("SENT_START") else []
    assert sentence_offsets(doc) == expected
