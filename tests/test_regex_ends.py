"""regex_ends.EndDispatch: the suffix regex's answers, searching only the alternatives that can end the string."""
import random
import re

import srsly

from conftest import SHARED, sample_texts
from policylens.regex_ends import EndDispatch
from test_regex_memo import random_regex, spans


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
