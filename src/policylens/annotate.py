"""Annotate a stream of inputs with the pipeline and write records and errors as they come."""
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Tuple, Union

from spacy.language import Language
from tqdm import tqdm

from .engines.local import Failed, iter_records
from .gc_freeze import objects_frozen
from .readers import InputDocument, InputError
from .resume import DOC_ID_KEY, document_id
from .writer import JsonlWriter


@dataclass
class AnnotateSummary:
    """What one run did: inputs seen, documents in the output, errors by reason code.

    documents (int): Records in the output, those a resumed run found already written included.
    resumed (int): Of those, the records kept from the interrupted run's partial file.
    errors (int): Error records.
    errors_by_reason (Counter): Errors per ``reasons.REASON_CODES`` code.
    """

    documents: int = 0
    resumed: int = 0
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
            "resumed": self.resumed,
            "errors": self.errors,
            "errors_by_reason": dict(self.errors_by_reason),
        }


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
    skip: Optional[Counter] = None,
) -> AnnotateSummary:
    """Run the pipeline over inputs, writing one record per document and one per error.

    Nothing is held in memory beyond a batch: inputs are read lazily, errors are written
    the moment they are met, and records as ``nlp.pipe`` yields them. Every record's meta gets
    its stable ``doc_id`` (``resume.document_id``).

    items (Iterable[Union[InputDocument, InputError]]): From ``readers.iter_inputs``.
    nlp (Language): The policylens pipeline.
    output (JsonlWriter): Open writer for the annotated records.
    errors (JsonlWriter): Open writer for the error records.
    batch_size (int): Documents per batch for ``nlp.pipe``.
    n_process (int): Worker processes, each annotating whole batches (``engines.local``); -1:
        one per CPU.
        A document the pipeline fails on becomes an error (code "pipeline") and the run goes on.
    total (Optional[int]): Expected number of inputs, for the progress bar.
    progress (bool): Whether to show a progress bar on stderr.
    skip (Optional[Counter]): Document ids (``resume.document_id``) already written, with how
        many times each; that many inputs with the id are skipped (``--resume``). The caller has
        put their records in ``output`` already.
    RETURNS (AnnotateSummary): Counts of the run.
    """
    summary = AnnotateSummary()
    skip = Counter(skip or {})
    bar = tqdm(total=total, unit="doc", desc="annotate", disable=not progress, file=sys.stderr)

    def record_error(error: InputError) -> None:
        errors.write(error.to_dict())
        summary.errors += 1
        summary.errors_by_reason[error.code] += 1
        bar.update(1)

    def documents() -> Iterator[Tuple[str, dict]]:
        for item in items:
            if isinstance(item, InputError):
                record_error(item)
            else:
                doc_id = document_id(item.text, item.meta)
                if skip[doc_id] > 0:  # written before the interruption
                    skip[doc_id] -= 1
                    summary.documents += 1
                    summary.resumed += 1
                    bar.update(1)
                    continue
                meta = dict(item.meta)
                meta[DOC_ID_KEY] = doc_id
                # Texts over nlp.max_length are annotated in parts and merged by long_docs.long_record.
                yield item.text, meta

    with objects_frozen():  # the pipeline's objects: out of the garbage collector's passes
        for line in iter_records(documents(), nlp, batch_size=batch_size, n_process=n_process, serialize=True):
            if isinstance(line, Failed):
                meta = line.meta
                record_error(InputError(str(meta.get("source_path", "?")), line.reason, meta.get("source_line"), code="pipeline"))
                continue
            output.write_line(line)
            summary.documents += 1
            bar.update(1)
    bar.close()
    return summary

