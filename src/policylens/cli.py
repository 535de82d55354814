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
    n_process: int = typer.Option(1, "--n-process", min=1, help="Worker processes for nlp.pipe."),
    stdin_format: StdinFormat = typer.Option(StdinFormat.text, "--stdin-format", help="How to read - (stdin)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary on stderr."),
) -> None:
    """Annotate policies and write one JSON record per document.

    Inputs that cannot be read go to OUTPUT.errors.jsonl (input name, line for JSONL, reason);
    the rest is annotated. Exit status 1 when some inputs failed, 2 when nothing could run.
    """
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
) -> None:
    """Score predictions against gold: strict and overlap precision, recall and F1 per label."""
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
    if len(pred_records) != len(gold_records):
        raise _fail(f"{len(gold_records)} gold records but {len(pred_records)} predictions")
    try:
        result = evaluate_records(zip(gold_records, pred_records)).to_dict()
    except ValueError as err:
        raise _fail(str(err))
    result["gold"] = str(gold)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        srsly.write_json(output, result)
    if as_json:
        typer.echo(srsly.json_dumps(result, indent=2))
    else:
        typer.echo(format_table(result, title=f"{gold} ({result['documents']} documents)"))


def main() -> None:
    """Entry point for ``python -m policylens``."""
    app()
