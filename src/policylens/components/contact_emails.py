"""CONTACT_EMAIL spans: plain, obfuscated and mailto addresses, with their role.

Detection walks the tokens once and never runs a regular expression over the
whole text, so it stays linear on hostile input (megabytes of "a@a.a.a...").
- plain: one token with a single "@" ("privacy@example.com");
- obfuscated: "@" or "." written as words, bracketed or not, in one token
  ("privacy(at)example.com") or across tokens ("privacy [at] example [dot] com",
  "privacy AT example DOT com"); an unbracketed "at" counts only together with
  a "dot" word, so "write to us at example.com" is not an address;
- mailto: any of these right after a "mailto:" scheme (the span excludes the scheme).
"""
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import numpy
import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from ..extensions import set_attrs
from ..labels import CONTACT_EMAIL, SPANS_KEY
from .batch_pipe import BatchPipe
from .doc_arrays import tokens_text
from .token_types import TypeValues

LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-'")
LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
OPEN, CLOSE = frozenset("[({<"), frozenset("])}>")
# "(at)", "[ at ]", "{dot}" inside one token; the word list is tiny, the input bounded by the token.
IN_TOKEN_MARKER = re.compile(r"\s?[\[\(\{<]\s?(at|dot)\s?[\]\)\}>]\s?", re.IGNORECASE)
MAX_DOMAIN_LABELS = 8
# What a token's text makes it for ``find`` (bits): an address may start at the token; the
# token is the word "at", the word "dot", an opening bracket, a closing bracket.
_MAY_START, _AT, _DOT, _OPEN, _CLOSE = 1, 2, 4, 8, 16


def normalise_address(address: str) -> Optional[str]:
    """Check an address and normalise it: domain lower-cased, local part as written.

    address (str): A candidate such as "Privacy@Example.COM".
    RETURNS (Optional[str]): "Privacy@example.com", or None when it is not an address.
    """
    if address.count("@") != 1:
        return None
    local, domain = address.split("@")
    local = local.strip(".")
    if not local or len(local) > 64 or not set(local) <= LOCAL_CHARS:
        return None
    labels = domain.lower().split(".")
    if len(labels) < 2 or len(labels) > MAX_DOMAIN_LABELS + 1:
        return None
    for label in labels:
        if not label or len(label) > 63 or not set(label) <= LABEL_CHARS or label[0] == "-":
            return None
    if not labels[-1].isalpha() or len(labels[-1]) < 2:
        return None
    return f"{local}@{'.'.join(labels)}"


def _deobfuscate_token(text: str) -> Optional[str]:
    """An in-token obfuscated address ("a(at)b(dot)com") in plain form, else None."""
    if "(" not in text and "[" not in text and "{" not in text and "<" not in text:
        return None
    plain = IN_TOKEN_MARKER.sub(lambda m: "@" if m.group(1).lower() == "at" else ".", text)
    return plain if plain != text else None


class ContactEmails(BatchPipe):
    """Find email addresses and give each its normalised address and role."""

    def __init__(
        self,
        nlp: Language,
        name: str = "contact_emails",
        *,
        spans_key: str = SPANS_KEY,
        designation_window: int = 12,
    ):
        """Create the component.

        nlp (Language): The pipeline.
        name (str): The component name.
        spans_key (str): The span group the spans are added to.
        designation_window (int): How many tokens before an address are searched for an
            explicit designation ("our Data Protection Officer: ...").
        """
        self.name = name
        self.spans_key = spans_key
        self.designation_window = designation_window
        self.roles: Dict[str, Dict[str, List[str]]] = {}

    def initialize(self, get_examples=None, *, nlp=None, roles: Optional[dict] = None) -> None:
        """Load the role words (``patterns/email_roles.json``).

        roles (Optional[dict]): ``{"designations", "local_parts", "context"}``, each a mapping
            from role to words or phrases.
        """
        self.roles = {key: dict((roles or {}).get(key, {})) for key in ("designations", "local_parts", "context")}

    def __call__(self, doc: Doc) -> Doc:
        """Add CONTACT_EMAIL spans to ``doc.spans[spans_key]``.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        found = list(self.find(doc))
        spans = []
        for index, (start, end, address, kind) in enumerate(found):
            span = Span(doc, start, end, label=CONTACT_EMAIL, span_id=f"email/{kind}")
            spans.append(span)
            prev_end = found[index - 1][1] if index else 0
            next_start = found[index + 1][0] if index + 1 < len(found) else len(doc)
            set_attrs(span, address=address, role=self.role(doc, start, end, address, prev_end, next_start))
        if spans:
            # Extending the group keeps its spans as they are: listing it would make a Span
            # object per span and assigning the list would copy each back.
            if self.spans_key in doc.spans:
                doc.spans[self.spans_key].extend(spans)
            else:
                doc.spans[self.spans_key] = spans
        return doc

    def find(self, doc: Doc, work: Optional[Dict[str, int]] = None) -> Iterable[Tuple[int, int, str, str]]:
        """Yield (token start, token end, normalised address, kind) for each address.

        doc (Doc): The document.
        work (Optional[Dict[str, int]]): When given, counts what was examined: "candidates"
            (tokens looked at) and "chars" (characters of the tokens around each candidate that
            were scanned, one token beyond each end included), a deterministic measure of work.
        YIELDS (Tuple[int, int, str, str]): kind is "plain", "obfuscated" or "mailto".
        """
        after = 0  # tokens before this belong to an address already found
        for i in _candidates(doc):
            if i < after:
                continue
            text = doc[i].text
            match = None
            scanned = (i, i + 1)
            if "@" in text:
                start, end, scanned = self._address_bounds(doc, i)
                address = normalise_address(doc[start:end].text)
                match = (start, end, address, "plain") if address else None
            elif text[:1].isalnum():
                plain = _deobfuscate_token(text)
                if plain and normalise_address(plain):
                    match = (i, i + 1, normalise_address(plain), "obfuscated")
                else:
                    match, scanned = self._multi_token(doc, i, after)
            if work is not None:
                low, high = max(0, scanned[0] - 1), min(len(doc), scanned[1] + 1)
                work["candidates"] = work.get("candidates", 0) + 1
                work["chars"] = work.get("chars", 0) + doc[high - 1].idx + len(doc[high - 1]) - doc[low].idx
            if match is None:
                continue
            start, end, address, kind = match
            if self._after_mailto(doc, start):
                kind = "mailto"
            yield start, end, address, kind
            after = end

    @staticmethod
    def _address_bounds(doc: Doc, i: int) -> Tuple[int, int, Tuple[int, int]]:
        """Token bounds of the address around the "@" token i, and the tokens looked at.

        The tokenizer splits some addresses: at hyphens ("info@quick", "-", "gdpr.co.uk") and
        before an upper-case TLD ("a@b", ".", "COM"). Glued neighbours (no space between)
        made of address characters belong to the address; trailing "." and "-" do not.
        RETURNS (Tuple[int, int, Tuple[int, int]]): start, end, and the glued run scanned.
        """
        start, end = i, i + 1
        while start > 0 and doc[start - 1].whitespace_ == "" and set(doc[start - 1].text) <= LOCAL_CHARS:
            start -= 1
        while end < len(doc) and doc[end - 1].whitespace_ == "" and set(doc[end].text) <= LABEL_CHARS | {"."}:
            end += 1
        scanned = (start, end)
        while end > i + 1 and not doc[end - 1].text.strip(".-"):
            end -= 1
        while start < i and doc[start].text in (".", "-", "'"):
            start += 1
        return start, end, scanned

    @staticmethod
    def _after_mailto(doc: Doc, start: int) -> bool:
        """Whether the two tokens before token ``start`` end in "mailto:" (spaces left out)."""
        # ``tokens_text`` is ``doc[a:b].text`` as a slice of the source: no Token objects.
        before = tokens_text(doc, max(0, start - 2), start, False).replace(" ", "").lower()
        return before.endswith("mailto:")

    @staticmethod
    def _marker(doc: Doc, i: int, word: str) -> Tuple[int, bool]:
        """Length in tokens of an "at"/"dot" marker at token i, and whether it is bracketed."""
        if i < len(doc) and doc[i].lower_ == word:
            return 1, False
        if i + 2 < len(doc) and doc[i].text in OPEN and doc[i + 1].lower_ == word and doc[i + 2].text in CLOSE:
            return 3, True
        return 0, False

    def _multi_token(
        self, doc: Doc, i: int, floor: int = 0
    ) -> Tuple[Optional[Tuple[int, int, str, str]], Tuple[int, int]]:
        """An address written across tokens whose local part ends with token i, else None.

        The tokenizer splits some words in two ("0g" -> "0", "g": a number and a unit), so
        glued tokens (no space between) of address characters join the local part (back to
        ``floor``, the end of the previous address) and each domain label.
        RETURNS (Tuple[Optional[Tuple[int, int, str, str]], Tuple[int, int]]): The match, and
            the tokens looked at.
        """
        if not set(doc[i].text) <= LOCAL_CHARS:
            return None, (i, i + 1)
        at_len, at_bracketed = self._marker(doc, i + 1, "at")
        if not at_len:
            return None, (i, i + 2)
        start = i
        while start > floor and doc[start - 1].whitespace_ == "" and set(doc[start - 1].text) <= LOCAL_CHARS:
            start -= 1
        scan_start = start
        while start < i and doc[start].text in (".", "-", "'"):
            start += 1
        j = i + 1 + at_len
        labels: List[str] = []
        end = j
        saw_dot_word = False
        while j < len(doc) and len(labels) < MAX_DOMAIN_LABELS:
            if not set(doc[j].text) <= LABEL_CHARS | {"."}:
                break
            label = [doc[j].text]
            j += 1
            while j < len(doc) and doc[j - 1].whitespace_ == "" and set(doc[j].text) <= LABEL_CHARS:
                label.append(doc[j].text)
                j += 1
            labels.append("".join(label))
            end = j
            dot_len, _ = self._marker(doc, j, "dot")
            if not dot_len:
                break
            saw_dot_word = True
            j += dot_len
        scanned = (scan_start, min(len(doc), j + 3))
        # A bare "at" is ordinary English unless a "dot" word shows the writer is spelling an address.
        if not labels or not (at_bracketed or saw_dot_word):
            return None, scanned
        address = normalise_address(doc[start:i + 1].text + "@" + ".".join(labels))
        return ((start, end, address, "obfuscated") if address else None), scanned

    def role(self, doc: Doc, start: int, end: int, address: str, prev_end: int, next_start: int) -> str:
        """Decide the role of the address at tokens [start, end).

        An explicit designation just before the address decides first ("our Data Protection
        Officer"), then a role word in the local part ("privacy@", "support@"), then the words of
        the sentence around the address; otherwise "other".
        RETURNS (str): One of labels.EMAIL_ROLES.
        """
        # The texts below are ``doc[a:b].text`` read as slices of the source text
        # (``tokens_text``): a Span's text makes a Token object per word.
        before = tokens_text(doc, max(prev_end, start - self.designation_window), start, False).lower()
        for role, phrases in self.roles.get("designations", {}).items():
            if any(_contains_phrase(before, phrase) for phrase in phrases):
                return role
        local_words = re.split(r"[._+\-]", address.split("@")[0].lower())
        local_joined = "".join(local_words)
        for role, words, joined in self._local_parts():
            # A role word among the local part's words, or the whole local part written without
            # its hyphen ("data-protection" for "dataprotection@").
            if not words.isdisjoint(local_words) or local_joined in joined:
                return role
        sent = doc[start].sent if doc.has_annotation("SENT_START") else doc[:]
        context = tokens_text(doc, max(sent.start, prev_end), min(sent.end, next_start), False).lower()
        for role, phrases in self.roles.get("context", {}).items():
            if any(_contains_phrase(context, phrase) for phrase in phrases):
                return role
        return "other"

    def _local_parts(self) -> List[Tuple[str, frozenset, frozenset]]:
        """The ``local_parts`` role words as sets, in the roles' order: (role, words, words
        without hyphens), made again when the roles are replaced (``initialize``, loading).
        """
        local_parts = self.roles.get("local_parts", {})
        kept = getattr(self, "_local_sets", None)
        if kept is None or kept[0] is not local_parts:
            sets = [
                (role, frozenset(words), frozenset(word.replace("-", "") for word in words))
                for role, words in local_parts.items()
            ]
            kept = self._local_sets = (local_parts, sets)  # one assignment: threads see both or neither
        return kept[1]

    def to_disk(self, path, *, exclude=tuple()) -> None:
        """Save the role words to ``path/roles.json``."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "roles.json", self.roles)

    def from_disk(self, path, *, exclude=tuple()) -> "ContactEmails":
        """Load the role words from ``path/roles.json``."""
        self.roles = srsly.read_json(Path(path) / "roles.json")
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        """Serialise the role words."""
        return srsly.msgpack_dumps(self.roles)

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "ContactEmails":
        """Load the role words from bytes."""
        self.roles = srsly.msgpack_loads(data)
        return self


def _candidates(doc: Doc) -> List[int]:
    """The tokens where an address can start, in order, found without a Python step per token.

    ``find`` can only match at a token with "@" in it (plain), a token that is a whole in-token
    obfuscated address ("a(at)b.com"), or a token followed by an "at" marker, for obfuscated
    addresses across tokens: a bracketed one ("a [at] b", a lone opening bracket, "at", a lone
    closing bracket) or a bare "at" with a "dot" word somewhere after it (``_multi_token`` takes
    a bare "at" only when a "dot" marker follows the domain). Every other token would be passed
    over by ``find`` anyway, so leaving them out changes nothing. What a token can be follows
    from its text, decided once per distinct text (``token_types``).

    doc (Doc): The document.
    RETURNS (List[int]): Sorted token indices.
    """
    if not len(doc):
        return []
    return candidates_of_codes(_TOKEN_CODES(doc))


def candidates_of_codes(codes: numpy.ndarray) -> List[int]:
    """``_candidates`` from the tokens' codes (``_token_codes``): token i is a candidate when it
    may start an address, when tokens i + 1, i + 2 and i + 3 are an opening bracket, "at" and a
    closing bracket, or when token i + 1 is "at" and a "dot" word comes after token i + 2.

    Only the few tokens that may start an address or are "at" are looked at, one by one: a
    handful of array operations per Doc instead of a dozen over every token (most Docs are
    short, where each array operation costs more than its tokens).

    codes (numpy.ndarray): One code per token (``_MAY_START``, ``_AT``... bits).
    RETURNS (List[int]): Sorted token indices.
    """
    n = len(codes)
    marked = numpy.flatnonzero(codes & (_MAY_START | _AT))
    if not len(marked):  # no "@", no in-token address, no "at": nothing to look at
        return []
    marked_codes = codes[marked].tolist()
    marked = marked.tolist()
    last_dot = -1
    if any(code & _AT for code in marked_codes):
        dots = numpy.flatnonzero(codes & _DOT)
        if len(dots):
            last_dot = int(dots[-1])
    found = []
    for at, code in zip(marked, marked_codes):
        if code & _MAY_START:
            found.append(at)
        if code & _AT:
            # "at" at token i + 2 between brackets at i + 1 and i + 3.
            if 2 <= at < n - 1 and codes[at - 1] & _OPEN and codes[at + 1] & _CLOSE:
                found.append(at - 2)
            # A bare "at" at token i + 1, a "dot" word after token i + 2.
            if 1 <= at < last_dot - 1:
                found.append(at - 1)
    return sorted(set(found))


def _token_codes(doc: Doc, orths: List[int]) -> List[int]:
    """What tokens with these texts can be for ``find`` (``_MAY_START``, ``_AT``... bits).

    doc (Doc): A Doc with tokens of these texts.
    orths (List[int]): ORTH hashes.
    RETURNS (List[int]): One code per text.
    """
    vocab = doc.vocab
    codes = []
    for orth in orths:
        text = vocab.strings[orth]
        code = 0
        if "@" in text:
            code |= _MAY_START
        elif text[:1].isalnum():
            plain = _deobfuscate_token(text)
            if plain and normalise_address(plain):
                code |= _MAY_START
        lower = vocab[orth].lower_  # as ``_marker`` reads it, the token's lower_
        if lower == "at":
            code |= _AT
        elif lower == "dot":
            code |= _DOT
        if text in OPEN:
            code |= _OPEN
        elif text in CLOSE:
            code |= _CLOSE
        codes.append(code)
    return codes


_TOKEN_CODES = TypeValues(_token_codes, "int8", -1)


def _contains_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words."""
    index = text.find(phrase)
    while index != -1:
        before_ok = index == 0 or not text[index - 1].isalnum()
        after = index + len(phrase)
        if before_ok and (after == len(text) or not text[after].isalnum()):
            return True
        index = text.find(phrase, index + 1)
    return False


@Language.factory(
    "contact_emails",
    assigns=["doc.spans"],
    default_config={"spans_key": SPANS_KEY, "designation_window": 12},
)
def make_contact_emails(nlp: Language, name: str, spans_key: str, designation_window: int) -> ContactEmails:
    """Create the contact-email component (see ContactEmails)."""
    return ContactEmails(nlp, name, spans_key=spans_key, designation_window=designation_window)
