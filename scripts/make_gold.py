"""Turn the hand annotations of the bundled sample policies into Prodigy-style gold JSONL.

Each policy in the policies folder has an annotation file ``<policy file name>.jsonl`` with one
line per annotated phrase::

    {"text": "email address", "label": "DATA_TYPE",
     "attrs": {"category": "contact.email_address", "sensitive": false}}

A line without ``occurrence`` annotates every case-sensitive whole-word occurrence of the phrase;
``"occurrence": 2`` (1-based) annotates only the second. The policy text is what policylens reads:
the file's text for .txt and .md, ``policylens.html_text.html_to_text`` of it for .html.

    python scripts/make_gold.py --policies assets/policies \
        --annotations assets/gold/annotations --output assets/gold/samples.gold.jsonl
"""
import re
from pathlib import Path
from typing import Dict, List, Tuple

import srsly
import typer

from policylens.labels import (
    ATTRIBUTES,
    EMAIL_ROLES,
    LABELS,
    RETENTION_KINDS,
    THIRD_PARTY_CATEGORIES,
)

Arg = typer.Argument
Opt = typer.Option

POLICY_SUFFIXES = (".txt", ".md", ".html")
HTML_SUFFIXES = (".html", ".htm")
SOURCE = "samples"
# Allowed values of the closed attributes; the others (category of DATA_TYPE, address,
# duration) are open strings and only checked for their type.
CLOSED_VALUES = {
    ("THIRD_PARTY", "category"): THIRD_PARTY_CATEGORIES,
    ("CONTACT_EMAIL", "role"): EMAIL_ROLES,
    ("RETENTION", "kind"): RETENTION_KINDS,
}


class GoldError(ValueError):
    """An annotation cannot be turned into a gold span (the message names file and phrase)."""


def read_policy_text(path: Path) -> str:
    """Read a policy the way policylens reads it.

    path (Path): A .txt, .md or .html policy.
    RETURNS (str): The file's text, or for HTML the text that ``html_to_text`` extracts.
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in HTML_SUFFIXES:
        # Imported here so the plain-text policies convert even where the HTML reader is missing.
        from policylens.html_text import html_to_text

        text = html_to_text(text)
    return text


def find_occurrences(text: str, phrase: str) -> List[Tuple[int, int]]:
    """Find the case-sensitive whole-word occurrences of a phrase.

    A match counts when no word character touches it on either side, so "email address"
    is not found inside "email addresses", while "privacy@example.com" is found after "mailto:".

    text (str): The document text.
    phrase (str): The phrase as written.
    RETURNS (List[Tuple[int, int]]): Start and end (exclusive) of each occurrence, in order.
    """
    pattern = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def check_attrs(label: str, attrs: object, where: str) -> Dict:
    """Check an annotation's attributes against the label's attribute names and values.

    label (str): The span label.
    attrs (object): The annotation's ``attrs`` value.
    where (str): File and phrase, for the error message.
    RETURNS (Dict): The attributes, in the order of ``policylens.labels.ATTRIBUTES``.
    RAISES GoldError: When names are missing or extra, or a closed value is unknown.
    """
    if label not in LABELS:
        raise GoldError(f"{where}: unknown label {label!r}")
    names = ATTRIBUTES[label]
    if not isinstance(attrs, dict) or set(attrs) != set(names):
        got = sorted(attrs) if isinstance(attrs, dict) else attrs
        raise GoldError(f"{where}: {label} attrs must be exactly {list(names)}, got {got}")
    for (closed_label, name), allowed in CLOSED_VALUES.items():
        if label == closed_label and attrs[name] not in allowed:
            raise GoldError(f"{where}: {name} {attrs[name]!r} is not one of {list(allowed)}")
    if label == "DATA_TYPE" and not isinstance(attrs["sensitive"], bool):
        raise GoldError(f"{where}: sensitive must be true or false")
    if label == "THIRD_PARTY" and attrs["named"] is False:
        if attrs["organization"] is not None or attrs["service"] is not None:
            raise GoldError(f"{where}: an unnamed third party has null organization and service")
    return {name: attrs[name] for name in names}


def annotate_policy(text: str, annotations: List[Dict], name: str) -> List[Dict]:
    """Turn one policy's annotation lines into spans.

    text (str): The policy text.
    annotations (List[Dict]): The lines of its annotation file.
    name (str): The annotation file's name, for error messages.
    RETURNS (List[Dict]): Spans ``{"start", "end", "label", "text", "attrs"}`` sorted by start.
    RAISES GoldError: When a phrase is not found, an occurrence is out of range or two spans of
        the same label overlap.
    """
    spans = []
    for number, line in enumerate(annotations, start=1):
        phrase = line.get("text")
        where = f"{name}, line {number}, {phrase!r}"
        if not isinstance(phrase, str) or not phrase:
            raise GoldError(f"{where}: 'text' must be a non-empty string")
        label = line.get("label")
        attrs = check_attrs(label, line.get("attrs"), where)
        found = find_occurrences(text, phrase)
        if not found:
            raise GoldError(f"{where}: phrase not found in the policy text")
        occurrence = line.get("occurrence")
        if occurrence is not None:
            if not isinstance(occurrence, int) or not 1 <= occurrence <= len(found):
                raise GoldError(
                    f"{where}: occurrence {occurrence!r} out of range (found {len(found)})"
                )
            found = [found[occurrence - 1]]
        for start, end in found:
            spans.append({"start": start, "end": end, "label": label, "text": phrase, "attrs": attrs})
    spans.sort(key=lambda s: (s["start"], s["end"], s["label"]))
    last_end: Dict[str, Tuple[int, str]] = {}
    for span in spans:
        previous = last_end.get(span["label"])
        if previous is not None and span["start"] < previous[0]:
            raise GoldError(
                f"{name}: {span['label']} spans overlap: {previous[1]!r} and "
                f"{span['text']!r} at {span['start']}"
            )
        if previous is None or span["end"] > previous[0]:
            last_end[span["label"]] = (span["end"], span["text"])
    return spans


def make_gold(policies: Path, annotations: Path) -> List[Dict]:
    """Build the gold records of all sample policies.

    policies (Path): Folder of .txt, .md and .html policies.
    annotations (Path): Folder with one ``<policy file name>.jsonl`` per policy.
    RETURNS (List[Dict]): One record ``{"text", "spans", "meta"}`` per policy, by file name.
    RAISES GoldError: When a policy has no annotation file, an annotation file has no policy,
        or an annotation cannot be placed.
    """
    paths = sorted(p for p in policies.iterdir() if p.suffix.lower() in POLICY_SUFFIXES)
    if not paths:
        raise GoldError(f"no policies in {policies}")
    policy_names = {p.name for p in paths}
    for ann_path in sorted(annotations.glob("*.jsonl")):
        if ann_path.stem not in policy_names:
            raise GoldError(f"{ann_path}: no policy named {ann_path.stem} in {policies}")
    records = []
    for path in paths:
        ann_path = annotations / f"{path.name}.jsonl"
        if not ann_path.exists():
            raise GoldError(f"{path}: no annotation file {ann_path}")
        text = read_policy_text(path)
        spans = annotate_policy(text, list(srsly.read_jsonl(ann_path)), ann_path.name)
        records.append({"text": text, "spans": spans, "meta": {"source": SOURCE, "id": path.stem}})
    return records


def main(
    policies: Path = Opt(Path("assets/policies"), help="Folder of sample policies"),
    annotations: Path = Opt(Path("assets/gold/annotations"), help="Folder of annotation files"),
    output: Path = Opt(Path("assets/gold/samples.gold.jsonl"), help="Gold JSONL to write"),
):
    """Write the gold JSONL of the sample policies, failing on any annotation it cannot place."""
    try:
        records = make_gold(policies, annotations)
    except GoldError as err:
        typer.echo(f"make_gold: {err}", err=True)
        raise typer.Exit(code=1)
    output.parent.mkdir(parents=True, exist_ok=True)
    srsly.write_jsonl(output, records)
    count = sum(len(r["spans"]) for r in records)
    typer.echo(f"Wrote {len(records)} documents, {count} spans to {output}")


if __name__ == "__main__":
    typer.run(main)
