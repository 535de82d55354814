"""Settle the candidate spans: trim them, drop those context rules out, one span per stretch and label.

The rulers and the email component all add to one span group. Here, in order:
- leading words that labels.md leaves out of a span are trimmed ("your email address" ->
  "email address", "our service providers" -> "service providers");
- THIRD_PARTY spans that context shows are not recipients are dropped: a generic party used
  as a compound modifier ("third-party cookies", "court order"), attackers ("unauthorized
  third parties"), and a party lying inside a DATA_TYPE span;
- spans of the same label that overlap are reduced to the longest (then the earliest);
- ``doc.ents`` gets a non-overlapping view (longest first), for displaCy and
  EntityRuler-style consumers.
The word lists are data (``patterns/context_rules.json``), saved with the pipeline.
"""
import bisect
import itertools
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, filter_spans

from ..labels import DATA_TYPE, LABELS, SPANS_KEY, THIRD_PARTY


def longest_per_label(spans: Iterable[Span]) -> List[Span]:
    """Keep, per label, the longest of overlapping spans (ties: the earliest).

    spans (Iterable[Span]): Candidate spans of any labels.
    RETURNS (List[Span]): Spans sorted by position; no two of one label overlap.
    """
    by_label: Dict[str, List[Span]] = {}
    for span in spans:
        by_label.setdefault(span.label_, []).append(span)
    kept: List[Span] = []
    for group in by_label.values():
        kept.extend(filter_spans(group))
    return sorted(kept, key=lambda s: (s.start, s.end, LABELS.index(s.label_) if s.label_ in LABELS else 99))


def drop_parties_inside_data_types(spans: List[Span]) -> List[Span]:
    """Drop THIRD_PARTY spans that a longer DATA_TYPE span contains ("third-party cookies").

    spans (List[Span]): Spans of any labels.
    RETURNS (List[Span]): The spans without those THIRD_PARTY spans.
    """
    labels = [s.label_ for s in spans]
    data_types = sorted((s.start, s.end) for s, label in zip(spans, labels) if label == DATA_TYPE)
    if not data_types:
        return spans
    # A longer span containing s starts before s and ends at or after it, or starts with s and
    # ends after it: found by bisection instead of comparing every pair.
    starts = [start for start, _ in data_types]
    furthest = list(itertools.accumulate((end for _, end in data_types), max))

    def inside(span: Span) -> bool:
        before = bisect.bisect_left(starts, span.start)
        if before and furthest[before - 1] >= span.end:
            return True
        same = bisect.bisect_right(starts, span.start)
        return same > before and data_types[same - 1][1] > span.end

    return [s for s, label in zip(spans, labels) if not (label == THIRD_PARTY and inside(s))]


class SpanResolver:
    """Trim, filter and de-overlap the policylens span group, and set ``doc.ents``."""

    def __init__(self, name: str = "span_resolver", *, spans_key: str = SPANS_KEY, annotate_ents: bool = True):
        """Create the component.

        name (str): The component name.
        spans_key (str): The span group to resolve.
        annotate_ents (bool): Whether to write the non-overlapping view to ``doc.ents``.
        """
        self.name = name
        self.spans_key = spans_key
        self.annotate_ents = annotate_ents
        self.rules: dict = {}
        self._compile()

    def initialize(self, get_examples=None, *, nlp=None, rules: Optional[dict] = None) -> None:
        """Load the context rules (``patterns/context_rules.json``).

        rules (Optional[dict]): ``{"trim_leading": {label: [words]}, "modifier_heads": [...],
            "attacker_before": [...], "attacker_after": [phrases]}``.
        """
        self.rules = {key: value for key, value in (rules or {}).items() if key != "description"}
        self._compile()

    def _compile(self) -> None:
        """Turn the word lists into sets for constant-time lookups."""
        self._trim = {label: frozenset(words) for label, words in self.rules.get("trim_leading", {}).items()}
        self._modifier_heads = frozenset(self.rules.get("modifier_heads", []))
        self._attacker_before = frozenset(self.rules.get("attacker_before", []))
        self._attacker_after = [tuple(p.split()) for p in self.rules.get("attacker_after", [])]

    def trim(self, span: Span) -> Span:
        """The span without the leading words its label leaves out (at least one token stays).

        span (Span): A candidate span.
        RETURNS (Span): The same span, or a shorter one with the same label and id.
        """
        words = self._trim.get(span.label_)
        if not words:
            return span
        start = span.start
        while start < span.end - 1 and span.doc[start].lower_ in words:
            start += 1
        if start == span.start:
            return span
        return Span(span.doc, start, span.end, label=span.label, span_id=span.id)

    def is_not_a_recipient(self, span: Span) -> bool:
        """Whether context shows a THIRD_PARTY span names no recipient.

        span (Span): A THIRD_PARTY span.
        RETURNS (bool): True for compound modifiers of generic parties and for attackers.
        """
        doc = span.doc
        generic = span.id_.startswith("generic.")
        if generic and span.end < len(doc) and doc[span.end].lower_ in self._modifier_heads:
            if not span[-1].lower_.endswith("s"):
                return True
        if span.start > 0 and doc[span.start - 1].lower_ in self._attacker_before:
            return True
        after = tuple(t.lower_ for t in doc[span.end : span.end + 3])
        return any(after[: len(phrase)] == phrase for phrase in self._attacker_after)

    def __call__(self, doc: Doc) -> Doc:
        """Resolve the spans of ``doc`` in place.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        spans = [self.trim(s) for s in doc.spans.get(self.spans_key, [])]
        spans = [s for s in spans if not (s.label_ == THIRD_PARTY and self.is_not_a_recipient(s))]
        spans = drop_parties_inside_data_types(longest_per_label(spans))
        doc.spans[self.spans_key] = spans
        if self.annotate_ents:
            doc.ents = filter_spans(spans)
        return doc

    def to_disk(self, path, *, exclude=tuple()) -> None:
        """Save the rules to ``path/rules.json``."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "rules.json", self.rules)

    def from_disk(self, path, *, exclude=tuple()) -> "SpanResolver":
        """Load the rules saved by ``to_disk``."""
        self.rules = srsly.read_json(Path(path) / "rules.json")
        self._compile()
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        """Serialise the rules."""
        return srsly.msgpack_dumps(self.rules)

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "SpanResolver":
        """Load the rules from bytes."""
        self.rules = srsly.msgpack_loads(data)
        self._compile()
        return self


@Language.factory(
    "span_resolver",
    assigns=["doc.spans", "doc.ents"],
    default_config={"spans_key": SPANS_KEY, "annotate_ents": True},
)
def make_span_resolver(nlp: Language, name: str, spans_key: str, annotate_ents: bool) -> SpanResolver:
    """Create the span resolver (see SpanResolver)."""
    return SpanResolver(name, spans_key=spans_key, annotate_ents=annotate_ents)
