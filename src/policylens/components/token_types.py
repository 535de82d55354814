"""Per-token values that depend only on the token's text, computed once per distinct text.

The sentencizer, the lemmatizer and the email component each need, for every token, something
that follows from its text alone (is it punctuation, its lemma, can an address start there).
A Python step per token, and even ``numpy.unique`` of the Doc's ORTH column followed by a
Python step per distinct text, cost more than the rest of those components. Here:

- ``TypeIds`` numbers every distinct text (ORTH hash) once per process and finds the numbers of
  a Doc's tokens with a direct-mapped table in numpy: one gather and one comparison per token.
  Only texts it has not seen (or whose slot another text holds) take a Python step.
- ``TypeIds.of_doc`` keeps a Doc's numbers while the Doc lives, so reading the Doc's ORTH column
  (the costliest step left) happens once for all these components. The numbers are read again
  when the Doc's length changed; no component of the pipeline retokenizes a Doc.
- ``TypeValues`` keeps one value per number for one component and hands back the values of a
  Doc's tokens as an array, computing values only for numbers it has not met yet.
"""
import threading
import weakref
from typing import Callable, Dict, List, Optional, Tuple

import numpy
# numpy.unique reads numpy.ma (numpy 2.3 on), which numpy imports at the first such call: ~10 ms,
# paid here when the pipeline is imported, not in the first batch of each forked worker.
import numpy.ma  # noqa: F401
from spacy.attrs import ORTH
from spacy.tokens import Doc

from .doc_arrays import text_array

# Slots of the direct-mapped table (a power of two): 3 MB; a text whose slot another text
# holds is found in the dict instead, so the size only changes the speed.
SLOTS = 1 << 18
# Numbered texts before the numbering starts over: memory stays bounded on endless new words.
MAX_TYPES = 1 << 20


class TypeIds:
    """Small integers for ORTH hashes, the same for the whole process."""

    def __init__(self, slots: int = SLOTS, max_types: int = MAX_TYPES):
        """slots (int): Size of the direct-mapped table, a power of two.
        max_types (int): Texts numbered before the numbering starts over.
        """
        self.max_types = max_types
        self._mask = numpy.uint64(slots - 1)
        self._slot_orth = numpy.zeros(slots, dtype="uint64")  # 0: empty (no token has ORTH 0)
        self._slot_id = numpy.zeros(slots, dtype="int32")  # numbers stay below max_types
        self._ids: Dict[int, int] = {}
        self._orths = numpy.zeros(0, dtype="uint64")  # the ORTH hash of each number
        # Numbers of live Docs: (generation, length, numbers).
        self._docs: "weakref.WeakKeyDictionary[Doc, Tuple[int, int, numpy.ndarray]]" = weakref.WeakKeyDictionary()
        # Changes when the numbering starts over: values kept per number are then void.
        self.generation = 0
        # The tables are shared by every pipeline of the process: one Doc at a time (threads).
        self.lock = threading.RLock()

    def __len__(self) -> int:
        """RETURNS (int): How many texts have a number (numbers are 0 .. len - 1)."""
        return len(self._ids)

    def of_doc(self, doc: Doc) -> numpy.ndarray:
        """The numbers of a Doc's tokens, read once while the Doc lives (and its length stays).

        doc (Doc): The document.
        RETURNS (numpy.ndarray): One number (int32) per token; do not modify.
        """
        with self.lock:
            kept = self._docs.get(doc)
            if kept is not None and kept[0] == self.generation and kept[1] == len(doc):
                return kept[2]
            ids = self.ids(text_array(doc, ORTH))
            self._docs[doc] = (self.generation, len(doc), ids)
            return ids

    def orths(self, ids: numpy.ndarray) -> numpy.ndarray:
        """The ORTH hashes of numbers. ids (numpy.ndarray): Numbers. RETURNS (numpy.ndarray): Hashes."""
        return self._orths[ids]

    def ids(self, orth: numpy.ndarray) -> numpy.ndarray:
        """The numbers of the texts.

        orth (numpy.ndarray): ORTH hashes (uint64), e.g. ``doc.to_array(ORTH)``.
        RETURNS (numpy.ndarray): One number (int32) per hash.
        """
        with self.lock:
            slots = (orth & self._mask).astype(numpy.intp)
            ids = self._slot_id[slots]
            missed = self._slot_orth[slots] != orth
            if missed.any():
                self._number(orth, slots, ids, missed)
            return ids

    def _number(self, orth: numpy.ndarray, slots: numpy.ndarray, ids: numpy.ndarray, missed: numpy.ndarray) -> None:
        """Fill in ``ids`` where the table missed, numbering new texts and putting them in the table."""
        unique, inverse = numpy.unique(orth[missed], return_inverse=True)
        if len(self._ids) + len(unique) > self.max_types:  # start over: every number is void
            self._ids.clear()
            self._slot_orth[:] = 0
            self._docs.clear()
            self.generation += 1
            missed = numpy.ones(len(orth), dtype=bool)
            unique, inverse = numpy.unique(orth, return_inverse=True)
        known = self._ids
        numbers = numpy.fromiter((known.setdefault(h, len(known)) for h in unique.tolist()), dtype="int32", count=len(unique))
        ids[missed] = numbers[inverse.reshape(-1)]
        if len(self._orths) < len(known):
            grown = numpy.zeros(max(len(known), 2 * len(self._orths)), dtype="uint64")
            grown[: len(self._orths)] = self._orths
            self._orths = grown
        self._orths[numbers] = unique
        # The last text written to a slot holds it: recent texts are the likely ones.
        unique_slots = (unique & self._mask).astype(numpy.intp)
        self._slot_orth[unique_slots] = unique
        self._slot_id[unique_slots] = numbers


TYPE_IDS = TypeIds()


class TypeValues:
    """One value per distinct token text for one component, spread over a Doc's tokens.

    compute(doc, orths) gives the values of texts (ORTH hashes) that occur in ``doc``; with
    ``per_token``, compute(doc, positions) gives the values of the Doc's tokens at positions (a
    numpy array), for values that numpy finds for many tokens at once from the Doc's columns.
    ``missing`` marks a number whose value is not computed yet: compute must never return it.
    """

    def __init__(
        self,
        compute: Callable[[Doc, List[int]], List],
        dtype: str,
        missing,
        types: Optional[TypeIds] = None,
        per_token: bool = False,
    ):
        """compute (Callable[[Doc, List[int]], List]): Values of ORTH hashes, in order.
        dtype (str): The values' numpy type.
        missing: The value that marks "not computed yet".
        types (Optional[TypeIds]): The numbering (default: the process's ``TYPE_IDS``).
        per_token (bool): ``compute`` takes token positions (numpy.ndarray) instead of ORTH
            hashes; it may be given several tokens of one text, and must give them one value.
        """
        self.compute = compute
        self.dtype = dtype
        self.missing = missing
        self.types = types if types is not None else TYPE_IDS
        self.per_token = per_token
        self.clear()

    def clear(self) -> None:
        """Forget every value (when what ``compute`` depends on changes)."""
        self._values = numpy.full(0, self.missing, dtype=self.dtype)
        self._generation = self.types.generation

    def __call__(self, doc: Doc) -> numpy.ndarray:
        """The value of each token of the Doc.

        doc (Doc): The document.
        RETURNS (numpy.ndarray): One value per token.
        """
        with self.types.lock:
            return self._values_of(doc)

    def _values_of(self, doc: Doc) -> numpy.ndarray:
        ids = self.types.of_doc(doc)
        if self._generation != self.types.generation:
            self.clear()
        values = self._values
        if len(values) < len(self.types):  # room for the numbers given since the last Doc
            grown = numpy.full(max(len(self.types), 2 * len(values)), self.missing, dtype=self.dtype)
            grown[: len(values)] = values
            self._values = values = grown
        found = values[ids]
        unknown = found == self.missing
        if unknown.any() and self.per_token:
            positions = numpy.flatnonzero(unknown)
            computed = numpy.asarray(self.compute(doc, positions), dtype=self.dtype)
            values[ids[positions]] = computed
            found[positions] = computed
        elif unknown.any():
            new_ids = numpy.unique(ids[unknown])
            new_orths = self.types.orths(new_ids).tolist()
            values[new_ids] = numpy.asarray(self.compute(doc, new_orths), dtype=self.dtype)
            found = values[ids]
        return found
