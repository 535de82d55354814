"""The span resolver's shortcuts answer as the plain computations they stand for.

Each shortcut (cue search on folded text, sentence starts read backwards, lemmas read token by
token, parentheses paired with numpy, group-noun neighbourhoods by shifted masks, and the rules
skipped for spans whose neighbours no rule looks at) is compared here with the straightforward
version, on sentences written for these tests.
"""
import bisect
import random
import re

import numpy
import pytest
import spacy

from policylens.components.doc_context import DocContext
from policylens.components.first_party import FirstParty, _cue_matches, cue_folded, paren_pairs

CUES = ["welcome to", "thank you for using", "operated by"]
CUE_RE = re.compile(r"(?i:\b(?:welcome to|thank you for using|operated by))\s+(?:the\s+)?([A-Z]\w+)")


@pytest.fixture(scope="module")
def nlp():
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


def test_sentence_start_and_lemmas_answer_as_the_whole_document_arrays(nlp):
    sentences = ["We share data with partners.", "Short.", "A " + "very " * 60 + "long sentence."]
    doc = nlp(" ".join(sentences * 3))
    for i, token in enumerate(doc):
        token.lemma_ = token.lower_ + "x"
    whole = DocContext(doc)
    for i in range(len(doc)):
        context = DocContext(doc)
        assert context.sentence_start(i) == whole.sentence(i)[0]
        # Near its sentence's start, answered without reading the whole document's starts.
        assert (context._starts is None) == (i - whole.sentence(i)[0] < 40 or i <= 40)
    context = DocContext(doc)
    rng = random.Random(5)
    for _ in range(200):
        start = rng.randrange(-2, len(doc))
        end = start + rng.choice([0, 1, 5, 39, 40, 41, 90])
        assert context.lemmas(start, end) == whole.lemma[max(0, start) : end]


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


def test_group_noun_neighbourhoods_are_the_seven_tokens_before_each_noun(nlp):
    first_party = FirstParty({"group_nouns": ["affiliates", "group of companies", "entities"]})
    text = "Acme affiliates and the Acme group of companies, its entities. " * 2 + "Nothing here at all."
    doc = nlp(text)
    context = DocContext(doc)
    nouns = [i for i, token in enumerate(doc) if token.lower_ in ("affiliates", "group", "entities")]
    expected = sorted({j for noun in nouns for j in range(max(0, noun - 7), noun)})
    assert first_party.before_group_nouns(context) == expected
    assert FirstParty({"group_nouns": []}).before_group_nouns(context) == []
    assert FirstParty({"group_nouns": ["affiliates"]}).before_group_nouns(DocContext(nlp("No such word."))) == []
