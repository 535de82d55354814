"""lexeme_attrs: the swapped getters give spaCy's values for every string, and the pipeline uses them."""
import pickle
import random
from functools import partial

import pytest
import spacy
from spacy.lang import lex_attrs as base
from spacy.util import _get_attr_unless_lookup

from conftest import ROOT
from policylens import lexeme_attrs
from policylens.lexeme_attrs import FAST, fast_getters


def _strings():
    """Words of the samples, every character up to U+2FFF alone and in runs, and random strings
    over an alphabet picked to reach the rules' branches (dots, "@", "/", signs, runs, digits of
    other scripts, currency, quotes, newlines, ligatures)."""
    words = set()
    for path in sorted((ROOT / "assets" / "policies").iterdir()):
        words.update(path.read_text(encoding="utf8").split())
    singles = [chr(code) for code in range(1, 0x3000) if not 0xD800 <= code <= 0xDFFF]
    runs = [c * n for c in "xX9.-\n_$!" for n in range(1, 8)]
    alphabet = "aAzZ09.,/@:+-±~$£%'\"«»()[]<>_ \n\t´’“ﬁ٣²½Ⅻ"
    rng = random.Random(5)
    randoms = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(20000)]
    fixed = [
        "http://x", "https://a.b", "www.", "www.x", ".com", "a.com", "x@y.com", "a.b:80/", "a.b/", "1/2", "1/2/3",
        "+5", "±3.5", "~7", "1,000", "twenty", "Twentieth", "21st", "2nd", "st", "FIRST", "x" * 99, "x" * 100,
        "''", "``", "$", "$$", "$a$", "'s", "US$",
    ]
    return sorted(words) + singles + runs + randoms + fixed


STRINGS = _strings()


@pytest.mark.parametrize("original", list(FAST), ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_each_swapped_getter_gives_spacys_value(original):
    fast = FAST[original]
    for text in STRINGS:
        expected, got = original(text), fast(text)
        assert got == expected and type(got) is type(expected), (original.__name__, text)


def test_prefix_and_like_url_fail_on_the_empty_string_as_spacys_do():
    for original in (base.prefix, base.like_url):
        with pytest.raises(IndexError):
            original("")
        with pytest.raises(IndexError):
            FAST[original]("")


def test_the_pipeline_vocab_uses_them(nlp):
    getters = nlp.vocab.lex_attr_getters
    assert not set(getters.values()) & set(FAST)  # every spaCy getter that FAST knows is swapped
    swapped = [g for g in getters.values() if g in set(FAST.values())]
    assert len(swapped) == len(FAST)
    norm = getters[spacy.attrs.NORM]  # the lookups partial keeps its tables, around the fast lower
    assert isinstance(norm, partial) and norm.func is _get_attr_unless_lookup and norm.args[0] is str.lower
    blank = spacy.blank("en")
    for text in ("Data", "’s", "—", "E-mail", "x@y.io", "twelve", "1,000"):
        mine, theirs = nlp.vocab[text], blank.vocab[text]
        assert (mine.norm_, mine.shape_, mine.like_num, mine.is_punct, mine.like_email) == (
            theirs.norm_, theirs.shape_, theirs.like_num, theirs.is_punct, theirs.like_email
        )


def test_unknown_getters_are_kept_and_the_result_pickles():
    def custom(text):
        return text

    class Unhashable:
        __hash__ = None

        def __call__(self, text):
            return False

    odd = Unhashable()
    getters = {1: base.is_alpha, 2: custom, 3: odd, 4: partial(base.is_stop, stops={"a"})}
    swapped = fast_getters(getters)
    assert swapped[1] is str.isalpha and swapped[2] is custom and swapped[3] is odd and swapped[4] is getters[4]
    assert list(swapped) == list(getters)
    swapped_english = fast_getters(spacy.blank("en").vocab.lex_attr_getters)
    assert pickle.loads(pickle.dumps(swapped_english)).keys() == swapped_english.keys()


def test_without_spacys_private_lookup_function_norm_is_kept(monkeypatch):
    norm = spacy.blank("en").vocab.lex_attr_getters[spacy.attrs.NORM]
    assert fast_getters({1: norm})[1] is not norm  # rebuilt around the fast lower
    monkeypatch.setattr(lexeme_attrs, "_get_attr_unless_lookup", None)
    assert fast_getters({1: norm})[1] is norm


def test_a_saved_pipeline_loads_with_them(saved_pipeline):
    loaded = spacy.load(saved_pipeline)
    assert loaded.vocab.lex_attr_getters[spacy.attrs.SHAPE] is lexeme_attrs.word_shape
    assert loaded.vocab.lex_attr_getters[spacy.attrs.LIKE_NUM] is lexeme_attrs.like_num


def test_the_callback_is_registered():
    swap = spacy.util.registry.callbacks.get("policylens.fast_lexeme_attrs.v1")()
    nlp = swap(spacy.blank("en"))
    assert nlp.vocab.lex_attr_getters[spacy.attrs.SHAPE] is lexeme_attrs.word_shape
