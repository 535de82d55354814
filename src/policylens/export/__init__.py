"""Exporters from annotated JSONL to the formats of review tools, one module per format."""
from typing import Callable, Dict, Iterable

from spacy.tokens import Doc

from . import csv, doccano, html, labelstudio, prodigy

# Format name -> function writing tasks for an iterable of Docs to an output path.
EXPORTERS: Dict[str, Callable[[Iterable[Doc], str], int]] = {
    "prodigy": prodigy.write_tasks,
    "doccano": doccano.write_tasks,
    "labelstudio": labelstudio.write_tasks,
    "html": html.write_tasks,
    "csv": csv.write_tasks,
}
