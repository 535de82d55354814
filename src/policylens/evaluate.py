"""Score predicted spans against gold spans: strict and overlap P/R/F per label (labels.md).

- strict: a predicted span counts when start, end and label equal a gold span;
- overlap: a predicted span counts when it shares a character with a gold span of the same
  label (precision); a gold span counts as found when a predicted span of that label
  overlaps it (recall).
Attribute accuracy is measured on overlapping pairs (each gold span against the predicted span
that overlaps it most) for every attribute the gold gives a value for.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .labels import LABELS

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


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _overlapping(spans: Sequence[Span], span: Span) -> List[int]:
    """Indices of the spans in ``spans`` that share at least one character with ``span``."""
    return [i for i, other in enumerate(spans) if other[0] < span[1] and span[0] < other[1]]


def score_document(gold_spans: Iterable[dict], pred_spans: Iterable[dict], evaluation: Evaluation) -> None:
    """Add one document's counts to ``evaluation``.

    gold_spans (Iterable[dict]): Gold spans ``{"start", "end", "label", "attrs"?}``.
    pred_spans (Iterable[dict]): Predicted spans, same shape.
    evaluation (Evaluation): Accumulator, updated in place.
    """
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
            _score_attributes(label, gold[g_index], pred[best], evaluation)
        evaluation.per_label[label].add(counts)


def _score_attributes(label: str, gold: dict, pred: dict, evaluation: Evaluation) -> None:
    gold_attrs = gold.get("attrs") or {}
    pred_attrs = pred.get("attrs") or {}
    for name, value in gold_attrs.items():
        key = f"{label}.{name}"
        evaluation.attr_total[key] += 1
        evaluation.attr_correct[key] += int(pred_attrs.get(name) == value)


def evaluate_records(pairs: Iterable[Tuple[dict, dict]]) -> Evaluation:
    """Score (gold record, predicted record) pairs.

    pairs (Iterable[Tuple[dict, dict]]): Records with ``text`` and ``spans``; the texts of a pair
        must be equal.
    RETURNS (Evaluation): The accumulated scores.
    RAISES ValueError: When the texts of a pair differ.
    """
    evaluation = Evaluation()
    for number, (gold, pred) in enumerate(pairs, start=1):
        if gold.get("text") != pred.get("text"):
            raise ValueError(f"record {number}: the predicted text differs from the gold text")
        score_document(gold.get("spans", []), pred.get("spans", []), evaluation)
    return evaluation


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
