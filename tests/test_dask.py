"""The Dask engine on a LocalCluster: the parts together are the single-process output, record for record."""
import json
import os

import pytest
import srsly
from typer.testing import CliRunner

from policylens import readers
from policylens.annotate import annotate_stream
from policylens.cli import app
from policylens.engines.dask_engine import MANIFEST, annotate_dask, jsonl_ranges, plan_partitions, read_units

from conftest import ListWriter

distributed = pytest.importorskip("distributed")

SENTENCES = [
    "We collect your email address and phone number.",
    "We share usage data with Google Analytics.",
    "We keep invoices for 7 years. Contact privacy@shop.example.",
]


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    for i in range(5):
        (root / "sub" / f"p{i}.txt").write_text(f"Policy {i}. " + " ".join(SENTENCES[: i % 3 + 1]), encoding="utf8")
    lines = [srsly.json_dumps({"text": f"Line {n}: " + SENTENCES[n % 3], "meta": {"n": n}}) for n in range(30)]
    lines[7] = "{not json"
    lines[12] = ""  # blank lines are skipped but counted
    (root / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf8")
    (root / "empty.txt").write_text("  \n", encoding="utf8")
    return [str(root), str(tmp_path / "missing.txt")]


def single_process(inputs, nlp):
    output, errors = ListWriter(), ListWriter()
    annotate_stream(readers.iter_inputs(inputs), nlp, output, errors, progress=False)
    return output.records, errors.records


def test_jsonl_ranges_start_at_lines(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"".join(b'{"text": "line %d"}\n' % i for i in range(100)))
    ranges = jsonl_ranges(str(path), 200)
    assert len(ranges) > 5
    assert ranges[0][:1] == (0,) and ranges[-1][1] == path.stat().st_size
    data = path.read_bytes()
    for (start, end, line), following in zip(ranges, ranges[1:] + [None]):
        assert data[:start].count(b"\n") + 1 == line
        assert start == 0 or data[start - 1 : start] == b"\n"
        assert following is None or following[0] == end
    assert jsonl_ranges(str(path), 10**6) == [(0, path.stat().st_size, 1)]


def test_partitions_read_like_iter_inputs(corpus):
    partitions = plan_partitions(corpus, 400)
    assert len(partitions) > 3
    items = [item for units in partitions for item in read_units(units)]
    expected = list(readers.iter_inputs(corpus))
    assert items == expected


def test_local_cluster_output_equals_single_process(corpus, tmp_path, nlp, saved_pipeline):
    expected_records, expected_errors = single_process(corpus, nlp)
    out = tmp_path / "out"
    (out).mkdir()
    (out / "part-00099.jsonl").write_text("stale\n")  # an earlier run's part is removed
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            manifest = annotate_dask(
                corpus, out, pipeline=str(saved_pipeline), client=client, partition_bytes=400, progress=False
            )
    assert manifest == json.loads((out / MANIFEST).read_text(encoding="utf8"))
    parts = manifest["parts"]
    assert len(parts) > 3 and [p["part"] for p in parts] == list(range(len(parts)))
    assert sorted(os.listdir(out)) == sorted([MANIFEST] + [p["path"] for p in parts] + [p["errors_path"] for p in parts])
    records = [r for p in parts for r in srsly.read_jsonl(out / p["path"])]
    errors = [e for p in parts for e in srsly.read_jsonl(out / p["errors_path"])]
    assert records == expected_records
    assert errors == expected_errors
    assert [p["documents"] for p in parts] == [sum(1 for _ in srsly.read_jsonl(out / p["path"])) for p in parts]
    assert manifest["documents"] == len(records) == 33
    assert manifest["errors"] == len(errors) == 3
    assert manifest["errors_by_reason"] == {"empty": 1, "jsonl-malformed": 1, "missing": 1}


def test_cli_options_need_the_dask_engine(tmp_path):
    result = CliRunner().invoke(app, ["annotate", "x.txt", "-o", str(tmp_path / "o.jsonl"), "--scheduler", "tcp://h:1"])
    assert result.exit_code == 2
    assert "--engine dask" in result.output
    result = CliRunner().invoke(app, ["annotate", "-", "-o", str(tmp_path / "o"), "--engine", "dask"])
    assert result.exit_code == 2
