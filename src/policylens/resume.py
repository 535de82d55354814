"""Stable document ids and the partial output an interrupted run leaves behind.

``policylens annotate -o OUT`` writes its records to ``.OUT.partial`` beside OUT (flushed after
every batch) and renames it to OUT when the run is complete. A run that is killed leaves the
partial file; ``--resume`` reads it back, drops a last line the kill cut short, and skips the
inputs whose document ids it holds, so that the finished file equals an uninterrupted run's.

A document's id is its meta "id" when it has one, else a hash of its text; it is written into
every record as ``meta["doc_id"]``. Two inputs may share an id (the same policy crawled twice),
so the ids of a partial are counted, not just collected: each occurrence skips one input.
"""
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

DOC_ID_KEY = "doc_id"
HASH_PREFIX = "sha256:"
HASH_CHARS = 32  # 128 bits of the digest: no accidental collisions in any corpus


def partial_path_for(output: Union[str, Path]) -> Path:
    """Where a run writes ``output`` until it is complete: ``dir/out.jsonl`` -> ``dir/.out.jsonl.partial``.

    output (Union[str, Path]): The final path.
    RETURNS (Path): The partial file's path.
    """
    output = Path(output)
    return output.with_name(f".{output.name}.partial")


def document_id(text: str, meta: dict) -> str:
    """The stable id of an input document.

    text (str): The document's text.
    meta (dict): Its meta. A "doc_id" already there (a record annotated before) is kept; else
        a non-empty "id" is used as a string.
    RETURNS (str): The id, "sha256:" plus 32 hex digits of the UTF-8 text when there is no meta id.
    """
    for key in (DOC_ID_KEY, "id"):
        value = meta.get(key)
        if value is not None and value != "" and not isinstance(value, (dict, list)):
            return value if isinstance(value, str) else json.dumps(value)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return HASH_PREFIX + digest[:HASH_CHARS]


@dataclass
class PartialOutput:
    """What an interrupted run left in its partial file.

    size (int): Bytes of complete, valid lines; the rest (a cut-off last line) is dropped.
    records (int): The number of those lines.
    ids (Counter): Document id -> how many records have it.
    dropped_bytes (int): Bytes after the last valid line.
    """

    size: int = 0
    records: int = 0
    ids: Counter = field(default_factory=Counter)
    dropped_bytes: int = 0


def read_partial(path: Union[str, Path]) -> PartialOutput:
    """Scan a partial output file for the records it holds completely.

    Reading stops at the first line that is not a complete JSON object ending in a newline: a
    kill can only cut the last line, and nothing after a damaged line is trusted.

    path (Union[str, Path]): The partial file; a missing file holds nothing.
    RETURNS (PartialOutput): The valid prefix's size, record count and document ids.
    """
    result = PartialOutput()
    path = Path(path)
    if not path.exists():
        return result
    total = path.stat().st_size
    with open(path, "rb") as file:
        for line in file:
            if not line.endswith(b"\n"):
                break
            try:
                record = json.loads(line)
            except ValueError:  # includes UnicodeDecodeError
                break
            if not isinstance(record, dict):
                break
            meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
            text = record.get("text") if isinstance(record.get("text"), str) else ""
            result.ids[document_id(text, meta)] += 1
            result.records += 1
            result.size += len(line)
    result.dropped_bytes = total - result.size
    return result
