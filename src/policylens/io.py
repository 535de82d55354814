"""Annotated Docs as JSONL records, and back.

One record per document::

    {"text": "...", "meta": {...},
     "sents": [[0, 57], [58, 120]],
     "spans": [{"start": 12, "end": 25, "label": "DATA_TYPE", "text": "email address",
                "id": "contact.email_address/email-address",
                "attrs": {"category": "contact.email_address", "sensitive": false}}]}

Offsets count characters (code points), ``end`` exclusive. Reading a record back with the
pipeline's tokenizer gives a Doc equal to the original: tokens, sentence starts, the spans of
``doc.spans["policylens"]`` with labels, ids and attributes, the ``doc.ents`` view and the meta.
"""
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Union

import numpy
import srsly
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from .components.doc_arrays import source_text
from .extensions import USER_DATA_KEY, set_attrs
from .labels import ATTRIBUTES, SPANS_KEY

if not Doc.has_extension("meta"):
    # The input's meta, passed through to the output unchanged (plus the source path).
    Doc.set_extension("meta", default=None)


class RecordError(ValueError):
    """A JSONL record cannot be turned back into a Doc."""


def doc_to_record(doc: Doc, meta: Optional[dict] = None, spans_key: str = SPANS_KEY, text: Optional[str] = None) -> dict:
    """Serialise an annotated Doc as a JSON-safe record.

    Offsets and sentences are read from the Doc's arrays and span texts are cut from the text:
    ``doc.text``, ``span.text`` and ``doc.sents`` would make a Python Token object per token.

    doc (Doc): A Doc processed by the policylens pipeline.
    meta (Optional[dict]): The input's meta; defaults to ``doc._.meta`` or ``{}``.
    spans_key (str): The span group to write.
    text (Optional[str]): The text the Doc was made from, when the caller has it (saves
        rebuilding ``doc.text``); it must be that text. Without it, the text the policylens
        tokenizer kept for the Doc, else ``doc.text``.
    RETURNS (dict): ``{"text", "meta", "sents", "spans"}``.
    """
    if text is None:
        text = source_text(doc)  # the tokenizer's text, when it made the Doc
    if text is None:
        text = doc.text
    strings = doc.vocab.strings
    user_data = doc.user_data
    labels: Dict[int, tuple] = {}  # label hash -> (label, attribute names or None)
    ids: Dict[int, str] = {0: ""}  # pattern id hash -> pattern id
    spans = []
    for span in doc.spans.get(spans_key, []):
        label_hash, start, end = span.label, span.start_char, span.end_char
        known = labels.get(label_hash)
        if known is None:
            label = strings[label_hash]
            known = labels[label_hash] = (label, ATTRIBUTES.get(label))
        label, names = known
        attrs = user_data.get((USER_DATA_KEY, label, start, end), {})
        span_id = ids.get(span.id)
        if span_id is None:
            span_id = ids[span.id] = strings[span.id]
        if names is None:  # a label without declared attributes: those it has
            names = tuple(attrs)
        spans.append(
            {
                "start": start,
                "end": end,
                "label": label,
                "text": text[start:end],
                "id": span_id,
                # The attribute components write exactly the label's names, in order: a copy
                # then gives the same dict as picking them one by one, for less.
                "attrs": attrs.copy() if tuple(attrs) == names else {name: attrs.get(name) for name in names},
            }
        )
    meta = meta if meta is not None else (doc._.meta or {})
    return {"text": text, "meta": meta, "sents": sentence_offsets(doc), "spans": spans}


def sentence_offsets(doc: Doc) -> List[List[int]]:
    """The [start, end) character offsets of the Doc's sentences, as ``doc.sents`` gives them.

    doc (Doc): A Doc.
    RETURNS (List[List[int]]): One pair per sentence; empty when no sentence starts are set.
    """
    n = len(doc)
    if not n:
        return []
    if "sents" in doc.user_hooks:
        return [[s.start_char, s.end_char] for s in doc.sents] if doc.has_annotation("SENT_START") else []
    sent_start = doc.to_array(SENT_START)  # uint64: -1 (not a start) wraps to a large number
    if n > 1 and not sent_start[1:].any():  # doc.has_annotation("SENT_START")
        return []
    # doc.sents: a sentence begins at token 0 and at every later token with sent_start == 1.
    # Only the first and last token of each sentence are read: fewer than a column per token.
    firsts = numpy.flatnonzero(sent_start[1:] == 1) + 1
    firsts = [0] + firsts.tolist()
    lasts = [first - 1 for first in firsts[1:]] + [n - 1]
    offsets = []
    for first, last in zip(firsts, lasts):
        last_token = doc[last]
        offsets.append([doc[first].idx, last_token.idx + len(last_token)])
    return offsets


def record_to_doc(record: dict, nlp: Language, spans_key: str = SPANS_KEY) -> Doc:
    """Rebuild the annotated Doc of a record.

    record (dict): A record written by ``doc_to_record``.
    nlp (Language): A pipeline with the tokenizer that made the record (``policylens.blank()``
        or the full pipeline; only its tokenizer runs).
    spans_key (str): The span group to fill.
    RETURNS (Doc): The Doc, with sentences, spans, ids, attributes, ents and ``doc._.meta``.
    RAISES RecordError: When a field is missing or a span does not fall on token boundaries.
    """
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise RecordError("record has no 'text' string")
    doc = nlp.make_doc(record["text"])
    sents = record.get("sents") or []
    if sents:
        starts = {start for start, _ in sents}
        for token in doc:
            token.is_sent_start = token.idx in starts
    spans = []
    for item in record.get("spans", []):
        try:
            start, end, label = item["start"], item["end"], item["label"]
        except (KeyError, TypeError):
            raise RecordError(f"span {item!r} lacks start, end or label") from None
        span = doc.char_span(start, end, label=label, span_id=item.get("id") or 0)
        if span is None:
            raise RecordError(f"span {start}-{end} {label} does not fall on token boundaries")
        spans.append((span, item.get("attrs") or {}))
    doc.spans[spans_key] = [span for span, _ in spans]
    for span, attrs in spans:
        if attrs:
            set_attrs(span, **attrs)
    doc.ents = filter_spans([span for span, _ in spans])
    doc._.meta = record.get("meta") or {}
    return doc


def read_records(path: Union[str, Path]) -> Iterator[dict]:
    """Stream the records of an annotated JSONL file ("-" for stdin).

    path (Union[str, Path]): The file.
    YIELDS (dict): One record per line.
    """
    yield from srsly.read_jsonl(path if str(path) != "-" else "-")


def read_docs(path: Union[str, Path], nlp: Optional[Language] = None) -> Iterator[Doc]:
    """Stream the Docs of an annotated JSONL file.

    path (Union[str, Path]): The file written by ``policylens annotate``.
    nlp (Optional[Language]): Pipeline whose tokenizer to use; ``policylens.blank()`` by default.
    YIELDS (Doc): One Doc per record.
    """
    if nlp is None:
        from .pipeline import blank

        nlp = blank()
    for number, record in enumerate(read_records(path), start=1):
        try:
            yield record_to_doc(record, nlp)
        except RecordError as err:
            raise RecordError(f"{path}, line {number}: {err}") from None
