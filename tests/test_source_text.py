"""The tokenizer keeps the text it was given; stretches of tokens are slices of it, equal to
spaCy's span texts."""
import random

from spacy.tokens import Doc

from policylens.components.doc_arrays import source_text, tokens_text
from policylens.io import doc_to_record
from policylens.tokenizer import MAX_CHUNK

from conftest import sample_texts

ODD = [
    "", " ", "\n", "a", "Hello  world \n\n x ", "  leading and trailing  ",
    "We keep it\u00a0for 30\u2009days.\tContact: dpo@quokka.example\u200b (mailto:dpo@quokka.example)",
]


def texts():
    return ODD + sample_texts()


def check_stretches(doc, rng, rounds=300):
    n = len(doc)
    for _ in range(rounds):
        start, end = rng.randint(-2, n + 2), rng.randint(-2, n + 2)
        a, b = max(0, start), min(n, end)
        assert tokens_text(doc, start, end) == (doc[a:b].text_with_ws if a < b else "")
        assert tokens_text(doc, start, end, with_space=False) == (doc[a:b].text if a < b else "")


def test_slices_equal_span_texts(nlp):
    rng = random.Random(3)
    for text in texts():
        doc = nlp.make_doc(text)
        assert source_text(doc) is text
        check_stretches(doc, rng)


def test_docs_made_otherwise_are_joined(nlp):
    rng = random.Random(4)
    for text in texts():
        made = nlp.make_doc(text)
        doc = Doc(nlp.vocab, words=[t.text for t in made], spaces=[bool(t.whitespace_) for t in made])
        assert source_text(doc) is None
        check_stretches(doc, rng, 100)
    long_chunk = "x" * (MAX_CHUNK * 2 + 7) + " and more text"
    doc = nlp.make_doc(long_chunk)  # tokenized in pieces: Doc.from_docs
    assert source_text(doc) is None and tokens_text(doc, 0, len(doc)) == long_chunk


def test_a_retokenized_doc_forgets_its_source(nlp):
    doc = nlp.make_doc("Quokka Cloud Ltd keeps logs.")
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[0:3])
    assert source_text(doc) is None
    assert tokens_text(doc, 0, 2) == "Quokka Cloud Ltd keeps "


def test_record_text_without_the_caller_passing_it(nlp):
    text = "We keep your email address for two years.  Write to privacy@quokka.example.\n"
    doc = nlp(text)
    assert doc_to_record(doc, {}) == doc_to_record(doc, {}, text=text)
    assert doc_to_record(doc, {})["text"] == text
