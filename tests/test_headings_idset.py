"""IdSet.candidates: every member among a Doc's ids is a candidate, and few others are."""
import numpy
from spacy.strings import get_string_id

from policylens.components.headings import IdSet

WORDS = "retention cookies rights children security transfers contact changes".split()


def test_every_member_is_a_candidate_at_its_offset_and_few_others_are():
    members = {get_string_id(w) for w in WORDS}
    others = [get_string_id(f"word{n}") for n in range(5000)]
    values = numpy.array(others[:2500] + sorted(members) + others[2500:] + sorted(members), dtype="uint64")
    found = list(IdSet(members).candidates(values))
    expected = [(i, v) for i, v in enumerate(values.tolist()) if v in members]
    assert [(i, v) for i, v in found if v in members] == expected
    assert all(values[i] == v for i, v in found)
    assert len(found) - len(expected) < 100  # 8 of 65,536 slots taken: about 1 other id in 8,000


def test_no_candidates_without_ids_or_values():
    assert list(IdSet([]).candidates(numpy.array([1, 2, 3], dtype="uint64"))) == []
    assert list(IdSet([get_string_id("cookies")]).candidates(numpy.zeros(0, dtype="uint64"))) == []
