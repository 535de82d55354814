"""doccano sequence-labelling tasks (JSONL) from annotated Docs.

``{"text", "label": [[start, end, "LABEL"], ...], "meta": {...}, "policylens_spans": [...]}``
Offsets count characters, ``end`` exclusive. doccano keeps every column other than ``text``
and ``label`` as the example's metadata and writes it back on export, so the policy's
``meta`` and ``policylens_spans`` (each span's ``rule_id`` and ``attrs``) come back with the
reviewed labels.
"""
from typing import Iterable

from spacy.tokens import Doc

from ..labels import SPANS_KEY
from .common import span_record, write_jsonl_tasks

SPANS_COLUMN = "policylens_spans"


def doc_to_task(doc: Doc, spans_key: str = SPANS_KEY) -> dict:
    """Turn an annotated Doc into one doccano record.

    doc (Doc): A Doc from the pipeline or from ``policylens.io.read_docs``.
    spans_key (str): The span group to export.
    RETURNS (dict): The record.
    """
    spans = list(doc.spans.get(spans_key, []))
    return {
        "text": doc.text,
        "label": [[span.start_char, span.end_char, span.label_] for span in spans],
        "meta": doc._.meta or {},
        SPANS_COLUMN: [span_record(span) for span in spans],
    }


def write_tasks(docs: Iterable[Doc], output: str) -> int:
    """Write one doccano record per Doc as JSONL.

    docs (Iterable[Doc]): Annotated Docs.
    output (str): The output path, or "-" for stdout.
    RETURNS (int): The number of records written.
    """
    return write_jsonl_tasks(docs, output, doc_to_task)
