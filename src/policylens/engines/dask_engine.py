"""Annotate a corpus on a Dask cluster: one task per partition, partitioned JSONL plus a manifest.

The client lists the inputs (as ``policylens annotate`` does) and cuts them into partitions of
about ``partition_bytes``: whole files, and byte ranges of large JSONL files cut at line starts
(with the line number each range starts at, so ``source_line`` is the same as in a
single-process run). Each partition is one task. A worker loads the pipeline once (the first
task it runs) and streams its partition through ``annotate_stream``, writing
``part-NNNNN.jsonl`` and ``part-NNNNN.errors.jsonl`` in the output directory; the client writes
``manifest.json``: the parts in input order, their document and error counts, and totals.
Reading the parts in manifest order gives the records of a single-process run, in order.

Workers must see the inputs, the output directory and the pipeline at the same paths as the
client (a shared file system), and have policylens installed. Without a scheduler address a
``LocalCluster`` of one-thread worker processes is started on this machine. Needs the extra
``policylens[dask]`` (``dask[distributed]``).
"""
import codecs
import functools
import json
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

import srsly

from .. import readers
from ..readers import InputError, InputItem
from ..writer import JsonlWriter

MANIFEST = "manifest.json"
PART_NAME = "part-{:05d}.jsonl"
_PART_RE = re.compile(r"part-\d{5}(\.errors)?\.jsonl$")
DEFAULT_PARTITION_BYTES = 32 << 20  # the most input per task when there is plenty to share out
MIN_PARTITION_BYTES = 1 << 20
_SCAN_CHUNK = 1 << 20

# A unit of work: ("error", source_path, reason, line), ("file", path, format),
# ("jsonl", path, start byte, end byte, first line number).
Unit = tuple


def plan_partitions(inputs: Iterable[str], partition_bytes: int) -> List[List[Unit]]:
    """Cut the inputs into partitions of about ``partition_bytes`` of input each, in input order.

    inputs (Iterable[str]): Files and directories, as for ``policylens annotate``.
    partition_bytes (int): The input size a partition aims at.
    RETURNS (List[List[Unit]]): The partitions; an unreadable input is a unit of its own, so
        that its error is written by the worker, in order, like any other.
    """
    partitions: List[List[Unit]] = []
    current: List[Unit] = []
    size = 0

    def close() -> None:
        nonlocal current, size
        if current:
            partitions.append(current)
        current, size = [], 0

    for source in readers._iter_sources(inputs):
        if isinstance(source, InputError):
            current.append(("error", source.source_path, source.reason, source.source_line))
            continue
        path, fmt = source
        if path == readers.STDIN_NAME:
            raise ValueError("the dask engine reads files and directories, not stdin")
        try:
            file_size = os.path.getsize(path)
        except OSError:
            file_size = 0  # the worker reports why it cannot be read
        if fmt != "jsonl":
            current.append(("file", path, fmt))
            size += file_size
        else:
            for start, end, line in jsonl_ranges(path, partition_bytes):
                current.append(("jsonl", path, start, end, line))
                size += end - start
                if size >= partition_bytes:
                    close()
        if size >= partition_bytes:
            close()
    close()
    return partitions


def jsonl_ranges(path: str, partition_bytes: int) -> List[Tuple[int, int, int]]:
    """Byte ranges of a JSONL file that start at line starts, about ``partition_bytes`` long.

    path (str): The file.
    partition_bytes (int): The range size aimed at.
    RETURNS (List[Tuple[int, int, int]]): (start byte, end byte, number of the first line);
        one range for the whole file when it is small, unreadable, not UTF-8 text or blank.
    """
    try:
        size = os.path.getsize(path)
        if size <= partition_bytes:
            return [(0, size, 1)]
        ranges = []
        start, line, has_text = 0, 1, False
        with open(path, "rb") as file:
            if readers._jsonl_head_problem(file.read(8)) is not None:
                return [(0, size, 1)]
            while start < size:
                file.seek(min(size, start + partition_bytes))
                file.readline()  # to the start of the next line
                end = min(size, file.tell())
                if end >= size or size - end < partition_bytes // 4:  # no small tail range
                    end = size
                file.seek(start)
                remaining = end - start
                count = 0
                while remaining:
                    chunk = file.read(min(_SCAN_CHUNK, remaining))
                    if not chunk:
                        break
                    remaining -= len(chunk)
                    count += chunk.count(b"\n")
                    has_text = has_text or bool(chunk.strip())
                ranges.append((start, end, line))
                start, line = end, line + count
        # A file of blank lines is one error ("no documents"), reported by reading it whole.
        return ranges if has_text else [(0, size, 1)]
    except OSError:
        return [(0, 0, 1)]


def read_units(units: Iterable[Unit]) -> Iterator[InputItem]:
    """The documents and errors of a partition, read as ``readers.iter_inputs`` reads them.

    Files are read from their absolute path but keep the path the client listed as
    ``source_path``, so the meta is the same as in a single-process run.

    units (Iterable[Unit]): From ``plan_partitions``.
    YIELDS (Union[InputDocument, InputError]): One item per document or bad input.
    """
    for unit in units:
        kind, path = unit[0], unit[1]
        if kind == "error":
            yield InputError(path, unit[2], unit[3])
        elif kind == "file":
            item = readers.read_text_file(os.path.abspath(path), unit[2])
            if isinstance(item, InputError):
                item.source_path = path
            else:
                item.meta["source_path"] = path
            yield item
        else:
            yield from _read_jsonl_range(path, *unit[2:])


def _read_jsonl_range(path: str, start: int, end: int, first_line: int) -> Iterator[InputItem]:
    """The documents of lines that start in [start, end) of a JSONL file, numbered from ``first_line``.

    Mirrors ``readers._iter_jsonl`` line by line; a range that is the whole file is read by
    ``readers._iter_jsonl`` itself (so a blank or binary file gets its one error).
    """
    real = os.path.abspath(path)
    error = readers._check_regular_file(real)
    if error is not None:
        yield InputError(path, error.reason)
        return
    try:
        with open(real, "rb") as file:
            if start == 0 and end >= _size(real):  # the whole file: exactly as read_jsonl_file
                reason = readers._jsonl_head_problem(file.read(8))
                if reason is not None:
                    yield InputError(path, reason)
                    return
                file.seek(0)
                yield from readers._iter_jsonl(file, path)
                return
            file.seek(start)
            number = first_line
            position = start
            while position < end:
                raw = file.readline()
                if not raw:
                    break
                position += len(raw)
                item = _jsonl_line(raw, path, number)
                number += 1
                if item is not None:
                    yield item
    except OSError as err:
        yield InputError(path, readers._os_error_reason(err))


def _jsonl_line(raw: bytes, path: str, number: int) -> Optional[InputItem]:
    """One line of a JSONL file as ``readers._iter_jsonl`` reads it (None for a blank line)."""
    if number == 1 and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    if not raw or raw.isspace():
        return None
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return InputError(path, f"invalid UTF-8 (at byte {err.start + 1} of the line)", number)
    return readers._jsonl_record(line, path, number)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


# The worker's pipelines, loaded once per worker process (or per process of threads).
_PIPELINES: Dict[Optional[str], object] = {}
_PIPELINES_LOCK = threading.Lock()


def _worker_pipeline(pipeline: Optional[str]):
    with _PIPELINES_LOCK:
        if pipeline not in _PIPELINES:
            from ..pipeline import load

            _PIPELINES[pipeline] = load(pipeline)
        return _PIPELINES[pipeline]


def annotate_partition(index: int, units: List[Unit], output_dir: str, pipeline: Optional[str], batch_size: int) -> dict:
    """The task run on a worker: annotate one partition into its part files.

    index (int): The partition's number (names its files).
    units (List[Unit]): Its inputs.
    output_dir (str): The output directory.
    pipeline (Optional[str]): Pipeline directory for ``policylens.load`` (None: its default).
    batch_size (int): Documents per ``nlp.pipe`` batch.
    RETURNS (dict): The part's manifest entry.
    """
    from ..annotate import annotate_stream
    from ..writer import errors_path_for

    started = time.perf_counter()
    nlp = _worker_pipeline(pipeline)
    name = PART_NAME.format(index)
    path = os.path.join(output_dir, name)
    errors_path = errors_path_for(path)
    with JsonlWriter(path) as output, JsonlWriter(errors_path) as errors:
        summary = annotate_stream(read_units(units), nlp, output, errors, batch_size=batch_size, progress=False)
    return {
        "part": index,
        "path": name,
        "documents": summary.documents,
        "errors": summary.errors,
        "errors_path": os.path.basename(errors_path),
        "errors_by_reason": dict(summary.errors_by_reason),
        "input_bytes": sum(u[3] - u[2] if u[0] == "jsonl" else _size(u[1]) if u[0] == "file" else 0 for u in units),
        "seconds": round(time.perf_counter() - started, 3),
    }


def annotate_dask(
    inputs: List[str],
    output_dir: Union[str, Path],
    *,
    pipeline: Optional[str] = None,
    scheduler: Optional[str] = None,
    client=None,
    n_workers: Optional[int] = None,
    batch_size: int = 64,
    partition_bytes: Optional[int] = None,
    progress: bool = True,
) -> dict:
    """Annotate inputs on a Dask cluster into ``output_dir``: part files and ``manifest.json``.

    inputs (List[str]): Files and directories.
    output_dir (Union[str, Path]): Where the parts and the manifest go; earlier parts and
        manifest there are removed first.
    pipeline (Optional[str]): Pipeline directory the workers load (None: ``policylens.load()``'s default).
    scheduler (Optional[str]): Address of a running scheduler ("tcp://host:8786"); None starts a
        ``LocalCluster``.
    client (Optional[distributed.Client]): A client to use instead (tests).
    n_workers (Optional[int]): Worker processes of the local cluster (default: CPU count).
    batch_size (int): Documents per ``nlp.pipe`` batch.
    partition_bytes (Optional[int]): Input per partition; by default enough partitions for four
        tasks per worker thread, at most 32 MB each and at least 1 MB.
    progress (bool): Show a progress bar of finished partitions on stderr.
    RETURNS (dict): The manifest.
    """
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError('the dask engine needs dask[distributed]: pip install "policylens[dask]"') from err
    from tqdm import tqdm

    started = time.perf_counter()
    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    for stale in output_dir.iterdir():
        if _PART_RE.match(stale.name) or stale.name == MANIFEST:
            stale.unlink()
    cluster = None
    own_client = client is None
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            import logging

            cluster = LocalCluster(
                n_workers=n_workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    try:
        threads = sum(client.nthreads().values()) or 1
        if partition_bytes is None:
            total = sum(_size(s[0]) for s in readers._iter_sources(inputs) if not isinstance(s, InputError))
            partition_bytes = max(MIN_PARTITION_BYTES, min(DEFAULT_PARTITION_BYTES, -(-total // (4 * threads))))
        partitions = plan_partitions(inputs, partition_bytes)
        task = functools.partial(  # Client.map has a batch_size of its own: bind ours here
            annotate_partition,
            output_dir=str(output_dir),
            pipeline=None if pipeline is None else str(pipeline),
            batch_size=batch_size,
        )
        futures = client.map(task, list(range(len(partitions))), partitions, pure=False)
        parts = []
        bar = tqdm(total=len(futures), unit="part", desc="annotate (dask)", disable=not progress, file=sys.stderr)
        for future in as_completed(futures):
            parts.append(future.result())
            bar.update(1)
        bar.close()
        parts.sort(key=lambda part: part["part"])
        errors_by_reason: Dict[str, int] = {}
        for part in parts:
            for reason, count in part["errors_by_reason"].items():
                errors_by_reason[reason] = errors_by_reason.get(reason, 0) + count
        manifest = {
            "engine": "dask",
            "scheduler": scheduler or ("local" if cluster is not None else str(client.scheduler.address)),
            "workers": len(client.nthreads()),
            "threads": threads,
            "inputs": [str(i) for i in inputs],
            "pipeline": None if pipeline is None else str(pipeline),
            "partition_bytes": partition_bytes,
            "documents": sum(part["documents"] for part in parts),
            "errors": sum(part["errors"] for part in parts),
            "errors_by_reason": errors_by_reason,
            "seconds": round(time.perf_counter() - started, 3),
            "parts": parts,
        }
        # The json module writes floats that read back equal (srsly's ujson may not).
        (output_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf8")
        return manifest
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()


def read_manifest_records(output_dir: Union[str, Path]) -> Iterator[dict]:
    """The records of a partitioned output, part after part in manifest order.

    output_dir (Union[str, Path]): A directory written by ``annotate_dask``.
    YIELDS (dict): The records, in input order.
    """
    output_dir = Path(output_dir)
    manifest = srsly.read_json(output_dir / MANIFEST)
    for part in manifest["parts"]:
        yield from srsly.read_jsonl(output_dir / part["path"])
