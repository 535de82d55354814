"""De-overlapping of candidate spans held as plain tuples, and ``doc.ents`` written from arrays.

The span resolver works on ``(start, end, label, span_id, span)`` tuples ("records"): their ints
are compared without a property read per look-up, and ``spacy.util.filter_spans`` and the
``doc.ents`` setter (which makes a Span per entity and visits every token in Python) are
replaced by the same rules on these tuples. The results are those of the spaCy functions, down
to the order of equal spans.
"""
import bisect
import itertools
from typing import Dict, List, Tuple

import numpy

from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from ..labels import LABELS

Record = Tuple[int, int, int, int, Span]  # start, end, label id, span id, the Span itself

# The position of each label in LABELS, by label id (other labels come after, as 99).
LABEL_RANK: Dict[int, int] = {get_string_id(label): i for i, label in enumerate(LABELS)}
# Token.ent_iob values: 3 begins an entity, 1 is inside one, 2 is outside.
IOB_BEGIN, IOB_INSIDE, IOB_OUTSIDE = 3, 1, 2


def filter_records(records: List[Record]) -> List[Record]:
    """``spacy.util.filter_spans`` on records: the longest first, then the earliest.

    records (List[Record]): Records of any labels.
    RETURNS (List[Record]): Non-overlapping records, sorted by start.
    """
    ordered = sorted(records, key=lambda r: (r[1] - r[0], -r[0]), reverse=True)
    kept = []
    seen: set = set()
    for record in ordered:
        start, end = record[0], record[1]
        # As filter_spans: a longer record seen before can only cover a shorter one's ends.
        if start not in seen and end - 1 not in seen:
            kept.append(record)
            seen.update(range(start, end))
    return sorted(kept, key=lambda r: r[0])


def longest_per_label(records: List[Record]) -> List[Record]:
    """Keep, per label, the longest of overlapping records (ties: the earliest).

    records (List[Record]): Candidate records of any labels.
    RETURNS (List[Record]): Records sorted by position; no two of one label overlap.
    """
    by_label: Dict[int, List[Record]] = {}
    for record in records:
        by_label.setdefault(record[2], []).append(record)
    kept: List[Record] = []
    for group in by_label.values():
        kept.extend(filter_records(group))
    return sorted(kept, key=lambda r: (r[0], r[1], LABEL_RANK.get(r[2], 99)))


def drop_parties_inside(records: List[Record], party: int, data_type: int) -> List[Record]:
    """Drop THIRD_PARTY records that a longer DATA_TYPE record contains ("third-party cookies").

    records (List[Record]): Records of any labels.
    party (int): The THIRD_PARTY label id.
    data_type (int): The DATA_TYPE label id.
    RETURNS (List[Record]): The records without those THIRD_PARTY records.
    """
    data_types = sorted((r[0], r[1]) for r in records if r[2] == data_type)
    if not data_types:
        return records
    # A longer record containing r starts before r and ends at or after it, or starts with r
    # and ends after it: found by bisection instead of comparing every pair.
    starts = [start for start, _ in data_types]
    furthest = list(itertools.accumulate((end for _, end in data_types), max))

    def inside(start: int, end: int) -> bool:
        before = bisect.bisect_left(starts, start)
        if before and furthest[before - 1] >= end:
            return True
        same = bisect.bisect_right(starts, start)
        return same > before and data_types[same - 1][1] > end

    return [r for r in records if not (r[2] == party and inside(r[0], r[1]))]


def set_ents(doc: Doc, records: List[Record]) -> None:
    """Set ``doc.ents`` to non-overlapping records, as ``doc.ents = spans`` would.

    Tokens of an entity get its label, knowledge-base id and (when set) span id; the others are
    outside and keep their ids. Written with one ``Doc.from_array`` instead of the setter's
    Python pass over every token.

    doc (Doc): The document.
    records (List[Record]): Non-overlapping records (``filter_records``'s result).
    """
    if not len(doc):
        return
    columns = [ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID]
    values = numpy.empty((len(doc), 4), dtype=numpy.uint64)
    values[:, 0] = IOB_OUTSIDE
    values[:, 1] = 0
    values[:, 2:] = doc.to_array([ENT_KB_ID, ENT_ID])  # kept for the tokens outside entities
    # The setter skips unlabelled spans, and an empty one sets nothing.
    ents = [(r[0], r[1], r[2], r[4].kb_id, r[3]) for r in records if r[0] < r[1] and r[2]]
    if ents:
        starts, ends, labels, kb_ids, span_ids = (numpy.array(column, dtype=numpy.uint64) for column in zip(*ents))
        lengths = (ends - starts).astype(numpy.int64)
        # Every entity token, and the entity it belongs to.
        owner = numpy.repeat(numpy.arange(len(ents)), lengths)
        tokens = numpy.arange(int(lengths.sum())) - numpy.repeat(numpy.cumsum(lengths) - lengths, lengths)
        tokens += starts.astype(numpy.int64)[owner]
        values[tokens, 0] = IOB_INSIDE
        values[starts.astype(numpy.int64), 0] = IOB_BEGIN
        values[tokens, 1] = labels[owner]
        values[tokens, 2] = kb_ids[owner]
        # A span without an id leaves the token's entity id as it was.
        with_id = span_ids[owner] != 0
        values[tokens[with_id], 3] = span_ids[owner][with_id]
    doc.from_array(columns, values)
