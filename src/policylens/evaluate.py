"""Score predicted spans against gold spans: strict and overlap P/R/F per label (labels.md).

- strict: a predicted span counts when start, end and label equal a gold span;
- overlap: a predicted span counts when it shares a character with a gold span of the same
  label (precision); a gold span counts as found when a predicted span of that label
  overlaps it (recall).
Attribute accuracy is measured on overlapping pairs (each gold span against the predicted span
that overlaps it most) for every attribute the gold gives a value for. Gold spans from OPP-115
carry the annotators' ``value`` instead of our attributes; it is compared with ours through the
mappings of labels.md: ``DATA_TYPE.category~opp115`` (the category's OPP-115 "Personal
Information Type" in the taxonomy), ``RETENTION.kind~opp115`` (labels.OPP115_RETENTION) and
``THIRD_PARTY.category~opp115`` (named, affiliate or unnamed third party).
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .labels import DATA_TYPE, LABELS, OPP115_RETENTION, RETENTION, THIRD_PARTY

Span = Tuple[int, int]


@dataclass
class Counts:
    """Numerators and denominators of one label's scores."""

    gold: int = 0
    pred: int = 0
    strict_tp: int = 0
    overlap_pred_tp: int = 0
    overlap_gold_tp: int = 0

    def add(self, other: "Counts") -> None:
        """Add another label's or document's counts to these."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def scores(self) -> Dict[str, float]:
        """RETURNS (Dict[str, float]): strict_p/r/f, overlap_p/r/f, gold and pred counts."""
        sp, sr = _ratio(self.strict_tp, self.pred), _ratio(self.strict_tp, self.gold)
        op, orr = _ratio(self.overlap_pred_tp, self.pred), _ratio(self.overlap_gold_tp, self.gold)
        return {
            "strict_p": sp, "strict_r": sr, "strict_f": _f1(sp, sr),
            "overlap_p": op, "overlap_r": orr, "overlap_f": _f1(op, orr),
            "gold": self.gold, "pred": self.pred,
        }


@dataclass
class Evaluation:
    """Scores of a whole gold set."""

    per_label: Dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    attr_total: Counter = field(default_factory=Counter)
    attr_correct: Counter = field(default_factory=Counter)
    documents: int = 0

    def to_dict(self) -> dict:
        """RETURNS (dict): ``{"documents", "labels": {label: scores}, "all": scores, "attributes": {...}}``."""
        total = Counts()
        labels = {}
        for label in sorted(self.per_label, key=lambda l: LABELS.index(l) if l in LABELS else 99):
            labels[label] = self.per_label[label].scores()
            total.add(self.per_label[label])
        attributes = {
            key: {"accuracy": _ratio(self.attr_correct[key], n), "pairs": n}
            for key, n in sorted(self.attr_total.items())
        }
        return {"documents": self.documents, "labels": labels, "all": total.scores(), "attributes": attributes}


# OPP-115 "Third Party Entity" values, and which of our THIRD_PARTY attributes decide them.
OPP115_NAMED, OPP115_AFFILIATE, OPP115_UNNAMED = (
    "Named third party", "Other part of company/affiliate", "Unnamed third party")
# The attribute-table row of each label's comparison with OPP-115 values.
_OPP115_ROWS = {
    DATA_TYPE: "DATA_TYPE.category~opp115",
    RETENTION: "RETENTION.kind~opp115",
    THIRD_PARTY: "THIRD_PARTY.category~opp115",
}


@lru_cache(maxsize=1)
def default_opp115_types() -> Dict[str, str]:
    """The OPP-115 "Personal Information Type" of each taxonomy category, from this repository.

    RETURNS (Dict[str, str]): Category id to OPP-115 value; empty when the repository's
        ``patterns/taxonomy.jsonl`` is not there (an installed package without its data).
    """
    from .patterns import load_taxonomy
    from .pipeline import REPO_ROOT

    path = REPO_ROOT / "patterns" / "taxonomy.jsonl"
    return {entry["id"]: entry["opp115"] for entry in load_taxonomy(path)} if path.exists() else {}


def opp115_value(label: str, attrs: Mapping, opp115_types: Mapping[str, str]) -> Optional[str]:
    """The OPP-115 value our attributes stand for (labels.md), to compare with OPP-115 gold.

    label (str): The span's label.
    attrs (Mapping): The predicted span's attributes.
    opp115_types (Mapping[str, str]): DATA_TYPE category id to OPP-115 "Personal Information Type".
    RETURNS (Optional[str]): "Contact", "Limited", "Named third party", ...; None when the label
        has no OPP-115 counterpart or the attributes do not decide it.
    """
    if label == DATA_TYPE:
        return opp115_types.get(attrs.get("category"))
    if label == RETENTION:
        return OPP115_RETENTION.get(attrs.get("kind"))
    if label == THIRD_PARTY:
        if attrs.get("category") == "affiliate":
            return OPP115_AFFILIATE
        return OPP115_NAMED if attrs.get("named") else OPP115_UNNAMED
    return None


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _overlapping(spans: Sequence[Span], span: Span) -> List[int]:
    """Indices of the spans in ``spans`` that share at least one character with ``span``."""
    return [i for i, other in enumerate(spans) if other[0] < span[1] and span[0] < other[1]]


def score_document(
    gold_spans: Iterable[dict],
    pred_spans: Iterable[dict],
    evaluation: Evaluation,
    opp115_types: Optional[Mapping[str, str]] = None,
) -> None:
    """Add one document's counts to ``evaluation``.

    gold_spans (Iterable[dict]): Gold spans ``{"start", "end", "label", "attrs"?, "value"?}``
        (``value``: the OPP-115 attribute value).
    pred_spans (Iterable[dict]): Predicted spans ``{"start", "end", "label", "attrs"}``.
    evaluation (Evaluation): Accumulator, updated in place.
    opp115_types (Optional[Mapping[str, str]]): DATA_TYPE category id to OPP-115 type; default:
        this repository's taxonomy (default_opp115_types).
    """
    if opp115_types is None:
        opp115_types = default_opp115_types()
    evaluation.documents += 1
    gold_by_label, pred_by_label = defaultdict(list), defaultdict(list)
    for span in gold_spans:
        gold_by_label[span["label"]].append(span)
    for span in pred_spans:
        pred_by_label[span["label"]].append(span)
    for label in set(gold_by_label) | set(pred_by_label):
        gold = sorted(gold_by_label[label], key=lambda s: (s["start"], s["end"]))
        pred = sorted(pred_by_label[label], key=lambda s: (s["start"], s["end"]))
        gold_offsets = [(s["start"], s["end"]) for s in gold]
        pred_offsets = [(s["start"], s["end"]) for s in pred]
        counts = Counts(gold=len(gold), pred=len(pred))
        counts.strict_tp = len(set(gold_offsets) & set(pred_offsets))
        counts.overlap_pred_tp = sum(1 for p in pred_offsets if _overlapping(gold_offsets, p))
        for g_index, g in enumerate(gold_offsets):
            hits = _overlapping(pred_offsets, g)
            if not hits:
                continue
            counts.overlap_gold_tp += 1
            best = max(hits, key=lambda i: min(g[1], pred_offsets[i][1]) - max(g[0], pred_offsets[i][0]))
            _score_attributes(label, gold[g_index], pred[best], evaluation, opp115_types)
        evaluation.per_label[label].add(counts)


def _score_attributes(label: str, gold: dict, pred: dict, evaluation: Evaluation,
                      opp115_types: Mapping[str, str]) -> None:
    gold_attrs = gold.get("attrs") or {}
    pred_attrs = pred.get("attrs") or {}
    for name, value in gold_attrs.items():
        key = f"{label}.{name}"
        evaluation.attr_total[key] += 1
        evaluation.attr_correct[key] += int(pred_attrs.get(name) == value)
    value = gold.get("value")
    if isinstance(value, str) and label in _OPP115_ROWS:
        key = _OPP115_ROWS[label]
        ours = opp115_value(label, pred_attrs, opp115_types)
        evaluation.attr_total[key] += 1
        # OPP-115 writes one value in two cases ("User profile", "User Profile").
        evaluation.attr_correct[key] += int(ours is not None and ours.casefold() == value.casefold())



def evaluate_records(
    pairs: Iterable[Tuple[dict, dict]], opp115_types: Optional[Mapping[str, str]] = None
) -> Evaluation:
    """Score (gold record, predicted record) pairs.

    pairs (Iterable[Tuple[dict, dict]]): Records with ``text`` and ``spans``; the texts of a pair
        must be equal.
    opp115_types (Optional[Mapping[str, str]]): DATA_TYPE category id to OPP-115 "Personal
        Information Type", for gold spans with an OPP-115 ``value``; default: this repository's
        taxonomy.
    RETURNS (Evaluation): The accumulated scores.
    RAISES ValueError: When the texts of a pair differ.
    """
    evaluation = Evaluation()
    for number, (gold, pred) in enumerate(pairs, start=1):
        if gold.get("text") != pred.get("text"):
            raise ValueError(f"record {number}: the predicted text differs from the gold text")
        score_document(gold.get("spans", []), pred.get("spans", []), evaluation, opp115_types)
    return evaluation


def only_labels(pairs: Iterable[Tuple[dict, dict]], labels: Sequence[str]) -> List[Tuple[dict, dict]]:
    """Keep only the spans of some labels, in gold and prediction alike.

    pairs (Iterable[Tuple[dict, dict]]): (gold, predicted) records.
    labels (Sequence[str]): The labels to keep.
    RETURNS (List[Tuple[dict, dict]]): Shallow copies of the records with the other spans left out.
    """
    keep = set(labels)

    def restrict(record: dict) -> dict:
        return {**record, "spans": [span for span in record.get("spans", []) if span.get("label") in keep]}

    return [(restrict(gold), restrict(pred)) for gold, pred in pairs]


def predict(nlp, gold_records: Iterable[dict], batch_size: int = 16) -> List[dict]:
    """Annotate the texts of gold records with a pipeline.

    nlp (Language): The policylens pipeline.
    gold_records (Iterable[dict]): Gold records with ``text``.
    batch_size (int): Documents per batch.
    RETURNS (List[dict]): One annotated record per gold record, in order.
    """
    from .io import doc_to_record

    return [doc_to_record(doc) for doc in nlp.pipe((r["text"] for r in gold_records), batch_size=batch_size)]


def format_table(result: dict, title: Optional[str] = None) -> str:
    """Render ``Evaluation.to_dict()`` as a fixed-width text table.

    result (dict): The evaluation as a dict.
    title (Optional[str]): A heading line.
    RETURNS (str): The table.
    """
    lines = [title] if title else []
    header = f"{'label':<14} {'gold':>6} {'pred':>6}   {'strict P':>8} {'R':>6} {'F':>6}   {'overlap P':>9} {'R':>6} {'F':>6}"
    lines += [header, "-" * len(header)]
    rows = list(result["labels"].items()) + [("ALL", result["all"])]
    for label, s in rows:
        lines.append(
            f"{label:<14} {s['gold']:>6} {s['pred']:>6}   {s['strict_p']:>8.3f} {s['strict_r']:>6.3f} {s['strict_f']:>6.3f}"
            f"   {s['overlap_p']:>9.3f} {s['overlap_r']:>6.3f} {s['overlap_f']:>6.3f}"
        )
    if result["attributes"]:
        lines += ["", f"{'attribute':<28} {'pairs':>6} {'accuracy':>8}"]
        for key, a in result["attributes"].items():
            lines.append(f"{key:<28} {a['pairs']:>6} {a['accuracy']:>8.3f}")
    return "\n".join(lines)


# --- Review: which gold record goes with which prediction, the confusion table, the errors ---

NONE = "(none)"


def align_by_text(gold_records: Sequence[dict], pred_records: Sequence[dict]) -> List[Tuple[dict, dict]]:
    """Pair each gold record with the predicted record of the same text.

    A reviewed gold file may leave out rejected or skipped tasks and come in another order than
    the annotated corpus; texts that occur several times pair up in order.
    gold_records (Sequence[dict]): Gold records with ``text``.
    pred_records (Sequence[dict]): Annotated records with ``text``.
    RETURNS (List[Tuple[dict, dict]]): (gold, prediction) pairs in the gold's order.
    RAISES ValueError: When a gold text has no prediction left.
    """
    by_text: Dict[str, List[dict]] = defaultdict(list)
    for record in pred_records:
        by_text[record.get("text")].append(record)
    pairs = []
    for number, gold in enumerate(gold_records, start=1):
        candidates = by_text.get(gold.get("text"))
        if not candidates:
            raise ValueError(f"gold record {number}: no predicted record has its text")
        pairs.append((gold, candidates.pop(0)))
    return pairs


def _record_name(gold: dict, pred: dict, number: int) -> str:
    for meta in (gold.get("meta") or {}, pred.get("meta") or {}):
        for key in ("id", "title", "source_path"):
            if meta.get(key) not in (None, ""):
                return str(meta[key])
    return f"#{number}"


def _overlap(a: dict, b: dict) -> int:
    return min(a["end"], b["end"]) - max(a["start"], b["start"])


def _compare(gold_spans: Sequence[dict], pred_spans: Sequence[dict]):
    """Match one document's spans by overlap.

    RETURNS: (best same-label prediction per gold span or None, prediction of another label
        per unmatched gold span or None, indices of predictions that overlap a gold span of
        their label).
    """
    same, other, matched = [], [], set()
    for p_index, p in enumerate(pred_spans):
        if any(g["label"] == p["label"] and _overlap(g, p) > 0 for g in gold_spans):
            matched.add(p_index)
    for g in gold_spans:
        hits = [p for p in pred_spans if p["label"] == g["label"] and _overlap(g, p) > 0]
        same.append(max(hits, key=lambda p: (p["start"] == g["start"] and p["end"] == g["end"], _overlap(g, p)))
                    if hits else None)
        # A prediction of another label only stands for a confusion when it matches nothing of its
        # own label: a correct DATA_TYPE inside a missed RETENTION is no confusion.
        others = [p for i, p in enumerate(pred_spans)
                  if p["label"] != g["label"] and i not in matched and _overlap(g, p) > 0]
        other.append(max(others, key=lambda p: _overlap(g, p)) if not hits and others else None)
    return same, other, matched


def confusion(pairs: Iterable[Tuple[dict, dict]]) -> Dict[str, Dict[str, int]]:
    """Count which label the pipeline gave each gold span (overlap matching).

    Each gold span counts once: under its own label when a prediction of that label overlaps it;
    else under the label of the prediction of another label that overlaps it most (among those
    that overlap no gold span of their own label); else under "(none)", a miss. Predictions that
    overlap no gold span of their label and stand for no confusion count in the "(none)" row.
    pairs (Iterable[Tuple[dict, dict]]): (gold, predicted) records of the same texts.
    RETURNS (Dict[str, Dict[str, int]]): gold label (or "(none)") -> predicted label (or "(none)") -> count.
    """
    table: Dict[str, Counter] = defaultdict(Counter)
    for gold, pred in pairs:
        gold_spans, pred_spans = gold.get("spans", []), pred.get("spans", [])
        same, other, matched = _compare(gold_spans, pred_spans)
        used = {id(p) for p in other if p is not None}
        for g, s, o in zip(gold_spans, same, other):
            table[g["label"]][g["label"] if s is not None else (o["label"] if o is not None else NONE)] += 1
        for i, p in enumerate(pred_spans):
            if i not in matched and id(p) not in used:
                table[NONE][p["label"]] += 1
    return {row: dict(counts) for row, counts in table.items()}


def error_list(pairs: Iterable[Tuple[dict, dict]]) -> List[dict]:
    """The spans a review session should look at, with the rule ids of the predictions.

    - "missed": a gold span that no prediction of its label overlaps (``pred_label``: the label
      the pipeline gave it instead, if any);
    - "false_positive": a prediction that overlaps no gold span of its label (``gold_label``: the
      label of the missed gold span it stands in for in the confusion table, if any);
    - "boundary": a gold span found only with other offsets (counts against strict scores).
    pairs (Iterable[Tuple[dict, dict]]): (gold, predicted) records of the same texts.
    RETURNS (List[dict]): ``{"type", "doc", "policy", "label", "start", "end", "text", "rule_id"?, ...}``.
    """
    errors = []
    for number, (gold, pred) in enumerate(pairs, start=1):
        text, name = gold.get("text", ""), _record_name(gold, pred, number)
        gold_spans, pred_spans = gold.get("spans", []), pred.get("spans", [])
        same, other, matched = _compare(gold_spans, pred_spans)

        def entry(kind, span, **extra):
            return {"type": kind, "doc": number, "policy": name, "label": span["label"], "start": span["start"],
                    "end": span["end"], "text": text[span["start"]:span["end"]], **extra}

        for g, s, o in zip(gold_spans, same, other):
            if s is None:
                errors.append(entry("missed", g, pred_label=o["label"] if o is not None else None))
            elif (s["start"], s["end"]) != (g["start"], g["end"]):
                errors.append(entry("boundary", g, pred_start=s["start"], pred_end=s["end"],
                                    pred_text=text[s["start"]:s["end"]], rule_id=s.get("id")))
        confused = {id(o): g["label"] for g, o in zip(gold_spans, other) if o is not None}
        for i, p in enumerate(pred_spans):
            if i not in matched:
                errors.append(entry("false_positive", p, rule_id=p.get("id"), gold_label=confused.get(id(p))))
    errors.sort(key=lambda e: (e["doc"], e["start"], e["end"], e["type"]))
    return errors


def format_confusion(table: Dict[str, Dict[str, int]]) -> str:
    """Render ``confusion()`` as a fixed-width table, gold labels down, predicted labels across.

    table (Dict[str, Dict[str, int]]): The confusion counts.
    RETURNS (str): The table.
    """
    seen = set(table) | {label for row in table.values() for label in row}
    labels = list(LABELS) + sorted(seen - set(LABELS) - {NONE})
    rows, columns = labels + [NONE], labels + [NONE]
    width = max([len(c) for c in columns] + [6])
    lines = ["confusion (rows: gold label, columns: predicted label; overlap matching; (none): missed / spurious)",
             "gold \\ pred".ljust(14) + " " + " ".join(f"{c:>{width}}" for c in columns)]
    for row in rows:
        cells = ["-" if row == NONE and column == NONE else str(table.get(row, {}).get(column, 0)) for column in columns]
        lines.append(f"{row:<14} " + " ".join(f"{cell:>{width}}" for cell in cells))
    return "\n".join(lines)


def format_errors(errors: Sequence[dict]) -> str:
    """Render ``error_list()``: counts per rule id first, then every error.

    errors (Sequence[dict]): The errors.
    RETURNS (str): The listing.
    """
    lines = []
    for kind, heading in (("false_positive", "False positives"), ("boundary", "Boundary errors")):
        by_rule = Counter(e.get("rule_id") or "-" for e in errors if e["type"] == kind)
        lines += [f"{heading} per rule ({sum(by_rule.values())}):"]
        lines += [f"  {n:>4}  {rule}" for rule, n in by_rule.most_common()] or ["  none"]
    sections = (("missed", "Missed gold spans"), ("false_positive", "False positives"), ("boundary", "Boundary errors"))
    for kind, heading in sections:
        chosen = [e for e in errors if e["type"] == kind]
        lines += ["", f"{heading} ({len(chosen)}):"]
        for e in chosen:
            where = f"  {e['policy']}  {e['label']}  {e['start']}-{e['end']}  {e['text']!r}"
            if kind == "missed":
                where += f"  (predicted as {e['pred_label']})" if e["pred_label"] else ""
            elif kind == "false_positive":
                where += f"  rule {e['rule_id'] or '-'}" + (f"  (gold: {e['gold_label']})" if e["gold_label"] else "")
            else:
                where += f"  predicted {e['pred_start']}-{e['pred_end']} {e['pred_text']!r}  rule {e['rule_id'] or '-'}"
            lines.append(where)
        if not chosen:
            lines.append("  none")
    return "\n".join(lines)
