"""The four span labels of labels.md and the attributes each one carries."""
from typing import Dict, Tuple

SPANS_KEY = "policylens"

DATA_TYPE = "DATA_TYPE"
THIRD_PARTY = "THIRD_PARTY"
CONTACT_EMAIL = "CONTACT_EMAIL"
RETENTION = "RETENTION"

LABELS: Tuple[str, ...] = (DATA_TYPE, THIRD_PARTY, CONTACT_EMAIL, RETENTION)

# Attribute names per label, in the order they are written to the output.
ATTRIBUTES: Dict[str, Tuple[str, ...]] = {
    DATA_TYPE: ("category", "sensitive"),
    THIRD_PARTY: ("category", "named", "organization", "service"),
    CONTACT_EMAIL: ("address", "role"),
    RETENTION: ("kind", "duration"),
}

THIRD_PARTY_CATEGORIES: Tuple[str, ...] = (
    "advertising",
    "analytics",
    "payment",
    "hosting_infrastructure",
    "social_media",
    "communications",
    "customer_support",
    "affiliate",
    "service_provider",
    "business_transfer",
    "government",
    "partner",
    "public_or_users",
    "unspecified",
)
EMAIL_ROLES: Tuple[str, ...] = ("privacy", "dpo", "support", "legal", "general", "other")
RETENTION_KINDS: Tuple[str, ...] = (
    "stated_period",
    "purpose_bound",
    "until_event",
    "legal_obligation",
    "indefinite",
)
# OPP-115 "Retention Period" values for each retention kind (labels.md).
OPP115_RETENTION = {
    "stated_period": "Stated Period",
    "purpose_bound": "Limited",
    "until_event": "Limited",
    "legal_obligation": "Limited",
    "indefinite": "Indefinitely",
}
