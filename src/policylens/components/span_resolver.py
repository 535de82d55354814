"""Settle the candidate spans: trim them, drop those context rules out, one span per stretch and label.

The rulers and the email component all add to one span group. Here, in order:
- leading words that labels.md leaves out of a span are trimmed ("your email address" ->
  "email address", "our service providers" -> "service providers");
- THIRD_PARTY spans that context shows are not recipients are dropped: a generic party used
  as a compound modifier ("third-party cookies", "court order"), attackers ("unauthorized
  third parties"), a role predicate ("act as independent contractors"), a weak recipient word
  ("others", "companies") that no sharing verb governs, a named browser or operating system
  ("Microsoft Internet Explorer"), a contact channel ("Telegram: @handle"), a line of social
  links, and a party lying inside a DATA_TYPE span;
- DATA_TYPE spans that context shows name no data are dropped: a data word used as a compound
  modifier of a process ("password authentication", "data subjects' rights"), a verb
  ("addresses your concerns"), the company's own details ("our address", "registered address"),
  a word after a modifier that makes it no personal data ("product names", "1 pixel", "facilitate
  your use of the site");
- the first party (see ``first_party.py``) is not a third party: spans naming it, and parties
  inside the sentence that defines it ("Acme and its affiliates (collectively, "Acme")"), are
  dropped; its group ("Acme entities") becomes an affiliate span;
- spans of the same label that overlap are reduced to the longest (then the earliest);
- ``doc.ents`` gets a non-overlapping view (longest first), for displaCy and
  EntityRuler-style consumers.
The word lists are data (``patterns/context_rules.json``), saved with the pipeline.

Speed: the group's spans are read once; the rules work on ``(start, end, label, id, span)``
tuples and the Doc's LOWER ids, with what a rule id implies worked out once per id
(``RuleFacts``). A span runs its label's rules only when a neighbouring word is one of those
the rules look at (or its rule id says they look further); the list and first-party rules
name the records they drop and the list is rebuilt once; the de-overlapping and ``doc.ents``
are done on the tuples, or on arrays for long documents (``span_overlap.resolve_overlaps``).
"""
import bisect
import threading
from operator import attrgetter
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

import srsly
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from ..labels import DATA_TYPE, SPANS_KEY, THIRD_PARTY
from .batch_pipe import BatchPipe
from .doc_arrays import text_array
from .doc_context import DocContext
from .first_party import FirstParty, NameTest
from .span_overlap import Record, resolve_overlaps, set_ents
from .span_rows import assign as assign_group

GROUP_ID = "generic.affiliates/first-party-group"


def within(start: int, end: int, regions: List[Tuple[int, int]]) -> bool:
    """Whether tokens ``start`` to ``end`` lie inside one of ``regions``.

    A loop rather than ``any()`` over a generator, which costs more per span than the test.

    start (int): First token.
    end (int): Token after the last.
    regions (List[Tuple[int, int]]): (first, last) token ranges.
    RETURNS (bool): True when ``first <= start`` and ``end <= last`` for one region.
    """
    for first, last in regions:
        if first <= start and end <= last:
            return True
    return False


def ids(words: Iterable[str]) -> frozenset:
    """The string ids of words, to compare with a Doc's ``LOWER``/``ORTH`` arrays.

    words (Iterable[str]): Words.
    RETURNS (frozenset): Their ids in any StringStore.
    """
    return frozenset(get_string_id(w) for w in words)


def first_words(phrases: List[Tuple[int, ...]]) -> Optional[frozenset]:
    """The first word ids of phrases, a cheap first test; None when an empty phrase matches anything."""
    if any(not phrase for phrase in phrases):
        return None
    return frozenset(phrase[0] for phrase in phrases)


class EveryWord:
    """A word set that holds every word: the neighbour test of a rule that may apply whatever the word."""

    def __contains__(self, word: object) -> bool:
        """RETURNS (bool): True."""
        return True


EVERY_WORD = EveryWord()
_NO_WORDS: FrozenSet[int] = frozenset()


class RuleFacts:
    """What a span's rule id (``span.id_``) tells the context rules, worked out once per id."""

    __slots__ = (
        "generic", "heads", "verb", "before", "before_words", "listed", "weak", "complaint", "entry", "social", "always_check"
    )

    def __init__(self, resolver: "SpanResolver", span_id: str):
        """resolver (SpanResolver): Its compiled word lists. span_id (str): A rule id ("contact.name/name")."""
        r = resolver
        self.generic = span_id.startswith("generic.")
        # DATA_TYPE rules. A generic mention ("your information") is a modifier only of the generic
        # heads, unless its rule is one of the possessive ones.
        self.heads = r._dt_generic_heads if self.generic and span_id not in r._dt_possessive_ids else r._dt_heads
        self.verb = span_id in r._dt_verb_ids
        # A tuple, and one empty set of words below: a pass makes facts for ~1,300 ids, and
        # a list and a set each were ~2,500 more objects for the garbage collector to track.
        self.before = tuple((words, numbers) for prefixes, words, numbers in r._dt_before if span_id.startswith(prefixes))
        # The words before a span that these rules look at (any word if one of them looks for a number).
        if r._dt_before_words is not None:
            self.before_words = r._dt_before_words
        elif any(numbers for _, numbers in self.before):
            self.before_words = EVERY_WORD
        else:
            self.before_words = frozenset().union(*(words for words, _ in self.before)) if self.before else _NO_WORDS
        self.listed = span_id in r._listed_ids
        # THIRD_PARTY rules.
        self.weak = span_id in r._weak_ids
        self.complaint = span_id.startswith(r._complaint_ids)
        self.entry = span_id.split("/", 1)[0]
        entry = r.entries.get(self.entry)
        self.social = entry is not None and entry["category"] == "social_media"
        # Whether a THIRD_PARTY span of this rule may be dropped whatever its neighbouring words
        # are (then its rules always run; for the others, only when a neighbour is one they look
        # at). A DATA_TYPE span's rules look at the word before it only for ``before``.
        self.always_check = self.weak or self.complaint or self.social or r._party_check_all


class SpanResolver(BatchPipe):
    """Trim, filter and de-overlap the policylens span group, and set ``doc.ents``."""

    def __init__(self, name: str = "span_resolver", *, spans_key: str = SPANS_KEY, annotate_ents: bool = True):
        """Create the component.

        name (str): The component name.
        spans_key (str): The span group to resolve.
        annotate_ents (bool): Whether to write the non-overlapping view to ``doc.ents``.
        """
        self.name = name
        self.spans_key = spans_key
        self.annotate_ents = annotate_ents
        self.rules: dict = {}
        self.entries: Dict[str, dict] = {}
        # The document being resolved, read by the rules below. Kept per thread: threads (a
        # Dask worker's, a web server's) may share one pipeline and resolve documents at once.
        self._current = threading.local()
        self._compile()

    def initialize(
        self, get_examples=None, *, nlp=None, rules: Optional[dict] = None, catalogue: Optional[List[dict]] = None
    ) -> None:
        """Load the context rules (``patterns/context_rules.json``) and the catalogue's owners.

        rules (Optional[dict]): ``{"trim_leading": {label: [words]}, "modifier_heads": [...],
            "attacker_before": [...], "attacker_after": [phrases], "first_party": {...}, ...}``
            (the file's description says what each key does).
        catalogue (Optional[List[dict]]): Entries of ``patterns/third_parties.jsonl``; their
            ``organization`` and ``category`` tell which named spans the first party owns and
            which are social networks.
        """
        self.rules = {key: value for key, value in (rules or {}).items() if key != "description"}
        self.entries = {
            entry["id"]: {
                "organization": entry.get("organization") or "",
                "names": [entry.get("service") or ""] + entry.get("names", []),
                "category": entry["category"],
            }
            for entry in catalogue or []
            if entry.get("named")
        }
        self._compile()

    def _compile(self) -> None:
        """Turn the word lists into sets of string ids for constant-time lookups.

        The rules compare the ids of the Doc's ``LOWER``, ``ORTH`` and ``LEMMA`` arrays (read
        once per Doc) with these: ``doc[i].lower_`` would make a Token object per look-up.
        """
        self._trim = {get_string_id(label): ids(words) for label, words in self.rules.get("trim_leading", {}).items()}
        self._modifier_heads = ids(self.rules.get("modifier_heads", []))
        self._attacker_before = ids(self.rules.get("attacker_before", []))
        self._attacker_after = [tuple(map(get_string_id, p.split())) for p in self.rules.get("attacker_after", [])]
        self._role_before = ids(self.rules.get("role_before", []))
        self._role_skip = ids(self.rules.get("role_skip", []))
        self._role_not_after = ids(self.rules.get("role_not_after", []))
        self._products = [tuple(map(get_string_id, p.split())) for p in self.rules.get("named_products_after", [])]
        self._colon = get_string_id(":")
        self._label_ids = (get_string_id(THIRD_PARTY), get_string_id(DATA_TYPE))
        self._handle_starts = tuple(self.rules.get("contact_handle_starts", []))
        self._link_words = frozenset(self.rules.get("social_link_words", []))
        weak = self.rules.get("needs_sharing_verb", {})
        self._weak_ids = frozenset(weak.get("ids", []))
        self._sharing_verbs = ids(weak.get("verbs", []))
        compound = self.rules.get("data_type_compound", {})
        self._dt_heads = ids(compound.get("heads", []))
        self._dt_generic_heads = ids(compound.get("generic_heads", []))
        self._dt_possessive_ids = frozenset(compound.get("possessive_ids", []))
        self._dt_skip = ids(compound.get("skip", []))
        self._dt_before = [
            (tuple(rule["ids"]), ids(rule["before"]), "#NUM" in rule["before"])
            for rule in self.rules.get("data_type_not_after", [])
        ]
        field = self.rules.get("data_type_field", {})
        self._field_separators = ids(field.get("separators", []))
        self._field_starts = tuple(field.get("value_starts", [])) or ("\0",)
        listed = self.rules.get("data_type_in_lists", {})
        self._listed_ids = frozenset(listed.get("ids", []))
        self._list_separators = ids(listed.get("separators", []))
        self._list_words = self._list_separators | ids(listed.get("determiners", []))
        verbs = self.rules.get("data_type_verbs", {})
        self._dt_verb_ids = frozenset(verbs.get("ids", []))
        self._dt_verb_objects = ids(verbs.get("objects", []))
        complaint = self.rules.get("complained_to", {})
        self._complaint_ids = tuple(complaint.get("ids", [])) or ("\0",)
        self._complaint_words = ids(complaint.get("words", []))
        self._first_party = FirstParty(self.rules.get("first_party", {}))
        self._organizations = {
            entry_id: self._first_party.words(entry["organization"]) for entry_id, entry in self.entries.items()
        }
        self._catalogued = set(self._organizations.values()) | {
            self._first_party.words(name) for entry in self.entries.values() for name in entry.get("names", [])
        }
        # Cheap first tests: the first words of the phrases, the lower-case field separators.
        self._attacker_first = first_words(self._attacker_after)
        self._products_first = first_words(self._products)
        self._field_separator_lowers = frozenset(get_string_id(w.lower()) for w in field.get("separators", []))
        # The words after (before) a span that some rule of its label looks at: a span with other
        # neighbours is kept without running its rules, unless its RuleFacts say always_check (a
        # DATA_TYPE span: unless the word before it is one of its RuleFacts.before_words).
        self._dt_after_words = (
            self._dt_skip | self._dt_heads | self._dt_generic_heads | self._dt_verb_objects | self._field_separator_lowers
        )
        self._party_check_all = self._attacker_first is None or self._products_first is None
        self._party_after_words = self._modifier_heads | (self._attacker_first or frozenset()) | (
            self._products_first or frozenset()
        ) | {self._colon}
        # Before a generic party the attacker and role rules look; before a named one, the attacker rule.
        self._party_before_words = self._attacker_before | self._role_skip | self._role_before
        self._named_before_words = self._attacker_before
        # The words before a DATA_TYPE span that its rules look at: per rule id (``RuleFacts``)
        # unless set here.
        self._dt_before_words: Optional[frozenset] = None
        # Per rule id: its RuleFacts; per word id: whether the word ends in "s" / holds a blank line.
        self._facts: Dict[int, RuleFacts] = {}
        self._plural: Dict[int, bool] = {}
        self._breaks: Dict[int, bool] = {}

    @property
    def _context(self) -> DocContext:
        """The lookups of the document this thread is resolving (set by ``__call__``)."""
        return self._current.context

    @property
    def _candidates(self) -> List[Span]:
        """The group as the rulers left it, for ``on_a_link_line`` (set by ``__call__``)."""
        return self._current.candidates

    def facts(self, span_id: int, strings) -> RuleFacts:
        """The RuleFacts of a rule id, worked out at its first use.

        span_id (int): A span's ``id``.
        strings (StringStore): The document's strings.
        RETURNS (RuleFacts): What the id tells the rules.
        """
        facts = self._facts.get(span_id)
        if facts is None:
            facts = self._facts[span_id] = RuleFacts(self, strings[span_id])
        return facts

    def _ends_in_s(self, word: int, strings) -> bool:
        """Whether the word with LOWER id ``word`` ends in "s" (a plural: "third parties' cookies")."""
        plural = self._plural.get(word)
        if plural is None:
            if len(self._plural) > 1_000_000:
                self._plural.clear()  # a long run meets ever new words: keep the memory bounded
            plural = self._plural[word] = strings[word].endswith("s")
        return plural

    def _is_break(self, word: int, strings) -> bool:
        """Whether the token with LOWER id ``word`` holds a blank line (its text, so its ORTH, does)."""
        found = self._breaks.get(word)
        if found is None:
            if len(self._breaks) > 1_000_000:
                self._breaks.clear()
            found = self._breaks[word] = "\n\n" in strings[word]
        return found

    def is_not_a_recipient(self, start: int, end: int, facts: RuleFacts) -> bool:
        """Whether context shows a THIRD_PARTY span names no recipient.

        start (int): The span's first token.
        end (int): The token after it.
        facts (RuleFacts): What its rule id tells.
        RETURNS (bool): True for compound modifiers of generic parties and for attackers.
        """
        lower = self._context.lower
        n = len(lower)
        generic = facts.generic
        if generic and end < n and lower[end] in self._modifier_heads:
            if not self._ends_in_s(lower[end - 1], self._context.doc.vocab.strings):
                return True
        if start > 0 and lower[start - 1] in self._attacker_before:
            return True
        if self._attacker_first is None or (end < n and lower[end] in self._attacker_first):
            after = tuple(lower[end : end + 3])
            if any(after[: len(phrase)] == phrase for phrase in self._attacker_after):
                return True
        if generic:
            return (
                self.is_a_role(start)
                or self.lacks_sharing_verb(start, facts)
                or self.is_complained_to(start, facts)
            )
        return self.is_a_product_or_channel(start, end, facts)

    def is_not_a_data_type(self, start: int, end: int, facts: RuleFacts) -> bool:
        """Whether context shows a DATA_TYPE span names no personal data.

        start (int): The span's first token (after trimming).
        end (int): The token after it.
        facts (RuleFacts): What its rule id tells.
        RETURNS (bool): True for a compound modifier of a process noun ("password protection"),
            a verb ("addresses its users' concerns"), the label of a written-out detail
            ("Address: 75 Main Street"), or a word after one of the modifiers that
            ``data_type_not_after`` lists for its rule ("our address", "product names").
        """
        context = self._context
        lower = context.lower
        n = len(lower)
        after = end
        while after < n and lower[after] in self._dt_skip:
            after += 1  # "password-protected", "login/password procedures"
        # A process noun after a singular word ("password protection", not "passwords policies").
        if after < n and lower[after] in facts.heads and not self._ends_in_s(lower[end - 1], context.doc.vocab.strings):
            return True
        if facts.verb and end < n and lower[end] in self._dt_verb_objects:
            return True
        if end + 1 < n and lower[end] in self._field_separator_lowers and context.doc[end].orth in self._field_separators:
            # "Address: 75 Main Street", "Phone: +1 ...": the label of the company's own detail.
            value = context.doc[end + 1]
            if value.like_num or value.like_email or value.like_url or value.text.startswith(self._field_starts):
                return True
        if start == 0 or not facts.before:
            return False
        before = lower[start - 1]
        for words, numbers in facts.before:
            if before in words or (numbers and context.doc[start - 1].like_num):
                return True
        return False

    def unlisted(self, records: List[Record], weak: List[int], starts: set, ends: set) -> Set[int]:
        """The list-only DATA_TYPE spans ("age", "email") that stand in no list with other data.

        A list-only span counts when it is linked to a data type that counts by itself, or to a
        list-only span linked in turn ("name, age, country"): "by email, telephone or SMS" holds
        channels, not data. Generic mentions ("your information and your country") are no list
        of data kinds and link nothing.

        records (List[Record]): Candidate records of any labels.
        weak (List[int]): The positions in ``records`` of the list-only DATA_TYPE records.
        starts (set): Start tokens of the DATA_TYPE records that count by themselves (updated).
        ends (set): Their end tokens (updated).
        RETURNS (Set[int]): The positions in ``records`` of the list-only records to drop.
        """
        if not weak:
            return set()
        kept: set = set()
        for _ in range(3):
            added = [
                i for i in weak
                if i not in kept and self.is_listed_with_data(records[i][0], records[i][1], starts, ends)
            ]
            if not added:
                break
            for i in added:
                kept.add(i)
                starts.add(records[i][0])
                ends.add(records[i][1])
        return set(weak) - kept

    def is_listed_with_data(self, start: int, end: int, starts: set, ends: set) -> bool:
        """Whether a span stands in a list beside another data type ("name, age and gender").

        Words such as "age" or "country" name data only among other data; alone they are
        mostly something else ("the age of majority", "other countries").

        start (int): A DATA_TYPE span's first token.
        end (int): The token after it.
        starts (set): Start tokens of the document's DATA_TYPE spans.
        ends (set): End tokens of the document's DATA_TYPE spans.
        RETURNS (bool): True when a list separator links it to a neighbouring DATA_TYPE span.
        """
        lower = self._context.lower
        i, separated = start, False
        while i > 0 and start - i < 3 and lower[i - 1] in self._list_words:
            i -= 1
            separated = separated or lower[i] in self._list_separators
            if separated and i in ends:
                return True
        j, separated = end, False
        while j < len(lower) and j - end < 3 and lower[j] in self._list_words:
            separated = separated or lower[j] in self._list_separators
            j += 1
            if separated and j in starts:
                return True
        return False

    def is_a_role(self, start: int) -> bool:
        """Whether a generic party is a predicate ("act as independent contractors", "as data
        processors"), not a recipient; "such as" and "as well as" introduce recipients and stay.

        start (int): A generic THIRD_PARTY span's first token.
        RETURNS (bool): True for a role predicate.
        """
        lower = self._context.lower
        i = start - 1
        while i >= 0 and start - i <= 3 and lower[i] in self._role_skip:
            i -= 1
        if i < 0 or lower[i] not in self._role_before:
            return False
        return i == 0 or lower[i - 1] not in self._role_not_after

    def is_complained_to(self, start: int, facts: RuleFacts) -> bool:
        """Whether an authority is one the user may complain to ("lodge a complaint with a
        supervisory authority"), not a recipient of data (seeds.gold.md rule 18).

        start (int): A generic THIRD_PARTY span's first token.
        facts (RuleFacts): What its rule id tells.
        RETURNS (bool): True when a complaint word comes shortly before an authority span.
        """
        if not facts.complaint:
            return False
        if self._complaint_words.isdisjoint(self._context.lower[max(0, start - 12) : start]):
            return False  # none in the 12 words before: none in the sentence's part of them
        first = self._context.sentence_start_after(start, start - 12)
        return not self._complaint_words.isdisjoint(self._context.lower[first:start])

    def lacks_sharing_verb(self, start: int, facts: RuleFacts) -> bool:
        """Whether a weak recipient word ("others", "companies") has no sharing verb before it in
        its sentence; only as the object of share/disclose/sell... does it name a recipient.

        start (int): A generic THIRD_PARTY span's first token.
        facts (RuleFacts): What its rule id tells.
        RETURNS (bool): True when the span's rule needs a verb and the sentence has none before it.
        """
        if not facts.weak:
            return False
        context = self._context
        first = context.sentence_start(start)
        # The words first (the lemmas are read only if asked).
        return self._sharing_verbs.isdisjoint(context.lower[first:start]) and self._sharing_verbs.isdisjoint(
            context.lemmas(first, start)
        )

    def is_a_product_or_channel(self, start: int, end: int, facts: RuleFacts) -> bool:
        """Whether a named party is only the maker of a browser or operating system ("Microsoft
        Internet Explorer"), a contact channel of the first party ("Telegram: @handle"), or one of
        a line of social links ("Facebook | Twitter | Pinterest").

        start (int): A named THIRD_PARTY span's first token.
        end (int): The token after it.
        facts (RuleFacts): What its rule id tells.
        RETURNS (bool): True when the span names no recipient.
        """
        lower = self._context.lower
        doc = self._context.doc
        if end < len(lower):
            first = lower[end]
            if self._products_first is None or first in self._products_first:
                after = tuple(lower[end : end + 2])
                if any(after[: len(phrase)] == phrase for phrase in self._products):
                    return True
            if first == self._colon and end + 1 < len(doc):
                following = doc[end + 1]
                if following.text.startswith(self._handle_starts) or following.like_url or following.like_num:
                    return True
        elif self._products_first is None:
            return True  # an empty phrase matches even at the end of the text
        if not facts.social:
            return False
        return self.on_a_link_line(start, end)

    def on_a_link_line(self, first: int, last: int) -> bool:
        """Whether the span's paragraph is a row of social links: two or more social networks and
        nothing else but separators and link words ("Follow us: Facebook | Twitter").

        first (int): A named social-network span's first token.
        last (int): The token after it.
        RETURNS (bool): True for a row of social links.
        """
        doc = self._context.doc
        lower = self._context.lower
        strings = doc.vocab.strings
        # A row of links is a short paragraph: blank lines (or the text's ends) close by.
        start = first
        while start > 0 and not self._is_break(lower[start - 1], strings):
            start -= 1
            if first - start > 40:
                return False
        end = last
        while end < len(doc) and not self._is_break(lower[end - 1], strings):
            end += 1
            if end - last > 40:
                return False
        # The THIRD_PARTY candidates by start, sorted once per document: a span's paragraph is
        # found by bisection instead of a pass over all candidates.
        by_start = self._context.memo("parties by start")
        if not by_start:
            party = self._label_ids[0]
            spans = sorted((s for s in self._candidates if s.label == party), key=attrgetter("start"))
            by_start["spans"], by_start["starts"] = spans, [s.start for s in spans]
        spans, starts = by_start["spans"], by_start["starts"]
        names = [
            s for s in spans[bisect.bisect_left(starts, start) : bisect.bisect_right(starts, end)] if s.end <= end
        ]
        social = [s for s in names if self.facts(s.id, strings).social]
        # A list of the services an app uses has one name a line and other kinds among them.
        if len(social) < len(names) or len({s.text.lower() for s in social}) < 2:
            return False
        covered = {i for s in names for i in range(s.start, s.end)}
        return all(t.i in covered or t.is_punct or t.is_space or t.lower_ in self._link_words for t in doc[start:end])

    def first_party_rules(self, doc: Doc, records: List[Record], parties: List[int]) -> Tuple[Set[int], List[Record]]:
        """The THIRD_PARTY spans that name the first party or lie in its definition, and new
        spans for its group ("Acme entities").

        doc (Doc): The document.
        records (List[Record]): Candidate records of any labels.
        parties (List[int]): The positions in ``records`` of the THIRD_PARTY records.
        RETURNS (Tuple[Set[int], List[Record]]): The positions of the records to drop, and the
            records of the group spans.
        """
        context = self._context
        names, regions, vendor_names = self._first_party.detect(doc, context)
        # "provided by Google" names the first party only if no catalogued third party is meant.
        names |= {n for n in vendor_names if n not in self._catalogued}
        if not names and not regions:
            return set(), []
        strings = doc.vocab.strings
        first_party = self._first_party
        dropped = set()
        known = self._facts.get
        # One decision per (text, entry): names repeat. A span's text is a slice of the text the
        # tokenizer was given, at the span's character offsets; without that text, a span of one
        # or two tokens is known by its ORTH ids and its length in characters, which tell
        # whether a space parts the two (a token's text is its ORTH string), and its text is
        # joined only the first time. Without names, no span names the first party.
        verdicts: Dict[tuple, bool] = {}
        names_the_first_party = NameTest(names)
        source = context.source
        orth = text_array(doc, ORTH) if names and source is None else None  # read by the rulers already
        for i in parties:
            start, end, _, span_id, span = records[i]
            if regions and within(start, end, regions):
                dropped.add(i)
                continue
            if not names:
                continue
            entry = (known(span_id) or self.facts(span_id, strings)).entry
            if source is not None:
                text = source[span.start_char : span.end_char]
                key = (text, entry)
            elif end - start <= 2:
                text = None
                key = (*orth[start:end].tolist(), span.end_char - span.start_char, entry)
            else:
                text = context.span_text(start, end)
                key = (text, entry)
            verdict = verdicts.get(key)
            if verdict is None:
                words, raw = first_party.text_words(context.span_text(start, end) if text is None else text)
                verdict = verdicts[key] = names_the_first_party(words, self._organizations.get(entry, ()), raw)
            if verdict:
                dropped.add(i)
        # Only mentions followed by a group noun make spans: only those are looked for (and
        # without names there are no mentions).
        near = first_party.before_group_nouns(context) if names else []
        mentions = first_party.mentions(doc, names, context, near) if near != [] else []
        group = [
            (span.start, span.end, span.label, span.id, span)
            for span in first_party.group_spans(doc, mentions, THIRD_PARTY, GROUP_ID, context)
        ]
        return dropped, group

    def __call__(self, doc: Doc) -> Doc:
        """Resolve the spans of ``doc`` in place.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        # Per-document lookups for the rules below; set anew for each document.
        context = self._current.context = DocContext(doc)
        # Iterating a span group makes a Span object per span: done once, kept for the rules.
        candidates = self._current.candidates = list(doc.spans.get(self.spans_key, []))
        party, data_type = self._label_ids
        strings = doc.vocab.strings
        facts, known_facts = self.facts, self._facts.get  # the method works out an id met the first time
        trim_words = self._trim
        lower = context.lower if candidates else []
        length = len(lower)
        # The neighbours the rules look at (see ``_compile``): most spans have none of them.
        party_after, dt_after = self._party_after_words, self._dt_after_words
        party_before, named_before = self._party_before_words, self._named_before_words
        records: List[Record] = []
        # For ``unlisted``: the list-only DATA_TYPE records, and where the others that count
        # by themselves start and end.
        weak: List[int] = []
        strong_starts, strong_ends = set(), set()
        parties: List[int] = []  # for ``first_party_rules``: the positions of THIRD_PARTY records
        for span in candidates:
            start, end, label, span_id = span.start, span.end, span.label, span.id
            trimmed = start
            words = trim_words.get(label)
            if words:  # the leading words its label leaves out ("your email address"); one token stays
                while trimmed < end - 1 and lower[trimmed] in words:
                    trimmed += 1
            if label == party:
                span_facts = known_facts(span_id) or facts(span_id, strings)
                if (
                    span_facts.always_check
                    or (end < length and lower[end] in party_after)
                    or (trimmed > 0 and lower[trimmed - 1] in (party_before if span_facts.generic else named_before))
                ) and self.is_not_a_recipient(trimmed, end, span_facts):
                    continue
                parties.append(len(records))
            elif label == data_type:
                span_facts = known_facts(span_id) or facts(span_id, strings)
                if (
                    (end < length and lower[end] in dt_after) or (trimmed > 0 and lower[trimmed - 1] in span_facts.before_words)
                ) and self.is_not_a_data_type(trimmed, end, span_facts):
                    continue
                if span_facts.listed:
                    weak.append(len(records))
                elif not span_facts.generic:
                    strong_starts.add(trimmed)
                    strong_ends.add(end)
            if trimmed != start:
                # A trimmed span keeps its label and rule id (a knowledge-base id is not kept).
                span = Span(doc, trimmed, end, label=label, span_id=span_id)
            records.append((trimmed, end, label, span_id, span))
        # Both rules name records to drop (of different labels): the list is rebuilt once.
        dropped = self.unlisted(records, weak, strong_starts, strong_ends)
        not_parties, group = self.first_party_rules(doc, records, parties)
        dropped |= not_parties
        if dropped:
            records = [record for i, record in enumerate(records) if i not in dropped]
        records += group
        records, shown = resolve_overlaps(records, len(doc), party, data_type)
        self._current.candidates = []
        self._current.context = None
        # The attribute components read the group as rows (``span_rows``): kept as it is set.
        assign_group(doc, self.spans_key, records)
        if self.annotate_ents:
            set_ents(doc, shown)
        return doc

    def to_disk(self, path, *, exclude=tuple()) -> None:
        """Save the rules to ``path/rules.json`` and the named entries to ``path/entries.json``."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "rules.json", self.rules)
        srsly.write_json(path / "entries.json", self.entries)

    def from_disk(self, path, *, exclude=tuple()) -> "SpanResolver":
        """Load the rules and entries saved by ``to_disk`` (entries may be absent in old pipelines)."""
        path = Path(path)
        self.rules = srsly.read_json(path / "rules.json")
        self.entries = srsly.read_json(path / "entries.json") if (path / "entries.json").exists() else {}
        self._compile()
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        """Serialise the rules and entries."""
        return srsly.msgpack_dumps({"rules": self.rules, "entries": self.entries})

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "SpanResolver":
        """Load the rules and entries from bytes."""
        loaded = srsly.msgpack_loads(data)
        self.rules, self.entries = loaded["rules"], loaded["entries"]
        self._compile()
        return self


@Language.factory(
    "span_resolver",
    assigns=["doc.spans", "doc.ents"],
    default_config={"spans_key": SPANS_KEY, "annotate_ents": True},
)
def make_span_resolver(nlp: Language, name: str, spans_key: str, annotate_ents: bool) -> SpanResolver:
    """Create the span resolver (see SpanResolver)."""
    return SpanResolver(name, spans_key=spans_key, annotate_ents=annotate_ents)
