"""spaCy's English lexeme attribute getters, computed the same way with less Python work.

The first time a pipeline meets a word, spaCy makes its lexeme and calls every lexeme attribute
getter of the vocabulary on the text (``Vocab._new_lexeme``: ``like_num``, ``word_shape``,
``like_url``, ``is_ascii``...). One pass over ../shared/eval (350k tokens) meets ~8,000 new
words; a lexeme took ~11 µs, two thirds of it in the getters: about a fifth of the tokenizer's
time, and work that every worker of ``--n-process`` does again for the words the others have met.

``fast_getters`` swaps each of spaCy's own getter functions that it knows for one here that
returns the same value (the same bool or str) for every string: C methods of ``str`` where one
does exactly the getter's work, sets instead of tuples, and for the slow ones a short answer for
the common case (a plain word; a string without a dot cannot be like a URL unless it starts with
``http://``) and spaCy's own function for the rest. Getters it does not know (a language's
partials such as ``is_stop`` and ``NORM``'s lookups, flags that components add) are kept.
``tests/test_lexeme_attrs.py`` compares every swapped getter with spaCy's on the words of the
samples, on every character up to U+2FFF and on random strings.

The swap happens when the pipeline is made, through the ``[nlp.after_creation]`` callback
``policylens.fast_lexeme_attrs.v1`` of ``configs/config.cfg``, before any lexeme exists.
"""
from functools import partial
from operator import itemgetter
from typing import Callable, Dict

import spacy.util
from spacy.lang import lex_attrs as base
from spacy.lang.en import lex_attrs as english
from spacy.language import Language
from spacy.util import registry

# Private names of spaCy 3.8: where another version lacks them, the getters that need them are
# kept as spaCy's (``like_num``; the fast ``lower`` inside ``NORM``'s lookups partial).
_get_attr_unless_lookup = getattr(spacy.util, "_get_attr_unless_lookup", None)
_NUMBER_WORD_LISTS = (getattr(english, "_num_words", None), getattr(english, "_ordinal_words", None))
_NUMBER_WORDS = frozenset().union(*_NUMBER_WORD_LISTS) if all(_NUMBER_WORD_LISTS) else None
_QUOTES = frozenset(('"', "'", "`", "«", "»", "‘", "’", "‚", "‛", "“", "”", "„", "‟", "‹", "›", "❮", "❯", "''", "``"))
_LEFT_PUNCT = frozenset(("(", "[", "{", "<", '"', "'", "«", "‘", "‚", "‛", "“", "„", "‟", "‹", "❮", "``"))
_RIGHT_PUNCT = frozenset((")", "]", "}", ">", '"', "'", "»", "’", "”", "›", "❯", "''"))
_BRACKETS = frozenset(("(", ")", "[", "]", "{", "}", "<", ">"))
_URL_STARTS = ("http://", "https://")


def is_currency(text: str) -> bool:
    """spaCy's ``is_currency``: every character is a currency symbol ("Sc"; in ASCII only "$")."""
    if text.isascii():
        return not text.strip("$")
    return base.is_currency(text)


def like_num(text: str) -> bool:
    """spaCy's English ``like_num``. A word of letters alone is like a number when it is a
    number word or an ordinal (nothing else of the rule applies to letters)."""
    if text.isalpha():
        return text.lower() in _NUMBER_WORDS
    return english.like_num(text)


def like_url(text: str) -> bool:
    """spaCy's ``like_url``. A string without a dot is like a URL only when it starts with
    "http://" or "https://" (the rule's every other branch needs a dot)."""
    if text and "." not in text and not text.startswith(_URL_STARTS):
        return False
    return base.like_url(text)


def like_email(text: str) -> bool:
    """spaCy's ``like_email``: its pattern needs an "@"."""
    return "@" in text and base.like_email(text)


def word_shape(text: str) -> str:
    """spaCy's ``word_shape``: "X", "x", "d" for upper, lower case letters and digits, other
    characters as they are, at most four of a run, "LONG" from 100 characters. An ASCII word in
    lower case, title case or capitals is answered from its length."""
    if text.isascii() and text.isalpha() and len(text) < 100:
        if text.islower():
            return "xxxx"[: len(text)]
        if text.isupper():
            return "XXXX"[: len(text)]
        if text[0].isupper() and text[1:].islower():
            return "X" + "xxxx"[: len(text) - 1]
    return base.word_shape(text)


def is_quote(text: str) -> bool:
    """spaCy's ``is_quote``."""
    return text in _QUOTES


def is_left_punct(text: str) -> bool:
    """spaCy's ``is_left_punct``."""
    return text in _LEFT_PUNCT


def is_right_punct(text: str) -> bool:
    """spaCy's ``is_right_punct``."""
    return text in _RIGHT_PUNCT


def is_bracket(text: str) -> bool:
    """spaCy's ``is_bracket``."""
    return text in _BRACKETS


# spaCy's getter -> the one that replaces it. The str methods do what spaCy's one-line
# functions do (``lower(string)`` is ``string.lower()``...) without a Python frame.
FAST: Dict[Callable, Callable] = {
    base.lower: str.lower,
    base.prefix: itemgetter(0),
    base.suffix: itemgetter(slice(-3, None)),
    base.is_alpha: str.isalpha,
    base.is_digit: str.isdigit,
    base.is_lower: str.islower,
    base.is_space: str.isspace,
    base.is_title: str.istitle,
    base.is_upper: str.isupper,
    base.is_ascii: str.isascii,
    base.is_currency: is_currency,
    base.like_email: like_email,
    base.like_url: like_url,
    base.word_shape: word_shape,
    base.is_quote: is_quote,
    base.is_left_punct: is_left_punct,
    base.is_right_punct: is_right_punct,
    base.is_bracket: is_bracket,
}
if _NUMBER_WORDS is not None:
    FAST[english.like_num] = like_num


def fast_getters(getters: Dict[int, Callable]) -> Dict[int, Callable]:
    """The getters with each of spaCy's that ``FAST`` knows replaced, also inside the partial
    that looks a string up in tables before calling a getter (``NORM``: ``util.add_lookups``).

    getters (Dict[int, Callable]): Attribute id -> getter, as ``Vocab.lex_attr_getters``.
    RETURNS (Dict[int, Callable]): A new dict, in the same order.
    """
    return {attr: _fast(getter) for attr, getter in getters.items()}


def _fast(getter: Callable) -> Callable:
    lookups = _get_attr_unless_lookup is not None and isinstance(getter, partial) and getter.func is _get_attr_unless_lookup
    if lookups and getter.args:
        return partial(_get_attr_unless_lookup, _fast(getter.args[0]), *getter.args[1:], **getter.keywords)
    try:
        return FAST.get(getter, getter)
    except TypeError:  # an unhashable callable: not one of spaCy's functions
        return getter


@registry.callbacks("policylens.fast_lexeme_attrs.v1")
def create_fast_lexeme_attrs() -> Callable[[Language], Language]:
    """The ``[nlp.after_creation]`` callback: the new pipeline's vocabulary computes lexeme
    attributes with ``fast_getters``. RETURNS (Callable[[Language], Language]): The callback."""

    def swap(nlp: Language) -> Language:
        nlp.vocab.lex_attr_getters = fast_getters(nlp.vocab.lex_attr_getters)
        return nlp

    return swap
