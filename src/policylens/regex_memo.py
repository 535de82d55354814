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
"""
import re
from functools import lru_cache
from typing import Callable, Optional

MEMO_SIZE = 1 << 15
MEMO_LONGEST = 32
METHODS = ("search", "match", "finditer")


class RegexMemo:
    """One method of a compiled regex (``search``, ``match`` or ``finditer``), memoized.

    Hand spaCy the bound method ``call``: spaCy saves ``call.__self__.pattern`` with the
    tokenizer, as it does for a compiled pattern's own method. ``finditer`` answers with an
    iterator over the matches, as ``re`` does.
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
        if method == "finditer":
            finditer = self.regex.finditer
            self._memo = lru_cache(maxsize=size)(lambda string: tuple(finditer(string)))
        else:
            # The memo calls ``uncached`` (the regex's own method unless a subclass narrows it).
            answer = getattr(self.regex, method) if type(self).uncached is RegexMemo.uncached else self.uncached
            self._memo = lru_cache(maxsize=size)(answer)

    def call(self, string: str):
        """string (str): The string. RETURNS: What ``getattr(regex, method)(string)`` returns."""
        if len(string) <= self.longest:
            found = self._memo(string)
            return iter(found) if self.method == "finditer" else found
        return self.uncached(string)

    def uncached(self, string: str):
        """The regex's own answer for a string too long to remember (subclasses narrow the work)."""
        return getattr(self.regex, self.method)(string)

    def __reduce__(self):
        return (type(self), (self.pattern, self.method, self.size, self.longest))


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
