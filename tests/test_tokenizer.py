"""The policylens tokenizer survives saving and loading: wrapped suffix search, same special cases."""
import spacy

from policylens.tokenizer import TailSearch

from conftest import sample_texts

TEXT = "We don't sell it, e.g. to ad networks (mailto:dpo@quokka.example). Can't opt-out?"


def words(tokenizer, text):
    return [(t.text, t.whitespace_) for t in tokenizer(text)]


def test_bytes_round_trip_keeps_wrapper_and_special_cases(nlp):
    texts = [TEXT] + sample_texts()
    fresh = type(nlp.tokenizer)(nlp.vocab).from_bytes(nlp.tokenizer.to_bytes())
    assert isinstance(fresh.suffix_search.__self__, TailSearch)
    assert fresh.rules == nlp.tokenizer.rules and len(fresh.rules) > 1000
    assert ("do", "") in words(fresh, TEXT) and ("n't", " ") in words(fresh, TEXT)
    assert [words(fresh, t) for t in texts] == [words(nlp.tokenizer, t) for t in texts]


def test_excluding_the_exceptions_loads_none(nlp):
    fresh = type(nlp.tokenizer)(nlp.vocab).from_bytes(nlp.tokenizer.to_bytes(), exclude=["exceptions"])
    assert fresh.rules == {} and isinstance(fresh.suffix_search.__self__, TailSearch)
    assert ("don't", " ") in words(fresh, TEXT)  # no special case splits it


def test_saved_pipeline_tokenizer(saved_pipeline, nlp):
    loaded = spacy.load(saved_pipeline)
    assert isinstance(loaded.tokenizer.suffix_search.__self__, TailSearch)
    assert words(loaded.tokenizer, TEXT) == words(nlp.tokenizer, TEXT)


def test_plural_marker_is_its_own_token(nlp):
    doc = nlp.make_doc("Our service provider(s) keep your email address(es), as third party(ies) do. PARTNER(S).")
    assert [t.text for t in doc] == [
        "Our", "service", "provider", "(s)", "keep", "your", "email", "address", "(es)", ",", "as", "third",
        "party", "(ies)", "do", ".", "PARTNER", "(S)", ".",
    ]
    # Not a plural marker: a formula, a marker alone, one inside a word, one after a digit.
    assert [t.text for t in nlp.make_doc("f(x) (s) x(s)y 3(s)")] == ["f(x", ")", "(", "s", ")", "x(s)y", "3(s", ")"]


def test_plural_marker_does_not_hide_the_phrase(nlp):
    doc = nlp("We share your email address(es) and telephone number(s) with our service provider(s).")
    found = {(s.text, s.label_) for s in doc.spans["policylens"]}
    assert {("email address", "DATA_TYPE"), ("telephone number", "DATA_TYPE"), ("service provider", "THIRD_PARTY")} <= found
