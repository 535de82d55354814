"""spaCy's rule-based sentencizer, computed on arrays of token attributes instead of token by token.

spaCy's ``sentencizer`` walks the Doc in Python, making a Token object per token: on real
policies that cost more than the rulers' phrase matching. The rule is the same here:

- the first token starts a sentence;
- after a token whose text is one of ``punct_chars`` ("." "!" "?" ...), the next token that is
  neither punctuation (``is_punct``) nor one of ``punct_chars`` starts the next sentence
  (so closing quotes and brackets stay with the sentence they end).

Token i > 0 thus starts a sentence when it is a word (not punctuation) and a ``punct_chars``
token comes after the last word before it: the word-or-``punct_chars`` token before it is a
``punct_chars`` token. Whether a token is a word, punctuation or one of
``punct_chars`` follows from its text: it is decided once per distinct text (``token_types``),
the rest is a few array operations, and spaCy's own (compiled) ``set_annotations``
writes the starts. ``tests/test_sentencizer.py`` checks the boundaries against spaCy's sentencizer.
"""
from typing import Callable, Iterable, List, Optional

import numpy
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.pipeline.senter import senter_score
from spacy.strings import get_string_id
from spacy.tokens import Doc

from .batch_pipe import BatchPipe
from .token_types import TypeValues

# What a token is for the rule, by its text.
_WORD, _PUNCT, _CHAR = 0, 1, 2
# Docs up to this many tokens are cheaper to do token by token (the rulers' phrase patterns are
# Docs of a few tokens that pass through the components before the ruler when they are added).
SHORT_DOC = 64


class ArraySentencizer(BatchPipe, Sentencizer):
    """spaCy's Sentencizer (same config, serialisation and boundaries), on token arrays."""

    def _kinds(self) -> TypeValues:
        """Word, punctuation or one of ``punct_chars``, per distinct token text (recomputed when
        ``punct_chars`` changes).

        RETURNS (TypeValues): The kinds (``_WORD``, ``_PUNCT``, ``_CHAR``).
        """
        chars = frozenset(self.punct_chars)
        kept = getattr(self, "_kinds_of", None)
        if kept is None or kept[0] != chars:
            # The characters as string ids: a token's ORTH is compared without reading its text.
            char_ids = frozenset(get_string_id(char) for char in chars)

            def kinds(doc: Doc, orths: List[int]) -> List[int]:
                vocab = doc.vocab
                # ``vocab[orth]`` is the token's own lexeme: the Doc has it already.
                return [_CHAR if orth in char_ids else _PUNCT if vocab[orth].is_punct else _WORD for orth in orths]

            # One assignment: a thread sharing the component sees the characters and their kinds.
            kept = self._kinds_of = (chars, TypeValues(kinds, "int8", -1))
        return kept[1]

    def starts(self, doc: Doc) -> numpy.ndarray:
        """Which tokens start a sentence, by spaCy's sentencizer rule.

        doc (Doc): The document.
        RETURNS (numpy.ndarray): Booleans, one per token.
        """
        n = len(doc)
        if not n:
            return numpy.zeros(0, dtype=bool)
        kinds = self._kinds()(doc)
        # Only words and punct_chars tokens matter (other punctuation is passed over): a word
        # starts a sentence when the word-or-punct_chars token before it is a punct_chars token.
        counted = numpy.flatnonzero(kinds != _PUNCT)
        counted_kinds = kinds[counted]
        firsts = counted[1:][(counted_kinds[1:] == _WORD) & (counted_kinds[:-1] == _CHAR)]
        starts = numpy.zeros(n, dtype=bool)
        starts[firsts] = True
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
        """Set ``is_sent_start`` of every token (only where unset unless ``overwrite``), with
        spaCy's compiled loop (an array is handed to it as bytes, which it reads fastest).

        docs (Iterable[Doc]): The documents.
        batch_tag_ids: From ``predict`` or ``starts``: booleans per token (a list or an array), per Doc.
        """
        if isinstance(docs, Doc):
            docs = [docs]
        batch = [guesses.astype(bool).tobytes() if isinstance(guesses, numpy.ndarray) else guesses for guesses in batch_tag_ids]
        super().set_annotations(docs, batch)


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
