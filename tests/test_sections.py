"""Sections under headings (components/headings.py, components/sections.py, patterns/sections.json):
heading detection, section kinds and extents, and the rules that only hold inside a section, on
the real pipeline and sentences written for these tests."""
import json

import pytest
import spacy
import srsly
from spacy.tokens import Doc

from policylens.components.headings import KindTable, heading_style
from policylens.components.sections import SectionRules
from policylens.html_text import html_to_text
from policylens.labels import DATA_TYPE, RETENTION, SPANS_KEY

from conftest import ROOT

SECTIONS = ROOT / "patterns" / "sections.json"


@pytest.fixture(scope="module")
def kinds():
    return KindTable(srsly.read_json(SECTIONS)["kinds"])


def spans(doc, label):
    """(text, id) of the spans of one label."""
    return [(s.text, s.id_) for s in doc.spans[SPANS_KEY] if s.label_ == label]


def under(heading: str, body: str) -> str:
    """A small policy: an opening paragraph, the heading, the body, and a last section."""
    return (
        "Lantern Games explains here how it handles your data.\n\n"
        f"{heading}\n\n{body}\n\n"
        "Questions\n\nWrite to the team with any questions about this notice."
    )


# --- heading detection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line,title,style,level",
    [
        ("5. How long we keep your data", "How long we keep your data", "numbered", 1),
        ("6.2. Storage and deletion", "Storage and deletion", "numbered", 2),
        ("IV. COOKIES", "COOKIES", "numbered", 1),
        ("(b) Children", "Children", "numbered", 3),
        ("Section 9 - Cookies", "Cookies", "numbered", 1),
        ("DATA RETENTION", "DATA RETENTION", "caps", 0),
        ("## Keeping your records", "Keeping your records", "markdown", 2),
        ("# Cookies.", "Cookies.", "markdown", 1),
        ("Retention of Customer Records", "Retention of Customer Records", "title", 0),
        ("How long do we hold on to your files?", "How long do we hold on to your files?", "plain", 0),
        ("Storage periods", "Storage periods", "plain", 0),
        ("Retention:", "Retention", "plain", 0),
        ("**Retention**", "Retention", "plain", 0),
    ],
)
def test_headings_are_found(line, title, style, level):
    found = heading_style(line)
    assert found is not None
    assert found[:3] == (title, style, level)


@pytest.mark.parametrize(
    "line",
    [
        "We keep invoices for ten years.",  # a short sentence ends with a full stop
        "Logs go after a month;",
        "Thanks!",
        "The records we hold about your orders may include the following:",  # introduces a list
        "• Cookies",  # a list item
        "- Retention",
        "cookies we place",  # starts in lower case
        "6.2.1 Your files are stored on servers in Ireland.",  # a numbered sentence
        "",
        "x" * 130,
        "Retention " * 15,  # too many words
        "This is one of the longer lines that is not written in title case at all",
    ],
)
def test_lines_that_are_not_headings(line):
    assert heading_style(line) is None


@pytest.mark.parametrize(
    "title,kind",
    [
        ("How long we keep your data", "retention"),
        ("DATA RETENTION", "retention"),
        ("Storage and deletion", "retention"),
        ("Data storage", "retention"),
        ("How we keep your data secure", "security"),  # "keep" is weaker than "secure"
        ("Where we store your data", "transfers"),  # "store" is weaker than "where we store"
        ("Cookies and similar technologies", "cookies"),
        ("Tracking technologies", "cookies"),
        ("Children's privacy", "children"),
        ("Who receives your data", "sharing"),
        ("Your rights", "rights"),
        ("Contact us", "contact"),
        ("Changes to this notice", "changes"),
        ("Lantern Games", None),
    ],
)
def test_heading_kinds(kinds, title, kind):
    assert kinds.kind(title) == kind


# --- sections in the pipeline --------------------------------------------------------------------


def test_sections_of_a_markdown_policy(nlp):
    text = (
        "# Lantern Games privacy notice\n\n"
        "We run small puzzle games.\n\n"
        "## How long we keep your data\n\n"
        "Scores are kept while your profile exists.\n\n"
        "### Backups\n\n"
        "Backups follow the same rules.\n\n"
        "## Cookies\n\n"
        "The site sets one cookie to remember your language.\n"
    )
    doc = nlp(text)
    sections = doc._.sections
    assert [(s["heading"], s["kind"]) for s in sections] == [
        ("How long we keep your data", "retention"),
        ("Cookies", "cookies"),
    ]
    retention, cookies = sections
    # The retention section holds its lower-ranked sub-heading and ends where "## Cookies" starts.
    assert text[retention["start_char"]:].startswith("## How long")
    assert "### Backups" in text[retention["start_char"]:retention["end_char"]]
    assert text[retention["end_char"]:].lstrip().startswith("## Cookies")
    assert text[cookies["start_char"]:cookies["end_char"]].rstrip().endswith("your language.")
    json.dumps(sections)  # JSON-safe


def test_numbered_sections_end_at_the_next_number(nlp):
    text = (
        "1. Who we are\n\nLantern Games makes puzzle games.\n\n"
        "2. DATA RETENTION\n\nAccount Records\n\nSee below.\n\n"
        "3. Your rights\n\nYou may ask for a copy."
    )
    doc = nlp(text)
    (retention,) = [s for s in doc._.sections if s["kind"] == "retention"]
    covered = text[retention["start_char"]:retention["end_char"]]
    assert "Account Records" in covered and "3. Your rights" not in covered


def test_a_document_without_headings_has_no_sections(nlp):
    doc = nlp("We keep your scores for a year. Invoices: ten years after the end of the financial year.")
    assert doc._.sections == []
    assert not [s for s in doc.spans[SPANS_KEY] if "section." in s.id_]


def test_html_headings_open_sections(nlp):
    html = "<h2>How long we keep data</h2><p>Chat transcripts: 90 days.</p><h2>Your rights</h2><p>Ask us.</p>"
    doc = nlp(html_to_text(html))
    assert [s["kind"] for s in doc._.sections] == ["retention"]
    assert spans(doc, RETENTION) == [("90 days", "stated_period/section.retention.period")]


# --- section-scoped rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body,text,rule_id",
    [
        (
            "Invoices: ten years after the end of the financial year.",
            "ten years after the end of the financial year",
            "stated_period/section.retention.period-from",
        ),
        ("Server logs: 14 days.", "14 days", "stated_period/section.retention.period"),
        ("Thereafter, the records are erased.", "Thereafter, the records are erased", "until_event/section.retention.after-that"),
        ("Afterwards we wipe the backup tapes.", "Afterwards we wipe the backup tapes", "until_event/section.retention.after-that"),
        (
            "Support tickets are archived and thrown away once the case is closed.",
            "thrown away once the case is closed",
            "until_event/section.retention.discarded-when",
        ),
        (
            "Retention periods depend on the kind of record and why we hold it.",
            "Retention periods depend on the kind of record and why we hold it",
            "purpose_bound/section.retention.periods-vary",
        ),
        (
            "Delivery notes go with the order, or as required by applicable law.",
            "as required by applicable law",
            "legal_obligation/section.retention.as-required-by-law",
        ),
        (
            "Order slips: in line with commercial law.",
            "in line with commercial law",
            "legal_obligation/section.retention.in-compliance-with-law",
        ),
    ],
)
def test_retention_rules_hold_inside_a_retention_section_only(nlp, body, text, rule_id):
    inside = nlp(under("How long we keep your data", body))
    assert (text, rule_id) in spans(inside, RETENTION)
    outside = nlp(under("Sharing with partners", body))
    assert not [s for s in spans(outside, RETENTION) if "section." in s[1]]
    assert text not in [t for t, _ in spans(outside, RETENTION)]


def test_section_spans_get_retention_attributes(nlp):
    doc = nlp(under("5. How long we keep your data", "Invoices: ten years after the end of the financial year."))
    (span,) = [s for s in doc.spans[SPANS_KEY] if s.label_ == RETENTION]
    assert span._.kind == "stated_period"
    assert span._.duration == "P10Y"


@pytest.mark.parametrize(
    "body",
    [
        "We respond to deletion requests within 30 days.",  # a deadline, not a period
        "Players must be 16 years of age or older.",
        "Recordings are shredded after the retention period ends.",  # refers back (seeds.gold.md rule 24)
        "After this period, the recordings are deleted.",
        "Files are deleted when you ask us to remove them.",  # the user's right to erasure
    ],
)
def test_retention_section_rules_leave_these_alone(nlp, body):
    doc = nlp(under("How long we keep your data", body))
    assert not [s for s in spans(doc, RETENTION) if "section." in s[1]]


def test_the_rulers_span_stays_where_it_covers_the_stretch(nlp):
    doc = nlp(under("How long we keep your data", "We keep invoices for ten years after the end of the year."))
    (found,) = spans(doc, RETENTION)
    assert "section." not in found[1]


def test_cookie_names_are_data_in_a_cookies_section_only(nlp):
    body = "_lg_pref, remembers your language, one year.\n_lg_visit, counts visits, one day."
    inside = nlp(under("Cookies we set", body))
    names = [(t, i) for t, i in spans(inside, DATA_TYPE) if i.endswith("section.cookies.underscore-name")]
    assert [t for t, _ in names] == ["_lg_pref", "_lg_visit"]
    assert all(i.startswith("identifier.cookie/") for _, i in names)
    outside = nlp(under("Sharing with partners", body))
    assert not [t for t, _ in spans(outside, DATA_TYPE) if t.startswith("_lg")]


def test_cookie_expiry_at_an_event(nlp):
    body = "The session cookie expires at midnight of the day you set it."
    inside = nlp(under("Cookies", body))
    assert ("expires at midnight of the day you set it", "until_event/section.cookies.expires-at") in spans(inside, RETENTION)
    assert not spans(nlp(under("Sharing with partners", body)), RETENTION)


def test_every_span_has_a_rule_id(nlp):
    text = under(
        "How long we keep your data",
        "Server logs: 14 days. Invoices: ten years after the end of the financial year. "
        "Thereafter, the records are erased. We keep your email address until you close your account.",
    )
    doc = nlp(text)
    assert doc.spans[SPANS_KEY]
    assert all(s.id_ and "/" in s.id_ for s in doc.spans[SPANS_KEY])
    assert len([s for s in doc.spans[SPANS_KEY] if ".retention." in s.id_]) == 3


# --- saving, loading, configuration -------------------------------------------------------------


def test_saved_pipeline_finds_the_same(nlp, saved_pipeline):
    text = under("How long we keep your data", "Server logs: 14 days.\n\nThereafter, the records are erased.")
    loaded = spacy.load(saved_pipeline)
    a, b = nlp(text), loaded(text)
    assert a._.sections == b._.sections
    assert spans(a, RETENTION) == spans(b, RETENTION)


def test_sections_travel_with_the_doc(nlp):
    doc = nlp(under("How long we keep your data", "Server logs: 14 days."))
    copy = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert copy._.sections == doc._.sections


def test_all_kinds_finds_every_kind(nlp):
    component = SectionRules("sections", vocab=nlp.vocab, all_kinds=True)
    component.initialize(data=srsly.read_json(SECTIONS))
    doc = nlp.make_doc(under("Your rights", "You may ask for a copy of your records."))
    component(doc)
    assert [(s["heading"], s["kind"]) for s in doc._.sections] == [("Your rights", "rights"), ("Questions", "contact")]


@pytest.mark.parametrize(
    "change,message",
    [({"anchors": []}, "anchors"), ({"regex": "(unclosed"}, "regex"), ({"reach": "far"}, "reach")],
)
def test_a_rule_that_cannot_be_tried_is_refused(nlp, change, message):
    data = srsly.read_json(SECTIONS)
    rule = dict(data["rules"][0], **change)
    component = SectionRules("sections", vocab=nlp.vocab)
    with pytest.raises(ValueError, match=message):
        component.initialize(data=dict(data, rules=[rule]))
