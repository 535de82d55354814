"""Settle the candidate spans: one span per stretch of text and label, and the ``doc.ents`` view.

The rulers and the email component all add to one span group. Here:
- spans of the same label that overlap are reduced to the longest (then the earliest);
- a THIRD_PARTY span lying inside a DATA_TYPE span is dropped: in "third-party cookies"
  the words name data, not a recipient;
- ``doc.ents`` gets a non-overlapping view (longest first), for displaCy and
  EntityRuler-style consumers.
"""
from typing import Iterable, List

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..labels import DATA_TYPE, LABELS, SPANS_KEY, THIRD_PARTY


def longest_per_label(spans: Iterable[Span]) -> List[Span]:
    """Keep, per label, the longest of overlapping spans (ties: the earliest).

    spans (Iterable[Span]): Candidate spans of any labels.
    RETURNS (List[Span]): Spans sorted by position; no two of one label overlap.
    """
    by_label = {}
    for span in spans:
        by_label.setdefault(span.label_, []).append(span)
    kept: List[Span] = []
    for group in by_label.values():
        kept.extend(filter_spans(group))
    return sorted(kept, key=lambda s: (s.start, s.end, LABELS.index(s.label_) if s.label_ in LABELS else 99))


def drop_parties_inside_data_types(spans: List[Span]) -> List[Span]:
    """Drop THIRD_PARTY spans that a DATA_TYPE span contains ("third-party cookies").

    spans (List[Span]): Spans sorted by start.
    RETURNS (List[Span]): The spans without those THIRD_PARTY spans.
    """
    data_types = [s for s in spans if s.label_ == DATA_TYPE]
    if not data_types:
        return spans
    covered = set()
    for span in data_types:
        covered.update(range(span.start, span.end))
    return [
        s
        for s in spans
        if not (
            s.label_ == THIRD_PARTY
            and s.start in covered
            and s.end - 1 in covered
            and any(d.start <= s.start and s.end <= d.end and (d.start, d.end) != (s.start, s.end) for d in data_types)
        )
    ]


class SpanResolver:
    """Resolve overlaps in the policylens span group and set ``doc.ents``."""

    def __init__(self, name: str = "span_resolver", *, spans_key: str = SPANS_KEY, annotate_ents: bool = True):
        """Create the component.

        name (str): The component name.
        spans_key (str): The span group to resolve.
        annotate_ents (bool): Whether to write the non-overlapping view to ``doc.ents``.
        """
        self.name = name
        self.spans_key = spans_key
        self.annotate_ents = annotate_ents

    def __call__(self, doc: Doc) -> Doc:
        """Resolve the spans of ``doc`` in place.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        spans = list(doc.spans[self.spans_key]) if self.spans_key in doc.spans else []
        spans = drop_parties_inside_data_types(longest_per_label(spans))
        doc.spans[self.spans_key] = spans
        if self.annotate_ents:
            doc.ents = filter_spans(spans)
        return doc


@Language.factory(
    "span_resolver",
    assigns=["doc.spans", "doc.ents"],
    default_config={"spans_key": SPANS_KEY, "annotate_ents": True},
)
def make_span_resolver(nlp: Language, name: str, spans_key: str, annotate_ents: bool) -> SpanResolver:
    """Create the span resolver (see SpanResolver)."""
    return SpanResolver(name, spans_key=spans_key, annotate_ents=annotate_ents)
