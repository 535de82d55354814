"""The span resolver's shortcuts answer as the plain computations they stand for.

Each shortcut (cue search on folded text, sentence starts read backwards, lemmas read token by
token, parentheses paired with numpy, group-noun neighbourhoods by shifted masks, and the rules
skipped for spans whose neighbours no rule looks at, de-overlapping on arrays) is compared here
with the straightforward version, on sentences written for these tests and on random records.
"""
import bisect
import random
import re

import numpy
import pytest
import spacy
from spacy.strings import get_string_id

from policylens.components.doc_context import DocContext
from policylens.components.first_party import FirstParty, _cue_matches, cue_folded, parentheses
from policylens.components.span_resolver import SpanResolver
from policylens.components.span_overlap import (
    drop_parties_inside,
    filter_records,
    longest_per_label,
    resolve_all,
    resolve_overlaps,
)
from policylens.labels import LABELS

CUES = ["welcome to", "thank you for using", "operated by"]
CUE_RE = re.compile(r"(?i:\b(?:welcome to|thank you for using|operated by))\s+(?:the\s+)?([A-Z]\w+)")


@pytest.fixture(scope="module")
def blank():
    """A blank English pipeline with a sentencizer."""
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    return pipeline


@pytest.mark.parametrize(
    "text",
    [
        "Welcome to Acme. This site is operated by Birch.",
        # re.I matches the Kelvin sign, dotless i and long s with k, i and s.
        "THANK YOU FOR USING Cedar, thanK you for uſing Dune, operated by Elm, WELCOME TO Fir",
        "Ünïcödé “quotes” — welcome to Grove; operated bY Hazel",
        # A dotted capital I lower-cases to two characters: the regex then scans itself.
        "İstanbul: welcome to Juniper, operated by Kestrel",
        "ΣΊΣΥΦΟΣ welcome to Larch",
    ],
)
def test_cue_search_on_folded_text_finds_what_finditer_finds(text):
    folded = cue_folded(text)
    if folded is not None:
        assert len(folded) == len(text)
    expected = [(m.span(), m.group(1)) for m in CUE_RE.finditer(text)]
    assert [(m.span(), m.group(1)) for m in _cue_matches(CUE_RE, text, folded, CUES)] == expected


def test_cue_folded_knows_every_character_that_re_i_matches_with_an_ascii_letter():
    # The characters of the Basic Multilingual Plane (the four known ones are all there).
    letters = re.compile("[a-z]", re.I)
    found = {chr(c) for c in range(0x80, 0x10000) if not 0xD800 <= c < 0xE000 and letters.fullmatch(chr(c))}
    assert found == {"\u0130", "\u0131", "\u017f", "\u212a"}
    for char in found - {"\u0130"}:
        assert cue_folded("x" + char) in ("xi", "xs", "xk")


def test_sentence_start_and_lemmas_answer_as_the_whole_document_arrays(blank):
    sentences = ["We share data with partners.", "Short.", "A " + "very " * 60 + "long sentence."]
    doc = blank(" ".join(sentences * 3))
    for i, token in enumerate(doc):
        token.lemma_ = token.lower_ + "x"
    whole = DocContext(doc)
    for i in range(len(doc)):
        context = DocContext(doc)
        assert context.sentence_start(i) == whole.sentence(i)[0]
        # Near its sentence's start, answered without reading the whole document's starts.
        assert (context._starts is None) == (i - whole.sentence(i)[0] < 40 or i <= 40)
        for back in (0, 1, 12, 25, 70):
            assert DocContext(doc).sentence_start_after(i, i - back) == max(whole.sentence(i)[0], i - back)
            assert context.sentence_start_after(i, i - back) == max(whole.sentence(i)[0], i - back)
    context = DocContext(doc)
    rng = random.Random(5)
    for _ in range(200):
        start = rng.randrange(-2, len(doc))
        end = start + rng.choice([0, 1, 5, 39, 40, 41, 90])
        assert context.lemmas(start, end) == whole.lemma[max(0, start) : end]


def paren_pairs(openings: numpy.ndarray, closes: numpy.ndarray):
    """The reference for ``parentheses``: each "(" with the first ")" after it, within 60 tokens
    (bisections in numpy; what first_party did before ``parentheses``)."""
    after = numpy.searchsorted(closes, openings, side="right")
    closed = after < len(closes)
    opens, ends = openings[closed], closes[after[closed]]
    near = ends - opens <= 60
    return list(zip(opens[near].tolist(), ends[near].tolist()))


def test_paren_pairs_match_each_opening_with_the_next_closing():
    rng = random.Random(3)
    for _ in range(300):
        opens = numpy.array(sorted(rng.sample(range(200), rng.randrange(0, 12))), dtype=numpy.int64)
        closes = numpy.array(sorted(rng.sample(range(200), rng.randrange(1, 12))), dtype=numpy.int64)
        expected = []
        for paren in opens.tolist():
            after = bisect.bisect_right(closes.tolist(), paren)
            if after < len(closes) and closes[after] - paren <= 60:
                expected.append((paren, int(closes[after])))
        assert paren_pairs(opens, closes) == expected
        # The same from a document's LOWER ids (a token is "(" or ")", not both).
        opens = numpy.array(sorted(set(opens.tolist()) - set(closes.tolist())), dtype=numpy.int64)
        lower = numpy.full(200, get_string_id("word"), dtype=numpy.uint64)
        lower[opens] = get_string_id("(")
        lower[closes] = get_string_id(")")
        assert parentheses(lower, lower.tolist()) == paren_pairs(opens, closes)


def test_group_noun_neighbourhoods_are_the_seven_tokens_before_each_noun(blank):
    first_party = FirstParty({"group_nouns": ["affiliates", "group of companies", "entities"]})
    text = "Acme affiliates and the Acme group of companies, its entities. " * 2 + "Nothing here at all."
    doc = blank(text)
    context = DocContext(doc)
    nouns = [i for i, token in enumerate(doc) if token.lower_ in ("affiliates", "group", "entities")]
    expected = sorted({j for noun in nouns for j in range(max(0, noun - 7), noun)})
    assert first_party.before_group_nouns(context) == expected
    assert FirstParty({"group_nouns": []}).before_group_nouns(context) == []
    assert FirstParty({"group_nouns": ["affiliates"]}).before_group_nouns(DocContext(blank("No such word."))) == []


@pytest.mark.parametrize("empty", [False, True])
def test_resolve_overlaps_keeps_what_the_tuple_functions_keep(empty):
    party, data_type = get_string_id("THIRD_PARTY"), get_string_id("DATA_TYPE")
    labels = [get_string_id(label) for label in LABELS]
    rng = random.Random(13)
    for trial in range(300):
        length = rng.randrange(5, 400)
        # Clusters of overlapping records of one label or several among lone records (the
        # cluster path), few or many; now and then a label outside LABELS or an empty record
        # (resolve_all).
        count = rng.choice([3, 199, 200, 350])
        records = []
        for position in range(count):
            start = rng.randrange(length)
            end = min(length, start + rng.choice([1, 1, 2, 3, 4, 7] + ([0] if empty else [])))
            label = rng.choice(labels + ([get_string_id("OTHER")] if trial % 10 == 0 else []))
            records.append((start, end, label, rng.randrange(3), position))
        expected = drop_parties_inside(longest_per_label(records, length), party, data_type)
        for resolve in (resolve_overlaps, resolve_all):
            kept, shown = resolve(records, length, party, data_type)
            assert kept == expected
            assert shown == filter_records(expected, length)


# Sentences where the context rules drop spans, and others where they keep them.
RULE_TEXTS = [
    "We place third-party cookies and use a third party tool. Unauthorized third parties may try to "
    "break in. Our vendors act as independent contractors, and we share data with service providers.",
    "Password protection matters: your password must be strong. Write to our address or to Address: "
    "75 Pine Street. Phone: +1 555 0100. The address must be valid.",
    "You can lodge a complaint with a supervisory authority. Others may see your public profile. We "
    "may disclose your name, age and country to advertisers; by email, telephone or SMS.",
    "The site works in Microsoft Internet Explorer and Google Chrome.\n\nFollow us: Facebook | "
    "Twitter | Instagram\n\nWe use product names and 1 pixel images.",
]


def test_rules_skipped_for_quiet_neighbours_would_have_dropped_nothing(nlp):
    resolver = nlp.get_pipe("span_resolver")
    before = nlp.pipe_names[: nlp.pipe_names.index("span_resolver")]
    with nlp.select_pipes(enable=before):
        plain = [nlp(text) for text in RULE_TEXTS]
        checked = [nlp(text) for text in RULE_TEXTS]
    # A twin whose neighbour word sets hold every word: it runs the rules for every span.
    every_word = frozenset(word for doc in plain for word in DocContext(doc).lower)
    twin = SpanResolver().from_bytes(resolver.to_bytes())
    twin._party_after_words = twin._party_before_words = twin._named_before_words = every_word
    twin._dt_after_words = twin._dt_before_words = every_word
    candidates = resolved = 0
    for doc, twin_doc in zip(plain, checked):
        candidates += len(doc.spans["policylens"])
        resolver(doc)
        twin(twin_doc)
        resolved += len(doc.spans["policylens"])
        assert [(s.start, s.end, s.label, s.id) for s in doc.spans["policylens"]] == [
            (s.start, s.end, s.label, s.id) for s in twin_doc.spans["policylens"]
        ]
        assert [(e.start, e.end, e.label, e.id) for e in doc.ents] == [(e.start, e.end, e.label, e.id) for e in twin_doc.ents]
    assert resolved < candidates  # the rules did drop spans here
