"""Word sequences found on LOWER or ORTH in numpy, through the numbers of the token texts.

spaCy's ``PhraseMatcher`` reads every token's struct (and for LOWER its lexeme) and looks it up
in a hash map: a pass costs about as much with a hundred phrases as with thousands, ~50 ns a
token, most of it memory traffic. LOWER and ORTH follow from a token's text alone, so here the
words of the sequences get small numbers and every distinct text the number of its word once
per process (``token_types.TypeValues``, over the numbers ``token_types.TYPE_IDS`` keeps for
the Doc's texts): a Doc's words are one gather from a small table. The sequences form a trie of
word numbers; the tokens that start one of them are its candidates, and each step extends all
candidates by a token at once (a hash-table lookup of their (node, word) keys, ``EdgeTable``),
so Python only sees the groups of matches.

``TypePhrases.find`` returns the same (key, start, end) matches as a ``PhraseMatcher`` on the
same attribute with the same sequences, grouped by key.
"""
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy
from spacy.tokens import Doc

from .doc_arrays import TEXT_ATTRS, text_array
from .token_types import TypeValues

# The attributes whose value follows from the token text (the Doc's ORTH). (LEMMA, read per
# token with ``doc.to_array`` and looked up in an ``EdgeTable``, took ~1.6x spaCy's
# PhraseMatcher: the lookups of every token cost more than its hash map.)
ATTRS = ("LOWER", "ORTH")


class TypePhrases:
    """Word sequences under keys, matched on LOWER or ORTH.

    A sequence added under several keys matches once per key, as in a PhraseMatcher.
    """

    def __init__(self, vocab, attr: str = "LOWER"):
        """vocab (Vocab): The pipeline's vocab. attr (str): "LOWER" or "ORTH"."""
        if attr not in ATTRS:
            raise ValueError(f"TypePhrases matches on {ATTRS}, not {attr}")
        self.vocab = vocab
        self.attr = attr
        # word sequences, as the hashes of their attribute values -> the keys that hold them
        self.sequences: Dict[Tuple[int, ...], List[int]] = {}
        # The compiled trie and the numbers of the texts, set in one assignment (threads).
        self._compiled: Optional[tuple] = None

    def add(self, key: int, sequences: Iterable[Sequence[str]]) -> None:
        """Let ``key`` match word sequences: tokens whose ``attr`` is that of the words' own
        lexemes, as a PhraseMatcher with the words as pattern Docs ("" matches no token)."""
        vocab, lower = self.vocab, self.attr == "LOWER"
        self.add_hashes(key, [tuple(vocab[word].lower if lower and word else vocab.strings.add(word) for word in words)
                              for words in sequences])

    def add_hashes(self, key: int, sequences: Iterable[Sequence[int]]) -> None:
        """Let ``key`` match sequences of attribute values (string hashes), e.g. a pattern Doc's
        ``doc.to_array(attr)``."""
        for values in sequences:
            if not len(values):
                continue
            keys = self.sequences.setdefault(tuple(int(v) for v in values), [])
            if key not in keys:
                keys.append(key)
        self._compiled = None

    def __len__(self) -> int:
        return len(self.sequences)

    def build(self) -> tuple:
        """Compile the trie (else done at the first ``find``).

        RETURNS (tuple): (the root's child per word number (-1: none), the other edges by
            their (node, word) key (``EdgeTable``), the terminal of each node (-1: none),
            the keys of each terminal, the width of a key's word part, which words occur at
            each depth, the word number of each token text as ``TypeValues``).
        """
        numbers: Dict[int, int] = {}  # word hash -> number (0: a word of no sequence)
        children: Dict[Tuple[int, int], int] = {}  # (node, word number) -> child node
        terminal: Dict[int, Tuple[int, ...]] = {}  # node -> keys of the sequences ending there
        size = 1
        for values, keys in self.sequences.items():
            node = 0
            for h in values:
                number = numbers.setdefault(h, len(numbers) + 1)
                child = children.get((node, number))
                if child is None:
                    child = children[(node, number)] = size
                    size += 1
                node = child
            terminal[node] = tuple(dict.fromkeys(terminal.get(node, ()) + tuple(keys)))
        width = len(numbers) + 1
        # Per depth (1 on), which words some sequence has there: a cheap test that leaves most
        # candidates out before the look-up of their (node, word) key.
        longest = max((len(values) for values in self.sequences), default=1)
        at_depth = numpy.zeros((longest + 1, width), dtype=bool)
        for values in self.sequences:
            for depth, h in enumerate(values):
                at_depth[depth, numbers[h]] = True
        root = numpy.full(width, -1, dtype="int64")
        inner = sorted((node * width + number, child) for (node, number), child in children.items() if node)
        for (node, number), child in children.items():
            if not node:
                root[number] = child
        keys_of = sorted(set(terminal.values()))
        key_index = {keys: i for i, keys in enumerate(keys_of)}
        terminals = numpy.full(size, -1, dtype="int64")
        for node, keys in terminal.items():
            terminals[node] = key_index[keys]
        edges = EdgeTable([k for k, _ in inner], [c for _, c in inner])
        # The word numbers in the order of their hashes: a Doc's new texts are looked up at once.
        by_hash = sorted(numbers.items())
        hashes = numpy.asarray([h for h, _ in by_hash] or [0], dtype="uint64")
        word_of_hash = numpy.asarray([number for _, number in by_hash] or [0], dtype="int64")
        attr = TEXT_ATTRS[self.attr]

        def word_numbers(doc: Doc, positions: numpy.ndarray) -> numpy.ndarray:
            # The column is read once per Doc for all components (doc_arrays).
            values = text_array(doc, attr)[positions]
            where = numpy.minimum(numpy.searchsorted(hashes, values), len(hashes) - 1)
            return numpy.where(hashes[where] == values, word_of_hash[where], 0)

        compiled = self._compiled = (root, edges, terminals, keys_of, width, at_depth,
                                     TypeValues(word_numbers, "int64", -1, per_token=True))
        return compiled

    def key_tuples(self) -> List[Tuple[int, ...]]:
        """RETURNS (List[Tuple[int, ...]]): Every tuple of keys that a group of matches may have
        (the first item of ``find_batch``'s answer; compiles the trie if needed)."""
        compiled = self._compiled
        return (compiled if compiled is not None else self.build())[3]

    def find(self, doc: Doc) -> Tuple[List[Tuple[int, ...]], List[Tuple[Tuple[int, ...], Tuple[int, ...], Tuple[int, ...]]]]:
        """The matches in one Doc (``find_batch`` of one Doc)."""
        keys_of, groups = self.find_batch([doc])
        return keys_of, groups[0]

    def find_batch(self, docs: Sequence[Doc]) -> Tuple[List[Tuple[int, ...]], List[List[Tuple[Tuple[int, ...], Tuple[int, ...], Tuple[int, ...]]]]]:
        """The matches in each of some Docs, grouped by the keys they match under.

        The Docs' words are walked as one array (a word of no sequence between two Docs): the
        steps cost numpy calls per batch, not per Doc.
        docs (Sequence[Doc]): The documents.
        RETURNS (Tuple[list, list]): (every tuple of keys that a group below may have, per Doc
            the groups (keys, starts, ends): every sequence of these keys found at (start,
            end), for each of the keys; a PhraseMatcher returns (key, start, end) for each).
        """
        compiled = self._compiled
        if compiled is None:
            compiled = self.build()
        root, edges, terminals, keys_of, width, at_depth, values = compiled
        groups: List[list] = [[] for _ in docs]
        if not self.sequences:
            return keys_of, groups
        columns = []
        for doc in docs:
            if len(doc):
                columns.append(values(doc))
            columns.append(_GAP)
        if not columns:
            return keys_of, groups
        words = numpy.concatenate(columns)  # ends with a gap: past the last token, no step
        offsets = numpy.cumsum([0] + [len(doc) + 1 for doc in docs])
        nodes = root[words]
        starts = numpy.flatnonzero(nodes >= 0)
        nodes = nodes[starts]
        found_starts, found_ends, found_terms = [], [], []
        depth = 1
        while len(starts):
            terms = terminals[nodes]
            ended = terms >= 0
            if ended.any():
                found_starts.append(starts[ended])
                found_ends.append(starts[ended] + depth)
                found_terms.append(terms[ended])
            if depth == len(at_depth):
                break
            following = words[starts + depth]
            maybe = at_depth[depth][following]
            starts, nodes, following = starts[maybe], nodes[maybe], following[maybe]
            children = edges.children(nodes * width + following)
            going = children >= 0
            starts, nodes = starts[going], children[going]
            depth += 1
        if not found_starts:
            return keys_of, groups
        match_starts = numpy.concatenate(found_starts)
        match_ends = numpy.concatenate(found_ends)
        match_terms = numpy.concatenate(found_terms)
        match_docs = numpy.searchsorted(offsets, match_starts, side="right") - 1
        order = numpy.lexsort((match_terms, match_docs))
        match_docs, match_terms = match_docs[order], match_terms[order]
        base = offsets[match_docs]
        # Tuples: a group's starts and ends live as long as the batch, through many young
        # collections. Lists of them (8,000 a pass over ../shared/eval) were promoted to the
        # collector's oldest generation and hastened a full collection; a tuple of ints is
        # untracked when the collector first sees it.
        local_starts = tuple((match_starts[order] - base).tolist())
        local_ends = tuple((match_ends[order] - base).tolist())
        bounds = (numpy.flatnonzero((numpy.diff(match_terms) != 0) | (numpy.diff(match_docs) != 0)) + 1).tolist()
        firsts = [0] + bounds
        doc_of, term_of = match_docs[firsts].tolist(), match_terms[firsts].tolist()
        for lo, hi, doc_index, term in zip(firsts, bounds + [len(order)], doc_of, term_of):
            groups[doc_index].append((keys_of[term], local_starts[lo:hi], local_ends[lo:hi]))
        return keys_of, groups


class EdgeTable:
    """Integer keys -> values in an open-addressing hash table looked up in numpy: a
    multiplication and a gather per key, where a binary search in sorted keys cost ~100 ns a
    key (a cache miss per step). For the edges of a trie by their key (node * width + word)."""

    _MULTIPLIER = numpy.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads nearby keys

    def __init__(self, keys: Sequence[int], values: Sequence[int], missing: int = -1):
        """keys (Sequence[int]): Distinct keys, 0 <= key < 2 ** 64. values (Sequence[int]): The
        value of each (int64). missing (int): The value of a key not in the table."""
        bits = max(4, (4 * len(keys)).bit_length())  # at most a quarter full: few probes
        self.mask = (1 << bits) - 1
        self.shift = numpy.uint64(64 - bits)
        self.missing = missing
        self.keys = numpy.zeros(1 << bits, dtype="uint64")
        self.used = numpy.zeros(1 << bits, dtype=bool)
        self.values = numpy.full(1 << bits, missing, dtype="int64")
        # Home slots of all keys at once; collisions are probed in Python (a quarter full: few).
        homes = self._slots(numpy.asarray(keys, dtype="uint64")).tolist() if len(keys) else []
        used = set()
        for key, value, slot in zip(keys, values, homes):
            while slot in used:
                slot = (slot + 1) & self.mask
            used.add(slot)
            self.keys[slot], self.values[slot] = key, value
        self.used[list(used)] = True

    def _slots(self, keys: numpy.ndarray) -> numpy.ndarray:
        return ((keys * self._MULTIPLIER) >> self.shift).astype(numpy.intp)

    def children(self, keys: numpy.ndarray) -> numpy.ndarray:
        """The value of each key (int64 array), ``missing`` where the table has no such key.

        keys (numpy.ndarray): Keys (uint64, or int64 >= 0).
        """
        keys = keys.astype(numpy.uint64, copy=False)
        found = numpy.full(len(keys), self.missing, dtype="int64")
        pending = numpy.arange(len(keys))
        slots = self._slots(keys)
        while len(pending):
            hit = self.keys[slots] == keys[pending]
            used = self.used[slots]
            hit &= used
            found[pending[hit]] = self.values[slots[hit]]
            going_on = ~hit & used  # another key's slot: probe the next one
            pending, slots = pending[going_on], (slots[going_on] + 1) & self.mask
        return found


_GAP = numpy.zeros(1, dtype="int64")  # between two Docs' words: a word of no sequence
