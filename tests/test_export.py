"""The doccano, Label Studio, CSV and HTML exporters, on hand-written annotated records."""
import csv
import xml.etree.ElementTree as ET

import pytest
import srsly
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from policylens.cli import app
from policylens.export import EXPORTERS, doccano, labelstudio
from policylens.export import csv as csv_export
from policylens.export import html as html_export
from policylens.export.common import open_text
from policylens.labels import LABELS
from review_data import HOSTILE, OTHER, POLICY, PRED, PRED_HOSTILE, PRED_OTHER, make_docs, span


def test_every_format_is_registered():
    assert sorted(EXPORTERS) == ["csv", "doccano", "html", "labelstudio", "prodigy"]


def test_doccano_record():
    task = doccano.doc_to_task(make_docs(PRED_OTHER)[0])
    assert task["text"] == OTHER
    assert task["label"] == [[13, 17, "DATA_TYPE"], [23, 38, "THIRD_PARTY"]]
    assert task["meta"] == {"id": "policy-2"}
    assert task["policylens_spans"][1] == {
        "start": 23, "end": 38, "label": "THIRD_PARTY", "text": "law enforcement",
        "rule_id": "generic.government/law-enforcement",
        "attrs": {"category": "government", "named": False, "organization": None, "service": None},
    }


def test_labelstudio_tasks_match_their_config(tmp_path):
    out = tmp_path / "ls.json"
    assert labelstudio.write_tasks(make_docs(PRED, PRED_OTHER), str(out)) == 2
    tasks = srsly.read_json(out)
    assert [t["data"]["text"] for t in tasks] == [POLICY, OTHER]
    results = tasks[0]["predictions"][0]["result"]
    assert results[0] == {
        "id": "s0", "from_name": "label", "to_name": "text", "type": "labels",
        "value": {"start": 16, "end": 29, "text": "email address", "labels": ["DATA_TYPE"]},
    }
    assert len({r["id"] for r in results}) == len(results) == 6
    assert tasks[0]["data"]["policylens_spans"][0]["rule_id"] == "contact.email_address/email-address"
    assert tasks[0]["data"]["meta"] == PRED["meta"]
    config = ET.fromstring((tmp_path / "ls.config.xml").read_text())
    labels, text = config.find("Labels"), config.find("Text")
    assert (labels.get("name"), labels.get("toName"), text.get("name"), text.get("value")) == ("label", "text", "text", "$text")
    assert [label.get("value") for label in labels.findall("Label")] == list(LABELS)
    assert {(r["from_name"], r["to_name"]) for t in tasks for r in t["predictions"][0]["result"]} == {("label", "text")}


def test_csv_rows_and_formula_injection(tmp_path):
    text = '=HYPERLINK("http://x") and @SUM(A1) and +1 555 and -2 days.'
    record = {
        "text": text, "meta": {"id": "=cmd"}, "sents": [[0, len(text)]],
        "spans": [span(text, '=HYPERLINK("http://x")', "DATA_TYPE", "r/1", category="a.b", sensitive=True),
                  span(text, "@SUM(A1)", "DATA_TYPE", "r/2"),
                  span(text, "+1 555", "CONTACT_EMAIL", "-r3", address="=1+2", role="other"),
                  span(text, "-2 days", "RETENTION", "r/4", kind="stated_period", duration="P2D")],
    }
    out = tmp_path / "spans.csv"
    assert csv_export.write_tasks(make_docs(PRED, record), str(out)) == 2
    with open(out, newline="", encoding="utf8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 10
    first = rows[0]
    assert (first["policy"], first["doc"], first["label"], first["text"], first["start"], first["end"]) == (
        "policy-1", "1", "DATA_TYPE", "email address", "16", "29")
    assert first["sentence"] == "We collect your email address and phone number."
    assert (first["rule_id"], first["category"], first["sensitive"], first["named"]) == (
        "contact.email_address/email-address", "contact.email_address", "false", "")
    hostile = rows[6:]
    assert [r["text"] for r in hostile] == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'+1 555", "'-2 days"]
    assert {r["policy"] for r in hostile} == {"'=cmd"}
    assert (hostile[2]["rule_id"], hostile[2]["address"]) == ("'-r3", "'=1+2")
    assert hostile[0]["sentence"] == "'" + text and hostile[0]["sensitive"] == "true"


def test_html_page_structure_and_escaping(tmp_path):
    docs = make_docs(PRED, PRED_HOSTILE)
    out = tmp_path / "review.html"
    assert html_export.write_tasks(docs, str(out)) == 2
    page = BeautifulSoup(out.read_text(encoding="utf8"), "html.parser")
    # Hostile text stayed text: no element came from it, and each text block reads as the policy.
    assert page.find_all("img") == [] and len(page.find_all("script")) == 1
    assert [div.get_text() for div in page.select("div.pl-text")] == [POLICY, HOSTILE]
    assert page.select_one("#policy-2 h2").get_text() == "2. " + PRED_HOSTILE["meta"]["id"]
    # One tag per span, with its rule id and attributes on hover.
    for number, doc in enumerate(docs, start=1):
        for i, s in enumerate(doc.spans["policylens"]):
            tag = page.select_one(f'.pl-tag[data-span="{number}-{i}"]')
            assert tag["data-label"] == s.label_
            assert f"rule: {s.id_}" in tag["title"]
    tag = page.select_one('.pl-tag[data-span="2-2"]')
    assert 'address: "><img src=x onerror=alert(3)>' in tag["title"]
    assert [e.get_text() for e in page.select(".pl-legend-label")] == list(LABELS)
    # Summary of policy 1.
    tables = {t.find_previous("h3").get_text(): t for t in page.select("#policy-1 table")}
    assert [td.get_text() for td in tables["Named third parties"].select("td")] == ["Google Analytics (Google)", "1"]
    assert [td.get_text() for td in tables["Retention"].select("td")] == ["stated_period", "P30D", "1"]
    assert [td.get_text() for td in tables["Contact addresses"].select("td")] == ["privacy@example.com", "privacy", "1"]
    rows = [[td.get_text() for td in tr.select("td")] for tr in tables["Spans per label and category"].select("tbody tr")]
    assert rows[1] == ["THIRD_PARTY", "3", "category", "advertising \u00d71, analytics \u00d71, unspecified \u00d71"]
    assert page.select_one("#pl-status")["data-total"] == "10"


def test_overlapping_spans_stack():
    docs = make_docs({"text": "We keep logs for 30 days.", "meta": {},
                      "spans": [span("We keep logs for 30 days.", "keep logs for 30 days", "RETENTION"),
                                span("We keep logs for 30 days.", "logs", "DATA_TYPE")]})
    page = BeautifulSoup(html_export.render_page(docs), "html.parser")
    bars = page.select('.pl-bar[data-span="1-1"]')
    assert len(bars) == 1 and "top: 57px" in bars[0]["style"]  # second slot, under the RETENTION bar
    assert len(page.select('.pl-bar[data-span="1-0"]')) == 5


def test_open_text_leaves_nothing_on_failure(tmp_path):
    out = tmp_path / "page.html"
    with pytest.raises(RuntimeError):
        with open_text(out) as file:
            file.write("half")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt,name", [("doccano", "d.jsonl"), ("labelstudio", "l.json"), ("html", "p.html"), ("csv", "s.csv")])
def test_cli_export(tmp_path, fmt, name):
    annotated = tmp_path / "annotated.jsonl"
    srsly.write_jsonl(annotated, [PRED, PRED_OTHER])
    result = CliRunner().invoke(app, ["export", str(annotated), "--format", fmt, "-o", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert f"exported 2 documents as {fmt}" in result.output
    assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "l.config.xml").exists() == (fmt == "labelstudio")
