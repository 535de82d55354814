"""Numbers per distinct token text (token_types): one number per text, values computed once per text."""
import numpy
import spacy
from conftest import run_interleaved
from spacy.attrs import ORTH

from policylens.components.token_types import TypeIds, TypeValues


def orths(nlp, text):
    return nlp.make_doc(text).to_array(ORTH)


def test_one_number_per_text_even_when_slots_collide():
    nlp = spacy.blank("en")
    types = TypeIds(slots=4)  # most texts share a slot with another
    texts = ["we keep your data", "your data and our data", "we we we keep keep", "and our keep"]
    numbers = {}
    for text in texts:
        hashes = orths(nlp, text)
        for orth, number in zip(hashes.tolist(), types.ids(hashes).tolist()):
            assert numbers.setdefault(orth, number) == number
    assert sorted(numbers.values()) == list(range(len(numbers))) == list(range(len(types)))


def test_numbering_starts_over_past_max_types():
    nlp = spacy.blank("en")
    types = TypeIds(slots=8, max_types=5)
    values = TypeValues(lambda doc, hashes: [len(doc.vocab.strings[h]) for h in hashes], "int64", -1, types=types)
    doc = nlp.make_doc("one two three")
    assert values(doc).tolist() == [3, 3, 5]
    doc = nlp.make_doc("four five six seven")  # more new texts than room: every number is void
    assert values(doc).tolist() == [4, 4, 3, 5]
    assert types.generation == 1 and len(types) == 4
    doc = nlp.make_doc("one seven")
    assert values(doc).tolist() == [3, 5]


def test_values_are_computed_once_per_text():
    nlp = spacy.blank("en")
    asked = []

    def upper(doc, hashes):
        asked.extend(doc.vocab.strings[h] for h in hashes)
        return [doc.vocab.strings.add(doc.vocab.strings[h].upper()) for h in hashes]

    values = TypeValues(upper, "uint64", 0, types=TypeIds(slots=16))
    for text in ["a b a", "b c", "c a b d"]:
        doc = nlp.make_doc(text)
        got = [nlp.vocab.strings[h] for h in values(doc).tolist()]
        assert got == [t.text.upper() for t in doc]
    assert sorted(asked) == ["a", "b", "c", "d"]
    assert values(nlp.make_doc("")).tolist() == []
    assert numpy.asarray(values(nlp.make_doc("d d"))).dtype == numpy.uint64


def test_a_docs_numbers_are_read_again_when_its_tokens_change():
    nlp = spacy.blank("en")
    types = TypeIds(slots=64)
    doc = nlp.make_doc("contact us at privacy@example.com today")
    assert types.of_doc(doc) is types.of_doc(doc)  # read once
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[1:3])
    assert types.orths(types.of_doc(doc)).tolist() == doc.to_array(ORTH).tolist()


def test_threads_sharing_the_numbering_get_their_own_values():
    import threading

    nlp = spacy.blank("en")
    types = TypeIds(slots=8, max_types=50)  # collisions and restarts all the time
    values = TypeValues(lambda doc, hashes: [len(doc.vocab.strings[h]) for h in hashes], "int64", -1, types=types)
    texts = [" ".join(f"w{'x' * ((i * 7 + j) % 13)}{(i + j) % 37}" for j in range(60)) for i in range(40)]
    docs = [nlp.make_doc(text) for text in texts]  # made here: the vocab is not shared across threads
    wrong = []

    def work(part):
        for doc in part:
            if values(doc).tolist() != [len(t.text) for t in doc]:
                wrong.append(doc.text)

    threads = [threading.Thread(target=work, args=(docs[k::4],)) for k in range(4)]
    run_interleaved(threads)  # without the lock: wrong values
    assert wrong == []
