"""The lower-case lookup lemmatizer: short Docs (token by token) and long ones (arrays) agree."""
import spacy

import policylens  # noqa: F401  (registers the tokenizer and the lemmatizer)
from policylens.components.lemmatizer import SHORT_DOC


def pipeline(overwrite=True):
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "policylens.tokenizer.v1"}}})
    nlp.add_pipe("policylens_lemmatizer", config={"overwrite": overwrite})
    nlp.initialize()
    return nlp


def test_short_and_long_docs_get_the_same_lemmas():
    nlp = pipeline()
    text = "We Collected COOKIES and Cookies, cookies; Email Addresses were stored."
    short = nlp(text)
    long = nlp(" ".join([text] * (SHORT_DOC // len(short) + 2)))
    assert len(short) <= SHORT_DOC < len(long)
    assert [t.lemma_ for t in long][: len(short)] == [t.lemma_ for t in short]
    lookup = nlp.get_pipe("policylens_lemmatizer").lower_lookup_lemmatize
    assert [t.lemma_ for t in short] == [lookup(t)[0] for t in short]


def test_lemmas_already_set_are_kept_unless_overwrite():
    for overwrite in (False, True):
        nlp = pipeline(overwrite)
        for text in ("Cookies were kept.", " ".join(["Cookies were kept."] * 30)):
            doc = nlp.make_doc(text)
            doc[0].lemma_ = "KEPT-AS-IS"
            doc = nlp.get_pipe("policylens_lemmatizer")(doc)
            assert (doc[0].lemma_ == "KEPT-AS-IS") is (not overwrite)
            assert [t.lemma_ for t in doc[1:4]] == ["be", "keep", "."]
