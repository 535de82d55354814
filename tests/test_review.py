"""Round trips through each review tool: export, edit as a reviewer would, import, evaluate.

The reviewer of POLICY accepts most spans, deletes "advertising partners", adds the missed
DATA_TYPE "logs" and relabels "phone number" from THIRD_PARTY to DATA_TYPE. Against the
predictions that gives (DATA_TYPE gold 3, pred 1, right 1; THIRD_PARTY gold 1, pred 3, right 1;
RETENTION and CONTACT_EMAIL 1 of 1): 4 of 6 spans right both ways.
"""
import json
import shutil
import subprocess
import sys

import pytest
import srsly
from typer.testing import CliRunner

from policylens.cli import app
from policylens.evaluate import align_by_text, confusion, error_list, evaluate_records
from policylens.export import doccano, labelstudio, prodigy
from policylens.review import ReviewError, from_doccano, from_labelstudio, from_prodigy
from conftest import ROOT
from review_data import OTHER, POLICY, PRED, PRED_OTHER, make_docs
from test_project import declared_outputs

DELETED, ADDED, RELABELLED = "advertising partners", "logs", "phone number"


def offsets(phrase, text=POLICY):
    start = text.index(phrase)
    return start, start + len(phrase)


def scores(gold_records, pred_records=(PRED, PRED_OTHER)):
    pairs = align_by_text(gold_records, list(pred_records))
    return evaluate_records(pairs).to_dict(), confusion(pairs), error_list(pairs)


def check_policy_figures(result, table, errors, other_accepted=False):
    """The figures the reviewer's edits of POLICY imply (plus POLICY_OTHER unchanged if accepted)."""
    extra = 1 if other_accepted else 0
    labels = result["labels"]
    assert (labels["DATA_TYPE"]["gold"], labels["DATA_TYPE"]["pred"]) == (3 + extra, 1 + extra)
    assert labels["DATA_TYPE"]["strict_p"] == 1.0
    assert labels["DATA_TYPE"]["strict_r"] == pytest.approx((1 + extra) / (3 + extra))
    assert (labels["THIRD_PARTY"]["gold"], labels["THIRD_PARTY"]["pred"]) == (1 + extra, 3 + extra)
    assert labels["THIRD_PARTY"]["strict_p"] == pytest.approx((1 + extra) / (3 + extra))
    assert labels["RETENTION"]["strict_f"] == labels["CONTACT_EMAIL"]["strict_f"] == 1.0
    assert result["all"]["strict_p"] == result["all"]["strict_r"] == pytest.approx((4 + 2 * extra) / (6 + 2 * extra))
    assert table == {
        "DATA_TYPE": {"DATA_TYPE": 1 + extra, "THIRD_PARTY": 1, "(none)": 1},
        "THIRD_PARTY": {"THIRD_PARTY": 1 + extra},
        "RETENTION": {"RETENTION": 1},
        "CONTACT_EMAIL": {"CONTACT_EMAIL": 1},
        "(none)": {"THIRD_PARTY": 1},
    }
    assert [(e["type"], e["label"], e["text"], e.get("rule_id"), e.get("pred_label"), e.get("gold_label"))
            for e in errors] == [
        ("false_positive", "THIRD_PARTY", "phone number", "generic.third_parties/oops", None, "DATA_TYPE"),
        ("missed", "DATA_TYPE", "phone number", None, "THIRD_PARTY", None),
        ("false_positive", "THIRD_PARTY", "advertising partners", "generic.advertising/advertising-partners", None, None),
        ("missed", "DATA_TYPE", "logs", None, None, None),
    ]


# --- Prodigy ---------------------------------------------------------------------------------


def prodigy_session(keep_other="reject"):
    """db-out lines: POLICY reviewed and accepted, POLICY_OTHER rejected (or as given), one ignored."""
    first, other = (prodigy.doc_to_task(doc) for doc in make_docs(PRED, PRED_OTHER))
    spans = [s for s in first["spans"] if s["text"] != DELETED]
    for s in spans:
        if s["text"] == RELABELLED:  # Prodigy: remove the span and mark it again with the other label
            s.clear()
            s.update(start=offsets(RELABELLED)[0], end=offsets(RELABELLED)[1], token_start=6, token_end=7,
                     label="DATA_TYPE")
    start, end = offsets(ADDED)
    token = next(t["id"] for t in first["tokens"] if t["start"] == start)
    spans.append({"start": start, "end": end, "token_start": token, "token_end": token, "label": "DATA_TYPE"})
    first.update(spans=spans, answer="accept", _view_id="spans_manual", _input_hash=1, _task_hash=11)
    other.update(answer=keep_other, _input_hash=2, _task_hash=22)
    ignored = dict(other, text="Something else.", answer="ignore", _input_hash=3)
    return [first, other, ignored]


def test_prodigy_round_trip(tmp_path):
    path = tmp_path / "db-out.jsonl"
    srsly.write_jsonl(path, prodigy_session())
    imported = from_prodigy(path)
    assert (imported.tasks, len(imported.records), dict(imported.skipped)) == (3, 1, {"rejected": 1, "ignored": 1})
    gold = imported.records[0]
    assert gold["meta"] == PRED["meta"] and all("attrs" not in s for s in gold["spans"])
    check_policy_figures(*scores(imported.records))


def test_prodigy_keep_attrs_only_where_they_fit(tmp_path):
    path = tmp_path / "db-out.jsonl"
    session = prodigy_session(keep_other="accept")
    # A label changed in place, attributes left behind: they belong to THIRD_PARTY, not DATA_TYPE.
    session[1]["spans"][1]["label"] = "DATA_TYPE"
    srsly.write_jsonl(path, session)
    records = from_prodigy(path, keep_attrs=True).records
    attrs = {s["text"]: s.get("attrs") for record in records for s in record["spans"]}
    assert attrs["email address"] == {"category": "contact.email_address", "sensitive": False}
    assert attrs["phone number"] is None and attrs["logs"] is None and attrs["law enforcement"] is None
    result = scores(records)[0]
    assert result["attributes"]["DATA_TYPE.category"] == {"accuracy": 1.0, "pairs": 2}


def test_prodigy_bad_lines_are_all_reported(tmp_path):
    good, other, _ = prodigy_session()
    bad_text = json.loads(json.dumps(good))
    bad_text["spans"][0]["text"] = "e-mail address"
    bad_tokens = json.loads(json.dumps(good))
    bad_tokens["spans"][0]["token_end"] = 3
    path = tmp_path / "db-out.jsonl"
    lines = [good, bad_text, bad_tokens, dict(other, answer=None), {"answer": "accept"}]
    path.write_text("\n".join(json.dumps(t) for t in lines) + "\n{broken\n")
    with pytest.raises(ReviewError) as err:
        from_prodigy(path)
    message = str(err.value)
    assert "5 problem(s)" in message
    assert "line 2: span 16-29 DATA_TYPE: its text 'e-mail address' is not the text" in message
    assert "line 3: span 16-29 DATA_TYPE: its tokens 3-3 cover 16-21 (token_end is inclusive)" in message
    assert "line 4: answer None is not accept, reject or ignore" in message
    assert "line 5: no 'text' string" in message and "line 6: not JSON" in message


def test_prodigy_conflicting_duplicates(tmp_path):
    first = prodigy_session()[0]
    second = dict(first, spans=first["spans"][:1])
    path = tmp_path / "db-out.jsonl"
    srsly.write_jsonl(path, [first, first, second])
    with pytest.raises(ReviewError, match="line 3: annotates the text of line 1 differently"):
        from_prodigy(path)
    srsly.write_jsonl(path, [first, first])
    imported = from_prodigy(path)
    assert len(imported.records) == 1 and imported.notes["duplicate tasks dropped"] == 1


# --- doccano ---------------------------------------------------------------------------------


def doccano_export():
    """doccano's JSONL export after review: meta columns flattened back, spans as [start, end, label]."""
    lines = []
    for number, doc in enumerate(make_docs(PRED, PRED_OTHER), start=1):
        task = doccano.doc_to_task(doc)
        labels = task.pop("label")
        if number == 1:
            labels = [l for l in labels if list(offsets(DELETED)) != l[:2]]
            labels = [[s, e, "DATA_TYPE" if (s, e) == offsets(RELABELLED) else l] for s, e, l in labels]
            start, end = offsets(ADDED)
            labels.append([start, end + 1, "DATA_TYPE"])  # a selection with the space after it
        lines.append({"id": 40 + number, **task, "label": sorted(labels), "Comments": []})
    return lines


def test_doccano_round_trip(tmp_path):
    path = tmp_path / "doccano.jsonl"
    srsly.write_jsonl(path, doccano_export())
    imported = from_doccano(path)
    assert (imported.tasks, len(imported.records), imported.notes["spans trimmed of whitespace"]) == (2, 2, 1)
    assert [r["meta"] for r in imported.records] == [PRED["meta"], PRED_OTHER["meta"]]
    check_policy_figures(*scores(imported.records), other_accepted=True)
    kept = from_doccano(path, keep_attrs=True).records
    attrs = {s["text"]: s.get("attrs") for s in kept[0]["spans"]}
    assert attrs["Google Analytics"]["service"] == "Google Analytics" and attrs["phone number"] is None


def test_doccano_relation_export_and_bad_offsets(tmp_path):
    path = tmp_path / "doccano.jsonl"
    good = {"id": 7, "text": OTHER, "entities": [{"id": 1, "start_offset": 23, "end_offset": 38, "label": "THIRD_PARTY"}],
            "relations": []}
    srsly.write_jsonl(path, [good])
    assert from_doccano(path).records[0]["spans"] == [{"start": 23, "end": 38, "label": "THIRD_PARTY", "text": "law enforcement"}]
    srsly.write_jsonl(path, [good, {"id": 8, "text": OTHER, "label": [[30, 99, "THIRD_PARTY"], [0, 2, "PERSON"]]}])
    with pytest.raises(ReviewError) as err:
        from_doccano(path)
    assert "line 2 (id 8): span 30-99 THIRD_PARTY: offsets outside the text (length 39)" in str(err.value)
    assert "line 2 (id 8): span 0-2: unknown label 'PERSON'" in str(err.value)


# --- Label Studio ----------------------------------------------------------------------------


def labelstudio_export():
    """Label Studio's JSON export: POLICY annotated, POLICY_OTHER skipped, a third task untouched."""
    tasks = [labelstudio.doc_to_task(doc) for doc in make_docs(PRED, PRED_OTHER)]
    result = []
    for item in tasks[0]["predictions"][0]["result"]:
        value = item["value"]
        if value["text"] == DELETED:
            continue
        if value["text"] == RELABELLED:
            value["labels"] = ["DATA_TYPE"]
        result.append(dict(item, origin="prediction-changed" if value["text"] == RELABELLED else "prediction"))
    start, end = offsets(ADDED)
    result.append({"id": "Xy12", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
                   "value": {"start": start, "end": end, "text": ADDED, "labels": ["DATA_TYPE"]}})
    older = {"id": 5, "result": [], "was_cancelled": False, "ground_truth": False, "updated_at": "2025-01-01T10:00:00Z"}
    tasks[0].update(id=101, annotations=[older, {"id": 6, "result": result, "was_cancelled": False,
                                                 "ground_truth": False, "updated_at": "2025-01-02T10:00:00Z"}])
    tasks[1].update(id=102, annotations=[{"id": 7, "result": [], "was_cancelled": True}])
    untouched = {"id": 103, "data": {"text": "Nothing here."}, "annotations": [], "predictions": []}
    return tasks + [untouched]


def test_labelstudio_round_trip(tmp_path):
    path = tmp_path / "export.json"
    srsly.write_json(path, labelstudio_export())
    imported = from_labelstudio(path)
    assert (imported.tasks, len(imported.records)) == (3, 1)
    assert dict(imported.skipped) == {"skipped": 1, "not annotated": 1}
    assert imported.notes["tasks with several annotations (ground truth or latest used)"] == 1
    assert imported.records[0]["meta"] == PRED["meta"]
    check_policy_figures(*scores(imported.records))


def test_labelstudio_utf16_offsets_and_task_ids(tmp_path):
    text = "\U0001F600 We keep your email address."
    start = text.index("email address")
    value = {"start": start + 1, "end": start + 14, "text": "email address", "labels": ["DATA_TYPE"]}
    task = {"id": 9, "data": {"text": text},
            "annotations": [{"result": [{"id": "a", "type": "labels", "from_name": "label", "to_name": "text", "value": value}]}]}
    path = tmp_path / "export.json"
    srsly.write_json(path, [task])
    imported = from_labelstudio(path)
    assert imported.records[0]["spans"] == [{"start": start, "end": start + 13, "label": "DATA_TYPE", "text": "email address"}]
    assert imported.notes["spans with UTF-16 offsets converted"] == 1
    value.update(start=0, end=5)
    srsly.write_json(path, [task])
    with pytest.raises(ReviewError, match="task 9: span 0-5 DATA_TYPE: its text 'email address' is not the text"):
        from_labelstudio(path)


# --- Command line ----------------------------------------------------------------------------


def test_cli_import_review_then_evaluate(tmp_path):
    reviewed, gold, pred = tmp_path / "db-out.jsonl", tmp_path / "gold.jsonl", tmp_path / "annotated.jsonl"
    srsly.write_jsonl(reviewed, prodigy_session())
    srsly.write_jsonl(pred, [PRED_OTHER, PRED])  # another order than the gold, and one more record
    runner = CliRunner()
    result = runner.invoke(app, ["import-review", str(reviewed), "--format", "prodigy", "-o", str(gold)])
    assert result.exit_code == 0, result.output
    assert "3 tasks read, 1 gold records, 1 ignored, 1 rejected" in result.output
    result = runner.invoke(app, ["evaluate", str(gold), "--pred", str(pred), "--errors"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    assert ["gold", "\\", "pred", "DATA_TYPE", "THIRD_PARTY", "CONTACT_EMAIL", "RETENTION", "(none)"] in rows
    assert ["DATA_TYPE", "1", "1", "0", "0", "1"] in rows and ["(none)", "0", "1", "0", "0", "-"] in rows
    assert ["1", "generic.advertising/advertising-partners"] in rows
    assert "policy-1  DATA_TYPE  118-122  'logs'" in result.output
    result = runner.invoke(app, ["evaluate", str(gold), "--pred", str(pred), "--json", "--errors"])
    output = srsly.json_loads(result.output)
    assert output["confusion"]["DATA_TYPE"] == {"DATA_TYPE": 1, "THIRD_PARTY": 1, "(none)": 1}
    assert len(output["errors"]) == 4


def test_cli_import_review_bad_file_writes_nothing(tmp_path):
    reviewed, gold = tmp_path / "export.json", tmp_path / "gold.jsonl"
    reviewed.write_text('[{"id": 4, "data": {}}]')
    result = CliRunner().invoke(app, ["import-review", str(reviewed), "-f", "labelstudio", "-o", str(gold)])
    assert result.exit_code == 2
    assert "task 4: no data.text string" in result.output
    assert not gold.exists()


# --- The spaCy project -----------------------------------------------------------------------


def test_example_review_session_imports():
    imported = from_prodigy(ROOT / "assets" / "review" / "prodigy.reviewed.jsonl")
    assert (imported.tasks, len(imported.records), dict(imported.skipped)) == (6, 5, {"ignored": 1})
    gold_texts = {r["text"] for r in srsly.read_jsonl(ROOT / "assets" / "gold" / "samples.gold.jsonl")}
    assert all(record["text"] in gold_texts for record in imported.records)


@pytest.mark.slow
def test_project_review_workflows(tmp_path):
    for name in ["project.yml", "configs", "patterns", "scripts", "assets", "src"]:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    for workflow in ("review", "after-review"):
        result = subprocess.run([sys.executable, "-m", "spacy", "project", "run", workflow, str(tmp_path)],
                                capture_output=True, text=True, cwd=tmp_path)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    project = srsly.read_yaml(tmp_path / "project.yml")
    outputs = declared_outputs(project, "review") + declared_outputs(project, "after-review")
    assert [out for out in outputs if not (tmp_path / out).exists()] == []
    metrics = srsly.read_json(tmp_path / "metrics" / "review.json")
    assert metrics["documents"] == 5 and "confusion" in metrics and metrics["errors"]
