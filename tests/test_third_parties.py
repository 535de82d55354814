"""The third-party catalogue: its shape, and what its two rulers tag in sentences written for these tests.

The catalogue feeds two span rulers: one matching the lower-cased LEMMA (most entries) and one
matching exact ORTH (names that are also common words: "Adjust", "Segment", "Square").
Both write to the same spans key. Where patterns nest ("Google" inside "Google Analytics"), the
pipeline is expected to keep the longest span per label; ``tagged`` does the same with
``filter_spans`` so that the assertions describe what a reader sees.
"""
import warnings
from collections import Counter
from pathlib import Path

import pytest
import spacy
import srsly
from spacy.util import filter_spans

import policylens  # noqa: F401  (registers the tokenizer and the lemmatizer)
from policylens.labels import SPANS_KEY, THIRD_PARTY, THIRD_PARTY_CATEGORIES
from policylens.patterns import load_catalogue, load_pattern_file, third_party_patterns

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "patterns" / "third_parties.jsonl"
EXTRA = ROOT / "patterns" / "third_parties_extra.jsonl"


@pytest.fixture(scope="module")
def nlp():
    """A blank pipeline with the two THIRD_PARTY rulers built from the catalogue."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "policylens.tokenizer.v1"}}})
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("policylens_lemmatizer")
    lemma_ruler = nlp.add_pipe(
        "span_ruler",
        name="third_party_lemma",
        config={"phrase_matcher_attr": "LEMMA", "spans_key": SPANS_KEY, "overwrite": False, "validate": True},
    )
    orth_ruler = nlp.add_pipe(
        "span_ruler",
        name="third_party_orth",
        config={"phrase_matcher_attr": "ORTH", "spans_key": SPANS_KEY, "overwrite": False, "validate": True},
    )
    nlp.initialize()
    with warnings.catch_warnings():
        # W012: the ORTH ruler builds its pattern Docs with the whole pipeline; harmless here.
        warnings.filterwarnings("ignore", message=r"\[W012\]")
        lemma_ruler.add_patterns(third_party_patterns(str(CATALOGUE), case_sensitive=False, extra=str(EXTRA)))
        orth_ruler.add_patterns(third_party_patterns(str(CATALOGUE), case_sensitive=True))
    return nlp


@pytest.fixture(scope="module")
def catalogue():
    return {entry["id"]: entry for entry in load_catalogue(CATALOGUE)}


def tagged(nlp, text):
    """(span text, pattern id) of the THIRD_PARTY spans, longest first where they overlap."""
    doc = nlp(text)
    spans = filter_spans([s for s in doc.spans[SPANS_KEY] if s.label_ == THIRD_PARTY])
    return [(s.text, s.id_) for s in spans]


# --- the catalogue file


def test_catalogue_has_300_named_entries(catalogue):
    assert sum(1 for entry in catalogue.values() if entry["named"]) >= 300


def test_every_category_has_a_generic_entry(catalogue):
    generic = {entry["category"] for entry in catalogue.values() if not entry["named"]}
    assert generic == set(THIRD_PARTY_CATEGORIES)


def test_ids_are_unique_and_generic_ids_are_prefixed():
    entries = list(srsly.read_jsonl(CATALOGUE))
    ids = Counter(entry["id"] for entry in entries)
    assert [i for i, n in ids.items() if n > 1] == []
    for entry in entries:
        assert entry["id"].startswith("generic.") == (not entry["named"]), entry["id"]


def test_named_entries_have_organization_and_service(catalogue):
    for entry in catalogue.values():
        if entry["named"]:
            assert entry["organization"].strip() and entry["service"].strip(), entry["id"]
            assert entry.get("names") and not entry.get("terms"), entry["id"]
        else:
            assert entry.get("terms") and not entry.get("names"), entry["id"]


def test_no_generic_term_ends_in_cookie(catalogue):
    for entry in catalogue.values():
        for form in entry.get("terms", []) + entry.get("names", []):
            assert not form.lower().rstrip("s").endswith("cookie"), form


def test_extra_patterns_point_into_the_catalogue(catalogue):
    patterns = load_pattern_file(EXTRA, labels=(THIRD_PARTY,))
    assert patterns
    for pattern in patterns:
        assert pattern["id"].split("/")[0] in catalogue
        assert isinstance(pattern["pattern"], list)


def test_every_form_tags_itself(nlp, catalogue):
    """Each name or term, put in a sentence, comes out whole with its own entry's id."""
    cases = [(entry_id, form) for entry_id, entry in catalogue.items()
             for form in entry.get("names", []) + entry.get("terms", [])]
    texts = [f"We share data with {form} today." for _, form in cases]
    failures = []
    for (entry_id, form), doc in zip(cases, nlp.pipe(texts)):
        spans = filter_spans([s for s in doc.spans[SPANS_KEY] if s.label_ == THIRD_PARTY])
        if (form, entry_id) not in [(s.text, s.id_.split("/")[0]) for s in spans]:
            failures.append((entry_id, form))
    assert failures == []


# --- named recipients


def test_named_services(nlp):
    text = "We send usage statistics to Google Analytics, and card payments go through Stripe."
    assert tagged(nlp, text) == [
        ("Google Analytics", "google_analytics/google-analytics"),
        ("Stripe", "stripe/stripe"),
    ]


def test_nested_names_need_a_longest_match_filter(nlp):
    """The rulers alone also return "Google" inside "Google Analytics": the pipeline must keep the longest."""
    doc = nlp("Reports come from Google Analytics.")
    raw = sorted((s.text, s.id_) for s in doc.spans[SPANS_KEY])
    assert raw == [("Google", "google/google"), ("Google Analytics", "google_analytics/google-analytics")]


def test_owner_and_category(catalogue):
    assert (catalogue["youtube"]["organization"], catalogue["youtube"]["category"]) == ("Google", "social_media")
    assert catalogue["instagram"]["organization"] == "Meta"
    assert catalogue["whatsapp"]["organization"] == "Meta"
    assert catalogue["google_analytics"]["service"] == "Google Analytics"
    assert catalogue["digiseller"]["category"] == "payment"


def test_regional_payment_systems(nlp):
    text = "Orders can be paid with YooMoney, QIWI or a card via the Digiseller payment system."
    assert tagged(nlp, text) == [
        ("YooMoney", "yoomoney/yoomoney"),
        ("QIWI", "qiwi/qiwi"),
        ("Digiseller payment system", "digiseller/digiseller-payment-system"),
    ]


def test_case_insensitive_names(nlp):
    assert tagged(nlp, "Embedded videos are served by YOUTUBE and vimeo.") == [
        ("YOUTUBE", "youtube/youtube"),
        ("vimeo", "vimeo/vimeo"),
    ]


def test_case_sensitive_names_match_only_as_written(nlp):
    assert tagged(nlp, "We use Adjust and Segment to measure installs.") == [
        ("Adjust", "adjust/adjust"),
        ("Segment", "segment/segment"),
    ]
    assert tagged(nlp, "You can adjust the settings for each segment of the page.") == []
    assert tagged(nlp, "Write to P.O. Box 1234 or visit the town square.") == []


def test_hosting_and_cdn(nlp):
    text = "The site runs on Amazon Web Services behind Cloudflare and loads Google Fonts."
    assert tagged(nlp, text) == [
        ("Amazon Web Services", "aws/amazon-web-services"),
        ("Cloudflare", "cloudflare/cloudflare"),
        ("Google Fonts", "google_fonts/google-fonts"),
    ]


# --- unnamed recipients


def test_generic_recipients_without_prepositions_or_possessives(nlp):
    text = "We may disclose it to our advertising partners, payment processors and law enforcement agencies."
    assert tagged(nlp, text) == [
        ("advertising partners", "generic.advertising_partners/advertising-partner"),
        ("payment processors", "generic.payment_processors/payment-processor"),
        ("law enforcement agencies", "generic.law_enforcement/law-enforcement-agency"),
    ]


def test_type_defining_modifiers_are_kept(nlp):
    text = "Newsletters go out through a third party e-mail service provider; refunds use online payment services."
    assert tagged(nlp, text) == [
        ("third party e-mail service provider", "generic.email_service_providers/third-party-e-mail-service-provider"),
        ("online payment services", "generic.payment_processors/online-payment-service"),
    ]


def test_evaluative_adjectives_are_left_out(nlp):
    assert tagged(nlp, "Only trusted third parties and selected partners receive it.") == [
        ("third parties", "generic.third_parties/third-party"),
        ("partners", "generic.business_partners/partner"),
    ]


def test_affiliates_and_processors(nlp):
    text = "Our affiliates, subsidiaries, parent company, sub-processors, vendors and contractors may see it."
    assert tagged(nlp, text) == [
        ("affiliates", "generic.affiliates/affiliate"),
        ("subsidiaries", "generic.affiliates/subsidiary"),
        ("parent company", "generic.affiliates/parent-company"),
        ("sub-processors", "generic.processors/sub-processor"),
        ("vendors", "generic.vendors/vendor"),
        ("contractors", "generic.contractors/contractor"),
    ]


def test_government_and_users(nlp):
    text = "Tax authorities, courts and regulators may ask for it; other users and the general public never see it."
    assert tagged(nlp, text) == [
        ("Tax authorities", "generic.government_agencies/tax-authority"),
        ("courts", "generic.courts/court"),
        ("regulators", "generic.government_agencies/regulator"),
        ("other users", "generic.other_users/other-user"),
        ("general public", "generic.other_users/general-public"),
    ]


def test_linked_websites_are_unspecified(nlp, catalogue):
    spans = tagged(nlp, "Our pages link to other websites and third-party sites.")
    assert spans == [
        ("other websites", "generic.other_websites/other-website"),
        ("third-party sites", "generic.other_websites/third-party-site"),
    ]
    assert {catalogue[i.split("/")[0]]["category"] for _, i in spans} == {"unspecified"}


def test_token_patterns_for_business_transfers(nlp):
    text = "After a sale, your account may pass to a buyer or other successor in a merger."
    assert tagged(nlp, text) == [
        ("buyer or other successor in a merger", "generic.business_transfer/buyer-or-successor-in-transaction"),
    ]
    assert tagged(nlp, "We answer law enforcement agencies or officials.") == [
        ("law enforcement agencies or officials", "generic.law_enforcement/law-enforcement-agencies-or-officials"),
    ]


def test_token_patterns_for_groups(nlp):
    assert tagged(nlp, "Nothing goes to companies outside the Acme group.") == [
        ("companies outside the Acme group", "generic.third_parties/outside-group"),
    ]
    assert tagged(nlp, "Companies that we control and entities that provide services to us get it.") == [
        ("Companies that we control", "generic.affiliates/companies-we-control"),
        ("entities that provide services", "generic.service_providers/companies-that-provide-services"),
    ]


# --- what must not be tagged


def test_first_party_and_user_are_not_tagged(nlp):
    assert tagged(nlp, "We, the operator of this website, and you agree to these terms.") == []


def test_verb_forms_of_recipient_nouns_are_not_tagged(nlp):
    # "partner", "affiliate" and "sponsor" share their lemma with the verb, so they match on LOWER.
    text = "We partnered with nobody, are not affiliated with a bank and have sponsored no event."
    assert tagged(nlp, text) == []


def test_user_agent_and_companies_are_not_tagged(nlp):
    assert tagged(nlp, "Your browser sends its user agent; the company keeps it.") == []


def test_third_party_cookies(nlp):
    """No span ends in "cookies"; the bare modifier "third-party" is still tagged by the rulers.

    Dropping a singular recipient used as a compound modifier ("third-party cookies", "court order")
    is left to a context rule in the pipeline.
    """
    assert tagged(nlp, "We do not use third-party cookies.") == [("third-party", "generic.third_parties/third-party")]
