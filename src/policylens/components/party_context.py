"""A THIRD_PARTY span's category from its context, where the phrase alone does not tell it.

seeds.gold.md rule 16: the category comes from the mention in its context. Cues are read, nearest
first, for generic parties whose catalogue category is weak ("third parties", "partners",
"service providers", "vendors"):
0. a kind word in the span or just before it: "customer support vendors" -> customer_support;
1. a restrictive clause right after the span: "service providers we use to serve our
   advertisements" -> advertising, "third parties which assist us in operating" -> service_provider;
2. examples right after it: "third party applications like Google Analytics" -> analytics,
   "third parties (agents or sub-contractors)" -> service_provider; examples of several vendor
   kinds make the party a service provider;
3. an antecedent: "the third parties", "this service provider" take the category of the last
   mention with the same head a few sentences before;
4. the sentence: bare "third parties" in a marketing sentence ("may contact you with marketing
   offers") -> partner, in an advertising one -> advertising.
The cue words are data (``patterns/context_rules.json``, key ``third_party_category``).

The words around a span are read from the Doc's LOWER ids (``DocContext``), not from Token
objects; a sentence's text and verdict are kept for the other parties in it.
"""
import bisect
import re
from typing import Dict, Iterable, List, NamedTuple, Optional, Pattern, Sequence, Tuple, Union

from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from .doc_context import DocContext

VENDOR_CATEGORIES = frozenset(
    {"advertising", "analytics", "payment", "hosting_infrastructure", "communications", "customer_support", "service_provider"}
)


def _any_of(words: Iterable[str]) -> Pattern:
    """One regular expression that finds any of the literal ``words`` in a text (none: never matches).

    words (Iterable[str]): Padded phrases (" marketing ").
    RETURNS (Pattern): Its ``search`` tells whether any of them occurs: one scan instead of a
        ``str.__contains__`` per word.
    """
    words = list(words)
    return re.compile("|".join(re.escape(w) for w in words) if words else "(?!x)x")


def _starts_with_any(phrases: List[str]) -> Pattern:
    """One regular expression whose ``match`` tells whether a text starts with any of ``phrases``.

    phrases (List[str]): Literal phrases.
    RETURNS (Pattern): Matches at the start of a text that begins with one of them (none: never).
    """
    return re.compile("|".join(re.escape(p) for p in phrases) if phrases else "(?!x)x")


class WordCues:
    """Cue phrases of one category as word ids, found in a stretch's LOWER ids without its text.

    A padded phrase (" opt out ") occurs in a stretch's padded text (``PartyContext._text``)
    exactly when its words are consecutive tokens there, as long as no token text mixes
    spaces with other characters (spaCy's tokenizer makes none; ``PartyContext`` checks) and
    each phrase is words joined by single spaces (checked here: otherwise ``exact`` is False).
    """

    def __init__(self, phrases: List[str]):
        """phrases (List[str]): The category's cue phrases, unpadded ("marketing", "opt out")."""
        words = [phrase.split(" ") for phrase in phrases]
        self.exact = all(part and not any(c.isspace() for c in part) for parts in words for part in parts)
        ids = [tuple(get_string_id(part) for part in parts) for parts in words]
        self.single = frozenset(phrase[0] for phrase in ids if len(phrase) == 1)
        self.longer = [phrase for phrase in ids if len(phrase) > 1]
        self.firsts = frozenset(phrase[0] for phrase in self.longer)

    def found_in(self, words: List[int]) -> bool:
        """Whether one of the phrases occurs in ``words`` (LOWER ids, in order)."""
        if not self.single.isdisjoint(words):
            return True
        if self.firsts.isdisjoint(words):
            return False
        for at, word in enumerate(words):
            if word in self.firsts:
                for phrase in self.longer:
                    if tuple(words[at : at + len(phrase)]) == phrase:
                        return True
        return False


class Party(NamedTuple):
    """A THIRD_PARTY span as the rules read it: a Span has the same fields, so either will do."""

    start: int  # first token
    end: int  # token after the last
    id_: str  # the pattern id


# What the rules take for a THIRD_PARTY span: a Span or a Party.
PartyLike = Union[Span, Party]


class CueSet:
    """The cue phrases of several categories as word ids, tried in the cue list's order."""

    def __init__(self, pairs: List[Tuple[str, WordCues]]):
        """pairs (List[Tuple[str, WordCues]]): (category, its cues), in the cue list's order."""
        self.pairs = pairs
        # Every word a phrase can start with: a stretch without any of them holds no cue, which
        # one set operation tells (most parties' surroundings hold none).
        self.starts = frozenset().union(*(cues.single | cues.firsts for _, cues in pairs))

    def category_in(self, words: List[int]) -> Optional[str]:
        """The first category one of whose phrases occurs in ``words`` (LOWER ids, in order), or None."""
        if self.starts.isdisjoint(words):
            return None
        for category, cues in self.pairs:
            if cues.found_in(words):
                return category
        return None


class PartyContext:
    """The category cues of ``context_rules.json`` and the per-document pass that applies them."""

    def __init__(self, rules: Optional[dict] = None):
        """rules (dict): ``{"weak_categories", "clause_openers", "clause_cues", "span_cue_categories", "example_openers",
        "determiners", "antecedent_window", "sentence_ids", "sentence_cues"}``."""
        rules = rules or {}
        self.weak = frozenset(rules.get("weak_categories", []))
        self.clause_openers = [f" {p} " for p in rules.get("clause_openers", [])]
        self.clause_cues = [(cat, [f" {w} " for w in words]) for cat, words in rules.get("clause_cues", {}).items()]
        # A kind word in the span or the two words before it ("customer support vendors") decides first.
        self.span_cues = [(cat, words) for cat, words in self.clause_cues if cat in rules.get("span_cue_categories", [])]
        self.example_openers = [f" {p} " for p in rules.get("example_openers", [])]
        self.determiners = frozenset(rules.get("determiners", []))
        self.window = int(rules.get("antecedent_window", 60))
        self.sentence_ids = frozenset(rules.get("sentence_ids", []))
        self.sentence_cues = [(cat, [f" {w} " for w in words]) for cat, words in rules.get("sentence_cues", {}).items()]
        # The cue lists as (category, pattern) pairs, the form ``_cue`` reads.
        self._clause_res = [(cat, _any_of(words)) for cat, words in self.clause_cues]
        self._span_res = [(cat, _any_of(words)) for cat, words in self.span_cues]
        self._sentence_res = [(cat, _any_of(words)) for cat, words in self.sentence_cues]
        # The span and sentence cues as word ids (None: a phrase the id test cannot take).
        self._span_words = self._word_cues(rules.get("clause_cues", {}), rules.get("span_cue_categories", []))
        self._sentence_words = self._word_cues(rules.get("sentence_cues", {}))
        self.clause_ends = frozenset(rules.get("clause_ends", [",", ";", ".", ":", "(", ")", "!", "?"]))
        # The same words as string ids, compared with the Doc's LOWER ids. A clause end is
        # matched by its text; its lower-case id is the cheap first test.
        self._determiner_ids = frozenset(get_string_id(w) for w in self.determiners)
        # "Does the text start with one of these phrases?" as one anchored regex.
        self._clause_opener_re = _starts_with_any(self.clause_openers)
        self._example_opener_re = _starts_with_any(self.example_openers)
        # The first word of each example opener, as LOWER ids: the cheap test before that regex.
        self._example_firsts = frozenset(get_string_id(p.split(" ")[0]) for p in rules.get("example_openers", []))
        # A clause opens with an opener's words, so its first word must be an opener's first word:
        # a test on one id before the clause is read (None: an opener without words, no test).
        firsts = [p.split(" ")[0] for p in rules.get("clause_openers", [])]
        self._clause_firsts = frozenset(get_string_id(w) for w in firsts) if all(firsts) else None
        self._clause_end_lowers = frozenset(get_string_id(w.lower()) for w in self.clause_ends)
        # Per LOWER id: the word, and whether it holds a line break / is all blank.
        self._words: Dict[int, Tuple[str, bool, bool, bool]] = {}
        self._texts: Dict[int, str] = {}  # the text alone, for ``_text``
        self._breaks: Dict[int, bool] = {}  # whether it holds a line break, for ``sentence_category``
        self._mixed: Dict[int, bool] = {}  # whether it mixes spaces and other characters, for ``_cue_in``
        # The ids known not to mix them: a stretch all of whose words are here is tested at once.
        self._plain: set = set()
        self._no_break: set = set()  # the ids known to hold no line break, likewise

    @staticmethod
    def _word_cues(cues: Dict[str, List[str]], only: Optional[List[str]] = None) -> Optional[CueSet]:
        """The cues as word ids (``CueSet``), or None if a phrase is not words."""
        pairs = [(cat, WordCues(words)) for cat, words in cues.items() if only is None or cat in only]
        return CueSet(pairs) if all(word_cues.exact for _, word_cues in pairs) else None

    def _cue_in(self, context: DocContext, start: int, end: int, res, word_cues) -> Optional[str]:
        """The first category whose cue occurs in tokens ``start`` to ``end``: ``_cue`` on their
        ``_text``, answered from the LOWER ids where that gives the same answer.

        context (DocContext): The document's lookups.
        start (int): First token (clamped to 0).
        end (int): Token after the last.
        res: (category, pattern) pairs for ``_cue``.
        word_cues (Optional[CueSet]): The same cues as word ids, or None.
        RETURNS (Optional[str]): A category, or None.
        """
        first = max(0, start)
        words = lower_ids(context, first, max(first, end))
        if word_cues is not None and (self._plain.issuperset(words) or not self._any_mixed(words, context)):
            return word_cues.category_in(words)
        return self._cue(self._text(context, start, end), res)

    def _any_mixed(self, words: List[int], context: DocContext) -> bool:
        """Whether one of ``words`` (LOWER ids) mixes spaces with other characters (the id test
        of ``_cue_in`` would then miss what the text test finds)."""
        mixed = self._mixed
        strings = context.doc.vocab.strings
        return any(mixed.get(w, True) and self._word(w, strings)[3] for w in words)

    def _word(self, word: int, strings) -> Tuple[str, bool, bool, bool]:
        """A LOWER id's text, whether it holds a line break, whether it is blank and whether it
        mixes spaces with other characters, kept per id.

        Lower-casing neither makes nor removes a line break or a blank, so the answers are the
        token text's.
        """
        facts = self._words.get(word)
        if facts is None:
            if len(self._words) > 1_000_000:
                self._words.clear()  # a long run meets ever new words: keep the memory bounded
                self._texts.clear()
                self._breaks.clear()
                self._mixed.clear()
                self._plain.clear()
                self._no_break.clear()
            text = strings[word]
            mixed = " " in text and not text.isspace()
            facts = self._words[word] = (text, "\n" in text, text.isspace(), mixed)
            self._texts[word] = text
            self._breaks[word] = facts[1]
            self._mixed[word] = mixed
            if not mixed:
                self._plain.add(word)
            if not facts[1]:
                self._no_break.add(word)
        return facts

    def _text(self, context: DocContext, start: int, end: int) -> str:
        """The lower-cased words of tokens ``start`` to ``end``, space-joined and padded for phrase lookups.

        RETURNS (str): Equal to ``" " + " ".join(t.lower_ for t in doc[start:end]) + " "``.
        """
        first = max(0, start)
        words = lower_ids(context, first, max(first, end))
        known = self._texts
        texts = [known.get(w) for w in words]
        if None in texts:
            strings = context.doc.vocab.strings
            texts = [self._word(w, strings)[0] for w in words]
        return " " + " ".join(texts) + " "

    def _cue(self, text: str, cues) -> Optional[str]:
        """The first category of ``cues`` ((category, pattern) pairs) whose pattern occurs in ``text``."""
        for category, pattern in cues:
            if pattern.search(text):
                return category
        return None

    def clause_category(self, span: PartyLike, context: DocContext) -> Optional[str]:
        """The category a restrictive clause right after the span names, if any.

        span (PartyLike): A THIRD_PARTY span.
        context (DocContext): The document's lookups.
        RETURNS (Optional[str]): A category, or None.
        """
        doc = context.doc
        end = span.end
        words = lower_ids(context, end, end + 18)
        if self._clause_firsts is not None and (not words or words[0] not in self._clause_firsts):
            return None
        strings = doc.vocab.strings
        for word in words:
            if word in self._clause_end_lowers and doc[end].text in self.clause_ends:
                break
            if self._word(word, strings)[2]:
                break  # a blank token (a line break) ends the clause too
            end += 1
        clause = self._text(context, span.end, end)
        if not self._clause_opener_re.match(clause):
            return None
        return self._cue(clause, self._clause_res)

    def example_category(
        self,
        span: PartyLike,
        parties: Sequence[PartyLike],
        categories: Dict[int, str],
        context: DocContext,
        starts: Optional[List[int]] = None,
    ) -> Optional[str]:
        """The category of the examples that follow the span ("such as", "like", a parenthesis).

        span (PartyLike): A THIRD_PARTY span.
        parties (Sequence[PartyLike]): All THIRD_PARTY spans of the document, in order.
        categories (Dict[int, str]): Catalogue category of each of those spans, by start token.
        context (DocContext): The document's sentence bounds.
        starts (Optional[List[int]]): The parties' start tokens, if known (else read here).
        RETURNS (Optional[str]): The examples' common category; "service_provider" for several
            vendor kinds, "unspecified" for a wider mix; None when there are no examples or they
            say nothing.
        """
        if not self._opener_may_follow(context, span.end):
            return None
        head = self._text(context, span.end, span.end + 3).lstrip(" ,")
        if not self._example_opener_re.match(" " + head):
            return None
        stop = min(sentence_of(context, span.start)[1], span.end + 40)
        if starts is None:
            starts = [p.start for p in parties]
        # The parties are in start order: those starting from the span's end on, up to ``stop``.
        found = []
        for index in range(bisect.bisect_left(starts, span.end), len(parties)):
            other = parties[index]
            if other.start > stop:
                break
            if other.end <= stop:
                found.append(categories[other.start])
        found = [c for c in found if c != "unspecified"]
        if not found:
            return None
        if len(set(found)) == 1:
            return found[0]
        # Several vendor kinds make service providers; a wider mix leaves the kind open, and no
        # later cue (a "marketing" among the examples) may decide it.
        return "service_provider" if set(found) <= VENDOR_CATEGORIES else "unspecified"

    def _opener_may_follow(self, context: DocContext, end: int) -> bool:
        """Whether an example opener may start at token ``end`` (commas and spaces before it
        passed over), from the token ids: most parties are followed by no opener, and this
        spares building their text.

        context (DocContext): The document's lookups.
        end (int): The token after a party.
        RETURNS (bool): False when ``example_category``'s text test cannot match.
        """
        strings = context.doc.vocab.strings
        for word in lower_ids(context, end, end + 3):
            if word in self._example_firsts:
                return True
            text = self._texts.get(word)
            if text is None:
                text = self._word(word, strings)[0]
            if text.strip(" ,"):
                # The first word the text test reads: not an opener's first word, so no opener
                # starts here, unless part of it is stripped or it holds a space (then the text
                # test decides).
                return text[0] in " ," or " " in text
        return False

    def sentence_category(self, span: PartyLike, context: DocContext) -> Optional[str]:
        """The category a bare party takes from a marketing or advertising sentence.

        span (PartyLike): A THIRD_PARTY span whose rule id is one of ``sentence_ids``.
        context (DocContext): The document's sentence bounds.
        RETURNS (Optional[str]): A category, or None.
        """
        if span.id_ not in self.sentence_ids:
            return None
        start, end = sentence_of(context, span.start)
        # A heading is its own line even where no full stop ends it. (A token's trailing
        # whitespace is a space at most: only its text can hold the line break.)
        before = self._last_break(context, start, span.start)
        if before is not None:
            start = before + 1
        after = self._first_break(context, span.end, end)
        if after is not None:
            end = after
        key = (start, end)
        sentences = context.memo("party_sentence_category")
        if key not in sentences:
            sentences[key] = self._cue_in(context, start, end, self._sentence_res, self._sentence_words)
        return sentences[key]

    def _first_break(self, context: DocContext, start: int, end: int) -> Optional[int]:
        """The first token from ``start`` to ``end`` whose text holds a line break, or None."""
        words = lower_ids(context, start, end)
        if self._no_break.issuperset(words):
            return None  # one set operation for the usual stretch without a line break
        strings = context.doc.vocab.strings
        for offset, word in enumerate(words):
            found = self._breaks.get(word)
            if found is None:
                found = self._word(word, strings)[1]
            if found:
                return start + offset
        return None

    def _last_break(self, context: DocContext, start: int, end: int) -> Optional[int]:
        """The last token from ``start`` to ``end`` whose text holds a line break, or None."""
        words = lower_ids(context, start, end)
        if self._no_break.issuperset(words):
            return None
        strings = context.doc.vocab.strings
        for offset in range(len(words) - 1, -1, -1):
            found = self._breaks.get(words[offset])
            if found is None:
                found = self._word(words[offset], strings)[1]
            if found:
                return start + offset
        return None

    def categories(
        self, parties: List[PartyLike], base: Dict[int, str], named: Dict[int, bool], context: DocContext
    ) -> Dict[int, str]:
        """The category of every THIRD_PARTY span of one document, context applied.

        parties (List[PartyLike]): The document's THIRD_PARTY spans, sorted by position.
        base (Dict[int, str]): Catalogue category per span start token.
        named (Dict[int, bool]): Whether each span names an organisation, per start token.
        context (DocContext): The document's sentence bounds.
        RETURNS (Dict[int, str]): Category per span start token.
        """
        starts = [span.start for span in parties]
        result: Dict[int, str] = {}
        for index, span in enumerate(parties):
            start = starts[index]
            category = base[start]
            if not named[start] and category in self.weak:
                category = (
                    self._cue_in(context, start - 2, span.end, self._span_res, self._span_words)
                    or self.clause_category(span, context)
                    or self.example_category(span, parties, base, context, starts)
                    or self.antecedent_category(span, parties[:index], result, context)
                    or self.sentence_category(span, context)
                    or category
                )
            result[start] = category
        return result

    def antecedent_category(
        self, span: PartyLike, before: Sequence[PartyLike], result: Dict[int, str], context: Optional[DocContext] = None
    ) -> Optional[str]:
        """The category of the antecedent of "the/these/this/such <party>".

        span (PartyLike): A THIRD_PARTY span.
        before (Sequence[PartyLike]): The THIRD_PARTY spans before it, in order.
        result (Dict[int, str]): Categories already decided, per start token.
        context (Optional[DocContext]): The document's lookups, if made already.
        RETURNS (Optional[str]): The category of the nearest earlier span with the same head
            word within the window, or None.
        """
        if span.start == 0:
            return None
        context = context or DocContext(span.doc)
        if lower_ids(context, span.start - 1, span.start)[0] not in self._determiner_ids:
            return None
        doc = context.doc
        head = _head(doc, span)
        for other in reversed(before):
            if span.start - other.end > self.window:
                return None
            if _head(doc, other) == head and result.get(other.start) not in (None, "unspecified"):
                return result[other.start]
        return None


def lower_ids(context: DocContext, start: int, end: int) -> List[int]:
    """The LOWER ids of tokens ``start`` (>= 0) to ``end``, as ``context.lower[start:end]``.

    A slice of the Doc's shared LOWER array (``DocContext.lower_array``, read by the rulers
    already): the rules read a few words around a few parties, and ``DocContext.lower`` would
    turn the whole Doc's array into a list first.
    """
    return context.lower_array[start:end].tolist()


def sentence_of(context: DocContext, i: int) -> Tuple[int, int]:
    """The token range of the sentence holding token ``i``, as ``DocContext.sentence`` gives it.

    ``DocContext.sentence`` reads the whole Doc's sentence starts at its first call, a pass over
    the Doc; the few parties of a Doc that need their sentence cost less with spaCy's
    ``Span.sent``, which walks from the token to the sentence's bounds in compiled code. The
    two agree wherever ``Span.sent`` reads the sentence starts (no user hooks for sentences, and
    starts set: else ``DocContext`` answers).

    context (DocContext): The document's lookups.
    i (int): A token index.
    RETURNS (Tuple[int, int]): (start, end) token offsets.
    """
    doc = context.doc
    if "sents" in doc.user_hooks or "sent" in doc.user_span_hooks or not doc.has_annotation("SENT_START"):
        return context.sentence(i)
    sentence = doc[i : i + 1].sent
    return sentence.start, sentence.end


def _head(doc: Doc, party) -> str:
    """The head word of a party (its last token's lemma, else its lower-case text).

    doc (Doc): The party's document.
    party (PartyLike): The party.
    RETURNS (str): The word antecedents are matched on.
    """
    last = doc[party.end - 1]
    return last.lemma_ or last.lower_
