"""A lock file that keeps two runs from writing the same output.

``OUT.lock`` beside the output is created with ``O_CREAT | O_EXCL`` (atomic on local and NFSv3+
file systems) and holds the owner's pid, host name, start time and command line as JSON. A
second run finds it and refuses. A lock whose owner is gone (same host, pid not alive: the run
was killed) is stale: it is reported and taken over. A lock from another host cannot be checked
and is never taken over; the message says which file to remove.
"""
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Callable, Optional, Union


class LockHeld(Exception):
    """Another live run holds the lock; the message says who and which file it is."""


def lock_path_for(output: Union[str, Path]) -> Path:
    """The lock file of an output: ``out.jsonl`` -> ``out.jsonl.lock``.

    output (Union[str, Path]): The output path.
    RETURNS (Path): The lock file's path.
    """
    output = Path(output)
    return output.with_name(output.name + ".lock")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine.

    pid (int): The process id.
    RETURNS (bool): True when it exists (also when it belongs to another user).
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, it is just not ours
        return True
    return True


class OutputLock:
    """Hold ``OUT.lock`` for the length of a ``with`` block.

    On entry the lock is created or a stale one taken over (``on_stale`` is told about it);
    ``LockHeld`` is raised when a live run holds it. On exit the file is removed if it is
    still ours.
    """

    def __init__(self, output: Union[str, Path], on_stale: Optional[Callable[[str], None]] = None):
        """output (Union[str, Path]): The output the lock protects.
        on_stale (Optional[Callable[[str], None]]): Called with a message when a stale lock is taken over.
        """
        self.path = lock_path_for(output)
        self.on_stale = on_stale
        self.owner = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "argv": sys.argv,
        }
        self._held = False

    def acquire(self) -> None:
        """Create the lock file, taking over a stale one. RAISES LockHeld: a live run holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(3):  # a lock removed between our attempts is simply tried again
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = self._read()
                if holder is None:
                    continue  # it vanished, try again
                if not self._is_stale(holder):
                    raise LockHeld(self._held_message(holder))
                if self.on_stale is not None:
                    self.on_stale(
                        f"taking over the stale lock {self.path} of pid {holder.get('pid')} "
                        f"(started {holder.get('started', '?')}), which is no longer running"
                    )
                self._remove_if_still(holder)
                continue
            with os.fdopen(fd, "w", encoding="utf8") as file:
                json.dump(self.owner, file)
                file.write("\n")
            self._held = True
            return
        raise LockHeld(f"could not create the lock file {self.path}: another run keeps creating it")

    def release(self) -> None:
        """Remove the lock file if it is still ours."""
        if not self._held:
            return
        self._held = False
        holder = self._read()
        if holder is not None and holder.get("pid") == self.owner["pid"] and holder.get("host") == self.owner["host"]:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    def __enter__(self) -> "OutputLock":
        self.acquire()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.release()

    def _remove_if_still(self, stale: dict) -> None:
        """Remove the lock file if it still holds ``stale``; leave any other lock where it is.

        Two runs may find the same stale lock: the first removes it and creates its own, and an
        unlink by the second would then remove the first's live lock. So the file is first
        moved aside (atomic: we own whatever file was there) and read again; a lock that is not
        the stale one is put back (``os.link`` fails rather than replace a lock made meanwhile).

        stale (dict): The holder read from the stale lock.
        """
        aside = self.path.with_name(f"{self.path.name}.{os.getpid()}.{time.monotonic_ns()}.stale")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return  # already removed by the other run
        if self._read(aside) != stale:  # another run's new lock: give it back
            try:
                os.link(aside, self.path)
            except FileExistsError:
                pass
        os.unlink(aside)

    def _read(self, path: Optional[Path] = None) -> Optional[dict]:
        """The holder written in the lock file (or ``path``); {} when it cannot be parsed;
        None when it is gone."""
        try:
            text = (path or self.path).read_text(encoding="utf8")
        except FileNotFoundError:
            return None
        except OSError:
            return {}
        try:
            holder = json.loads(text)
        except ValueError:
            return {}
        return holder if isinstance(holder, dict) else {}

    def _is_stale(self, holder: dict) -> bool:
        pid = holder.get("pid")
        if holder.get("host") != self.owner["host"] or not isinstance(pid, int):
            # Another machine's run, or a lock being written this instant: never stale.
            return False
        return not pid_alive(pid)

    def _held_message(self, holder: dict) -> str:
        who = f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, started {holder.get('started', '?')}"
        return (
            f"another policylens run ({who}) is writing this output; it holds {self.path}. "
            f"Wait for it to finish, or remove {self.path} if you are sure that run is gone."
        )
