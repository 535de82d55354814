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
"""
import bisect
import itertools
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import srsly
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, filter_spans

from ..labels import DATA_TYPE, LABELS, SPANS_KEY, THIRD_PARTY
from .doc_context import DocContext
from .first_party import FirstParty, names_first_party, raw_words

GROUP_ID = "generic.affiliates/first-party-group"


def ids(words: Iterable[str]) -> frozenset:
    """The string ids of words, to compare with a Doc's ``LOWER``/``ORTH`` arrays.

    words (Iterable[str]): Words.
    RETURNS (frozenset): Their ids in any StringStore.
    """
    return frozenset(get_string_id(w) for w in words)


def longest_per_label(spans: Iterable[Span]) -> List[Span]:
    """Keep, per label, the longest of overlapping spans (ties: the earliest).

    spans (Iterable[Span]): Candidate spans of any labels.
    RETURNS (List[Span]): Spans sorted by position; no two of one label overlap.
    """
    by_label: Dict[str, List[Span]] = {}
    for span in spans:
        by_label.setdefault(span.label_, []).append(span)
    kept: List[Span] = []
    for group in by_label.values():
        kept.extend(filter_spans(group))
    return sorted(kept, key=lambda s: (s.start, s.end, LABELS.index(s.label_) if s.label_ in LABELS else 99))


def drop_parties_inside_data_types(spans: List[Span]) -> List[Span]:
    """Drop THIRD_PARTY spans that a longer DATA_TYPE span contains ("third-party cookies").

    spans (List[Span]): Spans of any labels.
    RETURNS (List[Span]): The spans without those THIRD_PARTY spans.
    """
    labels = [s.label_ for s in spans]
    data_types = sorted((s.start, s.end) for s, label in zip(spans, labels) if label == DATA_TYPE)
    if not data_types:
        return spans
    # A longer span containing s starts before s and ends at or after it, or starts with s and
    # ends after it: found by bisection instead of comparing every pair.
    starts = [start for start, _ in data_types]
    furthest = list(itertools.accumulate((end for _, end in data_types), max))

    def inside(span: Span) -> bool:
        before = bisect.bisect_left(starts, span.start)
        if before and furthest[before - 1] >= span.end:
            return True
        same = bisect.bisect_right(starts, span.start)
        return same > before and data_types[same - 1][1] > span.end

    return [s for s, label in zip(spans, labels) if not (label == THIRD_PARTY and inside(s))]


class SpanResolver:
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
        self._context: Optional[DocContext] = None
        self._parties: List[Span] = []
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

    def trim(self, span: Span) -> Span:
        """The span without the leading words its label leaves out (at least one token stays).

        span (Span): A candidate span.
        RETURNS (Span): The same span, or a shorter one with the same label and id.
        """
        words = self._trim.get(span.label)
        if not words:
            return span
        lower = self._context.lower
        start = span.start
        while start < span.end - 1 and lower[start] in words:
            start += 1
        if start == span.start:
            return span
        return Span(span.doc, start, span.end, label=span.label, span_id=span.id)

    def is_not_a_recipient(self, span: Span) -> bool:
        """Whether context shows a THIRD_PARTY span names no recipient.

        span (Span): A THIRD_PARTY span.
        RETURNS (bool): True for compound modifiers of generic parties and for attackers.
        """
        lower = self._context.lower
        generic = span.id_.startswith("generic.")
        if generic and span.end < len(lower) and lower[span.end] in self._modifier_heads:
            if not span.doc.vocab.strings[lower[span.end - 1]].endswith("s"):
                return True
        if span.start > 0 and lower[span.start - 1] in self._attacker_before:
            return True
        after = tuple(lower[span.end : span.end + 3])
        if any(after[: len(phrase)] == phrase for phrase in self._attacker_after):
            return True
        if generic:
            return self.is_a_role(span) or self.lacks_sharing_verb(span) or self.is_complained_to(span)
        return self.is_a_product_or_channel(span)

    def is_not_a_data_type(self, span: Span) -> bool:
        """Whether context shows a DATA_TYPE span names no personal data.

        span (Span): A DATA_TYPE span (already trimmed).
        RETURNS (bool): True for a compound modifier of a process noun ("password protection"),
            a verb ("addresses its users' concerns"), the label of a written-out detail
            ("Address: 75 Main Street"), or a word after one of the modifiers that
            ``data_type_not_after`` lists for its rule ("our address", "product names").
        """
        doc = span.doc
        lower = self._context.lower
        n = len(lower)
        span_id = span.id_
        after = span.end
        while after < n and lower[after] in self._dt_skip:
            after += 1  # "password-protected", "login/password procedures"
        if after < n and not doc.vocab.strings[lower[span.end - 1]].endswith("s"):
            head = lower[after]
            if span_id.startswith("generic.") and span_id not in self._dt_possessive_ids:
                if head in self._dt_generic_heads:
                    return True
            elif head in self._dt_heads:
                return True
        if span_id in self._dt_verb_ids and span.end < n and lower[span.end] in self._dt_verb_objects:
            return True
        if span.end + 1 < n and self._context.orth[span.end] in self._field_separators:
            # "Address: 75 Main Street", "Phone: +1 ...": the label of the company's own detail.
            value = doc[span.end + 1]
            if value.like_num or value.like_email or value.like_url or value.text.startswith(self._field_starts):
                return True
        if span.start == 0:
            return False
        before = lower[span.start - 1]
        for prefixes, words, numbers in self._dt_before:
            if span_id.startswith(prefixes) and (before in words or (numbers and doc[span.start - 1].like_num)):
                return True
        return False

    def keep_listed(self, spans: List[Span]) -> List[Span]:
        """Keep the list-only DATA_TYPE spans ("age", "email") that stand in a list with other data.

        A list-only span counts when it is linked to a data type that counts by itself, or to a
        list-only span linked in turn ("name, age, country"): "by email, telephone or SMS" holds
        channels, not data.

        spans (List[Span]): Candidate spans of any labels.
        RETURNS (List[Span]): The spans without unlisted list-only spans.
        """
        weak = [s for s in spans if s.label_ == DATA_TYPE and s.id_ in self._listed_ids]
        if not weak:
            return spans
        # Generic mentions ("your information and your country") are no list of data kinds.
        strong = [
            s for s in spans
            if s.label_ == DATA_TYPE and s.id_ not in self._listed_ids and not s.id_.startswith("generic.")
        ]
        starts, ends = {s.start for s in strong}, {s.end for s in strong}
        kept: set = set()
        for _ in range(3):
            added = [s for s in weak if id(s) not in kept and self.is_listed_with_data(s, starts, ends)]
            if not added:
                break
            for s in added:
                kept.add(id(s))
                starts.add(s.start)
                ends.add(s.end)
        return [s for s in spans if not (s.label_ == DATA_TYPE and s.id_ in self._listed_ids and id(s) not in kept)]

    def is_listed_with_data(self, span: Span, starts: set, ends: set) -> bool:
        """Whether a span stands in a list beside another data type ("name, age and gender").

        Words such as "age" or "country" name data only among other data; alone they are
        mostly something else ("the age of majority", "other countries").

        span (Span): A DATA_TYPE span.
        starts (set): Start tokens of the document's DATA_TYPE spans.
        ends (set): End tokens of the document's DATA_TYPE spans.
        RETURNS (bool): True when a list separator links it to a neighbouring DATA_TYPE span.
        """
        lower = self._context.lower
        i, separated = span.start, False
        while i > 0 and span.start - i < 3 and lower[i - 1] in self._list_words:
            i -= 1
            separated = separated or lower[i] in self._list_separators
            if separated and i in ends:
                return True
        j, separated = span.end, False
        while j < len(lower) and j - span.end < 3 and lower[j] in self._list_words:
            separated = separated or lower[j] in self._list_separators
            j += 1
            if separated and j in starts:
                return True
        return False

    def is_a_role(self, span: Span) -> bool:
        """Whether a generic party is a predicate ("act as independent contractors", "as data
        processors"), not a recipient; "such as" and "as well as" introduce recipients and stay.

        span (Span): A generic THIRD_PARTY span.
        RETURNS (bool): True for a role predicate.
        """
        lower = self._context.lower
        i = span.start - 1
        while i >= 0 and span.start - i <= 3 and lower[i] in self._role_skip:
            i -= 1
        if i < 0 or lower[i] not in self._role_before:
            return False
        return i == 0 or lower[i - 1] not in self._role_not_after

    def is_complained_to(self, span: Span) -> bool:
        """Whether an authority is one the user may complain to ("lodge a complaint with a
        supervisory authority"), not a recipient of data (seeds.gold.md rule 18).

        span (Span): A generic THIRD_PARTY span.
        RETURNS (bool): True when a complaint word comes shortly before an authority span.
        """
        if not span.id_.startswith(self._complaint_ids):
            return False
        start = max(self._context.sentence(span.start)[0], span.start - 12)
        return not self._complaint_words.isdisjoint(self._context.lower[start : span.start])

    def lacks_sharing_verb(self, span: Span) -> bool:
        """Whether a weak recipient word ("others", "companies") has no sharing verb before it in
        its sentence; only as the object of share/disclose/sell... does it name a recipient.

        span (Span): A generic THIRD_PARTY span.
        RETURNS (bool): True when the span's rule needs a verb and the sentence has none before it.
        """
        if span.id_ not in self._weak_ids:
            return False
        start = self._context.sentence(span.start)[0]
        context = self._context
        return self._sharing_verbs.isdisjoint(context.lemma[start : span.start]) and self._sharing_verbs.isdisjoint(
            context.lower[start : span.start]
        )

    def is_a_product_or_channel(self, span: Span) -> bool:
        """Whether a named party is only the maker of a browser or operating system ("Microsoft
        Internet Explorer"), a contact channel of the first party ("Telegram: @handle"), or one of
        a line of social links ("Facebook | Twitter | Pinterest").

        span (Span): A named THIRD_PARTY span.
        RETURNS (bool): True when the span names no recipient.
        """
        doc = span.doc
        after = tuple(self._context.lower[span.end : span.end + 2])
        if any(after[: len(phrase)] == phrase for phrase in self._products):
            return True
        if after[:1] == (self._colon,) and span.end + 1 < len(doc):
            following = doc[span.end + 1]
            if following.text.startswith(self._handle_starts) or following.like_url or following.like_num:
                return True
        entry = self.entries.get(span.id_.split("/", 1)[0])
        if entry is None or entry["category"] != "social_media":
            return False
        return self.on_a_link_line(span)

    def on_a_link_line(self, span: Span) -> bool:
        """Whether the span's paragraph is a row of social links: two or more social networks and
        nothing else but separators and link words ("Follow us: Facebook | Twitter").

        span (Span): A named social-network span.
        RETURNS (bool): True for a row of social links.
        """
        doc = span.doc
        # A row of links is a short paragraph: blank lines (or the text's ends) close by.
        start = span.start
        while start > 0 and "\n\n" not in doc[start - 1].text_with_ws:
            start -= 1
            if span.start - start > 40:
                return False
        end = span.end
        while end < len(doc) and "\n\n" not in doc[end - 1].text_with_ws:
            end += 1
            if end - span.end > 40:
                return False
        block = doc[start:end]
        names = [
            s for s in self._parties
            if block.start <= s.start and s.end <= block.end
        ]
        social = [s for s in names if self.entries.get(s.id_.split("/", 1)[0], {}).get("category") == "social_media"]
        # A list of the services an app uses has one name a line and other kinds among them.
        if len(social) < len(names) or len({s.text.lower() for s in social}) < 2:
            return False
        covered = {i for s in names for i in range(s.start, s.end)}
        return all(t.i in covered or t.is_punct or t.is_space or t.lower_ in self._link_words for t in block)

    def first_party_rules(self, doc: Doc, spans: List[Span]) -> List[Span]:
        """Drop THIRD_PARTY spans that name the first party or lie in its definition, and add
        spans for its group ("Acme entities").

        doc (Doc): The document.
        spans (List[Span]): Candidate spans of any labels.
        RETURNS (List[Span]): The spans after these rules.
        """
        names, regions = self._first_party.detect(doc, self._context)
        # "provided by Google" names the first party only if no catalogued third party is meant.
        names |= {n for n in self._first_party.vendor_names if n not in self._catalogued}
        if not names and not regions:
            return spans
        kept = []
        verdicts: Dict[tuple, bool] = {}  # one decision per (text, entry): names repeat
        for span in spans:
            if span.label_ == THIRD_PARTY:
                if any(start <= span.start and span.end <= end for start, end in regions):
                    continue
                entry = span.id_.split("/", 1)[0]
                key = (span.text, entry)
                if key not in verdicts:
                    organization = self._organizations.get(entry, ())
                    verdicts[key] = names_first_party(
                        self._first_party.words(span.text), organization, names, raw_words(span.text)
                    )
                if verdicts[key]:
                    continue
            kept.append(span)
        mentions = self._first_party.mentions(doc, names)
        kept.extend(self._first_party.group_spans(doc, mentions, THIRD_PARTY, GROUP_ID))
        return kept

    def __call__(self, doc: Doc) -> Doc:
        """Resolve the spans of ``doc`` in place.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        # Per-document lookups for the rules below; set anew for each document.
        self._context = DocContext(doc)
        # Iterating a span group makes a Span object per span: done once, kept for the rules.
        candidates = list(doc.spans.get(self.spans_key, []))
        party, data_type = self._label_ids
        self._parties = [s for s in candidates if s.label == party]  # as the rulers left them
        spans = []
        for span in candidates:
            span = self.trim(span)
            label = span.label
            if label == party and self.is_not_a_recipient(span):
                continue
            if label == data_type and self.is_not_a_data_type(span):
                continue
            spans.append(span)
        if self._listed_ids:
            spans = self.keep_listed(spans)
        spans = self.first_party_rules(doc, spans)
        spans = drop_parties_inside_data_types(longest_per_label(spans))
        self._parties = []
        doc.spans[self.spans_key] = spans
        if self.annotate_ents:
            doc.ents = filter_spans(spans)
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
