"""A token pattern of bounded length as a small automaton, run from given starts.

The Matcher reads a token pattern as a regular expression over tokens (each pattern token
repeated within its counts) and returns all its matches, not the greedy ones; ``TokenNFA``
finds the same ends from one start. The Doc's verdicts of each token test are kept for all the
patterns of a ruler (the variants of a pattern walk the same tokens with the same tests), and
each automaton remembers its steps per set of states and verdicts: a deterministic automaton,
built as far as the texts need it.
"""
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

# (min, max) repetitions of a pattern token; max None: unbounded
Counts = Tuple[int, Optional[int]]
# An automaton remembers its steps per (states, verdicts); the memo starts over past this size.
STEP_MEMO_SIZE = 100_000


# Distinct token tests (``token_tests``) -> a number that names them in a Doc's verdicts.
_TEST_IDS: Dict[tuple, int] = {}


def test_id(tests: tuple) -> int:
    """A number for a pattern token's tests, the same for equal tests of any pattern."""
    number = _TEST_IDS.get(tests)
    if number is None:
        number = _TEST_IDS[tests] = len(_TEST_IDS)
    return number


class TokenNFA:
    """A token pattern as a small automaton over (pattern token, repetitions) states, built once.

    The pattern is read as the regular expression it is (each token repeated within its counts),
    so ``ends`` finds the ends of all the matches spaCy's Matcher returns from a start.
    """

    def __init__(self, tests: Sequence[tuple], counts: Sequence[Counts]):
        """tests (Sequence[tuple]): Per token, its ``token_tests``. counts (Sequence[Counts]): Its repetitions."""
        self.tests = list(tests)
        self.ids = [test_id(t) for t in self.tests]
        k = len(tests)
        # A state is (token, repetitions so far); past an unbounded token's minimum, more
        # repetitions lead back to the same state.
        caps = [low if high is None else high for low, high in counts]
        states = [(i, c) for i in range(k) for c in range(caps[i] + 1)]
        number = {state: n for n, state in enumerate(states)}
        self.token = [i for i, _ in states]
        self.advance = []
        for i, c in states:
            low, high = counts[i]
            nxt = (i, min(c + 1, low)) if high is None else (i, c + 1)
            self.advance.append(number[nxt] if (high is None or c < high) else -1)
        # Per state: the states reachable without consuming a token that can consume one, and
        # whether the end of the pattern is reachable (a match ends here).
        self.closure: List[Tuple[Tuple[int, ...], bool]] = []
        for i, c in states:
            reach, accept, j, cj = [], False, i, c
            while True:
                if self.advance[number[(j, cj)]] >= 0:
                    reach.append(number[(j, cj)])
                if cj < counts[j][0]:
                    break
                j, cj = j + 1, 0
                if j == k:
                    accept = True
                    break
            self.closure.append((tuple(reach), accept))
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
        self.test_of: List[int] = []  # state -> the number of its token's test
        self.tests: Dict[int, tuple] = {}  # test number -> the tests
        self.owner: List[int] = []  # state -> its pattern's position in ``nfas``
        self.advance: List[int] = []
        self.closure: List[Tuple[Tuple[int, ...], bool]] = []
        self.start_states: List[Tuple[int, ...]] = []  # pattern -> its states at a start
        offset = 0
        for number, nfa in enumerate(nfas):
            for state, i in enumerate(nfa.token):
                self.test_of.append(nfa.ids[i])
                self.tests[nfa.ids[i]] = nfa.tests[i]
                self.owner.append(number)
                advance = nfa.advance[state]
                self.advance.append(advance + offset if advance >= 0 else -1)
                reach, accept = nfa.closure[state]
                self.closure.append((tuple(r + offset for r in reach), accept))
            self.start_states.append(self.closure[nfa.start + offset][0] if nfa.start is not None else ())
            offset += len(nfa.token)
        self.initial: Dict[Tuple[int, ...], FrozenSet[int]] = {}  # patterns -> their states at a start
        self.tokens_of: Dict[FrozenSet[int], tuple] = {}  # states -> _moves(states)
        self.steps: Dict[Tuple[FrozenSet[int], int], Tuple[FrozenSet[int], FrozenSet[int]]] = {}

    def ends(self, conditions: "DocConditions", start: int, n: int, patterns: Tuple[int, ...]) -> List[Tuple[int, int]]:
        """Where the matches of some of the patterns that start at token ``start`` end, empty
        ones left out.

        conditions (DocConditions): The Doc's attributes (fast_ruler.DocConditions).
        start (int): The first token of the matches.
        n (int): The Doc's length.
        patterns (Tuple[int, ...]): The patterns to match (positions in the automata given).
        RETURNS (List[Tuple[int, int]]): (pattern position, end) pairs.
        """
        found: List[Tuple[int, int]] = []
        reach = self.initial.get(patterns)
        if reach is None:
            if len(self.initial) > STEP_MEMO_SIZE:
                self.initial.clear()
            reach = self.initial[patterns] = frozenset(s for number in patterns for s in self.start_states[number])
        pos = start
        passes, tests, steps, tokens_of = conditions.passes, self.tests, self.steps, self.tokens_of
        verdicts, stride = conditions.verdicts, n + 1
        while True:
            if pos == n or not reach:
                return found
            moves = tokens_of.get(reach)
            if moves is None:
                moves = tokens_of[reach] = self._moves(reach)
            tokens = moves[0]
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
                if len(steps) > STEP_MEMO_SIZE:
                    steps.clear()
                step = steps[(reach, passed)] = self._step(moves[1], passed)
            reach, accepted = step
            pos += 1
            for number in accepted:
                found.append((number, pos))

    def _moves(self, reach: FrozenSet[int]) -> Tuple[Tuple[int, ...], Tuple[Tuple[int, Tuple[int, ...], int], ...]]:
        """What a set of states reads and where each state goes, worked out once per set.

        reach (FrozenSet[int]): States.
        RETURNS (Tuple[tuple, tuple]): (the numbers of the tests its states read, sorted; per
            state: (the bit of its test's verdict, the states after it reads a token, the
            pattern whose match ends there or -1)).
        """
        tokens = tuple(sorted({self.test_of[state] for state in reach}))
        moves = []
        for state in reach:
            step_reach, step_accept = self.closure[self.advance[state]]
            moves.append((tokens.index(self.test_of[state]), step_reach, self.owner[state] if step_accept else -1))
        return tokens, tuple(moves)

    @staticmethod
    def _step(moves: Tuple[Tuple[int, Tuple[int, ...], int], ...], passed: int) -> Tuple[FrozenSet[int], FrozenSet[int]]:
        """The states after one token, and the patterns whose match ends after it.

        moves (tuple): ``_moves(reach)[1]``. passed (int): The verdicts, a bit per test.
        """
        following: Set[int] = set()
        accepted: Set[int] = set()
        for bit, step_reach, owner in moves:
            if passed >> bit & 1:
                following.update(step_reach)
                if owner >= 0:
                    accepted.add(owner)
        return frozenset(following), frozenset(accepted)
