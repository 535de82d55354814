"""Find the heading lines of a policy that name a kind of section.

A heading is a line of its own (the readers keep Markdown ``#`` lines, HTML ``h1``-``h6`` and
plain-text headings as lines between line breaks) that is short and shaped like a title:
- a Markdown heading: ``## Data retention``;
- numbered: ``5. How long we keep your data``, ``6.7. Storage and deletion``, ``IV. COOKIES``,
  ``(a) Children``, ``Section 7 - Cookies``;
- in capitals: ``DATA RETENTION``; in Title Case: ``Retention of Your Personal Data``;
- or a short line in sentence case: ``How long we keep your information``.
It may end in ``?`` (``How long do we keep your data?``) and, when numbered, in capitals, in
Title Case or very short, in ``:``; a line that ends in ``.``, ``,``, ``;`` or ``!`` is a sentence,
and a line after a bullet (``• Cookies``) a list item.

The kind of a heading comes from its words, by the ordered word lists of
``patterns/sections.json`` (``KindTable``). Only headings of the wanted kinds open sections: a
line is read as text only when it is short, holds one of those kinds' words and does not end
like a sentence, which the Doc's NORM array tells without making Token objects.
"""
import bisect
import re
import sys
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

import numpy
from spacy.attrs import NORM
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.vocab import Vocab

from .doc_arrays import tokens_text

# Lines of more tokens than this are never headings (numbering and punctuation count as tokens).
MAX_LINE_TOKENS = 24
MAX_HEADING_CHARS = 120
MAX_HEADING_WORDS = 14
# A sentence-case line (no numbering, capitals or Title Case) is a heading only when this short.
MAX_PLAIN_WORDS = 9
# A line ending in ":" is a heading when numbered, in capitals or Title Case, or this short.
MAX_COLON_WORDS = 3
# The last token of a line that is a sentence, not a heading.
SENTENCE_ENDS = (".", ",", ";", "!")

_MARKDOWN = re.compile(r"^(#{1,6})\s*")
# Bullets in front of a line ("•", "·", "*", "-", "–", ">"): a list item, not a heading.
_BULLET = re.compile(r"^(?:[•·▪■●◦]\s*|[*\-–>]\s+)")  # "**Retention**" is bold, not a bullet
# Numbering: "5.", "5)", "6.7.", "6.7.1", "IV.", "(a)", "a)", "Section 7 -", "Article 5:", "§ 3".
_NUMBER = re.compile(
    r"^(?:(?:section|article|part|chapter|clause|§)\s*)?"
    r"(?:\d{1,3}(?:\.\d{1,3}){0,3}\.?|[ivxlc]{1,6}\.|[a-z]\.|\(?[a-z0-9]{1,4}\))"
    r"(?:\s*[-–—:.|]\s*|\s+)",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"^(?:(?:section|article|part|chapter|clause|§)\s*)?[ivxlc]+\.", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Function words that stay lower case in a Title Case heading ("Retention of Your Data").
_MINOR = frozenset(
    "a an and as at but by for from how in into is it its of on or our the to we what when where "
    "which who why with you your us do does are can may will this that these those their my be "
    "about via per than up out over not".split()
)


# Where the low 16 bits of a uint64 are among its four 16-bit words.
_LOW_WORD = 0 if sys.byteorder == "little" else 3
# Words too common in body text to pick out heading lines by ("deletion of information").
_COMMON = frozenset("information data personal use your our of the we and to how where who in with you".split())


class Heading(NamedTuple):
    """One heading line: its tokens, title text, how it is marked and the kind it names."""

    start: int  # first token of the line
    end: int  # token after the line
    title: str  # the heading without Markdown marks, bullets and numbering
    style: str  # "markdown", "numbered", "caps", "title" or "plain"
    level: int  # Markdown: the number of "#"; numbered: the depth ("5." 1, "5.1" 2, "(a)" 3); else 0
    kind: str


def _depth(number: str) -> int:
    """The depth of a heading number: "5." 1, "6.7." 2, "IV." 1, "(a)" or "b)" 3."""
    digits = re.findall(r"\d+", number)
    if digits:
        return len(digits)
    return 1 if _ROMAN.match(number) else 3


def heading_style(line: str) -> Optional[Tuple[str, str, int, List[str]]]:
    """Decide whether a line of text is a heading.

    line (str): One line, without its line break.
    RETURNS (Optional[Tuple[str, str, int, List[str]]]): (title, style, level, words) with style
        "markdown", "numbered", "caps", "title" or "plain", level as ``Heading.level`` and the
        title's words; None when the line is not a heading.
    """
    text = line.strip()
    if not text or len(text) > MAX_HEADING_CHARS:
        return None
    style, level = None, 0
    first = text[0]
    if first == "#":
        markdown = _MARKDOWN.match(text)
        text, style, level = text[markdown.end():], "markdown", len(markdown.group(1))
    elif text[-1] in ".,;!":
        return None  # a sentence
    elif _BULLET.match(text):
        return None  # a list item
    elif first.isdigit() or first in "(§" or text.split(None, 1)[0][-1] in ".):" or first in "SsAaPpCc":
        # Only these can start a number: "5.", "(a)", "IV.", "b)", "Section 7", "Article 5".
        number = _NUMBER.match(text)
        # "5. Cookies" is numbered; "a. m." or "I. " alone are not.
        if number and number.end() < len(text):
            text, style, level = text[number.end():], "numbered", _depth(number.group())
    text = text.strip().strip("*_").strip()  # Markdown bold around a heading
    if not text or not text[0].isupper():
        return None
    if text[-1] in ".,;!" and style != "markdown":
        return None
    words = _WORD.findall(text)
    if not words or len(words) > MAX_HEADING_WORDS:
        return None
    if style is None:
        letters = [w for w in words if len(w) > 1]
        if letters and all(w.isupper() for w in letters):
            style = "caps"
        elif len(words) > 1 and all(w[0].isupper() for w in words if w.lower() not in _MINOR):
            style = "title"
        else:
            style = "plain"
    if style == "plain" and len(words) > MAX_PLAIN_WORDS:
        return None
    if text[-1] == ":" and style == "plain" and len(words) > MAX_COLON_WORDS:
        return None  # "This information may include:" introduces a list
    return text.rstrip(":").strip(), style, level, words


# The string ids of the whitespace tokens that hold a line break ("\n\n", "  \n"), filled by the
# lexeme flag below as the vocab meets them. String ids are hashes of the text, the same in
# every vocab and process, so one set serves every pipeline. It lets a Doc's NORM array (the
# norm of whitespace is itself), which the heading finder reads anyway, tell the line breaks
# too: a second array would cost as much again.
LINE_BREAK_IDS: set = set()


def has_line_break(text: str) -> bool:
    """The lexeme flag ``line_break_flag`` adds: whether a token's text holds a line break.

    spaCy calls it for every lexeme of the vocab when the flag is added and for each new
    lexeme after; the ids of those with a line break are kept in ``LINE_BREAK_IDS``.
    text (str): A lexeme's text ("\n\n", "  \n").
    RETURNS (bool): True for whitespace tokens that end a line.
    """
    if "\n" in text or "\r" in text:
        LINE_BREAK_IDS.add(get_string_id(text))
        return True
    return False


def line_break_flag(vocab: Vocab) -> int:
    """The id of the ``has_line_break`` lexeme flag in ``vocab``, added the first time.

    vocab (Vocab): The pipeline's vocab.
    RETURNS (int): The flag id.
    """
    for flag_id, getter in vocab.lex_attr_getters.items():
        if getter is has_line_break:
            for lexeme in vocab:  # another process may have made this vocab: fill the set here too
                has_line_break(lexeme.orth_)
            return flag_id
    return vocab.add_flag(has_line_break)


def norm_ids(vocab: Vocab, words: Iterable[str]) -> set:
    """The NORM string ids of words, as a Doc's NORM array holds them ("Cookies" -> "cookies").

    vocab (Vocab): The pipeline's vocab (its norm exceptions, if it has any, apply).
    words (Iterable[str]): Words in any case.
    RETURNS (set): Their norm ids and the ids of their lower-case forms.
    """
    return {vocab[w].norm for w in words} | {get_string_id(w.lower()) for w in words}


class IdSet:
    """A set of string ids that finds its members among a Doc's NORM ids at numpy speed.

    A table indexed by the low 16 bits of an id picks the candidate tokens in two numpy calls
    (about one token in a hundred that is not a member), and the caller's Python sets confirm
    them: a Python look-up per token, or a binary search over every token, would cost far more.
    """

    def __init__(self, ids: Iterable[int]):
        """ids (Iterable[int]): String ids (``get_string_id``)."""
        self.ids = set(ids)
        self.table = numpy.zeros(1 << 16, dtype=bool)
        self.table[[i & 0xFFFF for i in self.ids]] = True

    def __len__(self) -> int:
        return len(self.ids)

    def candidates(self, values: numpy.ndarray) -> Iterable[Tuple[int, int]]:
        """The ids that may be members, with their offsets: every member and about one id in a
        hundred that is not. The caller tests each against sets of its own (which kind of
        member is it?), which rules the others out too.

        values (numpy.ndarray): A contiguous uint64 array, e.g. ``doc.to_array(NORM)`` or a slice.
        RETURNS (Iterable[Tuple[int, int]]): (offset, id) pairs, in order.
        """
        if not self.ids or not len(values):
            return ()
        low = values.view(numpy.uint16)[_LOW_WORD::4]  # the low 16 bits of each id, without a copy
        candidates = numpy.flatnonzero(self.table[low])
        return zip(candidates.tolist(), values[candidates].tolist())


def heading_rank(style: str, level: int) -> int:
    """How high a heading stands: a section ends at the next heading ranked the same or higher.

    style (str): The heading's style (``heading_style``).
    level (int): Its Markdown level or numbering depth.
    RETURNS (int): Markdown "#" 90 down to "######" 40; numbered "5." 85, "5.1" 75, "5.1.1"
        65; capitals 60; Title Case 50; sentence case 40.
    """
    if style == "markdown":
        return 100 - 10 * level
    if style == "numbered":
        return 95 - 10 * level
    return {"caps": 60, "title": 50}.get(style, 40)


class KindTable:
    """Heading words to section kinds, from the ``kinds`` list of ``patterns/sections.json``."""

    def __init__(self, kinds: Sequence[Dict]):
        """kinds (Sequence[Dict]): ``[{"kind": "retention", "words": [...], "phrases": [...]}]``,
        in order of precedence; a kind may appear more than once (strong words early, weak
        words after the kinds they would be confused with)."""
        self.entries = [(entry["kind"], entry.get("words", []), entry.get("phrases", [])) for entry in kinds]
        self.word_entry: Dict[str, int] = {}  # word -> the first entry that has it
        self.phrase_entry: Dict[str, int] = {}  # phrase -> the first entry that has it
        for index, (_, words, phrases) in enumerate(self.entries):
            for word in words:
                self.word_entry.setdefault(word, index)
            for phrase in phrases:
                self.phrase_entry.setdefault(phrase, index)
        # One scan for every phrase, longest first so that "storage period" beats "storage".
        alternatives = "|".join(re.escape(p) for p in sorted(self.phrase_entry, key=len, reverse=True))
        self.phrase_re = re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])") if alternatives else None

    def kind(self, title: str) -> Optional[str]:
        """The section kind a heading names, or None.

        title (str): The heading text, "How Long We Keep Your Data".
        RETURNS (Optional[str]): "retention", or None when no kind's words occur.
        """
        return self.kind_of_words(_WORD.findall(title))

    def kind_of_words(self, words: List[str]) -> Optional[str]:
        """The section kind named by a heading's words (``heading_style`` gives them), or None."""
        words = [w.lower().replace("’", "'") for w in words]
        last = len(self.entries)
        best = min((self.word_entry.get(w, last) for w in words), default=last)
        if self.phrase_re is not None:
            for match in self.phrase_re.finditer(" ".join(words)):
                best = min(best, self.phrase_entry[match.group()])
        return self.entries[best][0] if best < last else None

    def kinds(self) -> List[str]:
        """The kinds of the table, each once, in order."""
        return list(dict.fromkeys(kind for kind, _, _ in self.entries))

    def trigger_words(self, kinds: Optional[Iterable[str]] = None) -> List[str]:
        """Words one of which every heading of the given kinds holds: their words and, of each
        of their phrases, the longest word that is not a common one ("long" of "how long",
        "deletion" of "deletion of information").

        kinds (Optional[Iterable[str]]): The kinds; all when None.
        RETURNS (List[str]): Lower-case words.
        """
        wanted = set(self.kinds() if kinds is None else kinds)
        words = set()
        for kind, kind_words, phrases in self.entries:
            if kind in wanted:
                words.update(kind_words)
                words.update(max(p.split(), key=lambda w: (w not in _COMMON, len(w))) for p in phrases)
        return sorted(words)


class Section(NamedTuple):
    """A heading of a known kind and the tokens its section covers."""

    start: int  # the heading's first token
    end: int  # the token after the section
    heading: Heading


class HeadingFinder:
    """Find the sections of some kinds in a Doc (see the module docstring).

    Per Doc: one NORM array (the cheapest to read), and the line breaks and heading words among its tokens
    (``IdSet``); a short line holding a heading word that does not end like a sentence is read
    as text. A section ends before the next heading ranked the same or higher
    (``heading_rank``), or of a known kind and not in sentence case, found by reading the
    short lines after its heading.
    """

    # A section ends at the latest after this many short lines (a cookie table has hundreds).
    MAX_LINES_READ = 25

    def __init__(
        self,
        vocab: Vocab,
        kinds: KindTable,
        wanted: Optional[Iterable[str]] = None,
        max_tokens: int = 1500,
        also: Iterable[int] = (),
    ):
        """vocab (Vocab): The pipeline's vocab (gets the line-break lexeme flag).
        kinds (KindTable): The heading words of each kind.
        wanted (Optional[Iterable[str]]): The kinds of sections to find; all when None.
        max_tokens (int): A section ends this many tokens after its heading at the latest.
        also (Iterable[int]): More string ids to find in the same pass (the caller's anchors)."""
        self.also = set(also)
        self.kinds = kinds
        self.wanted = set(kinds.kinds() if wanted is None else wanted)
        self.max_tokens = max_tokens
        line_break_flag(vocab)
        self.trigger_ids = norm_ids(vocab, kinds.trigger_words(self.wanted))
        self.sentence_end_ids = {get_string_id(w) for w in SENTENCE_ENDS}
        self._lookup: Tuple[int, Optional[IdSet]] = (-1, None)

    def lookup(self) -> IdSet:
        """The ids of the heading words and of the line breaks met so far (the set of line
        breaks grows as the vocab does)."""
        known, lookup = self._lookup
        if known != len(LINE_BREAK_IDS):
            breaks = set(LINE_BREAK_IDS)
            # One tuple, set at once: a thread sharing the finder reads a count and its set.
            known, lookup = self._lookup = (len(breaks), IdSet(self.trigger_ids | breaks | self.also))
        return lookup

    def heading(self, doc: Doc, start: int, end: int) -> Optional[Heading]:
        """The heading on a line, of a known kind or not (kind None).

        doc (Doc): The document.
        start (int): The line's first token.
        end (int): The token after the line.
        RETURNS (Optional[Heading]): None when the line is not a heading.
        """
        found = heading_style(tokens_text(doc, start, end, False))
        if found is None:
            return None
        title, style, level, words = found
        return Heading(start, end, title, style, level, self.kinds.kind_of_words(words))

    def __call__(self, doc: Doc) -> Tuple[List[Section], Optional[numpy.ndarray], List[Tuple[int, int]]]:
        """The sections of the wanted kinds in ``doc``, in text order, the Doc's NORM ids, and
        where the ``also`` ids are.

        doc (Doc): A tokenized Doc.
        RETURNS (Tuple[List[Section], Optional[numpy.ndarray], List[Tuple[int, int]]]): The
            sections; the NORM array for the caller's own look-ups (None for an empty Doc);
            (token, id) of each token whose NORM is one of ``also``, in order.
        """
        if not len(doc):
            return [], None, []
        norms = doc.to_array(NORM)
        breaks, triggers, also = [], [], []
        trigger_ids, also_ids = self.trigger_ids, self.also
        # Candidates, not members: an id that is none of the three is passed over by the tests.
        for offset, value in self.lookup().candidates(norms):
            if value in trigger_ids:
                triggers.append(offset)
            elif value in LINE_BREAK_IDS:
                breaks.append(offset)
            if value in also_ids:
                also.append((offset, value))
        if not breaks or not triggers:
            return [], norms, also
        # Line i runs from the token after breaks[i - 1] to breaks[i] (the last one to the end).
        bounds = [0] + [b + 1 for b in breaks]
        ends = breaks + [len(doc)]
        lines = sorted({bisect.bisect_left(breaks, t) for t in triggers})
        sections = []
        for line in lines:
            if self.is_short(norms, bounds[line], ends[line]):
                heading = self.heading(doc, bounds[line], ends[line])
                if heading is not None and heading.kind in self.wanted:
                    end = self.section_end(doc, norms, bounds, ends, line, heading)
                    sections.append(Section(heading.start, end, heading))
        return sections, norms, also

    def is_short(self, norms: numpy.ndarray, start: int, end: int) -> bool:
        """Whether a line may be a heading: short, not empty, not ending like a sentence."""
        return 0 < end - start <= MAX_LINE_TOKENS and int(norms[end - 1]) not in self.sentence_end_ids

    def section_end(self, doc: Doc, norms: numpy.ndarray, bounds: List[int], ends: List[int], line: int, heading: Heading) -> int:
        """Where the section under a heading ends.

        doc (Doc): The document.
        norms (numpy.ndarray): The Doc's NORM ids.
        bounds, ends (List[int]): The first token and the token after each line.
        line (int): The heading's line.
        heading (Heading): The heading.
        RETURNS (int): The first token of the next heading ranked the same or higher, or of
            a known kind and not in sentence case; at most ``max_tokens`` tokens or
            ``MAX_LINES_READ`` short lines after the heading; else the Doc's end.
        """
        limit = min(len(doc), heading.start + self.max_tokens)
        rank = heading_rank(heading.style, heading.level)
        read = 0
        for other in range(line + 1, len(bounds)):
            start, end = bounds[other], ends[other]
            if start >= limit:
                break
            if not self.is_short(norms, start, end):
                continue
            read += 1
            if read > self.MAX_LINES_READ:
                return start
            found = self.heading(doc, start, end)
            if found is None:
                continue
            # A sub-heading ranked lower stays inside, unless it names a kind and is more than a
            # short sentence-case line (list items look like those: "To provide the service").
            if heading_rank(found.style, found.level) >= rank or (found.kind is not None and found.style != "plain"):
                return start
        return limit
