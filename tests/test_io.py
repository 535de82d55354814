"""The annotated JSONL round trip: records read back into Docs equal to the originals."""
import srsly

import policylens
from policylens.io import RecordError, doc_to_record, read_docs, record_to_doc
from policylens.writer import JsonlWriter, errors_path_for

TEXT = (
    "Privacy Policy\n\nWe collect your email address, IP address and payment card details. "
    "We share them with Google Analytics and our service providers. "
    "We keep your data for 30 days after you close your account. "
    "Questions: privacy [at] quokka [dot] com."
)


def assert_same_doc(a, b):
    assert [t.text for t in a] == [t.text for t in b]
    assert [t.whitespace_ for t in a] == [t.whitespace_ for t in b]
    assert [t.is_sent_start for t in a] == [t.is_sent_start for t in b]
    key = policylens.SPANS_KEY
    assert [(s.start, s.end, s.label_, s.id_, s._.attrs) for s in a.spans[key]] == [
        (s.start, s.end, s.label_, s.id_, s._.attrs) for s in b.spans[key]
    ]
    assert [(e.start, e.end, e.label_, e.id_) for e in a.ents] == [(e.start, e.end, e.label_, e.id_) for e in b.ents]


def test_record_round_trip(nlp, tmp_path):
    doc = nlp(TEXT)
    assert {s.label_ for s in doc.spans["policylens"]} == set(policylens.LABELS)
    path = tmp_path / "out.jsonl"
    with JsonlWriter(path) as writer:
        writer.write(doc_to_record(doc, {"id": "p1", "source_path": "x.txt"}))
    (back,) = list(read_docs(path))
    assert_same_doc(doc, back)
    assert back._.meta == {"id": "p1", "source_path": "x.txt"}
    assert doc_to_record(back) == srsly.read_jsonl(path).__next__()


def test_record_fields(nlp):
    record = doc_to_record(nlp(TEXT), {})
    assert set(record) == {"text", "meta", "sents", "spans"}
    for span in record["spans"]:
        assert TEXT[span["start"] : span["end"]] == span["text"]
        assert set(span) == {"start", "end", "label", "text", "id", "attrs"}
        assert "/" in span["id"]


def test_misaligned_span_is_reported():
    record = {"text": "email address", "spans": [{"start": 1, "end": 5, "label": "DATA_TYPE"}]}
    try:
        record_to_doc(record, policylens.blank())
    except RecordError as err:
        assert "1-5" in str(err)
    else:
        raise AssertionError("a span off token boundaries must be refused")


def test_writer_leaves_nothing_on_failure(tmp_path):
    path = tmp_path / "out.jsonl"
    try:
        with JsonlWriter(path) as writer:
            writer.write({"a": 1})
            raise RuntimeError("crash")
    except RuntimeError:
        pass
    assert list(tmp_path.iterdir()) == []
    assert errors_path_for(tmp_path / "a.jsonl").name == "a.errors.jsonl"
