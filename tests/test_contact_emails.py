"""CONTACT_EMAIL: plain, obfuscated and mailto addresses, normalised, with their role."""
import pytest

from policylens.components.contact_emails import normalise_address


def emails(nlp, text):
    doc = nlp(text)
    return [
        (s.text, s.id_, s._.address, s._.role) for s in doc.spans["policylens"] if s.label_ == "CONTACT_EMAIL"
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Send questions to privacy@northwind.example.", [("privacy@northwind.example", "email/plain", "privacy@northwind.example", "privacy")]),
        ("Write to Help@Northwind.EXAMPLE.COM today.", [("Help@Northwind.EXAMPLE.COM", "email/plain", "Help@northwind.example.com", "support")]),
        ("Our Data Protection Officer is reachable at info@quokka.example.org.", [("info@quokka.example.org", "email/plain", "info@quokka.example.org", "dpo")]),
        ("Reach legal [at] quokka [dot] com for notices.", [("legal [at] quokka [dot] com", "email/obfuscated", "legal@quokka.com", "legal")]),
        ("Contact: hello(at)quokka.io", [("hello(at)quokka.io", "email/obfuscated", "hello@quokka.io", "general")]),
        ("Mail jo AT quokka DOT co DOT uk about your personal data.", [("jo AT quokka DOT co DOT uk", "email/obfuscated", "jo@quokka.co.uk", "privacy")]),
        ("[dpo@quokka.eu](mailto:dpo@quokka.eu)", [("dpo@quokka.eu", "email/plain", "dpo@quokka.eu", "dpo"), ("dpo@quokka.eu", "email/mailto", "dpo@quokka.eu", "dpo")]),
        ("Write to us (mailto:unsubscribe@quokka.eu).", [("unsubscribe@quokka.eu", "email/mailto", "unsubscribe@quokka.eu", "other")]),
    ],
)
def test_addresses_found_with_attributes(nlp, text, expected):
    assert emails(nlp, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Write to us at example.com or visit our office at noon.",
        "Follow @quokka on social media.",
        "The file name was report@2024 final.",
        "Prices start at 5.99 per month.",
    ],
)
def test_not_addresses(nlp, text):
    assert emails(nlp, text) == []


def test_normalise_address():
    assert normalise_address("A.B@Example.COM") == "A.B@example.com"
    assert normalise_address("a@b") is None
    assert normalise_address("a@@b.com") is None
    assert normalise_address("a@b.c0m") is None


def test_hostile_input_is_linear(nlp):
    # A long run of almost-addresses must neither hang nor produce garbage spans.
    doc = nlp("a@a." * 20000 + " x [at] [dot] (at) " * 2000)
    assert all(s.label_ != "CONTACT_EMAIL" or "@" in s._.address for s in doc.spans["policylens"])


@pytest.mark.parametrize(
    "address, role",
    [
        ("eu-rep@example.com", "dpo"),  # no role word among "eu", "rep": the joined "eurep" is one
        ("uk.rep@example.com", "dpo"),
        ("data.protection@example.com", "privacy"),  # "data-protection" without its hyphen
        ("help.desk@example.com", "support"),  # a role word among the local part's words
        ("x.y@example.com", "other"),
    ],
)
def test_role_from_the_local_part(nlp, address, role):
    doc = nlp(f"Mail {address} today.")
    assert [(s.text, s._.role) for s in doc.spans["policylens"] if s.label_ == "CONTACT_EMAIL"] == [(address, role)]
