"""Shared base of the attribute components that look a span's pattern id up in a table."""
from pathlib import Path
from typing import Dict

import srsly
from spacy.util import ensure_path

from .batch_pipe import BatchPipe


def entry_of(pattern_id: str) -> str:
    """The taxonomy or catalogue entry of a pattern id: its part before the "/".

    pattern_id (str): "contact.email_address/e-mail".
    RETURNS (str): "contact.email_address".
    """
    return pattern_id.split("/", 1)[0]


class TableComponent(BatchPipe):
    """Give each span of one label attributes from a table keyed on its entry id.

    Subclasses set ``label`` and ``table_file`` and implement ``__call__`` (they read their
    label's spans as rows, ``span_rows.label_rows``, and write ``doc.user_data``).
    """

    label = ""
    table_file = "table.json"

    def __init__(self, name: str, *, spans_key: str):
        self.name = name
        self.spans_key = spans_key
        self.table: Dict[str, dict] = {}

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
