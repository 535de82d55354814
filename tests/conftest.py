"""Shared fixtures: the assembled pipeline once per session, paths to the repository's files."""
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


def spans_of(doc, label=None):
    """(text, label, id) of the policylens spans of a Doc, optionally of one label."""
    return [(s.text, s.label_, s.id_) for s in doc.spans.get("policylens", []) if label in (None, s.label_)]
