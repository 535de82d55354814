"""The memoized affix regexes answer as the regexes do, stay bounded, and survive saving."""
import gc
import pickle
import random
import re

import pytest

from policylens.regex_memo import RegexMemo, Spot, needs_non_letter, regex_memo
from policylens.tokenizer import TailSearch

ALPHABET = "ab.,()'$%1 "


def spans(found):
    if found is None:
        return None
    if isinstance(found, (re.Match, Spot)):
        return found.start(), found.end()
    return [m.span() for m in found]


def random_strings(count, longest, seed=7):
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest))) for _ in range(count)]


@pytest.mark.parametrize("method", ["search", "match", "finditer"])
def test_answers_as_the_regex_does(method):
    pattern = r"\(|\)|(?<=[0-9])%|'s|\.\.+|,"
    memo = RegexMemo(pattern, method, size=64, longest=8)
    direct = getattr(re.compile(pattern), method)
    strings = random_strings(2000, 20)
    for string in strings + strings:  # the second time round, short strings come from the memo
        assert spans(memo.call(string)) == spans(direct(string)), string


def test_memo_is_bounded_and_skips_long_strings():
    memo = RegexMemo(r"a$", "search", size=16, longest=4)
    for string in random_strings(500, 4):
        memo.call(string)
    assert memo._memo.cache_info().currsize == 16
    memo._memo.cache_clear()
    memo.call("b" * 5)
    memo.call("a" * 50)
    assert memo._memo.cache_info().currsize == 0


def test_tail_search_hands_a_string_to_the_regex_once():
    tail = TailSearch(r"(?:\)|\.|'s)$")
    assert tail.search("quokka's").span() == (6, 8)
    examined = tail.examined
    assert tail.search("quokka's").span() == (6, 8) and tail.examined == examined
    assert tail.search("x" * 40 + ".").span() == (40, 41)
    assert tail.examined > examined  # longer than the memo keeps: searched again, in its window


def test_pickle_and_wrap_once():
    memo = RegexMemo(r"\d+", "finditer", size=8, longest=3)
    again = pickle.loads(pickle.dumps(memo.call))
    assert isinstance(again.__self__, RegexMemo) and again.__self__.size == 8
    assert spans(again("a12b3")) == [(1, 3), (4, 5)]
    assert regex_memo(memo.call, "finditer").__self__ is memo
    assert regex_memo(None, "search") is None
    wrapped = regex_memo(re.compile(r"x").match, "match")
    assert wrapped.__self__.pattern == "x" and wrapped("xy").span() == (0, 1)
    with pytest.raises(ValueError, match="method must be one of"):
        RegexMemo("x", "sub")


def test_loaded_tokenizer_memoizes_every_affix_regex(nlp):
    fresh = type(nlp.tokenizer)(nlp.vocab).from_bytes(nlp.tokenizer.to_bytes())
    for name in ("prefix_search", "infix_finditer", "url_match"):
        assert isinstance(getattr(fresh, name).__self__, RegexMemo), name
        assert getattr(fresh, name).__self__.pattern == getattr(nlp.tokenizer, name).__self__.pattern
    assert isinstance(fresh.suffix_search.__self__, TailSearch)


def random_regex(rng, depth=0):
    """A random regex over letters, punctuation, classes, repeats, groups, branches and look-arounds."""
    atoms = ["a", "b", "Z", r"\.", ",", "-", "[a-c]", "[^a-z]", r"[\d,]", r"\w", r"\W", r"\d", ".", "[A-Z.]", "K"]
    parts = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.5 or depth > 2:
            part = rng.choice(atoms)
        elif kind < 0.65:
            part = "(?:" + "|".join(random_regex(rng, depth + 1) for _ in range(rng.randint(2, 3))) + ")"
        elif kind < 0.75:
            part = rng.choice(["(?<=", "(?=", "(?<!", "(?!"]) + rng.choice(atoms) + ")"
        elif kind < 0.85:
            part = "(?i:" + random_regex(rng, depth + 1) + ")"
        else:
            part = "(?:" + random_regex(rng, depth + 1) + ")" + rng.choice(["*", "+", "?", "{0,2}", "{1,3}"])
        parts.append(part)
    return "".join(parts) + rng.choice(["", "$"])


def test_needs_non_letter_is_never_wrong():
    rng = random.Random(11)
    letter_strings = ["".join(rng.choice("abcKZkz") for _ in range(rng.randint(1, 6))) for _ in range(300)]
    proven = 0
    for _ in range(1500):
        pattern = random_regex(rng)
        if needs_non_letter(pattern):
            proven += 1
            regex = re.compile(pattern)
            assert not any(regex.search(s) for s in letter_strings), pattern
    assert proven > 200  # the analysis proves something, not only "not sure"


def test_needs_non_letter_cases():
    assert needs_non_letter(r"\.$") and needs_non_letter(r"(?<=[0-9])(?:km|mb)$") and needs_non_letter(r"(?:\.|,)x")
    assert not needs_non_letter(r"a$") and not needs_non_letter(r"x{0,3}") and not needs_non_letter(r"(?:a|\.)")
    assert not needs_non_letter("(?i:\u212a)")  # the Kelvin sign matches "k" when case is ignored
    assert not needs_non_letter(r"[^\W\d_]+") and not needs_non_letter(r"(?<![0-9])") and not needs_non_letter("(")


def test_letter_words_skip_the_regex_and_the_memo(nlp):
    for name in ("prefix_search", "suffix_search", "infix_finditer", "url_match"):
        memo = getattr(nlp.tokenizer, name).__self__
        assert memo.letters_never, name  # every affix and URL needs something besides letters
    memo = RegexMemo(r"\.$", "search", size=8)
    assert memo.call("quokka") is None and memo._memo.cache_info().currsize == 0
    assert memo.call("quokka.").span() == (6, 7) and memo._memo.cache_info().currsize == 1
    assert list(RegexMemo(r"-", "finditer").call("wombat")) == []


@pytest.mark.parametrize("method", ["search", "match", "finditer"])
def test_memo_keeps_places_not_match_objects(method):
    # A memo of re.Match objects (tracked by the garbage collector, each holding its string)
    # made full collections longer; the memo keeps shared Spots and (start, end) pairs instead.
    memo = RegexMemo(r"\.|,", method, size=64)
    strings = ["quokka.", "wombat.", "numbat,", ".x", "no"]
    answers = [memo.call(string) for string in strings]
    kept = gc.get_referents(memo._memo)
    assert not any(isinstance(item, re.Match) for item in kept)
    if method == "finditer":
        assert [[m.span() for m in found] for found in answers] == [[(6, 7)], [(6, 7)], [(6, 7)], [(0, 1)], []]
        # flat tuples of ints: untracked at the collector's first look (a tuple of tuples may not be)
        assert all(all(isinstance(i, int) for i in item) for item in kept if isinstance(item, tuple))
        gc.collect()
        assert not any(gc.is_tracked(item) for item in kept if isinstance(item, tuple))
    elif method == "search":
        assert answers[0] is answers[1] is answers[2] and answers[0].span() == (6, 7)  # one Spot per place
    else:
        assert answers[:3] == [None, None, None] and answers[3].span() == (0, 1)


def test_spot_reads_as_a_match_does_for_spacy():
    found = RegexMemo(r"\)$", "search").call("(s)")
    direct = re.search(r"\)$", "(s)")
    assert (found.start(), found.end(), found.span(), bool(found)) == (direct.start(), direct.end(), direct.span(), True)
    with pytest.raises(IndexError):
        found.start(1)
