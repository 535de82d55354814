"""Interrupted runs: SIGKILL part way, then --resume gives the output of an uninterrupted run."""
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
import srsly

from policylens.resume import document_id, partial_path_for, read_partial

from corpus_gen import policy_text

KILL_AFTER_LINES = 12  # a few batches of --batch-size 4 are on disk when the run is killed


@pytest.fixture(scope="module")
def pipeline_dir(saved_pipeline):
    return str(saved_pipeline)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A directory of text files and a JSONL file (with a bad line and a duplicate), ~300 documents."""
    rng = random.Random(6)
    root = tmp_path_factory.mktemp("resume") / "corpus"
    (root / "site").mkdir(parents=True)
    for i in range(60):
        (root / "site" / f"p{i:03d}.txt").write_text(policy_text(rng, 12), encoding="utf8")
    (root / "site" / "empty.txt").write_text("  \n", encoding="utf8")
    lines = []
    for i in range(240):
        meta = {"id": f"j{i}"} if i % 3 else {}  # ids for some, content hashes for the rest
        lines.append(json.dumps({"text": policy_text(rng, 12), "meta": meta}))
    lines.insert(100, "{cut off")
    lines.append(json.dumps({"text": json.loads(lines[3])["text"]}))  # same text as line 4, no id
    (root / "lines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf8")
    return root


def annotate_cmd(corpus, out, pipeline_dir, *extra):
    return [sys.executable, "-m", "policylens", "annotate", str(corpus), "-o", str(out),
            "-p", pipeline_dir, "--batch-size", "4", "-q", *extra]


@pytest.fixture(scope="module")
def reference(corpus, pipeline_dir, tmp_path_factory):
    """The output and errors of an uninterrupted run."""
    out = tmp_path_factory.mktemp("reference") / "out.jsonl"
    done = subprocess.run(annotate_cmd(corpus, out, pipeline_dir), capture_output=True, text=True)
    assert done.returncode == 1, done.stderr  # the empty file and the bad line
    return out.read_bytes(), (out.parent / "out.errors.jsonl").read_bytes()


def _interruptible_low_priority():
    """In the run's process before it starts: SIGINT back to its default, so that Python turns
    it into KeyboardInterrupt (a suite started as a background job inherits SIGINT ignored, and
    the run would go on to the end), and a lower priority than the loop that interrupts it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.nice(10)


def kill_part_way(cmd, partial, sig):
    """Start the run, send it ``sig`` once the partial file holds KILL_AFTER_LINES lines.

    RETURNS (Tuple[int, str]): The exit status and stderr.
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_interruptible_low_priority)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if partial.exists() and partial.read_bytes().count(b"\n") >= KILL_AFTER_LINES:
            proc.send_signal(sig)
            break
        time.sleep(0.005)
    _, stderr = proc.communicate()
    return proc.returncode, stderr


@pytest.mark.parametrize("n_process,sig", [("1", signal.SIGKILL), ("2", signal.SIGKILL), ("1", signal.SIGINT)])
def test_sigkill_then_resume_equals_uninterrupted_run(corpus, pipeline_dir, reference, tmp_path, n_process, sig):
    out = tmp_path / "out.jsonl"
    partial = partial_path_for(out)
    cmd = annotate_cmd(corpus, out, pipeline_dir, "--n-process", n_process)
    status, stderr = kill_part_way(cmd, partial, sig)
    assert not out.exists(), "an interrupted run must not leave a file under the final name"
    if sig == signal.SIGKILL:
        assert status == -signal.SIGKILL, "the run ended before it could be killed"
        assert (tmp_path / "out.jsonl.lock").exists()  # left by the killed run: stale now
    else:  # Ctrl-C: the run says how to go on, and releases its lock
        assert status == 130, stderr
        assert "--resume" in stderr and not (tmp_path / "out.jsonl.lock").exists()
    kept = read_partial(partial)
    assert kept.records >= KILL_AFTER_LINES
    assert reference[0].startswith(partial.read_bytes()[: kept.size])
    with open(partial, "ab") as file:  # a record the kill cut in half
        file.write(b'{"text": "We collect your na')

    resumed = subprocess.run(cmd + ["--resume"], capture_output=True, text=True)
    assert resumed.returncode == 1, resumed.stderr
    assert ("stale lock" in resumed.stderr) == (sig == signal.SIGKILL)
    assert out.read_bytes() == reference[0]
    assert (tmp_path / "out.errors.jsonl").read_bytes() == reference[1]
    assert not partial.exists() and not (tmp_path / "out.jsonl.lock").exists()
    manifest = srsly.read_json(tmp_path / "out.manifest.json")
    assert manifest["resumed"]["records"] == kept.records
    assert manifest["resumed"]["dropped_bytes"] == len(b'{"text": "We collect your na')
    assert manifest["documents"] == reference[0].count(b"\n")
    assert manifest["errors_by_reason"] == {"empty": 1, "jsonl-malformed": 1}


def test_leftover_partial_is_replaced_without_resume(pipeline_dir, tmp_path):
    from typer.testing import CliRunner

    from policylens.cli import app

    (tmp_path / "a.txt").write_text("We store your phone number for 30 days.\n", encoding="utf8")
    out = tmp_path / "out.jsonl"
    partial = partial_path_for(out)
    partial.write_text('{"text": "left over", "meta": {"doc_id": "x"}}\n', encoding="utf8")
    result = CliRunner().invoke(app, ["annotate", str(tmp_path / "a.txt"), "-o", str(out), "-p", pipeline_dir])
    assert result.exit_code == 0, result.output
    assert f"replacing {partial}" in result.output
    assert "1 inputs, 1 annotated, 0 errors" in result.output and "manifest ->" in result.output
    (record,) = srsly.read_jsonl(out)
    assert record["text"].startswith("We store") and not partial.exists()


def test_record_ids_and_duplicates(reference):
    records = [json.loads(line) for line in reference[0].splitlines()]
    ids = [r["meta"]["doc_id"] for r in records]
    assert all(document_id(r["text"], {k: v for k, v in r["meta"].items() if k != "doc_id"}) == r["meta"]["doc_id"]
               for r in records)
    jsonl = [r for r in records if r["meta"]["format"] == "jsonl"]
    assert [r["meta"]["source_line"] for r in jsonl] == [n for n in range(1, 243) if n != 101]
    # The last line repeats the text of line 4 (no meta id): same id, both written.
    assert ids.count(jsonl[3]["meta"]["doc_id"]) == 2 and jsonl[3]["meta"]["doc_id"].startswith("sha256:")
    assert jsonl[1]["meta"]["doc_id"] == "j1"


def test_read_partial_stops_at_a_damaged_line(tmp_path):
    path = tmp_path / ".out.jsonl.partial"
    good = [{"text": "a", "meta": {"doc_id": "1"}}, {"text": "b", "meta": {}}]
    body = "".join(json.dumps(r) + "\n" for r in good).encode()
    path.write_bytes(body + b"[1, 2]\n" + json.dumps(good[0]).encode() + b"\n")
    kept = read_partial(path)
    assert (kept.size, kept.records, kept.dropped_bytes) == (len(body), 2, path.stat().st_size - len(body))
    assert kept.ids == {"1": 1, document_id("b", {}): 1}
    assert read_partial(tmp_path / "missing").records == 0


def test_resume_refused_for_stdout_and_dask(corpus, pipeline_dir):
    from typer.testing import CliRunner

    from policylens.cli import app

    result = CliRunner().invoke(app, ["annotate", str(corpus), "-o", "-", "-p", pipeline_dir, "--resume"])
    assert result.exit_code == 2 and "--resume" in result.output
    result = CliRunner().invoke(app, ["annotate", str(corpus), "-o", "x", "--engine", "dask", "--resume"])
    assert result.exit_code == 2 and "--resume" in result.output
