"""Token columns that follow from the text alone (ORTH, LOWER, NORM), read once per Doc.

Several components compare token string ids with word lists: the three rulers
(``fast_ruler.DocConditions``), the span resolver and ``third_party_attributes``
(``doc_context.DocContext``) read LOWER, ``token_types`` and the resolver read ORTH. Each
``doc.to_array`` is a pass over the Doc, and these columns do not change once the Doc is
tokenized (no component of the pipeline retokenizes or sets them), so the first reader's array
serves the others while the Doc lives. A Doc whose length changed is read again.
"""
import threading
import weakref
from typing import Dict, Tuple

import numpy
from spacy.attrs import LOWER, NORM, ORTH
from spacy.tokens import Doc

# Attribute names -> ids of the columns kept; other attributes (LEMMA, flags) can change.
TEXT_ATTRS: Dict[str, int] = {"ORTH": ORTH, "LOWER": LOWER, "NORM": NORM}

_KEPT: "weakref.WeakKeyDictionary[Doc, Tuple[int, Dict[int, numpy.ndarray]]]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()  # threads sharing a pipeline share the table


def text_array(doc: Doc, attr: int) -> numpy.ndarray:
    """A Doc's column of one of the ``TEXT_ATTRS``, read once while the Doc lives.

    doc (Doc): The document.
    attr (int): ORTH, LOWER or NORM (``spacy.attrs``).
    RETURNS (numpy.ndarray): One uint64 string id per token, read-only (it is shared).
    """
    with _LOCK:
        kept = _KEPT.get(doc)
        if kept is None or kept[0] != len(doc):
            kept = _KEPT[doc] = (len(doc), {})
        array = kept[1].get(attr)
        if array is None:
            array = kept[1][attr] = doc.to_array(attr)
            array.flags.writeable = False
        return array
