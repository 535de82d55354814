"""The five seed policies of ../shared/seeds: read, annotated and scored (skipped when absent)."""
import pytest
import srsly

import policylens
from policylens.evaluate import evaluate_records, predict
from policylens.readers import InputDocument, iter_inputs

from conftest import SHARED

SEEDS = SHARED / "seeds"
GOLD = SHARED / "eval" / "seeds.gold.jsonl"
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


@pytest.mark.skipif(not GOLD.exists(), reason="../shared/eval/seeds.gold.jsonl is not here")
def test_seed_gold_recall_floor(nlp):
    gold = list(srsly.read_jsonl(GOLD))
    result = evaluate_records(zip(gold, predict(nlp, gold))).to_dict()
    # Floors a little under what the pipeline reaches (see the issue notes); they only rise.
    assert result["labels"]["CONTACT_EMAIL"]["overlap_r"] >= 0.9
    assert result["labels"]["DATA_TYPE"]["overlap_r"] >= 0.5
