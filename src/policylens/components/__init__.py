"""spaCy components of the policylens pipeline, one module each.

Importing this package registers every factory, so ``spacy.load`` and
``spacy assemble`` find them even without the package's entry points.
"""
from . import (  # noqa: F401
    contact_emails,
    data_type_attributes,
    fast_ruler,
    lemmatizer,
    retention_attributes,
    sections,
    sentencizer,
    span_resolver,
    third_party_attributes,
)
