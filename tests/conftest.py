"""Shared fixtures: the assembled pipeline once per session, paths to the repository's files."""
import json
from pathlib import Path

import pytest

import policylens

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    """The full policylens pipeline, assembled from configs/config.cfg and patterns/."""
    return policylens.assemble(ROOT / "configs" / "config.cfg")


@pytest.fixture(scope="session")
def saved_pipeline(nlp, tmp_path_factory):
    """The assembled pipeline saved with nlp.to_disk, as `spacy assemble` writes it."""
    path = tmp_path_factory.mktemp("pipeline") / "policylens"
    nlp.to_disk(path)
    return path


def sample_texts():
    """The texts of the bundled sample policies (assets/policies), as ``policylens annotate`` reads them."""
    from policylens import readers

    return [item.text for item in readers.iter_inputs([str(ROOT / "assets" / "policies")])]


def spans_of(doc, label=None):
    """(text, label, id) of the policylens spans of a Doc, optionally of one label."""
    return [(s.text, s.label_, s.id_) for s in doc.spans.get("policylens", []) if label in (None, s.label_)]


def run_interleaved(threads):
    """Start and join threads with a tiny switch interval, so that they take turns between any
    two steps (races show up as wrong values, not only between documents)."""
    import sys

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)


class ListWriter:
    """Stands in for ``writer.JsonlWriter``: keeps the records (lines parsed back) in a list."""

    def __init__(self):
        self.records = []

    def write(self, record):
        self.records.append(record)

    def write_line(self, line):
        self.records.append(json.loads(line))
