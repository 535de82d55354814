"""Summarise an annotated JSONL file: spans per policy, label and category."""
from collections import Counter
from pathlib import Path

import srsly
import typer

Arg = typer.Argument


def summarise(records) -> dict:
    """Count the spans of annotated records.

    records (Iterable[dict]): Records written by ``policylens annotate``.
    RETURNS (dict): ``{"documents": [{"source", "labels", "categories", "named_parties",
        "retention_kinds", "addresses"}], "totals": {label: count}}``.
    """
    documents, totals = [], Counter()
    for record in records:
        labels, categories, kinds = Counter(), Counter(), Counter()
        named, addresses = set(), set()
        for span in record["spans"]:
            attrs = span.get("attrs") or {}
            labels[span["label"]] += 1
            if attrs.get("category"):
                categories[f"{span['label']}:{attrs['category']}"] += 1
            if attrs.get("named"):
                named.add(attrs.get("service") or span["text"])
            if attrs.get("kind"):
                kinds[attrs["kind"]] += 1
            if attrs.get("address"):
                addresses.add(f"{attrs['address']} ({attrs.get('role')})")
        totals.update(labels)
        documents.append(
            {
                "source": record["meta"].get("source_path") or record["meta"].get("id"),
                "labels": dict(labels),
                "categories": dict(categories.most_common()),
                "named_parties": sorted(named),
                "retention_kinds": dict(kinds),
                "addresses": sorted(addresses),
            }
        )
    return {"documents": documents, "totals": dict(totals)}


def main(
    annotated: Path = Arg(..., help="Annotated JSONL from policylens annotate", exists=True),
    output: Path = Arg(..., help="Summary JSON to write"),
):
    """Print spans per policy and label, and write the full summary as JSON."""
    summary = summarise(srsly.read_jsonl(annotated))
    output.parent.mkdir(parents=True, exist_ok=True)
    srsly.write_json(output, summary)
    labels = ["DATA_TYPE", "THIRD_PARTY", "CONTACT_EMAIL", "RETENTION"]
    typer.echo(f"{'policy':<40}" + "".join(f"{label:>15}" for label in labels))
    for doc in summary["documents"]:
        typer.echo(f"{Path(str(doc['source'])).name:<40}" + "".join(f"{doc['labels'].get(l, 0):>15}" for l in labels))
    typer.echo(f"{'total':<40}" + "".join(f"{summary['totals'].get(l, 0):>15}" for l in labels))


if __name__ == "__main__":
    typer.run(main)
