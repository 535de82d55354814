"""Per-document lookups the context rules share, computed once per document.

``Span.sent`` and ``Doc.has_annotation`` walk the whole document on every call; rules that ask
for a span's sentence once per span would make the pipeline quadratic. ``DocContext`` reads the
sentence starts into an array once and answers by bisection; ``Span.text`` builds a Token per
word, so ``text`` joins a stretch from the token arrays instead, and ``lower``/``orth``/``lemma``
give the token attributes' string ids as lists, to compare with ids of word lists
(``Doc[i].lower_`` would make a Token object per lookup).
"""
import bisect
from typing import List, Optional, Tuple

import numpy
from spacy.attrs import LEMMA, LOWER, ORTH, SPACY
from spacy.tokens import Doc


class DocContext:
    """The sentence boundaries and token texts of one document."""

    def __init__(self, doc: Doc):
        """doc (Doc): A document, sentence-split or not (then it is one sentence)."""
        self.doc = doc
        starts: List[int] = [0]
        if len(doc) > 1:
            flags = doc.to_array("SENT_START")
            starts += (numpy.flatnonzero(flags[1:] == 1) + 1).tolist()
        self.starts = starts
        self._words = None
        self._lower: Optional[List[int]] = None
        self._orth: Optional[List[int]] = None
        self._lemma: Optional[List[int]] = None

    @property
    def lower(self) -> List[int]:
        """The string id of each token's ``lower_``, read once per document."""
        if self._lower is None:
            self._lower = self.doc.to_array(LOWER).tolist()
        return self._lower

    @property
    def orth(self) -> List[int]:
        """The string id of each token's ``text``, read once per document."""
        if self._orth is None:
            self._orth = self.doc.to_array(ORTH).tolist()
        return self._orth

    @property
    def lemma(self) -> List[int]:
        """The string id of each token's ``lemma_``, read once per document."""
        if self._lemma is None:
            self._lemma = self.doc.to_array(LEMMA).tolist()
        return self._lemma

    def text(self, start: int, end: int) -> str:
        """The text of tokens ``start`` to ``end`` (exclusive), with the last token's space.

        start (int): First token.
        end (int): Token after the last.
        RETURNS (str): Equal to ``doc[start:end].text_with_ws``.
        """
        if self._words is None:
            self._words = self.doc.to_array([ORTH, SPACY])
        strings = self.doc.vocab.strings
        return "".join(strings[orth] + " " if space else strings[orth] for orth, space in self._words[start:end].tolist())

    def sentence(self, i: int) -> Tuple[int, int]:
        """The token range of the sentence holding token ``i``.

        i (int): A token index.
        RETURNS (Tuple[int, int]): (start, end) token offsets.
        """
        at = bisect.bisect_right(self.starts, i) - 1
        end = self.starts[at + 1] if at + 1 < len(self.starts) else len(self.doc)
        return self.starts[at], end
