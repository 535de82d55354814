"""THIRD_PARTY attributes: ``category``, ``named``, ``organization`` and ``service``.

The catalogue entry that matched gives all four; for generic parties whose entry leaves the
kind open ("third parties", "partners", "service providers") the category comes from context
(``party_context.py``, cues in ``patterns/context_rules.json``).
"""
from operator import itemgetter
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import srsly
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from ..extensions import set_attrs_at
from ..labels import SPANS_KEY, THIRD_PARTY
from .doc_context import DocContext
from .party_context import Party, PartyContext
from .span_rows import label_rows
from .table_component import TableComponent, entry_of

DEFAULT = {"category": "unspecified", "named": False, "organization": None, "service": None}
_LABEL = get_string_id(THIRD_PARTY)  # compared with the rows' label ids
# The sort key of a ``span_rows`` row, its first token (a C-level key: no Python call per row).
_first_token = itemgetter(0)


class ThirdPartyAttributes(TableComponent):
    """Set the catalogue entry's attributes on THIRD_PARTY spans, the category read in context."""

    label = THIRD_PARTY
    table_file = "catalogue.json"

    def __init__(self, name: str, *, spans_key: str):
        super().__init__(name, spans_key=spans_key)
        self.context_rules: dict = {}
        self.context = PartyContext()
        # (table, {span id hash: (pattern id, table row)}): each pattern id's row, looked up once.
        self._entries: Tuple[dict, Dict[int, Tuple[str, dict]]] = (self.table, {})

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
        return dict(self._entry(span.id, span.doc.vocab.strings)[1])

    def _entry(self, span_id: int, strings) -> Tuple[str, dict]:
        """The pattern id of a span id hash and its entry's table row (not to be changed), kept
        per id: many spans share one.

        span_id (int): ``span.id``.
        strings (StringStore): The vocab's strings.
        RETURNS (Tuple[str, dict]): The pattern id and the row.
        """
        table, entries = self._entries
        if table is not self.table:  # the table was replaced (initialize, from_disk)
            table, entries = self._entries = (self.table, {})  # one assignment: threads see both or neither
        entry = entries.get(span_id)
        if entry is None:
            if len(entries) > 100_000:
                entries.clear()  # ids come from the rules, but keep the memory bounded anyway
            pattern_id = strings[span_id]
            entry = entries[span_id] = (pattern_id, table.get(entry_of(pattern_id), DEFAULT))
        return entry

    def __call__(self, doc: Doc) -> Doc:
        """Set the attributes of every THIRD_PARTY span, with categories read in context.

        The spans are read as rows of integers (``span_rows``, shared with the other attribute
        components) and handed to the context rules as ``Party`` tuples: no Span objects.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        rows = label_rows(doc, self.spans_key, _LABEL)
        if not rows:
            return doc
        strings = doc.vocab.strings
        rows = sorted(rows, key=_first_token)  # stable: spans at one token stay in the group's order
        entries = [self._entry(row[2], strings) for row in rows]
        parties = [Party(row[0], row[1], pattern_id) for row, (pattern_id, _) in zip(rows, entries)]
        # Per start token, as the context rules key them (of two spans at one token, the later's).
        attrs = {row[0]: table_row for row, (_, table_row) in zip(rows, entries)}
        categories = self.context.categories(
            parties,
            {start: a["category"] for start, a in attrs.items()},
            {start: a["named"] for start, a in attrs.items()},
            DocContext(doc),
        )
        for start, _end, _id, start_char, end_char in rows:
            set_attrs_at(doc, THIRD_PARTY, start_char, end_char, {**attrs[start], "category": categories[start]})
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
