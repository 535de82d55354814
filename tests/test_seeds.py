"""The five seed policies of ../shared/seeds, read and annotated (skipped when absent); scores: test_shared_eval."""
import pytest

import policylens
from policylens.readers import InputDocument, iter_inputs

from conftest import SHARED

SEEDS = SHARED / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not here")


def test_seed_policies_annotate(nlp):
    items = list(iter_inputs([str(SEEDS)]))
    assert items and all(isinstance(item, InputDocument) for item in items)
    for item, doc in zip(items, nlp.pipe(item.text for item in items)):
        spans = doc.spans[policylens.SPANS_KEY]
        assert any(s.label_ == "DATA_TYPE" for s in spans), item.meta["source_path"]
        for span in spans:
            assert item.text[span.start_char : span.end_char] == span.text
            assert span.id_
