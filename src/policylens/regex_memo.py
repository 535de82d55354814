"""The tokenizer's affix regexes with a bounded memo of their answers for short strings.

spaCy caches the tokens of a whitespace-free chunk, but only for its first 10,000 chunk types,
and each chunk type is worked out by calling the prefix, suffix, infix and URL regexes on it
and on what is left of it after each split: "information," and "(information" both ask
about "information". On ../shared/eval (350k tokens) seven in ten of those calls repeat an
earlier question, and the suffix regex alone (whose ``$``-anchored branches are tried at every
position) took about a quarter of the tokenizer's time. A regex's answer depends only on the
string, so a memo returns the same matches the regex would.

Only strings of at most ``MEMO_LONGEST`` characters are kept (words; a chunk can be up to
1,000), so the memo stays small: at most ``MEMO_SIZE`` strings per regex, the least recently
asked dropping out first.

The memo keeps where each match is, not the ``re.Match``: a match is an object the garbage
collector tracks (it refers to its string and regex), and ~10,000 of them per pass made every
full collection longer and filled the collector's oldest generation fast enough to set off
collections of their own. What spaCy reads of a match is its ``start()`` and ``end()``; a
remembered answer is a ``Spot``, one shared object per (start, end), and ``finditer``'s answers
are kept as one flat tuple of starts and ends, which the collector stops tracking once it has
seen it (a tuple of tuples may stay tracked: the collector can look at the outer one first).

Most strings asked about for the first time are plain words, and no affix, infix or URL can be
made of ASCII letters alone: every branch of those regexes needs a bracket, a digit before it,
a dot... Where ``needs_non_letter`` proves that from the parsed regex, a string of ASCII letters
is answered "no match" without the regex and without a place in the memo.
"""
import re
import string as _string
from functools import lru_cache
from typing import Callable, Dict, Iterator, Optional, Tuple

try:  # Python 3.11 on
    from re import _constants as C
    from re import _parser
except ImportError:  # Python 3.9, 3.10
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

MEMO_SIZE = 1 << 15
MEMO_LONGEST = 32
METHODS = ("search", "match", "finditer")


class Spot:
    """Where a regex matched, as spaCy's tokenizer reads an ``re.Match``: ``start()``, ``end()``,
    ``span()`` (of the whole match: group 0 only), and true. Made by ``spot``, one per place."""

    __slots__ = ("_start", "_end")

    def __init__(self, start: int, end: int):
        self._start, self._end = start, end

    def start(self, group: int = 0) -> int:
        """RETURNS (int): Where the match starts."""
        _whole_match_only(group)
        return self._start

    def end(self, group: int = 0) -> int:
        """RETURNS (int): Where the match ends (exclusive)."""
        _whole_match_only(group)
        return self._end

    def span(self, group: int = 0) -> Tuple[int, int]:
        """RETURNS (Tuple[int, int]): (start, end)."""
        _whole_match_only(group)
        return self._start, self._end

    def __repr__(self) -> str:
        return f"<policylens.regex_memo.Spot span={self.span()}>"


def _whole_match_only(group) -> None:
    if group != 0:
        raise IndexError(f"a remembered match knows only where the whole match is (group 0), not group {group!r}")


_SPOTS: Dict[Tuple[int, int], Spot] = {}


def spot(start: int, end: int) -> Spot:
    """The shared ``Spot`` of a place (the memo keeps strings of a few characters, so few places).

    start (int), end (int): Where the match starts and ends.
    RETURNS (Spot): The same object for the same place.
    """
    found = _SPOTS.get((start, end))
    if found is None:
        found = _SPOTS.setdefault((start, end), Spot(start, end))  # setdefault: one per place for threads
    return found


def _spot_of(match: Optional["re.Match"]) -> Optional[Spot]:
    return None if match is None else spot(*match.span())


class RegexMemo:
    """One method of a compiled regex (``search``, ``match`` or ``finditer``), memoized.

    Hand spaCy the bound method ``call``: spaCy saves ``call.__self__.pattern`` with the
    tokenizer, as it does for a compiled pattern's own method. ``finditer`` answers with an
    iterator over the matches, as ``re`` does. Answers from the memo are ``Spot`` objects in
    place of ``re.Match`` ones (see the module docstring); strings too long for the memo get the
    regex's own matches.
    """

    def __init__(self, pattern: str, method: str, size: int = MEMO_SIZE, longest: int = MEMO_LONGEST):
        """pattern (str): The regex. method (str): One of METHODS.
        size (int): Strings remembered. longest (int): Longest string remembered.
        """
        if method not in METHODS:
            raise ValueError(f"RegexMemo: method must be one of {METHODS}, not {method!r}")
        self.pattern = pattern
        self.method = method
        self.size = size
        self.longest = longest
        self.regex = re.compile(pattern)
        self.letters_never = needs_non_letter(pattern)
        if method == "finditer":
            finditer = self.regex.finditer
            # (start, end, start, end, ...): flat, see the module docstring
            self._memo = lru_cache(maxsize=size)(lambda string: tuple(i for match in finditer(string) for i in match.span()))
        else:
            # The memo calls ``uncached`` (the regex's own method unless a subclass narrows it).
            answer = getattr(self.regex, method) if type(self).uncached is RegexMemo.uncached else self.uncached
            self._memo = lru_cache(maxsize=size)(lambda string: _spot_of(answer(string)))

    def call(self, string: str):
        """string (str): The string. RETURNS: What ``getattr(regex, method)(string)`` returns, with
        ``Spot`` objects for matches when the string is short enough for the memo."""
        if len(string) <= self.longest:
            if self.letters_never and string.isascii() and string.isalpha():
                return iter(()) if self.method == "finditer" else None
            found = self._memo(string)
            return _spots(found) if self.method == "finditer" else found
        return self.uncached(string)

    def uncached(self, string: str):
        """The regex's own answer for a string too long to remember (subclasses narrow the work)."""
        return getattr(self.regex, self.method)(string)

    def __reduce__(self):
        return (type(self), (self.pattern, self.method, self.size, self.longest))


def _spots(places: Tuple[int, ...]) -> Iterator[Spot]:
    """places (Tuple[int, ...]): (start, end, start, end, ...). RETURNS (Iterator[Spot]): Their Spots."""
    return iter([spot(places[i], places[i + 1]) for i in range(0, len(places), 2)]) if places else iter(())


def regex_memo(method: Optional[Callable], name: str) -> Optional[Callable]:
    """Memoize a compiled pattern's method as spaCy stores it (already memoized ones are kept).

    method (Optional[Callable]): ``re.Pattern.search`` / ``.match`` / ``.finditer``, a
        ``RegexMemo.call``, or None.
    name (str): The method's name ("search", "match" or "finditer").
    RETURNS (Optional[Callable]): ``RegexMemo(pattern, name).call``, or None.
    """
    if method is None or isinstance(getattr(method, "__self__", None), RegexMemo):
        return method
    return RegexMemo(method.__self__.pattern, name).call


_LETTERS = _string.ascii_letters
# What the parser's categories say of an ASCII letter.
_CATEGORY_HOLDS_FOR_LETTER = {
    "CATEGORY_DIGIT": False, "CATEGORY_NOT_DIGIT": True, "CATEGORY_SPACE": False, "CATEGORY_NOT_SPACE": True,
    "CATEGORY_WORD": True, "CATEGORY_NOT_WORD": False, "CATEGORY_LINEBREAK": False, "CATEGORY_NOT_LINEBREAK": True,
}


@lru_cache(maxsize=256)  # one analysis per regex: spaCy builds the tokenizer twice at load
def needs_non_letter(pattern: str) -> bool:
    """Whether every match of a regex needs a character that is not an ASCII letter, in the
    match or where a positive look-around of it reads: then a string of ASCII letters has no
    match (and ``search``, ``match`` and ``finditer`` find nothing in it).

    Conservative: False whenever the parsed regex holds something not understood here.
    pattern (str): The regex. RETURNS (bool): True when proven.
    """
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError):
        return False
    return _sequence_needs(parsed.data, bool(parsed.state.flags & re.IGNORECASE))


def _sequence_needs(items, ignorecase: bool) -> bool:
    """Whether a sequence of parsed items needs a non-letter: one of them does."""
    return any(_item_needs(op, av, ignorecase) for op, av in items)


def _item_needs(op, av, ignorecase: bool) -> bool:
    if op is C.LITERAL:
        return _not_letter(chr(av), ignorecase)
    if op is C.IN:
        return not _class_may_match_letter(av, ignorecase)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        return low >= 1 and _sequence_needs(sub.data, ignorecase)
    if op is C.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        case = (ignorecase or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
        return _sequence_needs(sub.data, case)
    if op is C.BRANCH:
        return all(_sequence_needs(branch.data, ignorecase) for branch in av[1])
    if op is C.ASSERT:  # a positive look-ahead or look-behind must read what it needs
        return _sequence_needs(av[1].data, ignorecase)
    return False  # ANY, NOT_LITERAL, anchors, negative look-arounds, group references...


def _not_letter(char: str, ignorecase: bool) -> bool:
    """Whether a literal never matches an ASCII letter (ignoring case, some non-ASCII letters
    match ASCII ones: the Kelvin sign matches "k")."""
    return char not in _LETTERS and not (ignorecase and not char.isascii())


def _class_may_match_letter(items, ignorecase: bool) -> bool:
    """Whether a character class ([...]) may match an ASCII letter (True when not sure)."""
    negate = False
    tests = []
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            if ignorecase and not chr(av).isascii():
                return True
            tests.append(lambda c, code=av: ord(c) == code)
        elif op is C.RANGE:
            low, high = av
            if ignorecase and high > 127:
                return True
            tests.append(lambda c, low=low, high=high: low <= ord(c) <= high)
        elif op is C.CATEGORY and str(av) in _CATEGORY_HOLDS_FOR_LETTER:
            holds = _CATEGORY_HOLDS_FOR_LETTER[str(av)]
            tests.append(lambda c, holds=holds: holds)
        else:
            return True
    if ignorecase and negate:
        return True
    letters = _LETTERS if not ignorecase else _LETTERS + _LETTERS.swapcase()
    return any(any(test(c) for test in tests) != negate for c in letters)
