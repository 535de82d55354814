"""Write JSONL without ever leaving a half-written file under the final name."""
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Optional, Union

import srsly


def errors_path_for(output: Union[str, Path]) -> Path:
    """The errors file that goes with an output file: ``out.jsonl`` -> ``out.errors.jsonl``.

    output (Union[str, Path]): The annotated output path.
    RETURNS (Path): The path of its errors file.
    """
    output = Path(output)
    stem = output.name[: -len(".jsonl")] if output.name.endswith(".jsonl") else output.name
    return output.with_name(f"{stem}.errors.jsonl")


def _current_umask() -> int:
    """The process's umask (reading it means setting it, so it is put straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


class JsonlWriter:
    """Stream records to a temporary file beside ``path``; rename it into place on success.

    Used as a context manager. On an exception the temporary file is removed and the
    final path is left as it was. ``path == "-"`` writes to stdout directly.
    """

    def __init__(self, path: Union[str, Path]):
        """path (Union[str, Path]): Where the finished file goes, or "-" for stdout."""
        self.path = str(path)
        self.count = 0
        self._file: Optional[IO[str]] = None
        self._tmp: Optional[str] = None

    def __enter__(self) -> "JsonlWriter":
        if self.path == "-":
            self._file = sys.stdout
        else:
            target = Path(self.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            # mkstemp creates the file 0600; the finished file gets the mode any new file would.
            os.chmod(fd, 0o666 & ~_current_umask())
            self._file = os.fdopen(fd, "w", encoding="utf8")
        return self

    def write(self, record: dict) -> None:
        """Append one record as a JSON line. record (dict): JSON-safe values only."""
        self._file.write(srsly.json_dumps(record) + "\n")
        self.count += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._tmp is None:
            self._file.flush()
            return
        self._file.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            os.unlink(self._tmp)
