"""Span attributes of labels.md as spaCy extensions (``span._.category`` and so on).

spaCy keys a span extension's value on the span's character offsets only, so a
DATA_TYPE and a THIRD_PARTY span over the same words would share one
``category``. Here every attribute lives in one JSON-safe dict per span in
``doc.user_data``, keyed on (label, start, end); the extensions read and write it.
``doc.user_data`` travels with ``Doc.to_bytes``, so values survive
``nlp.pipe(n_process>1)`` and ``DocBin(store_user_data=True)``.

``doc._.sections`` holds the sections the ``policylens_sections`` component found: a list of
``{"start_char", "end_char", "heading", "kind"}`` dicts (JSON-safe, also in ``doc.user_data``),
None when that component has not run.
"""
from typing import Any, Dict

from spacy.tokens import Doc, Span

from .labels import ATTRIBUTES

USER_DATA_KEY = "policylens.attrs"
ATTRIBUTE_NAMES = tuple(dict.fromkeys(a for names in ATTRIBUTES.values() for a in names))


def _key(span: Span):
    return (USER_DATA_KEY, span.label_, span.start_char, span.end_char)


def get_attrs(span: Span) -> Dict[str, Any]:
    """Return the attributes of a span (an empty dict when none were set).

    span (Span): A span of the policylens span group.
    RETURNS (Dict[str, Any]): Attribute name to JSON-safe value; do not mutate.
    """
    return span.doc.user_data.get(_key(span), {})


def set_attrs(span: Span, **values: Any) -> None:
    """Set attributes of a span, keeping those already set.

    span (Span): The span to annotate.
    values: Attribute values; each must be str, int, float, bool or None.
    """
    set_attrs_at(span.doc, span.label_, span.start_char, span.end_char, values)


def set_attrs_at(doc: Doc, label: str, start_char: int, end_char: int, values: Dict[str, Any]) -> None:
    """``set_attrs`` for a span known by its label and offsets (no Span object needed).

    doc (Doc): The span's document.
    label (str): The span's label.
    start_char (int): The span's first character.
    end_char (int): The character after the span.
    values (Dict[str, Any]): Attribute values (JSON-safe); those already set and not in
        ``values`` are kept.
    """
    key = (USER_DATA_KEY, label, start_char, end_char)
    current = doc.user_data.get(key)
    # A dict of its own per span, the attributes already set first (as set_attrs does).
    doc.user_data[key] = {**current, **values} if current else dict(values)


def _make_getter(name: str):
    return lambda span: get_attrs(span).get(name)


def _make_setter(name: str):
    return lambda span, value: set_attrs(span, **{name: value})


def register() -> None:
    """Register ``Span._.attrs``, one extension per attribute name and ``Doc._.sections``, once."""
    if not Span.has_extension("attrs"):
        Span.set_extension("attrs", getter=get_attrs)
    for name in ATTRIBUTE_NAMES:
        if not Span.has_extension(name):
            Span.set_extension(name, getter=_make_getter(name), setter=_make_setter(name))
    if not Doc.has_extension("sections"):
        Doc.set_extension("sections", default=None)


register()
