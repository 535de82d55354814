"""The hand-made gold of the bundled sample policies: in sync, well-formed, and covering every label value."""
import importlib.util
import json
import re
import subprocess
import sys

import pytest
import srsly

from conftest import ROOT
from policylens.labels import (
    ATTRIBUTES,
    EMAIL_ROLES,
    LABELS,
    RETENTION_KINDS,
    THIRD_PARTY_CATEGORIES,
)
from policylens.patterns import load_catalogue, load_taxonomy

SCRIPT = ROOT / "scripts" / "make_gold.py"
POLICIES = ROOT / "assets" / "policies"
ANNOTATIONS = ROOT / "assets" / "gold" / "annotations"
GOLD = ROOT / "assets" / "gold" / "samples.gold.jsonl"
ISO_DURATION = re.compile(r"^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$")


def _load_script():
    spec = importlib.util.spec_from_file_location("make_gold", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_gold = _load_script()


@pytest.fixture(scope="module")
def gold():
    return list(srsly.read_jsonl(GOLD))


def all_spans(records, label=None):
    return [s for r in records for s in r["spans"] if label in (None, s["label"])]


def test_gold_is_in_sync_with_annotations(tmp_path):
    output = tmp_path / "samples.gold.jsonl"
    srsly.write_jsonl(output, make_gold.make_gold(POLICIES, ANNOTATIONS))
    assert output.read_text(encoding="utf-8") == GOLD.read_text(encoding="utf-8")


def test_one_record_per_policy(gold):
    stems = sorted(p.stem for p in POLICIES.iterdir() if p.suffix in make_gold.POLICY_SUFFIXES)
    assert [r["meta"] for r in gold] == [{"source": "samples", "id": stem} for stem in stems]
    assert len(gold) >= 6


def test_text_is_what_policylens_reads(gold):
    by_id = {r["meta"]["id"]: r["text"] for r in gold}
    for path in POLICIES.iterdir():
        assert by_id[path.stem] == make_gold.read_policy_text(path), path.name
    html = next(r["text"] for r in gold if r["meta"]["id"] == "brightnews_site")
    assert "<" not in html and "bnTrack" not in html


def test_offsets_match_span_text(gold):
    for record in gold:
        for span in record["spans"]:
            assert record["text"][span["start"]:span["end"]] == span["text"], (record["meta"], span)


def test_spans_sorted_and_same_label_spans_do_not_overlap(gold):
    for record in gold:
        spans = record["spans"]
        assert [s["start"] for s in spans] == sorted(s["start"] for s in spans)
        for label in LABELS:
            ranges = sorted((s["start"], s["end"]) for s in spans if s["label"] == label)
            for (_, end), (start, _) in zip(ranges, ranges[1:]):
                assert end <= start, (record["meta"]["id"], label, start)


def test_attribute_shapes(gold):
    for span in all_spans(gold):
        attrs = span["attrs"]
        assert list(attrs) == list(ATTRIBUTES[span["label"]]), span
        if span["label"] == "DATA_TYPE":
            assert re.fullmatch(r"[a-z_]+\.[a-z_]+", attrs["category"]), span
            assert isinstance(attrs["sensitive"], bool)
        elif span["label"] == "THIRD_PARTY":
            assert attrs["category"] in THIRD_PARTY_CATEGORIES
            assert (attrs["organization"] is not None) == attrs["named"], span
        elif span["label"] == "CONTACT_EMAIL":
            assert attrs["role"] in EMAIL_ROLES
            assert re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+", attrs["address"]), span
        else:
            assert attrs["kind"] in RETENTION_KINDS
            if attrs["kind"] == "stated_period":
                assert ISO_DURATION.match(attrs["duration"] or ""), span
            else:
                assert attrs["duration"] is None, span


def test_gold_covers_every_label_and_attribute_value(gold):
    assert {s["label"] for s in all_spans(gold)} == set(LABELS)
    parties = all_spans(gold, "THIRD_PARTY")
    assert {s["attrs"]["category"] for s in parties} == set(THIRD_PARTY_CATEGORIES)
    assert {s["attrs"]["named"] for s in parties} == {True, False}
    assert {s["attrs"]["role"] for s in all_spans(gold, "CONTACT_EMAIL")} == set(EMAIL_ROLES)
    assert {s["attrs"]["kind"] for s in all_spans(gold, "RETENTION")} == set(RETENTION_KINDS)
    data_types = all_spans(gold, "DATA_TYPE")
    assert {s["attrs"]["sensitive"] for s in data_types} == {True, False}
    categories = {s["attrs"]["category"] for s in data_types}
    assert {
        "generic.personal_information", "generic.non_personal_information",
        "generic.sensitive_information", "generic.children_personal_information",
        "health.medical", "special.biometric", "personal_identifier.government_id",
        "contact.email_address", "identifier.ip_address", "identifier.cookie", "location.precise",
        "financial.payment_card", "demographic.age", "online_activity.browsing", "account.password",
    } <= categories


def test_data_type_categories_are_taxonomy_ids(gold):
    ids = {entry["id"] for entry in load_taxonomy(ROOT / "patterns" / "taxonomy.jsonl")}
    used = {s["attrs"]["category"] for s in all_spans(gold, "DATA_TYPE")}
    assert sorted(used - ids) == []


def test_named_parties_agree_with_the_catalogue(gold):
    owners = {}
    for entry in load_catalogue(ROOT / "patterns" / "third_parties.jsonl"):
        for name in entry.get("names", []):
            owners[name] = (entry["organization"], entry["service"])
    named = [s for s in all_spans(gold, "THIRD_PARTY") if s["attrs"]["named"]]
    checked = [s for s in named if s["text"] in owners]
    assert len(checked) >= 20
    for span in checked:
        assert (span["attrs"]["organization"], span["attrs"]["service"]) == owners[span["text"]], span


def test_gold_covers_the_duration_forms_and_email_forms(gold):
    retention = [s["text"] for s in all_spans(gold, "RETENTION")]
    for form in ("30 days", "thirty (30) days", "two years", "6 months", "90-day"):
        assert any(form in text for text in retention), form
    emails = all_spans(gold, "CONTACT_EMAIL")
    assert any("[at]" in s["text"] or "(at)" in s["text"] for s in emails)
    text_of = {r["meta"]["id"]: r["text"] for r in gold}
    mailto = [s for r in gold for s in r["spans"]
              if s["label"] == "CONTACT_EMAIL" and text_of[r["meta"]["id"]][:s["start"]].endswith("mailto:")]
    assert {s["attrs"]["role"] for s in mailto} >= {"privacy", "dpo"}


def _policy_dirs(tmp_path, text, annotations):
    policies, anns = tmp_path / "policies", tmp_path / "annotations"
    policies.mkdir(parents=True)
    anns.mkdir()
    (policies / "tiny.txt").write_text(text, encoding="utf-8")
    (anns / "tiny.txt.jsonl").write_text("".join(json.dumps(a) + "\n" for a in annotations), encoding="utf-8")
    return policies, anns


def _data_type(text, **extra):
    return {"text": text, "label": "DATA_TYPE",
            "attrs": {"category": "contact.email_address", "sensitive": False}, **extra}


def test_whole_word_occurrences(tmp_path):
    text = "Your email address and email addresses; email address."
    policies, anns = _policy_dirs(tmp_path, text, [_data_type("email address")])
    spans = make_gold.make_gold(policies, anns)[0]["spans"]
    assert [(s["start"], s["end"]) for s in spans] == [(5, 18), (40, 53)]
    policies, anns = _policy_dirs(tmp_path / "second", text, [_data_type("email address", occurrence=2)])
    assert [s["start"] for s in make_gold.make_gold(policies, anns)[0]["spans"]] == [40]


@pytest.mark.parametrize(
    "annotations,message",
    [
        ([_data_type("phone number")], "'phone number': phrase not found"),
        ([_data_type("email address", occurrence=3)], "occurrence 3 out of range (found 2)"),
        ([_data_type("email address"), _data_type("address")], "DATA_TYPE spans overlap"),
    ],
)
def test_script_fails_loudly(tmp_path, annotations, message):
    policies, anns = _policy_dirs(tmp_path, "Your email address and email address.", annotations)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--policies", str(policies), "--annotations", str(anns),
         "--output", str(tmp_path / "out.jsonl")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "tiny.txt.jsonl" in result.stderr and message in result.stderr
    assert not (tmp_path / "out.jsonl").exists()
