"""The memoized affix regexes answer as the regexes do, stay bounded, and survive saving."""
import pickle
import random
import re

import pytest
import srsly

from policylens.regex_memo import EndDispatch, RegexMemo, needs_non_letter, regex_memo
from policylens.tokenizer import TailSearch

from conftest import SHARED, sample_texts

ALPHABET = "ab.,()'$%1 "


def spans(found):
    if found is None:
        return None
    if isinstance(found, re.Match):
        return found.span()
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


def suffix_strings(texts):
    """Every string spaCy can ask the suffix regex about: each chunk and what is left of it after
    cutting characters off either end (a superset of the tokenizer's questions)."""
    found = set()
    for text in texts:
        for chunk in text.split():
            for start in range(min(len(chunk), 4)):
                for end in range(len(chunk), max(start, len(chunk) - 4), -1):
                    found.add(chunk[start:end])
    return found


def same_search(dispatch, regex, string):
    """The dispatch finds what the regex finds, searching from every position."""
    for pos in range(len(string) + 1):
        assert spans(dispatch(string, pos)) == spans(regex.search(string, pos)), (regex.pattern, string, pos)


EDGE_CASES = [
    "", "\n", ".\n", "x,\n", "a", ".", "..", "a...", "U.S.", "Inc.", "°F.", "°k.", "5km", "5 km", "km", "10MB", "3%",
    "5+", "+", "provider(s)", "PROVIDER(S)", "(s)", "part(ies)", "x(es)", "it's", "IT'S", "’s", "x’S", "—", "a–",
    "“quoted”", "x)", "(x", "[1]", "x\u200b", "\u200b", "©", "x©", "$5", "5$", "5US$", "US$", "日本.", "Ω.", "ÉU.", "é.",
]


def test_end_dispatch_answers_as_the_suffix_regex(nlp):
    pattern = nlp.tokenizer.suffix_search.__self__.pattern
    regex = re.compile(pattern)
    dispatch = EndDispatch.build(pattern)
    assert dispatch is not None
    strings = set(EDGE_CASES) | suffix_strings(sample_texts())
    if (SHARED / "eval").exists():
        strings |= suffix_strings(r["text"] for path in sorted((SHARED / "eval").glob("*.jsonl")) for r in srsly.read_jsonl(path))
    rng = random.Random(5)
    alphabet = "aksmKSTM.,;:()'’%$+-—1° \n\u200b©日Éé"
    strings |= {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(4000)}
    for string in strings:
        assert spans(dispatch(string)) == spans(regex.search(string)), string
    for string in EDGE_CASES + sorted(strings)[:: max(1, len(strings) // 500)]:
        same_search(dispatch, regex, string)
    assert dispatch.search_for("word,")[1] == 4  # "," ends a match of one character: searched from there only


def test_end_dispatch_is_never_wrong_on_random_regexes():
    rng = random.Random(13)
    alphabet = "abZKk\u212a.,-1 \n(ſs"
    strings = [""] + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))) for _ in range(400)]
    built = 0
    for _ in range(600):
        alternatives = [random_regex(rng).rstrip("$") + rng.choice(["$", "$", r"\Z"]) for _ in range(rng.randint(1, 4))]
        pattern = rng.choice(["", "(?i)", "x?"]) + "|".join(alternatives)
        dispatch = EndDispatch.build(pattern)
        if dispatch is None:
            continue
        built += 1
        regex = re.compile(pattern)
        for string in strings:
            assert spans(dispatch(string)) == spans(regex.search(string)), (pattern, string)
            if len(string) > 2:
                assert spans(dispatch(string, 2)) == spans(regex.search(string, 2)), (pattern, string)
    assert built > 200  # many of them are dispatched, not left alone


def test_end_dispatch_leaves_alone_what_it_cannot_prove():
    assert EndDispatch.build(r"a$|b") is None  # "b" need not end the string
    assert EndDispatch.build(r"(?m)a$|b$") is None  # "$" before every newline
    assert EndDispatch.build(r"(a)?b$|\1$") is None  # a group reference
    assert EndDispatch.build(r".$|\w$") is None  # no alternative's last characters are known
    dispatch = EndDispatch.build(r"x*$|\.$")
    assert spans(dispatch("a.")) == (1, 2) and spans(dispatch("ab")) == (2, 2)  # the empty match is kept
    assert spans(EndDispatch.build(r"(?i:k)$|\.$")("\u212a")) == (0, 1)  # the Kelvin sign is "k" ignoring case
    assert EndDispatch.build(r",$|\.$").search_for("a;")[0]("a;") is None  # no alternative ends with ";"
