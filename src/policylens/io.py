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
from typing import Iterator, Optional, Union

import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from .extensions import get_attrs, set_attrs
from .labels import ATTRIBUTES, SPANS_KEY

if not Doc.has_extension("meta"):
    # The input's meta, passed through to the output unchanged (plus the source path).
    Doc.set_extension("meta", default=None)


class RecordError(ValueError):
    """A JSONL record cannot be turned back into a Doc."""


def doc_to_record(doc: Doc, meta: Optional[dict] = None, spans_key: str = SPANS_KEY) -> dict:
    """Serialise an annotated Doc as a JSON-safe record.

    doc (Doc): A Doc processed by the policylens pipeline.
    meta (Optional[dict]): The input's meta; defaults to ``doc._.meta`` or ``{}``.
    spans_key (str): The span group to write.
    RETURNS (dict): ``{"text", "meta", "sents", "spans"}``.
    """
    spans = []
    for span in doc.spans.get(spans_key, []):
        attrs = get_attrs(span)
        names = ATTRIBUTES.get(span.label_, tuple(attrs))
        spans.append(
            {
                "start": span.start_char,
                "end": span.end_char,
                "label": span.label_,
                "text": span.text,
                "id": span.id_,
                "attrs": {name: attrs.get(name) for name in names},
            }
        )
    sents = [[s.start_char, s.end_char] for s in doc.sents] if doc.has_annotation("SENT_START") else []
    meta = meta if meta is not None else (doc._.meta or {})
    return {"text": doc.text, "meta": meta, "sents": sents, "spans": spans}


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
