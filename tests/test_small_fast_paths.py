"""The small components' fast paths give what the plain (Token and Span) reading gives.

Each test runs the real pipeline over the bundled sample policies and compares a component's
fast answer with the same rule applied token by token or span by span.
"""
import numpy
import pytest

from policylens.components import contact_emails
from policylens.components.contact_emails import _AT, _CLOSE, _DOT, _MAY_START, _OPEN, candidates_of_codes
from policylens.components.doc_context import DocContext
from policylens.duration import parse_duration, retention_kind
from policylens.extensions import get_attrs
from policylens.labels import RETENTION, SPANS_KEY, THIRD_PARTY

from conftest import sample_texts


@pytest.fixture(scope="module")
def sample_docs(nlp):
    docs = list(nlp.pipe(sample_texts()))
    assert docs and any(len(doc) > 64 for doc in docs)
    return docs


def plain_candidates(codes):
    """``candidates_of_codes`` by its definition, token by token."""
    n = len(codes)
    dots = [j for j in range(n) if codes[j] & _DOT]
    last_dot = dots[-1] if dots else -1
    found = []
    for i in range(n):
        bracketed = i + 3 < n and codes[i + 1] & _OPEN and codes[i + 2] & _AT and codes[i + 3] & _CLOSE
        bare = i + 1 < n and codes[i + 1] & _AT and i + 2 < last_dot
        if codes[i] & _MAY_START or bracketed or bare:
            found.append(i)
    return found


def test_email_candidates_match_their_definition_on_random_codes():
    rng = numpy.random.default_rng(5)
    values = numpy.array([0, 0, 0, _MAY_START, _AT, _DOT, _OPEN, _CLOSE, _MAY_START | _AT], dtype="int8")
    seen = 0
    for _ in range(5000):
        codes = rng.choice(values, size=int(rng.integers(0, 14))).astype("int8")
        found = candidates_of_codes(codes)
        assert found == plain_candidates(codes.tolist()), codes
        seen += len(found)
    assert seen > 1000  # the random codes do make candidates of every kind


def test_email_candidates_on_the_samples(sample_docs):
    for doc in sample_docs:
        codes = contact_emails._TOKEN_CODES(doc)
        assert candidates_of_codes(codes) == plain_candidates(codes.tolist())


def test_retention_attributes_read_the_span_text(sample_docs):
    spans = [s for doc in sample_docs for s in doc.spans[SPANS_KEY] if s.label_ == RETENTION]
    assert spans
    for span in spans:
        attrs = get_attrs(span)
        assert attrs["duration"] == parse_duration(span.text)
        assert attrs["kind"] == retention_kind(span.id_)


def test_third_party_attributes_match_the_span_path(nlp, sample_docs):
    component = nlp.get_pipe("third_party_attributes")
    checked = 0
    for doc in sample_docs:
        spans = sorted((s for s in doc.spans[SPANS_KEY] if s.label_ == THIRD_PARTY), key=lambda s: s.start)
        if not spans:
            continue
        # The plain path: Span objects, their entries looked up one by one.
        entries = {s.start: component.attributes(s) for s in spans}
        categories = component.context.categories(
            spans,
            {start: a["category"] for start, a in entries.items()},
            {start: a["named"] for start, a in entries.items()},
            DocContext(doc),
        )
        for span in spans:
            assert get_attrs(span) == {**entries[span.start], "category": categories[span.start]}
            checked += 1
    assert checked > 20


def test_lemmas_of_long_docs_are_the_lookup_lemmas(nlp, sample_docs):
    lemmatizer = nlp.get_pipe("lemmatizer")
    for doc in sample_docs:
        assert [t.lemma_ for t in doc] == [lemmatizer.lower_lookup_lemmatize(t)[0] for t in doc]
