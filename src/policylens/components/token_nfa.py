"""A token pattern of bounded length as a small automaton, run from given starts.

The Matcher reads a token pattern as a regular expression over tokens (each pattern token
repeated within its counts) and returns all its matches, not the greedy ones; ``TokenNFA``
finds the same ends from one start. The Doc's verdicts of each token test are kept for all the
patterns of a ruler (the variants of a pattern walk the same tokens with the same tests), and
each automaton remembers its steps per set of states and verdicts: a deterministic automaton,
built as far as the texts need it.

A set of states is an int with a bit per state, and each set met is given a number: the memos
hold only ints and tuples of ints, which the garbage collector stops tracking once it has seen
them (frozensets it tracks, and a pass made thousands that filled its oldest generation).
"""
from itertools import count
from typing import Dict, List, Optional, Sequence, Set, Tuple

# (min, max) repetitions of a pattern token; max None: unbounded
Counts = Tuple[int, Optional[int]]
# An automaton remembers its steps per (states, verdicts); the memo starts over past this size.
STEP_MEMO_SIZE = 100_000


# Distinct token tests (``token_tests``) -> (a number that names them in a Doc's verdicts, the
# first of the equal tests given it).
_TEST_IDS: Dict[tuple, Tuple[int, tuple]] = {}


def test_id(tests: tuple) -> Tuple[int, tuple]:
    """A number for a pattern token's tests, the same for equal tests of any pattern, and the
    tests that number was first given for.

    The automata keep those first tests: the variants of a pattern repeat its tokens, each with
    its own frozensets of string hashes, ~1,500 sets (~60,000 references) in the retention ruler
    that every full garbage collection walked, ~200 once shared.
    tests (tuple): ``token_tests`` of a pattern token.
    RETURNS (Tuple[int, tuple]): (its number, tests equal to ``tests``).
    """
    known = _TEST_IDS.get(tests)
    if known is None:
        known = _TEST_IDS[tests] = (len(_TEST_IDS), tests)
    return known


def bits_of(mask: int) -> List[int]:
    """The positions of the bits set in ``mask`` (the states of a set), ascending.

    mask (int): A set as a bit per member, >= 0.
    RETURNS (List[int]): The members.
    """
    digits = bin(mask)[:1:-1]  # lowest bit first, "0b" left out
    found = []
    i = digits.find("1")
    while i >= 0:
        found.append(i)
        i = digits.find("1", i + 1)
    return found


class TokenNFA:
    """A token pattern as a small automaton over (pattern token, repetitions) states, built once.

    The pattern is read as the regular expression it is (each token repeated within its counts),
    so ``ends`` finds the ends of all the matches spaCy's Matcher returns from a start.
    """

    def __init__(self, tests: Sequence[tuple], counts: Sequence[Counts]):
        """tests (Sequence[tuple]): Per token, its ``token_tests``. counts (Sequence[Counts]): Its repetitions."""
        # The tables are tuples: never changed after this, and (of ints) not tracked by the
        # garbage collector.
        known = [test_id(t) for t in tests]
        self.tests = tuple(t for _, t in known)
        self.ids = tuple(number for number, _ in known)
        k = len(tests)
        # A state is (token, repetitions so far); past an unbounded token's minimum, more
        # repetitions lead back to the same state.
        caps = [low if high is None else high for low, high in counts]
        states = [(i, c) for i in range(k) for c in range(caps[i] + 1)]
        number = {state: n for n, state in enumerate(states)}
        self.token = tuple(i for i, _ in states)
        advance = []
        for i, c in states:
            low, high = counts[i]
            nxt = (i, min(c + 1, low)) if high is None else (i, c + 1)
            advance.append(number[nxt] if (high is None or c < high) else -1)
        self.advance = tuple(advance)
        # Per state: the states reachable without consuming a token that can consume one, and
        # whether the end of the pattern is reachable (a match ends here).
        closure: List[Tuple[Tuple[int, ...], bool]] = []
        for i, c in states:
            reach, accept, j, cj = [], False, i, c
            while True:
                if advance[number[(j, cj)]] >= 0:
                    reach.append(number[(j, cj)])
                if cj < counts[j][0]:
                    break
                j, cj = j + 1, 0
                if j == k:
                    accept = True
                    break
            closure.append((tuple(reach), accept))
        self.closure = tuple(closure)
        self.start = number[(0, 0)] if k else None
        self._alone: Optional["CombinedNFA"] = None  # this automaton run on its own, see ends

    def ends(self, conditions: "DocConditions", start: int, n: int) -> Set[int]:
        """Where the matches that start at token ``start`` end (exclusive), empty ones left out.

        The walk is ``CombinedNFA``'s, over this one pattern (one loop to keep right, not two).
        conditions (DocConditions): The Doc's attributes (fast_ruler.DocConditions).
        start (int): The first token of the matches.
        n (int): The Doc's length.
        RETURNS (Set[int]): The end positions.
        """
        if self._alone is None:
            self._alone = CombinedNFA([self])
        return {end for _, end in self._alone.ends(conditions, start, n, (0,))}


class _Memo:
    """What a ``CombinedNFA`` has worked out for the texts so far: the sets of states met, each
    with a number, and per number what it reads and where it goes.

    Numbers rather than the sets as keys: the set of a large automaton is an int of thousands of
    bits, whose hash Python works out again at every lookup (~0.2 µs each, two per token). The
    memo is replaced whole when it grows too big (one assignment), so a walk in another thread
    keeps the numbers it holds; two threads that meet a new set at once may give it two numbers,
    both right.

    It holds ints and flat tuples of ints only: the collector stops tracking a tuple when all its
    items are untracked at its look, and it may look at a new outer tuple before the new tuple
    inside it (it reorders what it walks), so nested new tuples can stay tracked into its oldest
    generation.
    """

    __slots__ = ("number", "mask", "counter", "initial", "reads", "targets", "ended", "steps")

    def __init__(self):
        self.number: Dict[int, int] = {0: 0}  # set of states (a bit per state) -> its number; 0: none
        self.mask: Dict[int, int] = {0: 0}  # number -> set of states
        self.counter = count(1)  # next() is one step under the GIL: no number handed out twice
        self.initial: Dict[Tuple[int, ...], int] = {}  # patterns -> the number of their states at a start
        # number -> the numbers of the tests its states read, sorted (a verdict's bit is its place)
        self.reads: Dict[int, Tuple[int, ...]] = {}
        # number -> per test read, in that order: the states after a token that passes it (a bit
        # each), the patterns whose match ends there (a bit each); two ints per test
        self.targets: Dict[int, Tuple[int, ...]] = {}
        self.ended: Dict[int, Tuple[int, ...]] = {0: ()}  # patterns, a bit each -> the patterns, ascending
        # (number, verdicts) -> (the number of the states after, the patterns whose match ends
        # there, a bit each: a key of ``ended``)
        self.steps: Dict[Tuple[int, int], Tuple[int, int]] = {}

    def numbered(self, mask: int) -> int:
        """The number of a set of states, given one on first sight.

        mask (int): States, a bit each. RETURNS (int): Its number (0 for none).
        """
        number = self.number.get(mask)
        if number is None:
            number = next(self.counter)
            self.mask[number] = mask  # before the number is handed out
            self.number[mask] = number
        return number

    def ending(self, mask: int) -> int:
        """A set of patterns whose match ends, with its patterns in ``ended`` from now on.

        mask (int): Patterns, a bit each. RETURNS (int): ``mask``.
        """
        if mask not in self.ended:
            self.ended[mask] = tuple(bits_of(mask))
        return mask


class CombinedNFA:
    """The automata of several patterns, run as one from a start for those of them that may
    start there.

    The "-long", "-list" and "-paren" variants of a pattern share its head: run one by one,
    each would read the same tokens from the same start. Here the patterns' states are numbered
    side by side, a state reads the test of its pattern token by the test's number (equal tests
    of different patterns are one), and a step gives the states that follow and the patterns
    whose match ends there; steps are remembered per (states, verdicts), for
    all the starts of all Docs.
    """

    def __init__(self, nfas: Sequence[TokenNFA]):
        """nfas (Sequence[TokenNFA]): The patterns' automata; their position names them in ``ends``."""
        test_of: List[int] = []  # state -> the number of its token's test
        self.tests: Dict[int, tuple] = {}  # test number -> the tests
        # state -> the states after it reads a token, a bit each; the pattern whose match ends
        # there, a bit (0: none)
        after: List[int] = []
        ends: List[int] = []
        start_states: List[int] = []  # pattern -> its states at a start, a bit each
        offset = 0
        for number, nfa in enumerate(nfas):
            masks = [sum(1 << (r + offset) for r in reach) for reach, _ in nfa.closure]
            for state, i in enumerate(nfa.token):
                test_of.append(nfa.ids[i])
                self.tests[nfa.ids[i]] = nfa.tests[i]
                advance = nfa.advance[state]
                # the states of a set can all read a token (the closure keeps only those)
                after.append(masks[advance] if advance >= 0 else 0)
                ends.append(1 << number if advance >= 0 and nfa.closure[advance][1] else 0)
            start_states.append(masks[nfa.start] if nfa.start is not None else 0)
            offset += len(nfa.token)
        self.test_of: Tuple[int, ...] = tuple(test_of)
        self.after: Tuple[int, ...] = tuple(after)
        self.ends_of: Tuple[int, ...] = tuple(ends)
        self.start_states: Tuple[int, ...] = tuple(start_states)
        self._memo = _Memo()

    def ends(self, conditions: "DocConditions", start: int, n: int, patterns: Tuple[int, ...]) -> List[Tuple[int, int]]:
        """Where the matches of some of the patterns that start at token ``start`` end, empty
        ones left out.

        conditions (DocConditions): The Doc's attributes (fast_ruler.DocConditions).
        start (int): The first token of the matches.
        n (int): The Doc's length.
        patterns (Tuple[int, ...]): The patterns to match (positions in the automata given).
        RETURNS (List[Tuple[int, int]]): (pattern position, end) pairs, by end, then pattern.
        """
        memo = self._memo
        found: List[Tuple[int, int]] = []
        reach = memo.initial.get(patterns)
        if reach is None:
            self._start_over_if_full(memo)
            mask = 0
            for number in patterns:
                mask |= self.start_states[number]
            reach = memo.initial[patterns] = memo.numbered(mask)
        pos = start
        passes, tests, steps, reads, ended = conditions.passes, self.tests, memo.steps, memo.reads, memo.ended
        verdicts, stride = conditions.verdicts, n + 1
        while True:
            if pos == n or not reach:
                return found
            tokens = reads.get(reach)
            if tokens is None:
                tokens = self._moves(memo, reach)
            passed = 0
            for bit, number in enumerate(tokens):
                key = number * stride + pos
                ok = verdicts.get(key)
                if ok is None:
                    ok = verdicts[key] = passes(tests[number], pos)
                if ok:
                    passed |= 1 << bit
            step = steps.get((reach, passed))
            if step is None:
                self._start_over_if_full(memo)
                step = steps[(reach, passed)] = self._step(memo, memo.targets[reach], passed)
            reach, accepted = step
            pos += 1
            if accepted:
                for number in ended[accepted]:
                    found.append((number, pos))

    def _start_over_if_full(self, memo: _Memo) -> None:
        """Give the automaton a new memo when ``memo`` is full, from the next walk on (checked on
        a miss only: a walk that keeps to known steps pays nothing); a walk under way keeps
        the memo it holds, whose numbers it uses.

        memo (_Memo): The memo of the walk that missed.
        """
        if len(memo.steps) + len(memo.initial) > STEP_MEMO_SIZE and self._memo is memo:
            self._memo = _Memo()

    def _moves(self, memo: _Memo, reach: int) -> Tuple[int, ...]:
        """What a set of states reads and where it goes, worked out once per set: kept in
        ``memo.targets`` and ``memo.reads`` (see ``_Memo``).

        memo (_Memo): The memo the set's number is from. reach (int): The set's number.
        RETURNS (Tuple[int, ...]): The numbers of the tests its states read, sorted.
        """
        states = bits_of(memo.mask[reach])
        tokens = tuple(sorted({self.test_of[state] for state in states}))
        place = {number: 2 * bit for bit, number in enumerate(tokens)}
        targets = [0] * (2 * len(tokens))
        for state in states:
            at = place[self.test_of[state]]
            targets[at] |= self.after[state]
            targets[at + 1] |= self.ends_of[state]
        memo.targets[reach] = tuple(targets)  # first: a thread that sees reads[reach] needs it
        memo.reads[reach] = tokens
        return tokens

    @staticmethod
    def _step(memo: _Memo, targets: Tuple[int, ...], passed: int) -> Tuple[int, int]:
        """The states after one token, and the patterns whose match ends after it.

        memo (_Memo): Where the sets are numbered.
        targets (Tuple[int, ...]): ``memo.targets`` of the states before. passed (int): The
            verdicts, a bit per test.
        RETURNS (Tuple[int, int]): (the number of the states after, the patterns, a bit each).
        """
        following = ended = 0
        for bit in range(len(targets) // 2):
            if passed >> bit & 1:
                following |= targets[2 * bit]
                ended |= targets[2 * bit + 1]
        return memo.numbered(following), memo.ending(ended)
