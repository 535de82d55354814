"""The ``policylens`` command line: annotate, export, evaluate.

Exit status: 0 when everything asked for was done; 1 when some inputs could not be
annotated (their errors are in the errors file, the rest is annotated); 2 when nothing
could run (bad arguments, a pipeline that does not load).
"""
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import srsly
import typer

from . import readers
from .annotate import annotate_stream
from .writer import JsonlWriter, errors_path_for

app = typer.Typer(
    help="Mark data types, third parties, retention periods and contact emails in privacy policies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_SOME_FAILED, EXIT_CANNOT_RUN = 0, 1, 2

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
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Documents per nlp.pipe batch."),
    n_process: int = typer.Option(1, "--n-process", min=1, help="Worker processes, each annotating whole batches."),
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
) -> None:
    """Annotate policies and write one JSON record per document.

    Inputs that cannot be read go to OUTPUT.errors.jsonl (input name, line for JSONL, reason);
    the rest is annotated. Exit status 1 when some inputs failed, 2 when nothing could run.
    With --engine dask, OUTPUT is a directory of part-NNNNN.jsonl files (each with its errors
    file) and manifest.json listing them in input order.
    """
    if engine == Engine.dask:
        raise typer.Exit(_annotate_dask(inputs, output, pipeline, scheduler, n_process, batch_size, partition_mb, quiet))
    if scheduler is not None or partition_mb is not None:
        raise _fail("--scheduler and --partition-mb need --engine dask")
    nlp = _load_pipeline(pipeline)
    errors_path = errors_path_for(output) if str(output) != "-" else Path("policylens.errors.jsonl")
    total = None if quiet else readers.count_inputs(inputs)
    items = readers.iter_inputs(inputs, stdin=sys.stdin, stdin_format=stdin_format.value)
    with JsonlWriter(output) as out, JsonlWriter(errors_path) as errors:
        summary = annotate_stream(
            items, nlp, out, errors, batch_size=batch_size, n_process=n_process, total=total, progress=not quiet
        )
    if not quiet:
        reasons = ", ".join(f"{n} {reason}" for reason, n in summary.errors_by_reason.most_common())
        typer.echo(
            f"policylens: {summary.inputs} inputs, {summary.documents} annotated, {summary.errors} errors"
            + (f" ({reasons}) -> {errors_path}" if summary.errors else ""),
            err=True,
        )
    raise typer.Exit(EXIT_SOME_FAILED if summary.errors else EXIT_OK)


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
) -> None:
    """Score predictions against gold: strict and overlap precision, recall and F1 per label,
    and a confusion table between labels.

    With --pred, each gold record is paired with the prediction of the same text, so a reviewed
    gold file may leave out rejected tasks and come in any order.
    """
    from .evaluate import align_by_text, confusion, error_list, format_confusion, format_errors
    from .evaluate import evaluate_records, format_table, predict

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
        result = evaluate_records(pairs).to_dict()
    except ValueError as err:
        raise _fail(str(err))
    result["gold"] = str(gold)
    result["confusion"] = confusion(pairs)
    if errors:
        result["errors"] = error_list(pairs)
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
