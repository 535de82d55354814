"""The manifest of a ``policylens annotate`` run: what went in, what came out, what failed.

Written beside the output as ``OUT.manifest.json`` (``out.jsonl`` -> ``out.manifest.json``)
when the run ends. The field names follow the Dask engine's ``manifest.json`` where they mean
the same thing: "engine", "inputs" (the input arguments), "pipeline", "documents", "errors",
"errors_by_reason" (counts per ``reasons.REASON_CODES`` code), "seconds".
"""
import json
import os
import socket
import time
from pathlib import Path
from typing import List, Optional, Union

MANIFEST_VERSION = 1


def manifest_path_for(output: Union[str, Path]) -> Path:
    """The manifest file of an output: ``out.jsonl`` -> ``out.manifest.json``.

    output (Union[str, Path]): The annotated output path.
    RETURNS (Path): The manifest's path.
    """
    output = Path(output)
    stem = output.name[: -len(".jsonl")] if output.name.endswith(".jsonl") else output.name
    return output.with_name(f"{stem}.manifest.json")


def build_manifest(
    *,
    inputs: List[str],
    output: str,
    errors_path: str,
    pipeline: Optional[str],
    summary: dict,
    started: float,
    seconds: float,
    batch_size: int,
    n_process: int,
    resumed: Optional[dict],
    exit_status: int,
) -> dict:
    """Assemble the manifest of a local run.

    inputs (List[str]): The input arguments as given.
    output (str): The output path ("-" for stdout).
    errors_path (str): The errors file.
    pipeline (Optional[str]): The pipeline directory (resolved), or None for the default.
    summary (dict): ``AnnotateSummary.to_dict()``.
    started (float): Start time (seconds since the epoch).
    seconds (float): Wall-clock duration.
    batch_size (int): Documents per batch.
    n_process (int): Worker processes.
    resumed (Optional[dict]): For ``--resume``: {"records", "dropped_bytes"} of the partial
        file continued (those records count among "documents"); None for a fresh run.
    exit_status (int): The command's exit status.
    RETURNS (dict): The JSON-safe manifest.
    """
    return {
        "manifest_version": MANIFEST_VERSION,
        "engine": "local",
        "inputs": [str(i) for i in inputs],
        "output": str(output),
        "errors_path": str(errors_path),
        "pipeline": pipeline,
        "inputs_seen": summary["inputs"],
        "documents": summary["documents"],
        "errors": summary["errors"],
        "errors_by_reason": dict(sorted(summary["errors_by_reason"].items())),
        "resumed": resumed,
        "batch_size": batch_size,
        "workers": n_process,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(seconds, 3),
        "exit_status": exit_status,
    }


def write_manifest(path: Union[str, Path], manifest: dict) -> None:
    """Write the manifest atomically (temporary file, then rename).

    path (Union[str, Path]): Where it goes.
    manifest (dict): From ``build_manifest``.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf8")
    os.replace(tmp, path)
