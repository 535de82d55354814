"""The span resolver reads span texts from the tokenizer's text when it has it: the same spans
and entities as on a copy of the Doc without that text (where it joins the tokens itself)."""
import warnings

from spacy.tokens import Doc

from policylens.components.doc_arrays import source_text

# Policies that define their first party, name it again, and name other parties.
TEXTS = [
    'Quillfeather Labs, Inc. ("Quillfeather", "we", "us") runs this site. We share data with '
    "Quillfeather and with Google Analytics, Stripe and our service providers. Quillfeather "
    "entities may also see it.",
    "Privacy Policy of Marrowick\n\nWelcome to Marrowick. Marrowick is committed to privacy. We "
    "use Mailchimp and Marrowick Group companies to send e-mails; Marrowick's affiliates help.",
    'Stripe, Inc. ("Stripe", "we", "us") wrote this notice. We share your e-mail address with '
    "Stripe, with Stripe Payments Europe and with Mailchimp; Google Analytics measures visits.",
    'Kestrel Media Ltd ("Service Provider", "we", "us") offers this app. The Service Provider '
    "shares data with Mailchimp and with other service providers.",
    "This app is operated by Stripe. Payments are provided by Stripe, and Stripe and PayPal "
    "receive your card number.",
]


def test_resolved_spans_do_not_depend_on_the_source_text(nlp):
    resolver = nlp.get_pipe("span_resolver")
    before = nlp.pipe_names[: nlp.pipe_names.index("span_resolver")]
    dropped = named = 0
    for text in TEXTS:
        with nlp.select_pipes(enable=before):
            doc = nlp(text)
        # A copy made from the Doc (its spans and sentence starts included) has no source text.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # W101: the sections extension is not copied (not read here)
            copy = Doc.from_docs([doc])
        assert source_text(doc) == text and source_text(copy) is None
        candidates = len(doc.spans["policylens"])
        resolver(doc)
        resolver(copy)
        rows = [(s.start, s.end, s.label_, s.id_) for s in doc.spans["policylens"]]
        assert rows == [(s.start, s.end, s.label_, s.id_) for s in copy.spans["policylens"]]
        assert [(e.start, e.end, e.label_, e.id_) for e in doc.ents] == [(e.start, e.end, e.label_, e.id_) for e in copy.ents]
        dropped += candidates - len(rows)
        if text.startswith("Stripe, Inc."):
            # The first party is no third party; the other parties stay.
            parties = [s.text for s in doc.spans["policylens"] if s.label_ == "THIRD_PARTY"]
            assert parties == ["Mailchimp", "Google Analytics"]
        if text.startswith("Kestrel"):
            # The alias the policy defines for itself, by its words (no catalogue entry owns it).
            parties = [s.text for s in doc.spans["policylens"] if s.label_ == "THIRD_PARTY"]
            assert parties == ["Mailchimp", "service providers"]
    assert dropped
