"""Strict and overlap scores as labels.md defines them."""
import pytest

from policylens.evaluate import evaluate_records

TEXT = "a" * 100


def span(start, end, label="DATA_TYPE", **attrs):
    return {"start": start, "end": end, "label": label, "attrs": attrs}


def scores(gold, pred):
    return evaluate_records([({"text": TEXT, "spans": gold}, {"text": TEXT, "spans": pred})]).to_dict()


def test_strict_and_overlap():
    gold = [span(0, 10), span(20, 30), span(50, 60)]
    pred = [span(0, 10), span(25, 35), span(70, 80), span(55, 58, "THIRD_PARTY")]
    result = scores(gold, pred)["labels"]["DATA_TYPE"]
    assert result["strict_p"] == pytest.approx(1 / 3) and result["strict_r"] == pytest.approx(1 / 3)
    assert result["overlap_p"] == pytest.approx(2 / 3) and result["overlap_r"] == pytest.approx(2 / 3)
    assert scores(gold, pred)["labels"]["THIRD_PARTY"]["overlap_p"] == 0.0


def test_one_prediction_can_find_two_gold_spans():
    result = scores([span(0, 5), span(6, 10)], [span(0, 10)])["labels"]["DATA_TYPE"]
    assert result["overlap_r"] == 1.0 and result["overlap_p"] == 1.0 and result["strict_p"] == 0.0


def test_attribute_accuracy_uses_best_overlap():
    gold = [span(0, 10, category="contact.email_address")]
    pred = [span(0, 2, category="generic.personal_information"), span(1, 10, category="contact.email_address")]
    assert scores(gold, pred)["attributes"]["DATA_TYPE.category"] == {"accuracy": 1.0, "pairs": 1}


def test_texts_must_match():
    with pytest.raises(ValueError):
        evaluate_records([({"text": "a", "spans": []}, {"text": "b", "spans": []})])
