"""Spans as CSV for spreadsheets: one row per span.

Columns: ``policy`` (meta title, id or source path), ``doc`` (1-based position in the input),
``label``, ``text``, ``start``, ``end`` (characters, end exclusive), ``sentence`` (the sentence
the span starts in), ``rule_id``, then one column per attribute of labels.md (empty where a
label has no such attribute or the value is unknown; booleans as ``true``/``false``).
A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is prefixed
with ``'`` so that spreadsheets show it as text instead of running it as a formula.
"""
import csv
from typing import Any, Iterable, List

from spacy.tokens import Doc, Span

from ..extensions import ATTRIBUTE_NAMES
from ..labels import SPANS_KEY
from .common import doc_title, open_text, span_record

COLUMNS = ("policy", "doc", "label", "text", "start", "end", "sentence", "rule_id") + ATTRIBUTE_NAMES
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Format a value as a cell that no spreadsheet evaluates.

    value (Any): A JSON-safe value.
    RETURNS (str): The cell: "" for None, ``true``/``false`` for booleans, text prefixed with
        ``'`` when it starts like a formula.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _sentence(span: Span) -> str:
    doc = span.doc
    if not doc.has_annotation("SENT_START"):
        return ""
    return doc[span.start].sent.text.strip()


def span_rows(doc: Doc, number: int, spans_key: str = SPANS_KEY) -> List[List[str]]:
    """The CSV rows of one Doc's spans.

    doc (Doc): An annotated Doc.
    number (int): Its 1-based position in the input.
    spans_key (str): The span group to export.
    RETURNS (List[List[str]]): One row per span, cells in ``COLUMNS`` order, already safe.
    """
    title = doc_title(doc, number)
    rows = []
    for span in doc.spans.get(spans_key, []):
        record = span_record(span)
        values = [title, number, record["label"], record["text"], record["start"], record["end"],
                  _sentence(span), record["rule_id"]]
        values += [record["attrs"].get(name) for name in ATTRIBUTE_NAMES]
        rows.append([safe_cell(value) for value in values])
    return rows


def write_tasks(docs: Iterable[Doc], output: str) -> int:
    """Write the spans of the Docs as CSV with a header row.

    docs (Iterable[Doc]): Annotated Docs.
    output (str): The output path, or "-" for stdout.
    RETURNS (int): The number of documents written.
    """
    count = 0
    with open_text(output) as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for count, doc in enumerate(docs, start=1):
            writer.writerows(span_rows(doc, count))
    return count
