"""THIRD_PARTY attributes: ``category``, ``named``, ``organization`` and ``service``.

The catalogue entry that matched gives all four; for generic parties whose entry leaves the
kind open ("third parties", "partners", "service providers") the category comes from context
(``party_context.py``, cues in ``patterns/context_rules.json``).
"""
from pathlib import Path
from typing import Dict, List, Optional

import srsly
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from ..labels import SPANS_KEY, THIRD_PARTY
from .doc_context import DocContext
from .party_context import PartyContext
from .table_component import TableComponent, entry_id

DEFAULT = {"category": "unspecified", "named": False, "organization": None, "service": None}


class ThirdPartyAttributes(TableComponent):
    """Set the catalogue entry's attributes on THIRD_PARTY spans, the category read in context."""

    label = THIRD_PARTY
    table_file = "catalogue.json"

    def __init__(self, name: str, *, spans_key: str):
        super().__init__(name, spans_key=spans_key)
        self.context_rules: dict = {}
        self.context = PartyContext()
        self._rows: Dict[int, dict] = {}  # the table row of each span id, looked up once
        self._table_seen: Optional[dict] = None

    def initialize(
        self, get_examples=None, *, nlp=None, catalogue: Optional[List[dict]] = None, rules: Optional[dict] = None
    ) -> None:
        """Keep the attributes of each catalogue entry and the context cues.

        catalogue (List[dict]): Entries of ``patterns/third_parties.jsonl``.
        rules (Optional[dict]): ``patterns/context_rules.json``; its ``third_party_category``
            key holds the cues (none: the catalogue's category stands).
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
        self.context_rules = dict((rules or {}).get("third_party_category", {}))
        self.context = PartyContext(self.context_rules)

    def attributes(self, span: Span) -> dict:
        """RETURNS (dict): ``{"category", "named", "organization", "service"}`` of one span, from its entry."""
        return dict(self._row(span))

    def _row(self, span: Span) -> dict:
        """The table row of a span's entry (not to be changed), kept per span id: many spans share one."""
        if self._table_seen is not self.table:
            self._rows, self._table_seen = {}, self.table  # the table was replaced (initialize, from_disk)
        row = self._rows.get(span.id)
        if row is None:
            if len(self._rows) > 100_000:
                self._rows.clear()  # ids come from the rules, but keep the memory bounded anyway
            row = self._rows[span.id] = self.table.get(entry_id(span), DEFAULT)
        return row

    def __call__(self, doc: Doc) -> Doc:
        """Set the attributes of every THIRD_PARTY span, with categories read in context.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        if self.spans_key not in doc.spans:
            return doc
        from ..extensions import set_attrs

        label = get_string_id(THIRD_PARTY)  # compared with span.label: no string look-up per span
        parties = sorted((s for s in doc.spans[self.spans_key] if s.label == label), key=lambda s: s.start)
        if not parties:
            return doc
        attrs = {s.start: dict(self._row(s)) for s in parties}
        categories = self.context.categories(
            parties,
            {start: a["category"] for start, a in attrs.items()},
            {start: a["named"] for start, a in attrs.items()},
            DocContext(doc),
        )
        for span in parties:
            set_attrs(span, **dict(attrs[span.start], category=categories[span.start]))
        return doc

    def to_disk(self, path, *, exclude=tuple()) -> None:
        """Save the catalogue table and the context cues."""
        super().to_disk(path, exclude=exclude)
        srsly.write_json(ensure_path(path) / "context.json", self.context_rules)

    def from_disk(self, path, *, exclude=tuple()) -> "ThirdPartyAttributes":
        """Load what ``to_disk`` saved (a pipeline saved without cues keeps the catalogue's categories)."""
        super().from_disk(path, exclude=exclude)
        context = Path(path) / "context.json"
        self.context_rules = srsly.read_json(context) if context.exists() else {}
        self.context = PartyContext(self.context_rules)
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        """Serialise the table and the cues."""
        return srsly.msgpack_dumps({"table": self.table, "context": self.context_rules})

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "ThirdPartyAttributes":
        """Load the table and the cues from bytes."""
        loaded = srsly.msgpack_loads(data)
        self.table, self.context_rules = loaded["table"], loaded["context"]
        self.context = PartyContext(self.context_rules)
        return self


@Language.factory(
    "third_party_attributes",
    assigns=["span._.category", "span._.named", "span._.organization", "span._.service"],
    default_config={"spans_key": SPANS_KEY},
)
def make_third_party_attributes(nlp: Language, name: str, spans_key: str) -> ThirdPartyAttributes:
    """Create the THIRD_PARTY attribute normaliser (see ThirdPartyAttributes)."""
    return ThirdPartyAttributes(name, spans_key=spans_key)
