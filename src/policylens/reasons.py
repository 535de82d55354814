"""Stable codes for the reasons an input could not be annotated.

The reason written to ``OUT.errors.jsonl`` is a sentence for people ("invalid JSON: Expecting
value (column 1)"); the code groups reasons into a small, stable set that summaries, manifests
and scripts can count on:

- ``missing``: no such file or directory, a broken symbolic link.
- ``os-error``: permission denied, a directory that cannot be listed, not a regular file,
  stdin that cannot be read, any other operating-system error.
- ``unsupported``: a suffix policylens does not read.
- ``binary``: a PDF, image, archive or other binary file (magic number or NUL bytes).
- ``decode``: bytes that are not text in UTF-8 or in any encoding the detector finds; a JSONL
  file or line that is not UTF-8; an unpaired surrogate escape.
- ``empty``: an empty or whitespace-only document, an HTML page without visible text, a JSONL
  file without any document.
- ``jsonl-malformed``: a JSONL line that is not JSON, not an object, has no ``text``, or a
  ``text``/``meta`` of the wrong type.
- ``html``: the HTML parser failed on the page.
- ``pipeline``: the pipeline raised an error on the document (set by ``annotate_stream``).
- ``other``: anything else (a new reason nobody classified yet).
"""
from typing import Tuple

REASON_CODES = (
    "missing", "os-error", "unsupported", "binary", "decode", "empty", "jsonl-malformed", "html", "pipeline",
    "other",
)
# (prefix of the reason sentence, code); the first matching prefix wins.
_PREFIXES: Tuple[Tuple[str, str], ...] = (
    ("no such file", "missing"),
    ("broken symbolic link", "missing"),
    ("binary file", "binary"),
    ("unsupported file type", "unsupported"),
    ("a jsonl file holds many documents", "unsupported"),
    ("empty document", "empty"),
    ("no documents", "empty"),
    ("invalid utf-8", "decode"),
    ("not utf-8", "decode"),
    ("not valid utf-", "decode"),
    ("jsonl must be utf-8", "decode"),
    ("the line has an unpaired utf-16 surrogate", "decode"),
    ("invalid json", "jsonl-malformed"),
    ("expected a json object", "jsonl-malformed"),
    ('missing "text"', "jsonl-malformed"),
    ('"text" must be', "jsonl-malformed"),
    ('"meta" must be', "jsonl-malformed"),
    ("could not convert the html", "html"),
    ("the pipeline failed", "pipeline"),
    ("permission denied", "os-error"),
    ("cannot list directory", "os-error"),
    ("cannot read stdin", "os-error"),
    ("is a directory", "os-error"),
    ("not a regular file", "os-error"),
)


def reason_code(reason: str) -> str:
    """The stable code of an error reason.

    reason (str): The sentence an ``InputError`` carries.
    RETURNS (str): One of REASON_CODES; "other" for a reason no prefix matches.
    """
    lowered = reason.strip().lower()
    for prefix, code in _PREFIXES:
        if lowered.startswith(prefix):
            return code
    return "other"
