"""The command line on every input kind, with a broken file among good ones."""
import os
import subprocess
import sys

import pytest
import srsly
from typer.testing import CliRunner

from policylens.cli import app

GOOD_TXT = "We collect your email address. Write to privacy@quokka.example with questions.\n"
GOOD_MD = "# Privacy\n\nWe share your IP address with [Google Analytics](https://example.com).\n"
GOOD_HTML = (
    "<html><head><title>x</title><script>var email='evil@tracker.example';</script></head>"
    "<body><nav>Home | Shop</nav><h1>Privacy</h1><p>We store your phone number.</p>"
    "<p>Contact <a href='mailto:dpo@quokka.example'>our DPO</a>.</p></body></html>"
)


@pytest.fixture(scope="module")
def pipeline_dir(saved_pipeline):
    return str(saved_pipeline)


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "policies"
    (root / "nested").mkdir(parents=True)
    (root / "a.txt").write_text(GOOD_TXT, encoding="utf8")
    (root / "nested" / "b.md").write_text(GOOD_MD, encoding="utf8")
    (root / "c.html").write_text(GOOD_HTML, encoding="utf8")
    (root / "d.jsonl").write_text(
        srsly.json_dumps({"text": "We keep logs for 90 days.", "meta": {"id": "j1"}}) + "\n"
        + "{not json\n"
        + srsly.json_dumps({"meta": {"id": "no text"}}) + "\n",
        encoding="utf8",
    )
    (root / "e.txt").write_bytes(b"%PDF-1.4\x00\x01binary")
    return root


def run(args, **kwargs):
    return CliRunner().invoke(app, args, **kwargs)


def test_annotate_mixed_corpus(corpus, tmp_path, pipeline_dir):
    out = tmp_path / "out.jsonl"
    result = run(["annotate", str(corpus), "-o", str(out), "--pipeline", pipeline_dir, "--quiet"])
    assert result.exit_code == 1, result.output
    records = list(srsly.read_jsonl(out))
    by_source = {os.path.basename(r["meta"]["source_path"]): r for r in records}
    assert sorted(by_source) == ["a.txt", "b.md", "c.html", "d.jsonl"]
    assert by_source["d.jsonl"]["meta"]["id"] == "j1"
    assert by_source["d.jsonl"]["meta"]["source_line"] == 1
    html = by_source["c.html"]
    assert "evil@tracker" not in html["text"] and "Home | Shop" not in html["text"]
    assert [(s["label"], s["attrs"]["address"]) for s in html["spans"] if s["label"] == "CONTACT_EMAIL"] == [
        ("CONTACT_EMAIL", "dpo@quokka.example")
    ]
    assert ("DATA_TYPE", "email address") in [(s["label"], s["text"]) for s in by_source["a.txt"]["spans"]]
    errors = list(srsly.read_jsonl(tmp_path / "out.errors.jsonl"))
    assert sorted((os.path.basename(e["source_path"]), e["source_line"]) for e in errors) == [
        ("d.jsonl", 2), ("d.jsonl", 3), ("e.txt", None)
    ]
    assert all(e["reason"] for e in errors)


def test_annotate_all_good_exits_zero(corpus, tmp_path, pipeline_dir):
    out = tmp_path / "good.jsonl"
    result = run(["annotate", str(corpus / "a.txt"), str(corpus / "c.html"), "-o", str(out), "-p", pipeline_dir, "-q"])
    assert result.exit_code == 0, result.output
    assert len(list(srsly.read_jsonl(out))) == 2
    assert (tmp_path / "good.errors.jsonl").read_text() == ""


def test_n_process_minus_one_is_one_worker_per_cpu(corpus, tmp_path, pipeline_dir, monkeypatch):
    from policylens import cli

    monkeypatch.setattr(cli, "usable_cpus", lambda: 2)  # the pool path, on a machine of any size
    one, every = tmp_path / "one.jsonl", tmp_path / "every.jsonl"
    assert run(["annotate", str(corpus), "-o", str(one), "-p", pipeline_dir, "-q"]).exit_code == 1
    result = run(["annotate", str(corpus), "-o", str(every), "-p", pipeline_dir, "-q", "--n-process", "-1"])
    assert result.exit_code == 1, result.output
    assert every.read_text() == one.read_text()
    assert srsly.read_json(tmp_path / "every.manifest.json")["workers"] == 2
    zero = run(["annotate", str(corpus), "-o", str(tmp_path / "zero.jsonl"), "-p", pipeline_dir, "--n-process", "0"])
    assert zero.exit_code == 2 and "--n-process must be at least 1, or -1" in zero.output


def test_usable_cpus_counts_this_process_s_cpus():
    from policylens.engines.local import usable_cpus

    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert usable_cpus() == expected >= 1


def test_annotate_stdin(tmp_path, pipeline_dir):
    out = tmp_path / "stdin.jsonl"
    result = run(["annotate", "-", "-o", str(out), "-p", pipeline_dir, "-q"], input=GOOD_TXT)
    assert result.exit_code == 0, result.output
    (record,) = srsly.read_jsonl(out)
    assert record["text"].strip() == GOOD_TXT.strip()


def test_missing_pipeline_is_exit_2(corpus, tmp_path):
    result = run(["annotate", str(corpus), "-o", str(tmp_path / "x.jsonl"), "-p", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert not (tmp_path / "x.jsonl").exists()


def test_export_prodigy(corpus, tmp_path, pipeline_dir):
    out = tmp_path / "out.jsonl"
    run(["annotate", str(corpus / "a.txt"), "-o", str(out), "-p", pipeline_dir, "-q"])
    tasks_path = tmp_path / "tasks.jsonl"
    result = run(["export", str(out), "--format", "prodigy", "-o", str(tasks_path)])
    assert result.exit_code == 0, result.output
    (task,) = srsly.read_jsonl(tasks_path)
    tokens = task["tokens"]
    assert task["spans"]
    for span in task["spans"]:
        assert tokens[span["token_start"]]["start"] == span["start"]
        assert tokens[span["token_end"]]["end"] == span["end"]  # token_end is inclusive
        assert task["text"][span["start"] : span["end"]] == span["text"]
        assert span["rule_id"]
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == task["text"]


def test_evaluate_scores(tmp_path, pipeline_dir):
    text = "We collect your email address and share it with advertising partners."
    start = text.index("email address")
    gold = tmp_path / "gold.jsonl"
    srsly.write_jsonl(
        gold,
        [{"text": text, "spans": [{"start": start, "end": start + len("email address"), "label": "DATA_TYPE",
                                    "attrs": {"category": "contact.email_address"}}]}],
    )
    result = run(["evaluate", str(gold), "-p", pipeline_dir, "--json"])
    assert result.exit_code == 0, result.output
    scores = srsly.json_loads(result.output)
    assert scores["labels"]["DATA_TYPE"]["strict_r"] == 1.0
    assert scores["labels"]["THIRD_PARTY"]["gold"] == 0 and scores["labels"]["THIRD_PARTY"]["pred"] == 1
    assert scores["attributes"]["DATA_TYPE.category"]["accuracy"] == 1.0


def test_evaluate_label_filter(tmp_path, pipeline_dir):
    text = "We collect your postal address and share it with our payment processors."
    data = "postal address"
    gold = tmp_path / "gold.jsonl"
    # The gold leaves out the recipient, so without a filter it is a false positive.
    srsly.write_jsonl(gold, [{"text": text, "spans": [
        {"start": text.index(data), "end": text.index(data) + len(data), "label": "DATA_TYPE"}]}])
    unfiltered = srsly.json_loads(run(["evaluate", str(gold), "-p", pipeline_dir, "--json", "--errors"]).output)
    assert {e["label"] for e in unfiltered["errors"]} == {"THIRD_PARTY"}
    result = run(["evaluate", str(gold), "-p", pipeline_dir, "--json", "--errors", "--label", "data_type"])
    assert result.exit_code == 0, result.output
    scores = srsly.json_loads(result.output)
    assert list(scores["labels"]) == ["DATA_TYPE"] and scores["only_labels"] == ["DATA_TYPE"]
    assert scores["all"]["overlap_p"] == 1.0 and scores["errors"] == []
    assert scores["confusion"]["(none)"]["THIRD_PARTY"] == 1  # the confusion table keeps every label


def test_evaluate_unknown_label(tmp_path, pipeline_dir):
    gold = tmp_path / "gold.jsonl"
    srsly.write_jsonl(gold, [{"text": "Hello.", "spans": []}])
    result = run(["evaluate", str(gold), "-p", pipeline_dir, "--label", "RETENTON"])
    assert result.exit_code == 2
    assert "RETENTON" in result.output and "RETENTION" in result.output


def test_help_runs_as_module():
    out = subprocess.run([sys.executable, "-m", "policylens", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("annotate", "export", "evaluate"):
        assert command in out.stdout
