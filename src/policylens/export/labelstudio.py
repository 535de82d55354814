"""Label Studio tasks with predictions (a JSON list), and the labeling config that matches them.

``[{"data": {"text", "meta", "policylens_spans"},
    "predictions": [{"model_version", "result": [{"id", "from_name": "label", "to_name": "text",
        "type": "labels", "value": {"start", "end", "text", "labels": ["LABEL"]}}]}]}]``
Offsets count characters (code points), ``end`` exclusive. The config is written beside the
tasks (``tasks.json`` -> ``tasks.config.xml``): paste it into the project's Labeling Interface.
Label Studio keeps ``data`` as it is, so ``data.meta`` (the policy's meta) and
``data.policylens_spans`` (each span's result id, ``rule_id`` and ``attrs``) come back in its
export; they show as columns in its Data Manager.
"""
from pathlib import Path
from typing import Iterable, Sequence, Union
from xml.sax.saxutils import quoteattr

from spacy.tokens import Doc

from ..labels import LABELS, SPANS_KEY
from .common import LABEL_COLORS, OTHER_COLOR, open_text, span_record

FROM_NAME = "label"
TO_NAME = "text"
SPANS_FIELD = "policylens_spans"


def model_version() -> str:
    """RETURNS (str): The name predictions are filed under in Label Studio."""
    from .. import __version__

    return f"policylens-{__version__}"


def doc_to_task(doc: Doc, spans_key: str = SPANS_KEY) -> dict:
    """Turn an annotated Doc into one Label Studio task with the spans as a prediction.

    doc (Doc): A Doc from the pipeline or from ``policylens.io.read_docs``.
    spans_key (str): The span group to export.
    RETURNS (dict): The task.
    """
    results, spans = [], []
    for i, span in enumerate(doc.spans.get(spans_key, [])):
        result_id = f"s{i}"  # result ids must be unique within a task
        results.append(
            {
                "id": result_id,
                "from_name": FROM_NAME,
                "to_name": TO_NAME,
                "type": "labels",
                "value": {"start": span.start_char, "end": span.end_char, "text": span.text, "labels": [span.label_]},
            }
        )
        spans.append({"result_id": result_id, **span_record(span)})
    return {
        "data": {"text": doc.text, "meta": doc._.meta or {}, SPANS_FIELD: spans},
        "predictions": [{"model_version": model_version(), "result": results}],
    }


def labeling_config(labels: Sequence[str] = LABELS) -> str:
    """The labeling config (XML) that matches the exported tasks.

    labels (Sequence[str]): The span labels offered to the reviewer.
    RETURNS (str): The ``<View>`` with one ``<Labels>`` control over the ``text`` field.
    """
    lines = ["<View>", f"  <Labels name={quoteattr(FROM_NAME)} toName={quoteattr(TO_NAME)}>"]
    for label in labels:
        color = LABEL_COLORS.get(label, OTHER_COLOR)
        lines.append(f"    <Label value={quoteattr(label)} background={quoteattr(color)}/>")
    lines += ["  </Labels>", f"  <Text name={quoteattr(TO_NAME)} value=\"$text\"/>", "</View>", ""]
    return "\n".join(lines)


def config_path_for(output: Union[str, Path]) -> Path:
    """The config file that goes with a tasks file: ``tasks.json`` -> ``tasks.config.xml``.

    output (Union[str, Path]): The tasks file.
    RETURNS (Path): The config's path.
    """
    output = Path(output)
    stem = output.name[: -len(".json")] if output.name.endswith(".json") else output.name
    return output.with_name(f"{stem}.config.xml")


def write_tasks(docs: Iterable[Doc], output: str) -> int:
    """Write the Label Studio tasks of the Docs as one JSON list, and the config beside it.

    docs (Iterable[Doc]): Annotated Docs.
    output (str): The output path, or "-" for stdout (then no config file is written;
        ``labeling_config()`` returns it).
    RETURNS (int): The number of tasks written.
    """
    import srsly

    count = 0
    with open_text(output) as file:
        file.write("[")
        for doc in docs:
            file.write(("," if count else "") + "\n" + srsly.json_dumps(doc_to_task(doc)))
            count += 1
        file.write("\n]\n")
    if str(output) != "-":
        with open_text(config_path_for(output)) as file:
            file.write(labeling_config())
    return count
