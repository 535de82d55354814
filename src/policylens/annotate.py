"""Annotate a stream of inputs with the pipeline and write records and errors as they come."""
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Tuple, Union

from spacy.language import Language
from tqdm import tqdm

from .engines.local import iter_records
from .readers import InputDocument, InputError
from .writer import JsonlWriter


@dataclass
class AnnotateSummary:
    """What one run did: inputs seen, documents written, errors by reason."""

    documents: int = 0
    errors: int = 0
    errors_by_reason: Counter = field(default_factory=Counter)

    @property
    def inputs(self) -> int:
        """Inputs seen: every one became a document or an error."""
        return self.documents + self.errors

    def to_dict(self) -> dict:
        """RETURNS (dict): JSON-safe summary."""
        return {
            "inputs": self.inputs,
            "documents": self.documents,
            "errors": self.errors,
            "errors_by_reason": dict(self.errors_by_reason),
        }


def _reason_kind(reason: str) -> str:
    """The kind of an error reason, for the summary: text before the first ':' or '('."""
    for sep in (":", "("):
        reason = reason.split(sep, 1)[0]
    return reason.strip()


def annotate_stream(
    items: Iterable[Union[InputDocument, InputError]],
    nlp: Language,
    output: JsonlWriter,
    errors: JsonlWriter,
    *,
    batch_size: int = 64,
    n_process: int = 1,
    total: Optional[int] = None,
    progress: bool = True,
) -> AnnotateSummary:
    """Run the pipeline over inputs, writing one record per document and one per error.

    Nothing is held in memory beyond a batch: inputs are read lazily, errors are written
    the moment they are met, and records as ``nlp.pipe`` yields them.

    items (Iterable[Union[InputDocument, InputError]]): From ``readers.iter_inputs``.
    nlp (Language): The policylens pipeline.
    output (JsonlWriter): Open writer for the annotated records.
    errors (JsonlWriter): Open writer for the error records.
    batch_size (int): Documents per batch for ``nlp.pipe``.
    n_process (int): Worker processes, each annotating whole batches (``engines.local``).
    total (Optional[int]): Expected number of inputs, for the progress bar.
    progress (bool): Whether to show a progress bar on stderr.
    RETURNS (AnnotateSummary): Counts of the run.
    """
    summary = AnnotateSummary()
    bar = tqdm(total=total, unit="doc", desc="annotate", disable=not progress, file=sys.stderr)

    def record_error(error: InputError) -> None:
        errors.write(error.to_dict())
        summary.errors += 1
        summary.errors_by_reason[_reason_kind(error.reason)] += 1
        bar.update(1)

    def documents() -> Iterator[Tuple[str, dict]]:
        for item in items:
            if isinstance(item, InputError):
                record_error(item)
            else:  # texts over nlp.max_length are split and merged by long_docs.pipe_long
                yield item.text, item.meta

    for record in iter_records(documents(), nlp, batch_size=batch_size, n_process=n_process):
        output.write(record)
        summary.documents += 1
        bar.update(1)
    bar.close()
    return summary
