"""Email detection and tokenization on adversarial text: right answers, work linear in the size.

No timing: work is counted deterministically, as characters the suffix regex is handed
(``TailSearch.examined``) and characters the email component scans (``find(doc, work)``).
"""
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylens.components.contact_emails import normalise_address

LOWER = "abcdefghijklmnopqrstuvwxyz"
WORDS = ["we", "collect", "your", "data", "privacy", "policy", "contact", "email", "us", "write", "or", "please"]
RESERVED = {"at", "dot", "mailto"}
# Runs that look like addresses or markers but can never make a valid one (single-letter TLDs,
# no "dot" word): each is repeated to build hostile stretches.
HOSTILE_UNITS = [".", "@", "[", "(", "<", "{", "]", ")", "}", ">", "@.", ".@", "a@a.", "x@", "a.", "at ",
                 "[at] ", "(at) ", "(at)", "[(<{", "AT ", "@@"]

label = st.text(LOWER + "0123456789", min_size=1, max_size=6).filter(lambda s: s not in RESERVED)
tld = st.text(LOWER, min_size=2, max_size=4).filter(lambda s: s not in RESERVED)


@st.composite
def address_piece(draw):
    """(text as written, normalised address)."""
    local = draw(label)
    labels = draw(st.lists(label, min_size=1, max_size=2)) + [draw(tld)]
    address = f"{local}@{'.'.join(labels)}"
    form = draw(st.sampled_from(["plain", "mailto", "brackets", "parens", "words", "in-token"]))
    if form == "plain":
        text = address
    elif form == "mailto":
        text = "mailto:" + address
    elif form == "brackets":
        text = f"{local} [at] " + " [dot] ".join(labels)
    elif form == "parens":
        text = f"{local} (at) " + " (dot) ".join(labels)
    elif form == "words":
        text = f"{local} at " + " dot ".join(labels)
    else:
        text = f"{local}(at){'.'.join(labels)}"
    return text, address


noise_piece = st.one_of(
    st.sampled_from(WORDS),
    st.builds(lambda unit, n: (unit * n).strip(), st.sampled_from(HOSTILE_UNITS), st.integers(1, 300)),
)


def found(nlp, text, work=None):
    doc = nlp.tokenizer(text)
    return [address for _, _, address, _ in nlp.get_pipe("contact_emails").find(doc, work)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(address_piece(), noise_piece), min_size=1, max_size=30))
def test_finds_exactly_the_addresses_written(nlp, pieces):
    # Every address written in any form is found, in order, and hostile noise adds none.
    text = " ".join(p[0] if isinstance(p, tuple) else p for p in pieces)
    expected = [p[1] for p in pieces if isinstance(p, tuple)]
    assert found(nlp, text) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="a@.[]()<>{} atdoAT\n-_", max_size=3000))
def test_random_hostile_text_work_is_bounded(nlp, text):
    # Whatever the text, every address found is valid and the characters scanned stay within a
    # constant factor of the text (each candidate reads at most a few dozen tokens around it).
    work = {}
    addresses = found(nlp, text, work)
    assert all(normalise_address(a) == a for a in addresses)
    assert work.get("chars", 0) <= 48 * len(text) + 2000


def hostile(unit):
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def mixed(n):
    rng = random.Random(6)
    units = HOSTILE_UNITS + ["a", " ", "dot", " dot ", "mailto:"]
    out, size = [], 0
    while size < n:
        out.append(rng.choice(units))
        size += len(out[-1])
    return "".join(out)[:n]


GENERATORS = {
    "a@a.a.a": lambda n: ("a@" + "a." * n)[:n],
    "a@a.a@a.": hostile("a@a."),
    "dots": hostile("."),
    "brackets": hostile("[(<{"),
    "at words": hostile("a at b [at] c (at) d at "),
    "x@": hostile("x@"),
    "mixed": mixed,
}


def work_for(nlp, text):
    """(characters the suffix regex was handed, characters the email component scanned, addresses)."""
    tokenizer = nlp.tokenizer
    tokenizer._flush_cache()
    tail = tokenizer.suffix_search.__self__
    before = tail.examined
    work = {}
    addresses = found(nlp, text, work)
    return tail.examined - before, work.get("chars", 0), addresses


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_doubling_the_input_at_most_doubles_the_work(nlp, name):
    make = GENERATORS[name]
    regex1, emails1, found1 = work_for(nlp, make(40_000))
    regex2, emails2, found2 = work_for(nlp, make(80_000))
    if name == "mixed":  # random fragments spell addresses now and then ("a at a dot at")
        assert all(normalise_address(a) == a for a in found1 + found2) and found2[: len(found1) // 2] == found1[: len(found1) // 2]
    else:
        assert found1 == found2 == []
    # Linear work doubles; the quadratic affix loop of plain spaCy would quadruple it.
    assert regex2 <= 2.5 * regex1 + 1000
    assert emails2 <= 2.5 * emails1 + 1000
    assert emails2 <= 48 * 80_000


def test_megabyte_of_almost_addresses_with_real_ones_inside(nlp):
    filler = ("a@" + "a." * (1 << 19))[: 1 << 20]  # 1 MB, one address-like run, no valid address
    text = "write to first@example.org or " + filler + " then mid [at] example [dot] net, " + filler[:1000] + " last@example.com"
    regex, emails, addresses = work_for(nlp, text)
    assert addresses == ["first@example.org", "mid@example.net", "last@example.com"]
    assert emails <= 48 * len(text)
    assert regex <= 4 * len(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 1600), st.sampled_from([" ", "\n", "\t", "\u00a0", "  "])), min_size=1, max_size=6),
    st.integers(0, 3),
)
def test_overlong_chunks_are_found_wherever_they_are(runs, lead):
    # The tokenizer finds runs longer than MAX_CHUNK by sampling blocks of the text; it must agree
    # with splitting the whole text, whatever the runs' lengths and places.
    from policylens.tokenizer import MAX_CHUNK, _has_long_chunk

    text = "x" * lead + "".join("a" * length + space for length, space in runs)
    assert _has_long_chunk(text) == (max(map(len, text.split()), default=0) > MAX_CHUNK)


def test_runs_just_over_and_under_max_chunk_at_every_offset():
    from policylens.tokenizer import MAX_CHUNK, _has_long_chunk

    for length in (MAX_CHUNK - 1, MAX_CHUNK, MAX_CHUNK + 1):
        for offset in range(0, 1100, 7):
            text = "w " * (offset // 2) + "y" * (offset % 2) + "a" * length + " tail"
            assert _has_long_chunk(text) == (max(map(len, text.split())) > MAX_CHUNK), (length, offset)
