"""DATA_TYPE attributes: the taxonomy ``category`` and the ``sensitive`` flag."""
from typing import Dict, List, Optional, Tuple

from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc

from ..extensions import USER_DATA_KEY
from ..labels import DATA_TYPE, SPANS_KEY
from .span_rows import label_rows
from .table_component import TableComponent, entry_of


class DataTypeAttributes(TableComponent):
    """Set ``category`` (the span's taxonomy id) and ``sensitive`` on DATA_TYPE spans."""

    label = DATA_TYPE
    table_file = "taxonomy.json"
    _label = get_string_id(DATA_TYPE)  # compared with the rows' label ids
    # (table, {pattern id hash: attributes}): the attributes of each pattern id, worked out once.
    _by_id: Optional[Tuple[dict, Dict[int, dict]]] = None

    def initialize(self, get_examples=None, *, nlp=None, taxonomy: Optional[List[dict]] = None) -> None:
        """Keep what the attributes need from the taxonomy.

        taxonomy (List[dict]): Entries of ``patterns/taxonomy.jsonl``.
        """
        self.table = {
            entry["id"]: {"sensitive": bool(entry["sensitive"]), "opp115": entry.get("opp115")}
            for entry in taxonomy or []
        }

    def __call__(self, doc: Doc) -> Doc:
        """Set the attributes of every DATA_TYPE span.

        DATA_TYPE spans are most of a policy's spans: they are read as rows of integers
        (``span_rows``, shared with the other attribute components), the attributes are worked
        out once per pattern id and written straight to ``doc.user_data``.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        memo = self._by_id
        if memo is None or memo[0] is not self.table:  # new or reloaded table
            memo = self._by_id = (self.table, {})  # one assignment: threads see both or neither
        by_id: Dict[int, dict] = memo[1]
        strings = doc.vocab.strings
        user_data = doc.user_data
        for _start, _end, span_id, start_char, end_char in label_rows(doc, self.spans_key, self._label):
            values = by_id.get(span_id)
            if values is None:
                values = by_id[span_id] = self.attributes_of(strings[span_id])
            # extensions.set_attrs_at written out: this loop runs for most of a policy's spans.
            key = (USER_DATA_KEY, DATA_TYPE, start_char, end_char)
            current = user_data.get(key)
            user_data[key] = {**current, **values} if current else values.copy()
        return doc

    def attributes_of(self, pattern_id: str) -> dict:
        """The attributes of a span made by a pattern.

        pattern_id (str): The span's pattern id ("contact.email_address/e-mail").
        RETURNS (dict): ``{"category", "sensitive"}``.
        """
        category = entry_of(pattern_id)
        entry = self.table.get(category, {})
        return {"category": category if entry else None, "sensitive": entry.get("sensitive", False)}


@Language.factory("data_type_attributes", assigns=["span._.category", "span._.sensitive"], default_config={"spans_key": SPANS_KEY})
def make_data_type_attributes(nlp: Language, name: str, spans_key: str) -> DataTypeAttributes:
    """Create the DATA_TYPE attribute normaliser (see DataTypeAttributes)."""
    return DataTypeAttributes(name, spans_key=spans_key)
