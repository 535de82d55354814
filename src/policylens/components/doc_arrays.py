"""Token columns that follow from the text alone (ORTH, LOWER, NORM), read once per Doc.

Several components compare token string ids with word lists: the three rulers
(``fast_ruler.DocConditions``), the span resolver and ``third_party_attributes``
(``doc_context.DocContext``) read LOWER, ``token_types`` and the resolver read ORTH. Each
``doc.to_array`` is a pass over the Doc, and these columns do not change once the Doc is
tokenized (no component of the pipeline retokenizes or sets them), so the first reader's array
serves the others while the Doc lives. A Doc whose length changed is read again.

The same holds for the column as a Python list (``text_list``: string ids are 64-bit, so
``tolist`` makes a long integer object per token, as costly as reading the array).

And for the text itself: the tokenizer hands over the string it tokenized (``keep_source``),
so that the text of a stretch of tokens is a slice of it (``tokens_text``) instead of a join
over a Token object per word (``doc.text``, ``span.text``). spaCy's tokenization loses no
character, so the slice is the same string.
"""
import threading
import weakref
from typing import Dict, List, Optional, Tuple

import numpy
from spacy.attrs import LOWER, NORM, ORTH
from spacy.tokens import Doc

# Attribute names -> ids of the columns kept; other attributes (LEMMA, flags) can change.
TEXT_ATTRS: Dict[str, int] = {"ORTH": ORTH, "LOWER": LOWER, "NORM": NORM}

# Doc -> (its length when read, {(form, attribute id): the column in that form})
_KEPT: "weakref.WeakKeyDictionary[Doc, Tuple[int, Dict[Tuple[str, int], object]]]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()  # threads sharing a pipeline share the table


def _kept(doc: Doc, form: str, attr: int):
    """The Doc's column in one form, None when not read yet (or the Doc changed length)."""
    with _LOCK:
        kept = _KEPT.get(doc)
        if kept is None or kept[0] != len(doc):
            return None
        return kept[1].get((form, attr))


def _keep(doc: Doc, form: str, attr: int, value):
    """Keep a column form for the Doc's other readers; RETURNS the one kept (a thread that
    read it meanwhile may have been first: all readers get the same object)."""
    with _LOCK:
        kept = _KEPT.get(doc)
        if kept is None or kept[0] != len(doc):
            kept = _KEPT[doc] = (len(doc), {})
        return kept[1].setdefault((form, attr), value)


def text_array(doc: Doc, attr: int) -> numpy.ndarray:
    """A Doc's column of one of the ``TEXT_ATTRS``, read once while the Doc lives.

    doc (Doc): The document.
    attr (int): ORTH, LOWER or NORM (``spacy.attrs``).
    RETURNS (numpy.ndarray): One uint64 string id per token, read-only (it is shared).
    """
    array = _kept(doc, "array", attr)
    if array is None:
        array = doc.to_array(attr)
        array.flags.writeable = False
        array = _keep(doc, "array", attr, array)
    return array


def text_list(doc: Doc, attr: int) -> List[int]:
    """The same column as a list of ints, made once while the Doc lives.

    doc (Doc): The document.
    attr (int): ORTH, LOWER or NORM.
    RETURNS (List[int]): One string id per token. Shared: callers must not change it.
    """
    values = _kept(doc, "list", attr)
    if values is None:
        values = _keep(doc, "list", attr, text_array(doc, attr).tolist())
    return values


def keep_source(doc: Doc, text: str) -> None:
    """Keep the text a Doc was tokenized from, while the Doc lives.

    doc (Doc): The tokenizer's Doc (``doc.text == text``).
    text (str): Its text (the same object: nothing is copied).
    """
    _keep(doc, "source", 0, text)


def source_text(doc: Doc) -> Optional[str]:
    """The text the tokenizer made the Doc from, None when it was made otherwise (``Doc(vocab,
    words=...)``, ``Doc.from_docs``) or has changed length since."""
    return _kept(doc, "source", 0)


def tokens_text(doc: Doc, start: int, end: int, with_space: bool = True, source: Optional[str] = None) -> str:
    """The text of tokens ``start`` to ``end`` (exclusive; clipped to the Doc).

    doc (Doc): The document.
    start (int): First token.
    end (int): Token after the last.
    with_space (bool): Keep the last token's trailing whitespace (``span.text_with_ws``);
        False gives ``span.text``.
    source (Optional[str]): ``source_text(doc)`` when the caller has read it already.
    RETURNS (str): ``doc[start:end].text_with_ws`` or ``doc[start:end].text``.
    """
    start, end = max(0, start), min(len(doc), end)
    if start >= end:
        return ""
    if source is None:
        source = source_text(doc)
    if source is None:
        text = "".join([doc[i].text_with_ws for i in range(start, end)])
        return text if with_space else text[: len(text) - len(doc[end - 1].whitespace_)]
    if not with_space:
        last = doc[end - 1]
        return source[doc[start].idx : last.idx + len(last)]
    return source[doc[start].idx : doc[end].idx if end < len(doc) else len(source)]
