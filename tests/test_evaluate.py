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


# OPP-115 gold carries the annotators' value on the span; ours is compared through labels.md's mappings.
OPP_TYPES = {"contact.email_address": "Contact", "account.profile": "User profile"}


def opp_scores(gold, pred):
    pairs = [({"text": TEXT, "spans": gold}, {"text": TEXT, "spans": pred})]
    return evaluate_records(pairs, opp115_types=OPP_TYPES).to_dict()["attributes"]


def opp_span(start, end, label, value):
    return {"start": start, "end": end, "label": label, "value": value}


def test_data_type_category_against_opp115_type():
    gold = [opp_span(0, 10, "DATA_TYPE", "Contact"), opp_span(20, 30, "DATA_TYPE", "Contact"),
            opp_span(40, 50, "DATA_TYPE", "User Profile"), opp_span(60, 70, "DATA_TYPE", "Location")]
    pred = [span(0, 10, category="contact.email_address"), span(22, 28, category="account.profile"),
            span(40, 45, category="account.profile"), span(60, 70, category="not.in_the_taxonomy")]
    # the case of OPP-115's "User Profile" does not matter; a category the taxonomy lacks is wrong
    assert opp_scores(gold, pred)["DATA_TYPE.category~opp115"] == {"accuracy": 0.5, "pairs": 4}


def test_retention_kind_against_opp115_value():
    gold = [opp_span(0, 10, "RETENTION", "Limited"), opp_span(20, 30, "RETENTION", "Limited"),
            opp_span(40, 50, "RETENTION", "Stated Period"), opp_span(60, 70, "RETENTION", "Indefinitely"),
            opp_span(80, 90, "RETENTION", "Limited")]
    pred = [span(0, 10, "RETENTION", kind="until_event"), span(25, 35, "RETENTION", kind="legal_obligation"),
            span(41, 44, "RETENTION", kind="stated_period"), span(60, 70, "RETENTION", kind="purpose_bound")]
    # the last gold span is missed: it counts against recall, not against the kind
    assert opp_scores(gold, pred)["RETENTION.kind~opp115"] == {"accuracy": 0.75, "pairs": 4}


def test_third_party_against_opp115_entity():
    gold = [opp_span(0, 10, "THIRD_PARTY", "Named third party"),
            opp_span(20, 30, "THIRD_PARTY", "Other part of company/affiliate"),
            opp_span(40, 50, "THIRD_PARTY", "Unnamed third party")]
    pred = [span(0, 10, "THIRD_PARTY", category="analytics", named=True),
            span(20, 30, "THIRD_PARTY", category="affiliate", named=False),
            span(40, 50, "THIRD_PARTY", category="advertising", named=True)]
    result = opp_scores(gold, pred)["THIRD_PARTY.category~opp115"]
    assert result["pairs"] == 3 and result["accuracy"] == pytest.approx(2 / 3)


def test_gold_without_opp115_values_gets_no_opp115_rows():
    result = opp_scores([span(0, 10, "RETENTION", kind="until_event")], [span(0, 10, "RETENTION", kind="until_event")])
    assert result == {"RETENTION.kind": {"accuracy": 1.0, "pairs": 1}}


def test_default_mapping_is_the_taxonomy():
    from policylens.evaluate import default_opp115_types
    from policylens.pipeline import REPO_ROOT

    if not (REPO_ROOT / "patterns" / "taxonomy.jsonl").exists():
        pytest.skip("no taxonomy beside the package")
    types = default_opp115_types()
    assert types["contact.email_address"] == "Contact"
    gold = [opp_span(0, 10, "DATA_TYPE", "Contact")]
    pred = [span(0, 10, category="contact.email_address")]
    result = evaluate_records([({"text": TEXT, "spans": gold}, {"text": TEXT, "spans": pred})]).to_dict()
    assert result["attributes"]["DATA_TYPE.category~opp115"] == {"accuracy": 1.0, "pairs": 1}


def test_table_and_json_show_opp115_rows():
    from policylens.evaluate import format_table

    gold = [opp_span(0, 10, "RETENTION", "Limited")]
    pred = [span(0, 10, "RETENTION", kind="until_event")]
    result = evaluate_records([({"text": TEXT, "spans": gold}, {"text": TEXT, "spans": pred})], opp115_types={}).to_dict()
    assert "RETENTION.kind~opp115" in format_table(result)
    assert srsly_roundtrip(result)["attributes"]["RETENTION.kind~opp115"]["accuracy"] == 1.0


def srsly_roundtrip(result):
    import srsly

    return srsly.json_loads(srsly.json_dumps(result))
