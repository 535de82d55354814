"""spaCy's rule-based sentencizer, computed on arrays of token attributes instead of token by token.

spaCy's ``sentencizer`` walks the Doc in Python, making a Token object per token: on real
policies that cost more than the rulers' phrase matching. The rule is the same here:

- the first token starts a sentence;
- after a token whose text is one of ``punct_chars`` ("." "!" "?" ...), the next token that is
  neither punctuation (``is_punct``) nor one of ``punct_chars`` starts the next sentence
  (so closing quotes and brackets stay with the sentence they end).

Token i > 0 thus starts a sentence when it is a word (not punctuation) and a ``punct_chars``
token comes after the last word before it. That is two running maxima over the Doc's ORTH and
IS_PUNCT arrays, and one ``Doc.from_array``. ``tests/test_sentencizer.py`` checks the
boundaries against spaCy's sentencizer.
"""
from typing import Callable, Iterable, List, Optional, Tuple

import numpy
from spacy.attrs import IS_PUNCT, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.pipeline.senter import senter_score
from spacy.strings import get_string_id
from spacy.tokens import Doc

# SENT_START values as Doc.to_array gives them: 1 starts a sentence, -1 does not (as uint64).
_START = numpy.uint64(1)
_INSIDE = numpy.array(-1, dtype="int64").astype("uint64")
# Docs up to this many tokens are cheaper to do token by token (the rulers' phrase patterns are
# Docs of a few tokens that pass through the components before the ruler when they are added).
SHORT_DOC = 64


class ArraySentencizer(Sentencizer):
    """spaCy's Sentencizer (same config, serialisation and boundaries), on token arrays."""

    def _punct_hashes(self, doc: Doc) -> Tuple[numpy.ndarray, bool]:
        """The sorted ORTH hashes of ``punct_chars``, and whether every one of them is punctuation
        (``is_punct``) in the Doc's language (recomputed when the set changes).

        doc (Doc): A Doc of the pipeline (for its language's lexical attributes).
        RETURNS (Tuple[numpy.ndarray, bool]): The hashes, and whether all are punctuation.
        """
        chars = frozenset(self.punct_chars)
        if getattr(self, "_hashed_chars", None) != chars:
            is_punct = doc.vocab.lex_attr_getters.get(IS_PUNCT)
            self._hashed_chars = chars
            self._hashes = numpy.asarray(sorted(get_string_id(c) for c in chars), dtype="uint64")
            self._all_punct = is_punct is not None and all(is_punct(c) for c in chars)
        return self._hashes, self._all_punct

    def starts(self, doc: Doc) -> numpy.ndarray:
        """Which tokens start a sentence, by spaCy's sentencizer rule.

        doc (Doc): The document.
        RETURNS (numpy.ndarray): Booleans, one per token.
        """
        n = len(doc)
        if not n:
            return numpy.zeros(0, dtype=bool)
        values = doc.to_array([ORTH, IS_PUNCT])
        hashes, all_punct = self._punct_hashes(doc)
        is_punct = values[:, 1] != 0
        if all_punct:  # only punctuation tokens can be one of punct_chars: look only at those
            is_char = numpy.zeros(n, dtype=bool)
            punct = numpy.flatnonzero(is_punct)
            is_char[punct] = numpy.isin(values[punct, 0], hashes)
        else:
            is_char = numpy.isin(values[:, 0], hashes)
        is_word = ~(is_char | is_punct)
        positions = numpy.arange(n)
        # For each token, the last punct_chars token and the last word strictly before it.
        last_char = numpy.maximum.accumulate(numpy.where(is_char, positions, -1))
        last_word = numpy.maximum.accumulate(numpy.where(is_word, positions, -1))
        starts = numpy.zeros(n, dtype=bool)
        starts[1:] = is_word[1:] & (last_char[:-1] > last_word[:-1])
        starts[0] = True
        return starts

    def predict(self, docs: Iterable[Doc]) -> list:
        """The sentence starts of each Doc (``starts``), without changing the Docs. Docs of at most
        ``SHORT_DOC`` tokens (a pattern, a heading) go through spaCy's own loop, which costs less
        than the array operations on so few tokens.

        docs (Iterable[Doc]): The documents.
        RETURNS (list): Booleans per token (a list or an array), per Doc.
        """
        return [super(ArraySentencizer, self).predict([doc])[0] if len(doc) <= SHORT_DOC else self.starts(doc) for doc in docs]

    def set_annotations(self, docs: Iterable[Doc], batch_tag_ids) -> None:
        """Set ``is_sent_start`` of every token (only where unset unless ``overwrite``).

        docs (Iterable[Doc]): The documents.
        batch_tag_ids: From ``predict``: booleans per token, per Doc.
        """
        if isinstance(docs, Doc):
            docs = [docs]
        for doc, guesses in zip(docs, batch_tag_ids):
            if isinstance(guesses, list):  # a short Doc: spaCy's own loop
                super().set_annotations([doc], [guesses])
                continue
            if not len(doc):
                continue
            values = numpy.where(numpy.asarray(guesses, dtype=bool), _START, _INSIDE)
            if not self.overwrite:
                current = doc.to_array(SENT_START)
                values = numpy.where(current == 0, values, current)
            doc.from_array([SENT_START], values.astype("uint64").reshape(-1, 1))


@Language.factory(
    "policylens_sentencizer",
    assigns=["token.is_sent_start", "doc.sents"],
    default_config={"punct_chars": None, "overwrite": False, "scorer": {"@scorers": "spacy.senter_scorer.v1"}},
    default_score_weights={"sents_f": 1.0, "sents_p": 0.0, "sents_r": 0.0},
)
def make_sentencizer(
    nlp: Language, name: str, punct_chars: Optional[List[str]], overwrite: bool, scorer: Optional[Callable]
) -> ArraySentencizer:
    """Create the sentencizer: the arguments are those of spaCy's ``sentencizer``.

    punct_chars (Optional[List[str]]): Characters that end a sentence (None: spaCy's default list).
    overwrite (bool): Whether to replace sentence starts that are already set.
    RETURNS (ArraySentencizer): The component.
    """
    return ArraySentencizer(name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer)
