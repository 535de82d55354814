"""RETENTION attributes: ``kind`` from the pattern id and the ISO 8601 ``duration``."""
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc

from ..duration import parse_duration, retention_kind
from ..extensions import set_attrs
from ..labels import RETENTION, SPANS_KEY


class RetentionAttributes:
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
        if self.spans_key not in doc.spans:
            return doc
        label = get_string_id(RETENTION)  # compared with span.label: no string look-up per span
        # Most spans are of other labels: pick this label's out first, annotate them after.
        spans = [span for span in doc.spans[self.spans_key] if span.label == label]
        for span in spans:
            set_attrs(span, kind=retention_kind(span.id_), duration=parse_duration(span.text))
        return doc


@Language.factory(
    "retention_attributes",
    assigns=["span._.kind", "span._.duration"],
    default_config={"spans_key": SPANS_KEY},
)
def make_retention_attributes(nlp: Language, name: str, spans_key: str) -> RetentionAttributes:
    """Create the RETENTION attribute normaliser (see RetentionAttributes)."""
    return RetentionAttributes(name, spans_key=spans_key)
