"""Read privacy policies from files, directories, JSONL and stdin as plain text plus meta.

Every input becomes either an ``InputDocument`` (text and meta) or an ``InputError`` (the input's
name and one sentence saying why it was not read), so a bad input never stops a corpus run and
nothing is dropped silently.

- ``.txt`` files are read as they are, ``.md``/``.markdown`` too (no Markdown conversion: span
  offsets refer to the file's text), ``.html``/``.htm`` are converted with
  ``policylens.html_text.html_to_text``, and every line of a ``.jsonl`` file is one document
  ``{"text": str, "meta": {...}}``.
- Bytes are decoded as UTF-8 (a BOM is removed); UTF-16/32 files with a BOM are decoded too.
  Anything else goes to charset-normalizer (for HTML, a valid ``<meta charset>`` declaration is
  tried first; "iso-8859-1" means windows-1252 as in browsers) and the encoding used is recorded
  in ``meta["encoding"]``. Legacy 8-bit encodings are ambiguous on short texts; when candidates
  decode equally well, cp1252 wins, so latin-1 files report "cp1252". The text is otherwise kept
  as decoded (line ends included), so offsets map to the file's characters.
- A JSONL line is ``{"text": str, "meta": object}`` (``meta`` optional, null allowed; other keys
  are ignored). The reader adds "source_path", "source_line" and "format" to the meta only where
  the input's meta lacks them, so provenance from an earlier run passes through unchanged. A
  JSONL input without any non-blank line is reported as an error.
- stdin ("-") is one document of text, Markdown or HTML, or a JSONL stream; its source_path is
  "<stdin>".
- Directories are walked depth first in sorted name order, following symbolic links but visiting
  each real directory once; hidden entries (".name") and unsupported suffixes are skipped there,
  while an explicitly named file with an unsupported suffix is reported as an error.
"""
import codecs
import json
import os
import re
import stat
import sys
from dataclasses import dataclass
from typing import IO, Iterable, Iterator, List, Optional, TextIO, Tuple, Union

from .html_text import html_to_text
from .reasons import reason_code

FORMATS = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl")
STDIN_FORMATS = ("text", "markdown", "html", "jsonl")
STDIN_NAME = "-"  # the path that means stdin
STDIN_SOURCE = "<stdin>"  # the source_path of documents read from stdin
# Magic numbers of binary formats people point the tool at by mistake.
BINARY_MAGIC = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"PK\x07\x08", "ZIP"),
    (b"\x1f\x8b", "GZIP"),
)
# Byte order marks, UTF-32 first: the UTF-32-LE mark starts with the UTF-16-LE one.
UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy encodings a policy file may be in. Restricting charset-normalizer to them keeps it from
# choosing DOS and Mac code pages, which it otherwise prefers on short or mostly-ASCII texts.
LEGACY_ENCODINGS = (
    "cp1252", "latin_1", "iso8859_15", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255",
    "cp1256", "cp1257", "cp1258", "iso8859_2", "iso8859_4", "iso8859_5", "iso8859_7",
    "iso8859_9", "iso8859_13", "koi8_r", "koi8_u", "cp874", "shift_jis", "cp932", "euc_jp",
    "iso2022_jp", "gb18030", "gbk", "big5", "euc_kr", "cp949",
)
# When candidates decode equally well, the earlier one wins: cp1252 is the web's default for
# legacy Latin text (WHATWG maps "iso-8859-1" to it) and by far the most common in English.
PREFERRED_ENCODINGS = ("cp1252", "latin_1", "cp1251", "cp1250", "iso8859_2", "cp932", "gb18030")
CHUNK_SIZE = 1 << 20
_DECLARED_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""",
    re.IGNORECASE,
)
# JSON escapes of UTF-16 surrogates; only lines that have one need the Unicode check.
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass
class InputDocument:
    """A document to annotate.

    text (str): The plain text.
    meta (dict): The input's own meta (JSONL) unchanged, plus "source_path", "format"
        ("text", "markdown", "html" or "jsonl"), "source_line" (JSONL, 1-based) and
        "encoding" (only when the bytes were not UTF-8). Keys the input's meta already has
        keep the input's value.
    """

    text: str
    meta: dict


@dataclass
class InputError:
    """An input that could not be read.

    source_path (str): The file, directory or "<stdin>".
    reason (str): One sentence saying why, e.g. "empty document".
    source_line (Optional[int]): The 1-based line of a JSONL input, else None.
    code (Optional[str]): The reason's stable code (``reasons.REASON_CODES``); by default
        derived from the reason.
    """

    source_path: str
    reason: str
    source_line: Optional[int] = None
    code: Optional[str] = None

    def __post_init__(self) -> None:
        if self.code is None:  # most reasons say what they are; OS errors pass their code
            self.code = reason_code(self.reason)

    def to_dict(self) -> dict:
        """RETURNS (dict): {"source_path", "source_line", "reason", "code"} for the errors file."""
        return {"source_path": self.source_path, "source_line": self.source_line, "reason": self.reason, "code": self.code}


InputItem = Union[InputDocument, InputError]


def iter_inputs(
    paths: Iterable[str], stdin: Optional[TextIO] = None, stdin_format: str = "text"
) -> Iterator[InputItem]:
    """Read every document of the given inputs, in order, one error per bad input.

    paths (Iterable[str]): Files, directories, or "-" for stdin.
    stdin (Optional[TextIO]): The stream "-" reads; sys.stdin when None. When it has a binary
        buffer (like sys.stdin), the bytes are decoded like a file's.
    stdin_format (str): "text", "markdown", "html" or "jsonl": how to read stdin.
    YIELDS (Union[InputDocument, InputError]): One item per document or bad input.
    RAISES ValueError: For an unknown stdin_format.
    """
    if stdin_format not in STDIN_FORMATS:
        raise ValueError(f"unknown stdin format {stdin_format!r}; expected one of {', '.join(STDIN_FORMATS)}")
    return _iter_inputs(paths, stdin, stdin_format)


def _iter_inputs(paths: Iterable[str], stdin: Optional[TextIO], stdin_format: str) -> Iterator[InputItem]:
    for source in _iter_sources(paths):
        if isinstance(source, InputError):
            yield source
        elif source[0] == STDIN_NAME:
            yield from _read_stdin(stdin if stdin is not None else sys.stdin, stdin_format)
        elif source[1] == "jsonl":
            yield from read_jsonl_file(source[0])
        else:
            yield read_text_file(source[0], source[1])


def count_inputs(paths: Iterable[str]) -> Optional[int]:
    """Count the items iter_inputs will yield, cheaply, for a progress bar's total.

    Files count one each; a JSONL file counts its non-blank lines (a byte scan, nothing parsed);
    each bad input counts one.

    paths (Iterable[str]): The same paths as given to iter_inputs.
    RETURNS (Optional[int]): The count, or None when stdin is among the inputs.
    """
    total = 0
    for source in _iter_sources(paths):
        if isinstance(source, InputError):
            total += 1
        elif source[0] == STDIN_NAME:
            return None
        elif source[1] == "jsonl":
            total += _count_jsonl_lines(source[0])
        else:
            total += 1
    return total


def read_text_file(path: Union[str, "os.PathLike[str]"], fmt: Optional[str] = None) -> InputItem:
    """Read one text, Markdown or HTML file as one document.

    path (Union[str, PathLike]): The file.
    fmt (Optional[str]): "text", "markdown" or "html"; by default from the suffix ("text" for
        unknown suffixes).
    RETURNS (Union[InputDocument, InputError]): The document, or why it could not be read.
    """
    path = os.fspath(path)
    fmt = fmt or FORMATS.get(_suffix(path), "text")
    if fmt == "jsonl":
        return InputError(path, "a JSONL file holds many documents: read it with iter_inputs")
    data = _read_bytes(path)
    if isinstance(data, InputError):
        return data
    return _document_from_bytes(data, path, fmt)


def read_jsonl_file(path: Union[str, "os.PathLike[str]"]) -> Iterator[InputItem]:
    """Stream the documents of a JSONL file, one line at a time.

    path (Union[str, PathLike]): The file, one {"text", "meta"} object a line.
    YIELDS (Union[InputDocument, InputError]): One item per non-blank line, or one error for
        a file that cannot be read at all or has no non-blank line.
    """
    path = os.fspath(path)
    error = _check_regular_file(path)
    if error is not None:
        yield error
        return
    try:
        with open(path, "rb") as file:
            head = file.read(8)
            reason = _jsonl_head_problem(head)
            if reason is not None:
                yield InputError(path, reason)
                return
            file.seek(0)
            yield from _iter_jsonl(file, path)
    except OSError as err:
        yield _os_input_error(path, err)


def decode_bytes(data: bytes, html: bool = False) -> Union[Tuple[str, Optional[str]], str]:
    """Decode a file's bytes, detecting the encoding when they are not UTF-8.

    data (bytes): The file's content.
    html (bool): Try the page's declared charset before detection.
    RETURNS (Union[Tuple[str, Optional[str]], str]): (text, encoding), encoding None for UTF-8;
        or the reason the bytes are not text, as a string.
    """
    kind = _binary_kind(data)
    if kind is not None:
        return f"binary file ({kind}), not supported"
    for bom, encoding in UNICODE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                name = encoding.upper()
                return f"not valid {name} although it starts with a {name} byte order mark"
    if b"\x00" in data:
        return "binary file (contains NUL bytes), not supported"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    if html:
        declared = _declared_charset(data)
        if declared is not None:
            return declared
    detected = _detect_encoding(data)
    if detected is None:
        return "not UTF-8, and no other text encoding fits the bytes"
    return detected


def _iter_sources(paths: Iterable[str]) -> Iterator[Union[Tuple[str, str], InputError]]:
    """Expand the paths into (path, format) pairs, ("-", stdin format) and errors, in order."""
    visited: set = set()  # real paths of the directories walked, so that links cannot loop
    for path in paths:
        path = os.fspath(path)
        if path == STDIN_NAME:
            yield (STDIN_NAME, "")
        elif os.path.isdir(path):
            yield from _walk(path, visited)
        elif not os.path.lexists(path):
            yield InputError(path, "no such file or directory")
        else:
            fmt = FORMATS.get(_suffix(path))
            if fmt is None:
                yield InputError(path, _unsupported_reason(path))
            else:
                yield (path, fmt)


def _walk(top: str, visited: set) -> Iterator[Union[Tuple[str, str], InputError]]:
    """Walk a directory depth first in sorted order, without recursion."""
    real = os.path.realpath(top)
    if real in visited:
        return
    visited.add(real)
    listing = _list_dir(top)
    if isinstance(listing, InputError):
        yield listing
        return
    stack = [iter(listing)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()  # follows symbolic links
        except OSError:
            is_dir = False
        if is_dir:
            real = os.path.realpath(entry.path)
            if real in visited:
                continue
            visited.add(real)
            listing = _list_dir(entry.path)
            if isinstance(listing, InputError):
                yield listing
            else:
                stack.append(iter(listing))
            continue
        fmt = FORMATS.get(_suffix(entry.name))
        if fmt is not None:
            yield (entry.path, fmt)


def _list_dir(path: str) -> Union[List[os.DirEntry], InputError]:
    try:
        with os.scandir(path) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError as err:
        return InputError(path, "cannot list directory: " + _os_error_reason(err))


def _suffix(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def _unsupported_reason(path: str) -> str:
    suffix = _suffix(path)
    return f"unsupported file type ({suffix or 'no suffix'}), supported: {', '.join(SUPPORTED_SUFFIXES)}"


def _os_error_reason(err: OSError) -> str:
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, FileNotFoundError):
        return "no such file or directory"
    return (err.strerror or str(err)).lower()


def _os_input_error(path: str, err: OSError) -> InputError:
    """The error for an input the operating system refused to open or read."""
    reason = _os_error_reason(err)
    return InputError(path, reason, code="missing" if reason == "no such file or directory" else "os-error")


def _check_regular_file(path: str) -> Optional[InputError]:
    """An error when the path is not a readable regular file (reading a FIFO would block)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            return InputError(path, "broken symbolic link")
        return InputError(path, "no such file or directory")
    except OSError as err:
        return _os_input_error(path, err)
    if stat.S_ISDIR(mode):
        return InputError(path, "is a directory")
    if not stat.S_ISREG(mode):
        return InputError(path, "not a regular file")
    return None


def _read_bytes(path: str) -> Union[bytes, InputError]:
    error = _check_regular_file(path)
    if error is not None:
        return error
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as err:
        return _os_input_error(path, err)


def _document_from_bytes(data: bytes, source_path: str, fmt: str) -> InputItem:
    decoded = decode_bytes(data, html=fmt == "html")
    if isinstance(decoded, str):
        return InputError(source_path, decoded)
    text, encoding = decoded
    return _document_from_text(text, source_path, fmt, encoding)


def _blank(text: str) -> bool:
    """Whether a text has no visible character; unlike ``not text.strip()``, copies nothing."""
    return not text or text.isspace()


def _document_from_text(text: str, source_path: str, fmt: str, encoding: Optional[str] = None) -> InputItem:
    if _blank(text):
        return InputError(source_path, "empty document")
    if fmt == "html":
        try:
            text = html_to_text(text)
        except Exception as err:  # a parser bug on one page must not stop the corpus
            return InputError(source_path, f"could not convert the HTML: {type(err).__name__}: {err}")
        if _blank(text):
            return InputError(source_path, "empty document (no visible text in the HTML)")
    meta = {"source_path": source_path, "format": fmt}
    if encoding is not None:
        meta["encoding"] = encoding
    return InputDocument(text=text, meta=meta)


def _read_stdin(stream: IO, fmt: str) -> Iterator[InputItem]:
    # Prefer the raw bytes (sys.stdin has them) so stdin is decoded exactly like a file.
    buffer = getattr(stream, "buffer", None)
    if fmt == "jsonl":
        try:
            yield from _iter_jsonl(buffer if buffer is not None else stream, STDIN_SOURCE)
        except (OSError, UnicodeDecodeError) as err:
            yield InputError(STDIN_SOURCE, f"cannot read stdin: {err}")
        return
    try:
        data = buffer.read() if buffer is not None else stream.read()
    except (OSError, UnicodeDecodeError) as err:
        yield InputError(STDIN_SOURCE, f"cannot read stdin: {err}")
        return
    if isinstance(data, bytes):
        yield _document_from_bytes(data, STDIN_SOURCE, fmt)
    else:
        yield _document_from_text(data.lstrip("\ufeff"), STDIN_SOURCE, fmt)


def _iter_jsonl(lines: Iterable[Union[bytes, str]], source_path: str) -> Iterator[InputItem]:
    """Parse JSONL lines (bytes or str) into documents and errors; blank lines are skipped."""
    empty = True
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, bytes):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if not raw or raw.isspace():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                empty = False
                yield InputError(source_path, f"invalid UTF-8 (at byte {err.start + 1} of the line)", number)
                continue
        else:
            line = raw.lstrip("\ufeff") if number == 1 else raw
            if not line or line.isspace():
                continue
        empty = False
        yield _jsonl_record(line, source_path, number)
    if empty:  # an empty corpus file is worth a word, not silence
        yield InputError(source_path, "no documents (the JSONL input has no non-blank lines)")


def _jsonl_record(line: str, source_path: str, number: int) -> InputItem:
    def error(reason: str) -> InputError:
        return InputError(source_path, reason, number)

    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return error(f"invalid JSON: {err.msg} (column {err.colno})")
    except RecursionError:
        return error("invalid JSON: nested too deeply")
    except ValueError as err:  # e.g. an integer beyond Python's digit limit
        return error(f"invalid JSON: {err}")
    if not isinstance(record, dict):
        return error(f"expected a JSON object (got {_json_type(record)})")
    if "text" not in record:
        return error('missing "text"')
    text = record["text"]
    if not isinstance(text, str):
        return error(f'"text" must be a string (got {_json_type(text)})')
    meta = record.get("meta")
    if meta is None:  # absent or null
        meta = {}
    elif not isinstance(meta, dict):
        return error(f'"meta" must be a JSON object (got {_json_type(meta)})')
    if _blank(text):
        return error("empty document")
    if _SURROGATE_ESCAPE_RE.search(line):
        try:  # a lone surrogate escape would make the output file invalid UTF-8
            json.dumps([text, meta], ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return error("the line has an unpaired UTF-16 surrogate escape, not valid Unicode")
    out = dict(meta)
    for key, value in (("source_path", source_path), ("source_line", number), ("format", "jsonl")):
        out.setdefault(key, value)
    return InputDocument(text=text, meta=out)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _jsonl_head_problem(head: bytes) -> Optional[str]:
    """Why a JSONL file that starts with these bytes cannot be read, or None."""
    kind = _binary_kind(head)
    if kind is not None:
        return f"binary file ({kind}), not supported"
    for bom, encoding in UNICODE_BOMS:
        if head.startswith(bom):
            return f"JSONL must be UTF-8, this file is {encoding.upper()}"
    return None


def _count_jsonl_lines(path: str) -> int:
    """The number of non-blank lines (1 for a file without any), scanning bytes a chunk at a time."""
    count = 0
    pending = False  # the current, unfinished line has content
    try:
        with open(path, "rb") as file:
            chunk = file.read(CHUNK_SIZE)
            if _jsonl_head_problem(chunk[:8]) is not None:
                return 1
            if chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[len(codecs.BOM_UTF8):]
            while chunk:
                pieces = chunk.split(b"\n")
                for piece in pieces[:-1]:
                    if pending or (piece and not piece.isspace()):
                        count += 1
                    pending = False
                last = pieces[-1]
                pending = pending or bool(last and not last.isspace())
                chunk = file.read(CHUNK_SIZE)
    except OSError:
        return 1
    return (count + (1 if pending else 0)) or 1


def _binary_kind(data: bytes) -> Optional[str]:
    for magic, kind in BINARY_MAGIC:
        if data.startswith(magic):
            return kind
    return None


def _declared_charset(data: bytes) -> Optional[Tuple[str, str]]:
    """Decode an HTML page with the charset its <meta> or XML declaration names, if that works."""
    match = _DECLARED_CHARSET_RE.search(data[:4096])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # Browsers read "iso-8859-1" and "us-ascii" pages as windows-1252 (WHATWG Encoding).
    candidates = ["cp1252", name] if name in ("iso8859-1", "ascii", "latin-1") else [name]
    for encoding in candidates:
        try:
            return data.decode(encoding), codecs.lookup(encoding).name
        except UnicodeDecodeError:
            continue
    return None


def _detect_encoding(data: bytes) -> Optional[Tuple[str, str]]:
    """Detect a legacy encoding with charset-normalizer; ties go to PREFERRED_ENCODINGS."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)))

    def preference(names: List[str]) -> Tuple[int, str]:
        ranks = [PREFERRED_ENCODINGS.index(n) for n in names if n in PREFERRED_ENCODINGS]
        return (min(ranks) if ranks else len(PREFERRED_ENCODINGS), names[0])

    ranked = []
    for match in matches:
        # A match groups the encodings that decode the sample identically.
        names = [match.encoding] + [n for n in match.could_be_from_charset if n != match.encoding]
        names = sorted(names, key=lambda n: preference([n]))
        key = (round(match.chaos, 4), -round(match.coherence, 4), preference(names))
        ranked.append((key, names))
    ranked.sort(key=lambda item: item[0])
    for _, names in ranked:
        for encoding in names:
            try:  # charset-normalizer checks samples; the whole file must decode too
                return data.decode(encoding), codecs.lookup(encoding).name
            except (UnicodeDecodeError, LookupError):
                continue
    return None
