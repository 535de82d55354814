"""--n-process N: worker processes annotate whole batches; the records are those of one process, in order."""
import random

from policylens.annotate import annotate_stream
from policylens.engines.local import iter_records
from policylens.readers import InputDocument, InputError

from conftest import ListWriter


def items():
    texts = ["We collect your email address.", "We share data with Google Analytics.", "We keep logs for 30 days."]
    for i in range(40):
        if i % 13 == 5:
            yield InputError(f"bad{i}.txt", "empty document")
        else:
            yield InputDocument(f"{i}. " + texts[i % 3], {"source_path": f"p{i}.txt"})


def run(nlp, n_process):
    output, errors = ListWriter(), ListWriter()
    summary = annotate_stream(items(), nlp, output, errors, batch_size=4, n_process=n_process, progress=False)
    return summary.to_dict(), output.records, errors.records


def test_two_processes_write_what_one_writes(nlp):
    one = run(nlp, 1)
    two = run(nlp, 2)
    assert two == one
    assert one[0] == {"inputs": 40, "documents": 37, "resumed": 0, "errors": 3, "errors_by_reason": {"empty": 3}}
    assert [r["meta"]["source_path"] for r in one[1]][:3] == ["p0.txt", "p1.txt", "p2.txt"]


def test_minus_one_process_is_one_per_cpu(nlp, monkeypatch):
    from policylens.engines import local

    used = []
    real_pool = local._pool_records
    monkeypatch.setattr(local, "usable_cpus", lambda: 2)
    monkeypatch.setattr(local, "_pool_records", lambda *args: used.append(args[3]) or real_pool(*args))
    assert run(nlp, -1) == run(nlp, 1) and used == [2]


def test_spawned_workers_rebuild_the_pipeline(nlp, monkeypatch):
    """Where processes cannot be forked (macOS, Windows), each worker rebuilds the pipeline from
    its config and bytes: the config's callbacks (the fast lexeme attributes) run again there."""
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert run(nlp, 2) == run(nlp, 1)


def test_workers_split_long_documents(nlp, monkeypatch):
    monkeypatch.setattr(nlp, "max_length", 200)
    text = "\n\n".join(f"Part {i}: we collect your phone number and keep it for {i + 1} days." for i in range(12))
    pairs = [(text, {"id": 1}), ("We collect your email address.", {"id": 2})]
    one = list(iter_records(pairs, nlp, batch_size=1, n_process=1))
    two = list(iter_records(pairs, nlp, batch_size=1, n_process=2))
    assert two == one and len(one) == 2
    assert one[0]["text"] == text
    assert len([s for s in one[0]["spans"] if s["label"] == "RETENTION"]) == 12


def test_serialized_lines_are_the_records_json(nlp):
    """With serialize=True the workers (or this process) hand back each record's JSON line."""
    import srsly

    from policylens.engines.local import Failed

    pairs = [(f"{i}. We collect your email address and keep it for {i + 1} days.", {"n": i}) for i in range(20)]
    records = list(iter_records(pairs, nlp, batch_size=4, n_process=1))
    for n_process in (1, 2):
        lines = list(iter_records(pairs, nlp, batch_size=4, n_process=n_process, serialize=True))
        assert all(isinstance(line, str) for line in lines)
        assert lines == [srsly.json_dumps(r) for r in records]
    assert not any(isinstance(r, Failed) for r in records)


def test_worker_tasks_cover_the_inputs_in_order_and_shrink_at_the_end():
    from policylens.engines import local

    rng = random.Random(3)
    inputs = [("x" * rng.randint(1, 5000), {"i": i}) for i in range(1000)]
    tasks = list(local.worker_tasks(iter(inputs), batch_size=64, n_process=2))
    assert [item for task in tasks for item in task] == inputs
    assert all(1 <= len(task) <= 64 for task in tasks)
    # Whole batches until the end is read ahead (2 tasks per worker), then ever smaller shares.
    ahead = local.LOOKAHEAD_TASKS * 2 * 64
    whole = (len(inputs) - ahead + 63) // 64
    assert [len(task) for task in tasks[:whole]] == [64] * whole
    chars = [sum(len(text) for text, _ in task) for task in tasks[whole:]]
    left = sum(chars)
    for size, task in zip(chars, tasks[whole:]):
        assert size <= max(left / 4, len(task[0][0]))  # a quarter of what is left (or one input)
        left -= size
    assert len(tasks[-1]) < 8


def test_worker_tasks_bound_the_characters_in_flight(monkeypatch):
    from policylens.engines import local

    monkeypatch.setattr(local, "MAX_TASK_CHARS", 100)
    inputs = [("y" * 30, {"i": i}) for i in range(200)]
    read = []

    def reading():
        for item in inputs:
            read.append(item)
            yield item

    tasks = local.worker_tasks(reading(), batch_size=64, n_process=2)
    first = next(tasks)
    assert len(first) == 3  # 90 characters: a fourth input would pass MAX_TASK_CHARS
    assert len(read) <= 2 * 2 * 100 // 30 + 1  # read ahead by characters, not by 256 inputs
    assert [item for task in [first, *tasks] for item in task] == inputs
