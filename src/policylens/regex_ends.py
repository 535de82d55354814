"""The suffix regex searched with only the alternatives that can end the string as it ends.

The strings the tokenizer's suffix regex is asked about for the first time (``regex_memo``
remembers the rest, and answers plain words without it) mostly end with a comma or a full stop,
and the regex tries its eighty-odd ``$``-anchored alternatives at every position of them (about
5 us a string on ../shared/eval). Every match of those alternatives ends the string, so the
string's last character decides which alternatives can match at all: ``EndDispatch`` searches
with a regex of only those (for "," the two ",$"), in their order, which finds the same
leftmost match, about four times faster. What each alternative can end with is read from the
parsed regex, conservatively. (The prefix regex's alternatives by the first character gained
nothing: it costs about 1 us a string already.)
"""
import re
import sys
from functools import lru_cache
from typing import Callable, Optional, Tuple

try:  # Python 3.11 on
    from re import _compiler
    from re import _constants as C
    from re import _parser
except ImportError:  # Python 3.9, 3.10
    import sre_compile as _compiler  # type: ignore[no-redef]
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]


# Zero-width items: anchors and look-arounds consume no character.
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)
_ENDS = (C.AT_END, C.AT_END_STRING)
# Distinct last characters whose search is remembered (hostile text could bring thousands;
# past this many, the alternatives are picked again at each call, still correctly).
DISPATCH_CHARS = 4096
# Matches at most this long are searched for from where they can start; longer ones (and
# unbounded ones, "\.\.+$") from the start.
LONGEST_WIDTH = 64


def _no_match(string: str, pos: int = 0) -> None:
    """The search of a regex of no alternatives."""
    return None


class EndDispatch:
    """``search`` of a regex all of whose matches end the string (every top-level alternative
    ends with ``$``), running only the alternatives that can end with the string's last character.

    An alternative whose match can never end with that character fails wherever it is tried,
    so leaving it out changes neither which match is found first nor its span: the alternatives
    left are tried in their order, as the whole regex tries them. What each alternative can end
    with is read from the parsed regex, conservatively (one not understood is always kept).
    Build with ``EndDispatch.build``; the searches made are kept per last character.
    """

    def __init__(self, parsed, front, alternatives, back, edges, regex: "re.Pattern"):
        """parsed: The parsed regex. front, alternatives, back: Its items before its top-level
        alternation, the alternatives' items and the items after it. edges: Per alternative, the
        (low, high) code point ranges of the characters it can end with, or None when unknown.
        regex (re.Pattern): The whole regex, compiled.
        """
        self._state = parsed.state
        self._front, self._alternatives, self._back = front, alternatives, back
        self._edges = edges
        self.search_all = regex.search
        self._by_char = {}  # last character -> (search of the regex of its alternatives, longest match)
        self._by_choice = {}  # tuple of alternatives -> the same

    @classmethod
    def build(cls, pattern: str, regex: Optional["re.Pattern"] = None) -> Optional["EndDispatch"]:
        """pattern (str): The regex. regex (Optional[re.Pattern]): It compiled, if at hand.
        RETURNS (Optional[EndDispatch]): The dispatch, or None where it cannot help: some
        alternative's matches need not end the string, or no alternative's last characters are known.
        """
        try:
            parsed = _parser.parse(pattern)
        except (re.error, RecursionError):
            return None
        if parsed.state.flags & re.MULTILINE or _refers_to_group(parsed.data):
            return None  # "$" before any newline; a group of a left-out alternative: left alone
        data = list(parsed.data)
        branches = [i for i, (op, _av) in enumerate(data) if op is C.BRANCH]
        if len(branches) == 1:
            at = branches[0]
            front, back = data[:at], data[at + 1 :]
            alternatives = [list(alt.data) for alt in data[at][1][1]]
        else:
            front, back, alternatives = [], [], [data]
        edges = [_end_edge(front + alt + back, parsed.state.flags) for alt in alternatives]
        if any(edge is False for edge in edges) or all(edge is None for edge in edges):
            return None
        return cls(parsed, front, alternatives, back, edges, regex if regex is not None else re.compile(pattern))

    def __call__(self, string: str, pos: int = 0) -> Optional["re.Match"]:
        """string (str): The string. pos (int): Where the search starts.
        RETURNS (Optional[re.Match]): What the whole regex's ``search(string, pos)`` returns.
        """
        search, earliest = self.search_for(string)
        return search(string, max(pos, earliest))

    def search_for(self, string: str) -> Tuple[Callable, int]:
        """string (str): The string.
        RETURNS (Tuple[Callable, int]): A ``search`` that answers for the string as the whole
        regex's does, and the earliest position where one of its matches can start (matches end
        the string and have a longest width): searching from there finds the same match, as the
        regex's look-behinds and anchors still see the whole string. For an empty string or one
        that ends with a newline (before which "$" also matches), the whole regex from 0.
        """
        if not string or string[-1] == "\n":
            return self.search_all, 0
        found = self._by_char.get(string[-1])
        search, width = found if found is not None else self._choose(string[-1])
        return search, max(0, len(string) - width)

    def _choose(self, char: str) -> Tuple[Callable, int]:
        """The search of the regex of the alternatives that can end with a character, and the
        longest match it can find."""
        code = ord(char)
        choice = tuple(
            i for i, edge in enumerate(self._edges) if edge is None or any(low <= code <= high for low, high in edge)
        )
        found = self._by_choice.get(choice)
        if found is None:
            if choice:
                regex, width = self._compile(choice)
                found = regex.search, width if width <= LONGEST_WIDTH else sys.maxsize
            else:
                found = _no_match, 0
            self._by_choice[choice] = found  # one assignment: another thread sees all or nothing
        if len(self._by_char) < DISPATCH_CHARS:
            self._by_char[char] = found
        return found

    def _compile(self, choice) -> Tuple["re.Pattern", int]:
        """A compiled regex of some alternatives, in their order, with the rest of the regex, and
        its longest match (look-arounds do not count)."""
        if len(choice) == 1:
            middle = self._alternatives[choice[0]]
        else:
            middle = [(C.BRANCH, (None, [_parser.SubPattern(self._state, self._alternatives[i]) for i in choice]))]
        parsed = _parser.SubPattern(self._state, self._front + middle + self._back)
        return _compiler.compile(parsed), parsed.getwidth()[1]


@lru_cache(maxsize=64)
def end_dispatch(pattern: str) -> Optional[EndDispatch]:
    """``EndDispatch.build``, once per regex for the process: the tokenizers of one suffix regex
    (spaCy builds the tokenizer twice when a pipeline loads) share one dispatch and its searches,
    which it keeps in single assignments, safe for threads.

    pattern (str): The regex. RETURNS (Optional[EndDispatch]): As ``EndDispatch.build``.
    """
    return EndDispatch.build(pattern)


def _refers_to_group(value) -> bool:
    """Whether a parsed regex (or a part of it) holds a group reference or a conditional."""
    if isinstance(value, _parser.SubPattern):
        value = value.data
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and value[0] in (C.GROUPREF, C.GROUPREF_EXISTS):
            return True
        return any(_refers_to_group(part) for part in value)
    return False


def _end_edge(items, flags: int):
    """The characters a match of one alternative can end with, if all its matches end the string.

    items: The alternative's parsed items (with the regex's items around the alternation).
    flags (int): The regex's flags.
    RETURNS: A list of (low, high) code point ranges; None when not known (keep it always);
    False when it does not end with "$" or "\\Z".
    """
    if not items or items[-1][0] is not C.AT or items[-1][1] not in _ENDS:
        return False
    ranges, nullable = _edge(items, bool(flags & re.IGNORECASE))
    return None if ranges is None or nullable else ranges


def _edge(items, ignorecase: bool):
    """The characters the last consumed character of a match of a sequence can be.

    RETURNS (Tuple[Optional[list], bool]): The (low, high) ranges (None: not known) and whether
    the sequence can match without consuming anything.
    """
    ranges = []
    for op, av in reversed(items):
        if op in _ZERO_WIDTH:
            continue
        found, nullable = _item_edge(op, av, ignorecase)
        if found is None:
            return None, False
        ranges.extend(found)
        if not nullable:
            return ranges, False
    return ranges, True


def _item_edge(op, av, ignorecase: bool):
    """_edge of one parsed item. Ignoring case, a literal also matches other characters (the
    Kelvin sign matches "k"): not known then."""
    if op is C.LITERAL:
        return (None if ignorecase else [(av, av)]), False
    if op is C.IN:
        return (None if ignorecase else _class_ranges(av)), False
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        found, nullable = _edge(sub.data, ignorecase)
        return found, nullable or low == 0
    if op is C.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        case = (ignorecase or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
        return _edge(sub.data, case)
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _edge(av.data, ignorecase)
    if op is C.BRANCH:
        ranges, nullable = [], False
        for branch in av[1]:
            found, empty = _edge(branch.data, ignorecase)
            if found is None:
                return None, False
            ranges.extend(found)
            nullable = nullable or empty
        return ranges, nullable
    return None, False  # ANY, NOT_LITERAL, group references...


def _class_ranges(items):
    """The code point ranges of a character class of literals and ranges (None: anything else)."""
    ranges = []
    for op, av in items:
        if op is C.LITERAL:
            ranges.append((av, av))
        elif op is C.RANGE:
            ranges.append(tuple(av))
        else:  # NEGATE, CATEGORY (\d, \w...), ...
            return None
    return ranges
