"""Hand-written annotated records for the export, review and HTML tests (no pipeline needed)."""
import policylens
from policylens.io import record_to_doc

POLICY = (
    "We collect your email address and phone number. We share them with Google Analytics and "
    "advertising partners. We keep logs for 30 days. Contact privacy@example.com."
)
OTHER = "We may share data with law enforcement."
HOSTILE = (
    'Write to <script>document.body.setAttribute("data-pwned", "1")</script> or '
    '"><img src=x onerror="document.body.setAttribute(\'data-pwned\', \'2\')"> at dpo@example.org.\n'
    "Tom & Jerry's records <b>here</b>."
)


def span(text: str, phrase: str, label: str, rule: str = "", **attrs) -> dict:
    """An annotated span over the first occurrence of ``phrase``."""
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "label": label, "text": phrase, "id": rule, "attrs": attrs}


def sents(text: str) -> list:
    """Sentence offsets: each sentence ends after ". " (enough for these texts)."""
    bounds, start = [], 0
    while True:
        end = text.find(". ", start)
        if end == -1:
            return bounds + [[start, len(text)]]
        bounds.append([start, end + 1])
        start = end + 2


# What the pipeline predicted. "phone number" has the wrong label (THIRD_PARTY); "advertising
# partners" is a span the reviewer will delete; "logs" is one the pipeline missed.
PRED = {
    "text": POLICY,
    "meta": {"id": "policy-1", "source_path": "policies/one.txt"},
    "sents": sents(POLICY),
    "spans": [
        span(POLICY, "email address", "DATA_TYPE", "contact.email_address/email-address",
             category="contact.email_address", sensitive=False),
        span(POLICY, "phone number", "THIRD_PARTY", "generic.third_parties/oops",
             category="unspecified", named=False, organization=None, service=None),
        span(POLICY, "Google Analytics", "THIRD_PARTY", "google_analytics/google-analytics",
             category="analytics", named=True, organization="Google", service="Google Analytics"),
        span(POLICY, "advertising partners", "THIRD_PARTY", "generic.advertising/advertising-partners",
             category="advertising", named=False, organization=None, service=None),
        span(POLICY, "keep logs for 30 days", "RETENTION", "stated_period/keep-for-n-units",
             kind="stated_period", duration="P30D"),
        span(POLICY, "privacy@example.com", "CONTACT_EMAIL", "email/plain",
             address="privacy@example.com", role="privacy"),
    ],
}
PRED_OTHER = {
    "text": OTHER,
    "meta": {"id": "policy-2"},
    "sents": sents(OTHER),
    "spans": [
        span(OTHER, "data", "DATA_TYPE", "generic.personal_information/data",
             category="generic.personal_information", sensitive=False),
        span(OTHER, "law enforcement", "THIRD_PARTY", "generic.government/law-enforcement",
             category="government", named=False, organization=None, service=None),
    ],
}
PRED_HOSTILE = {
    "text": HOSTILE,
    "meta": {"id": '"><script>document.body.setAttribute("data-pwned", "3")</script>'},
    "sents": sents(HOSTILE),
    "spans": [
        span(HOSTILE, "script", "THIRD_PARTY", '"><img src=x onerror=alert(1)>',
             category="unspecified", named=False, organization=None, service=None),
        span(HOSTILE, "img", "DATA_TYPE", "x/y", category="</title><script>alert(2)</script>", sensitive=False),
        span(HOSTILE, "dpo@example.org", "CONTACT_EMAIL", "email/plain",
             address='"><img src=x onerror=alert(3)>', role="dpo"),
        span(HOSTILE, "records", "DATA_TYPE", "generic/records", category="generic.personal_information", sensitive=False),
    ],
}


def make_docs(*records):
    """Docs of annotated records, read with the policylens tokenizer."""
    nlp = policylens.blank()
    return [record_to_doc(record, nlp) for record in records]
