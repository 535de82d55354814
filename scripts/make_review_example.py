"""Make an example of a finished Prodigy review session for the `after-review` workflow.

It takes the Prodigy export of the annotated sample policies (what `policylens export --format
prodigy` writes) and plays a reviewer who corrects a few spans per policy, each correction taken
from the hand-made gold of the samples, then writes the session as `prodigy db-out` would:

- removes up to EDITS predicted spans that overlap no gold span of their label (false positives);
- adds up to EDITS gold spans that no prediction of their label overlaps (misses), where they
  fall on token boundaries (of each kind, one per label before a second of any label);
- relabels up to EDITS predicted spans whose offsets the gold gives another label;
- answers "accept", except the last policy, which is "ignore"d (so import-review skips it).

    python scripts/make_review_example.py corpus/annotated.jsonl assets/gold/samples.gold.jsonl \
        assets/review/prodigy.reviewed.jsonl --edits 2
"""
from pathlib import Path

import srsly
import typer

from policylens.export.prodigy import doc_to_task
from policylens.io import read_docs

Arg = typer.Argument
Opt = typer.Option

SESSION = "policylens-sample-review"


def _overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _varied(spans: list, n: int) -> list:
    """The first n spans, taking each label's first span before any label's second."""
    rank = {}
    for span in spans:
        rank[id(span)] = sum(1 for other in spans[: spans.index(span)] if other["label"] == span["label"])
    return sorted(spans, key=lambda s: rank[id(s)])[:n]


def review(task: dict, gold: dict, edits: int) -> dict:
    """Apply a reviewer's corrections, taken from the gold, to one Prodigy task.

    task (dict): A task from ``policylens.export.prodigy.doc_to_task``.
    gold (dict): The gold record of the same text.
    edits (int): The most corrections of each kind.
    RETURNS (dict): The task with the corrected spans, sorted by offsets.
    """
    spans, gold_spans = task["spans"], gold["spans"]
    starts = {t["start"]: t["id"] for t in task["tokens"]}
    ends = {t["end"]: t["id"] for t in task["tokens"]}
    relabel = {(g["start"], g["end"]): g["label"] for g in gold_spans}
    relabelled = [s for s in spans if relabel.get((s["start"], s["end"]), s["label"]) != s["label"]][:edits]
    for span in relabelled:
        # A reviewer who changes a label in Prodigy makes a new span: it has no rule or attributes.
        span.update(label=relabel[(span["start"], span["end"])])
        span.pop("rule_id", None), span.pop("attrs", None)
    wrong = _varied([s for s in spans if s not in relabelled
                     and not any(g["label"] == s["label"] and _overlaps(g, s) for g in gold_spans)], edits)
    kept = [s for s in spans if s not in wrong]
    missed = _varied([g for g in gold_spans if g["start"] in starts and g["end"] in ends
                      and not any(s["label"] == g["label"] and _overlaps(g, s) for s in kept)], edits)
    added = [{"start": g["start"], "end": g["end"], "token_start": starts[g["start"]],
              "token_end": ends[g["end"]], "label": g["label"]} for g in missed]
    task["spans"] = sorted(kept + added, key=lambda s: (s["start"], s["end"], s["label"]))
    return task


def main(
    annotated: Path = Arg(..., help="Annotated JSONL of the sample policies"),
    gold: Path = Arg(..., help="Hand-made gold of the same policies"),
    output: Path = Arg(..., help="The reviewed Prodigy session to write (db-out JSONL)"),
    edits: int = Opt(2, "--edits", help="Corrections of each kind per policy"),
) -> None:
    gold_by_text = {record["text"]: record for record in srsly.read_jsonl(gold)}
    tasks = []
    docs = list(read_docs(annotated))
    for number, doc in enumerate(docs, start=1):
        if doc.text not in gold_by_text:
            raise SystemExit(f"{annotated}: record {number} has no gold record with its text")
        task = review(doc_to_task(doc), gold_by_text[doc.text], edits)
        task.update(_view_id="spans_manual", answer="ignore" if number == len(docs) else "accept",
                    _session_id=SESSION, _annotator_id=SESSION)
        tasks.append(task)
    output.parent.mkdir(parents=True, exist_ok=True)
    srsly.write_jsonl(output, tasks)
    print(f"{len(tasks)} tasks -> {output}")


if __name__ == "__main__":
    typer.run(main)
