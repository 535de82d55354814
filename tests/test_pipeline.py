"""The assembled pipeline: its components, spans, ents, and the save/load round trip."""
import subprocess
import sys

import spacy

from conftest import spans_of

EXPECTED_PIPES = [
    "named_party_ruler", "sentencizer", "lemmatizer", "data_type_ruler", "third_party_ruler",
    "retention_ruler", "contact_emails", "sections", "span_resolver", "data_type_attributes",
    "third_party_attributes", "retention_attributes",
]
SENTENCE = "We may share your e-mail address and third-party cookies with advertising partners."


def test_components(nlp):
    assert nlp.pipe_names == EXPECTED_PIPES
    for name in ("data_type_ruler", "third_party_ruler", "retention_ruler"):
        assert len(nlp.get_pipe(name).patterns) > 0


def test_no_same_label_overlap_and_ents(nlp):
    doc = nlp(SENTENCE)
    spans = list(doc.spans["policylens"])
    for a in spans:
        for b in spans:
            if a is not b and a.label_ == b.label_:
                assert a.end <= b.start or b.end <= a.start
    assert len(doc.ents) > 0
    assert [e.id_ for e in doc.ents] and all(e.id_ for e in doc.ents)
    # "third-party cookies" names data; the words "third-party" in it are not a recipient.
    assert not any(s.label_ == "THIRD_PARTY" and "cookie" in s.text for s in spans)
    assert ("third-party cookies", "DATA_TYPE") in [(t, l) for t, l, _ in spans_of(doc)]


def test_save_and_load(nlp, saved_pipeline):
    loaded = spacy.load(saved_pipeline)
    assert loaded.pipe_names == nlp.pipe_names
    a, b = nlp(SENTENCE), loaded(SENTENCE)
    assert [(s.text, s.label_, s.id_, s._.attrs) for s in a.spans["policylens"]] == [
        (s.text, s.label_, s.id_, s._.attrs) for s in b.spans["policylens"]
    ]


def test_load_in_fresh_process(saved_pipeline):
    # Only the installed package's entry points register the components there.
    code = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]); "
        "doc = nlp('Write to privacy@quokka.example about your email address.'); "
        "print(sorted((s.label_, s._.category or s._.role) for s in doc.spans['policylens']))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(saved_pipeline)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[('CONTACT_EMAIL', 'privacy'), ('DATA_TYPE', 'contact.email_address')]"


def test_load_leaves_no_collection_due(saved_pipeline):
    # Loading makes tens of thousands of tracked objects; policylens.load collects them at its
    # end, so that the full collection they make due is not left to the first batch annotated.
    code = (
        "import gc, sys, policylens; policylens.load(sys.argv[1]); "
        "print(gc.get_count()[1:], gc.get_stats()[2]['collections'] > 0)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(saved_pipeline)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(0, 0) True"


def test_multiprocess_keeps_attributes(nlp):
    texts = [SENTENCE, "Contact dpo@quokka.example about your IP address."] * 4
    single = [[(s.text, s._.attrs) for s in d.spans["policylens"]] for d in nlp.pipe(texts)]
    multi = [[(s.text, s._.attrs) for s in d.spans["policylens"]] for d in nlp.pipe(texts, n_process=2, batch_size=2)]
    assert single == multi
