"""THIRD_PARTY attributes: ``category``, ``named``, ``organization`` and ``service``."""
from typing import List, Optional

from spacy.language import Language
from spacy.tokens import Span

from ..labels import SPANS_KEY, THIRD_PARTY
from .table_component import TableComponent, entry_id


class ThirdPartyAttributes(TableComponent):
    """Set the catalogue entry's attributes on THIRD_PARTY spans."""

    label = THIRD_PARTY
    table_file = "catalogue.json"

    def initialize(self, get_examples=None, *, nlp=None, catalogue: Optional[List[dict]] = None) -> None:
        """Keep the attributes of each catalogue entry.

        catalogue (List[dict]): Entries of ``patterns/third_parties.jsonl``.
        """
        self.table = {
            entry["id"]: {
                "category": entry["category"],
                "named": bool(entry.get("named", False)),
                "organization": entry.get("organization") if entry.get("named") else None,
                "service": entry.get("service") if entry.get("named") else None,
            }
            for entry in catalogue or []
        }

    def attributes(self, span: Span) -> dict:
        """RETURNS (dict): ``{"category", "named", "organization", "service"}`` of one span."""
        default = {"category": "unspecified", "named": False, "organization": None, "service": None}
        return dict(self.table.get(entry_id(span), default))


@Language.factory(
    "third_party_attributes",
    assigns=["span._.category", "span._.named", "span._.organization", "span._.service"],
    default_config={"spans_key": SPANS_KEY},
)
def make_third_party_attributes(nlp: Language, name: str, spans_key: str) -> ThirdPartyAttributes:
    """Create the THIRD_PARTY attribute normaliser (see ThirdPartyAttributes)."""
    return ThirdPartyAttributes(name, spans_key=spans_key)
