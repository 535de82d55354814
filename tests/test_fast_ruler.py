"""The fast span ruler finds exactly the spans of spaCy's span_ruler, for every kind of token pattern."""
import random

import pytest
import spacy
from spacy.tokens import Doc

from conftest import ROOT, sample_texts
from policylens.components.fast_ruler import TokenNFA, op_counts, token_tests, unrolled_slots
from policylens.patterns import data_type_patterns, jsonl_patterns, third_party_patterns

# Token patterns of every kind the compiler tells apart, on a small vocabulary.
WORDS = ["we", "keep", "Keep", "KEEP", "data", "for", "30", "thirty", "days", "day", "a", "the", "(", ")",
         ",", ".", "-", "_", "ga", "wp", "settings", "cookie", "cookies", "and", "or", "x", "Apple", "apple", "'s"]
PATTERNS = [
    [{"LOWER": "keep"}, {"LOWER": "data"}],  # a phrase
    [{"LOWER": {"IN": ["keep", "data"]}}, {"LOWER": "data", "OP": "?"}, {"LOWER": "for", "OP": "{0,2}"}],
    [{"LOWER": "the", "OP": "?"}, {"LOWER": {"IN": ["cookie", "cookies"]}}],  # optional slots before the entry
    [{"ORTH": "Keep"}, {"LOWER": "data"}],  # ORTH with a letter: checked on the match
    [{"ORTH": {"IN": ["Apple", "'s"]}}, {"TEXT": "-", "OP": "?"}],
    [{"LOWER": "Keep"}],  # a LOWER value with upper case matches nothing
    [{"LOWER": "keep"}, {"OP": "{0,3}"}, {"LOWER": "for"}, {"LIKE_NUM": True}, {"LOWER": {"IN": ["days", "day"]}}],
    [{"LIKE_NUM": True}, {"LOWER": {"IN": ["-", "or"]}, "OP": "?"}, {"LIKE_NUM": True, "OP": "?"},
     {"LOWER": {"IN": ["days", "day"]}}],  # starts at a flag
    [{"LOWER": {"REGEX": "^(ga|wp)$"}}, {"ORTH": "_", "OP": "?"}, {"LOWER": "settings", "OP": "?"}],
    [{"ORTH": "_"}, {"ORTH": "_", "OP": "?"}, {"LOWER": {"REGEX": "^ga"}}],
    [{"IS_PUNCT": False, "LOWER": {"NOT_IN": ["and", "or"]}, "OP": "{1,2}"}, {"LOWER": "cookie"}],
    [{"LOWER": "we"}, {"IS_PUNCT": False, "OP": "{0,2}"}, {"LOWER": {"IN": ["keep", "data"]}}],
    [{"LOWER": "we", "OP": "?"}, {"IS_STOP": True}, {"LOWER": "data"}],  # no fixed start: a range
    [{"LOWER": "a"}, {"OP": "*"}, {"LOWER": "x"}],  # unbounded: the Matcher over the whole Doc
    [{"LOWER": "keep"}, {"LOWER": "data", "OP": "!"}, {"LOWER": "for"}],  # "!": the Matcher in stretches
    [{"OP": "?"}, {"LOWER": "x"}],
    # ORTH checks in the slots matched after and before the PhraseMatcher's part
    [{"LOWER": {"IN": ["keep"] + [f"w{i}" for i in range(200)]}}, {"ORTH": {"IN": ["Keep", "Apple"]}}],
    [{"ORTH": {"IN": ["Apple", "KEEP"]}, "OP": "?"}, {"LOWER": "data"}],
    # The same entry chunk and different slots after it: one group, its slots walked as a trie
    # (one pattern ends where the others go on; two are the same pattern with different ids).
    [{"LOWER": {"IN": ["keep"] + [f"w{i}" for i in range(200)]}}, {"LOWER": "data", "OP": "?"}, {"LOWER": "for"}],
    [{"LOWER": {"IN": ["keep"] + [f"w{i}" for i in range(200)]}}, {"LOWER": "data", "OP": "?"}, {"LOWER": "the"},
     {"LOWER": {"IN": ["cookie", "cookies"]}}],
    [{"LOWER": {"IN": ["keep"] + [f"w{i}" for i in range(200)]}}, {"LOWER": "data", "OP": "?"}],
    [{"LOWER": {"IN": ["keep"] + [f"w{i}" for i in range(200)]}}, {"LOWER": "data", "OP": "?"}, {"LOWER": "for"}],
    # A phrase group whose entry chunk is the leading word of anchored patterns: one PhraseMatcher
    # key for both, whichever comes first ("we" above, "the" below).
    [{"LOWER": "we"}, {"LOWER": {"IN": ["keep", "data"]}, "OP": "?"}, {"LOWER": {"IN": ["for"] + [f"w{i}" for i in range(200)]}}],
    [{"LOWER": "we"}, {"LOWER": {"IN": ["keep", "data"]}, "OP": "?"}, {"IS_PUNCT": False, "OP": "{0,2}"}, {"LOWER": "for"}],
    [{"LOWER": "the"}, {"LOWER": {"IN": ["cookie", "cookies"]}, "OP": "?"}, {"IS_PUNCT": False, "OP": "{0,2}"},
     {"LOWER": {"IN": ["days", "day"]}}],
    [{"LOWER": "the"}, {"LOWER": {"IN": ["cookie", "cookies"]}, "OP": "?"}, {"LOWER": {"IN": ["for"] + [f"w{i}" for i in range(200)]}}],
]


def rulers(patterns, factory="policylens_span_ruler", attr="LOWER"):
    """A blank pipeline with spaCy's span ruler and the fast one, with the same patterns."""
    nlp = spacy.blank("en")
    entries = [{"label": "L", "pattern": p, "id": f"p{i}"} for i, p in enumerate(patterns)]
    reference = nlp.add_pipe("span_ruler", name="reference", config={"phrase_matcher_attr": attr, "validate": True})
    fast = nlp.add_pipe(factory, name="fast", config={"phrase_matcher_attr": attr, "validate": True})
    reference.add_patterns(entries)
    fast.add_patterns(entries)
    return nlp, reference, fast


def spans(spans_list):
    return [(s.start, s.end, s.label_, s.id_) for s in spans_list]


def test_random_docs_give_spacys_spans():
    nlp, reference, fast = rulers(PATTERNS)
    rng = random.Random(7)
    total = 0
    for _ in range(400):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 25))]
        doc = Doc(nlp.vocab, words=words)
        expected = spans(reference.match(doc))
        assert spans(fast.match(doc)) == expected, words
        total += len(expected)
    assert total > 500  # the patterns did match, in many ways


def test_patterns_are_compiled_each_way():
    from policylens.components.fast_ruler import CompiledTokenPatterns

    compiled = CompiledTokenPatterns(spacy.blank("en").vocab)
    kinds = [compiled.add(i, "L", "", p) for i, p in enumerate(PATTERNS)]
    assert kinds == ["phrase", "phrase", "phrase", "phrase", "phrase", "never", "anchored", "anchored",
                     "anchored", "anchored", "anchored", "anchored", "anchored", "full", "anchored", "anchored", "phrase", "phrase",
                     "phrase", "phrase", "phrase", "phrase", "phrase", "anchored", "anchored", "phrase"]
    # "we" and "the": the phrase groups' keys are the keys of the anchored patterns' leading words
    shared = set(compiled.phrase_keys) & set(compiled.prefix_keys)
    assert len(shared) == 2
    # The last four (and the one before them) share their PhraseMatcher part and one trie of the
    # slots after it, whose first slot ("data"?) is walked once for the four.
    def patterns_in(node):
        return len(node[0]) + sum(patterns_in(child) for child in node[1].values())

    assert sum(patterns_in(trie.root) for _, trie in compiled.chunked.values()) == kinds.count("phrase")
    group = [trie for _, trie in compiled.chunked.values() if patterns_in(trie.root) == 5]
    assert len(group) == 1 and len(group[0].root[1]) == 2  # "data"?, and "Keep"/"Apple" of the earlier one


@pytest.mark.parametrize("op,counts", [(None, (1, 1)), ("?", (0, 1)), ("*", (0, None)), ("+", (1, None)),
                                       ("{3}", (3, 3)), ("{1,4}", (1, 4)), ("{,2}", (0, 2)), ("{2,}", (2, None)),
                                       ("!", None)])
def test_op_counts(op, counts):
    assert op_counts(op) == counts


def test_unrolled_slots():
    slots = unrolled_slots([{"LOWER": {"IN": ["b", "a", "A"]}, "OP": "{1,2}"}, {"ORTH": {"IN": ["X", "-"]}}])
    assert slots == [(("a", "b"), None, False), (("a", "b"), None, True), (("-", "x"), frozenset({"X", "-"}), False)]
    assert unrolled_slots([{"LOWER": "a", "OP": "+"}]) is None
    assert unrolled_slots([{"LOWER": "A"}]) == []  # can never match


def test_nfa_finds_every_end():
    nlp = spacy.blank("en")
    doc = nlp("keep it it it for")
    pattern = [{"LOWER": "keep"}, {"LOWER": "it", "OP": "{0,2}"}, {"LOWER": "for", "OP": "?"}]
    nfa = TokenNFA([token_tests(t, nlp.vocab) for t in pattern], [op_counts(t.get("OP")) for t in pattern])
    from policylens.components.fast_ruler import CompiledTokenPatterns, DocConditions

    conditions = DocConditions(doc, CompiledTokenPatterns(nlp.vocab))
    assert sorted(nfa.ends(conditions, 0, len(doc))) == [1, 2, 3]
    assert nfa.ends(conditions, 1, len(doc)) == set()


def test_serialisation_and_removal_keep_the_spans():
    nlp, reference, fast = rulers(PATTERNS[:8])
    doc = nlp("We keep data for 30 days and keep the cookies for thirty days .")
    expected = spans(fast.match(doc))
    assert expected == spans(reference.match(doc)) and expected
    nlp2 = spacy.blank("en")
    copy = nlp2.add_pipe("policylens_span_ruler", config={"phrase_matcher_attr": "LOWER"})
    copy.from_bytes(fast.to_bytes())
    assert spans(copy.match(nlp2("We keep data for 30 days and keep the cookies for thirty days ."))) == expected
    assert copy.patterns == fast.patterns
    fast.remove_by_id("p0")
    reference.remove_by_id("p0")
    assert spans(fast.match(doc)) == spans(reference.match(doc)) != expected


def test_project_patterns_give_spacys_spans(nlp):
    """Every token pattern of patterns/, on the sample policies and on shuffled words of them."""
    for name in ("data_type_ruler", "third_party_ruler", "retention_ruler"):
        assert nlp.get_pipe(name).__class__.__name__ == "FastSpanRuler"
    patterns = {
        "data_types": [p for p in data_type_patterns(str(ROOT / "patterns/taxonomy.jsonl"),
                                                     str(ROOT / "patterns/data_types.jsonl")) if isinstance(p["pattern"], list)],
        "third_parties": [p for p in third_party_patterns(str(ROOT / "patterns/third_parties.jsonl"), False,
                                                          str(ROOT / "patterns/third_parties_extra.jsonl")) if isinstance(p["pattern"], list)],
        "retention": [p for p in jsonl_patterns(str(ROOT / "patterns/retention.jsonl")) if isinstance(p["pattern"], list)],
    }
    texts = [path.read_text(encoding="utf8") for path in sorted((ROOT / "assets/policies").glob("*.txt"))]
    rng = random.Random(3)
    words = [w for text in texts for w in text.split()]
    texts += [" ".join(rng.sample(words, 60)) for _ in range(20)]
    docs = list(nlp.pipe(texts, disable=[n for n in nlp.pipe_names if n not in ("sentencizer", "lemmatizer")]))
    for name, entries in patterns.items():
        assert entries, name
        blank = spacy.blank("en", vocab=nlp.vocab)
        reference = blank.add_pipe("span_ruler", name="reference", config={"phrase_matcher_attr": "LOWER"})
        fast = blank.add_pipe("policylens_span_ruler", name="fast", config={"phrase_matcher_attr": "LOWER"})
        reference.add_patterns(entries)
        fast.add_patterns(entries)
        found = 0
        for doc in docs:
            expected = spans(reference.match(doc))
            assert spans(fast.match(doc)) == expected, (name, doc.text[:80])
            found += len(expected)
        assert found, name


def test_combined_automaton_gives_each_patterns_ends():
    """Patterns run as one automaton end where each one's own automaton ends, for any subset."""
    from policylens.components.fast_ruler import CompiledTokenPatterns, DocConditions
    from policylens.components.token_nfa import CombinedNFA

    nlp = spacy.blank("en")
    doc = nlp("keep it it for 30 days and keep it for days")
    patterns = [
        [{"LOWER": "keep"}, {"LOWER": "it", "OP": "{0,2}"}, {"LOWER": "for", "OP": "?"}],
        [{"LOWER": "keep"}, {"LOWER": "it", "OP": "{0,2}"}, {"LOWER": "for"}, {"LIKE_NUM": True, "OP": "?"},
         {"LOWER": "days"}],
        [{"LOWER": "keep"}, {"IS_PUNCT": False, "OP": "{1,3}"}],
    ]
    nfas = [TokenNFA([token_tests(t, nlp.vocab) for t in p], [op_counts(t.get("OP")) for t in p]) for p in patterns]
    combined = CombinedNFA(nfas)
    conditions = DocConditions(doc, CompiledTokenPatterns(nlp.vocab))
    for start in (0, 7, 3):
        for subset in [(0,), (1,), (2,), (0, 1), (0, 1, 2)]:
            expected = sorted((number, end) for number in subset for end in nfas[number].ends(conditions, start, len(doc)))
            assert sorted(combined.ends(conditions, start, len(doc), subset)) == expected
    # every pattern matches from the first "keep", in more than one way for two of them
    assert {number for number, _ in combined.ends(conditions, 0, len(doc), (0, 1, 2))} == {0, 1, 2}
    assert len(combined.ends(conditions, 0, len(doc), (0, 1, 2))) > 5


def test_no_warning_and_no_warning_filter_change(nlp, monkeypatch):
    """The rulers warn nothing on ordinary text and leave the process's warning filters alone
    (``catch_warnings`` per Doc would race between threads sharing the ruler)."""
    import warnings

    texts = sample_texts()
    not_rulers = [name for name in nlp.pipe_names if not name.endswith("_ruler")]
    filter_changes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        original = warnings.filterwarnings
        monkeypatch.setattr(warnings, "filterwarnings", lambda *a, **k: filter_changes.append(a) or original(*a, **k))
        with nlp.select_pipes(disable=not_rulers):
            docs = list(nlp.pipe(texts))
        monkeypatch.undo()
    assert sum(len(doc.spans.get("policylens", [])) for doc in docs) > 50
    assert [str(w.message) for w in caught] == []
    assert filter_changes == []
