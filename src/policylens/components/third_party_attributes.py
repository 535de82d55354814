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

from ..extensions import USER_DATA_KEY
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
        # (table, {span id hash: (Party maker, table row, category, named)}), the same rows in
        # the form ``__call__`` reads them.
        self._call_entries: Tuple[dict, Dict[int, tuple]] = (self.table, {})

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
        rows = sorted(rows, key=_first_token)  # stable: spans at one token stay in the group's order
        known = self._call_rows(doc.vocab.strings, {row[2] for row in rows})
        entries = [known[row[2]] for row in rows]
        parties = [Party(row[0], row[1], entry[0]) for row, entry in zip(rows, entries)]
        # Per start token, as the context rules key them (of two spans at one token, the later's).
        attrs, base, named = {}, {}, {}
        for row, entry in zip(rows, entries):
            start = row[0]
            attrs[start], base[start], named[start] = entry[1], entry[2], entry[3]
        categories = self.context.categories(parties, base, named, DocContext(doc))
        # ``extensions.set_attrs_at`` written out: a dict of its own per span, the attributes
        # already set first.
        user_data = doc.user_data
        for start, _end, _id, start_char, end_char in rows:
            key = (USER_DATA_KEY, THIRD_PARTY, start_char, end_char)
            current = user_data.get(key)
            values = {**attrs[start], "category": categories[start]}
            user_data[key] = {**current, **values} if current else values
        return doc

    def _call_rows(self, strings, span_ids: set) -> Dict[int, tuple]:
        """(pattern id, table row, category, named) of each span id hash (``_entry``), kept per
        id; the ids of one Doc are made sure of, and the dict of every id known is returned.

        strings (StringStore): The vocab's strings.
        span_ids (set): The ``span.id`` hashes of a Doc's THIRD_PARTY spans.
        RETURNS (Dict[int, tuple]): At least those ids; shared, not to be changed.
        """
        table, known = self._call_entries
        if table is not self.table:  # the table was replaced (initialize, from_disk)
            table, known = self._call_entries = (self.table, {})  # one assignment: threads see both or neither
        missing = span_ids.difference(known)
        if missing:
            if len(known) > 100_000:
                # ids come from the rules, but keep the memory bounded anyway: a fresh dict, so
                # that a thread reading the old one still finds its ids there.
                known, missing = {}, span_ids
                self._call_entries = (table, known)
            for span_id in missing:
                pattern_id, table_row = self._entry(span_id, strings)
                known[span_id] = (pattern_id, table_row, table_row["category"], table_row["named"])
        return known

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
