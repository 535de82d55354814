"""Documents longer than ``nlp.max_length``: split at paragraphs, annotate the parts, merge them.

spaCy refuses texts over ``nlp.max_length`` characters (1,000,000 by default), a limit that
protects memory-hungry statistical components. The policylens rules work token by token, so
a long policy is cut into parts at paragraph boundaries (a blank line; failing that a line
break, then any whitespace, and only for a part without any whitespace at the limit) and the
parts go through ``nlp.pipe``. Two ways to put them back together:

- ``long_record`` (what ``policylens annotate`` uses): each part becomes a record at once and
  the records are merged, sentences and spans moved by the part's offset. Only one part's Doc
  is alive at a time, so memory follows the size of the record, not of a Doc of the whole text.
- ``pipe_long``: the parts' Docs are joined into one Doc over the original text: tokens,
  sentences, ``doc.spans``, ``doc.ents`` and the span attributes (kept in ``doc.user_data``
  under keys with character offsets, which spaCy's ``Doc.from_docs`` does not shift, so they
  are re-keyed here). Its record equals ``long_record``'s.

A cut always falls right before a non-whitespace character that follows whitespace, where the
tokenizer splits anyway, so the parts have the tokens of the whole text. The first token of
each part starts a sentence; rules do not match across a cut.
"""
import re
from typing import Iterable, Iterator, List, Optional, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from .extensions import USER_DATA_KEY
from .io import doc_to_record

# Where to cut, best first: after blank lines, after a line break, after any whitespace. Each
# run of whitespace is taken whole, so the next part starts with a non-whitespace character.
CUT_PATTERNS = (
    re.compile(r"\n[^\S\n]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"\s+"),
)


def split_text(text: str, max_length: int) -> List[Tuple[int, str]]:
    """Cut a text into parts of at most ``max_length`` characters, at paragraph boundaries.

    text (str): The text.
    max_length (int): The longest part allowed.
    RETURNS (List[Tuple[int, str]]): (character offset, part) pairs; the parts joined give the text.
    """
    return list(iter_parts(text, max_length))


def iter_parts(text: str, max_length: int) -> Iterator[Tuple[int, str]]:
    """``split_text`` one part at a time, so that the parts of a huge text are never all held.

    text (str): The text.
    max_length (int): The longest part allowed.
    YIELDS (Tuple[int, str]): (character offset, part) pairs, in order.
    RAISES ValueError: When ``max_length`` is not positive.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be positive, not {max_length}")
    start = 0
    while len(text) - start > max_length:
        window = text[start : start + max_length + 1]  # a cut may fall right after the limit's last character
        cut = None
        for pattern in CUT_PATTERNS:
            ends = [m.end() for m in pattern.finditer(window, 1) if m.end() <= max_length and m.end() < len(window)]
            if ends:
                cut = ends[-1]
                break
        if cut is None:  # no whitespace at all: cut at the limit
            cut = max_length
        part = window[:cut]
        del window  # one copy of a part at a time
        yield start, part
        start += cut
    yield start, text[start:] if start else text


def merge_docs(parts: List[Doc], offsets: List[int]) -> Doc:
    """Join the Docs of consecutive parts of one text into one Doc.

    parts (List[Doc]): The annotated parts, in order.
    offsets (List[int]): The character offset of each part in the text.
    RETURNS (Doc): The Doc of the whole text, with sentences, span groups, ents and the span
        attributes of ``doc.user_data`` moved to their offsets in the text.
    """
    doc = Doc.from_docs(parts, ensure_whitespace=False, exclude=["user_data"])
    for part, offset in zip(parts, offsets):
        for key, value in part.user_data.items():
            if isinstance(key, tuple) and len(key) == 4 and key[0] in (USER_DATA_KEY, "._.") and key[2] is not None:
                # (key, label or name, start_char, end_char): a value that belongs to a span.
                end = key[3] + offset if key[3] is not None else None
                doc.user_data[(key[0], key[1], key[2] + offset, end)] = value
            elif key not in doc.user_data:  # document-level data: the first part's value
                doc.user_data[key] = value
    return doc


def long_record(nlp: Language, text: str, meta: Optional[dict] = None, *, max_length: Optional[int] = None) -> dict:
    """The record of one text over ``nlp.max_length``, annotated one part at a time.

    Each part goes through the pipeline alone and becomes a record at once (``io.doc_to_record``),
    so only one part's Doc is alive at any time and no Doc of the whole text is ever built: memory
    grows with the record (text, sentences, spans), not with a merged Doc, which costs well over
    a hundred bytes per character. The record equals ``doc_to_record`` of ``pipe_long``'s Doc.

    nlp (Language): The pipeline.
    text (str): The text.
    meta (Optional[dict]): The input's meta; ``{}`` when None.
    max_length (Optional[int]): The longest part; ``nlp.max_length`` by default.
    RETURNS (dict): ``{"text", "meta", "sents", "spans"}`` over the whole text.
    """
    limit = max_length or nlp.max_length
    meta = meta if meta is not None else {}
    # batch_size=1: a part is up to max_length characters, already a large batch on its own.
    docs = nlp.pipe(((part, (offset, part)) for offset, part in iter_parts(text, limit)), as_tuples=True, batch_size=1)
    records = ((offset, doc_to_record(doc, meta, text=part)) for doc, (offset, part) in docs)
    return merge_records(text, meta, records)


def merge_records(text: str, meta: dict, parts: Iterable[Tuple[int, dict]]) -> dict:
    """Join the records of consecutive parts of one text into the record of the text.

    text (str): The whole text.
    meta (dict): Its meta.
    parts (Iterable[Tuple[int, dict]]): (character offset of the part in the text, record of the
        part), in order; read one at a time, the parts' span dicts are moved, not copied.
    RETURNS (dict): ``{"text", "meta", "sents", "spans"}`` with the parts' sentences and spans
        moved to their offsets in the text.
    """
    sents: List[List[int]] = []
    spans: List[dict] = []
    for offset, record in parts:
        sents.extend([start + offset, end + offset] for start, end in record["sents"])
        for span in record["spans"]:
            span["start"] += offset
            span["end"] += offset
        spans.extend(record["spans"])
    return {"text": text, "meta": meta, "sents": sents, "spans": spans}


def pipe_long(
    nlp: Language,
    items: Iterable[Tuple[str, dict]],
    *,
    batch_size: Optional[int] = None,
    max_length: Optional[int] = None,
) -> Iterator[Tuple[Doc, dict]]:
    """``nlp.pipe(items, as_tuples=True)`` that also takes texts over ``nlp.max_length``.

    A long text is split with ``split_text``, its parts are annotated in the same stream as the
    other texts, and one merged Doc is yielded for it, in input order. Only the parts of the
    long text being assembled are held in memory.

    nlp (Language): The pipeline.
    items (Iterable[Tuple[str, dict]]): (text, meta) pairs.
    batch_size (Optional[int]): Texts per batch for ``nlp.pipe``.
    max_length (Optional[int]): The longest part; ``nlp.max_length`` by default.
    YIELDS (Tuple[Doc, dict]): One (Doc, meta) per input.
    """
    limit = max_length or nlp.max_length

    def flat() -> Iterator[Tuple[str, tuple]]:
        for text, meta in items:
            if len(text) <= limit:
                yield text, (meta, None, 0)
                continue
            parts = split_text(text, limit)
            offsets = [offset for offset, _ in parts]
            for number, (_, part) in enumerate(parts):
                yield part, (meta, offsets, number)

    pending: List[Doc] = []
    for doc, (meta, offsets, number) in nlp.pipe(flat(), as_tuples=True, batch_size=batch_size):
        if offsets is None:
            yield doc, meta
            continue
        pending.append(doc)
        if number == len(offsets) - 1:
            merged = merge_docs(pending, offsets)
            pending = []
            yield merged, meta
