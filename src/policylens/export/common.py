"""What the exporters share: an atomic text output, per-span records, policy titles, colours."""
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Union

from spacy.tokens import Doc, Span

from ..extensions import get_attrs
from ..labels import ATTRIBUTES, CONTACT_EMAIL, DATA_TYPE, RETENTION, THIRD_PARTY
from ..writer import JsonlWriter, temp_file_beside

# One colour per label, used by the HTML page and the Label Studio config alike.
LABEL_COLORS = {
    DATA_TYPE: "#7aecec",
    THIRD_PARTY: "#feca74",
    CONTACT_EMAIL: "#aa9cfc",
    RETENTION: "#ff9561",
}
OTHER_COLOR = "#dddddd"


def write_jsonl_tasks(docs: Iterable[Doc], output: Union[str, Path], to_task: Callable[[Doc], dict]) -> int:
    """Write one JSON line per Doc, atomically (the JSONL exporters' shared body).

    docs (Iterable[Doc]): Annotated Docs.
    output (Union[str, Path]): The output path, or "-" for stdout.
    to_task (Callable[[Doc], dict]): Makes the tool's record of one Doc.
    RETURNS (int): The number of records written.
    """
    with JsonlWriter(output) as writer:
        for doc in docs:
            writer.write(to_task(doc))
    return writer.count


@contextmanager
def open_text(output: Union[str, Path]) -> Iterator[IO[str]]:
    """Open a text file for writing; it appears under its name only once complete.

    output (Union[str, Path]): The path, or "-" for stdout.
    YIELDS (IO[str]): The file to write to (UTF-8, "\\n" line ends).
    """
    if str(output) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temp_file_beside(target)
    try:
        # newline="" so the csv module's own "\r\n" row ends are written unchanged.
        with os.fdopen(fd, "w", encoding="utf8", newline="") as file:
            yield file
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def span_record(span: Span) -> dict:
    """The reviewable facts of a span: offsets, label, text, rule id and attributes.

    span (Span): A span of the policylens span group.
    RETURNS (dict): ``{"start", "end", "label", "text", "rule_id", "attrs"}``.
    """
    attrs = get_attrs(span)
    names = ATTRIBUTES.get(span.label_, tuple(attrs))
    return {
        "start": span.start_char,
        "end": span.end_char,
        "label": span.label_,
        "text": span.text,
        "rule_id": span.id_,
        "attrs": {name: attrs.get(name) for name in names},
    }


def doc_title(doc: Doc, number: int) -> str:
    """A short name for a policy: its meta ``title``, ``id`` or ``source_path``.

    doc (Doc): The Doc.
    number (int): Its 1-based position, used when the meta names nothing.
    RETURNS (str): The name.
    """
    meta = doc._.meta or {}
    for key in ("title", "id", "source_path"):
        if meta.get(key) not in (None, ""):
            return str(meta[key])
    return f"Policy {number}"
