"""Tests for policylens.readers: files, directories, JSONL and stdin to documents and errors."""
import io
import itertools
import json
import os

import pytest

from policylens import readers
from policylens.readers import (
    SUPPORTED_SUFFIXES,
    InputDocument,
    InputError,
    count_inputs,
    iter_inputs,
    read_text_file,
)

PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return str(path)


def items_as_tuples(items):
    """Documents as ("doc", source_path, text) and errors as ("error", source_path, line, reason)."""
    out = []
    for item in items:
        if isinstance(item, InputDocument):
            out.append(("doc", item.meta["source_path"], item.text))
        else:
            out.append(("error", item.source_path, item.source_line, item.reason))
    return out


def test_supported_suffixes():
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl")


def test_text_file_kept_as_is(tmp_path):
    path = write(tmp_path / "policy.txt", "We collect your email address.\r\nWe keep it for 30 days.\n")
    doc = read_text_file(path)
    assert doc == InputDocument(
        text="We collect your email address.\r\nWe keep it for 30 days.\n",
        meta={"source_path": path, "format": "text"},
    )


def test_markdown_file_is_not_converted(tmp_path):
    text = "# Privacy\n\n* **Email** address\n* [Contact](mailto:a@example.com)\n"
    path = write(tmp_path / "policy.markdown", text)
    assert read_text_file(path) == InputDocument(text=text, meta={"source_path": path, "format": "markdown"})


def test_html_file_is_converted(tmp_path):
    path = write(
        tmp_path / "policy.HTM",
        "<html><head><title>T</title></head><body><h2>Data</h2><p>We collect your "
        "<b>email</b>.</p><script>var x = 1;</script></body></html>",
    )
    assert read_text_file(path) == InputDocument(
        text="Data\n\nWe collect your email.", meta={"source_path": path, "format": "html"}
    )


def test_utf8_bom_is_stripped(tmp_path):
    path = write(tmp_path / "bom.txt", b"\xef\xbb\xbfWe collect cookies.")
    doc = read_text_file(path)
    assert doc.text == "We collect cookies."
    assert "encoding" not in doc.meta


def test_utf16_with_bom(tmp_path):
    path = write(tmp_path / "u16.txt", "We collect cookies \u2013 and logs.".encode("utf-16"))
    assert read_text_file(path) == InputDocument(
        text="We collect cookies \u2013 and logs.",
        meta={"source_path": path, "format": "text", "encoding": "utf-16"},
    )


def test_cp1251_file(tmp_path):
    text = "Мы собираем ваш адрес электронной почты и номер телефона. Данные хранятся три года.\n"
    path = write(tmp_path / "ru.txt", text.encode("cp1251"))
    assert read_text_file(path) == InputDocument(
        text=text, meta={"source_path": path, "format": "text", "encoding": "cp1251"}
    )


def test_latin1_file_is_read_as_cp1252(tmp_path):
    # cp1252 is a superset of latin-1's printable characters; ties go to cp1252 (module doc).
    text = "Nous conservons vos données pendant trois ans après la clôture du compte.\n"
    path = write(tmp_path / "fr.txt", text.encode("latin-1"))
    assert read_text_file(path) == InputDocument(
        text=text, meta={"source_path": path, "format": "text", "encoding": "cp1252"}
    )


def test_cp1252_smart_quotes_in_english(tmp_path):
    text = "We don\u2019t sell your \u201cpersonal data\u201d \u2013 ever.\n"
    path = write(tmp_path / "en.txt", text.encode("cp1252"))
    doc = read_text_file(path)
    assert (doc.text, doc.meta["encoding"]) == (text, "cp1252")


def test_html_declared_latin1_is_read_as_cp1252(tmp_path):
    # Browsers read pages labelled iso-8859-1 as windows-1252, whose 0x93/0x94 are curly quotes.
    html = b"<meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'><p>caf\xe9 \x93x\x94</p>"
    path = write(tmp_path / "fr.html", html)
    assert read_text_file(path) == InputDocument(
        text="caf\xe9 \u201cx\u201d", meta={"source_path": path, "format": "html", "encoding": "cp1252"}
    )


def test_html_declared_charset_is_used(tmp_path):
    html = '<html><head><meta charset="windows-1251"></head><body><p>Привет</p></body></html>'
    path = write(tmp_path / "ru.html", html.encode("cp1251"))
    assert read_text_file(path) == InputDocument(
        text="Привет", meta={"source_path": path, "format": "html", "encoding": "cp1251"}
    )


@pytest.mark.parametrize(
    "content,reason",
    [
        (PDF_BYTES, "binary file (PDF), not supported"),
        (PNG_BYTES, "binary file (PNG), not supported"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "binary file (JPEG), not supported"),
        (b"GIF89a\x01\x00", "binary file (GIF), not supported"),
        (b"PK\x03\x04\x14\x00", "binary file (ZIP), not supported"),
        (b"\x1f\x8b\x08\x00", "binary file (GZIP), not supported"),
        (b"text\x00with a NUL byte", "binary file (contains NUL bytes), not supported"),
        (b"", "empty document"),
        (b" \n\t\r\n ", "empty document"),
    ],
)
def test_binary_and_empty_files(tmp_path, content, reason):
    path = write(tmp_path / "policy.txt", content)
    assert read_text_file(path) == InputError(path, reason)


def test_html_without_visible_text(tmp_path):
    html = "<html><head><title>x</title></head><body><script>1</script></body></html>"
    path = write(tmp_path / "empty.html", html)
    assert read_text_file(path) == InputError(path, "empty document (no visible text in the HTML)")


def test_directory_walk(tmp_path):
    root = tmp_path / "corpus"
    write(root / "b.txt", "B text")
    write(root / "a" / "z.md", "Z text")
    write(root / "a" / "c" / "deep.htm", "<p>Deep text</p>")
    write(root / "a.html", "<p>A html</p>")
    write(root / "data.jsonl", '{"text": "J1"}\n\n{"text": "J2", "meta": {"id": 7}}\n')
    write(root / "notes.pdf", PDF_BYTES)  # unsupported suffix: skipped in a walk
    write(root / "readme", "no suffix")  # skipped
    write(root / ".hidden.txt", "hidden file")
    write(root / ".git" / "x.txt", "hidden dir")
    write(root / "bad.txt", PDF_BYTES)  # supported suffix, binary content: an error
    items = list(iter_inputs([str(root)]))
    r = str(root)
    assert items_as_tuples(items) == [
        ("doc", f"{r}/a/c/deep.htm", "Deep text"),
        ("doc", f"{r}/a/z.md", "Z text"),
        ("doc", f"{r}/a.html", "A html"),
        ("doc", f"{r}/b.txt", "B text"),
        ("error", f"{r}/bad.txt", None, "binary file (PDF), not supported"),
        ("doc", f"{r}/data.jsonl", "J1"),
        ("doc", f"{r}/data.jsonl", "J2"),
    ]
    assert items[-1].meta == {"id": 7, "source_path": f"{r}/data.jsonl", "source_line": 3, "format": "jsonl"}
    assert count_inputs([str(root)]) == 7


def test_symlink_loop_terminates(tmp_path):
    root = tmp_path / "loop"
    write(root / "sub" / "doc.txt", "Some text")
    os.symlink(str(root), str(root / "sub" / "back"))  # sub/back -> loop
    os.symlink(str(root / "sub"), str(root / "again"))  # a second way into sub
    items = list(itertools.islice(iter_inputs([str(root)]), 50))
    assert items_as_tuples(items) == [("doc", f"{root}/again/doc.txt", "Some text")]


def test_broken_symlink_in_directory(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    os.symlink(str(tmp_path / "missing.txt"), str(root / "gone.txt"))
    assert list(iter_inputs([str(root)])) == [InputError(f"{root}/gone.txt", "broken symbolic link")]


def test_unlistable_directory(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    write(root / "a.txt", "A text")
    write(root / "locked" / "x.txt", "Locked text")
    write(root / "z.txt", "Z text")
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(readers.os, "scandir", scandir)
    assert items_as_tuples(iter_inputs([str(root)])) == [
        ("doc", f"{root}/a.txt", "A text"),
        ("error", f"{root}/locked", None, "cannot list directory: permission denied"),
        ("doc", f"{root}/z.txt", "Z text"),
    ]


def test_explicit_paths_errors_do_not_stop_iteration(tmp_path):
    good = write(tmp_path / "good.txt", "Good text")
    pdf = write(tmp_path / "manual.pdf", PDF_BYTES)
    bare = write(tmp_path / "README", "text")
    missing = str(tmp_path / "missing.txt")
    hidden = write(tmp_path / ".explicit.txt", "Hidden but named")
    items = list(iter_inputs([missing, pdf, bare, good, hidden]))
    supported = ".txt, .md, .markdown, .html, .htm, .jsonl"
    assert items_as_tuples(items) == [
        ("error", missing, None, "no such file or directory"),
        ("error", pdf, None, f"unsupported file type (.pdf), supported: {supported}"),
        ("error", bare, None, f"unsupported file type (no suffix), supported: {supported}"),
        ("doc", good, "Good text"),
        ("doc", hidden, "Hidden but named"),
    ]
    assert count_inputs([missing, pdf, bare, good, hidden]) == 5


def test_unreadable_file(tmp_path):
    path = write(tmp_path / "secret.txt", "Secret text")
    os.chmod(path, 0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read a chmod 000 file (root)")
        items = list(iter_inputs([path, write(tmp_path / "ok.txt", "Ok")]))
        assert items_as_tuples(items) == [
            ("error", path, None, "permission denied"),
            ("doc", str(tmp_path / "ok.txt"), "Ok"),
        ]
    finally:
        os.chmod(path, 0o644)


def test_permission_error_while_opening(tmp_path, monkeypatch):
    # The same path as test_unreadable_file, reachable when the tests run as root.
    path = write(tmp_path / "secret.txt", "Secret text")
    jsonl = write(tmp_path / "secret.jsonl", '{"text": "x"}\n')

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(readers, "open", refuse, raising=False)
    assert list(iter_inputs([path, jsonl])) == [
        InputError(path, "permission denied"),
        InputError(jsonl, "permission denied"),
    ]


def test_jsonl_good_and_bad_lines(tmp_path):
    lines = [
        json.dumps({"text": "First policy.", "meta": {"url": "https://example.com", "source_path": "orig.html"}}),
        '{"text": "broken", "meta": {"a": 1} "b": 2}',
        "",
        "   ",
        json.dumps(["text", "in an array"]),
        json.dumps({"meta": {}}),
        json.dumps({"text": 42}),
        json.dumps({"text": "Meta is a list.", "meta": [1, 2]}),
        json.dumps({"text": "  \n "}),
        json.dumps({"text": "Null meta.", "meta": None, "extra": True}),
        '{"text": "lone \\ud800 surrogate"}',
        "[" * 100_000 + "]" * 100_000,
        json.dumps({"text": "Last policy.\r\nSecond line."}),
    ]
    path = write(tmp_path / "policies.jsonl", "\n".join(lines))  # no newline at the end
    items = list(iter_inputs([path]))
    assert items_as_tuples(items) == [
        ("doc", "orig.html", "First policy."),
        ("error", path, 2, "invalid JSON: Expecting ',' delimiter (column 37)"),
        ("error", path, 5, "expected a JSON object (got an array)"),
        ("error", path, 6, 'missing "text"'),
        ("error", path, 7, '"text" must be a string (got a number)'),
        ("error", path, 8, '"meta" must be a JSON object (got an array)'),
        ("error", path, 9, "empty document"),
        ("doc", path, "Null meta."),
        ("error", path, 11, "the line has an unpaired UTF-16 surrogate escape, not valid Unicode"),
        ("error", path, 12, "invalid JSON: nested too deeply"),
        ("doc", path, "Last policy.\r\nSecond line."),
    ]
    # The input's own meta passes through unchanged; the reader only adds missing keys.
    assert items[0].meta == {
        "url": "https://example.com", "source_path": "orig.html", "source_line": 1, "format": "jsonl"
    }
    assert items[7].meta == {"source_path": path, "source_line": 10, "format": "jsonl"}
    assert items[1].to_dict() == {
        "source_path": path,
        "source_line": 2,
        "reason": "invalid JSON: Expecting ',' delimiter (column 37)",
        "code": "jsonl-malformed",
    }
    assert [i.code for i in items if isinstance(i, InputError)] == ["jsonl-malformed"] * 5 + ["empty", "decode", "jsonl-malformed"]
    assert count_inputs([path]) == len(items) == 11


def test_jsonl_invalid_utf8_line_and_bom(tmp_path):
    content = b'\xef\xbb\xbf{"text": "one"}\n{"text": "caf\xe9"}\n{"text": "three"}\n'
    path = write(tmp_path / "mixed.jsonl", content)
    assert items_as_tuples(iter_inputs([path])) == [
        ("doc", path, "one"),
        ("error", path, 2, "invalid UTF-8 (at byte 14 of the line)"),
        ("doc", path, "three"),
    ]
    assert count_inputs([path]) == 3


@pytest.mark.parametrize(
    "content,reason",
    [
        (b"\x1f\x8b\x08\x00rest", "binary file (GZIP), not supported"),
        ('{"text": "x"}\n'.encode("utf-16"), "JSONL must be UTF-8, this file is UTF-16"),
    ],
)
def test_jsonl_whole_file_errors(tmp_path, content, reason):
    path = write(tmp_path / "bad.jsonl", content)
    assert list(iter_inputs([path])) == [InputError(path, reason)]
    assert count_inputs([path]) == 1


@pytest.mark.parametrize("content", [b"", b"\n  \n\r\n"])
def test_jsonl_without_documents(tmp_path, content):
    path = write(tmp_path / "empty.jsonl", content)
    reason = "no documents (the JSONL input has no non-blank lines)"
    assert list(iter_inputs([path])) == [InputError(path, reason)]
    assert count_inputs([path]) == 1
    assert list(iter_inputs(["-"], stdin=io.StringIO(""), stdin_format="jsonl")) == [InputError("<stdin>", reason)]


def test_jsonl_is_streamed(tmp_path, monkeypatch):
    # The first document arrives after reading a small part of the file.
    line = json.dumps({"text": "x" * 1000}) + "\n"
    path = write(tmp_path / "big.jsonl", line * 2000)  # 2 MB
    raw_files = []

    class CountingFile(io.FileIO):
        bytes_read = 0

        def readinto(self, buffer):
            n = super().readinto(buffer)
            self.bytes_read += n or 0
            return n

        def readall(self):
            data = super().readall()
            self.bytes_read += len(data)
            return data

    def counting_open(file, mode="r", *args, **kwargs):
        assert mode == "rb"
        raw_files.append(CountingFile(file, "r"))
        return io.BufferedReader(raw_files[-1])

    monkeypatch.setattr(readers, "open", counting_open, raising=False)
    monkeypatch.setattr(readers, "CHUNK_SIZE", 1 << 12)
    first = next(iter_inputs([path]))
    assert first.meta["source_line"] == 1
    assert 0 < raw_files[0].bytes_read < 100_000
    assert count_inputs([path]) == 2000
    assert raw_files[1].bytes_read == os.path.getsize(path)


def test_stdin_text_and_html():
    items = list(iter_inputs(["-"], stdin=io.StringIO("\ufeffWe collect cookies.\n")))
    assert items == [InputDocument("We collect cookies.\n", {"source_path": "<stdin>", "format": "text"})]
    items = list(iter_inputs(["-"], stdin=io.StringIO("<p>A</p><p>B</p>"), stdin_format="html"))
    assert items == [InputDocument("A\n\nB", {"source_path": "<stdin>", "format": "html"})]
    assert list(iter_inputs(["-"], stdin=io.StringIO("  \n"))) == [InputError("<stdin>", "empty document")]


def test_stdin_jsonl_with_other_paths(tmp_path):
    path = write(tmp_path / "a.txt", "File text")
    stdin = io.StringIO('{"text": "From stdin", "meta": {"k": "v"}}\nnot json\n')
    items = list(iter_inputs([path, "-"], stdin=stdin, stdin_format="jsonl"))
    assert items_as_tuples(items) == [
        ("doc", path, "File text"),
        ("doc", "<stdin>", "From stdin"),
        ("error", "<stdin>", 2, "invalid JSON: Expecting value (column 1)"),
    ]
    assert items[1].meta == {"k": "v", "source_path": "<stdin>", "source_line": 1, "format": "jsonl"}
    assert count_inputs([path, "-"]) is None


def test_stdin_bytes_are_decoded_like_files():
    text = "Данные хранятся три года, после чего удаляются.\n"
    stdin = io.TextIOWrapper(io.BytesIO(text.encode("cp1251")), encoding="utf-8")
    assert list(iter_inputs(["-"], stdin=stdin)) == [
        InputDocument(text, {"source_path": "<stdin>", "format": "text", "encoding": "cp1251"})
    ]


def test_unknown_stdin_format():
    with pytest.raises(ValueError, match="unknown stdin format 'pdf'"):
        iter_inputs(["-"], stdin=io.StringIO("x"), stdin_format="pdf")


def test_read_text_file_refuses_jsonl_and_directories(tmp_path):
    path = write(tmp_path / "x.jsonl", '{"text": "x"}\n')
    reason = "a JSONL file holds many documents: read it with iter_inputs"
    assert read_text_file(path) == InputError(path, reason)
    assert read_text_file(str(tmp_path), "text") == InputError(str(tmp_path), "is a directory")
