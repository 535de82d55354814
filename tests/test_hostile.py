"""Broken and hostile inputs, end to end: each yields one record or one error with a stable code."""
import gzip
import io
import json
import os
import zipfile

import pytest
import srsly
from spacy.language import Language
from typer.testing import CliRunner

from policylens import readers
from policylens.cli import app
from policylens.reasons import REASON_CODES, reason_code

from conftest import ListWriter

POLICY = "We collect your email address and keep it for 30 days. Write to privacy@quokka.example.\n"


@pytest.fixture(scope="module")
def pipeline_dir(saved_pipeline):
    return str(saved_pipeline)


def png_bytes():
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256))


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("policy.txt", POLICY)
    return buffer.getvalue()


def hostile_corpus(root):
    """Write one file per hostile case; RETURNS {file name: expected outcome}."""
    files = {
        "empty.txt": (b"", ("error", "empty")),
        "whitespace.md": (b" \n\t\r\n  ", ("error", "empty")),
        "policy.pdf.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", ("error", "binary")),
        "image.html": (png_bytes(), ("error", "binary")),
        "archive.txt": (zip_bytes(), ("error", "binary")),
        "compressed.jsonl": (gzip.compress(POLICY.encode()), ("error", "binary")),
        "nul_bytes.txt": (b"Privacy\x00policy\x00", ("error", "binary")),
        "utf16_bad.txt": (b"\xff\xfeP\x00\x00\xd8", ("error", "decode")),
        "cp1251.txt": ("Мы храним ваш адрес электронной почты два года.".encode("cp1251"), ("doc", "cp1251")),
        "latin1.txt": ("Nous conservons vos données pendant deux ans, déclaré à la CNIL.".encode("latin-1"), ("doc", "cp1252")),
        "bad_utf8.txt": (b"We keep logs for 30 days \xe2\x80 and then delete them.", ("doc", "encoding")),
        "wrong_charset.html": (
            b'<html><head><meta charset="utf-8"></head><body><p>Caf\xe9 cr\xe8me \x93quoted\x94</p></body></html>',
            ("doc", "cp1252"),
        ),
        "declared_1251_but_utf8.html": (
            '<html><head><meta charset="windows-1251"></head><body><p>Café crème</p></body></html>'.encode(),
            ("doc", None),
        ),
        "malformed.html": (b"</div><p>Unclosed <b>bold <i>text<p>Next</b> para</i><li>stray</ul></span><td>", ("doc", None)),
        "scripts_only.html": (
            b"<html><script>var a='x@y.com';</script><style>p{}</style><!-- a comment --><iframe>frame</iframe></html>",
            ("error", "empty"),
        ),
        "lines.jsonl": (
            b'{"text": "We sell no data.", "meta": {"id": "ok"}}\n{broken\n[1, 2]\n{"meta": {}}\n{"text": 7}\n'
            b'{"text": "x", "meta": "m"}\n{"text": "   "}\n',
            ("jsonl", None),
        ),
        "notes.pdf": (b"%PDF-1.4", ("error", "unsupported")),
    }
    for name, (content, _) in files.items():
        (root / name).write_bytes(content)
    return {name: outcome for name, (_, outcome) in files.items()}


def test_every_hostile_case_accounted_for(tmp_path, pipeline_dir):
    root = tmp_path / "in"
    root.mkdir()
    expected = hostile_corpus(root)
    (root / "loop").mkdir()
    os.symlink("..", root / "loop" / "up")  # a symbolic link loop inside the input directory
    os.symlink("nowhere.txt", root / "dangling.txt")
    inputs = [str(root), str(root / "notes.pdf"), str(tmp_path / "missing.txt")]
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["annotate", *inputs, "-o", str(out), "-p", pipeline_dir])
    assert result.exit_code == 1, result.output
    records = {os.path.basename(r["meta"]["source_path"]): r for r in srsly.read_jsonl(out)}
    errors = list(srsly.read_jsonl(tmp_path / "out.errors.jsonl"))
    by_name = {}
    for error in errors:
        by_name.setdefault(os.path.basename(error["source_path"]), []).append(error)
    for name, (kind, detail) in expected.items():
        if kind == "error":
            assert [e["code"] for e in by_name[name]] == [detail], name
        elif kind == "doc":
            meta = records[name]["meta"]
            if detail == "encoding":
                assert meta.get("encoding"), name  # decoded with a detected legacy encoding, and says so
            else:
                assert meta.get("encoding") == detail, name
    assert [(e["source_line"], e["code"]) for e in by_name["lines.jsonl"]] == [
        (2, "jsonl-malformed"), (3, "jsonl-malformed"), (4, "jsonl-malformed"), (5, "jsonl-malformed"),
        (6, "jsonl-malformed"), (7, "empty"),
    ]
    assert records["lines.jsonl"]["meta"]["doc_id"] == "ok"
    assert records["wrong_charset.html"]["text"] == "Café crème “quoted”"
    assert records["declared_1251_but_utf8.html"]["text"] == "Café crème"
    assert records["malformed.html"]["text"].split() == ["Unclosed", "bold", "text", "Next", "para", "stray"]
    assert [e["code"] for e in by_name["dangling.txt"]] == ["missing"]
    assert [e["code"] for e in by_name["missing.txt"]] == ["missing"]
    # Every input once: the symlink loop added nothing, nothing was dropped or doubled.
    manifest = json.loads((tmp_path / "out.manifest.json").read_text())
    assert manifest["documents"] == len(records) and manifest["errors"] == len(errors)
    assert manifest["inputs_seen"] == len(expected) + 1 + 2 + 6 - 1  # + notes.pdf twice, missing, dangling, jsonl lines
    assert sum(manifest["errors_by_reason"].values()) == len(errors)
    assert "errors (" in result.output and "manifest ->" in result.output


def test_every_reader_reason_has_a_code(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    hostile_corpus(root)
    reasons = [i for i in readers.iter_inputs([str(root), str(root / "notes.pdf"), str(tmp_path / "nope")])
               if isinstance(i, readers.InputError)]
    assert reasons and all(i.code in REASON_CODES and i.code != "other" for i in reasons)
    assert reason_code("something nobody wrote yet") == "other"


def test_cannot_run_is_exit_2(tmp_path):
    # 0 (all annotated) and 1 (some failed) are checked in test_cli; 2 is anything that stops
    # the run before it starts, checked before the pipeline is loaded where possible.
    good = tmp_path / "good.txt"
    good.write_text(POLICY, encoding="utf8")
    run = CliRunner().invoke
    assert run(app, ["annotate", str(good), "-o", str(tmp_path / "c.jsonl"), "-p", str(tmp_path / "none")]).exit_code == 2
    assert run(app, ["annotate", str(good), "-o", str(tmp_path / "d.jsonl"), "--batch-size", "0"]).exit_code == 2
    (tmp_path / "e.jsonl.lock").write_text(json.dumps({"pid": os.getpid(), "host": os.uname().nodename}))
    held = run(app, ["annotate", str(good), "-o", str(tmp_path / "e.jsonl"), "-p", str(tmp_path / "none")])
    assert held.exit_code == 2 and "another policylens run" in held.output
    assert not (tmp_path / "e.jsonl").exists() and (tmp_path / "e.jsonl.lock").exists()


def test_hundred_megabyte_text_streams_through_the_reader(tmp_path):
    path = tmp_path / "huge.txt"
    paragraph = POLICY * 40 + "\n"
    with open(path, "w", encoding="utf8") as file:
        while file.tell() < 100 * (1 << 20):
            file.write(paragraph)
    size = path.stat().st_size
    (item,) = readers.iter_inputs([str(path)])
    assert isinstance(item, readers.InputDocument) and len(item.text) == size
    assert "encoding" not in item.meta and readers.count_inputs([str(path)]) == 1


def test_ten_megabyte_single_line(tmp_path):
    line = (POLICY.strip() + " ") * (10 * (1 << 20) // len(POLICY) + 1)
    text_file = tmp_path / "line.txt"
    text_file.write_text(line, encoding="utf8")
    jsonl = tmp_path / "line.jsonl"
    jsonl.write_text(json.dumps({"text": line, "meta": {"id": "long"}}) + "\n" + '{"text": "short"}\n', encoding="utf8")
    items = list(readers.iter_inputs([str(text_file), str(jsonl)]))
    assert [len(i.text) for i in items] == [len(line), len(line), 5]
    assert [i.meta.get("source_line") for i in items] == [None, 1, 2]


def test_long_single_line_is_annotated(nlp, monkeypatch):
    # A line longer than nlp.max_length has no paragraph or line break to cut at: it is cut at
    # spaces, annotated in parts and merged into one record over the whole text.
    from policylens.annotate import annotate_stream

    monkeypatch.setattr(nlp, "max_length", 20_000)
    line = (POLICY.strip() + " ") * (200_000 // len(POLICY) + 1)
    output, errors = ListWriter(), ListWriter()
    summary = annotate_stream([readers.InputDocument(line, {"id": "line"})], nlp, output, errors, progress=False)
    assert (summary.documents, summary.errors) == (1, 0)
    (record,) = output.records
    assert record["text"] == line and record["meta"]["doc_id"] == "line"
    emails = [s for s in record["spans"] if s["label"] == "CONTACT_EMAIL"]
    assert len(emails) == line.count("privacy@quokka.example")


def test_hundred_thousand_nested_divs(tmp_path):
    depth = 100_000
    page = tmp_path / "deep.html"
    page.write_text(f"<p>top</p>{'<div>' * depth}We keep logs for 30 days.{'</div>' * depth}<p>bottom</p>")
    item = readers.read_text_file(str(page))
    assert item.text == "top\n\nWe keep logs for 30 days.\n\nbottom"


def test_html_full_of_scripts_styles_comments_and_iframes(tmp_path):
    junk = ("<script>document.write('<p>SCRIPT</p>')</script><style>.a{content:'STYLE'}</style>"
            "<!-- COMMENT <p>x</p> --><iframe src='x'>IFRAME</iframe><noscript>NOSCRIPT</noscript>")
    page = tmp_path / "junk.html"
    page.write_text("<html><body>" + junk * 2000 + "<p>We share your IP address.</p>" + junk * 2000 + "</body></html>")
    item = readers.read_text_file(str(page))
    assert item.text == "We share your IP address."


@Language.component("test_fails_on_marker")
def fails_on_marker(doc):
    if "BREAKS-THE-PIPELINE" in doc.text:
        raise ValueError("a component bug met on this text")
    return doc


@pytest.mark.parametrize("n_process", [1, 2])
def test_a_document_the_pipeline_fails_on_is_an_error_not_the_end(nlp, n_process):
    from policylens.annotate import annotate_stream

    nlp.add_pipe("test_fails_on_marker")
    try:
        texts = ["We keep logs for 30 days.", "This policy BREAKS-THE-PIPELINE here.", "We sell no data."] * 20
        items = [readers.InputDocument(t, {"source_path": f"p{i}.txt"}) for i, t in enumerate(texts)]
        output, errors = ListWriter(), ListWriter()
        summary = annotate_stream(items, nlp, output, errors, batch_size=8, n_process=n_process, progress=False)
    finally:
        nlp.remove_pipe("test_fails_on_marker")
    assert [r["meta"]["source_path"] for r in output.records] == [f"p{i}.txt" for i in range(60) if i % 3 != 1]
    assert [e["source_path"] for e in errors.records] == [f"p{i}.txt" for i in range(60) if i % 3 == 1]
    assert all(e["code"] == "pipeline" and "ValueError: a component bug" in e["reason"] for e in errors.records)
    assert summary.to_dict()["errors_by_reason"] == {"pipeline": 20}
