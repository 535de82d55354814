"""The output lock: a second run on the same output refuses; a dead run's lock is taken over."""
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from policylens.lock import LockHeld, OutputLock, lock_path_for, pid_alive


def dead_pid():
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_second_process_refused_while_first_runs(saved_pipeline, tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("We keep your email address for two years.\n", encoding="utf8")
    out = tmp_path / "out.jsonl"
    lock = lock_path_for(out)
    run = [sys.executable, "-m", "policylens", "annotate"]
    rest = ["-o", str(out), "-p", str(saved_pipeline), "-q"]
    # The first run reads stdin, so it holds the lock until the test closes its stdin: the second
    # run meets a live lock however slowly either process starts.
    first = subprocess.Popen(
        run + ["-"] + rest, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert lock.exists(), "the first run never took the lock"
    holder = json.loads(lock.read_text())
    assert holder["pid"] == first.pid and holder["host"] == socket.gethostname()
    second = subprocess.run(run + [str(text)] + rest, capture_output=True, text=True)
    assert second.returncode == 2
    assert "another policylens run" in second.stderr and str(first.pid) in second.stderr
    assert str(lock) in second.stderr
    _, first_err = first.communicate(input=text.read_text(encoding="utf8"), timeout=300)
    assert first.returncode == 0, first_err
    assert not lock.exists()
    assert len(out.read_text().splitlines()) == 1


def test_stale_lock_is_reported_and_taken_over(tmp_path):
    out = tmp_path / "out.jsonl"
    pid = dead_pid()
    assert not pid_alive(pid)
    lock_path_for(out).write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "started": "earlier"}))
    messages = []
    with OutputLock(out, on_stale=messages.append):
        assert json.loads(lock_path_for(out).read_text())["pid"] == os.getpid()
    assert len(messages) == 1 and f"pid {pid}" in messages[0] and "stale" in messages[0]
    assert not lock_path_for(out).exists()


@pytest.mark.parametrize("holder", [
    {"pid": os.getpid(), "host": socket.gethostname()},  # alive here
    {"pid": 1, "host": "another-host.example"},  # cannot be checked from here
    "not json",  # a lock being written, or damaged: never guessed stale
])
def test_live_or_foreign_lock_is_respected(tmp_path, holder):
    out = tmp_path / "out.jsonl"
    lock = lock_path_for(out)
    lock.write_text(holder if isinstance(holder, str) else json.dumps(holder))
    with pytest.raises(LockHeld, match="remove .*out.jsonl.lock"):
        OutputLock(out).acquire()
    assert lock.read_text() == (holder if isinstance(holder, str) else json.dumps(holder))


def test_release_leaves_someone_elses_lock(tmp_path):
    out = tmp_path / "out.jsonl"
    lock = OutputLock(out)
    lock.acquire()
    other = json.dumps({"pid": os.getpid() + 1, "host": "elsewhere"})
    lock.path.write_text(other)  # e.g. the lock was removed by hand and another run took it
    lock.release()
    assert lock.path.read_text() == other


def test_two_runs_taking_over_one_stale_lock_do_not_both_hold_it(tmp_path):
    """B finds the stale lock; before B removes it, A takes it over and holds a live lock.
    B must then see A's lock and refuse, not remove it (both runs would write the output)."""
    out = tmp_path / "out.jsonl"
    lock_path_for(out).write_text(json.dumps({"pid": dead_pid(), "host": socket.gethostname(), "started": "earlier"}))
    first = OutputLock(out)

    def first_takes_over_meanwhile(message):
        first.acquire()

    with pytest.raises(LockHeld):
        OutputLock(out, on_stale=first_takes_over_meanwhile).acquire()
    assert json.loads(lock_path_for(out).read_text())["pid"] == os.getpid()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl.lock"]  # nothing left aside
    first.release()
    assert not lock_path_for(out).exists()
