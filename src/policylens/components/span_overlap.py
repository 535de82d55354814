"""De-overlapping of candidate spans held as plain tuples, and ``doc.ents`` written from arrays.

The span resolver works on ``(start, end, label, span_id, span)`` tuples ("records"): their ints
are compared without a property read per look-up, and ``spacy.util.filter_spans`` and the
``doc.ents`` setter (which makes a Span per entity and visits every token in Python) are
replaced by the same rules on these tuples and their spans. The results are those of the spaCy functions, down
to the order of equal spans.
"""
import bisect
import itertools
import operator
from operator import itemgetter
from typing import Dict, List, Tuple

import numpy

from spacy.attrs import ENT_IOB, ENT_TYPE
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from ..labels import LABELS

Record = Tuple[int, int, int, int, Span]  # start, end, label id, span id, the Span itself

# The position of each label in LABELS, by label id (other labels come after, as 99).
LABEL_RANK: Dict[int, int] = {get_string_id(label): i for i, label in enumerate(LABELS)}
# The Token.ent_iob value of a token outside every entity.
IOB_OUTSIDE = 2


def filter_records(records: List[Record], length: int) -> List[Record]:
    """``spacy.util.filter_spans`` on records: the longest first, then the earliest.

    Records that overlap nothing are kept as they are; only runs of overlapping records (and
    any set holding an empty record, whose test reaches the token before it) go through
    ``longest_first``. Runs share no token, so each run's choice is the whole set's.

    records (List[Record]): Records of any labels.
    length (int): The document's length in tokens.
    RETURNS (List[Record]): Non-overlapping records, sorted by start.
    """
    by_start = sorted(records, key=itemgetter(0))
    kept: List[Record] = []
    run: List[Record] = []
    run_end = -1
    for record in by_start:
        if record[0] >= record[1]:
            return longest_first(records, length)
        if record[0] < run_end:
            run.append(record)
            run_end = max(run_end, record[1])
            continue
        if run:
            settle_run(run, run_end, kept, length)
        run, run_end = [record], record[1]
    if run:
        settle_run(run, run_end, kept, length)
    return kept


def settle_run(run: List[Record], run_end: int, kept: List[Record], length: int) -> None:
    """Add what ``filter_spans`` keeps of a run of overlapping non-empty records to ``kept``.

    run (List[Record]): Records sorted by start (ties in their input order), each overlapping
        the ones before it.
    run_end (int): The furthest end of the run's records.
    kept (List[Record]): The records kept so far (appended to).
    length (int): The document's length in tokens.
    """
    if len(run) == 1:
        kept.append(run[0])
        return
    # filter_spans takes the longest first, at equal lengths the first (the earlier start, or at
    # the same start the earlier in the input): ``max`` returns that one.
    top = max(run, key=record_length)
    if top[0] == run[0][0] and top[1] == run_end:
        kept.append(top)  # it covers the run: every other record has its first token inside it
    elif len(run) == 2:
        # Two overlapping records: the shorter has its first or last token inside the longer.
        kept.append(top)
    else:
        kept.extend(longest_first(run, length))


def record_length(record: Record) -> int:
    """The number of tokens of a record."""
    return record[1] - record[0]


def longest_first(records: List[Record], length: int) -> List[Record]:
    """``spacy.util.filter_spans`` itself on records (``filter_records`` calls it for overlaps).

    records (List[Record]): Records, in the order that decides between equal ones.
    length (int): The document's length in tokens.
    RETURNS (List[Record]): Non-overlapping records, sorted by start.
    """
    # filter_spans sorts by (length, -start), reversed, which keeps equal spans in their order:
    # the same as sorting (-length, start, position) ascending, done here on one int per record
    # (its digits in base ``radix``): ints sort faster than tuples.
    radix = max(length, len(records)) + 1
    order = sorted([((r[0] - r[1]) * radix + r[0]) * radix + i for i, r in enumerate(records)])
    kept = []
    # Token i covered <=> seen[i]; one spare cell at the end stands for filter_spans' "-1 not
    # seen" test of an empty span at the start.
    seen = bytearray(length + 1)
    for key in order:
        start, end = records[key % radix][0], records[key % radix][1]
        # As filter_spans: a longer record seen before can only cover a shorter one's ends.
        if not seen[start] and not seen[end - 1]:
            kept.append(records[key % radix])
            if end > start:
                seen[start:end] = b"\x01" * (end - start)
    kept.sort(key=itemgetter(0))
    return kept


def longest_per_label(records: List[Record], length: int) -> List[Record]:
    """Keep, per label, the longest of overlapping records (ties: the earliest).

    records (List[Record]): Candidate records of any labels.
    length (int): The document's length in tokens.
    RETURNS (List[Record]): Records sorted by position; no two of one label overlap.
    """
    by_label: Dict[int, List[Record]] = {}
    for record in records:
        by_label.setdefault(record[2], []).append(record)
    kept: List[Record] = []
    for group in by_label.values():
        kept.extend(filter_records(group, length))
    # Sorted by (start, end, label rank, position), as one int per record (see filter_records).
    rank = LABEL_RANK.get
    radix = max(length, len(kept)) + 1
    order = sorted([((r[0] * radix + r[1]) * 100 + rank(r[2], 99)) * radix + i for i, r in enumerate(kept)])
    return [kept[key % radix] for key in order]


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
    outside and keep their ids. The setter makes a new Span per entity and visits every token in
    Python; here one ``Doc.from_array`` marks every token outside, and ``Doc.set_ents`` with the
    records' own spans sets the entity tokens only.

    doc (Doc): The document.
    records (List[Record]): Non-overlapping records (``filter_records``'s result).
    """
    if not len(doc):
        return
    outside = numpy.zeros((len(doc), 2), dtype=numpy.uint64)
    outside[:, 0] = IOB_OUTSIDE
    doc.from_array([ENT_IOB, ENT_TYPE], outside)
    doc.set_ents([record[4] for record in records], default="unmodified")


def resolve_overlaps(
    records: List[Record], length: int, party: int, data_type: int
) -> Tuple[List[Record], List[Record]]:
    """``longest_per_label``, then ``drop_parties_inside``, and ``filter_records`` of the result
    (the view for ``doc.ents``), with the same results down to the order of records.

    Most records overlap no other record of any label: whatever the rules, those are kept and
    shown as they are. The records are sorted by start once (in C), the clusters of records
    that overlap one another are found with ``itertools`` (no Python step per record), and only
    the clusters go through the tuple functions, each on its own: no rule reaches from one
    cluster into another. This needs every label in LABELS (then no two kept records of
    different labels tie in ``longest_per_label``'s order) and no empty record; other sets take
    ``resolve_all``.

    records (List[Record]): Candidate records of any labels.
    length (int): The document's length in tokens.
    party (int): The THIRD_PARTY label id.
    data_type (int): The DATA_TYPE label id.
    RETURNS (Tuple[List[Record], List[Record]]): The records sorted by (start, end, label
        rank), no two of one label overlapping and no THIRD_PARTY inside a longer DATA_TYPE;
        and their non-overlapping subset, sorted by start.
    """
    # By start, equal starts in their input order (the order filter_records reads them in).
    ordered = sorted(records, key=itemgetter(0))
    starts = [record[0] for record in ordered]
    ends = [record[1] for record in ordered]
    if any(map(operator.ge, starts, ends)) or not {record[2] for record in ordered}.issubset(LABEL_RANK):
        return resolve_all(records, length, party, data_type)
    # Record i overlaps an earlier one when it starts before the furthest end so far.
    reach = list(itertools.accumulate(ends, max))
    joined = list(itertools.compress(range(1, len(ordered)), map(operator.lt, starts[1:], reach)))
    kept: List[Record] = []
    shown: List[Record] = []
    done = 0  # the records before this one are settled
    at = 0
    while at < len(joined):
        first = last = joined[at]
        at += 1
        while at < len(joined) and joined[at] == last + 1:
            last = joined[at]
            at += 1
        # Records first - 1 to last overlap in a chain: a cluster; those before it, nothing.
        kept += ordered[done : first - 1]
        shown += ordered[done : first - 1]
        cluster = ordered[first - 1 : last + 1]
        label = cluster[0][2]
        if len(cluster) == 2 and cluster[1][2] == label:
            # Two records of one label (most clusters): the longer, else the first (settle_run).
            one, two = cluster
            top = two if two[1] - two[0] > one[1] - one[0] else one
            kept.append(top)
            shown.append(top)
        elif all(record[2] == label for record in cluster):
            # One label: one run of filter_records (settle_run); nothing to drop or to hide.
            top = max(cluster, key=record_length)
            settled = [top] if top[0] == cluster[0][0] and top[1] == reach[last] else longest_first(cluster, length)
            kept += settled
            shown += settled
        else:
            cluster = drop_parties_inside(longest_per_label(cluster, length), party, data_type)
            kept += cluster
            shown += filter_records(cluster, length)
        done = last + 1
    kept += ordered[done:]
    shown += ordered[done:]
    return kept, shown


def resolve_all(
    records: List[Record], length: int, party: int, data_type: int
) -> Tuple[List[Record], List[Record]]:
    """``resolve_overlaps`` on any records (labels outside LABELS, empty records included): the
    tuple functions on the whole set.

    records (List[Record]): Candidate records of any labels.
    length (int): The document's length in tokens.
    party (int): The THIRD_PARTY label id.
    data_type (int): The DATA_TYPE label id.
    RETURNS (Tuple[List[Record], List[Record]]): As ``resolve_overlaps``.
    """
    kept = drop_parties_inside(longest_per_label(records, length), party, data_type)
    return kept, filter_records(kept, length)
