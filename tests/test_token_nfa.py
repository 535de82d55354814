"""The token automata (token_nfa) end where a plain reading of the patterns as regular
expressions over tokens ends, on random patterns and texts, and keep only untracked objects in
their memos."""
import gc
import random

import pytest
import spacy

from policylens.components import token_nfa
from policylens.components.fast_ruler import CompiledTokenPatterns, DocConditions, condition, op_counts, token_tests
from policylens.components.token_nfa import CombinedNFA, TokenNFA, bits_of

WORDS = ["a", "b", "c", "1", "two", ",", "."]
# Pattern tokens: their spaCy form and a plain check of a token for the reference.
TOKENS = [
    ({"LOWER": "a"}, lambda t: t.lower_ == "a"),
    ({"LOWER": "b"}, lambda t: t.lower_ == "b"),
    ({"LOWER": {"IN": ["a", "c"]}}, lambda t: t.lower_ in ("a", "c")),
    ({"LOWER": {"NOT_IN": ["b"]}}, lambda t: t.lower_ != "b"),
    ({"IS_PUNCT": True}, lambda t: t.is_punct),
    ({"LIKE_NUM": True}, lambda t: t.like_num),
    ({}, lambda t: True),
]
OPS = [None, None, "?", "*", "+", "{2}", "{1,3}", "{,2}", "{2,}", "{0,4}"]


def random_pattern(rng, longest=4):
    """A random token pattern: (the spaCy pattern, per token its check)."""
    chosen = [rng.choice(TOKENS) for _ in range(rng.randint(1, longest))]
    pattern = []
    for form, _ in chosen:
        op = rng.choice(OPS)
        pattern.append(dict(form, OP=op) if op else dict(form))
    return pattern, [check for _, check in chosen]


def automaton(pattern, vocab):
    return TokenNFA([token_tests(t, vocab) for t in pattern], [op_counts(t.get("OP")) for t in pattern])


def reference_ends(pattern, checks, doc, start):
    """The ends of the non-empty matches from ``start``, the pattern read as a regular expression:
    each token repeated within its counts, tried every way."""
    counts = [op_counts(t.get("OP")) for t in pattern]
    ends, seen = set(), set()

    def walk(i, pos):  # pattern token i next, at token pos
        if (i, pos) in seen:
            return
        seen.add((i, pos))
        if i == len(pattern):
            if pos > start:
                ends.add(pos)
            return
        low, high = counts[i]
        repeats = 0
        while True:
            if repeats >= low:
                walk(i + 1, pos)
            if (high is not None and repeats == high) or pos == len(doc) or not checks[i](doc[pos]):
                return
            pos += 1
            repeats += 1

    walk(0, start)
    return ends


def random_doc(nlp, rng, longest=14):
    return nlp(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, longest))))


def test_bits_of():
    assert bits_of(0) == []
    assert bits_of(0b101001) == [0, 3, 5]
    assert bits_of(1 << 200 | 1 << 64 | 2) == [1, 64, 200]


def test_single_automaton_ends_as_the_reference():
    nlp = spacy.blank("en")
    rng = random.Random(7)
    matched = 0
    for _ in range(300):
        pattern, checks = random_pattern(rng)
        nfa = automaton(pattern, nlp.vocab)
        for _ in range(3):
            doc = random_doc(nlp, rng)
            conditions = DocConditions(doc, CompiledTokenPatterns(nlp.vocab))
            for start in range(len(doc)):
                expected = reference_ends(pattern, checks, doc, start)
                assert nfa.ends(conditions, start, len(doc)) == expected, (pattern, doc.text, start)
                matched += len(expected)
    assert matched > 1000


@pytest.mark.parametrize("memo_size", [token_nfa.STEP_MEMO_SIZE, 5])
def test_combined_automaton_ends_as_the_reference(monkeypatch, memo_size):
    """Any subset of the patterns from any start: the reference's (pattern, end) pairs, by end then
    pattern, each once; also when the memo starts over every few steps."""
    monkeypatch.setattr(token_nfa, "STEP_MEMO_SIZE", memo_size)
    nlp = spacy.blank("en")
    rng = random.Random(11)
    matched = 0
    for _ in range(60):
        patterns = [random_pattern(rng) for _ in range(rng.randint(1, 7))]
        combined = CombinedNFA([automaton(p, nlp.vocab) for p, _ in patterns])
        for _ in range(4):
            doc = random_doc(nlp, rng)
            conditions = DocConditions(doc, CompiledTokenPatterns(nlp.vocab))
            for start in range(len(doc)):
                subset = tuple(sorted(rng.sample(range(len(patterns)), rng.randint(1, len(patterns)))))
                expected = sorted((end, number) for number in subset
                                  for end in reference_ends(*patterns[number], doc, start))
                found = combined.ends(conditions, start, len(doc), subset)
                assert found == [(number, end) for end, number in expected], (patterns, doc.text, start, subset)
                matched += len(found)
    assert matched > 1000


def test_large_automaton_ends_as_the_reference():
    """Long repetitions: hundreds of states, sets far wider than a machine word."""
    nlp = spacy.blank("en")
    rng = random.Random(5)
    patterns = [
        [{"LOWER": "a"}, {"OP": "{0,40}"}, {"LIKE_NUM": True}],
        [{"LOWER": {"IN": ["a", "c"]}}, {"LOWER": {"NOT_IN": ["b"]}, "OP": "{1,50}"}, {"IS_PUNCT": True}],
        [{"LOWER": "a"}, {"OP": "{0,30}"}, {"LOWER": "b"}, {"OP": "{0,30}"}, {"LOWER": {"IN": ["a", "c"]}, "OP": "{2,}"}],
        [{"OP": "{3,60}"}, {"LOWER": "b"}],
    ]
    by_form = {repr(form): check for form, check in TOKENS}
    checks = [[by_form[repr({k: v for k, v in t.items() if k != "OP"})] for t in p] for p in patterns]
    combined = CombinedNFA([automaton(p, nlp.vocab) for p in patterns])
    assert len(combined.test_of) > 200
    matched = 0
    for _ in range(15):
        doc = random_doc(nlp, rng, longest=90)
        conditions = DocConditions(doc, CompiledTokenPatterns(nlp.vocab))
        for start in range(len(doc)):
            expected = sorted((end, number) for number in range(len(patterns))
                              for end in reference_ends(patterns[number], checks[number], doc, start))
            assert combined.ends(conditions, start, len(doc), (0, 1, 2, 3)) == [(n, e) for e, n in expected]
            matched += len(expected)
    assert matched > 500


def test_memo_is_untracked_after_one_collection():
    """What the automaton remembers while Docs are read holds no object the garbage collector
    keeps tracking after its first look (tracked memo entries filled its oldest generation)."""
    nlp = spacy.blank("en")
    rng = random.Random(3)
    patterns = [random_pattern(rng)[0] for _ in range(6)]
    docs = [random_doc(nlp, rng) for _ in range(30)]
    combined = CombinedNFA([automaton(p, nlp.vocab) for p in patterns])
    was_enabled = gc.isenabled()
    gc.disable()  # one collection, ours, looks at the memo's new objects
    try:
        for doc in docs:
            conditions = DocConditions(doc, CompiledTokenPatterns(nlp.vocab))
            for start in range(len(doc)):
                combined.ends(conditions, start, len(doc), tuple(range(len(patterns))))
        gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    memo = combined._memo
    assert len(memo.steps) > 20
    for table in (memo.number, memo.mask, memo.initial, memo.reads, memo.targets, memo.ended, memo.steps):
        tracked = [item for pair in table.items() for item in pair if gc.is_tracked(item)]
        assert not tracked, tracked[:3]


def test_equal_tests_are_kept_once():
    """Automata of patterns with equal tokens keep one copy of their tests (and string sets)."""
    nlp = spacy.blank("en")
    token = {"LOWER": {"IN": ["days", "weeks", "months"]}}
    first = automaton([{"LOWER": "keep"}, dict(token)], nlp.vocab)
    second = automaton([dict(token, OP="?"), {"IS_PUNCT": True}], nlp.vocab)
    assert first.tests[1] == second.tests[0] and first.ids[1] == second.ids[0]
    assert first.tests[1] is second.tests[0]
    assert first.ids[0] != second.ids[1]


def test_equal_conditions_are_kept_once():
    """The conditions the rulers look up to find starts: one copy for equal pattern tokens."""
    first = condition({"LOWER": {"IN": ["days", "weeks"]}, "OP": "?"})
    second = condition({"LOWER": {"IN": ["weeks", "days"]}})
    assert first == second == ("set", "LOWER", frozenset({"days", "weeks"}))
    assert first is second
    assert condition({"LOWER": {"IN": ["days"]}}) != first
