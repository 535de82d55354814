"""span_rows: a span group read once per Doc as rows, the same spans a reading of the group gives."""
import gc
import weakref

from spacy.strings import get_string_id
from spacy.tokens import Span

from policylens.components.party_context import Party
from policylens.components.span_rows import assign, label_rows

TEXT = (
    "We share your email address and IP address with service providers and advertising partners. "
    "These service providers keep it for 30 days."
)


def rows_read_from_spans(doc, label):
    """What ``label_rows`` must give: the group's spans of one label, read as Span objects."""
    return [
        (s.start, s.end, s.id, s.start_char, s.end_char)
        for s in doc.spans["policylens"]
        if s.label_ == label
    ]


def test_rows_are_the_spans_of_each_label_in_the_groups_order(nlp):
    doc = nlp(TEXT)
    labels = {s.label_ for s in doc.spans["policylens"]}
    assert {"DATA_TYPE", "THIRD_PARTY", "RETENTION"} <= labels
    for label in labels:
        assert label_rows(doc, "policylens", get_string_id(label)) == rows_read_from_spans(doc, label)
    assert label_rows(doc, "policylens", get_string_id("NO_SUCH_LABEL")) == []
    assert label_rows(doc, "no_such_group", get_string_id("DATA_TYPE")) == []


def test_a_replaced_or_grown_group_is_read_again(nlp):
    doc = nlp(TEXT)
    label = get_string_id("THIRD_PARTY")
    before = label_rows(doc, "policylens", label)
    added = Span(doc, 0, 1, label="THIRD_PARTY", span_id="test/added")
    doc.spans["policylens"].append(added)  # grown in place
    assert label_rows(doc, "policylens", label) == before + [(0, 1, added.id, 0, 2)]
    doc.spans["policylens"] = [added]  # replaced
    assert label_rows(doc, "policylens", label) == [(0, 1, added.id, 0, 2)]
    assert label_rows(doc, "policylens", get_string_id("DATA_TYPE")) == []


def test_assigned_spans_give_the_rows_a_reading_of_the_group_gives(nlp):
    """``assign`` keeps rows made from the records handed over; a fresh read must agree."""
    doc = nlp.make_doc(TEXT)
    labels = ["DATA_TYPE", "THIRD_PARTY", "RETENTION"]
    spans = [
        Span(doc, i, min(len(doc), i + 1 + i % 3), label=labels[i % 3], span_id=f"test/{i % 4}")
        for i in range(0, len(doc), 2)
    ]
    assign(doc, "policylens", [(s.start, s.end, s.label, s.id, s) for s in spans])
    assert list(doc.spans["policylens"]) == spans
    for label in labels:
        assert label_rows(doc, "policylens", get_string_id(label)) == rows_read_from_spans(doc, label)
    # Changed after ``assign``: read again, not the kept rows.
    doc.spans["policylens"].append(Span(doc, 0, 2, label="RETENTION", span_id="test/late"))
    assert label_rows(doc, "policylens", get_string_id("RETENTION")) == rows_read_from_spans(doc, "RETENTION")


def test_kept_rows_do_not_keep_the_doc_alive(nlp):
    doc = nlp(TEXT)
    assert label_rows(doc, "policylens", get_string_id("DATA_TYPE"))
    ref = weakref.ref(doc)
    del doc
    gc.collect()
    assert ref() is None


def test_parties_as_tuples_get_the_categories_spans_get(nlp):
    """The attribute component hands the context rules Party tuples; Spans give the same answers."""
    component = nlp.get_pipe("third_party_attributes")
    from policylens.components.doc_context import DocContext

    doc = nlp(
        "We work with service providers such as Google Analytics. These service providers analyse "
        "usage. We may share data with third parties who help us serve ads. Partners may send you "
        "promotional offers."
    )
    spans = sorted((s for s in doc.spans["policylens"] if s.label_ == "THIRD_PARTY"), key=lambda s: s.start)
    assert len(spans) >= 4
    parties = [Party(s.start, s.end, s.id_) for s in spans]
    base = {s.start: component.attributes(s)["category"] for s in spans}
    named = {s.start: component.attributes(s)["named"] for s in spans}
    from_spans = component.context.categories(spans, base, named, DocContext(doc))
    assert component.context.categories(parties, base, named, DocContext(doc)) == from_spans
    assert [from_spans[s.start] for s in spans] == [s._.category for s in spans]
