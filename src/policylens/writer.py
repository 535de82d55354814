"""Write JSONL without ever leaving a half-written file under the final name."""
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Optional, Tuple, Union

import srsly

from .resume import partial_path_for


def errors_path_for(output: Union[str, Path]) -> Path:
    """The errors file that goes with an output file: ``out.jsonl`` -> ``out.errors.jsonl``.

    output (Union[str, Path]): The annotated output path.
    RETURNS (Path): The path of its errors file.
    """
    output = Path(output)
    stem = output.name[: -len(".jsonl")] if output.name.endswith(".jsonl") else output.name
    return output.with_name(f"{stem}.errors.jsonl")


def temp_file_beside(target: Path) -> Tuple[int, str]:
    """Create a temporary file in ``target``'s folder, to be renamed onto ``target`` when complete.

    target (Path): The final path (its folder must exist).
    RETURNS (Tuple[int, str]): The open file descriptor and the temporary file's path. The file
        has the mode a new file would get (mkstemp alone makes it 0600).
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    mask = os.umask(0)  # reading the umask means setting it, so it is put straight back
    os.umask(mask)
    os.chmod(fd, 0o666 & ~mask)
    return fd, tmp


class JsonlWriter:
    """Stream records to a temporary file beside ``path``; rename it into place on success.

    Used as a context manager. ``path == "-"`` writes to stdout directly.

    By default the temporary file has a random name and is removed on an exception, leaving the
    final path as it was. With ``partial=True`` it is ``.NAME.partial`` (``resume.partial_path_for``),
    flushed every ``flush_every`` records, and kept on an exception, so that an interrupted run
    can be resumed; ``resume_size`` then continues such a file after its first bytes.
    """

    def __init__(
        self,
        path: Union[str, Path],
        *,
        partial: bool = False,
        resume_size: Optional[int] = None,
        flush_every: int = 64,
    ):
        """path (Union[str, Path]): Where the finished file goes, or "-" for stdout.
        partial (bool): Write to the predictable, resumable partial file.
        resume_size (Optional[int]): With ``partial``: keep the partial file's first
            ``resume_size`` bytes (its complete records) and append; None starts it afresh.
        flush_every (int): With ``partial``: records between flushes to the operating system.
        """
        self.path = str(path)
        self.partial = partial
        self.resume_size = resume_size
        self.flush_every = max(1, flush_every)
        self.count = 0
        self._file: Optional[IO[str]] = None
        self._tmp: Optional[str] = None

    @property
    def temp_path(self) -> Optional[str]:
        """The file being written until the rename (None for stdout)."""
        return self._tmp

    def __enter__(self) -> "JsonlWriter":
        if self.path == "-":
            self._file = sys.stdout
            return self
        target = Path(self.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.partial:
            self._tmp = str(partial_path_for(target))
            if self.resume_size is None:
                # O_TRUNC replaces a leftover partial; the umask gives the usual mode.
                fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            else:
                fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT, 0o666)
                os.ftruncate(fd, self.resume_size)  # drop the line the interruption cut short
                os.lseek(fd, 0, os.SEEK_END)
            self._file = os.fdopen(fd, "w", encoding="utf8")
            return self
        fd, self._tmp = temp_file_beside(target)
        self._file = os.fdopen(fd, "w", encoding="utf8")
        return self

    def write(self, record: dict) -> None:
        """Append one record as a JSON line. record (dict): JSON-safe values only."""
        self.write_line(srsly.json_dumps(record))

    def write_line(self, line: str) -> None:
        """Append one record serialised already. line (str): Its JSON, without a newline."""
        # Two writes: joining would copy a line that can be hundreds of MB for a huge policy.
        self._file.write(line)
        self._file.write("\n")
        self.count += 1
        if self.partial and self.count % self.flush_every == 0:
            self.flush()

    def flush(self) -> None:
        """Hand the lines written so far to the operating system (they survive a kill of the process)."""
        self._file.flush()

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._tmp is None:
            self._file.flush()
            return
        self._file.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        elif not self.partial:
            os.unlink(self._tmp)
