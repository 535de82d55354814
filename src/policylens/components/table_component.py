"""Shared base of the attribute components that look a span's pattern id up in a table."""
from pathlib import Path
from typing import Dict

import srsly
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from .batch_pipe import BatchPipe


def entry_id(span: Span) -> str:
    """The taxonomy or catalogue entry of a span: its pattern id before the "/".

    span (Span): A span made by a ruler, ``span.id_ == "contact.email_address/e-mail"``.
    RETURNS (str): "contact.email_address".
    """
    return entry_of(span.id_)


def entry_of(pattern_id: str) -> str:
    """The taxonomy or catalogue entry of a pattern id: its part before the "/".

    pattern_id (str): "contact.email_address/e-mail".
    RETURNS (str): "contact.email_address".
    """
    return pattern_id.split("/", 1)[0]


class TableComponent(BatchPipe):
    """Give each span of one label attributes from a table keyed on its entry id.

    Subclasses set ``label`` and ``table_file`` and implement ``attributes``.
    """

    label = ""
    table_file = "table.json"

    def __init__(self, name: str, *, spans_key: str):
        self.name = name
        self.spans_key = spans_key
        self.table: Dict[str, dict] = {}

    def attributes(self, span: Span) -> dict:
        """The attributes of one span. RETURNS (dict): name to JSON-safe value."""
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        """Set the attributes of every span of this component's label.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        if self.spans_key not in doc.spans:
            return doc
        from ..extensions import set_attrs

        label = get_string_id(self.label)  # compared with span.label: no string look-up per span
        for span in doc.spans[self.spans_key]:
            if span.label == label:
                set_attrs(span, **self.attributes(span))
        return doc

    def to_disk(self, path, *, exclude=tuple()) -> None:
        """Save the table as JSON in the component's directory."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / self.table_file, self.table)

    def from_disk(self, path, *, exclude=tuple()):
        """Load the table saved by ``to_disk``."""
        self.table = srsly.read_json(Path(path) / self.table_file)
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        """Serialise the table."""
        return srsly.msgpack_dumps(self.table)

    def from_bytes(self, data: bytes, *, exclude=tuple()):
        """Load the table from bytes."""
        self.table = srsly.msgpack_loads(data)
        return self
