"""REGEX conditions found for a whole Doc (HashConditions) agree with re.search on every token,
as new strings come with each Doc, and joined regexes rule out strings only when none matches."""
import re

import spacy

from policylens.components.fast_ruler import HashConditions, _any_of

REGEXES = ["^wp_[a-z]+", "^(ga|gid)$", "kie$"]


def test_regex_positions_are_those_of_re_search_per_token_across_docs():
    nlp = spacy.blank("en")
    conditions = [("regex", "LOWER", pattern) for pattern in REGEXES]
    lookup = HashConditions(nlp.vocab, conditions)
    texts = ["the wp_settings and ga cookie", "gid ga GA wp_ x", "a cookie , a Cookie and wp_lang", ""]
    for text in texts * 2:  # the second time every string is known
        doc = nlp.make_doc(text)
        found = lookup.positions(doc.to_array("LOWER"), nlp.vocab.strings)
        expected = {}
        for cond in conditions:
            positions = [token.i for token in doc if re.search(cond[2], token.lower_)]
            if positions:
                expected[cond] = positions
        assert found == expected


def test_joined_regexes_match_when_one_of_them_does():
    joined = _any_of(REGEXES)
    for string in ["wp_lang", "ga", "gax", "cookie", "cookies", "x"]:
        assert bool(joined.search(string)) == any(re.search(pattern, string) for pattern in REGEXES)


def test_regexes_that_cannot_be_joined_are_tried_one_by_one():
    assert _any_of([r"(a)\1", "b"]) is None  # a group reference would point elsewhere
    assert _any_of(["(?i)a", "b"]) is None  # a global flag applies only at the start
    assert _any_of(["a"]) is None  # one regex: nothing to join
