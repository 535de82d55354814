"""The span resolver's and the party categoriser's fast paths give what the spaCy calls they replace give.

The resolver de-overlaps tuples instead of Spans, writes ``doc.ents`` through ``Doc.from_array``
and ``Doc.set_ents``, joins token texts itself and tries the intro regexes only where a cue
starts. Each is compared here with the plain spaCy or ``re`` call, on sentences written for these
tests and on random spans over them.
"""
import random
import re

import numpy
import pytest
import spacy
from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.tokens import Span
from spacy.util import filter_spans

from policylens.components.doc_context import DocContext
from policylens.components.first_party import _cue_matches
from policylens.components.span_overlap import filter_records, set_ents

TEXT = (
    "Welcome to Pinewood Labs. We share your e-mail address with payment processors, "
    "analytics vendors and (in some cases) our affiliates.\n\nYou can reach us at the address "
    "below; we don't sell data.  Thank you for using Pinewood!"
)
LABELS = ("DATA_TYPE", "THIRD_PARTY", "CONTACT_EMAIL", "RETENTION")


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("en")


def random_spans(doc, rng, count, empty=True):
    """Spans of random extent, label, rule id and knowledge-base id (empty spans included if ``empty``)."""
    spans = []
    for _ in range(count):
        start = rng.randrange(len(doc))
        end = min(len(doc), start + rng.choice([0, 1, 1, 2, 3, 5] if empty else [1, 1, 2, 3, 5]))
        span_id = rng.choice(["", "contact.email/a", "generic.third_parties/b"])
        spans.append(Span(doc, start, end, label=rng.choice(LABELS), span_id=span_id, kb_id=rng.choice(["", "Q1"])))
    return spans


def records(spans):
    return [(s.start, s.end, s.label, s.id, s) for s in spans]


def test_filter_records_keeps_what_filter_spans_keeps(blank):
    doc = blank(TEXT)
    rng = random.Random(7)
    for trial in range(400):
        # Without empty spans the runs of overlapping spans are resolved one by one.
        spans = random_spans(doc, rng, rng.randrange(1, 25), empty=trial % 2 == 0)
        expected = [(s.start, s.end, s.label, s.id) for s in filter_spans(spans)]
        assert [r[:4] for r in filter_records(records(spans), len(doc))] == expected


def test_set_ents_sets_what_the_ents_setter_sets(blank):
    rng = random.Random(11)
    columns = [ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID]
    for _ in range(100):
        by_setter, by_records = blank(TEXT), blank(TEXT)
        # Entities set before (as by an earlier component) leave ids on tokens that the new
        # view leaves outside; both ways must keep them.
        for doc in (by_setter, by_records):
            doc.ents = filter_spans(random_spans(doc, random.Random(3), 6))
        spans = random_spans(by_setter, rng, rng.randrange(0, 20))
        by_setter.ents = filter_spans(spans)
        twins = [Span(by_records, s.start, s.end, label=s.label, span_id=s.id, kb_id=s.kb_id) for s in spans]
        set_ents(by_records, filter_records(records(twins), len(by_records)))
        assert numpy.array_equal(by_setter.to_array(columns), by_records.to_array(columns))


def test_doc_context_joins_text_as_spans_do(blank):
    doc = blank(TEXT)
    context = DocContext(doc)
    for start in range(len(doc)):
        for end in range(start, min(len(doc), start + 8) + 1):
            assert context.text(start, end) == doc[start:end].text_with_ws
            assert context.span_text(start, end) == doc[start:end].text


def test_cue_matches_finds_what_finditer_finds():
    regex = re.compile(r"(?i:\b(?:welcome to|thank you for using|operated by))\s+(?:the\s+)?([A-Z]\w+)")
    cues = ["welcome to", "thank you for using", "operated by"]
    texts = [
        TEXT,
        "WELCOME TO Acme, welcome to acme, Welcome To Birch welcome toWelcome to Cedar",
        "unwelcome to Acme; site operated by The Dune operated by Elm",
        "Nothing to see here.",
    ]
    for text in texts:
        expected = [(m.span(), m.group(1)) for m in regex.finditer(text)]
        assert [(m.span(), m.group(1)) for m in _cue_matches(regex, text, text.lower(), cues)] == expected
        # Without the lower-cased text (non-ASCII input) the regex scans the text itself.
        assert [(m.span(), m.group(1)) for m in _cue_matches(regex, text, None, cues)] == expected


def test_party_context_text_is_the_lower_cased_words(nlp):
    doc = nlp.make_doc(TEXT)
    party_context = nlp.get_pipe("third_party_attributes").context
    context = DocContext(doc)
    for start in range(-2, len(doc)):
        for end in (start - 1, start + 1, start + 4, len(doc) + 2):
            # As doc[first:end] for the first token at or after ``start`` (nothing when end < start).
            first = max(0, start)
            words = [doc[i].lower_ for i in range(first, min(len(doc), end))]
            assert party_context._text(context, start, end) == " " + " ".join(words) + " "


def test_word_cues_find_what_the_phrase_regexes_find(nlp):
    """The id test of the span and sentence cues answers as the regexes on the joined words."""
    party_context = nlp.get_pipe("third_party_attributes").context
    text = (
        "Partners may send promotional offers unless you opt out. Other companies show "
        "interest-based ads, and some opt-in programs are co-branded with us.\n\nWe keep "
        "records  for billing and e-mail support."
    )
    doc = nlp.make_doc(text)
    context = DocContext(doc)
    for res, words in (
        (party_context._sentence_res, party_context._sentence_words),
        (party_context._span_res, party_context._span_words),
    ):
        assert words is not None  # the shipped cues are all plain words
        for start in range(len(doc)):
            for end in range(start, min(len(doc), start + 12) + 1):
                expected = party_context._cue(party_context._text(context, start, end), res)
                assert party_context._cue_in(context, start, end, res, words) == expected
