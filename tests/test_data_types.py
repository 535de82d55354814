"""The DATA_TYPE taxonomy and token patterns: their shape, and what they tag in sentences written for these tests.

The taxonomy's terms become phrase patterns matched on the lower-cased lookup lemma;
``data_types.jsonl`` adds token patterns (mostly on LOWER). Both feed one span ruler; the span
resolver then applies the context rules (``context_rules.json``: "password authentication" is
no data, "age" counts only in a list of data). Where patterns nest ("name" inside "first and
last name"), the pipeline keeps the longest span per label; ``tagged`` does the same with
``filter_spans`` so that the assertions describe what a reader sees. The category of a span is
the part of its id before "/".
"""
from pathlib import Path

import pytest
import spacy
import srsly
from spacy.util import filter_spans

import policylens  # noqa: F401  (registers the tokenizer and the lemmatizer)
from policylens.labels import DATA_TYPE, SPANS_KEY
from policylens.patterns import data_type_patterns, load_pattern_file, load_taxonomy, plural, slug

ROOT = Path(__file__).resolve().parent.parent
TAXONOMY = ROOT / "patterns" / "taxonomy.jsonl"
TOKEN_PATTERNS = ROOT / "patterns" / "data_types.jsonl"
CONTEXT_RULES = ROOT / "patterns" / "context_rules.json"
# Terms that name data only in a list beside other data ("name, age and gender").
LIST_ONLY = set(srsly.read_json(CONTEXT_RULES).get("data_type_in_lists", {}).get("ids", []))

OPP115_TYPES = {
    "Contact", "Financial", "Location", "Cookies and tracking elements", "IP address and device IDs",
    "User online activities", "Demographic", "Health", "Personal identifier", "Computer information",
    "User profile", "Social media data", "Survey data", "Generic personal information", "Other",
}
# labels.md: GDPR Art. 9 categories (health, special), government identifiers, children's data.
SENSITIVE_FAMILIES = {"health", "special", "personal_identifier"}
SENSITIVE_GENERIC = {"generic.children_personal_information", "generic.sensitive_information"}
# Ids the seed gold uses; they must stay reachable.
GOLD_CATEGORIES = {
    "generic.personal_information", "generic.non_personal_information", "generic.children_personal_information",
    "generic.sensitive_information", "contact.name", "contact.email_address", "contact.phone_number",
    "contact.postal_address", "contact.company_name", "financial.payment_card", "financial.billing",
    "financial.payment_information", "financial.transactions", "identifier.ip_address", "identifier.user_id",
    "identifier.account_id", "identifier.cookie", "identifier.web_beacon", "identifier.tracking_technology",
    "account.username", "account.password", "account.information", "account.profile", "account.preferences",
    "account.registration", "device.browser", "device.technical_information", "online_activity.usage",
    "online_activity.browsing", "online_activity.tracking_data", "online_activity.shopping_cart",
    "online_activity.account_activity", "personal_identifier.government_id", "user_content.files",
    "user_content.content",
}


@pytest.fixture(scope="module")
def nlp():
    """A blank pipeline with one DATA_TYPE span ruler built from the taxonomy and the token
    patterns, and the span resolver with the context rules."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "policylens.tokenizer.v1"}}})
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("policylens_lemmatizer")
    ruler = nlp.add_pipe(
        "span_ruler",
        config={"phrase_matcher_attr": "LEMMA", "spans_key": SPANS_KEY, "overwrite": False, "validate": True},
    )
    resolver = nlp.add_pipe("span_resolver", config={"annotate_ents": False})
    nlp.initialize()
    ruler.add_patterns(data_type_patterns(str(TAXONOMY), str(TOKEN_PATTERNS)))
    resolver.initialize(rules=srsly.read_json(CONTEXT_RULES))
    return nlp


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(TAXONOMY)


def tagged(nlp, text):
    """(span text, category) of the DATA_TYPE spans, longest first where they overlap."""
    doc = nlp(text)
    spans = filter_spans([s for s in doc.spans[SPANS_KEY] if s.label_ == DATA_TYPE])
    return [(s.text, s.id_.split("/")[0]) for s in spans]


# --- the taxonomy file


def test_taxonomy_loads_with_60_categories_and_400_terms(taxonomy):
    assert len(taxonomy) >= 60
    assert sum(len(entry["terms"]) for entry in taxonomy) >= 400
    assert all(entry["description"].strip() for entry in taxonomy)


def test_gold_categories_are_in_the_taxonomy(taxonomy):
    assert GOLD_CATEGORIES - {entry["id"] for entry in taxonomy} == set()


def test_opp115_values_are_from_the_scheme(taxonomy):
    assert {entry["opp115"] for entry in taxonomy} <= OPP115_TYPES


def test_sensitive_exactly_for_the_sensitive_families(taxonomy):
    for entry in taxonomy:
        family = entry["id"].split(".")[0]
        expected = family in SENSITIVE_FAMILIES or entry["id"] in SENSITIVE_GENERIC
        assert entry["sensitive"] is expected, entry["id"]


def test_terms_are_lower_case_singular_and_unique(taxonomy):
    seen = {}
    for entry in taxonomy:
        for term in entry["terms"]:
            assert term == term.lower().strip(), term
            # No article or possessive in front: the span is the shortest NP naming the data.
            assert term.split()[0] not in {"a", "an", "the", "your", "our", "their", "any", "other"}, term
            # The loader adds the plural, so a plural listed beside its singular is redundant.
            assert not any(plural(other) == term != other for other in entry["terms"]), term
            assert seen.setdefault(term, entry["id"]) == entry["id"], f"{term} in {seen[term]} and {entry['id']}"


def test_generated_patterns(taxonomy):
    patterns = data_type_patterns(str(TAXONOMY), str(TOKEN_PATTERNS))
    assert len(patterns) >= 150
    assert {p["label"] for p in patterns} == {DATA_TYPE}
    categories = {entry["id"] for entry in taxonomy}
    assert {p["id"].split("/")[0] for p in patterns} == categories


def test_token_patterns_point_into_the_taxonomy(taxonomy):
    categories = {entry["id"] for entry in taxonomy}
    patterns = load_pattern_file(TOKEN_PATTERNS, labels=(DATA_TYPE,))
    assert len(patterns) >= 100
    ids = [p["id"] for p in patterns]
    assert len(ids) == len(set(ids))
    for pattern in patterns:
        assert pattern["id"].split("/")[0] in categories, pattern["id"]
        assert isinstance(pattern["pattern"], list), pattern["id"]
        for token in pattern["pattern"]:
            # Bounded: "*" and "+" could run to the end of a sentence.
            assert token.get("OP") not in ("*", "+"), pattern["id"]


def test_every_term_tags_itself(nlp, taxonomy):
    """Each term and its plural, put in a sentence, comes out whole with its own category."""
    cases = [
        (entry["id"], form, f"{entry['id']}/{slug(term)}" in LIST_ONLY)
        for entry in taxonomy
        for term in entry["terms"]
        for form in {term, plural(term)}
    ]
    texts = [f"We may collect {form}, credit card numbers today." if listed else f"We may collect {form} today." for _, form, listed in cases]
    failures = []
    for (category, form, _), doc in zip(cases, nlp.pipe(texts)):
        spans = filter_spans([s for s in doc.spans[SPANS_KEY] if s.label_ == DATA_TYPE])
        if (form, category) not in [(s.text, s.id_.split("/")[0]) for s in spans]:
            failures.append((category, form))
    assert failures == []


# --- what is tagged


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "Please enter your E-Mail Addresses and phone numbers.",
            [("E-Mail Addresses", "contact.email_address"), ("phone numbers", "contact.phone_number")],
        ),
        (
            "Please give us your first and last name, postal address and date-of-birth.",
            [("first and last name", "contact.name"), ("postal address", "contact.postal_address"),
             ("date-of-birth", "demographic.date_of_birth")],
        ),
        (
            "We log the IP (Internet Protocol) address and the browser version of each visitor.",
            [("IP (Internet Protocol) address", "identifier.ip_address"), ("browser version", "device.browser")],
        ),
        (
            "The app reads the Advertising ID and a unique device identifier.",
            [("Advertising ID", "identifier.advertising_id"), ("unique device identifier", "identifier.device_id")],
        ),
        (
            "Your User ID and your user id are the same thing.",
            [("User ID", "identifier.user_id"), ("user id", "identifier.user_id")],
        ),
        (
            'Our site sets "session" cookies, PHPSESSID and _ga, and uses web beacons.',
            [('"session" cookies', "identifier.cookie"), ("PHPSESSID", "identifier.cookie"),
             ("_ga", "identifier.cookie"), ("web beacons", "identifier.web_beacon")],
        ),
        (
            "Partners use SDKs and pixels to count ad clicks.",
            [("SDKs", "identifier.sdk"), ("pixels", "identifier.web_beacon"),
             ("ad clicks", "online_activity.ad_interaction")],
        ),
        (
            "We keep information about your use of the website and the search terms you enter.",
            [("information about your use of the website", "online_activity.usage"),
             ("search terms you enter", "online_activity.search_history")],
        ),
        (
            "We measure time spent on each page, pages you visit and referring URLs.",
            [("time spent", "online_activity.browsing"), ("pages you visit", "online_activity.browsing"),
             ("referring URLs", "online_activity.browsing")],
        ),
        (
            "Information you provide when registering, such as your gender, is stored.",
            [("Information you provide when registering", "account.registration"),
             ("gender", "demographic.gender")],
        ),
        (
            "Information we collect and data collected automatically are listed below.",
            [("Information we collect", "generic.personal_information"),
             ("data collected automatically", "generic.personal_information")],
        ),
        (
            "We derive your precise location from GPS and an approximate location from the IP-address.",
            [("precise location", "location.precise"), ("GPS", "location.precise"),
             ("approximate location", "location.approximate"), ("IP-address", "identifier.ip_address")],
        ),
        (
            "We charge the credit or debit card number and check the billing address.",
            [("credit or debit card number", "financial.payment_card"), ("billing address", "financial.billing")],
        ),
        (
            "We store your username, password and profile picture.",
            [("username", "account.username"), ("password", "account.password"),
             ("profile picture", "account.profile")],
        ),
        (
            "We never ask for health data, biometric identifiers, religious beliefs or trade-union membership.",
            [("health data", "health.medical"), ("biometric identifiers", "special.biometric"),
             ("religious beliefs", "special.religious_beliefs"),
             ("trade-union membership", "special.trade_union_membership")],
        ),
        (
            "Copies of your passport or driver's license and your social security number are checked.",
            [("passport", "personal_identifier.government_id"),
             ("driver's license", "personal_identifier.drivers_license"),
             ("social security number", "personal_identifier.ssn")],
        ),
        (
            "Children's personal information is deleted, and we share aggregated data only.",
            [("Children's personal information", "generic.children_personal_information"),
             ("aggregated data", "generic.non_personal_information")],
        ),
        (
            "The photos you upload and the messages you send stay private.",
            [("photos you upload", "user_content.content"), ("messages you send", "user_content.messages")],
        ),
        # The span keeps the possessive that makes bare "information" personal; a normaliser may trim it.
        ("Your information stays with us.", [("information", "generic.personal_information")]),
    ],
)
def test_tagged(nlp, text, expected):
    assert tagged(nlp, text) == expected


# --- what is not tagged


@pytest.mark.parametrize(
    "text",
    [
        "Our trademarks and logos belong to us.",
        "We care about your privacy and account security.",
        # Verb forms whose lemma equals a data noun ("name", "address", "profile", "log").
        "A company named Example Ltd addressed the issue.",
        "We do not carry out profiling.",
        "Our servers log requests.",
        "Children under the age of 16 may not use the app.",
        "We base processing on our legitimate interests.",
        # Anaphoric or unqualified "information" (seeds.gold.md rule 3).
        "This information helps us improve the service.",
        "We provide information to law enforcement.",
        "We will review this document every year.",
        "Please contact us by email.",
        "Records are deleted within 30 calendar days.",
    ],
)
def test_not_tagged(nlp, text):
    assert tagged(nlp, text) == []


def test_token_pattern_file_is_plain_jsonl_apart_from_comments():
    """Every non-comment line is a JSON object, so the file also reads as an EntityRuler pattern file."""
    lines = [line for line in TOKEN_PATTERNS.read_text(encoding="utf8").splitlines()
             if line.strip() and not line.startswith("//")]
    assert all(isinstance(srsly.json_loads(line), dict) for line in lines)
