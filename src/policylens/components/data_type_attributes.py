"""DATA_TYPE attributes: the taxonomy ``category`` and the ``sensitive`` flag."""
from typing import List, Optional

from spacy.language import Language
from spacy.tokens import Span

from ..labels import DATA_TYPE, SPANS_KEY
from .table_component import TableComponent, entry_id


class DataTypeAttributes(TableComponent):
    """Set ``category`` (the span's taxonomy id) and ``sensitive`` on DATA_TYPE spans."""

    label = DATA_TYPE
    table_file = "taxonomy.json"

    def initialize(self, get_examples=None, *, nlp=None, taxonomy: Optional[List[dict]] = None) -> None:
        """Keep what the attributes need from the taxonomy.

        taxonomy (List[dict]): Entries of ``patterns/taxonomy.jsonl``.
        """
        self.table = {
            entry["id"]: {"sensitive": bool(entry["sensitive"]), "opp115": entry.get("opp115")}
            for entry in taxonomy or []
        }

    def attributes(self, span: Span) -> dict:
        """RETURNS (dict): ``{"category", "sensitive"}`` of one span."""
        category = entry_id(span)
        entry = self.table.get(category, {})
        return {"category": category if entry else None, "sensitive": entry.get("sensitive", False)}


@Language.factory("data_type_attributes", assigns=["span._.category", "span._.sensitive"], default_config={"spans_key": SPANS_KEY})
def make_data_type_attributes(nlp: Language, name: str, spans_key: str) -> DataTypeAttributes:
    """Create the DATA_TYPE attribute normaliser (see DataTypeAttributes)."""
    return DataTypeAttributes(name, spans_key=spans_key)
