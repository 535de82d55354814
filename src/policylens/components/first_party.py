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
import bisect
import re
from typing import Dict, Iterable, Iterator, List, Match, Optional, Pattern, Sequence, Set, Tuple

import numpy
from spacy.attrs import ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from .doc_arrays import text_array
from .doc_context import DocContext

Words = Tuple[str, ...]
QUOTES = "\"'“”‘’«»"
WORD_RE = re.compile(r"[a-z0-9]+")
DOMAIN_END_RE = re.compile(r"\.(?:com|net|org|io|co|gov|edu|info|biz|app|ru|de|uk|in)$")
# A run of name-like words: capitalised or digit-bearing words, with inner connectors.
NAME_WORD = r"(?:[A-Z0-9][\w.'&-]*[\w]|[A-Z])"
NAME = rf"{NAME_WORD}(?:(?:\s+|,\s*|\s*&\s*|\s+(?:of|and|for|de)\s+){NAME_WORD}){{0,5}}"
# The regexes of ``words``, ``_add`` and ``detect``, compiled once (``re``'s own cache is a
# lookup per call, and the f-string ones would be formatted anew each time).
DOMAIN_WORD_RE = re.compile(r"\.(?:com|net|org|io|co|gov|edu|info|biz|app|ru|de|uk|in)\b")
WWW_RE = re.compile(r"^(?:https?://)?(?:www\.)")
NAME_PARTS_RE = re.compile(r"\s+and\s+|\s*/\s*")
ALIAS_RE = re.compile(rf"[{QUOTES}]([^{QUOTES}]{{2,40}})[{QUOTES}]")
NAME_AT_END_RE = re.compile(rf"({NAME})[\s,]*$")
TITLE_END_RE = re.compile(r"\b(?:last|effective|updated|revised|posted|version|this|the following)\b", re.I)
TITLE_MARKS_RE = re.compile(r"[#*|:–—>_=\[\]()-]+")
# Where a match of ``FirstParty.before_re`` may start: its first part is ``^``, one of these
# marks, or "the"/"The" (any offset: the regex checks the word boundary itself).
BEFORE_STARTS = (".", "!", "?", "\n", ":", "the", "The")
OPEN_ID, CLOSE_ID = get_string_id("("), get_string_id(")")
# How far before a group noun a first-party name may start (six words and "'s").
NEAR = range(1, 8)
TITLE_EDGES_RE = re.compile(r"^\s*(?:of|for|the)\s+|\s+(?:of|for)\s*$", re.I)


def _normal(lower: str) -> str:
    """A lower-cased token as it counts in a name: web endings and punctuation dropped ("amazon")."""
    return "".join(WORD_RE.findall(DOMAIN_END_RE.sub("", lower)))


def cue_folded(text: str) -> Optional[str]:
    """``text`` folded as ``re.I`` folds it against lower-case ASCII letters, one character for one.

    Besides A-Z, ``re.I`` matches four non-ASCII characters with ASCII letters: "K" (Kelvin
    sign, k), "ı" and "İ" (i), "ſ" (s). ``str.lower`` maps all but "ı", "ſ" and "İ" the same
    way and keeps every other character's length; "İ" alone lower-cases to two characters.

    text (str): A text.
    RETURNS (Optional[str]): The folded text, where cue positions are those of ``text``; None
        when it holds "İ" (then the regex scans the text itself).
    """
    if text.isascii():
        return text.lower()
    if "\u0130" in text:
        return None
    return text.lower().replace("\u0131", "i").replace("\u017f", "s")


def _cue_matches(regex: Pattern, text: str, folded: Optional[str], cues: List[str]) -> Iterator[Match]:
    """``regex.finditer(text)`` for a regex whose matches start with one of ``cues`` (any case),
    tried only where a cue starts instead of at every character.

    regex (Pattern): "Welcome to Acme"-style regex: a cue, then a name.
    text (str): The text to search.
    folded (Optional[str]): ``cue_folded(text)`` where the cues are ASCII letters and spaces;
        None: the regex scans the text itself.
    cues (List[str]): The cues, lower-cased.
    YIELDS (Match): The matches ``finditer`` finds, in order.
    """
    if folded is None:
        yield from regex.finditer(text)
        return
    yield from _matches_at(regex, text, _find_all(folded, cues))


def _find_all(text: str, needles: Iterable[str]) -> Set[int]:
    """Where each of ``needles`` starts in ``text`` (overlaps included).

    text (str): A text.
    needles (Iterable[str]): Non-empty strings.
    RETURNS (Set[int]): Character offsets.
    """
    starts = set()
    for needle in needles:
        at = text.find(needle)
        while at != -1:
            starts.add(at)
            at = text.find(needle, at + 1)
    return starts


def _matches_at(regex: Pattern, text: str, starts: Iterable[int]) -> Iterator[Match]:
    """``regex.finditer(text)`` for a regex whose matches are never empty and can only start at
    ``starts``: tried there instead of at every character.

    ``regex.match(text, at)`` reads the characters before ``at`` for ``\b`` and lookbehinds
    and does not match ``^`` there, as ``finditer`` does at ``at``.

    regex (Pattern): The regex.
    text (str): The text to search.
    starts (Iterable[int]): Every offset where a match may start (more do no harm).
    YIELDS (Match): The matches ``finditer`` finds, in order.
    """
    end = 0
    for at in sorted(starts):
        if at < end:
            continue  # finditer goes on after the last match
        match = regex.match(text, at)
        if match:
            yield match
            end = max(match.end(), at + 1)


# A match of ``FirstParty.before_re`` holds at most this many runs of white space before its
# cue: one after its first part ("the ", ". "), two in each of the five separators between its
# six name words (" of ", " & ") and one before the cue.
BEFORE_MAX_SPACES = 12


def before_starts(text: str, cues: Sequence[int]) -> List[int]:
    """The offsets where a ``FirstParty.before_re`` match may begin: the text's start and the
    ``BEFORE_STARTS`` marks a few words before a cue.

    A match ends in a cue, after at most ``BEFORE_MAX_SPACES`` runs of white space: an offset
    with no cue after it, or with more runs than that between it and the next cue, begins
    none (a later cue lies further still). Only the stretch before each cue is searched.

    text (str): The text searched.
    cues (Sequence[int]): Offsets where a cue of the regex begins in ``text``.
    RETURNS (List[int]): Offsets, sorted.
    """
    starts = set()
    for cue in cues:
        # ``rsplit`` keeps the text before the last BEFORE_MAX_SPACES words (``str.split`` and
        # ``re``'s ``\s`` agree on what white space is): from within it, that many runs and the
        # one before the cue follow.
        parts = text[:cue].rsplit(None, BEFORE_MAX_SPACES)
        first = len(parts[0]) if len(parts) > BEFORE_MAX_SPACES else 0
        if first == 0:
            starts.add(0)
        for mark in BEFORE_STARTS:
            # Marks that begin before the cue (they may reach into it).
            stop = cue + len(mark) - 1
            at = text.find(mark, first, stop)
            while at != -1:
                starts.add(at)
                at = text.find(mark, at + 1, stop)
    return sorted(starts)


# A name holds at most this many runs of white space: two in each of the five separators
# between its six words (" of ", " & ").
NAME_MAX_SPACES = 10
TRAILING_RE = re.compile(r"[\s,]*\Z")


def name_at_end_start(text: str) -> int:
    """Where a ``NAME_AT_END_RE`` match may begin at the earliest: the name ends the text (but
    for white space and commas) and holds at most ``NAME_MAX_SPACES`` runs of white space, so
    it begins within the last ``NAME_MAX_SPACES + 1`` words before that end.

    text (str): The text searched.
    RETURNS (int): An offset; ``NAME_AT_END_RE.search(text, offset)`` finds what
        ``NAME_AT_END_RE.search(text)`` finds.
    """
    end = TRAILING_RE.search(text).start()
    parts = text[:end].rsplit(None, NAME_MAX_SPACES + 1)
    return len(parts[0]) if len(parts) > NAME_MAX_SPACES + 1 else 0


def first_lines(text: str, count: int) -> List[str]:
    """The first ``count`` lines of ``text`` that hold more than white space.

    text (str): A text.
    count (int): How many lines.
    RETURNS (List[str]): ``[l for l in text.splitlines() if l.strip()][:count]``, without
        testing the lines after them.
    """
    lines = []
    for line in text.splitlines():
        if line.strip():
            lines.append(line)
            if len(lines) == count:
                break
    return lines


def parentheses(lower: numpy.ndarray, words: List[int]) -> List[Tuple[int, int]]:
    """Each "(" of a document with the first ")" after it, where that comes within 60 tokens:
    one pass over the LOWER ids finds both, and the few found are paired in Python.

    lower (numpy.ndarray): The document's LOWER ids.
    words (List[int]): The same as a list.
    RETURNS (List[Tuple[int, int]]): (open, close) token offsets, in order.
    """
    marks = numpy.flatnonzero((lower == OPEN_ID) | (lower == CLOSE_ID)).tolist()
    pairs = []
    opened: List[int] = []
    for at in marks:
        if words[at] == CLOSE_ID:
            # Each "(" since the last ")" pairs with this one, within 60 tokens.
            pairs += [(paren, at) for paren in opened if at - paren <= 60]
            opened = []
        else:
            opened.append(at)
    return pairs


class FirstParty:
    """The first-party cues of ``context_rules.json`` compiled for one-pass detection."""

    def __init__(self, rules: dict):
        """rules (dict): ``{"suffixes", "stopwords", "title_phrases", "intro_before", "intro_after", "intro_by",
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
        by = "|".join(re.escape(p) for p in rules.get("intro_by", [])) or "(?!x)x"
        # Each intro regex needs its cue word in the head; most heads hold none, and a plain
        # search for the cues is much cheaper than the name-matching regexes' scan.
        self.before_cues = list(rules.get("intro_before", []))
        self.after_cues = [p.lower() for p in rules.get("intro_after", [])]
        self.by_cues = [p.lower() for p in rules.get("intro_by", [])]
        # On cues of ASCII letters and spaces, re.I matches exactly where ``cue_folded`` text
        # holds them; other cues go straight to the regex.
        self.ascii_cues = all(re.fullmatch(r"[a-z ]*", p) for p in self.after_cues + self.by_cues)
        # "operated by Acme": may also name a vendor ("payments are provided by Stripe"), so
        # ``detect`` returns these names apart and the caller checks them against the catalogue.
        self.by_re = re.compile(rf"(?i:\b(?:{by}))\s+(?:the\s+)?({NAME})")
        # ("Acme", "we", "us") or (collectively, "Acme"): the parenthesis that defines a party.
        # Every parenthesis is a candidate; its inside is then matched against the definitions.
        self.paren_re = re.compile(r"\(([^()]{1,250})\)")
        self.definition_re = re.compile(
            rf"(?:.{{0,160}}?[{QUOTES}](?:we|us|our),?[{QUOTES}].*"
            rf"|\s*(?:hereby|hereinafter|hereafter)?,?\s*referred\s+to\s+as\s*[{QUOTES}].*"
            rf"|\s*(collectively|together)\b.*)",
            re.I | re.S,
        )
        self.group_noun_ids = [tuple(get_string_id(w) for w in noun) for noun in self.group_nouns]
        # The first words of the group nouns (None: a noun without words matches after any name).
        self.noun_firsts = (
            None if any(not noun for noun in self.group_noun_ids)
            else numpy.array(sorted({noun[0] for noun in self.group_noun_ids}), dtype=numpy.uint64)
        )
        self.possessive_ids = frozenset(get_string_id(w) for w in ("'s", "’s"))
        # The strings the definition test looks for, as ORTH ids and (a cheaper first test) LOWER ids.
        cues = (*QUOTES, "collectively", "Collectively", "together", "Together")
        self.cue_ids = frozenset(get_string_id(w) for w in cues)
        self.cue_lower_ids = frozenset(get_string_id(w.lower()) for w in cues)
        self._cue_strings = ("(", ")", *cues)
        self._strings_seen = None
        # Per word id: its first two characters and its normalised form, for ``mentions``.
        self._normal: Dict[int, Tuple[str, str]] = {}
        # Per span text: its ``words`` and ``raw_words`` (party names repeat across documents).
        self._text_words: Dict[str, Tuple[Words, Words]] = {}
        suffixes = "|".join(re.escape(w) for w in sorted(self.suffixes, key=len, reverse=True) if len(w) > 2)
        # A (collectively, "...") definition names a company only after a corporate suffix.
        self.suffix_re = re.compile(rf"\b(?:{suffixes or '(?!x)x'})\b", re.I)

    def words(self, text: str) -> Words:
        """The normalised words of a name.

        text (str): "Amazon.com, Inc." or a span's text.
        RETURNS (Words): ("amazon",); an empty tuple when only stop or suffix words are left.
        """
        text = DOMAIN_WORD_RE.sub(" ", text.lower())
        text = WWW_RE.sub("", text.strip())
        out = [w for w in WORD_RE.findall(text) if w not in self.suffixes]
        # Headings and dates around a name ("Privacy Policy Agreement Valve", "May 1, 2015 Acme",
        # "Acme Websites") are not part of it.
        while out and (out[0] in self.stopwords or out[0].isdigit()):
            out.pop(0)
        while out and (out[-1] in self.stopwords or out[-1].isdigit()):
            out.pop()
        return tuple(out)

    def text_words(self, text: str) -> Tuple[Words, Words]:
        """``words(text)`` and ``raw_words(text)``, kept per text: the span resolver asks them of
        every THIRD_PARTY span, and the same few party names recur in every policy.

        text (str): A span's text.
        RETURNS (Tuple[Words, Words]): The normalised words and the raw words.
        """
        found = self._text_words.get(text)
        if found is None:
            if len(self._text_words) > 1_000_000:
                self._text_words.clear()  # a long run meets ever new names: keep the memory bounded
            found = self._text_words[text] = (self.words(text), raw_words(text))
        return found

    def _add(self, names: Set[Words], text: str, alias: bool = False) -> None:
        """Add a name, or each part of "A and B"; an alias defined for the party ("Service
        Provider") is kept whole, common words included."""
        for part in NAME_PARTS_RE.split(text):
            if alias:
                words = tuple(w for w in WORD_RE.findall(part.lower()) if w not in ("the", "a", "an"))
                if words in ((), ("we",), ("us",), ("our",), ("you",), ("your",), ("user",), ("users",)):
                    continue
            else:
                words = self.words(part)
            if words and len(words) <= 6:
                names.add(words)

    def detect(self, doc: Doc, context: DocContext) -> Tuple[Set[Words], List[Tuple[int, int]]]:
        """Find the first party's names and the stretches that define it.

        Only the text around parentheses and the first ``intro_chars`` characters are read,
        so the document's whole text is never joined.

        doc (Doc): A sentence-split document.
        context (DocContext): Its sentence bounds.
        RETURNS (Tuple[Set[Words], List[Tuple[int, int]], Set[Words]]): the names as word
            tuples; (start, end) token ranges from a defining sentence's start to its
            definition; and the names after "operated by"/"provided by" (the first party's only
            if no catalogued third party is meant: the caller decides).
        """
        names: Set[Words] = set()
        regions: List[Tuple[int, int]] = []
        strings = doc.vocab.strings
        if strings is not self._strings_seen:
            # The cue strings go into the document's StringStore, as they always did.
            for text in self._cue_strings:
                strings.add(text)
            self._strings_seen = strings
        # "(" and ")" are found in the LOWER array the rules read anyway: no other text lowers to them.
        pairs = parentheses(context.lower_array, context.lower)
        cue_ids, cue_lowers = self.cue_ids, self.cue_lower_ids
        lower_list = context.lower if pairs else []
        orth = text_array(doc, ORTH) if pairs else None  # the rulers' array: read already
        for paren, close in pairs:
            # Cheap test first, on the token ids: a definition quotes a name or says
            # "collectively"/"together"; only then is its text joined and matched. The LOWER ids
            # rule most parentheses out; the ORTH ids (read for the few left) decide.
            if cue_lowers.isdisjoint(lower_list[paren + 1 : close]):
                continue
            if cue_ids.isdisjoint(orth[paren + 1 : close].tolist()):
                continue
            inside = context.text(paren + 1, close).rstrip()
            match = self.definition_re.fullmatch(inside)
            if match is None:
                continue
            before = context.text(max(0, paren - 30), paren)
            if match.group(1) and not self.suffix_re.search(before):
                continue
            for alias in ALIAS_RE.findall(inside):
                # Aliases are names: capitalised, short ("Acme", "ACME Group"), not "we" or "Policy".
                if alias[:1].isupper() or alias[:1].isdigit():
                    if len(alias.split()) <= 4:
                        self._add(names, alias, alias=True)
            name = NAME_AT_END_RE.search(before, name_at_end_start(before))
            if name:
                self._add(names, name.group(1))
            regions.append((context.sentence_start_after(paren, paren - 25), paren))
        head = self._head(doc, context)
        for line in first_lines(head, 4):
            if len(line.split()) <= 10 and self.title_re.search(line):
                rest = self.title_re.sub(" ", line)
                rest = TITLE_END_RE.split(rest)[0]
                rest = TITLE_MARKS_RE.sub(" ", rest)
                rest = TITLE_EDGES_RE.sub(" ", rest.strip())
                if rest.strip() and len(rest.split()) <= 6 and any(c.isupper() for c in rest):
                    self._add(names, rest)
        cues = _find_all(head, self.before_cues)
        if cues:
            # A match starts at the text's start, at a sentence mark or at "the"/"The", a few
            # words before a cue: only those places are tried (``finditer`` would try every
            # character).
            for match in _matches_at(self.before_re, head, before_starts(head, cues)):
                self._add(names, match.group(1))
        folded = cue_folded(head) if self.ascii_cues else None
        for match in _cue_matches(self.after_re, head, folded, self.after_cues):
            self._add(names, match.group(1))
        vendor_names: Set[Words] = set()
        for match in _cue_matches(self.by_re, head, folded, self.by_cues):
            self._add(vendor_names, match.group(1))
        return names, regions, vendor_names

    def _head(self, doc: Doc, context: DocContext) -> str:
        """The text of the tokens that start within the first ``intro_chars`` characters."""
        if not len(doc):
            return ""
        # The first token starting at or after ``intro_chars``, by bisection: a few Token reads
        # instead of the whole IDX array.
        end = bisect.bisect_left(range(len(doc)), self.intro_chars, key=lambda i: doc[i].idx)
        return context.text(0, end)

    def _forms(self, strings, word: int) -> Tuple[str, str]:
        """A word's first two characters and its normalised form, kept per word id.

        strings (StringStore): The document's strings.
        word (int): A LOWER id.
        RETURNS (Tuple[str, str]): ("am", "amazon") for "amazon.com".
        """
        forms = self._normal.get(word)
        if forms is None:
            if len(self._normal) > 1_000_000:
                self._normal.clear()  # a long run meets ever new words: keep the memory bounded
            text = strings[word]
            forms = self._normal[word] = (text[:2], _normal(text))
        return forms

    def before_group_nouns(self, context: DocContext) -> Optional[List[int]]:
        """The tokens that may begin a name followed by a group noun ("Acme" in "Acme entities").

        A name has at most six tokens and may take "'s", so it starts at most seven tokens
        before the noun's first word; ``group_spans`` makes spans only there.

        context (DocContext): The document's lookups.
        RETURNS (Optional[List[int]]): Token offsets, sorted; None when a group noun without
            words is configured (then every mention counts).
        """
        if self.noun_firsts is None:
            return None
        if not len(self.noun_firsts):
            return []
        # A few equality tests cost less than numpy.isin's sort on a document's worth of ids.
        lower = context.lower_array
        nouns = lower == self.noun_firsts[0]
        for first in self.noun_firsts[1:]:
            nouns |= lower == first
        # Token i is near when a noun starts 1 to 7 tokens after it. Nouns are few in a
        # document: their neighbours are listed in Python rather than by seven shifted ORs.
        starts = numpy.flatnonzero(nouns).tolist()
        return sorted({at - distance for at in starts for distance in NEAR if at >= distance})

    def mentions(
        self,
        doc: Doc,
        names: Iterable[Words],
        context: Optional[DocContext] = None,
        candidates: Optional[Iterable[int]] = None,
    ) -> List[Tuple[int, int]]:
        """Token ranges where a first-party name is written ("Bitrix24", "Bitrix 24", "Amazon.com").

        doc (Doc): The document.
        names (Iterable[Words]): First-party names.
        context (Optional[DocContext]): The document's lookups, if made already.
        candidates (Optional[Iterable[int]]): Sorted tokens to look at (default: all).
        RETURNS (List[Tuple[int, int]]): (start, end) token offsets, the longest name at each start.
        """
        keys = {"".join(n) for n in names}
        if not keys or not len(doc):
            return []
        strings = doc.vocab.strings
        context = context or DocContext(doc)
        # Only tokens that can begin a name are looked at.
        initials = {k[:2] for k in keys}
        forms = self._forms
        known = self._normal
        lower = context.lower
        if candidates is None:
            # All tokens: the test is made once per distinct word.
            distinct, inverse = numpy.unique(context.lower_array, return_inverse=True)
            can_begin = numpy.zeros(len(distinct), dtype=bool)
            for k, h in enumerate(distinct.tolist()):
                first, normal = known.get(h) or forms(strings, h)
                if first in initials and normal[:2] in initials:
                    can_begin[k] = True
            begins = numpy.flatnonzero(can_begin[inverse]).tolist()
        else:
            begins = []
            for i in candidates:
                first, normal = known.get(lower[i]) or forms(strings, lower[i])
                if first in initials and normal[:2] in initials:
                    begins.append(i)
        found = []
        for i in begins:
            joined, longest = "", 0
            for j in range(i, min(i + 6, len(doc))):
                joined += forms(strings, lower[j])[1]
                if not joined or not any(k.startswith(joined) for k in keys):
                    break
                if joined in keys:
                    longest = j + 1  # "Bitrix 24" over "Bitrix" where both are names
            if longest:
                found.append((i, longest))
        return found

    def group_spans(
        self,
        doc: Doc,
        mentions: Sequence[Tuple[int, int]],
        label: str,
        span_id: str,
        context: Optional[DocContext] = None,
    ) -> List[Span]:
        """Spans for the first party's group ("Acme entities", "the Acme family of companies").

        doc (Doc): The document.
        mentions (Sequence[Tuple[int, int]]): Token ranges of first-party names.
        label (str): The label to give (THIRD_PARTY).
        span_id (str): The rule id to give.
        context (Optional[DocContext]): The document's lookups, if made already.
        RETURNS (List[Span]): One span per name followed by a group noun.
        """
        spans = []
        if not mentions:
            return spans
        # Compared as LOWER ids: no Token object per word.
        lower = (context or DocContext(doc)).lower
        for start, end in mentions:
            after = end + 1 if end < len(doc) and lower[end] in self.possessive_ids else end
            words = tuple(lower[after : after + 4])
            for noun, noun_ids in zip(self.group_nouns, self.group_noun_ids):
                if words[: len(noun)] == noun_ids:
                    spans.append(Span(doc, start, after + len(noun), label=label, span_id=span_id))
                    break
        return spans


def raw_words(text: str) -> Words:
    """The lower-cased words of a text without articles, common words kept ("Service Provider").

    text (str): A span's text.
    RETURNS (Words): ("service", "provider").
    """
    return tuple(w for w in WORD_RE.findall(text.lower()) if w not in ("the", "a", "an"))


class NameTest:
    """Whether THIRD_PARTY spans name the first party, for one document's names: the names'
    prefixes and their words joined are worked out once, and each span is a few set look-ups."""

    def __init__(self, names: Set[Words]):
        """names (Set[Words]): The first party's names."""
        self.names = names
        self.prefixes = {name[:size] for name in names for size in range(1, len(name) + 1)}
        self.joined = {"".join(name) for name in names}

    def __call__(self, span_words: Words, organization: Words, raw: Words = ()) -> bool:
        """Whether a THIRD_PARTY span names the first party: it is one of the names, a shorter
        form of one ("Chase Paymentech" for "Chase Paymentech Solutions"), written without spaces
        differently ("Bitrix 24"/"Bitrix24"), or a service the first party itself owns.

        span_words (Words): The span's normalised words.
        organization (Words): The normalised owner of the catalogue entry that matched (or ()).
        raw (Words): The span's words with common words kept.
        RETURNS (bool): True when it names the first party.
        """
        if raw and raw in self.names:
            return True
        if not span_words or not self.names:
            return False
        return span_words in self.prefixes or "".join(span_words) in self.joined or organization in self.names
