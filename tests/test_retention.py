"""RETENTION: the ISO 8601 duration parser, the kind named by a pattern id, and the patterns
of patterns/retention.jsonl on sentences written for these tests."""
import time

import pytest
import spacy
import srsly
from spacy.util import filter_spans

import policylens  # noqa: F401  (registers the tokenizer and the lemmatizer)
from policylens.duration import parse_duration, retention_kind
from policylens.labels import RETENTION, RETENTION_KINDS, SPANS_KEY
from policylens.patterns import ID_RE, jsonl_patterns

from conftest import ROOT, SHARED

PATTERNS = ROOT / "patterns" / "retention.jsonl"
SEEDS_GOLD = SHARED / "eval" / "seeds.gold.jsonl"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("30 days", "P30D"),
        ("thirty (30) days", "P30D"),
        ("30 (thirty) days", "P30D"),
        ("two years", "P2Y"),
        ("6 months", "P6M"),
        ("90-day", "P90D"),
        ("up to 24 months", "P24M"),
        ("one calendar year", "P1Y"),
        ("two weeks", "P2W"),
        ("48 hours", "PT48H"),
        ("90 minutes", "PT90M"),
        ("a year", "P1Y"),
        ("an hour", "PT1H"),
        ("half a year", "P6M"),
        ("one and a half years", "P18M"),
        ("a year and a half", "P18M"),
        ("1.5 years", "P18M"),
        ("1,5 years", "P18M"),
        ("1.5 days", "PT36H"),
        ("1.5 months", "P1.5M"),
        ("twelve months", "P12M"),
        ("twelve (12) months", "P12M"),
        ("twenty-four months", "P24M"),
        ("twenty four months", "P24M"),
        ("thirty-six months", "P36M"),
        ("ninety-nine days", "P99D"),
        ("one hundred and eighty days", "P180D"),
        ("2,555 days", "P2555D"),
        ("ten (10) business days", "P10D"),
        ("a decade", "P10Y"),
        ("two fortnights", "P4W"),
        ("0 days", "P0D"),
        ("Retention period: 3 YEARS", "P3Y"),
        # a range: its upper bound
        ("24-48 hours", "PT48H"),
        ("6 to 12 months", "P12M"),
        # a whole phrase: the first period in it
        ("retained for 120 days on our servers", "P120D"),
        ("for a period of five years after closure", "P5Y"),
        ("within 30 days.", "P30D"),
        ("logs after 6 months and invoices after 7 years", "P6M"),
        # frequencies and ordinals are not periods
        ("backed up once a day and kept for 30 days", "P30D"),
        ("a second copy is kept for 2 weeks", "P2W"),
        ("1 second", "PT1S"),
        # no number with a unit
        ("as long as necessary", None),
        ("until you delete your account", None),
        ("for a reasonable period", None),
        ("indefinitely", None),
        ("a few years", None),
        ("several months", None),
        ("30 percent", None),
        ("1.2.3 days", None),
        ("", None),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


def test_parse_duration_is_linear_on_hostile_input():
    start = time.perf_counter()
    assert parse_duration("1 " * 50_000 + "calendar " * 50_000 + "days") is None
    assert parse_duration("( " * 100_000 + "twenty - " * 50_000) is None
    assert parse_duration("9" * 500 + " days") is None  # too long for a float
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    "pattern_id,expected",
    [
        ("stated_period/verb-num", "stated_period"),
        ("purpose_bound/as-long-as-necessary", "purpose_bound"),
        ("until_event/until-you", "until_event"),
        ("legal_obligation/we-verb-legal", "legal_obligation"),
        ("indefinite/indefinitely", "indefinite"),
        ("Stated_Period/verb-num", None),
        ("generic.personal_information/information", None),
        ("stated_period", None),
        ("", None),
        (None, None),
    ],
)
def test_retention_kind(pattern_id, expected):
    assert retention_kind(pattern_id) == expected


def test_pattern_file_is_valid():
    patterns = jsonl_patterns(str(PATTERNS))
    ids = [p["id"] for p in patterns]
    assert len(ids) == len(set(ids))
    assert all(p["label"] == RETENTION for p in patterns)
    assert all(ID_RE.match(i) for i in ids)
    assert {retention_kind(i) for i in ids} == set(RETENTION_KINDS)


def test_patterns_are_bounded():
    # spaCy's Matcher keeps a state per way of filling optional tokens: a {m,n} token costs about
    # 2**(n-m) per start, so few optional repeats; longer runs are exact ("{8}") and cost nothing.
    for pattern in jsonl_patterns(str(PATTERNS)):
        for token in pattern["pattern"]:
            op = token.get("OP")
            assert op not in ("*", "+"), pattern["id"]
            if op and op.startswith("{"):
                low, _, high = op.strip("{}").partition(",")
                low, high = int(low or 0), int(high or low)
                assert high - low <= 10 and high <= 16, pattern["id"]


@pytest.fixture(scope="module")
def ruler_nlp():
    """Tokenizer, sentencizer, lemmatizer and a span ruler with the RETENTION patterns only."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "policylens.tokenizer.v1"}}})
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("policylens_lemmatizer")
    ruler = nlp.add_pipe(
        "span_ruler",
        config={"spans_key": SPANS_KEY, "phrase_matcher_attr": "LOWER", "validate": True, "overwrite": False},
    )
    nlp.initialize()
    ruler.add_patterns(jsonl_patterns(str(PATTERNS)))
    return nlp


def retention(nlp, text):
    """(text, kind) of the RETENTION spans, overlapping matches reduced to the longest
    (as the span resolver does)."""
    doc = nlp(text)
    spans = filter_spans([s for s in doc.spans[SPANS_KEY] if s.label_ == RETENTION])
    return [(s.text, retention_kind(s.id_)) for s in spans]


@pytest.mark.parametrize(
    "text,span,kind",
    [
        # stated_period
        ("Server logs are retained for 90 days.", "retained for 90 days", "stated_period"),
        ("Invoices are archived for ten (10) years.", "archived for ten (10) years", "stated_period"),
        ("We keep backup copies for thirty (30) days.", "We keep backup copies for thirty (30) days", "stated_period"),
        ("Chat transcripts are deleted after a year.", "deleted after a year", "stated_period"),
        ("Support tickets are kept for up to 24 months.", "kept for up to 24 months", "stated_period"),
        ("Profiles are kept for one and a half years.", "kept for one and a half years", "stated_period"),
        ("Account data is stored for two years after your last login.",
         "stored for two years after your last login", "stated_period"),
        ("Raw logs are removed within 30 days of collection.", "removed within 30 days of collection", "stated_period"),
        ("Your data will be stored no longer than 12 months.", "stored no longer than 12 months", "stated_period"),
        ("Entries are purged one calendar year from the date of entry.",
         "purged one calendar year from the date of entry", "stated_period"),
        ("Retention period: 3 years.", "Retention period: 3 years", "stated_period"),
        ("Analytics cookies expire after 13 months.", "expire after 13 months", "stated_period"),
        ("We apply a 90-day retention period to voice recordings.", "90-day retention period", "stated_period"),
        ("Crash reports are deleted after a 30-day retention period.", "deleted after a 30-day retention period",
         "stated_period"),
        # purpose_bound
        ("We retain your order history for as long as necessary to provide the services.",
         "We retain your order history for as long as necessary to provide the services", "purpose_bound"),
        ("Profile photos are stored for the period necessary to run the contest.",
         "stored for the period necessary to run the contest", "purpose_bound"),
        ("We will not store your messages longer than we need them.",
         "We will not store your messages longer than we need them", "purpose_bound"),
        ("Personal data is kept no longer than necessary.", "kept no longer than necessary", "purpose_bound"),
        ("Once the data is no longer needed, we erase it.", "Once the data is no longer needed, we erase it",
         "purpose_bound"),
        # until_event
        ("We keep your playlists until you delete your account.",
         "We keep your playlists until you delete your account", "until_event"),
        ("Your newsletter address is kept until you withdraw your consent.",
         "kept until you withdraw your consent", "until_event"),
        ("We retain your profile as long as your account is active.", "as long as your account is active",
         "until_event"),
        ("Order data is kept while you are an active customer.", "while you are an active customer", "until_event"),
        ("Session cookies are removed when you close the browser.", "removed when you close the browser",
         "until_event"),
        ("Session cookies are stored until the end of the browser session.",
         "stored until the end of the browser session", "until_event"),
        ("Once you close your account, your profile will be erased from our servers.",
         "Once you close your account, your profile will be erased from our servers", "until_event"),
        # legal_obligation
        ("Billing records are retained for the period established by law.",
         "retained for the period established by law", "legal_obligation"),
        ("Some records are kept as required by law.", "kept as required by law", "legal_obligation"),
        ("We may retain certain data to comply with our legal obligations.",
         "We may retain certain data to comply with our legal obligations", "legal_obligation"),
        ("Transaction data is stored as long as required by applicable law.",
         "stored as long as required by applicable law", "legal_obligation"),
        ("Invoices are subject to statutory retention periods.", "statutory retention periods", "legal_obligation"),
        ("We are required to keep invoices for tax and accounting purposes.",
         "We are required to keep invoices for tax and accounting purposes", "legal_obligation"),
        # the span runs to the end of its clause, through lists of purposes and a parenthesis
        ("We retain your messages only for as long as is necessary for the purposes described in this notice.",
         "We retain your messages only for as long as is necessary for the purposes described in this notice",
         "purpose_bound"),
        ("We keep purchase records as necessary to meet our tax duties, settle complaints and enforce our terms of sale.",
         "keep purchase records as necessary to meet our tax duties, settle complaints and enforce our terms of sale",
         "legal_obligation"),
        ("We retain invoices to the extent required to comply with our legal obligations (for instance, the bookkeeping "
         "rules of the country where an invoice is issued), resolve disputes, and enforce our contracts.",
         "We retain invoices to the extent required to comply with our legal obligations (for instance, the bookkeeping "
         "rules of the country where an invoice is issued), resolve disputes, and enforce our contracts",
         "legal_obligation"),
        ("We hold support tickets for as long as needed to answer the request(s) you sent us, settle complaints, "
         "defend claims against us, carry out audits, and meet our tax duties.",
         "We hold support tickets for as long as needed to answer the request(s) you sent us, settle complaints, "
         "defend claims against us, carry out audits, and meet our tax duties", "purpose_bound"),
        ("We may keep some records to detect fraud, resolve billing disputes and enforce our policies.",
         "We may keep some records to detect fraud, resolve billing disputes and enforce our policies", "purpose_bound"),
        ("We do not store or use the recipient's e-mail address for any other purpose.",
         "We do not store or use the recipient's e-mail address for any other purpose", "purpose_bound"),
        ("We erase the recordings as soon as it is reasonable to assume that the purpose of the recording is no "
         "longer served.", "as soon as it is reasonable to assume that the purpose of the recording is no longer served",
         "purpose_bound"),
        # a named duty to keep, with its period when one is stated
        ("There is a statutory obligation for us to keep payroll records.", "obligation for us to keep payroll records",
         "legal_obligation"),
        ("We are required by law to keep invoices for ten years.", "required by law to keep invoices for ten years",
         "stated_period"),
        ("We will preserve chat logs on our servers whenever we are required to do so by law.",
         "We will preserve chat logs on our servers whenever we are required to do so by law", "legal_obligation"),
        # a hyphenated word does not end a gap; a period far from its verb
        ("We store your e-mail address and log-in history for 6 months.",
         "We store your e-mail address and log-in history for 6 months", "stated_period"),
        # indefinite
        ("Aggregated statistics are retained indefinitely.", "retained indefinitely", "indefinite"),
        ("Public forum posts may be stored permanently.", "stored permanently", "indefinite"),
        ("Usage logs are kept for an unlimited period.", "for an unlimited period", "indefinite"),
    ],
)
def test_must_tag(ruler_nlp, text, span, kind):
    assert retention(ruler_nlp, text) == [(span, kind)]


@pytest.mark.parametrize(
    "text",
    [
        "We store your data on secure servers.",
        "We will respond within 30 days.",
        "Cookies help us remember you.",
        "You must be 16 years old to use the service.",
        "If we learn that we have collected data from a child under 13 years of age, we will delete it.",
        "You can delete your account at any time.",
        "You may ask us to delete your data.",
        "We may share your information as required by law.",
        "We process your data in accordance with applicable law.",
        "While we strive to use commercially acceptable means to protect your data, no method is perfect.",
        "Please keep your password confidential.",
        "Please keep in mind that it may take up to four weeks.",
        "Our policy remains in effect until we change it.",
        "We permanently delete your data.",
        "Your data is deleted permanently.",
        "We may access, preserve and disclose your information if we are required to do so by law.",
        "If we are required to do so by law, we will disclose your data.",
        "We store your IP address to administer and analyse the site and report statistics.",
        "The forum operator has no obligation to keep private the posts that members publish.",
    ],
)
def test_must_not_tag(ruler_nlp, text):
    assert retention(ruler_nlp, text) == []


def test_attributes_in_the_pipeline(nlp):
    doc = nlp("IP addresses are retained for 120 days. We keep your playlists until you delete your account.")
    found = [(s.text, s._.kind, s._.duration) for s in doc.spans[SPANS_KEY] if s.label_ == RETENTION]
    assert found == [
        ("retained for 120 days", "stated_period", "P120D"),
        ("We keep your playlists until you delete your account", "until_event", None),
    ]


@pytest.mark.skipif(not SEEDS_GOLD.exists(), reason="../shared/eval/seeds.gold.jsonl is not here")
def test_seed_gold_overlap(ruler_nlp):
    # The seeds gold is exhaustive, so precision counts as much as recall.
    found = true_pos = gold_total = gold_found = 0
    for record in srsly.read_jsonl(SEEDS_GOLD):
        doc = ruler_nlp(record["text"])
        pred = filter_spans([s for s in doc.spans[SPANS_KEY] if s.label_ == RETENTION])
        gold = [(g["start"], g["end"]) for g in record["spans"] if g["label"] == RETENTION]
        found += len(pred)
        true_pos += sum(any(s.start_char < e and b < s.end_char for b, e in gold) for s in pred)
        gold_total += len(gold)
        gold_found += sum(any(s.start_char < e and b < s.end_char for s in pred) for b, e in gold)
    assert gold_total and gold_found / gold_total >= 0.9
    assert found and true_pos / found >= 0.8
