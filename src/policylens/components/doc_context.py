"""Per-document lookups the context rules share, computed once per document and only when asked.

``Span.sent`` and ``Doc.has_annotation`` walk the whole document on every call; rules that ask
for a span's sentence once per span would make the pipeline quadratic. ``DocContext`` reads the
sentence starts into an array once (at the first question) and answers by bisection;
``lower``/``orth``/``lemma`` give the token attributes' string ids as lists, to compare with ids
of word lists (``Doc[i].lower_`` would make a Token object per lookup). Each whole-document
array costs a pass over the document, so none is read before a rule needs it.
"""
import bisect
from typing import Dict, List, Optional, Tuple

import numpy
from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.tokens import Doc

from .doc_arrays import source_text, text_array, text_list, tokens_text


class DocContext:
    """The sentence boundaries and token texts of one document."""

    def __init__(self, doc: Doc):
        """doc (Doc): A document, sentence-split or not (then it is one sentence)."""
        self.doc = doc
        self.length = len(doc)
        self._starts: Optional[List[int]] = None
        self._lower_array: Optional[numpy.ndarray] = None
        self._lower: Optional[List[int]] = None
        self._orth: Optional[List[int]] = None
        self._lemma: Optional[List[int]] = None
        self._memos: Dict[str, dict] = {}
        self.source = source_text(doc)  # the tokenizer's text, or None

    def memo(self, name: str) -> dict:
        """A dict for a rule's answers about this document (kept here, not on the component,
        so that threads sharing a pipeline never read each other's).

        name (str): The rule's name for its memo.
        RETURNS (dict): The same dict for the same name while the context lives.
        """
        found = self._memos.get(name)
        if found is None:
            found = self._memos[name] = {}
        return found

    @property
    def starts(self) -> List[int]:
        """The first token of each sentence, read once per document."""
        if self._starts is None:
            starts = [0]
            if self.length > 1:
                flags = self.doc.to_array("SENT_START")
                starts += (numpy.flatnonzero(flags[1:] == 1) + 1).tolist()
            self._starts = starts
        return self._starts

    @property
    def lower_array(self) -> numpy.ndarray:
        """The string id of each token's ``lower_`` as a numpy array, read once per document."""
        if self._lower_array is None:
            self._lower_array = text_array(self.doc, LOWER)
        return self._lower_array

    @property
    def lower(self) -> List[int]:
        """The string id of each token's ``lower_``, read once per document."""
        if self._lower is None:
            self._lower = text_list(self.doc, LOWER)  # shared with the rulers: not to be changed
        return self._lower

    @property
    def orth(self) -> List[int]:
        """The string id of each token's ``text``, read once per document."""
        if self._orth is None:
            self._orth = text_list(self.doc, ORTH)
        return self._orth

    @property
    def lemma(self) -> List[int]:
        """The string id of each token's ``lemma_``, read once per document."""
        if self._lemma is None:
            self._lemma = self.doc.to_array(LEMMA).tolist()
        return self._lemma

    def text(self, start: int, end: int) -> str:
        """The text of tokens ``start`` to ``end`` (exclusive), with the last token's space.

        A slice of the text the tokenizer was given (``doc_arrays.tokens_text``), else a join
        over the tokens.
        start (int): First token.
        end (int): Token after the last.
        RETURNS (str): Equal to ``doc[start:end].text_with_ws``.
        """
        return tokens_text(self.doc, start, end, True, self.source)

    def span_text(self, start: int, end: int) -> str:
        """The text of tokens ``start`` to ``end`` without the last token's space.

        start (int): First token.
        end (int): Token after the last.
        RETURNS (str): Equal to ``doc[start:end].text``.
        """
        return tokens_text(self.doc, start, end, False, self.source)

    def sentence_start(self, i: int) -> int:
        """The first token of the sentence holding token ``i`` (``sentence(i)[0]``).

        A rule that asks this a few times in a document reads the tokens back from ``i`` (a
        sentence is short) instead of the whole document's sentence starts; once these are
        read, or after a long way back, they answer.

        i (int): A token index.
        RETURNS (int): The sentence's first token.
        """
        if self._starts is None and 0 <= i < self.length:
            doc = self.doc
            for j in range(i, max(0, i - 40), -1):
                if doc[j].is_sent_start:  # as ``starts``: SENT_START 1, the token 0 aside
                    return j
            if i <= 40:
                return 0  # every token after the first was read
        return self.sentence(i)[0]

    def sentence_start_after(self, i: int, first: int) -> int:
        """``max(sentence_start(i), first)``: the start of the sentence holding token ``i``
        where that is after ``first``, else ``first``.

        Only the tokens from ``i`` back to ``first`` are read (or the sentence starts, once
        read): a rule that looks a few tokens back needs no sentence start before them.

        i (int): A token index.
        first (int): The earliest answer wanted.
        RETURNS (int): A token offset.
        """
        if self._starts is None and 0 <= i < self.length:
            doc = self.doc
            for j in range(i, max(0, first), -1):
                if doc[j].is_sent_start:  # as ``starts``: SENT_START 1, the token 0 aside
                    return j
            # No sentence starts in (first, i]: the sentence holding i starts at or before first.
            return max(0, first)
        return max(self.sentence(i)[0], first)

    def lemmas(self, start: int, end: int) -> List[int]:
        """The ``LEMMA`` ids of tokens ``start`` to ``end`` (``lemma[start:end]``), read token by
        token for a short stretch unless the whole document's lemmas are read already.

        start (int): First token.
        end (int): Token after the last.
        RETURNS (List[int]): The lemma ids.
        """
        start, end = max(0, start), min(self.length, end)
        if self._lemma is None and end - start <= 40:
            doc = self.doc
            return [doc[i].lemma for i in range(start, end)]
        return self.lemma[start:end]

    def sentence(self, i: int) -> Tuple[int, int]:
        """The token range of the sentence holding token ``i``.

        i (int): A token index.
        RETURNS (Tuple[int, int]): (start, end) token offsets.
        """
        starts = self.starts
        at = bisect.bisect_right(starts, i) - 1
        end = starts[at + 1] if at + 1 < len(starts) else self.length
        return starts[at], end
