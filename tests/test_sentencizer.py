"""The array sentencizer gives the sentence boundaries of spaCy's sentencizer."""
import pytest
import spacy
import srsly
from spacy.tokens import Doc

from conftest import SHARED, sample_texts

EVAL = SHARED / "eval"


@pytest.fixture(scope="module")
def pair():
    """A blank pipeline with the policylens tokenizer, spaCy's sentencizer and ours (not added to the
    pipeline: each is called on its own copy of a Doc)."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "policylens.tokenizer.v1"}}})
    return nlp, nlp.create_pipe("sentencizer"), nlp.create_pipe("policylens_sentencizer")


def boundaries(nlp, reference, ours, text):
    """(spaCy's sentence starts, ours) for a text, and whether each token got a value. Ours are
    computed on arrays whatever the length (short Docs would otherwise take spaCy's loop)."""
    expected, got = reference(nlp.make_doc(text)), nlp.make_doc(text)
    ours.set_annotations([got], [ours.starts(got)])
    return [t.is_sent_start for t in expected], [t.is_sent_start for t in got]


@pytest.mark.parametrize(
    "text",
    [
        "",
        ".",
        "! Hello there. How are you?",
        'She said "stop." Then she left.',
        "Wait... what?! (Really.) Yes.",
        "End of list:\n\n- first item.\n- second item",
        "We keep data for 30 days. Contact privacy@example.com. See https://example.com/a.b.",
        "No final stop here",
        "?? ?? words",
        "Ends with quotes.'\" And more.",
        "U.S. law applies. e.g. this one.",
        "A sentence。次の文．Another one！",
    ],
)
def test_made_up_texts(pair, text):
    nlp, reference, ours = pair
    expected, got = boundaries(nlp, reference, ours, text)
    assert got == expected
    # called as a component: short Docs go through spaCy's loop, long ones through the arrays
    long_text = " ".join([text] * 40)
    for sample in (text, long_text):
        expected = [t.is_sent_start for t in reference(nlp.make_doc(sample))]
        assert [t.is_sent_start for t in ours(nlp.make_doc(sample))] == expected


def test_starts_already_set_are_kept_unless_overwrite(pair):
    nlp, _, _ = pair
    words = ["One", ".", "Two", "three", ".", "Four"]
    for overwrite in (False, True):
        reference = nlp.create_pipe("sentencizer", config={"overwrite": overwrite})
        ours = nlp.create_pipe("policylens_sentencizer", config={"overwrite": overwrite})
        docs = [Doc(nlp.vocab, words=words) for _ in range(3)]
        for doc in docs:
            doc[3].is_sent_start = True
            doc[2].is_sent_start = False
        expected = [t.is_sent_start for t in reference(docs[0])]
        assert [t.is_sent_start for t in ours(docs[1])] == expected
        ours.set_annotations([docs[2]], [ours.starts(docs[2])])  # the array path
        assert [t.is_sent_start for t in docs[2]] == expected


def test_custom_punct_chars_and_serialisation(pair):
    nlp, _, _ = pair
    reference = nlp.create_pipe("sentencizer", config={"punct_chars": [";"]})
    ours = nlp.create_pipe("policylens_sentencizer", config={"punct_chars": [";"]})
    text = "First part; second part. Still second; third"
    doc = nlp.make_doc(text)
    ours.set_annotations([doc], [ours.starts(doc)])
    assert [t.is_sent_start for t in doc] == [t.is_sent_start for t in reference(nlp.make_doc(text))]
    restored = nlp.create_pipe("policylens_sentencizer").from_bytes(ours.to_bytes())
    assert restored.punct_chars == {";"}
    assert [t.is_sent_start for t in restored(nlp.make_doc(text))][4] is False


def test_punct_chars_that_are_not_punctuation(pair):
    nlp, _, _ = pair
    reference = nlp.create_pipe("sentencizer", config={"punct_chars": ["STOP", "."]})
    ours = nlp.create_pipe("policylens_sentencizer", config={"punct_chars": ["STOP", "."]})
    text = "Dear reader STOP we arrive Monday STOP . \" Bring coats. Thanks STOP"
    expected = [t.is_sent_start for t in reference(nlp.make_doc(text))]
    doc = nlp.make_doc(text)
    ours.set_annotations([doc], [ours.starts(doc)])
    assert [t.is_sent_start for t in doc] == expected
    assert expected.count(True) == 4


def test_the_sample_policies(pair):
    nlp, reference, ours = pair
    texts = sample_texts()
    assert len(texts) >= 6
    for text in texts:
        expected, got = boundaries(nlp, reference, ours, text)
        assert got == expected


@pytest.mark.skipif(not EVAL.exists(), reason="../shared/eval is absent")
def test_the_shared_eval_texts(pair):
    nlp, reference, ours = pair
    count = 0
    for path in sorted(EVAL.glob("*.jsonl")):
        for record in srsly.read_jsonl(path):
            expected, got = boundaries(nlp, reference, ours, record["text"])
            assert got == expected, (path.name, record.get("meta"))
            count += 1
    assert count > 100


def test_the_pipeline_uses_it(nlp):
    assert nlp.get_pipe_meta("sentencizer").factory == "policylens_sentencizer"
    doc = nlp("We keep logs. They go after a year.")
    assert [s.text for s in doc.sents] == ["We keep logs.", "They go after a year."]
