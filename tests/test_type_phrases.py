"""TypePhrases finds the matches of spaCy's PhraseMatcher, and the ruler's batch path the spans of its Doc path."""
import gc
import random

import numpy
import pytest
import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from policylens.components.type_phrases import EdgeTable, TypePhrases
from test_fast_ruler import PATTERNS, WORDS, rulers

# Words in several cases, so that LOWER and ORTH tell them apart.
VOCAB = ["we", "We", "WE", "share", "Share", "data", "with", "partners", "Partners", "the", ",", ".", "-", "x"]


def random_sequences(rng, count):
    """Word sequences of one to four words, some prefixes of others, some repeated."""
    found = []
    for _ in range(count):
        if found and rng.random() < 0.3:  # a longer or shorter form of an earlier sequence
            base = rng.choice(found)
            words = base[: rng.randint(1, len(base))] + tuple(rng.choice(VOCAB) for _ in range(rng.randint(0, 2)))
        else:
            words = tuple(rng.choice(VOCAB) for _ in range(rng.randint(1, 4)))
        found.append(words)
    return found


def phrase_matcher_hits(vocab, attr, keyed, doc):
    """(key, start, end) of spaCy's PhraseMatcher with the same sequences under the same keys."""
    matcher = PhraseMatcher(vocab, attr=attr)
    for key, sequences in keyed.items():
        matcher.add(vocab.strings[key], [Doc(vocab, words=list(words)) for words in sequences])
    return {(key, start, end) for key, start, end in matcher(doc)}


def flattened(keys_of, groups):
    found = [(key, s, e) for keys, starts, ends in groups for key in keys for s, e in zip(starts, ends)]
    assert all(keys in keys_of for keys, _, _ in groups)
    assert len(found) == len(set(found))  # each match once per key, as the PhraseMatcher
    return set(found)


@pytest.mark.parametrize("attr", ["LOWER", "ORTH"])
def test_random_sequences_match_as_in_the_phrase_matcher(attr):
    rng = random.Random(11)
    nlp = spacy.blank("en")
    total = 0
    for _ in range(30):
        keyed = {}
        phrases = TypePhrases(nlp.vocab, attr)
        for number in range(rng.randint(1, 5)):
            key = nlp.vocab.strings.add(f"key{number}")
            sequences = random_sequences(rng, rng.randint(1, 12))
            if attr == "LOWER":  # the ruler adds lower-case words; a PhraseMatcher pattern Doc lowers them too
                sequences = [tuple(w.lower() for w in words) for words in sequences]
            keyed[key] = sequences
            phrases.add(key, sequences)
        # A batch, with an empty Doc and Docs that end in the middle of a sequence
        docs = [Doc(nlp.vocab, words=[rng.choice(VOCAB) for _ in range(rng.randint(1, 40))]) for _ in range(5)]
        docs.insert(2, Doc(nlp.vocab, words=[]))
        keys_of, groups = phrases.find_batch(docs)
        assert len(groups) == len(docs)
        for doc, doc_groups in zip(docs, groups):
            expected = phrase_matcher_hits(nlp.vocab, attr, keyed, doc) if len(doc) else set()
            assert flattened(keys_of, doc_groups) == expected, [t.text for t in doc]
            assert flattened(*phrases.find(doc)) == expected
            total += len(expected)
    assert total > 200


def test_no_sequences_no_matches():
    nlp = spacy.blank("en")
    keys_of, groups = TypePhrases(nlp.vocab).find_batch([nlp("we share data")])
    assert groups == [[]]


def test_ruler_pipe_gives_the_spans_of_one_doc_at_a_time():
    nlp, reference, fast = rulers(PATTERNS)
    rng = random.Random(5)
    docs = [Doc(nlp.vocab, words=[rng.choice(WORDS) for _ in range(rng.randint(0, 30))]) for _ in range(150)]
    expected = [sorted((s.start, s.end, s.label_, s.id_) for s in reference.match(doc)) if len(doc) else [] for doc in docs]
    for batch_size in (1, 7, 64):
        copies = [Doc(nlp.vocab, words=[t.text for t in doc]) for doc in docs]
        done = list(fast.pipe(copies, batch_size=batch_size))
        assert len(done) == len(docs)
        got = [sorted((s.start, s.end, s.label_, s.id_) for s in doc.spans.get(fast.key, [])) for doc in done]
        assert got == expected
    assert sum(len(spans) for spans in expected) > 300


PHRASES = ["we share", "We share", "Share data", "data", "partners", "the partners", "share data with partners",
           "WE", "x - x", "Partners ."]


@pytest.mark.parametrize("attr", [None, "ORTH", "TEXT", "LOWER"])
def test_phrase_patterns_on_text_attributes_give_spacys_spans(attr):
    nlp = spacy.blank("en")
    entries = [{"label": f"L{i % 3}", "pattern": p, "id": f"p{i % 4}"} for i, p in enumerate(PHRASES)]
    entries.append({"label": "T", "pattern": [{"LOWER": "share"}, {"LOWER": "data", "OP": "?"}]})
    reference = nlp.add_pipe("span_ruler", name="reference", config={"phrase_matcher_attr": attr})
    fast = nlp.add_pipe("policylens_span_ruler", name="fast", config={"phrase_matcher_attr": attr})
    reference.add_patterns(entries)
    fast.add_patterns(entries)
    assert fast.phrases is not None and len(fast.phrases)
    rng = random.Random(3)
    docs = [Doc(nlp.vocab, words=[rng.choice(VOCAB) for _ in range(rng.randint(1, 30))]) for _ in range(200)]

    def check(reference, fast):
        expected = [[(s.start, s.end, s.label_, s.id_) for s in reference.match(doc)] for doc in docs]
        assert [[(s.start, s.end, s.label_, s.id_) for s in fast.match(doc)] for doc in docs] == expected
        copies = list(fast.pipe([Doc(nlp.vocab, words=[t.text for t in doc]) for doc in docs], batch_size=16))
        assert [sorted((s.start, s.end, s.label_, s.id_) for s in doc.spans[fast.key]) for doc in copies] == [sorted(e) for e in expected]
        return sum(len(e) for e in expected)

    assert check(reference, fast) > 200
    reference.remove("L1")
    fast.remove("L1")
    assert check(reference, fast) > 100
    copy = spacy.blank("en").add_pipe("policylens_span_ruler", config={"phrase_matcher_attr": attr})
    copy.from_bytes(fast.to_bytes())
    assert check(reference, copy) > 100


def test_edge_table_finds_every_key_and_nothing_else():
    rng = random.Random(2)
    for count in (0, 1, 5, 300, 5000):
        keys = rng.sample(range(0, 10 ** 12), count) + list(range(count))  # spread and dense keys
        keys = list(dict.fromkeys(keys))
        table = EdgeTable(keys, [i * 7 for i in range(len(keys))])
        queries = keys + [rng.randrange(0, 10 ** 12) for _ in range(2000)]
        expected = {key: i * 7 for i, key in enumerate(keys)}
        got = table.children(numpy.asarray(queries, dtype="int64")).tolist()
        assert got == [expected.get(q, -1) for q in queries]



def test_groups_hold_nothing_the_collector_keeps_tracking():
    # The groups live as long as a batch; made of ints and tuples of them only, the collector
    # stops tracking them when it first sees them, so they do not pile up in its oldest generation.
    nlp = spacy.blank("en")
    phrases = TypePhrases(nlp.vocab, "LOWER")
    phrases.add(nlp.vocab.strings.add("K"), [("share", "data"), ("data",)])
    _, groups = phrases.find_batch([nlp("we share data and data"), nlp("data")])
    gc.collect()
    gc.collect()  # a tuple is untracked once its items are: a collection per level at worst
    (keys, starts, ends), = groups[0]
    assert sorted(zip(starts, ends)) == [(1, 3), (2, 3), (4, 5)] and len(groups[1]) == 1
    assert not any(gc.is_tracked(group) for doc_groups in groups for group in doc_groups)
