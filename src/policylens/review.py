"""Reviewed annotations from Prodigy, doccano and Label Studio, as gold JSONL for ``evaluate``.

Each importer reads what its tool exports after review and returns gold records
``{"text", "spans": [{"start", "end", "label", "text", "attrs"?}], "meta"}`` (character
offsets, ``end`` exclusive, spans sorted). Tasks the reviewer did not accept are left out, as
each tool means it:
- Prodigy (``prodigy db-out``): ``answer`` "accept" is gold; "reject" (the task is wrong in a
  way the manual interface cannot fix) and "ignore" (skipped) are left out.
- doccano (JSONL export of a sequence-labelling project): every exported example is gold;
  doccano has no reject (export only the approved examples if some were not reviewed).
- Label Studio (JSON export): a task's annotation is gold; skipped annotations
  (``was_cancelled``) and tasks nobody annotated are left out; predictions are never gold.
  With several annotations of a task, the one marked ground truth wins, else the latest.

Every span is checked against the text (offsets inside it, the span's own text where the tool
gives it, Prodigy's token indices, a known label); whitespace a reviewer selected at a span's
edges is trimmed. All bad records are reported together, each named by its line or task id.

Attributes: the review tools show a span's rule id and attributes but cannot edit them, so they
are not gold by default. With ``keep_attrs`` the exported attributes of every span the reviewer
left unchanged (same offsets and label) are kept; attribute accuracy against them then only
says that nothing was changed.
"""
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple, Union

from .labels import ATTRIBUTES, LABELS, THIRD_PARTY, THIRD_PARTY_CATEGORIES
from .writer import JsonlWriter

# Where the exporters put each span's rule id and attributes (doccano column, Label Studio data field).
SPANS_FIELD = "policylens_spans"


class ReviewError(ValueError):
    """A reviewed file has records that cannot become gold; the message lists them all."""


@dataclass
class ReviewImport:
    """The gold records of a reviewed file and what was left out."""

    records: List[dict] = field(default_factory=list)
    tasks: int = 0
    skipped: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        """RETURNS (str): One line: tasks read, gold records, what was skipped or changed."""
        parts = [f"{self.tasks} tasks read, {len(self.records)} gold records"]
        parts += [f"{n} {reason}" for reason, n in sorted(self.skipped.items())]
        parts += [f"{n} {note}" for note, n in sorted(self.notes.items())]
        return ", ".join(parts)


class _Problems:
    """Collects the problems of a file, each named by where it is."""

    def __init__(self, path: Union[str, Path]):
        self.path = str(path)
        self.items: List[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_any(self) -> None:
        if self.items:
            shown = self.items[:50]
            more = f"\n  ... and {len(self.items) - 50} more" if len(self.items) > 50 else ""
            raise ReviewError(
                f"{self.path}: {len(self.items)} problem(s), no gold written:\n  " + "\n  ".join(shown) + more
            )


def _utf16_to_codepoints(text: str, start: int, end: int) -> Optional[Tuple[int, int]]:
    """Offsets counted in UTF-16 code units (JavaScript) as code-point offsets, if they fall on characters."""
    index, units = {}, 0
    for i, char in enumerate(text):
        index[units] = i
        units += 2 if ord(char) > 0xFFFF else 1
    index[units] = len(text)
    return (index[start], index[end]) if start in index and end in index else None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def attrs_fit(label: str, attrs: dict) -> bool:
    """Whether attributes can belong to a span of a label (after a label change they cannot).

    label (str): The span's label.
    attrs (dict): Its attributes.
    RETURNS (bool): True when every name is one of the label's attributes and, as DATA_TYPE and
        THIRD_PARTY share ``category``, the category is one of that label's.
    """
    if not isinstance(attrs, dict) or not set(attrs) <= set(ATTRIBUTES.get(label, ())):
        return False
    category = attrs.get("category")
    if category is not None and (label == THIRD_PARTY) != (category in THIRD_PARTY_CATEGORIES):
        return False
    return True


class _GoldBuilder:
    """Checks the spans of one task and builds its gold record."""

    def __init__(self, text: str, where: str, problems: _Problems, result: ReviewImport, utf16: bool = False):
        self.text, self.where, self.problems, self.result, self.utf16 = text, where, problems, result, utf16
        self.spans: Dict[Tuple[int, int, str], dict] = {}
        self.ok = True

    def fail(self, message: str) -> None:
        self.problems.add(self.where, message)
        self.ok = False

    def add(self, start, end, label, span_text: Optional[str] = None, attrs: Optional[dict] = None) -> None:
        """Check one span and keep it. Bad spans are reported, not kept."""
        if not (_is_int(start) and _is_int(end)):
            return self.fail(f"span {start!r}-{end!r} {label!r}: offsets must be integers")
        if label not in LABELS:
            return self.fail(f"span {start}-{end}: unknown label {label!r} (expected one of {', '.join(LABELS)})")
        if not 0 <= start < end <= len(self.text):
            return self.fail(f"span {start}-{end} {label}: offsets outside the text (length {len(self.text)})")
        if span_text is not None and self.text[start:end] != span_text:
            converted = _utf16_to_codepoints(self.text, start, end) if self.utf16 else None
            if converted is None or self.text[converted[0] : converted[1]] != span_text:
                return self.fail(
                    f"span {start}-{end} {label}: its text {span_text!r} is not the text at those offsets "
                    f"({self.text[start:end]!r})"
                )
            start, end = converted
            self.result.notes["spans with UTF-16 offsets converted"] += 1
        trimmed_start = start + len(self.text[start:end]) - len(self.text[start:end].lstrip())
        trimmed_end = end - (len(self.text[start:end]) - len(self.text[start:end].rstrip()))
        if trimmed_start >= trimmed_end:
            return self.fail(f"span {start}-{end} {label}: covers only whitespace")
        if (trimmed_start, trimmed_end) != (start, end):
            self.result.notes["spans trimmed of whitespace"] += 1
            start, end = trimmed_start, trimmed_end
        span = {"start": start, "end": end, "label": label, "text": self.text[start:end]}
        if attrs:
            span["attrs"] = attrs
        self.spans.setdefault((start, end, label), span)

    def record(self, meta) -> dict:
        """RETURNS (dict): The gold record, spans sorted by offsets and label."""
        spans = [self.spans[key] for key in sorted(self.spans, key=lambda k: (k[0], k[1], LABELS.index(k[2])))]
        return {"text": self.text, "spans": spans, "meta": meta if isinstance(meta, dict) else {}}


def _read_jsonl(path: Union[str, Path], problems: _Problems) -> Iterator[Tuple[int, dict]]:
    """(line number, object) for every non-empty line; bad JSON is reported."""
    with open(path, encoding="utf8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                task = json.loads(line)
            except ValueError as err:
                problems.add(f"line {number}", f"not JSON ({err})")
                continue
            if not isinstance(task, dict):
                problems.add(f"line {number}", "not a JSON object")
                continue
            yield number, task


def _exported_attrs(entries) -> Dict[Tuple[int, int, str], dict]:
    """(start, end, label) -> attributes, from the span list an exporter put in a task."""
    found = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("attrs"), dict):
            found[(entry.get("start"), entry.get("end"), entry.get("label"))] = entry["attrs"]
    return found


def _attach(gold: "_GoldBuilder", exported: Dict[Tuple[int, int, str], dict]) -> None:
    """Give the spans the reviewer left unchanged (same offsets and label) their exported attributes."""
    for key, span in gold.spans.items():
        if key in exported:
            span["attrs"] = exported[key]


def from_prodigy(path: Union[str, Path], keep_attrs: bool = False) -> ReviewImport:
    """Read Prodigy's ``db-out`` JSONL of a ``ner_manual`` or ``spans_manual`` session.

    path (Union[str, Path]): The JSONL file.
    keep_attrs (bool): Keep the exported attributes of spans that still fit their label.
    RETURNS (ReviewImport): The gold of the accepted tasks.
    RAISES ReviewError: Listing every bad line (no text, no answer, a span that does not match
        the text or its tokens), or texts accepted twice with different spans.
    """
    problems, result = _Problems(path), ReviewImport()
    seen: Dict[object, Tuple[int, dict]] = {}
    for number, task in _read_jsonl(path, problems):
        result.tasks += 1
        where = f"line {number}"
        answer = task.get("answer")
        if not isinstance(task.get("text"), str):
            problems.add(where, "no 'text' string")
            continue
        if answer in ("reject", "ignore"):
            result.skipped[{"reject": "rejected", "ignore": "ignored"}[answer]] += 1
            continue
        if answer != "accept":
            problems.add(where, f"answer {answer!r} is not accept, reject or ignore (is this db-out output?)")
            continue
        gold = _GoldBuilder(task["text"], where, problems, result)
        tokens = task.get("tokens") if isinstance(task.get("tokens"), list) else None
        for span in task.get("spans") or []:
            if not isinstance(span, dict):
                gold.fail(f"span {span!r} is not an object")
                continue
            start, end, label = span.get("start"), span.get("end"), span.get("label")
            if tokens is not None and "token_start" in span and "token_end" in span:
                try:
                    first, last = tokens[span["token_start"]], tokens[span["token_end"]]
                    if (first["start"], last["end"]) != (start, end):
                        gold.fail(
                            f"span {start}-{end} {label}: its tokens {span['token_start']}-{span['token_end']} "
                            f"cover {first['start']}-{last['end']} (token_end is inclusive)"
                        )
                        continue
                except (IndexError, KeyError, TypeError):
                    gold.fail(f"span {start}-{end} {label}: token indices not in the task's tokens")
                    continue
            attrs = span.get("attrs") if keep_attrs and attrs_fit(label, span.get("attrs")) else None
            gold.add(start, end, label, span.get("text"), attrs)
        if not gold.ok:
            continue
        record = gold.record(task.get("meta"))
        # Several sessions may have annotated one text; the same answer twice is fine.
        key = task.get("_input_hash", record["text"])
        if key in seen:
            first_line, first = seen[key]
            if first["spans"] != record["spans"]:
                problems.add(where, f"annotates the text of line {first_line} differently; merge them first (prodigy review)")
            else:
                result.notes["duplicate tasks dropped"] += 1
            continue
        seen[key] = (number, record)
        result.records.append(record)
    problems.raise_any()
    return result


DOCCANO_COLUMNS = ("id", "text", "data", "label", "labels", "entities", "relations", "Comments", "meta", SPANS_FIELD)


def from_doccano(path: Union[str, Path], keep_attrs: bool = False) -> ReviewImport:
    """Read doccano's JSONL export of a sequence-labelling project.

    Spans may come as ``label``/``labels`` (``[[start, end, "LABEL"], ...]``) or, in projects
    with relations, ``entities`` (``[{"start_offset", "end_offset", "label"}]``).
    path (Union[str, Path]): The JSONL file.
    keep_attrs (bool): Keep the exported attributes of spans the reviewer left unchanged.
    RETURNS (ReviewImport): The gold of every example.
    RAISES ReviewError: Listing every bad line.
    """
    problems, result = _Problems(path), ReviewImport()
    for number, task in _read_jsonl(path, problems):
        result.tasks += 1
        where = f"line {number}" + (f" (id {task['id']})" if "id" in task else "")
        text = task.get("text", task.get("data"))
        if not isinstance(text, str):
            problems.add(where, "no 'text' string")
            continue
        exported = _exported_attrs(task.get(SPANS_FIELD)) if keep_attrs else {}
        gold = _GoldBuilder(text, where, problems, result)
        if isinstance(task.get("entities"), list):
            items = [(e.get("start_offset"), e.get("end_offset"), e.get("label")) if isinstance(e, dict) else e
                     for e in task["entities"]]
        else:
            items = task.get("label", task.get("labels")) or []
        for item in items:
            if not (isinstance(item, (list, tuple)) and len(item) == 3):
                gold.fail(f"label {item!r} is not [start, end, label]")
                continue
            gold.add(*item)
        _attach(gold, exported)
        if not gold.ok:
            continue
        meta = task.get("meta")
        if not isinstance(meta, dict):  # examples imported without a meta column: the rest is meta
            meta = {k: v for k, v in task.items() if k not in DOCCANO_COLUMNS}
        result.records.append(gold.record(meta))
    problems.raise_any()
    return result


def _chosen_annotation(annotations: list) -> Tuple[Optional[dict], str]:
    """The annotation of a Label Studio task that is gold, or None and why there is none."""
    done = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")]
    if not done:
        return None, "skipped" if annotations else "not annotated"
    truth = [a for a in done if a.get("ground_truth")]
    pool = truth or done
    return max(enumerate(pool), key=lambda ia: (str(ia[1].get("updated_at") or ia[1].get("created_at") or ""), ia[0]))[1], ""


def from_labelstudio(path: Union[str, Path], keep_attrs: bool = False) -> ReviewImport:
    """Read Label Studio's JSON export (a list of tasks with ``annotations[].result[]``).

    Offsets are code points; an offset pair whose span text only matches when counted in
    UTF-16 code units (as older Label Studio versions did after emoji) is converted.
    path (Union[str, Path]): The JSON file.
    keep_attrs (bool): Keep the exported attributes of spans the reviewer left unchanged.
    RETURNS (ReviewImport): The gold of the annotated tasks.
    RAISES ReviewError: Listing every bad task, by task id.
    """
    problems, result = _Problems(path), ReviewImport()
    try:
        with open(path, encoding="utf8") as file:
            tasks = json.load(file)
    except ValueError as err:
        raise ReviewError(f"{path}: not JSON ({err}); export the project as JSON") from None
    if not isinstance(tasks, list):
        raise ReviewError(f"{path}: expected a JSON list of tasks (Label Studio's JSON export)")
    for position, task in enumerate(tasks, start=1):
        result.tasks += 1
        where = f"task {task.get('id', f'#{position}')}" if isinstance(task, dict) else f"task #{position}"
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            problems.add(where, "no data.text string (JSON-MIN exports are not supported; export as JSON)")
            continue
        annotations = task.get("annotations", task.get("completions")) or []
        annotation, reason = _chosen_annotation(annotations if isinstance(annotations, list) else [])
        if annotation is None:
            result.skipped[reason] += 1
            continue
        if sum(1 for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")) > 1:
            result.notes["tasks with several annotations (ground truth or latest used)"] += 1
        exported = _exported_attrs(data.get(SPANS_FIELD)) if keep_attrs else {}
        gold = _GoldBuilder(data["text"], where, problems, result, utf16=True)
        for item in annotation.get("result") or []:
            if not isinstance(item, dict) or item.get("type") != "labels":
                continue  # relations, per-region choices, ...: not spans
            value = item.get("value") or {}
            labels = value.get("labels") or []
            if not labels:
                gold.fail(f"result {item.get('id')!r} has no labels")
            for label in labels:
                gold.add(value.get("start"), value.get("end"), label, value.get("text"))
        _attach(gold, exported)
        if gold.ok:
            result.records.append(gold.record(data.get("meta")))
    problems.raise_any()
    return result


IMPORTERS: Dict[str, Callable[..., ReviewImport]] = {
    "prodigy": from_prodigy,
    "doccano": from_doccano,
    "labelstudio": from_labelstudio,
}


def write_gold(records: List[dict], output: Union[str, Path]) -> int:
    """Write gold records as JSONL (atomically).

    records (List[dict]): Gold records.
    output (Union[str, Path]): The path, or "-" for stdout.
    RETURNS (int): The number of records written.
    """
    with JsonlWriter(output) as writer:
        for record in records:
            writer.write(record)
    return writer.count
