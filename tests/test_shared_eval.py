"""Accuracy floors on the development gold sets of ../shared/eval (skipped when absent).

The floors sit a little under what the pipeline reached when they were set (figures and the
command that made them are in the issue notes; `spacy project run evaluate-shared`). They only
ever rise: a pattern change that drops a figure below its floor is a regression to look at.
Precision on the two public sets is a lower bound (their gold is not exhaustive), so its floors
guard against a flood of new false positives rather than state the true precision.
"""
import pytest
import srsly

from policylens.evaluate import evaluate_records, predict

from conftest import SHARED

EVAL = SHARED / "eval"

# gold file -> label -> (overlap precision floor, overlap recall floor)
FLOORS = {
    "seeds.gold.jsonl": {
        "DATA_TYPE": (0.94, 0.95),
        "THIRD_PARTY": (0.95, 0.94),
        "CONTACT_EMAIL": (0.97, 0.97),
        "RETENTION": (0.90, 0.90),
    },
    "gdpr_t200.dev.jsonl": {
        "DATA_TYPE": (0.28, 0.86),
        "THIRD_PARTY": (0.33, 0.87),
        "CONTACT_EMAIL": (0.90, 0.99),
        "RETENTION": (0.65, 0.87),
    },
    "opp115.dev.jsonl": {
        "DATA_TYPE": (0.44, 0.84),
        "THIRD_PARTY": (0.39, 0.86),
        "RETENTION": (0.58, 0.80),
    },
}

# gold file -> attribute -> accuracy floor on matched spans ("~opp115": through the mappings
# of labels.md to OPP-115's values).
ATTRIBUTE_FLOORS = {
    "seeds.gold.jsonl": {
        "DATA_TYPE.category": 0.95,
        "DATA_TYPE.sensitive": 0.95,
        "THIRD_PARTY.category": 0.95,
        "THIRD_PARTY.named": 0.95,
        "CONTACT_EMAIL.address": 0.97,
        "CONTACT_EMAIL.role": 0.90,
        "RETENTION.kind": 0.90,
        "RETENTION.duration": 0.90,
    },
    "opp115.dev.jsonl": {
        "DATA_TYPE.category~opp115": 0.83,
        "RETENTION.kind~opp115": 0.80,
    },
}


@pytest.fixture(scope="module")
def scores(nlp):
    """gold file name -> evaluate_records(...).to_dict(), computed once per file."""
    cache = {}

    def score(name: str) -> dict:
        path = EVAL / name
        if not path.exists():
            pytest.skip(f"{path} is not here")
        if name not in cache:
            gold = list(srsly.read_jsonl(path))
            cache[name] = evaluate_records(zip(gold, predict(nlp, gold))).to_dict()
        return cache[name]

    return score


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_overlap_floors(scores, name):
    labels = scores(name)["labels"]
    below = []
    for label, (p_floor, r_floor) in FLOORS[name].items():
        p, r = labels[label]["overlap_p"], labels[label]["overlap_r"]
        if p < p_floor or r < r_floor:
            below.append(f"{label}: P {p:.3f} (floor {p_floor}), R {r:.3f} (floor {r_floor})")
    assert below == [], f"{name}: " + "; ".join(below)


@pytest.mark.parametrize("name", sorted(ATTRIBUTE_FLOORS))
def test_attribute_floors(scores, name):
    attributes = scores(name)["attributes"]
    below = [
        f"{attr}: {attributes[attr]['accuracy']:.3f} (floor {floor})"
        for attr, floor in ATTRIBUTE_FLOORS[name].items()
        if attributes[attr]["accuracy"] < floor
    ]
    assert below == [], f"{name}: " + "; ".join(below)
