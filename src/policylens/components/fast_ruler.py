"""spaCy's SpanRuler with token patterns compiled into faster, equivalent matchers.

spaCy's ``Matcher`` tries every token pattern at every token, so its cost is patterns x tokens
whatever the patterns say: with the few hundred hand-written token patterns of policylens it
took three quarters of the pipeline's time. This ruler compiles each token pattern, once, when
it is added, into the cheapest of three ways to find the same matches:

- **phrases**: most patterns are finite sets of word sequences in disguise (every token requires
  LOWER, ORTH or TEXT to be one of some strings, with no operator or a bounded one: "?",
  "{n}", "{m,n}"). Repetitions are unrolled into single-token slots; the slots from the first
  required one on, as long as they spell at most ``MAX_EXPANSIONS`` word sequences and up to
  the last required one among them, are matched on LOWER
  (``type_phrases.TypePhrases``: the numbers of the token texts looked up in a table, the
  sequences walked as a trie in numpy for a batch of Docs at once; called "the PhraseMatcher"
  below, whose matches it returns); where they match, the slots before and
  after are checked token by token: for each group of patterns with the same entry chunk, once
  per Doc for all its matches (``SlotTrie``), after dropping the matches whose first required
  word after the chunk is not within reach. ORTH values that case could change are checked on
  the match.
- **anchored**: any other pattern of bounded length. Its possible starts come from the words of
  its leading tokens (through the same PhraseMatcher, sharing a key with a phrase group whose
  entry chunk is the same words) or, for patterns without leading words, from the required
  token whose condition the fewest tokens of the Doc meet (set conditions through the
  PhraseMatcher, REGEX conditions tried once per string). Starts are dropped where another
  required token's condition holds nowhere in the range of positions it could take; the
  patterns of one PhraseMatcher key do this in a trie of their conditions (``start_trie``), so
  the head that the "-long"/"-list" variants of a pattern share is checked once per Doc, on
  the few tokens in reach of the starts. From the starts left, a small automaton over (token,
  repetitions) states finds every match (``token_nfa``: the patterns of one key run from a
  start as one automaton, token verdicts are kept per Doc, steps per set of states). Patterns with conditions it does not know (extension
  attributes, "!", other predicates) run their own ``Matcher`` on the stretches from those
  starts instead.
- **full**: what is left (unbounded "*"/"+", or no token with a usable condition) runs through a
  ``Matcher`` over the whole Doc, as in spaCy.

The spans are the same as spaCy's ``span_ruler`` gives: the Matcher's conditions look at one
token at a time, so a match found from a start or in a stretch is a match in the Doc, every
match starts at a start that is kept, and the automaton reads a pattern as the regular
expression the Matcher matches (all matches, not greedy). ``tests/test_fast_ruler.py`` checks
this against ``span_ruler`` on every token pattern of ``patterns/`` and on random Docs. Patterns, config and serialisation are spaCy's;
``ruler.patterns`` returns the patterns as given. ``ruler.compiled.counts`` says how many
patterns went each way.
"""
import itertools
import re
import threading
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

import numpy
from spacy.attrs import IDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline.span_ruler import SpanRuler
from spacy.tokens import Doc, Span

from .batch_pipe import MAX_BATCH_TOKENS, BatchPipe, token_batches
from .doc_arrays import TEXT_ATTRS, text_array, text_list
from .start_trie import StartTrie, keep_starts, trie_order
from .token_nfa import CombinedNFA, TokenNFA
from .type_phrases import TypePhrases

# Word sequences per chunk of a pattern matched as phrases (and words per token at most).
MAX_EXPANSIONS = 300
# REGEX conditions remember their verdict per string; the memo starts over past this size.
REGEX_MEMO_SIZE = 1_000_000
_ATTRS = {"LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH"}
# Boolean token attributes usable as conditions: lexical flags, read for a whole Doc at once.
FLAGS = (
    "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE",
    "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY",
    "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL",
)
_REPEAT_RE = re.compile(r"\{(\d*)(,?)(\d*)\}")

Counts = Tuple[int, Optional[int]]  # (min, max) repetitions of a pattern token; max None: unbounded
# A condition a token must meet: ("set", "LOWER"/"ORTH", strings), ("regex", "LOWER"/"ORTH",
# pattern) or ("flag", attribute name, value).
Condition = Tuple[str, str, object]
# Equal conditions of all patterns -> the first of them: the variants of a pattern repeat its
# tokens, and each would keep its own frozenset of strings for the garbage collector to walk.
_CONDITIONS: Dict[Condition, Condition] = {}


def op_counts(op: Optional[str]) -> Optional[Counts]:
    """How many times a pattern token may repeat under its operator.

    op (Optional[str]): The token's "OP" (None for exactly once).
    RETURNS (Optional[Counts]): (min, max), max None when unbounded; None for "!" (negation).
    """
    if op is None:
        return (1, 1)
    simple = {"?": (0, 1), "*": (0, None), "+": (1, None), "1": (1, 1)}
    if op in simple:
        return simple[op]
    match = _REPEAT_RE.fullmatch(op)
    if match is None:
        return None
    low, comma, high = match.groups()
    if not comma:  # "{n}"
        return (int(low), int(low)) if low else None
    return (int(low) if low else 0, int(high) if high else None)


def word_set(token: dict) -> Optional[Tuple[str, FrozenSet[str]]]:
    """The strings a pattern token accepts, when that is all it says.

    token (dict): One token of a token pattern.
    RETURNS (Optional[Tuple[str, FrozenSet[str]]]): ("LOWER" or "ORTH", the strings), or None
        when the token has other conditions. LOWER strings with upper-case letters are left
        out: no token's lower-case form equals them.
    """
    keys = [key for key in token if key != "OP"]
    if len(keys) != 1 or keys[0].upper() not in _ATTRS:
        return None
    attr, value = _ATTRS[keys[0].upper()], token[keys[0]]
    if isinstance(value, str):
        values = [value]
    elif isinstance(value, dict) and list(value) == ["IN"] and isinstance(value["IN"], list):
        values = value["IN"]
    else:
        return None
    if not all(isinstance(v, str) for v in values):
        return None
    if attr == "LOWER":
        values = [v for v in values if v == v.lower()]
    return attr, frozenset(values)


def _case_safe(value: str) -> bool:
    """Whether ORTH == value is the same test as LOWER == value.lower() (ASCII, no letters)."""
    return value.isascii() and not any(c.isalpha() for c in value)


# One token of a pattern after repetitions are unrolled: the lower-case words it accepts, the
# ORTH strings to check on a match (None: no check), and whether it may be left out.
Slot = Tuple[Tuple[str, ...], Optional[FrozenSet[str]], bool]


def unrolled_slots(pattern: Sequence[dict], limit: int = MAX_EXPANSIONS, prefix: bool = False) -> Optional[List[Slot]]:
    """A token pattern as a sequence of single-token slots, when it is a finite set of word sequences.

    "{m,n}" becomes m required and n - m optional copies of the token (the same word sequences).

    pattern (Sequence[dict]): A token pattern.
    limit (int): The most words one token may accept.
    prefix (bool): Return the slots of the tokens before the first one that is not a finite
        set of words, instead of None.
    RETURNS (Optional[List[Slot]]): The slots; None when a token says more than "one of these
        strings" or repeats without bound; an empty list when the pattern can never match.
    """
    slots: List[Slot] = []
    for token in pattern:
        words = word_set(token)
        counts = op_counts(token.get("OP"))
        if words is not None and len(words[1]) > limit:
            words = None
        if words is None or counts is None or counts[1] is None:
            return slots if prefix else None
        attr, values = words
        if attr == "ORTH":
            check = None if all(_case_safe(v) for v in values) else values
            lowered = tuple(sorted({v.lower() for v in values}))
        else:
            check, lowered = None, tuple(sorted(values))
        if not lowered:  # no token can pass: the pattern never matches, or the token is left out
            if counts[0]:
                return []
            continue
        slots.extend([(lowered, check, False)] * counts[0] + [(lowered, check, True)] * (counts[1] - counts[0]))
    return slots


def chunk_slots(slots: Sequence[Slot], limit: int = MAX_EXPANSIONS) -> List[List[Slot]]:
    """Cut slots into consecutive chunks of at most ``limit`` word sequences each (greedy).

    slots (Sequence[Slot]): From ``unrolled_slots``.
    limit (int): The most word sequences (counting the empty one) per chunk.
    RETURNS (List[List[Slot]]): The chunks, in order.
    """
    chunks: List[List[Slot]] = []
    size = 0
    for slot in slots:
        choices = len(slot[0]) + (1 if slot[2] else 0)
        if chunks and size * choices <= limit:
            chunks[-1].append(slot)
            size *= choices
        else:
            chunks.append([slot])
            size = choices
    return chunks


def chunk_sequences(chunk: Sequence[Slot]) -> Set[Tuple[Tuple[str, ...], tuple]]:
    """The non-empty word sequences a chunk accepts.

    chunk (Sequence[Slot]): Consecutive slots.
    RETURNS (Set[Tuple[Tuple[str, ...], tuple]]): (words, checks) pairs, checks a tuple of
        (position, ORTH strings) that a match must pass.
    """
    options = [list(words) + ([None] if optional else []) for words, _, optional in chunk]
    sequences = set()
    for choice in itertools.product(*options):
        words, checks = [], []
        for word, (_, check, _) in zip(choice, chunk):
            if word is None:
                continue
            if check is not None:
                checks.append((len(words), check))
            words.append(word)
        if words:
            sequences.add((tuple(words), tuple(checks)))
    return sequences


def plan_chunks(slots: Sequence[Slot], limit: int = MAX_EXPANSIONS) -> Optional[Tuple[list, list, list]]:
    """Split slots into the chunk a PhraseMatcher finds and the slots matched around it.

    The entry chunk starts at the first required slot, so it never matches nothing and its
    first word is rarely a common one; it takes the following slots while it has at most
    ``limit`` word sequences, and ends with a required one (``entry_chunk``). The optional
    slots before it and the slots after it are checked only where it matched.

    slots (Sequence[Slot]): From ``unrolled_slots``.
    limit (int): The most word sequences of the entry chunk.
    RETURNS (Optional[Tuple[list, list, list]]): (slots before, entry chunk, slots after);
        None when every slot is optional.
    """
    first = next((i for i, slot in enumerate(slots) if not slot[2]), None)
    if first is None:
        return None
    entry = entry_chunk(slots[first:], limit)
    return list(slots[:first]), entry, list(slots[first + len(entry) :])


def entry_chunk(slots: Sequence[Slot], limit: int = MAX_EXPANSIONS) -> List[Slot]:
    """The first chunk of slots that start with a required one (``chunk_slots``), without the
    optional slots at its end: those are left to the walk after it, since in the chunk they
    would make the PhraseMatcher return a match per way to end ("information", "information
    that", ...) for every occurrence.

    slots (Sequence[Slot]): Slots, the first one required.
    limit (int): The most word sequences of the chunk.
    RETURNS (List[Slot]): The chunk (its first slot at least).
    """
    entry = chunk_slots(slots, limit)[0]
    while entry[-1][2]:
        entry = entry[:-1]
    return entry



# Token attributes a phrase matcher may read -> what a component must assign to change them.
# Lexical attributes (ORTH, LOWER, SHAPE, ...) come from the tokenizer alone.
_ATTR_ASSIGNS: Dict[str, Set[str]] = {
    "ORTH": set(), "TEXT": set(), "LOWER": set(), "SHAPE": set(),
    "LEMMA": {"token.lemma"}, "NORM": {"token.norm"}, "POS": {"token.pos"},
    "TAG": {"token.tag"}, "MORPH": {"token.morph"}, "DEP": {"token.dep"},
}

class SlotWalk:
    """Slots matched token by token from a set of positions, forwards or backwards."""

    def __init__(self, vocab, slots: Sequence[Slot]):
        """vocab (Vocab): For the hashes. slots (Sequence[Slot]): Consecutive slots, in pattern order."""
        self.slots = [
            (frozenset(vocab.strings.add(word) for word in words), _hashed(vocab, check), optional)
            for words, check, optional in slots
        ]

    def ends(self, lowers: List[int], conditions: "DocConditions", starts: Set[int]) -> Set[int]:
        """Where the slots, matched from one of ``starts`` on, can end."""
        n = len(lowers)
        positions = starts
        for hashes, check, optional in self.slots:
            following = set(positions) if optional else set()
            for p in positions:
                if p < n and lowers[p] in hashes and (check is None or conditions.orth(p) in check):
                    following.add(p + 1)
            positions = following
            if not positions:
                break
        return positions

    def starts(self, lowers: List[int], conditions: "DocConditions", ends: Set[int]) -> Set[int]:
        """Where the slots, matched so that they end at one of ``ends``, can start."""
        positions = ends
        for hashes, check, optional in reversed(self.slots):
            following = set(positions) if optional else set()
            for p in positions:
                if p > 0 and lowers[p - 1] in hashes and (check is None or conditions.orth(p - 1) in check):
                    following.add(p - 1)
            positions = following
            if not positions:
                break
        return positions


class SlotTrie:
    """The slots after one entry chunk, for every pattern that shares the chunk, as a trie.

    Patterns that differ only in their last words ("information about your device", "...
    your health", ...) share their PhraseMatcher part and most of the slots after it: the
    slots they have in common are walked once per match of the chunk, not once per pattern.
    """

    def __init__(self, vocab):
        """vocab (Vocab): For the hashes."""
        self.vocab = vocab
        # A node: (patterns that end here [(label, id)], {slot: child node}).
        self.root: Tuple[list, dict] = ([], {})
        # The trie with hashed slots and its first required slot (see _first_required), built
        # at the first walk and set as one tuple: threads sharing the ruler read both together.
        self._compiled: Optional[Tuple[tuple, Optional[Tuple[int, FrozenSet[int]]]]] = None

    def add(self, slots: Sequence[Slot], label: str, pattern_id: str) -> None:
        """Add a pattern by the slots that follow the entry chunk (none: it ends with the chunk)."""
        node = self.root
        for slot in slots:
            node = node[1].setdefault(slot, ([], {}))
        node[0].append((label, pattern_id))
        self._compiled = None

    def _hash(self, node: Tuple[list, dict]) -> tuple:
        strings = self.vocab.strings
        children = [
            (frozenset(strings.add(word) for word in words), _hashed(self.vocab, check), optional, self._hash(child))
            for (words, check, optional), child in node[1].items()
        ]
        return tuple(node[0]), children

    @staticmethod
    def _first_required(hashed: tuple) -> Optional[Tuple[int, FrozenSet[int]]]:
        """When every pattern goes on through the same slots up to a required one: how many
        optional slots come before it and the LOWER hashes it accepts; else None.

        hashed (tuple): The trie with hashed slots (``_hash``).
        """
        patterns, children = hashed
        reach = 0
        while not patterns and len(children) == 1:
            hashes, _, optional, (patterns, children) = children[0]
            if not optional:
                return reach, hashes
            reach += 1
        return None

    def compiled(self) -> Tuple[tuple, Optional[Tuple[int, FrozenSet[int]]]]:
        """The trie with hashed slots and its first required slot, made at the first call."""
        compiled = self._compiled
        if compiled is None:
            hashed = self._hash(self.root)
            compiled = self._compiled = (hashed, self._first_required(hashed))
        return compiled

    @property
    def branches(self) -> bool:
        """Whether any pattern has slots after the entry chunk."""
        return bool(self.root[1])

    def walk(self, lowers: Optional[List[int]], conditions: "DocConditions", spans: Set[Tuple[int, int]]) -> List[Tuple[str, str, Set[Tuple[int, int]]]]:
        """The matches of each pattern, given the matches of the entry chunk (and of the slots
        before it), all of a Doc at once.

        lowers (Optional[List[int]]): The Doc's LOWER hashes (may be None when ``branches`` is False).
        conditions (DocConditions): The Doc's arrays (ORTH, for the checks).
        spans (Set[Tuple[int, int]]): (start, end) of the matches up to the end of the entry chunk.
        RETURNS (List[Tuple[str, str, Set[Tuple[int, int]]]]): (label, id, (start, end) of its
            matches) of the patterns that match.
        """
        hashed, required = self.compiled()
        n = len(lowers) if lowers is not None else 0
        if required is not None:  # most entries lack the first required word after them
            reach, hashes = required
            if reach:
                spans = {(s, e) for s, e in spans if not hashes.isdisjoint(lowers[e : e + reach + 1])}
            else:  # right after the chunk: one token to read, no slice to make
                spans = {(s, e) for s, e in spans if e < n and lowers[e] in hashes}
        results = []
        stack = [(hashed, spans)]
        while stack:
            (patterns, children), current = stack.pop()
            for label, pattern_id in patterns:
                results.append((label, pattern_id, current))
            for hashes, check, optional, child in children:
                following = set(current) if optional else set()
                if check is None:
                    following.update([(s, p + 1) for s, p in current if p < n and lowers[p] in hashes])
                else:
                    orth = conditions.orth
                    following.update([(s, p + 1) for s, p in current if p < n and lowers[p] in hashes and orth(p) in check])
                if following:
                    stack.append((child, following))
        return results


def _hashed(vocab, strings: Optional[FrozenSet[str]]) -> Optional[FrozenSet[int]]:
    """The hashes of an ORTH check's strings (None: no check)."""
    return None if strings is None else frozenset(vocab.strings.add(string) for string in strings)


def _checked(orths: numpy.ndarray, starts: List[int], ends: List[int], checks: tuple) -> List[Tuple[int, int]]:
    """The (start, end) sequences that pass ORTH checks.

    orths (numpy.ndarray): The Doc's ORTH hashes.
    starts (List[int]): Where the sequences start.
    ends (List[int]): Where they end.
    checks (tuple): (offset from the start, ORTH hashes allowed there), all of which must hold.
    RETURNS (List[Tuple[int, int]]): The sequences that pass.
    """
    at = numpy.asarray(starts)
    passed = [True] * len(starts)
    for offset, allowed in checks:
        passed = [ok and orth in allowed for ok, orth in zip(passed, orths[at + offset].tolist())]
    return [(s, e) for s, e, ok in zip(starts, ends, passed) if ok]


def condition(token: dict) -> Optional[Condition]:
    """The most selective condition a pattern token states that can be checked on a whole Doc.

    token (dict): One token of a token pattern.
    RETURNS (Optional[Condition]): A set of strings, else a REGEX, else a flag that must be true,
        else a flag that must be false; None when the token states none of these.
    """
    found: Dict[str, Condition] = {}
    for key, value in token.items():
        name = key.upper()
        if name in _ATTRS:
            attr = _ATTRS[name]
            if isinstance(value, str):
                value = {"IN": [value]}
            if not isinstance(value, dict):
                continue
            if isinstance(value.get("IN"), list) and all(isinstance(v, str) for v in value["IN"]):
                strings = frozenset(v for v in value["IN"] if attr != "LOWER" or v == v.lower())
                found.setdefault("set", ("set", attr, strings))
            elif isinstance(value.get("REGEX"), str):
                found.setdefault("regex", ("regex", attr, value["REGEX"]))
        elif name in FLAGS and isinstance(value, bool):
            found.setdefault("true" if value else "false", ("flag", name, value))
    for kind in ("set", "regex", "true", "false"):
        if kind in found:
            return _CONDITIONS.setdefault(found[kind], found[kind])  # one C call: no thread sees half
    return None


def token_offsets(pattern: Sequence[dict]) -> Optional[List[Tuple[int, int, Counts]]]:
    """Where each token of a pattern can start, counted in tokens from the start of a match.

    pattern (Sequence[dict]): A token pattern.
    RETURNS (Optional[List[Tuple[int, int, Counts]]]): (earliest, latest, repetitions) per
        token; None when a match can be of any length.
    """
    offsets = []
    low = high = 0
    for token in pattern:
        counts = op_counts(token.get("OP")) or (1, 1)  # "!" matches one token
        if counts[1] is None:
            return None
        offsets.append((low, high, counts))
        low, high = low + counts[0], high + counts[1]
    return offsets


def token_tests(token: dict, vocab) -> Optional[tuple]:
    """A pattern token as tests on token attributes, when it uses only what ``TokenNFA`` knows.

    token (dict): One token of a token pattern.
    vocab (Vocab): For the hashes of strings.
    RETURNS (Optional[tuple]): ("in", attribute, hashes, wanted), ("regex", attribute, pattern)
        and ("flag", attribute, value) tests, all of which must hold; None for anything else
        (extension attributes, other attributes or predicates, the "!" operator).
    """
    tests = []
    for key, value in token.items():
        name = key.upper()
        if key == "OP":
            if value == "!" or op_counts(value) is None:
                return None
        elif name in _ATTRS or name == "NORM":
            attr = _ATTRS.get(name, name)
            if isinstance(value, str):
                value = {"IN": [value]}
            if not isinstance(value, dict) or not value or set(value) - {"IN", "NOT_IN", "REGEX"}:
                return None
            for predicate, argument in value.items():
                if predicate == "REGEX":
                    if not isinstance(argument, str):
                        return None
                    tests.append(("regex", attr, argument))
                else:
                    if not isinstance(argument, list) or not all(isinstance(v, str) for v in argument):
                        return None
                    hashes = frozenset(vocab.strings.add(v) for v in argument)
                    tests.append(("in", attr, hashes, predicate == "IN"))
        elif name in FLAGS and isinstance(value, bool):
            tests.append(("flag", name, int(value)))
        else:
            return None
    return tuple(tests)


class HashConditions:
    """Which set and REGEX conditions on one attribute each string meets, found for many at once.

    Set conditions are known from the start. A REGEX is tried once per string (``re.search``);
    the strings already tried are remembered, so that only a Doc's new strings go through
    Python (the Doc's distinct strings are told from the known ones in numpy: a Python set of a
    Doc's 64-bit string ids costs more than the matching). The memory starts over past
    ``REGEX_MEMO_SIZE`` strings. Threads may share one: new strings are tried under a lock, and
    the memory is replaced in one assignment, so that a lookup reads one version of it.
    """

    def __init__(self, vocab, conditions: Sequence[Condition]):
        """vocab (Vocab): For the strings. conditions (Sequence[Condition]): Set and REGEX conditions."""
        self.vocab = vocab
        self.sets = [cond for cond in conditions if cond[0] == "set"]
        self.regexes = [(cond, re.compile(cond[2])) for cond in conditions if cond[0] == "regex"]
        self._any_regex = _any_of([cond[2] for cond, _ in self.regexes])
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        met: Dict[int, Tuple[Condition, ...]] = {}
        for cond in self.sets:
            for string in cond[2]:
                h = self.vocab.strings.add(string)
                met[h] = met.get(h, ()) + (cond,)
        # (sorted hashes the regexes were tried on, hash -> the conditions its string meets,
        # the sorted hashes of that dict)
        self._memo: Tuple[numpy.ndarray, Dict[int, Tuple[Condition, ...]], numpy.ndarray] = (
            numpy.empty(0, dtype="uint64"), met, numpy.asarray(sorted(met), dtype="uint64"))

    def positions(self, hashes: numpy.ndarray, strings) -> Dict[Condition, List[int]]:
        """Where the strings of ``hashes`` meet each condition.

        hashes (numpy.ndarray): String hashes (uint64), e.g. a Doc's LOWER values.
        strings (StringStore): Where the strings of the hashes are (the Doc's).
        RETURNS (Dict[Condition, List[int]]): Sorted positions per condition, for the conditions
            met somewhere.
        """
        tried, met, keys = self._memo
        if self.regexes and len(hashes):
            distinct = _sorted_unique(hashes)
            new = distinct[~_in_sorted(distinct, tried)]
            if len(new):
                with self._lock:  # once per string: a string tried twice would list its conditions twice
                    self._try(new, strings)
                tried, met, keys = self._memo
            if not self.sets:
                matched = distinct[_in_sorted(distinct, keys)]
                if not len(matched):
                    return {}  # no string of the Doc meets a REGEX: the usual case
                if len(matched) <= 16:  # a few strings: compared with every token in numpy
                    return self._group(met, numpy.flatnonzero(numpy.isin(hashes, matched)), hashes)
        if not len(keys) or not len(hashes):
            return {}
        # A binary search per token in numpy; Python only for the tokens that meet a condition.
        return self._group(met, numpy.flatnonzero(_in_sorted(hashes, keys)), hashes)

    @staticmethod
    def _group(met: dict, hits: numpy.ndarray, hashes: numpy.ndarray) -> Dict[Condition, List[int]]:
        """The positions ``hits`` (of strings in ``met``) grouped by the conditions they meet."""
        found: Dict[Condition, List[int]] = {}
        for i, h in zip(hits.tolist(), hashes[hits].tolist()):
            for cond in met[h]:
                positions = found.get(cond)
                if positions is None:
                    found[cond] = [i]
                else:
                    positions.append(i)
        return found

    def _try(self, hashes: numpy.ndarray, strings) -> None:
        """Try the regexes on new strings (called under the lock) and replace the memory.

        hashes (numpy.ndarray): Sorted distinct hashes, some maybe tried meanwhile by another thread.
        """
        tried, met, keys = self._memo
        hashes = hashes[~_in_sorted(hashes, tried)]
        if not len(hashes):
            return
        if len(tried) + len(hashes) > REGEX_MEMO_SIZE:
            self._reset()
            tried, met, keys = self._memo
        met = dict(met)
        regexes, any_regex = self.regexes, self._any_regex
        for h in hashes.tolist():
            string = strings[h]
            if any_regex is not None and not any_regex.search(string):
                continue  # one search instead of one per regex: most strings meet none
            matched = tuple(cond for cond, regex in regexes if regex.search(string))
            if matched:
                met[h] = met.get(h, ()) + matched
        tried = numpy.insert(tried, numpy.searchsorted(tried, hashes), hashes)  # both sorted: stays sorted
        self._memo = (tried, met, numpy.asarray(sorted(met), dtype="uint64"))


def _sorted_unique(values: numpy.ndarray) -> numpy.ndarray:
    """The distinct values, sorted (``numpy.unique`` without its overhead, several times faster
    on a Doc's column)."""
    ordered = numpy.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[numpy.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _in_sorted(values: numpy.ndarray, keys: numpy.ndarray) -> numpy.ndarray:
    """Whether each of ``values`` is among the sorted ``keys`` (a binary search per value).

    RETURNS (numpy.ndarray): One bool per value.
    """
    if not len(keys):
        return numpy.zeros(len(values), dtype=bool)
    where = numpy.minimum(numpy.searchsorted(keys, values), len(keys) - 1)
    return keys[where] == values


def _any_of(patterns: Sequence[str]) -> Optional["re.Pattern"]:
    """One regex that ``search``es a string iff one of the patterns does, to rule out most
    strings at once; None when the patterns cannot be joined so (a global flag such as "(?i)"
    is then refused by ``re``; group references would point at another pattern's groups)."""
    if len(patterns) < 2 or any(re.search(r"\\\d|\(\?P=|\(\?\(", pattern) for pattern in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))
    except re.error:
        return None


class DocConditions:
    """Token attributes of one Doc and the positions of the tokens that meet conditions,
    computed when first asked."""

    def __init__(self, doc: Doc, compiled: "CompiledTokenPatterns"):
        self.doc = doc
        self.n = len(doc)
        self.compiled = compiled
        self.arrays: Dict[str, numpy.ndarray] = {}
        self.lists: Dict[str, list] = {}
        self.flags: Dict[Tuple[str, int], int] = {}
        self.found: Dict[Condition, List[int]] = {}
        # attribute -> {condition: positions of the tokens that meet it}
        # (attribute, "set" or "regex") -> {condition: positions of the tokens that meet it}
        self.matched: Dict[Tuple[str, str], Dict[Condition, List[int]]] = {}
        # (earliest, latest, condition) -> the starts it allows (start_trie.keep_starts)
        self.allowed: Dict[tuple, Set[int]] = {}
        self.verdicts: Dict[int, bool] = {}  # TokenNFA: test number * (len(doc) + 1) + token -> passes

    def array(self, attr: str) -> numpy.ndarray:
        """The Doc's values of a token attribute."""
        if attr not in self.arrays:
            text_attr = TEXT_ATTRS.get(attr)  # LOWER, ORTH: shared with the other components
            self.arrays[attr] = text_array(self.doc, text_attr) if text_attr is not None else self.doc.to_array(IDS[attr])
        return self.arrays[attr]

    def orth(self, i: int) -> int:
        """The ORTH hash of token ``i``, from the Doc's ORTH array: read once per Doc for the
        numbers of the token texts (``token_types``), which the word sequences are found by;
        a Token per check cost several times more."""
        return int(self.array("ORTH")[i])

    def values(self, attr: str) -> list:
        """The Doc's values of a token attribute, as a list (not to be changed: LOWER and ORTH
        are shared with the other components)."""
        if attr not in self.lists:
            text_attr = TEXT_ATTRS.get(attr)
            self.lists[attr] = text_list(self.doc, text_attr) if text_attr is not None else self.array(attr).tolist()
        return self.lists[attr]

    def positions(self, cond: Condition) -> List[int]:
        """Sorted indices of the tokens that meet ``cond``."""
        found = self.found.get(cond)
        if found is None:
            kind, attr, value = cond
            if kind == "flag":
                found = numpy.flatnonzero(self.array(attr) == int(value)).tolist()
            else:
                if (attr, kind) not in self.matched:
                    self._fill(attr, kind)
                found = self.matched[(attr, kind)].get(cond, [])
            self.found[cond] = found
        return found

    def _fill(self, attr: str, kind: str) -> None:
        """Find the tokens that meet any set or REGEX condition on ``attr``, in one pass over the Doc;
        ``positions`` picks those of one condition out of them."""
        conditions = self.compiled.hash_conditions(attr, kind)
        self.matched[(attr, kind)] = conditions.positions(self.array(attr), self.doc.vocab.strings)

    def flag(self, attr: str, i: int) -> int:
        """The value (0 or 1) of a flag attribute of token ``i``, read once."""
        key = (attr, i)
        value = self.flags.get(key)
        if value is None:
            value = self.flags[key] = int(getattr(self.doc[i], attr.lower()))
        return value

    def passes(self, tests: tuple, i: int) -> bool:
        """Whether token ``i`` passes all of ``tests`` (from ``token_tests``)."""
        for test in tests:
            kind, attr = test[0], test[1]
            if kind == "in":
                if (self.values(attr)[i] in test[2]) != test[3]:
                    return False
            elif kind == "flag":  # read per token: the automaton looks at few tokens of a Doc
                if self.flag(attr, i) != test[2]:
                    return False
            elif not self.compiled.regex_verdict(test[2], self.values(attr)[i], self.doc.vocab.strings):
                return False
        return True


class AnchoredPattern:
    """A pattern of bounded length, tried only where it may start.

    Where it may start comes from the PhraseMatcher or from the condition of one of its required
    tokens, narrowed by the conditions of the others; there its ``TokenNFA`` finds the matches, or the pattern's own Matcher for patterns with
    conditions ``token_tests`` does not know.
    """

    def __init__(self, vocab, key: str, pattern: List[dict], fuzzy_compare=None):
        """vocab (Vocab): The vocab. key (str): Its match key. pattern (List[dict]): The pattern."""
        self.offsets = token_offsets(pattern)
        self.length = self.offsets[-1][1] + self.offsets[-1][2][1]
        self.counts = [counts for _, _, counts in self.offsets]
        tests = [token_tests(token, vocab) for token in pattern]
        self.nfa = TokenNFA(tests, self.counts) if all(t is not None for t in tests) else None
        self.matcher: Optional[Matcher] = None
        if self.nfa is None:
            extra = {"fuzzy_compare": fuzzy_compare} if fuzzy_compare is not None else {}
            self.matcher = Matcher(vocab, **extra)
            self.matcher.add(key, [pattern])
        self.skip = 0
        self.required: List[Tuple[int, int, Condition]] = []  # (earliest, latest, condition)

    def plan(self, pattern: List[dict], skip: int) -> bool:
        """Collect the conditions of the required tokens (all but flags that must be false, which
        most tokens meet).

        pattern (List[dict]): The pattern.
        skip (int): Leading tokens already checked where the starts come from (0: none).
        RETURNS (bool): Whether the pattern has a way to find its starts.
        """
        self.skip = skip
        self.required = []
        for number, ((low, high, counts), token) in enumerate(zip(self.offsets, pattern)):
            cond = condition(token) if token.get("OP") != "!" else None
            if cond is None or counts[0] < 1 or number < skip or (cond[0] == "flag" and not cond[2]):
                continue
            self.required.append((low, high, cond))
        return bool(skip or self.required)

    @property
    def conditions(self) -> List[Condition]:
        """The conditions it looks up."""
        return [cond for _, _, cond in self.required]

    def starts(self, conditions: DocConditions) -> Set[int]:
        """The possible starts of matches, for a pattern without leading words: every required
        condition holds somewhere it could.

        The anchor is the condition that the fewest tokens of this Doc meet among those whose
        tokens are known already (set conditions the PhraseMatcher finds); else among the set
        and REGEX conditions (found in one pass over the Doc), else among the flags. The other
        conditions narrow the starts as in ``start_trie.keep_starts``.

        conditions (DocConditions): The Doc's conditions.
        RETURNS (Set[int]): The starts.
        """
        known = [req for req in self.required if req[2] in conditions.found]
        if not known:
            known = [req for req in self.required if req[2][0] != "flag"] or self.required
        low, high, cond = anchor = min(known, key=lambda req: len(conditions.positions(req[2])))
        positions = conditions.positions(cond)
        if low == high:
            candidates = {p - low for p in positions if p >= low}
        else:  # a range of starts per position of the anchor
            candidates = {s for p in positions for s in range(max(0, p - high), p - low + 1)}
        for requirement in trie_order([req for req in self.required if req is not anchor]):
            if not candidates:
                break
            candidates = keep_starts(conditions, requirement, candidates)
        return candidates

    def matches(self, doc: Doc, conditions: DocConditions) -> Iterable[Tuple[int, int]]:
        """(start, end) of the pattern's matches, for a pattern without leading words.

        doc (Doc): The document.
        conditions (DocConditions): The Doc's conditions.
        YIELDS (Tuple[int, int]): The matches (some more than once).
        """
        return self.matches_from(doc, self.starts(conditions), conditions)

    def matches_from(self, doc: Doc, starts: Iterable[int], conditions: DocConditions) -> Iterable[Tuple[int, int]]:
        """(start, end) of the pattern's matches that start at one of ``starts``.

        doc (Doc): The document.
        starts (Iterable[int]): Starts that meet the pattern's required conditions.
        conditions (DocConditions): The Doc's conditions.
        YIELDS (Tuple[int, int]): The matches (some more than once).
        """
        n = len(doc)
        if self.nfa is not None:
            for start in starts:
                for end in self.nfa.ends(conditions, start, n):
                    yield start, end
            return
        stretches: List[Tuple[int, int]] = []
        for start in sorted(starts):  # merged, so that the Matcher runs once per stretch
            end = min(n, start + self.length)
            if stretches and start < stretches[-1][1]:
                stretches[-1] = (stretches[-1][0], max(end, stretches[-1][1]))
            else:
                stretches.append((start, end))
        for first, last in stretches:
            for _, s, e in self.matcher(doc[first:last]):
                yield first + s, first + e


class CompiledTokenPatterns:
    """Token patterns split into phrase, anchored and full matchers; see the module docstring."""

    def __init__(self, vocab, fuzzy_compare=None):
        """Create the empty matchers.

        vocab (Vocab): The pipeline's vocab.
        fuzzy_compare (Optional[Callable]): The Matcher's comparison for FUZZY patterns.
        """
        self.vocab = vocab
        self.fuzzy_compare = fuzzy_compare
        # The word sequences of phrase groups' entry chunks, anchored patterns' leading words and
        # anchor conditions, each sequence once with the keys it serves.
        self.phrases = TypePhrases(vocab, "LOWER")
        # phrase key -> (group, ORTH checks); group -> (slots before the entry chunk, slots after).
        # Patterns with the same entry chunk and no slots before it share a group.
        self.phrase_keys: Dict[int, Tuple[int, tuple]] = {}
        self.chunked: Dict[int, Tuple[Optional[SlotWalk], SlotTrie]] = {}
        self._entry_groups: Dict[FrozenSet[Tuple[Tuple[str, ...], tuple]], int] = {}
        self.prefix_keys: Dict[int, List[int]] = {}  # phrase key -> anchored patterns that start so
        self.start_tries: Dict[int, StartTrie] = {}  # phrase key -> its anchored patterns' conditions
        self.unprefixed: List[int] = []  # anchored patterns that find their own starts
        self.phrase_conditions: Dict[int, Condition] = {}  # phrase key -> the set condition it finds
        # word sequences -> the PhraseMatcher key that finds them (without ORTH checks): a phrase
        # group's entry chunk and the leading words of anchored patterns share one key.
        self._word_keys: Dict[FrozenSet[Tuple[str, ...]], int] = {}
        self.anchored: Dict[int, Tuple[str, str, AnchoredPattern]] = {}
        self.full = Matcher(vocab, **({"fuzzy_compare": fuzzy_compare} if fuzzy_compare is not None else {}))
        self.keys: Dict[int, Tuple[str, str]] = {}  # Matcher key -> (label, id)
        # The set and REGEX conditions of anchors and filters, per attribute, found in one pass.
        self.conditions: Dict[str, List[Condition]] = {"LOWER": [], "ORTH": []}
        self.regex_conditions: Dict[str, List[Tuple[Condition, object]]] = {"LOWER": [], "ORTH": []}
        self._hash_conditions: Dict[Tuple[str, str], HashConditions] = {}
        self._regexes: Dict[str, Tuple[object, Dict[int, bool]]] = {}
        self._cond_hashes: Dict[Condition, FrozenSet[int]] = {}
        self._automata: Dict[int, tuple] = {}  # see _automaton
        self._served_plans: Optional[Tuple[list, dict]] = None  # see _plans
        self.counts = {"phrase": 0, "anchored": 0, "full": 0, "never": 0, "sequences": 0}

    def hash_conditions(self, attr: str, kind: str) -> "HashConditions":
        """The lookup from string hashes to the set (``kind`` "set") or REGEX ("regex") conditions
        on ``attr`` they meet. Apart, so that a REGEX anchor does not pay for the tokens of
        common words, nor a set condition for trying regexes on new strings."""
        if (attr, kind) not in self._hash_conditions:
            conditions = [cond for cond in self.conditions[attr] if cond[0] == kind]
            self._hash_conditions[(attr, kind)] = HashConditions(self.vocab, conditions)
        return self._hash_conditions[(attr, kind)]

    def build(self) -> None:
        """Make what the first Doc would otherwise make: the PhraseMatcher, the combined automata
        and the hashed slot tries (when loading, not in the time of the first Doc)."""
        self.phrases.build()
        self._plans(self.phrases.key_tuples())
        for key in self.prefix_keys:
            self._automaton(key)
        for _, after in self.chunked.values():
            after.compiled()
        for attr, conditions in self.conditions.items():
            for kind in {cond[0] for cond in conditions}:
                self.hash_conditions(attr, kind)

    def _automaton(self, key: int) -> Tuple[CombinedNFA, Dict[int, int], List[Tuple[int, int]]]:
        """The combined automaton of the anchored patterns that take their starts from a
        PhraseMatcher key, built once: (automaton, pattern index -> its position in it,
        position -> (label, id))."""
        found = self._automata.get(key)
        if found is None:
            indices = [index for index in self.prefix_keys[key] if self.anchored[index][2].nfa is not None]
            combined = CombinedNFA([self.anchored[index][2].nfa for index in indices])
            found = self._automata[key] = (combined, {index: n for n, index in enumerate(indices)},
                                           [self.anchored[index][:2] for index in indices])
        return found

    def hashes_of(self, cond: Condition) -> FrozenSet[int]:
        """The hashes of the strings of a set condition."""
        hashes = self._cond_hashes.get(cond)
        if hashes is None:
            hashes = self._cond_hashes[cond] = frozenset(self.vocab.strings.add(string) for string in cond[2])
        return hashes

    def regex_verdict(self, pattern: str, h: int, strings) -> bool:
        """Whether the string with hash ``h`` matches a REGEX test (``re.search``), remembered."""
        memo = self._regexes.get(pattern)
        if memo is None:
            memo = self._regexes[pattern] = (re.compile(pattern), {})
        regex, verdicts = memo
        verdict = verdicts.get(h)
        if verdict is None:
            if len(verdicts) > REGEX_MEMO_SIZE:
                verdicts.clear()
            verdict = verdicts[h] = bool(regex.search(strings[h]))
        return verdict

    def _register(self, cond: Condition) -> None:
        """Make a set or REGEX condition part of the one pass of ``DocConditions._fill``."""
        kind, attr, value = cond
        if kind == "flag" or cond in self.conditions[attr]:
            return
        self.conditions[attr].append(cond)
        if kind == "regex":
            self.regex_conditions[attr].append((cond, re.compile(value)))
        self._hash_conditions.pop((attr, kind), None)

    def add(self, index: int, label: str, pattern_id: str, pattern: List[dict]) -> str:
        """Compile one token pattern.

        index (int): The pattern's position among the ruler's patterns (names its keys).
        label (str): The span label.
        pattern_id (str): The pattern id ("" when none).
        pattern (List[dict]): The token pattern, already validated by spaCy's Matcher.
        RETURNS (str): How it is matched: "phrase", "anchored", "full" or "never".
        """
        # Matches carry the hashes that the Spans are made of (and sorted by).
        label, pattern_id = self.vocab.strings.add(label), (self.vocab.strings.add(pattern_id) if pattern_id else 0)
        slots = unrolled_slots(pattern, MAX_EXPANSIONS)
        chunks = plan_chunks(slots, MAX_EXPANSIONS) if slots else None
        if slots == []:
            kind = "never"
        elif chunks is not None:
            before, entry, after = chunks
            sequences = frozenset(chunk_sequences(entry))
            group = None if before else self._entry_groups.get(sequences)
            if group is None:
                group = index
                if not before:
                    self._entry_groups[sequences] = group
                by_checks: Dict[tuple, List[Tuple[str, ...]]] = {}
                for words, checks in sequences:
                    by_checks.setdefault(checks, []).append(words)
                for number, (checks, group_words) in enumerate(by_checks.items()):
                    words = frozenset(group_words)
                    # the key of the same words as the leading words of anchored patterns, unless
                    # it serves a group already
                    key_hash = self._word_keys.get(words) if not checks else None
                    if key_hash is None or key_hash in self.phrase_keys:
                        key_hash = self.vocab.strings.add(f"policylens.phrase.{index}.{number}")
                        self.phrases.add(key_hash, group_words)
                        if not checks and words not in self._word_keys:
                            self._word_keys[words] = key_hash
                    hashed = tuple((offset, _hashed(self.vocab, allowed)) for offset, allowed in checks)
                    self.phrase_keys[key_hash] = (group, hashed)
                self.chunked[group] = (SlotWalk(self.vocab, before) if before else None, SlotTrie(self.vocab))
                self.counts["sequences"] += len(sequences)
            self.chunked[group][1].add(after, label, pattern_id)
            kind = "phrase"
        else:
            kind = self._add_token_pattern(index, label, pattern_id, pattern)
        self.counts[kind] += 1
        return kind

    def _anchor_word_set(self, cond: Condition) -> bool:
        """Whether the PhraseMatcher should find the tokens of a condition, as a candidate anchor:
        a set of LOWER strings not all of them stop words or punctuation (those are everywhere,
        and each of their matches costs a Python tuple)."""
        if cond[0] != "set" or cond[1] != "LOWER":
            return False
        return any(not (self.vocab[word].is_stop or self.vocab[word].is_punct) for word in cond[2] if word)

    def _add_token_pattern(self, index: int, label: str, pattern_id: str, pattern: List[dict]) -> str:
        key = f"policylens.token.{index}"
        self.keys[self.vocab.strings.add(key)] = (label, pattern_id)
        prefix = unrolled_slots(pattern, MAX_EXPANSIONS, prefix=True)
        if prefix == [] and pattern and word_set(pattern[0]) is not None and op_counts(pattern[0].get("OP"))[0]:
            return "never"  # its first token can match no token
        if token_offsets(pattern) is None:
            self.full.add(key, [pattern])
            return "full"
        anchored = AnchoredPattern(self.vocab, key, pattern, self.fuzzy_compare)
        if prefix and not prefix[0][2]:
            # Starts are where the words of the leading tokens are: the PhraseMatcher finds them
            # (ORTH checks are left to the matching: a few more starts at most). Patterns with
            # the same leading words share a key.
            entry = entry_chunk(prefix, MAX_EXPANSIONS)
            sequences = frozenset(words for words, _ in chunk_sequences(entry))
            prefix_key = self._word_keys.get(sequences)  # maybe the key of a phrase group's entry
            if prefix_key is None:
                name = f"policylens.prefix.{index}"
                prefix_key = self._word_keys[sequences] = self.vocab.strings.add(name)
                self.phrases.add(prefix_key, sequences)
                self.counts["sequences"] += len(sequences)
            self.prefix_keys.setdefault(prefix_key, []).append(index)
            self._automata.pop(prefix_key, None)
            covered, slots = 0, len(entry)
            for token in pattern:  # the tokens the entry chunk checks completely
                counts = op_counts(token.get("OP"))
                if counts is None or counts[1] is None or counts[1] > slots:
                    break
                slots -= counts[1]
                covered += 1
            anchored.plan(pattern, max(1, covered))
            self.start_tries.setdefault(prefix_key, StartTrie()).add(trie_order(anchored.required), index)
        elif anchored.plan(pattern, 0):
            self.unprefixed.append(index)
            for cond in anchored.conditions:  # candidates for its anchor
                if self._anchor_word_set(cond) and cond not in self.phrase_conditions.values():
                    name = f"policylens.condition.{index}.{len(self.phrase_conditions)}"
                    key_hash = self.vocab.strings.add(name)
                    self.phrases.add(key_hash, [(word,) for word in sorted(cond[2]) if word])
                    self.phrase_conditions[key_hash] = cond
        else:
            self.full.add(key, [pattern])
            return "full"
        for cond in anchored.conditions:
            self._register(cond)
        self.anchored[index] = (label, pattern_id, anchored)
        return "anchored"

    def __call__(self, doc: Doc, hits: Optional[tuple] = None) -> Set[Tuple[int, int, int, int]]:
        """Match the compiled patterns.

        doc (Doc): The document.
        hits (Optional[tuple]): ``self.phrases.find`` of the Doc, when found already (for a
            batch of Docs at once, ``find_batch``).
        RETURNS (Set[Tuple[int, int, int, int]]): (start, end, label, id) of every match, label
            and id as string hashes (id 0 when the pattern has none).
        """
        found: Set[Tuple[int, int, int, int]] = set()
        conditions = DocConditions(doc, self)  # the Doc's arrays, read once for all patterns
        starts, entries = self._phrase_hits(hits if hits is not None else self.phrases.find(doc), conditions)
        self._match_groups(entries, conditions, found)
        for key, cond in self.phrase_conditions.items():
            conditions.found[cond] = sorted(starts.pop(key, ()))
        self._match_prefixed(doc, starts, conditions, found)
        for index in self.unprefixed:
            label, pattern_id, anchored = self.anchored[index]
            found.update((s, e, label, pattern_id) for s, e in anchored.matches(doc, conditions))
        if len(self.full):
            for key, start, end in self.full(doc):
                found.add((start, end) + self.keys[key])
        return found

    def _phrase_hits(self, hits: tuple, conditions: "DocConditions") -> Tuple[Dict[int, List[int]], Dict[int, Set[Tuple[int, int]]]]:
        """Sort the matches of the word sequences by what they serve.

        hits (tuple): ``self.phrases.find`` of the Doc: (the key tuples, the groups of matches).
        conditions (DocConditions): The Doc's conditions (for ORTH checks).
        RETURNS (Tuple[dict, dict]): (prefix or condition key -> starts of its words,
            phrase group -> (start, end) of the matches of its entry chunk).
        """
        starts: Dict[int, List[int]] = {}
        entries: Dict[int, Set[Tuple[int, int]]] = {}
        keys_of, groups = hits
        plans = self._plans(keys_of)
        for keys, group_starts, group_ends in groups:
            for start_key, group, checks in plans[keys]:
                if start_key:
                    found = starts.get(start_key)
                    if found is None:
                        starts[start_key] = list(group_starts)
                    else:
                        found.extend(group_starts)
                if group is None:
                    continue
                if checks:
                    spans = _checked(conditions.array("ORTH"), group_starts, group_ends, checks)
                else:
                    spans = zip(group_starts, group_ends)
                known = entries.get(group)
                if known is None:
                    entries[group] = set(spans)
                else:
                    known.update(spans)
        entries = {group: spans for group, spans in entries.items() if spans}
        return starts, entries

    def _plans(self, keys_of: List[Tuple[int, ...]]) -> Dict[Tuple[int, ...], Tuple[Tuple[int, Optional[int], tuple], ...]]:
        """What a match under each tuple of keys is for, worked out once (a Doc has thousands of
        matches): (prefix or condition key whose starts it gives, 0 when none; phrase group whose
        entry chunk it is, None when none; the ORTH checks of that chunk) per key.

        keys_of (List[Tuple[int, ...]]): The key tuples of the matches (``TypePhrases``).
        """
        known = self._served_plans
        if known is not None and known[0] is keys_of:
            return known[1]
        plans = {}
        for keys in keys_of:
            plan = []
            for key in keys:
                start_key = key if key in self.prefix_keys or key in self.phrase_conditions else 0
                group, checks = self.phrase_keys.get(key, (None, ()))
                if start_key or group is not None:
                    plan.append((start_key, group, checks))
            plans[keys] = tuple(plan)
        self._served_plans = (keys_of, plans)  # one assignment: threads see both or neither
        return plans

    def _match_groups(self, entries: Dict[int, Set[Tuple[int, int]]], conditions: "DocConditions", found: set) -> None:
        """Add the matches of the phrase patterns, from the matches of their entry chunks: the
        slots around are walked once per group for the Doc."""
        lowers: Optional[List[int]] = None
        for group, spans in entries.items():
            before, after = self.chunked[group]
            if before is not None or after.branches:
                if lowers is None:
                    lowers = conditions.values("LOWER")
                if before is not None:
                    begins = {start: before.starts(lowers, conditions, {start}) for start in {s for s, _ in spans}}
                    spans = {(b, e) for s, e in spans for b in begins[s]}
                    if not spans:
                        continue
            for label, pattern_id, matches in after.walk(lowers, conditions, spans):
                found.update([(s, e, label, pattern_id) for s, e in matches])

    def _match_prefixed(self, doc: Doc, starts: Dict[int, List[int]], conditions: "DocConditions", found: set) -> None:
        """Add the matches of the anchored patterns that take their starts from their leading
        words: the conditions they share are checked once (start trie), then the patterns of one
        start walk the Doc together (combined automaton)."""
        n = len(doc)
        for key, found_starts in starts.items():
            combined, numbers, tags = self._automaton(key)
            by_start: Dict[int, List[int]] = {}  # start -> the patterns to run from it
            for index, kept in self.start_tries[key].walk(conditions, set(found_starts)):
                number = numbers.get(index)
                if number is None:  # no automaton: its own Matcher
                    label, pattern_id, anchored = self.anchored[index]
                    found.update((s, e, label, pattern_id) for s, e in anchored.matches_from(doc, kept, conditions))
                else:
                    for start in kept:
                        by_start.setdefault(start, []).append(number)
            for start, patterns in by_start.items():
                found.update([(start, end) + tags[number] for number, end in combined.ends(conditions, start, n, tuple(sorted(patterns)))])


# The phrase_matcher_attr values whose phrase patterns ``TypePhrases`` finds.
PHRASE_ATTRS = ("ORTH", "LOWER")


class _KeptPatterns:
    """A PhraseMatcher that hands the pattern Docs added to it to a callback as well."""

    def __init__(self, matcher, keep):
        """matcher (PhraseMatcher): Where the patterns go. keep (Callable[[str, list], None]): Called with (key, Docs)."""
        self.matcher = matcher
        self.keep = keep

    def add(self, key, docs, *args, **kwargs):
        self.keep(key, docs)
        return self.matcher.add(key, docs, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.matcher, name)


class FastSpanRuler(BatchPipe, SpanRuler):
    """spaCy's SpanRuler, matching its token patterns through ``CompiledTokenPatterns``.

    Same config, patterns, serialisation and results as ``span_ruler``.
    """

    def clear(self) -> None:
        """Reset all patterns."""
        super().clear()
        self.compiled = CompiledTokenPatterns(self.nlp.vocab, self.matcher_fuzzy_compare)
        self._pairs: Dict[int, Tuple[int, int]] = {}  # phrase match key -> hashes of its label and id
        # The phrase patterns again, when they match on ORTH or LOWER: found through the numbers
        # of the token texts for a batch of Docs instead of by spaCy's PhraseMatcher (see
        # type_phrases); match key -> the attribute values of its pattern Docs.
        attr = self.phrase_matcher_attr
        name = "ORTH" if attr is None else attr.upper() if isinstance(attr, str) else None
        name = "ORTH" if name == "TEXT" else name
        self._phrase_values: Dict[str, List[Tuple[int, ...]]] = {}
        self.phrases: Optional[TypePhrases] = TypePhrases(self.nlp.vocab, name) if name in PHRASE_ATTRS else None

    def _key_hashes(self) -> Dict[int, Tuple[int, int]]:
        """RETURNS (Dict[int, Tuple[int, int]]): The phrase matcher's match keys -> the hashes of
        their patterns' label and id (0 for none), as spaCy's Span gets them."""
        if len(self._pairs) != len(self._match_label_id_map):
            add = self.nlp.vocab.strings.add
            self._pairs = {key: (add(entry["label"]), add(entry["id"]) if entry["id"] else 0)
                           for key, entry in self._match_label_id_map.items()}
        return self._pairs

    def add_patterns(self, patterns) -> None:
        """Add patterns (validated by spaCy) and compile the token patterns among them.

        patterns (Iterable[dict]): ``{"label", "pattern", "id"}`` span-ruler patterns.
        """
        patterns = list(patterns)
        offset = len(self._patterns)
        # spaCy turns phrase patterns into Docs with every component before this ruler; only
        # those that set the matched attribute change the result, and running the rest over
        # thousands of phrases made loading the pipeline several times slower.
        with self.nlp.select_pipes(disable=self._pipes_not_setting_match_attr()):
            if self.phrases is None:
                super().add_patterns(patterns)
            else:  # the pattern Docs are kept as they go into the PhraseMatcher
                matcher = self.phrase_matcher
                self.phrase_matcher = _KeptPatterns(matcher, self._keep_phrase)
                try:
                    super().add_patterns(patterns)
                finally:
                    self.phrase_matcher = matcher
            if self.phrases is not None:
                self.phrases.build()
        self._pairs = {}
        for index, entry in enumerate(patterns, start=offset):
            if isinstance(entry["pattern"], list):
                self.compiled.add(index, entry["label"], entry.get("id", ""), entry["pattern"])
        self.compiled.build()  # when loading, not at the first Doc
        self._key_hashes()

    def _keep_phrase(self, key: str, docs: Sequence[Doc]) -> None:
        """Add pattern Docs that go into the PhraseMatcher under ``key`` to ``self.phrases``."""
        attr = IDS[self.phrases.attr]
        values = [tuple(doc.to_array(attr).tolist()) for doc in docs]
        self._phrase_values.setdefault(key, []).extend(values)
        self.phrases.add_hashes(self.nlp.vocab.strings.add(key), values)

    def _pipes_not_setting_match_attr(self) -> List[str]:
        """RETURNS (List[str]): The enabled components before this ruler that do not assign the
        token attribute the phrase matcher reads (all but the lemmatizer for LEMMA, all for ORTH
        or LOWER). spaCy disables this ruler and those after it itself, and needs to find this
        ruler in the pipeline to do so. For attributes not known here nothing is disabled."""
        attr = self.phrase_matcher_attr
        name = attr if isinstance(attr, str) else None
        if name is None or name.upper() not in _ATTR_ASSIGNS or self.name not in self.nlp.pipe_names:
            return []
        needed = _ATTR_ASSIGNS[name.upper()]
        before = self.nlp.pipe_names[: self.nlp.pipe_names.index(self.name)]
        return [pipe for pipe in before if not needed.intersection(self.nlp.get_pipe_meta(pipe).assigns)]

    def _recompile(self) -> None:
        self._pairs = {}
        if self.phrases is not None:  # the phrase patterns left in the PhraseMatcher
            self._phrase_values = {key: values for key, values in self._phrase_values.items() if key in self.phrase_matcher}
            self.phrases = TypePhrases(self.nlp.vocab, self.phrases.attr)
            for key, values in self._phrase_values.items():
                self.phrases.add_hashes(self.nlp.vocab.strings.add(key), values)
            self.phrases.build()
        self.compiled = CompiledTokenPatterns(self.nlp.vocab, self.matcher_fuzzy_compare)
        for index, entry in enumerate(self._patterns):
            if isinstance(entry["pattern"], list):
                self.compiled.add(index, entry["label"], entry.get("id", ""), entry["pattern"])
        self.compiled.build()

    def remove(self, label: str) -> None:
        """Remove the patterns of a label."""
        super().remove(label)
        self._recompile()

    def remove_by_id(self, pattern_id: str) -> None:
        """Remove the patterns of a pattern id."""
        super().remove_by_id(pattern_id)
        self._recompile()

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Annotate Docs a batch at a time (``BatchPipe.pipe``), the word sequences of the
        compiled patterns found for the whole batch at once.

        stream (Iterable[Doc]): The Docs.
        batch_size (int): Docs annotated before the first of them is yielded.
        YIELDS (Doc): The annotated Docs, in order.
        """
        error_handler = self.get_error_handler()
        for batch in token_batches(stream, batch_size, MAX_BATCH_TOKENS):
            try:
                keys_of, groups = self.compiled.phrases.find_batch(batch)
                hits = [(keys_of, doc_groups) for doc_groups in groups]
                if self.phrases is not None:
                    keys_of, groups = self.phrases.find_batch(batch)
                    hits = [(doc_hits, (keys_of, doc_groups)) for doc_hits, doc_groups in zip(hits, groups)]
                else:
                    hits = [(doc_hits, None) for doc_hits in hits]
            except Exception:  # each Doc on its own, so that the one at fault is reported
                hits = [(None, None)] * len(batch)
            done = []
            for doc, (doc_hits, phrase_hits) in zip(batch, hits):
                try:
                    done.append(self._annotate(doc, doc_hits, phrase_hits))
                except Exception as error:
                    error_handler(self.name, self, [doc], error)
            yield from done

    def __call__(self, doc: Doc) -> Doc:
        """Add the spans of the patterns to a Doc (as spaCy's ``SpanRuler``).

        doc (Doc): The document.
        RETURNS (Doc): The Doc.
        """
        return self._annotate(doc, None, None)

    def _annotate(self, doc: Doc, hits: Optional[tuple], phrase_hits: Optional[tuple]) -> Doc:
        """SpanRuler.__call__, with the word sequences maybe found already (see ``match``)."""
        error_handler = self.get_error_handler()
        try:
            self.set_annotations(doc, self.match(doc, hits, phrase_hits))
            return doc
        except Exception as e:
            return error_handler(self.name, self, [doc], e)

    def match(self, doc: Doc, hits: Optional[tuple] = None, phrase_hits: Optional[tuple] = None) -> List[Span]:
        """The spans of every pattern, deduplicated and sorted, as spaCy's SpanRuler returns them.

        doc (Doc): The document.
        hits (Optional[tuple]): The compiled patterns' word sequences in the Doc, when found
            already (``TypePhrases.find``).
        phrase_hits (Optional[tuple]): The same for the phrase patterns (``self.phrases``).
        RETURNS (List[Span]): The matches.
        """
        self._require_patterns()
        found = self.compiled(doc, hits)
        if self.phrases is not None:
            pairs = self._key_hashes()
            keys_of, groups = phrase_hits if phrase_hits is not None else self.phrases.find(doc)
            for keys, starts, ends in groups:
                for key in keys:
                    pair = pairs[key]
                    found.update([(start, end) + pair for start, end in zip(starts, ends)])
            return self._spans(doc, found)
        phrase_matches = []
        # An empty PhraseMatcher still costs a pass over the Doc. (spaCy's SpanRuler silences
        # W036 around its matchers; only the Matcher warns it, and a Matcher without patterns
        # is never called here. ``catch_warnings`` changes global state: not per Doc, not in
        # threads sharing the ruler.)
        if len(self.phrase_matcher):
            phrase_matches = self.phrase_matcher(doc)
        if phrase_matches:
            pairs = self._key_hashes()
            found.update([(start, end) + pairs[key] for key, start, end in phrase_matches])
        return self._spans(doc, found)

    @staticmethod
    def _spans(doc: Doc, found: Set[Tuple[int, int, int, int]]) -> List[Span]:
        """The Spans of (start, end, label, id) matches (hashes), without empty ones, sorted."""
        # spaCy sorts Spans by (start_char, end_char, label, kb_id, id): the same order as token
        # offsets and the hashes of label and id, so the tuples are sorted before any Span is made.
        # Spans are made from the hashes, which the Span would otherwise look up per span.
        keyed = sorted(match for match in found if match[0] != match[1])
        return [Span(doc, start, end, label=label, span_id=pattern_id) for start, end, label, pattern_id in keyed]


@Language.factory(
    "policylens_span_ruler",
    assigns=["doc.spans"],
    default_config={
        "spans_key": "ruler",
        "spans_filter": None,
        "annotate_ents": False,
        "ents_filter": {"@misc": "spacy.first_longest_spans_filter.v1"},
        "phrase_matcher_attr": None,
        "matcher_fuzzy_compare": {"@misc": "spacy.levenshtein_compare.v1"},
        "validate": False,
        "overwrite": True,
        "scorer": {"@scorers": "spacy.overlapping_labeled_spans_scorer.v1", "spans_key": "ruler"},
    },
)
def make_fast_span_ruler(
    nlp: Language,
    name: str,
    spans_key,
    spans_filter,
    annotate_ents: bool,
    ents_filter,
    phrase_matcher_attr,
    matcher_fuzzy_compare,
    validate: bool,
    overwrite: bool,
    scorer,
) -> FastSpanRuler:
    """Create the fast span ruler: the arguments are those of spaCy's ``span_ruler``."""
    return FastSpanRuler(
        nlp,
        name,
        spans_key=spans_key,
        spans_filter=spans_filter,
        annotate_ents=annotate_ents,
        ents_filter=ents_filter,
        phrase_matcher_attr=phrase_matcher_attr,
        matcher_fuzzy_compare=matcher_fuzzy_compare,
        validate=validate,
        overwrite=overwrite,
        scorer=scorer,
    )
