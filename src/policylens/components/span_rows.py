"""The spans of a Doc's span group as rows of integers, by label, read once per Doc.

Reading a span group makes a Span object per span (spaCy computes its character offsets from
the Doc's tokens), about 1.2 microseconds each: on a policy with thousands of spans, each of the
three attribute components reading the whole group to pick its label's spans cost more than the
work it then did. ``label_rows`` reads the group once and hands every reader the rows of the
label it wants, while the Doc lives.

The rows are plain tuples of integers: nothing in them refers to the Doc, so keeping them does
not keep the Doc alive. They belong to one group object of one length: a group that is replaced
(``doc.spans[key] = ...``) or grows or shrinks is read again. A group changed in place keeping
its length (``group[i] = span``) is not noticed: no component of the pipeline does that, and
the attribute components, which read the rows, run after the last component that changes the
group (the span resolver). The span resolver sets the group with ``assign``, which keeps the rows
of the records it holds already, so that the group is not read back at all. ``io.doc_to_record`` reads the group itself, since a caller may
change the group in any way before writing the record.
"""
import threading
import weakref
from typing import Dict, Iterable, List, Sequence, Tuple

from spacy.tokens import Doc, Span


# One span: (first token, token after the last, string id of its pattern id (``span.id``),
# first character, character after the last). A plain tuple: a NamedTuple costs a Python call
# per span to make.
Row = Tuple[int, int, int, int, int]


_KEPT: "weakref.WeakKeyDictionary[Doc, Tuple[object, int, Dict[int, List[Row]]]]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()  # threads sharing a pipeline share the table
_NONE: List[Row] = []


def label_rows(doc: Doc, spans_key: str, label: int) -> List[Row]:
    """The rows of the spans of one label in a span group, in the group's order.

    doc (Doc): The document.
    spans_key (str): The span group (absent: no rows).
    label (int): The label's string id (``spacy.strings.get_string_id``).
    RETURNS (List[Row]): The label's spans; shared with other readers, do not modify.
    """
    group = doc.spans.get(spans_key)
    if group is None:
        return _NONE
    with _LOCK:
        kept = _KEPT.get(doc)
    # The group is compared by identity, so the entry keeps it (a group refers to its Doc weakly).
    if kept is None or kept[0] is not group or kept[1] != len(group):
        kept = (group, len(group), _read(group))
        with _LOCK:
            _KEPT[doc] = kept
    return kept[2].get(label, _NONE)


def assign(doc: Doc, spans_key: str, records: Sequence[Tuple[int, int, int, int, Span]]) -> None:
    """Set ``doc.spans[spans_key]`` to the spans of ``records`` and keep their rows for ``label_rows``.

    The records' integers are the spans' own (the span resolver's records): only the character
    offsets are read from the Span objects, which costs less than the Span that reading the
    group back makes.

    doc (Doc): The document.
    spans_key (str): The span group to set.
    records (Sequence[Tuple[int, int, int, int, Span]]): (start, end, label id, ``span.id``,
        Span) per span of ``doc``, in the group's order.
    """
    doc.spans[spans_key] = [record[4] for record in records]
    group = doc.spans[spans_key]
    by_label: Dict[int, List[Row]] = {}
    for start, end, label, span_id, span in records:
        rows = by_label.get(label)
        if rows is None:
            rows = by_label[label] = []
        rows.append((start, end, span_id, span.start_char, span.end_char))
    kept = (group, len(group), by_label)
    with _LOCK:
        _KEPT[doc] = kept


def _read(group) -> Dict[int, List[Row]]:
    """The rows of every span of a group, by label id, each label's in the group's order."""
    return _by_label((span.label, (span.start, span.end, span.id, span.start_char, span.end_char)) for span in group)


def _by_label(labelled: Iterable[Tuple[int, Row]]) -> Dict[int, List[Row]]:
    """Rows grouped by label id, each label's in the order given."""
    by_label: Dict[int, List[Row]] = {}
    for label, row in labelled:
        rows = by_label.get(label)
        if rows is None:
            rows = by_label[label] = []
        rows.append(row)
    return by_label
