"""Texts longer than nlp.max_length: split at paragraphs, annotated, merged into one record."""
import tracemalloc

import pytest

from policylens.annotate import annotate_stream
from policylens.io import doc_to_record, record_to_doc
from policylens.engines.local import iter_records
from policylens.long_docs import iter_parts, long_record, merge_records, pipe_long, split_text
from policylens.readers import InputDocument

from conftest import ListWriter


def paragraph(number: int) -> str:
    return (
        f"Section {number}. We collect your email address and phone number when you order.\n"
        f"We share usage data with Google Analytics and keep order records for {number % 9 + 2} years.\n"
        f"Questions? Write to privacy@shop{number}.example or call us."
    )


def long_text(paragraphs: int = 40) -> str:
    return "\n\n".join(paragraph(i) for i in range(paragraphs)) + "\n"


def test_split_text_cuts_at_paragraphs():
    text = long_text(10)
    parts = split_text(text, 600)
    assert "".join(part for _, part in parts) == text
    assert list(iter_parts(text, 600)) == parts
    assert [offset for offset, _ in parts] == [sum(len(p) for _, p in parts[:i]) for i in range(len(parts))]
    assert all(len(part) <= 600 for _, part in parts)
    assert len(parts) > 2
    for _, part in parts[:-1]:
        assert part.endswith("\n\n") and not part.endswith("\n\n\n")
    for _, part in parts[1:]:
        assert part.startswith("Section ")


def test_split_text_falls_back_to_lines_words_and_the_limit():
    assert split_text("aaaa\nbbbb cccc", 10) == [(0, "aaaa\n"), (5, "bbbb cccc")]
    assert split_text("aaaa bbbb cccc", 10) == [(0, "aaaa bbbb "), (10, "cccc")]
    assert split_text("abcdefghijkl", 5) == [(0, "abcde"), (5, "fghij"), (10, "kl")]
    assert split_text("short", 10) == [(0, "short")]
    with pytest.raises(ValueError):
        split_text("text", 0)


def test_long_document_gives_the_spans_of_the_whole_text(nlp, monkeypatch):
    text = long_text()
    whole = doc_to_record(nlp(text), {})  # under the default max_length
    monkeypatch.setattr(nlp, "max_length", 2000)
    assert len(text) > 4 * nlp.max_length
    (doc, meta), = list(pipe_long(nlp, [(text, {"id": "long"})], batch_size=4))
    merged = doc_to_record(doc, meta)
    assert merged["text"] == text and meta == {"id": "long"}
    assert merged["spans"] == whole["spans"]
    # Every paragraph is the same sentence with other numbers: each gives the spans of one alone.
    one = doc_to_record(nlp(paragraph(0)), {})
    assert len(one["spans"]) >= 4 and len(merged["spans"]) == 40 * len(one["spans"])
    labels = {span["label"] for span in merged["spans"]}
    assert labels == {"DATA_TYPE", "THIRD_PARTY", "RETENTION", "CONTACT_EMAIL"}
    last_email = [s for s in merged["spans"] if s["label"] == "CONTACT_EMAIL"][-1]
    assert last_email["attrs"] == {"address": "privacy@shop39.example", "role": "privacy"}
    assert all(text[s["start"] : s["end"]] == s["text"] for s in merged["spans"])
    # Sentences are those of the whole text, plus a start at each cut.
    starts_whole = {start for start, _ in whole["sents"]}
    starts_merged = {start for start, _ in merged["sents"]}
    cuts = {offset for offset, _ in split_text(text, 2000)}
    assert starts_whole <= starts_merged and starts_merged - starts_whole <= cuts
    assert starts_merged != starts_whole
    monkeypatch.setattr(nlp, "max_length", 1_000_000)
    ents = lambda d: [(e.start_char, e.end_char, e.label_, e.id_) for e in d.ents]
    assert ents(doc) == ents(nlp(text)) != []
    rebuilt = record_to_doc(merged, nlp)
    assert [t.text for t in rebuilt] == [t.text for t in doc]


def test_annotate_stream_writes_one_record_for_a_long_document(nlp, monkeypatch):
    monkeypatch.setattr(nlp, "max_length", 1500)
    items = [
        InputDocument("We collect your email address.", {"source_path": "a.txt"}),
        InputDocument(long_text(12), {"source_path": "long.txt"}),
        InputDocument("We keep logs for 30 days.", {"source_path": "b.txt"}),
    ]
    output, errors = ListWriter(), ListWriter()
    summary = annotate_stream(items, nlp, output, errors, batch_size=2, progress=False)
    assert (summary.documents, summary.errors) == (3, 0)
    assert [r["meta"]["source_path"] for r in output.records] == ["a.txt", "long.txt", "b.txt"]
    assert len([s for s in output.records[1]["spans"] if s["label"] == "CONTACT_EMAIL"]) == 12
    assert errors.records == []


def varied_text(paragraphs: int = 30) -> str:
    """A long policy whose paragraphs differ in length and wording, with a run without blank lines."""
    sentences = [
        "We collect your email address and postal address when you register.",
        "Advertising partners such as Facebook may receive your device identifier.",
        "We keep support messages for 18 months.",
        "Contact our data protection officer at dpo@clinic.example with any request.",
        "You can opt out of marketing emails at any time.",
    ]
    out = []
    for i in range(paragraphs):
        picked = [sentences[(i * 3 + j) % len(sentences)] for j in range(i % 4 + 1)]
        out.append(f"{i}. " + " ".join(picked) + ("\n" if i % 5 == 2 else "\n\n"))
    return "".join(out)


@pytest.mark.parametrize("max_length", [700, 1500])
def test_long_record_equals_the_record_of_the_merged_doc(nlp, max_length):
    text = varied_text()
    meta = {"id": "varied"}
    assert len(split_text(text, max_length)) > 2
    (doc, _), = list(pipe_long(nlp, [(text, meta)], max_length=max_length))
    expected = doc_to_record(doc, meta, text=text)
    record = long_record(nlp, text, meta, max_length=max_length)
    assert record == expected
    assert record["text"] is text and len(record["spans"]) > 20
    assert {span["label"] for span in record["spans"]} >= {"DATA_TYPE", "THIRD_PARTY", "RETENTION", "CONTACT_EMAIL"}


def test_long_record_without_whitespace_cuts_at_the_limit(nlp):
    text = "x" * 2500 + " We collect your email address."
    (doc, _), = list(pipe_long(nlp, [(text, {})], max_length=1000))
    assert long_record(nlp, text, {}, max_length=1000) == doc_to_record(doc, {}, text=text)


def test_iter_records_merges_long_texts_at_the_record_level(nlp, monkeypatch):
    # The annotate path gives, in input order, the records the Doc path gives.
    monkeypatch.setattr(nlp, "max_length", 900)
    items = [
        ("We collect your email address.", {"n": 0}),
        (varied_text(20), {"n": 1}),
        (varied_text(12), {"n": 2}),
        ("We keep logs for 30 days.", {"n": 3}),
        ("Partners like Google receive cookies.", {"n": 4}),
    ]
    expected = [doc_to_record(doc, meta, text=text) for (doc, meta), (text, _) in zip(pipe_long(nlp, items), items)]
    for batch_size in (1, 2, 64):
        records = list(iter_records(items, nlp, batch_size=batch_size))
        assert records == expected
    assert [r["meta"]["n"] for r in records] == [0, 1, 2, 3, 4]


def test_merge_records_moves_sentences_and_spans():
    span = {"start": 2, "end": 5, "label": "X", "text": "abc", "id": "r", "attrs": {}}
    parts = [(0, {"sents": [[0, 6]], "spans": []}), (10, {"sents": [[0, 4], [5, 9]], "spans": [dict(span)]})]
    merged = merge_records("t" * 20, {"a": 1}, parts)
    assert merged == {
        "text": "t" * 20,
        "meta": {"a": 1},
        "sents": [[0, 6], [10, 14], [15, 19]],
        "spans": [dict(span, start=12, end=15)],
    }


def test_long_record_holds_one_part_not_the_whole_doc(nlp):
    # Beyond the record it returns, long_record holds one part's Doc at a time; the Doc path
    # holds every part's Doc and their merge. tracemalloc sees spaCy's Docs (cymem allocates
    # with PyMem_Malloc).
    text = varied_text(300)
    assert len(split_text(text, 1500)) >= 24

    def overhead(run) -> int:
        """Peak bytes allocated while running, less the bytes of the record it returns."""
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            record = run()
            kept, peak = tracemalloc.get_traced_memory()
            assert record["spans"]
            return peak - kept
        finally:
            tracemalloc.stop()

    by_record = overhead(lambda: long_record(nlp, text, {}, max_length=1500))
    by_doc = overhead(lambda: doc_to_record(next(pipe_long(nlp, [(text, {})], max_length=1500))[0], {}, text=text))
    assert by_record * 4 < by_doc
