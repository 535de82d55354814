"""The ``policylens`` command line: annotate, export, evaluate.

Exit status: 0 when everything asked for was done; 1 when some inputs could not be
annotated (their errors are in the errors file, the rest is annotated); 2 when nothing
could run (bad arguments, a pipeline that does not load, an output locked by another run);
130 when ``annotate`` was interrupted (Ctrl-C; its partial output is kept for ``--resume``).
"""
import sys
import time
from enum import Enum
from pathlib import Path
from typing import List, Optional

import srsly
import typer

from . import readers
from .annotate import annotate_stream
from .engines.local import usable_cpus
from .labels import LABELS
from .lock import LockHeld, OutputLock
from .manifest import build_manifest, manifest_path_for, write_manifest
from .resume import partial_path_for, read_partial
from .writer import JsonlWriter, errors_path_for

app = typer.Typer(
    help="Mark data types, third parties, retention periods and contact emails in privacy policies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_SOME_FAILED, EXIT_CANNOT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 130
STDOUT_ERRORS = "policylens.errors.jsonl"  # the errors file when the records go to stdout

PipelineOpt = typer.Option(
    None,
    "--pipeline",
    "-p",
    help="Directory of an assembled pipeline (spacy assemble / nlp.to_disk). "
    "Default: $POLICYLENS_PIPELINE, else the pipeline built from this repository's configs/config.cfg.",
)


def _fail(message: str) -> "typer.Exit":
    typer.echo(f"policylens: error: {message}", err=True)
    return typer.Exit(EXIT_CANNOT_RUN)


def _load_pipeline(path: Optional[Path]):
    from .pipeline import load

    if path is not None and not path.exists():
        raise _fail(f"pipeline directory {path} does not exist")
    try:
        return load(path)
    except Exception as err:  # the message names what is wrong; a traceback would not help
        raise _fail(f"could not load the pipeline{f' from {path}' if path else ''}: {err}")


class Engine(str, Enum):
    local = "local"
    dask = "dask"


def _annotate_dask(inputs, output, pipeline, scheduler, n_process, batch_size, partition_mb, quiet) -> int:
    """Run ``annotate --engine dask``; RETURNS (int): the exit status."""
    try:
        from .engines.dask_engine import annotate_dask
    except ImportError as err:
        raise _fail(str(err))
    if str(output) == "-" or "-" in inputs:
        raise _fail("--engine dask reads files and directories and writes a directory, not stdin/stdout")
    if output.exists() and not output.is_dir():
        raise _fail(f"--engine dask writes a directory of parts, and {output} is a file")
    if pipeline is not None and not pipeline.exists():
        raise _fail(f"pipeline directory {pipeline} does not exist")
    try:
        manifest = annotate_dask(
            inputs,
            output,
            pipeline=str(pipeline.resolve()) if pipeline is not None else None,
            scheduler=scheduler,
            n_workers=n_process if n_process > 1 else None,
            batch_size=batch_size,
            partition_bytes=int(partition_mb * (1 << 20)) if partition_mb else None,
            progress=not quiet,
        )
    except ImportError as err:
        raise _fail(str(err))
    if not quiet:
        reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(manifest["errors_by_reason"].items()))
        typer.echo(
            f"policylens: {manifest['documents'] + manifest['errors']} inputs, {manifest['documents']} annotated, "
            f"{manifest['errors']} errors" + (f" ({reasons})" if manifest["errors"] else "")
            + f"; {len(manifest['parts'])} parts on {manifest['workers']} workers in {manifest['seconds']:.1f} s"
            + f" -> {output / 'manifest.json'}",
            err=True,
        )
    return EXIT_SOME_FAILED if manifest["errors"] else EXIT_OK


class StdinFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"
    html = "html"


@app.command()
def annotate(
    inputs: List[str] = typer.Argument(
        ..., help="Files (.txt .md .html .htm .jsonl), directories (searched recursively) or - for stdin."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Annotated JSONL to write (- for stdout)."),
    pipeline: Optional[Path] = PipelineOpt,
    batch_size: int = typer.Option(
        64, "--batch-size", min=1,
        help="Documents per nlp.pipe batch. Each component annotates a whole batch before passing it on: "
        "larger batches run a little faster and hold more memory (64: ~60 MB more than 1 on policies of ~12k characters; "
        "a batch also ends at 100,000 tokens).",
    ),
    n_process: int = typer.Option(
        1, "--n-process", min=-1,
        help="Worker processes, each annotating whole batches; -1: one per CPU this process may use (as spaCy's n_process).",
    ),
    stdin_format: StdinFormat = typer.Option(StdinFormat.text, "--stdin-format", help="How to read - (stdin)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary on stderr."),
    engine: Engine = typer.Option(
        Engine.local, "--engine", help="local: this machine (--n-process workers); dask: a Dask cluster, OUTPUT is a directory."
    ),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="With --engine dask: address of a running scheduler (tcp://host:8786). Default: a local cluster of --n-process workers (all cores when 1)."
    ),
    partition_mb: Optional[float] = typer.Option(
        None, "--partition-mb", min=0.001, help="With --engine dask: input per partition in MB (default: 4 partitions per worker, 1 to 32 MB each)."
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Continue an interrupted run: keep the documents in .OUTPUT.partial, annotate the rest."
    ),
) -> None:
    """Annotate policies and write one JSON record per document.

    Inputs that cannot be read go to OUTPUT.errors.jsonl (input name, line for JSONL, reason,
    reason code); the rest is annotated. A summary goes to stderr and OUTPUT.manifest.json.
    Records are written to .OUTPUT.partial and renamed when the run is complete; --resume
    continues an interrupted run. OUTPUT.lock keeps a second run off the same output.
    Exit status 0 when every input was annotated, 1 when some inputs failed, 2 when nothing
    could run (bad arguments, no pipeline, output locked by another run), 130 when interrupted.
    With --engine dask, OUTPUT is a directory of part-NNNNN.jsonl files (each with its errors
    file) and manifest.json listing them in input order.
    """
    if n_process == 0:
        raise _fail("--n-process must be at least 1, or -1 for one worker per CPU")
    if engine == Engine.dask:
        if resume:
            raise _fail("--resume works with --engine local only")
        raise typer.Exit(_annotate_dask(inputs, output, pipeline, scheduler, n_process, batch_size, partition_mb, quiet))
    if scheduler is not None or partition_mb is not None:
        raise _fail("--scheduler and --partition-mb need --engine dask")
    n_process = usable_cpus() if n_process == -1 else n_process
    to_stdout = str(output) == "-"
    if resume and to_stdout:
        raise _fail("--resume needs an output file: records already written to stdout cannot be read back")
    errors_path = errors_path_for(output) if not to_stdout else Path(STDOUT_ERRORS)
    manifest_path = manifest_path_for(errors_path if to_stdout else output)
    try:
        with OutputLock(errors_path if to_stdout else output, on_stale=_warn):
            status = _annotate_local(
                inputs, output, errors_path, manifest_path, pipeline, batch_size, n_process,
                stdin_format.value, quiet, resume,
            )
    except LockHeld as err:
        raise _fail(str(err))
    raise typer.Exit(status)


def _warn(message: str) -> None:
    typer.echo(f"policylens: {message}", err=True)


def _annotate_local(
    inputs: List[str],
    output: Path,
    errors_path: Path,
    manifest_path: Path,
    pipeline: Optional[Path],
    batch_size: int,
    n_process: int,
    stdin_format: str,
    quiet: bool,
    resume: bool,
) -> int:
    """Run ``annotate`` in this process or its local workers, holding the output's lock.

    Records go to the partial file (``resume.partial_path_for``) and are renamed to ``output``
    at the end; the summary goes to stderr and ``manifest_path``.
    RETURNS (int): The exit status.
    """
    started = time.time()
    nlp = _load_pipeline(pipeline)
    partial = None
    if str(output) != "-":
        partial_path = partial_path_for(output)
        if resume:
            partial = read_partial(partial_path)
            if not partial_path.exists():
                _warn(f"--resume: no partial output {partial_path} to continue, starting afresh")
                partial = None
            elif not quiet:
                _warn(
                    f"resuming from {partial_path}: {partial.records} documents already annotated"
                    + (f", {partial.dropped_bytes} bytes of a cut-off last line dropped" if partial.dropped_bytes else "")
                )
        elif partial_path.exists():
            _warn(
                f"replacing {partial_path}, the partial output of an interrupted run "
                "(run with --resume to continue it instead)"
            )
    total = None if quiet else readers.count_inputs(inputs)
    items = readers.iter_inputs(inputs, stdin=sys.stdin, stdin_format=stdin_format)
    try:
        # Errors are cheap to find again, so a resumed run writes the errors file afresh.
        with JsonlWriter(output, partial=True, resume_size=partial.size if partial else None, flush_every=batch_size) as out, \
                JsonlWriter(errors_path, partial=True, flush_every=batch_size) as errors:
            summary = annotate_stream(
                items, nlp, out, errors, batch_size=batch_size, n_process=n_process, total=total,
                progress=not quiet, skip=partial.ids if partial else None,
            )
    except KeyboardInterrupt:
        where = f"; what is done is kept in {partial_path_for(output)}, run again with --resume to continue" if str(output) != "-" else ""
        _warn("interrupted" + where)
        return EXIT_INTERRUPTED
    status = EXIT_SOME_FAILED if summary.errors else EXIT_OK
    manifest = build_manifest(
        inputs=inputs,
        output=str(output),
        errors_path=str(errors_path),
        pipeline=str(pipeline.resolve()) if pipeline is not None else None,
        summary=summary.to_dict(),
        started=started,
        seconds=time.time() - started,
        batch_size=batch_size,
        n_process=n_process,
        resumed={"records": partial.records, "dropped_bytes": partial.dropped_bytes} if partial else None,
        exit_status=status,
    )
    write_manifest(manifest_path, manifest)
    if not quiet:
        reasons = ", ".join(f"{n} {code}" for code, n in sorted(summary.errors_by_reason.items()))
        _warn(
            f"{summary.inputs} inputs, {summary.documents} annotated"
            + (f" ({summary.resumed} of them before the interruption)" if summary.resumed else "")
            + f", {summary.errors} errors"
            + (f" ({reasons}) -> {errors_path}" if summary.errors else "")
            + f"; {manifest['seconds']:.1f} s; manifest -> {manifest_path}"
        )
    return status


class ExportFormat(str, Enum):
    prodigy = "prodigy"
    doccano = "doccano"
    labelstudio = "labelstudio"
    html = "html"
    csv = "csv"


@app.command()
def export(
    annotated: Path = typer.Argument(..., help="Annotated JSONL written by policylens annotate."),
    format: ExportFormat = typer.Option(..., "--format", "-f", help="The review tool's format."),
    output: str = typer.Option(..., "--output", "-o", help="File to write (- for stdout)."),
) -> None:
    """Export annotated documents for review in another tool."""
    from .export import EXPORTERS
    from .io import RecordError, read_docs

    if not annotated.exists():
        raise _fail(f"{annotated} does not exist")
    try:
        count = EXPORTERS[format.value](read_docs(annotated), output)
    except (RecordError, ValueError) as err:
        raise _fail(f"{annotated}: {err}")
    typer.echo(f"policylens: exported {count} documents as {format.value} -> {output}", err=True)


@app.command()
def evaluate(
    gold: Path = typer.Argument(..., help="Gold JSONL: {text, spans: [{start, end, label, attrs?}]} per line."),
    pred: Optional[Path] = typer.Option(
        None, "--pred", help="Annotated JSONL of the same texts. Default: annotate the gold texts now."
    ),
    pipeline: Optional[Path] = PipelineOpt,
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON instead of a table."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Also write the scores as JSON here."),
    errors: bool = typer.Option(
        False, "--errors", help="Also list the misses, false positives and boundary errors, counted per rule id."
    ),
    labels: Optional[List[str]] = typer.Option(
        None, "--label", "-l", help="Score and list errors for this label only (repeat for several)."
    ),
) -> None:
    """Score predictions against gold: strict and overlap precision, recall and F1 per label,
    and a confusion table between labels.

    With --pred, each gold record is paired with the prediction of the same text, so a reviewed
    gold file may leave out rejected tasks and come in any order. With --label, the scores and
    the error list cover those labels only; the confusion table still shows every label, since
    a miss of one label is often a span of another.
    """
    from .evaluate import align_by_text, confusion, error_list, format_confusion, format_errors
    from .evaluate import evaluate_records, format_table, only_labels, predict

    chosen = _label_names(labels)
    if not gold.exists():
        raise _fail(f"gold file {gold} does not exist")
    gold_records = list(srsly.read_jsonl(gold))
    if pred is not None:
        if not pred.exists():
            raise _fail(f"predictions file {pred} does not exist")
        pred_records = list(srsly.read_jsonl(pred))
    else:
        nlp = _load_pipeline(pipeline)
        pred_records = predict(nlp, gold_records)
    try:
        pairs = align_by_text(gold_records, pred_records) if pred is not None else list(zip(gold_records, pred_records))
        scored = only_labels(pairs, chosen) if chosen else pairs
        result = evaluate_records(scored).to_dict()
    except ValueError as err:
        raise _fail(str(err))
    result["gold"] = str(gold)
    if chosen:
        result["only_labels"] = chosen
    result["confusion"] = confusion(pairs)
    if errors:
        result["errors"] = [e for e in error_list(pairs) if not chosen or e["label"] in chosen]
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        srsly.write_json(output, result)
    if as_json:
        typer.echo(srsly.json_dumps(result, indent=2))
    else:
        typer.echo(format_table(result, title=f"{gold} ({result['documents']} documents)"))
        typer.echo("\n" + format_confusion(result["confusion"]))
        if errors:
            typer.echo("\n" + format_errors(result["errors"]))


def _label_names(names: Optional[List[str]]) -> List[str]:
    """Check --label values against the four labels, in any case.

    names (Optional[List[str]]): The values given.
    RETURNS (List[str]): The labels as labels.md spells them, in the order given.
    RAISES typer.Exit: (status 2) naming an unknown label and the known ones.
    """
    known = {label.casefold(): label for label in LABELS}
    chosen = []
    for name in names or []:
        label = known.get(name.strip().casefold())
        if label is None:
            raise _fail(f"unknown label {name!r}: choose from {', '.join(LABELS)}")
        if label not in chosen:
            chosen.append(label)
    return chosen


class ReviewFormat(str, Enum):
    prodigy = "prodigy"
    doccano = "doccano"
    labelstudio = "labelstudio"


@app.command("import-review")
def import_review(
    review_file: Path = typer.Argument(
        ..., help="The tool's export after review: Prodigy db-out JSONL, doccano JSONL or Label Studio JSON."
    ),
    format: ReviewFormat = typer.Option(..., "--format", "-f", help="The tool that exported it."),
    output: str = typer.Option(..., "--output", "-o", help="Gold JSONL to write (- for stdout)."),
    keep_attrs: bool = typer.Option(
        False, "--keep-attrs", help="Keep the exported attributes of spans the reviewer left unchanged."
    ),
) -> None:
    """Turn reviewed annotations into gold JSONL for `policylens evaluate`.

    Rejected, ignored and skipped tasks are left out. Every span is checked against its text;
    bad records are listed by line or task id and nothing is written (exit status 2).
    """
    from .review import IMPORTERS, ReviewError, write_gold

    if not review_file.exists():
        raise _fail(f"{review_file} does not exist")
    try:
        imported = IMPORTERS[format.value](review_file, keep_attrs=keep_attrs)
    except (ReviewError, OSError, UnicodeDecodeError) as err:
        raise _fail(str(err))
    write_gold(imported.records, output)
    typer.echo(f"policylens: {format.value}: {imported.summary()} -> {output}", err=True)


def main() -> None:
    """Entry point for ``python -m policylens``."""
    app()
