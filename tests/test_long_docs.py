"""Texts longer than nlp.max_length: split at paragraphs, annotated, merged into one record."""
import pytest

from policylens.annotate import annotate_stream
from policylens.io import doc_to_record, record_to_doc
from policylens.long_docs import pipe_long, split_text
from policylens.readers import InputDocument


class ListWriter:
    """Stands in for JsonlWriter: keeps the records."""

    def __init__(self):
        self.records = []

    def write(self, record):
        self.records.append(record)


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
