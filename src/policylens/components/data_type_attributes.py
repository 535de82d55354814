"""DATA_TYPE attributes: the taxonomy ``category`` and the ``sensitive`` flag."""
from typing import Dict, List, Optional

from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from ..extensions import USER_DATA_KEY
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

    def __call__(self, doc: Doc) -> Doc:
        """Set the attributes of every DATA_TYPE span (as ``TableComponent`` does).

        DATA_TYPE spans are most of a policy's spans: the attributes are worked out once per
        pattern id and written straight to ``doc.user_data`` (what ``extensions.set_attrs``
        does, without its look-ups per span).

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        if self.spans_key not in doc.spans:
            return doc
        if getattr(self, "_by_id_table", None) is not self.table:  # new or reloaded table
            self._by_id_table, self._by_id = self.table, {}
        by_id: Dict[int, dict] = self._by_id
        label = get_string_id(DATA_TYPE)  # compared with span.label: no string look-up per span
        user_data = doc.user_data
        for span in [span for span in doc.spans[self.spans_key] if span.label == label]:
            values = by_id.get(span.id)
            if values is None:
                values = by_id[span.id] = self.attributes(span)
            key = (USER_DATA_KEY, DATA_TYPE, span.start_char, span.end_char)
            current = user_data.get(key)
            # A dict of its own per span, the attributes already set first (as set_attrs does).
            user_data[key] = {**current, **values} if current else dict(values)
        return doc

    def attributes(self, span: Span) -> dict:
        """RETURNS (dict): ``{"category", "sensitive"}`` of one span."""
        category = entry_id(span)
        entry = self.table.get(category, {})
        return {"category": category if entry else None, "sensitive": entry.get("sensitive", False)}


@Language.factory("data_type_attributes", assigns=["span._.category", "span._.sensitive"], default_config={"spans_key": SPANS_KEY})
def make_data_type_attributes(nlp: Language, name: str, spans_key: str) -> DataTypeAttributes:
    """Create the DATA_TYPE attribute normaliser (see DataTypeAttributes)."""
    return DataTypeAttributes(name, spans_key=spans_key)
