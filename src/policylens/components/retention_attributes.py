"""RETENTION attributes: ``kind`` from the pattern id and the ISO 8601 ``duration``."""
from functools import lru_cache

from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc

from ..duration import parse_duration, retention_kind
from ..extensions import set_attrs_at
from ..labels import RETENTION, SPANS_KEY
from .batch_pipe import BatchPipe
from .doc_arrays import source_text, tokens_text
from .span_rows import label_rows

_LABEL = get_string_id(RETENTION)  # compared with the rows' label ids
# Span texts whose duration is kept: policies state their periods in the same words ("for as long
# as necessary", "30 days": 173 distinct texts among 282 spans on ../shared/eval).
MAX_KEPT_DURATIONS = 20_000
_duration_of = lru_cache(maxsize=MAX_KEPT_DURATIONS)(parse_duration)


class RetentionAttributes(BatchPipe):
    """Set ``kind`` and ``duration`` on RETENTION spans. Stateless: nothing to save."""

    def __init__(self, name: str = "retention_attributes", *, spans_key: str = SPANS_KEY):
        """Create the component.

        name (str): The component name.
        spans_key (str): The span group holding the spans.
        """
        self.name = name
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        """Annotate every RETENTION span of ``doc``.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        rows = label_rows(doc, self.spans_key, _LABEL)
        if not rows:
            return doc
        strings = doc.vocab.strings
        # The span's text is the slice of the source text between its character offsets:
        # ``doc[start:end].text`` makes a Token object per word, and RETENTION spans are long
        # ("for as long as your account is active").
        source = source_text(doc)
        # This label's spans only, as rows (``span_rows``): most of the group is of other labels.
        for start, end, span_id, start_char, end_char in rows:
            text = source[start_char:end_char] if source is not None else tokens_text(doc, start, end, False)
            values = {"kind": retention_kind(strings[span_id]), "duration": _duration_of(text)}
            set_attrs_at(doc, RETENTION, start_char, end_char, values)
        return doc


@Language.factory(
    "retention_attributes",
    assigns=["span._.kind", "span._.duration"],
    default_config={"spans_key": SPANS_KEY},
)
def make_retention_attributes(nlp: Language, name: str, spans_key: str) -> RetentionAttributes:
    """Create the RETENTION attribute normaliser (see RetentionAttributes)."""
    return RetentionAttributes(name, spans_key=spans_key)
