"""The starts of anchored token patterns, narrowed once for all patterns that share conditions.

Anchored patterns that take their starts from the same leading words (one PhraseMatcher key)
mostly state the same conditions after them: the "-long", "-list" and "-paren" variants of a
retention pattern repeat their base pattern's head, so they require the same words at the same
distances from the start. Each pattern's required conditions, as (earliest offset, latest
offset, condition), form a path in a trie whose root holds the PhraseMatcher's starts; a node
keeps the starts for which every condition on its path holds somewhere in its range of
positions. A condition shared by many patterns is so checked once per Doc, and a branch whose
condition holds nowhere is left with all its patterns.
"""
import bisect
from typing import Dict, List, Sequence, Set, Tuple

# (earliest, latest) offset from the start of a match at which a token meeting the condition
# must be, and the condition (see fast_ruler.Condition).
Requirement = Tuple[int, int, tuple]


def trie_order(requirements: Sequence[Requirement]) -> List[Requirement]:
    """The requirements in the order the trie checks them: set and REGEX conditions first, in
    pattern order (so variants share their head), flags last (reading a flag for a whole Doc
    costs more than a word lookup, and the words usually leave no starts).

    requirements (Sequence[Requirement]): A pattern's required conditions, in pattern order.
    RETURNS (List[Requirement]): The same requirements, reordered.
    """
    return [req for req in requirements if req[2][0] != "flag"] + [req for req in requirements if req[2][0] == "flag"]


def keep_starts(conditions, requirement: Requirement, starts: Set[int]) -> Set[int]:
    """The starts for which a token meeting the requirement's condition is within its offsets.

    conditions (DocConditions): The Doc's conditions (positions per condition, and a memo of
        the starts each requirement allows).
    requirement (Requirement): (earliest, latest, condition).
    starts (Set[int]): Candidate starts.
    RETURNS (Set[int]): The candidates kept.
    """
    low, high, cond = requirement
    kind, attr, value = cond
    n = conditions.n
    if len(starts) * (high - low + 1) * 4 < n and (attr, kind) not in conditions.matched and cond not in conditions.found:
        # A few tokens to read: cheaper than finding the condition's tokens in the whole Doc.
        if kind == "set":
            hashes = conditions.compiled.hashes_of(cond)
            values = conditions.values(attr)
            if low == high:  # one token per start: no slice to make
                last = n - low
                return {start for start in starts if start < last and values[start + low] in hashes}
            return {start for start in starts if not hashes.isdisjoint(values[start + low : start + high + 1])}
        if kind == "regex":
            verdict, strings, values = conditions.compiled.regex_verdict, conditions.doc.vocab.strings, conditions.values(attr)
            return {start for start in starts
                    if any(verdict(value, h, strings) for h in values[start + low : start + high + 1])}
        flag, wanted = conditions.flag, int(value)
        return {start for start in starts
                if any(flag(attr, i) == wanted for i in range(start + low, min(start + high + 1, n)))}
    positions = conditions.positions(cond)
    if not positions:
        return set()
    allowed = conditions.allowed.get(requirement)
    if allowed is None:
        if len(starts) * 4 < len(positions) * (high - low + 1):  # few starts: look each one up
            kept = set()
            last = len(positions)
            for start in starts:
                i = bisect.bisect_left(positions, start + low)
                if i < last and positions[i] <= start + high:
                    kept.add(start)
            return kept
        # Many starts: every start the condition allows, once per Doc for all patterns.
        allowed = conditions.allowed[requirement] = {p - k for p in positions for k in range(low, high + 1)}
    return starts & allowed


class StartTrie:
    """The anchored patterns of one PhraseMatcher key, as a trie of their required conditions."""

    def __init__(self):
        # A node: (indices of the patterns whose conditions end here, {requirement: child node}).
        self.root: Tuple[List[int], Dict[Requirement, tuple]] = ([], {})

    def add(self, requirements: Sequence[Requirement], index: int) -> None:
        """Add a pattern.

        requirements (Sequence[Requirement]): Its required conditions, in ``trie_order``.
        index (int): The pattern's index.
        """
        node = self.root
        for requirement in requirements:
            node = node[1].setdefault(requirement, ([], {}))
        node[0].append(index)

    def walk(self, conditions, starts: Set[int]) -> List[Tuple[int, Set[int]]]:
        """The starts left for each pattern, given the PhraseMatcher's starts.

        conditions (DocConditions): The Doc's conditions.
        starts (Set[int]): Where the leading words of the patterns are.
        RETURNS (List[Tuple[int, Set[int]]]): (pattern index, its starts), for the patterns with
            some starts left.
        """
        results = []
        stack = [(self.root, starts)]
        while stack:
            (indices, children), kept = stack.pop()
            for index in indices:
                results.append((index, kept))
            for requirement, child in children.items():
                narrowed = keep_starts(conditions, requirement, kept)
                if narrowed:
                    stack.append((child, narrowed))
        return results
