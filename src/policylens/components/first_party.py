"""Find the policy's own company (the first party) in its text, so that it is not tagged as a third party.

labels.md: the first party is not a THIRD_PARTY. Policies name themselves in a few set ways,
and one pass over the document finds them:
- a definition: ``Acme Inc. ("Acme", "we", "us")``, ``... and its affiliates (collectively,
  "Acme")``; the name before the parenthesis and the quoted aliases are first-party names, and
  everything between the sentence start and the parenthesis is part of the defined party;
- the title: ``Acme Privacy Policy``, ``Privacy Notice | Acme``, ``Privacy Policy of Acme``;
- introductions near the top: ``Welcome to Acme``, ``operated by Acme``, ``Acme is committed
  to``, ``At Acme, we``.
Names are compared as tuples of normalised words (lower case, corporate suffixes and web
domains' endings dropped), so "Amazon", "Amazon.com" and "Amazon.com, Inc." are one name.
The cue words are data (``patterns/context_rules.json``, key ``first_party``).
"""
import re
from typing import Dict, Iterable, List, Sequence, Set, Tuple

from spacy.tokens import Doc, Span

Words = Tuple[str, ...]
QUOTES = "\"'“”‘’«»"
WORD_RE = re.compile(r"[a-z0-9]+")
# A run of name-like words: capitalised or digit-bearing words, with inner connectors.
NAME_WORD = r"(?:[A-Z0-9][\w.'&-]*[\w]|[A-Z])"
NAME = rf"{NAME_WORD}(?:(?:\s+|,\s*|\s*&\s*|\s+(?:of|and|for|de)\s+){NAME_WORD}){{0,5}}"


class FirstParty:
    """The first-party cues of ``context_rules.json`` compiled for one-pass detection."""

    def __init__(self, rules: dict):
        """rules (dict): ``{"suffixes", "stopwords", "title_phrases", "intro_before", "intro_after",
        "intro_chars", "group_nouns"}``; missing keys turn that cue off."""
        self.suffixes = frozenset(rules.get("suffixes", []))
        self.stopwords = frozenset(w.lower() for w in rules.get("stopwords", []))
        self.intro_chars = int(rules.get("intro_chars", 2000))
        self.group_nouns = [tuple(p.split()) for p in rules.get("group_nouns", [])]
        titles = "|".join(re.escape(p) for p in rules.get("title_phrases", [])) or "(?!x)x"
        self.title_re = re.compile(rf"\b(?:{titles})\b", re.I)
        before = "|".join(re.escape(p) for p in rules.get("intro_before", [])) or "(?!x)x"
        after = "|".join(re.escape(p) for p in rules.get("intro_after", [])) or "(?!x)x"
        # "Acme is committed to": the name ends right before the cue.
        self.before_re = re.compile(rf"(?:^|[.!?\n:]\s*|\b(?:the|The)\s+)({NAME})\s+(?:{before})\b")
        # "Welcome to Acme": the name starts right after the cue (case-insensitive cue only).
        self.after_re = re.compile(rf"(?i:\b(?:{after}))\s+(?:the\s+)?({NAME})")
        # ("Acme", "we", "us") or (collectively, "Acme"): the parenthesis that defines a party.
        self.definition_re = re.compile(
            rf"\(([^()]{{0,160}}?[{QUOTES}](?:we|us|our),?[{QUOTES}][^()]{{0,80}}"
            rf"|\s*(?:hereby|hereinafter|hereafter)?,?\s*referred\s+to\s+as\s*[{QUOTES}][^()]{{0,80}}"
            rf"|\s*(collectively|together)\b[^()]{{0,160}}?)\)",
            re.I,
        )
        suffixes = "|".join(re.escape(w) for w in sorted(self.suffixes, key=len, reverse=True) if len(w) > 2)
        # A (collectively, "...") definition names a company only after a corporate suffix.
        self.suffix_re = re.compile(rf"\b(?:{suffixes or '(?!x)x'})\b", re.I)

    def words(self, text: str) -> Words:
        """The normalised words of a name.

        text (str): "Amazon.com, Inc." or a span's text.
        RETURNS (Words): ("amazon",); an empty tuple when only stop or suffix words are left.
        """
        text = re.sub(r"\.(?:com|net|org|io|co|gov|edu|info|biz|app|ru|de|uk|in)\b", " ", text.lower())
        text = re.sub(r"^(?:https?://)?(?:www\.)", "", text.strip())
        out = [w for w in WORD_RE.findall(text) if w not in self.suffixes]
        # Headings and dates around a name ("Privacy Policy Agreement Valve", "May 1, 2015 Acme",
        # "Acme Websites") are not part of it.
        while out and (out[0] in self.stopwords or out[0].isdigit()):
            out.pop(0)
        while out and (out[-1] in self.stopwords or out[-1].isdigit()):
            out.pop()
        return tuple(out)

    def _add(self, names: Set[Words], text: str, alias: bool = False) -> None:
        """Add a name, or each part of "A and B"; an alias defined for the party ("Service
        Provider") is kept whole, common words included."""
        for part in re.split(r"\s+and\s+|\s*/\s*", text):
            if alias:
                words = tuple(w for w in WORD_RE.findall(part.lower()) if w not in ("the", "a", "an"))
                if words in ((), ("we",), ("us",), ("our",), ("you",), ("your",), ("user",), ("users",)):
                    continue
            else:
                words = self.words(part)
            if words and len(words) <= 6:
                names.add(words)

    def detect(self, doc: Doc) -> Tuple[Set[Words], List[Tuple[int, int]]]:
        """Find the first party's names and the stretches that define it.

        doc (Doc): A sentence-split document.
        RETURNS (Tuple[Set[Words], List[Tuple[int, int]]]): the names as word tuples, and
            (start, end) token ranges from a defining sentence's start to its definition.
        """
        text = doc.text
        names: Set[Words] = set()
        regions: List[Tuple[int, int]] = []
        for match in self.definition_re.finditer(text):
            inside = match.group(1)
            before = text[max(0, match.start() - 160) : match.start()]
            if match.group(2) and not self.suffix_re.search(before):
                continue
            for alias in re.findall(rf"[{QUOTES}]([^{QUOTES}]{{2,40}})[{QUOTES}]", inside):
                # Aliases are names: capitalised, short ("Acme", "ACME Group"), not "we" or "Policy".
                if alias[:1].isupper() or alias[:1].isdigit():
                    if len(alias.split()) <= 4:
                        self._add(names, alias, alias=True)
            name = re.search(rf"({NAME})[\s,]*$", before)
            if name:
                self._add(names, name.group(1))
            token = doc.char_span(match.start(), match.start() + 1, alignment_mode="expand")
            if token is not None:
                paren = token.start
                sent_start = token.sent.start if doc.has_annotation("SENT_START") else 0
                regions.append((max(sent_start, paren - 25), paren))
        head = text[: self.intro_chars]
        for line in [l for l in head.splitlines() if l.strip()][:4]:
            if len(line.split()) <= 10 and self.title_re.search(line):
                rest = self.title_re.sub(" ", line)
                rest = re.split(r"\b(?:last|effective|updated|revised|posted|version|this|the following)\b", rest, flags=re.I)[0]
                rest = re.sub(r"[#*|:–—>_=\[\]()-]+", " ", rest)
                rest = re.sub(r"^\s*(?:of|for|the)\s+|\s+(?:of|for)\s*$", " ", rest.strip(), flags=re.I)
                if rest.strip() and len(rest.split()) <= 6 and any(c.isupper() for c in rest):
                    self._add(names, rest)
        for regex in (self.before_re, self.after_re):
            for match in regex.finditer(head):
                self._add(names, match.group(1))
        return names, regions

    def mentions(self, doc: Doc, names: Iterable[Words]) -> List[Tuple[int, int]]:
        """Token ranges where a first-party name is written (one token or several).

        doc (Doc): The document.
        names (Iterable[Words]): First-party names.
        RETURNS (List[Tuple[int, int]]): (start, end) token offsets.
        """
        keys = {"".join(n) for n in names}
        if not keys:
            return []
        initials = {k[0] for k in keys}
        found = []
        for i in range(len(doc)):
            # Most tokens cannot start a name: a first-letter test skips them cheaply.
            if doc[i].lower_[:1] not in initials:
                continue
            joined, longest = "", 0
            for j in range(i, min(i + 6, len(doc))):
                joined += "".join(WORD_RE.findall(self._strip_domain(doc[j].lower_)))
                if not joined or not any(k.startswith(joined) for k in keys):
                    break
                if joined in keys:
                    longest = j + 1  # "Bitrix 24" over "Bitrix" where both are names
            if longest:
                found.append((i, longest))
        return found

    @staticmethod
    def _strip_domain(lower: str) -> str:
        return re.sub(r"\.(?:com|net|org|io|co|gov|edu|info|biz|app|ru|de|uk|in)$", "", lower)

    def group_spans(self, doc: Doc, mentions: Sequence[Tuple[int, int]], label: str, span_id: str) -> List[Span]:
        """Spans for the first party's group ("Acme entities", "the Acme family of companies").

        doc (Doc): The document.
        mentions (Sequence[Tuple[int, int]]): Token ranges of first-party names.
        label (str): The label to give (THIRD_PARTY).
        span_id (str): The rule id to give.
        RETURNS (List[Span]): One span per name followed by a group noun.
        """
        spans = []
        for start, end in mentions:
            after = end + 1 if end < len(doc) and doc[end].lower_ in ("'s", "’s") else end
            words = tuple(t.lower_ for t in doc[after : after + 4])
            for noun in self.group_nouns:
                if words[: len(noun)] == noun:
                    spans.append(Span(doc, start, after + len(noun), label=label, span_id=span_id))
                    break
        return spans


def raw_words(text: str) -> Words:
    """The lower-cased words of a text without articles, common words kept ("Service Provider").

    text (str): A span's text.
    RETURNS (Words): ("service", "provider").
    """
    return tuple(w for w in WORD_RE.findall(text.lower()) if w not in ("the", "a", "an"))


def names_first_party(span_words: Words, organization: Words, names: Set[Words], raw: Words = ()) -> bool:
    """Whether a THIRD_PARTY span names the first party.

    span_words (Words): The span's normalised words.
    organization (Words): The normalised owner of the catalogue entry that matched (or ()).
    names (Set[Words]): The first party's names.
    RETURNS (bool): True when the span is a first-party name, a shorter form of one ("Chase
        Paymentech" for "Chase Paymentech Solutions"), written without spaces differently
        ("Bitrix 24"/"Bitrix24"), or a service the first party itself owns.
    raw (Words): The span's words with common words kept, for aliases such as "Service Provider".
    """
    if raw and raw in names:
        return True
    if not span_words:
        return False
    joined = "".join(span_words)
    for name in names:
        if span_words == name[: len(span_words)] or joined == "".join(name) or organization == name:
            return True
    return False
