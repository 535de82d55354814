"""The shortcuts of first-party detection find what the plain ways find.

``FirstParty.detect`` tries the "Acme is committed to" regex only where a match may start: it
must find exactly what ``finditer`` finds. ``DocContext.text`` joins the document's head: it
must give what ``Span.text_with_ws`` gives.
"""
import random
from pathlib import Path

import spacy
import srsly

from policylens.components.doc_context import DocContext
from policylens.components.first_party import (
    BEFORE_STARTS,
    FirstParty,
    _find_all,
    _matches_at,
    NAME_AT_END_RE,
    NameTest,
    before_starts,
    first_lines,
    name_at_end_start,
)

RULES = Path(__file__).parent.parent / "patterns" / "context_rules.json"
PIECES = [
    "Birchwood Ltd. is committed to your privacy.",
    "The Cedar Group respects your privacy",
    "the Dune app values your privacy,",
    "At Elm & Fir, Inc., we",
    "Garnet Web Services, LLC acts as the controller.",
    "Our team:Harbor is the operator of this site!",
    "  \n\nIvory of Jade and Kelp takes privacy seriously?",
    "theLoom is dedicated",
    "Thermal Maple is committed",
    "We are committed to you.",
    "Oak's 24/7 service is the data controller",
    "\u0130stanbul Pine is committed",
    "x",
    " ",
    # Long names, separators with two runs of white space, and many words before a cue.
    "Alder  of  Birch  &  Cedar  and  Dune  for  Elm  de  Fir is committed",
    "the Alder , Birch , Cedar , Dune , Elm , Fir , Gum is dedicated",
    "Some words here and there before it all, then Holly Ivy Juniper is committed",
    " Kapok Larch is committed and Maple　is committed",
]


def texts(rng, count):
    """Texts joined from the pieces in random order, with random separators."""
    for _ in range(count):
        parts = rng.choices(PIECES, k=rng.randrange(1, 9))
        yield "".join(part + rng.choice(["", " ", "\n", ". ", "  "]) for part in parts)


def test_before_regex_tried_at_its_starts_finds_what_finditer_finds():
    first_party = FirstParty(srsly.read_json(RULES)["first_party"])
    regex = first_party.before_re
    found = 0
    for text in texts(random.Random(5), 600):
        starts = _find_all(text, BEFORE_STARTS) | {0}
        expected = [(m.span(), m.group(1)) for m in regex.finditer(text)]
        assert [(m.span(), m.group(1)) for m in _matches_at(regex, text, starts)] == expected
        # Only the starts a few words before a cue: the same matches.
        cues = _find_all(text, first_party.before_cues)
        assert [(m.span(), m.group(1)) for m in _matches_at(regex, text, before_starts(text, cues))] == expected
        found += len(expected)
    assert found > 100  # the texts do hold names before cues


def test_doc_context_joins_long_stretches_as_spans_do():
    nlp = spacy.blank("en")
    rng = random.Random(9)
    for text in texts(rng, 30):
        doc = nlp(text + " tail\u00a0word  end ")
        while len(doc) <= 60:
            doc = nlp(doc.text + next(texts(rng, 1)))
        context = DocContext(doc)
        for _ in range(40):
            start = rng.randrange(-2, len(doc))
            end = rng.randrange(start, len(doc) + 3)
            expected = doc[max(0, start) : min(len(doc), end)].text_with_ws
            assert context.text(start, end) == expected
        assert context.text(0, len(doc)) == doc.text


def test_tokens_before_group_nouns_are_those_one_to_seven_tokens_before_a_noun():
    first_party = FirstParty(srsly.read_json(RULES)["first_party"])
    nlp = spacy.blank("en")
    firsts = {noun[0] for noun in first_party.group_nouns}
    doc = nlp(
        "Entities of Birchwood and the Birchwood group of companies share data with affiliates, "
        "subsidiaries and partners; the Cedar family of companies and its brands do not."
    )
    expected = sorted(
        {i for i in range(len(doc)) for d in range(1, 8) if i + d < len(doc) and doc[i + d].lower_ in firsts}
    )
    assert expected and expected[-1] < len(doc) - 3  # the last words come after every noun
    assert first_party.before_group_nouns(DocContext(doc)) == expected
    assert first_party.before_group_nouns(DocContext(nlp("No such words here."))) == []


def test_first_lines_are_the_first_lines_with_words():
    rng = random.Random(3)
    for text in texts(rng, 300):
        text = text.replace(". ", rng.choice([".\n", ".\r\n \n", ".\u2028", ". "]))
        for count in (1, 4):
            assert first_lines(text, count) == [line for line in text.splitlines() if line.strip()][:count]


def test_a_name_at_the_end_is_found_from_its_last_words():
    rng = random.Random(4)
    found = 0
    for text in texts(rng, 500):
        # Names of one to seven words, with every kind of separator, at the end.
        words = rng.sample(["Alder", "Birch", "Cedar", "D.U.N.E", "Elm's", "F-r", "24x7", "Gum"], rng.randrange(1, 8))
        # (Half of them with separators of two runs of white space only: the longest names.)
        separators = [" & ", " of ", "  and  "] if rng.random() < 0.5 else [" ", "  ", ", ", "&", " of ", "\u00a0"]
        name = words[0] + "".join(rng.choice(separators) + w for w in words[1:])
        text = text + rng.choice(["", " ", "\n"]) + name + rng.choice(["", " ", ", ", " ,\n", "  ,"])
        expected = NAME_AT_END_RE.search(text)
        got = NAME_AT_END_RE.search(text, name_at_end_start(text))
        assert (got and (got.span(), got.group(1))) == (expected and (expected.span(), expected.group(1)))
        found += expected is not None
    assert found > 100


def names_first_party(span_words: tuple, organization: tuple, names: set, raw: tuple = ()) -> bool:
    """The reference for ``NameTest``: whether a THIRD_PARTY span names the first party, name by name.

    span_words (Words): The span's normalised words.
    organization (Words): The normalised owner of the catalogue entry that matched (or ()).
    names (Set[Words]): The first party's names.
    RETURNS (bool): True when the span is a first-party name, a shorter form of one ("Chase
        Paymentech" for "Chase Paymentech Solutions"), written without spaces differently
        ("Bitrix 24"/"Bitrix24"), or a service the first party itself owns.
    raw (Words): The span's words with common words kept, for aliases such as "Service Provider".
    """
    if raw and raw in names:
        return True
    if not span_words:
        return False
    joined = "".join(span_words)
    for name in names:
        if span_words == name[: len(span_words)] or joined == "".join(name) or organization == name:
            return True
    return False


def test_the_name_test_answers_as_names_first_party():
    rng = random.Random(6)
    vocabulary = ["acme", "labs", "group", "bitrix", "24", "bitrix24", "service", "provider", "a"]

    def words(most):
        return tuple(rng.choice(vocabulary) for _ in range(rng.randrange(0, most + 1)))

    agreed = found = 0
    for _ in range(300):
        names = {words(4) for _ in range(rng.randrange(0, 5))} - {()}
        test = NameTest(names)
        for _ in range(30):
            span, organization, raw = words(3), words(2), words(3)
            expected = names_first_party(span, organization, names, raw)
            assert test(span, organization, raw) == expected
            agreed += 1
            found += expected
    assert 0 < found < agreed  # both answers occur
