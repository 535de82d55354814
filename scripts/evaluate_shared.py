"""Score the pipeline on every gold set in a folder (``../shared/eval``), one JSON per set."""
from pathlib import Path
from typing import Optional

import srsly
import typer

from policylens import load
from policylens.evaluate import evaluate_records, format_table, predict

Arg, Opt = typer.Argument, typer.Option


def main(
    eval_dir: Path = Arg(..., help="Folder of gold JSONL files (*.jsonl)"),
    output_dir: Path = Arg(..., help="Folder for one <set>.json of scores per gold file"),
    pipeline: Optional[Path] = Opt(None, "--pipeline", help="Assembled pipeline (default: build from configs/)"),
):
    """Annotate the texts of each gold file and print and save its scores."""
    files = sorted(eval_dir.glob("*.jsonl")) if eval_dir.is_dir() else []
    if not files:
        typer.echo(f"no gold sets in {eval_dir}; nothing to score", err=True)
        raise typer.Exit(1)
    nlp = load(pipeline)
    output_dir.mkdir(parents=True, exist_ok=True)
    for path in files:
        gold = list(srsly.read_jsonl(path))
        pred = predict(nlp, gold)
        result = evaluate_records(zip(gold, pred)).to_dict()
        result["gold"] = str(path)
        srsly.write_json(output_dir / f"{path.name[: -len('.jsonl')]}.json", result)
        typer.echo(format_table(result, title=f"\n{path} ({result['documents']} documents)"))


if __name__ == "__main__":
    typer.run(main)
