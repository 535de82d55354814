"""The English tokenizer with a few extra splits that privacy policies need.

Email addresses must end up as whole tokens so that a CONTACT_EMAIL span can be
exactly the address as written: Markdown links glue the link text to its target
(``a@b.com](mailto:a@b.com``) and the ``mailto:`` scheme sticks to the address. A plural
marker glued to its word ("provider(s)") is a token of its own, so that "service provider" is
found in it.

spaCy's tokenizer strips prefixes and suffixes off a whitespace-free chunk one at a time, and
each step searches the whole rest of the chunk with the suffix regex (its ``$``-anchored
branches are tried at every position) and hashes and copies it: a run of 16,000 brackets took a
minute, a megabyte would take hours. ``PolicyTokenizer`` keeps that linear without changing how
ordinary text is tokenized: the suffix regex only searches the last few characters (suffixes
are at most 5 characters long, except runs of dots, for which the window grows), and chunks
longer than ``MAX_CHUNK`` characters (no word or URL is that long) are tokenized in pieces of
``MAX_CHUNK`` characters. The affix and URL regexes remember their answers for short strings
(``regex_memo``): most of their calls ask again about a word already seen.
"""
import re
from typing import Callable, Iterator, List, Optional, Tuple

import spacy
import srsly
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, registry

from .components.doc_arrays import keep_source
from .regex_ends import end_dispatch
from .regex_memo import MEMO_LONGEST, MEMO_SIZE, RegexMemo, regex_memo

# A closing bracket or parenthesis glued to the next opening one: "x](y", "x)(y". The infix
# regex is tried at every character of a chunk: each branch starts with the bracket it splits at
# (the character before it is checked after, by a lookbehind over both), so at any other
# character it fails at once.
EXTRA_INFIXES = [r"[\]\)](?<=[^\s\[\(][\]\)])(?=[\[\(])", r"[\[\(](?<=[\]\)][\[\(])"]
# Zero-width characters that web pages leave around words ("privacy@example.com\u200b").
ZERO_WIDTH = r"[\u200b\u200c\u200d\u2060\ufeff]"
# The mailto: scheme in front of an address, and zero-width characters.
EXTRA_PREFIXES = [r"(?i:mailto:)", ZERO_WIDTH]
# A plural marker in parentheses glued to its word ("provider(s)", "address(es)", "part(ies)")
# is one token of its own: spaCy stripped only the ")" and kept "provider(s", which no pattern
# knows. As one token, a phrase ends where the word does and "(s)" counts as one word in the
# patterns' gaps, as "provider(s" did.
PLURAL_MARKER = r"(?<=[^\W\d_])\((?i:s|es|ies)\)"
EXTRA_SUFFIXES = [ZERO_WIDTH, PLURAL_MARKER]
# Whitespace-free chunks longer than this are tokenized in pieces of this length.
MAX_CHUNK = 1000
# Characters of a string the suffix regex searches first; its matches are at most 5 long
# except "\.\.+$", and a match that reaches the window's start makes the window grow.
SUFFIX_WINDOW = 16
_CHUNK_RE = re.compile(r"\S+")
# Any whitespace-free run longer than MAX_CHUNK contains a whole aligned block of this many
# characters (2 * block - 1 <= MAX_CHUNK + 1), so a text each of whose blocks has whitespace in
# it has no overlong chunk: a few searches instead of splitting the whole text.
_BLOCK = (MAX_CHUNK + 2) // 2
_SPACE = re.compile(r"\s")


class TailSearch(RegexMemo):
    """A suffix regex's ``search`` that only looks at the end of the string, memoized.

    Behaves like ``re.compile(pattern).search`` for a ``$``-anchored pattern, for spaCy's
    purposes (it uses the match's length): the leftmost match that ends the string is found
    in a window of the last characters, doubled while the match starts at the window's edge,
    so a call costs the match's length, not the string's. Answers for short strings are
    remembered (``RegexMemo``). ``pattern`` is what spaCy saves; hand spaCy ``search``.
    """

    def __init__(self, pattern: str, window: int = SUFFIX_WINDOW, size: int = MEMO_SIZE, longest: int = MEMO_LONGEST):
        """pattern (str): The suffix regex, each branch anchored with ``$``.
        window (int): Characters searched first.
        size (int), longest (int): The memo's size and the longest string it keeps.
        """
        self.window = window
        self.examined = 0  # characters handed to the regex so far: a deterministic work count
        super().__init__(pattern, "search", size, longest)
        # Only the alternatives that can end with the string's last character (see regex_ends).
        self.dispatch = end_dispatch(pattern)
        self._search_for = self.dispatch.search_for if self.dispatch is not None else lambda string: (self.regex.search, 0)

    search = RegexMemo.call

    def uncached(self, string: str) -> Optional["re.Match"]:
        """string (str): The chunk. RETURNS (Optional[re.Match]): The suffix match, or None."""
        # A match cannot start before ``earliest`` (EndDispatch.search_for).
        search, earliest = self._search_for(string)
        if len(string) <= self.window:  # most chunks: one plain search
            self.examined += len(string) - earliest
            return search(string, earliest)
        window = self.window
        while True:
            start = max(earliest, len(string) - window)
            match = search(string, start)
            self.examined += len(string) - start
            if match is None or start == earliest or match.start() > start:
                return match
            window *= 2

    def __reduce__(self):
        return (TailSearch, (self.pattern, self.window, self.size, self.longest))


def tail_search(search: Optional[Callable]) -> Optional[Callable]:
    """Wrap a compiled suffix regex's ``search`` (as spaCy stores it) in ``TailSearch``.

    search (Optional[Callable]): ``re.Pattern.search`` or an already wrapped search, or None.
    RETURNS (Optional[Callable]): ``TailSearch(pattern).search``.
    """
    if search is None or isinstance(getattr(search, "__self__", None), TailSearch):
        return search
    return TailSearch(search.__self__.pattern).search


class PolicyTokenizer(Tokenizer):
    """spaCy's Tokenizer, linear on hostile input (see the module docstring)."""

    def __call__(self, text: str) -> Doc:
        """Tokenize a text. text (str): The text. RETURNS (Doc): The tokens."""
        if not _has_long_chunk(text):
            doc = super().__call__(text)
            keep_source(doc, text)  # components slice it instead of joining tokens
            return doc
        return self._call_in_pieces(text)

    def _call_in_pieces(self, text: str) -> Doc:
        """Tokenize ordinary stretches whole and overlong chunks in MAX_CHUNK pieces."""
        docs: List[Doc] = []
        for start, end in _pieces(text):
            docs.append(super().__call__(text[start:end]))
        return Doc.from_docs([d for d in docs if len(d)], ensure_whitespace=False)

    def from_bytes(self, bytes_data: bytes, *, exclude=tuple()) -> "PolicyTokenizer":
        """Load the tokenizer (spaCy recompiles the affix regexes; they are wrapped again).

        Setting any affix search makes spaCy tokenize all ~1,300 special cases again (0.1 s), so
        the special cases are set once, after the affix searches are wrapped.
        bytes_data (bytes): What ``to_bytes`` returned. RETURNS (PolicyTokenizer): self.
        """
        rules = None
        if "exceptions" not in exclude:
            rules = srsly.msgpack_loads(bytes_data).get("exceptions")
            exclude = (*exclude, "exceptions")
        super().from_bytes(bytes_data, exclude=exclude)
        self.suffix_search = tail_search(self.suffix_search)
        self.prefix_search = regex_memo(self.prefix_search, "search")
        self.infix_finditer = regex_memo(self.infix_finditer, "finditer")
        self.url_match = regex_memo(self.url_match, "match")
        if rules is not None:
            self.rules = rules
        return self


def _has_long_chunk(text: str) -> bool:
    """Whether a whitespace-free run of the text is longer than MAX_CHUNK characters.

    text (str): The text.
    RETURNS (bool): True when one is.
    """
    if len(text) <= MAX_CHUNK:
        return False
    search = _SPACE.search
    if all(search(text, start, start + _BLOCK) for start in range(0, len(text) - _BLOCK + 1, _BLOCK)):
        return False
    return max(map(len, text.split()), default=0) > MAX_CHUNK


def _pieces(text: str) -> Iterator[Tuple[int, int]]:
    """Cut a text into stretches: overlong chunks in MAX_CHUNK pieces, the rest as it is.

    A piece that ends a chunk takes one following space along, so the space stays the
    token's trailing whitespace as in a whole-text tokenization.
    YIELDS (Tuple[int, int]): Character offsets, covering the text in order.
    """
    position = 0
    for match in _CHUNK_RE.finditer(text):
        start, end = match.span()
        if end - start <= MAX_CHUNK:
            continue
        if start > position:
            yield position, start
        if end < len(text) and text[end] == " ":
            end += 1
        for piece in range(start, end, MAX_CHUNK):
            yield piece, min(piece + MAX_CHUNK, end)
        position = end
    if position < len(text):
        yield position, len(text)


def _url_match_without_link_glue(url_match):
    """spaCy's URL matcher, refusing strings with Markdown link glue or a mailto: scheme.

    Without this, "a@b.com](mailto:a@b.com" would be taken as one URL token. The result must
    be the ``match`` method of a compiled pattern: the tokenizer saves and loads it as a regex.

    url_match (Optional[Callable]): The language's URL matcher (a compiled pattern's ``match``).
    RETURNS (Optional[Callable]): The ``match`` method of the narrowed pattern.
    """
    if url_match is None:
        return None
    pattern = url_match.__self__.pattern
    flags = ""
    if pattern.startswith("(?u)"):
        flags, pattern = "(?u)", pattern[len("(?u)") :]
    # The look-ahead scans one candidate token once, so it stays linear in the token's length.
    return re.compile(flags + r"(?!.*(?:\]\(|[mM][aA][iI][lL][tT][oO]:))" + pattern).match


@registry.tokenizers("policylens.tokenizer.v1")
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """Build spaCy's default tokenizer for the language, plus the splits above.

    RETURNS (Callable[[Language], Tokenizer]): Factory that spaCy calls with the nlp object.
    """

    def make(nlp: Language) -> Tokenizer:
        defaults = nlp.Defaults
        prefixes = compile_prefix_regex(EXTRA_PREFIXES + list(defaults.prefixes or []))
        infixes = compile_infix_regex(list(defaults.infixes or []) + EXTRA_INFIXES)
        suffixes = spacy.util.compile_suffix_regex(EXTRA_SUFFIXES + list(defaults.suffixes or []))
        tokenizer = PolicyTokenizer(
            nlp.vocab,
            rules=defaults.tokenizer_exceptions,
            prefix_search=RegexMemo(prefixes.pattern, "search").call,
            suffix_search=TailSearch(suffixes.pattern).search,
            infix_finditer=RegexMemo(infixes.pattern, "finditer").call,
            token_match=defaults.token_match,
            url_match=regex_memo(_url_match_without_link_glue(defaults.url_match), "match"),
        )
        return tokenizer

    return make
