"""Prodigy tasks (``ner_manual`` / ``spans_manual``) from annotated Docs.

``{"text", "meta", "tokens": [{"text", "start", "end", "id", "ws"}],
   "spans": [{"start", "end", "token_start", "token_end", "label", "text", "rule_id", "attrs"}]}``
``token_end`` is inclusive, as Prodigy has it. ``rule_id`` and ``attrs`` are extra fields
Prodigy keeps and ignores, so a reviewer can trace a span to its rule.
"""
from typing import Iterable

from spacy.tokens import Doc

from ..extensions import get_attrs
from ..labels import SPANS_KEY
from .common import write_jsonl_tasks


def doc_to_task(doc: Doc, spans_key: str = SPANS_KEY) -> dict:
    """Turn an annotated Doc into one Prodigy task.

    doc (Doc): A Doc from the pipeline or from ``policylens.io.read_docs``.
    spans_key (str): The span group to export.
    RETURNS (dict): The task.
    """
    tokens = [
        {"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)}
        for t in doc
    ]
    spans = [
        {
            "start": span.start_char,
            "end": span.end_char,
            "token_start": span.start,
            "token_end": span.end - 1,
            "label": span.label_,
            "text": span.text,
            "rule_id": span.id_,
            "attrs": get_attrs(span),
        }
        for span in doc.spans.get(spans_key, [])
    ]
    return {"text": doc.text, "meta": doc._.meta or {}, "tokens": tokens, "spans": spans}


def write_tasks(docs: Iterable[Doc], output: str) -> int:
    """Write one Prodigy task per Doc as JSONL.

    docs (Iterable[Doc]): Annotated Docs.
    output (str): The output path, or "-" for stdout.
    RETURNS (int): The number of tasks written.
    """
    return write_jsonl_tasks(docs, output, doc_to_task)
