"""Sections of a policy under their headings, and the rules that only hold inside a section.

A phrase alone can mislead where its section does not: "Invoices: ten years after the end of
the financial year" states how long data is kept only under a heading such as "How long we
keep your data", and "_ga" names a cookie under "Cookies". This component
- finds the headings that name a kind of section (``headings.py``; the kinds and their words
  are in ``patterns/sections.json``: ``retention``, ``cookies``, ``rights``, ...), by default
  only of the kinds that have rules (``all_kinds`` finds every kind, at a higher cost);
- records the sections, JSON-safe, in ``doc._.sections``: ``[{"start_char", "end_char",
  "heading", "kind"}]``. A section runs from its heading to the next heading ranked the same
  or higher, or naming a kind (``headings.HeadingFinder.section_end``), at most
  ``max_section_tokens`` tokens;
- matches the section-scoped rules of ``patterns/sections.json`` inside the sections of their
  kind only, and adds their spans where no span of the same label is yet: each such span's id
  names its rule and section (``stated_period/section.retention.period``), so a reviewer sees
  that the section made it, and the resolver and the attribute components treat it like the
  rulers' spans. Where a ruler's span covers the stretch, the ruler's span stays.
Cost: one NORM array per Doc; a line is read as text only when it is short and holds a heading
word; each kind's Matcher runs only on the stretches of a section around its rules' anchors.
"""
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy
import srsly
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from ..labels import SPANS_KEY
from .headings import HeadingFinder, IdSet, KindTable, norm_ids

RULES_FILE = "sections.json"
# Tokens a pattern token may match at most, for the Matcher's window around an anchor word.
_UNBOUNDED = 32


def pattern_length(pattern: List[dict]) -> int:
    """The most tokens a Matcher pattern can match.

    pattern (List[dict]): A token pattern.
    RETURNS (int): The sum of each token's largest repeat ("{0,8}" counts 8, "*" 32).
    """
    total = 0
    for token in pattern:
        op = token.get("OP", "1")
        if op in ("1", "!", "?"):
            total += 1
        elif op in ("*", "+"):
            total += _UNBOUNDED
        else:  # "{n}", "{n,m}", "{,m}", "{n,}"
            bounds = op.strip("{}").split(",")
            total += int(bounds[-1]) if bounds[-1] else _UNBOUNDED
    return total


def anchor_of(rule: dict) -> Tuple[List[str], int, int]:
    """The anchor of a rule: a required token of its pattern (``"anchor": index``) that every
    match holds, so the rule's Matcher need only run around the tokens it matches.

    rule (dict): A rule of ``patterns/sections.json``.
    RETURNS (Tuple[List[str], int, int]): The words the anchor token matches, and the most
        tokens a match can have before and after it.
    """
    pattern, index = rule["pattern"], rule.get("anchor")
    if not isinstance(index, int) or not 0 <= index < len(pattern) or "OP" in pattern[index]:
        raise ValueError(f"sections.json rule {rule.get('id')}: 'anchor' must be the index of a required token")
    token = pattern[index]
    attr = next((a for a in ("LOWER", "ORTH") if a in token), None)
    value = token.get(attr) if attr else None
    words = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) else None
    if not words:
        raise ValueError(f"sections.json rule {rule.get('id')}: the anchor token needs a LOWER or ORTH word or IN list")
    return list(words), pattern_length(pattern[:index]), pattern_length(pattern[index + 1:])


class Anchors:
    """The anchors of the rules of one section kind, found in a section in one pass."""

    def __init__(self, vocab, rules: List[dict]):
        """vocab (Vocab): The pipeline's vocab.
        rules (List[dict]): The kind's rules of ``patterns/sections.json``, in order."""
        self.reach: List[Tuple[int, int]] = []  # per rule: tokens before and after its anchor
        self.rules_of: Dict[int, List[int]] = {}  # string id -> the rules it anchors
        for index, rule in enumerate(rules):
            words, before, after = anchor_of(rule)
            self.reach.append((before, after))
            for word_id in norm_ids(vocab, words):
                self.rules_of.setdefault(word_id, []).append(index)
        self.ids = IdSet(self.rules_of)

    def windows(self, norms: numpy.ndarray, start: int, end: int) -> List[List[int]]:
        """The stretches of a section where a rule may match: around the anchors, merged.

        norms (numpy.ndarray): The Doc's NORM ids.
        start (int): The section's first token.
        end (int): The token after the section.
        RETURNS (List[List[int]]): [first token, token after] per stretch, in order.
        """
        windows: List[List[int]] = []
        for offset, value in self.ids.find(norms[start:end]):
            before = max(self.reach[i][0] for i in self.rules_of[value])
            after = max(self.reach[i][1] for i in self.rules_of[value])
            low, high = max(start, start + offset - before), min(end, start + offset + after + 1)
            if windows and low <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], high)
            else:
                windows.append([low, high])
        return windows


class SectionRules:
    """Find sections (``doc._.sections``) and add the spans of section-scoped rules."""

    def __init__(
        self,
        name: str = "sections",
        *,
        vocab=None,
        spans_key: str = SPANS_KEY,
        all_kinds: bool = False,
        max_section_tokens: int = 1500,
    ):
        """Create the component.

        name (str): The component name.
        vocab (Vocab): The pipeline's vocab.
        spans_key (str): The span group the rules add to.
        all_kinds (bool): Find the sections of every kind of ``patterns/sections.json``, not
            only of the kinds that have rules (more short lines to read: it costs more).
        max_section_tokens (int): A section ends this many tokens after its heading at the
            latest (a heading the finder misses must not stretch a section over the rest).
        """
        self.name = name
        self.vocab = vocab
        self.spans_key = spans_key
        self.all_kinds = all_kinds
        self.max_section_tokens = max_section_tokens
        self.data: Dict = {}
        self._compile()

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None, data: Optional[Dict] = None) -> None:
        """Load the heading kinds and the section-scoped rules.

        nlp (Optional[Language]): The pipeline.
        data (Optional[Dict]): The content of ``patterns/sections.json``: ``{"kinds": [{"kind",
            "words", "phrases"}], "stops": {name: [words]}, "rules": [{"section", "label", "id",
            "pattern", "anchor", "extend", "not_followed_by", "not_in_sentence_with",
            "not_containing"}]}``.
        """
        self.data = {key: value for key, value in (data or {}).items() if key != "description"}
        self._compile()

    def _compile(self) -> None:
        """Build, per section kind that has rules, its compiled rules, and the heading finder."""
        stops = {name: frozenset(words) for name, words in self.data.get("stops", {}).items()}
        self.rules: Dict[str, dict] = {}  # rule id -> the compiled rule
        self.matchers: Dict[str, Matcher] = {}  # section kind -> a Matcher of its rules
        for rule in self.data.get("rules", []):
            extend = rule.get("extend")
            if rule["section"] not in self.matchers:
                self.matchers[rule["section"]] = Matcher(self.vocab, validate=True)
            self.matchers[rule["section"]].add(rule["id"], [rule["pattern"]], greedy="LONGEST")
            self.rules[rule["id"]] = (
                {
                    "id": rule["id"],
                    "label": rule["label"],
                    "not_followed_by": tuple(
                        [get_string_id(w) for w in p.split()] for p in rule.get("not_followed_by", [])
                    ),
                    "not_in_sentence_with": frozenset(get_string_id(w) for w in rule.get("not_in_sentence_with", [])),
                    "not_containing": frozenset(get_string_id(w) for w in rule.get("not_containing", [])),
                    "extend": (stops[extend["stop"]], extend.get("min", 0), extend["max"]) if extend else None,
                }
            )
        raw: Dict[str, List[dict]] = {}
        for rule in self.data.get("rules", []):
            raw.setdefault(rule["section"], []).append(rule)
        self.anchors = {kind: Anchors(self.vocab, rules) for kind, rules in raw.items()} if self.vocab is not None else {}
        self.kinds = KindTable(self.data.get("kinds", []))
        wanted = None if self.all_kinds else list(self.matchers)
        self.finder = (
            HeadingFinder(self.vocab, self.kinds, wanted, self.max_section_tokens) if self.vocab is not None else None
        )

    def __call__(self, doc: Doc) -> Doc:
        """Set ``doc._.sections`` and add the spans of the rules of each section's kind.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        sections, norms = self.finder(doc)
        doc._.sections = [
            {
                "start_char": doc[s.start].idx,
                "end_char": doc[s.end - 1].idx + len(doc[s.end - 1]),
                "heading": s.heading.title,
                "kind": s.heading.kind,
            }
            for s in sections
        ]
        scoped = [(s.start, s.end, s.heading.kind) for s in sections if s.heading.kind in self.matchers]
        if scoped:
            self.add_spans(doc, norms, scoped)
        return doc

    @staticmethod
    def extend(doc: Doc, end: int, extend: Tuple[frozenset, int, int]) -> Optional[int]:
        """Run a match on to the end of its clause (the Matcher would pay for a long optional tail).

        doc (Doc): The document.
        end (int): The token after the match.
        extend (Tuple[frozenset, int, int]): The words that end the clause, and the least and
            most tokens to add.
        RETURNS (Optional[int]): The new end, or None when fewer than the least could be added.
        """
        stop, least, most = extend
        new_end = end
        while new_end < len(doc) and new_end - end < most:
            token = doc[new_end]
            if token.is_space or token.lower_ in stop:
                break
            new_end += 1
        return new_end if new_end - end >= least else None

    def keep(self, doc: Doc, norms: numpy.ndarray, start: int, end: int, rule: dict) -> bool:
        """Whether a match stands: the rule's ``not_followed_by``, ``not_containing`` and
        ``not_in_sentence_with`` words rule some out.

        doc (Doc): The document.
        norms (numpy.ndarray): The Doc's NORM ids.
        start (int): The match's first token.
        end (int): The token after the match.
        rule (dict): The compiled rule.
        RETURNS (bool): False when the match is ruled out.
        """
        for phrase in rule["not_followed_by"]:  # "16 years" + "of age"
            if norms[end:end + len(phrase)].tolist() == phrase:
                return False
        inside = rule["not_containing"]
        if inside and not inside.isdisjoint(norms[start:end].tolist()):
            return False  # "shredded after the retention period ends" refers back to a period
        sentence = rule["not_in_sentence_with"]
        if sentence:
            bounds = doc[start].sent
            if not sentence.isdisjoint(norms[bounds.start:bounds.end].tolist()):
                return False  # "We respond to requests within 30 days": a deadline, not a period
        return True

    def add_spans(self, doc: Doc, norms: numpy.ndarray, scoped: List[Tuple[int, int, str]]) -> None:
        """Match each section's rules inside it and add the spans that fill a gap.

        doc (Doc): The document.
        norms (numpy.ndarray): The Doc's NORM ids.
        scoped (List[Tuple[int, int, str]]): (start token, end token, kind) of the sections
            whose kind has rules.
        """
        strings = doc.vocab.strings
        matches: Dict[Tuple[int, int], dict] = {}
        for start, end, kind in scoped:
            matcher = self.matchers[kind]
            for low, high in self.anchors[kind].windows(norms, start, end):
                for match_id, m_start, m_end in matcher(doc[low:high]):
                    matches.setdefault((m_start + low, m_end + low), self.rules[strings[match_id]])
        if not matches:
            return
        group = doc.spans[self.spans_key] if self.spans_key in doc.spans else None
        taken: Dict[str, List[Tuple[int, int]]] = {}
        for span in group if group is not None else []:
            taken.setdefault(span.label_, []).append((span.start, span.end))
        added: List[Span] = []
        # Longest first: of overlapping matches ("30 days", "30 days after you leave") the
        # longer one is the span.
        for (start, end), rule in sorted(matches.items(), key=lambda m: (m[0][0] - m[0][1], m[0][0])):
            ranges = taken.setdefault(rule["label"], [])
            if any(s < end and start < e for s, e in ranges):
                continue  # the rulers already found this stretch: their span stays
            if rule["extend"]:
                end = self.extend(doc, end, rule["extend"])
                if end is None or any(s < end and start < e for s, e in ranges):
                    continue
            if self.keep(doc, norms, start, end, rule):
                ranges.append((start, end))
                added.append(Span(doc, start, end, label=rule["label"], span_id=rule["id"]))
        if added:
            if group is None:
                doc.spans[self.spans_key] = added
            else:
                group.extend(added)

    def to_disk(self, path, *, exclude=tuple()) -> None:
        """Save the kinds and rules as ``sections.json`` in the component's directory."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / RULES_FILE, self.data)

    def from_disk(self, path, *, exclude=tuple()) -> "SectionRules":
        """Load the kinds and rules saved by ``to_disk``."""
        self.data = srsly.read_json(Path(path) / RULES_FILE)
        self._compile()
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        """Serialise the kinds and rules."""
        return srsly.msgpack_dumps(self.data)

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "SectionRules":
        """Load the kinds and rules from bytes."""
        self.data = srsly.msgpack_loads(data)
        self._compile()
        return self


@Language.factory(
    "policylens_sections",
    assigns=["doc._.sections", "doc.spans"],
    default_config={"spans_key": SPANS_KEY, "all_kinds": False, "max_section_tokens": 1500},
)
def make_sections(nlp: Language, name: str, spans_key: str, all_kinds: bool, max_section_tokens: int) -> SectionRules:
    """Create the section finder (see SectionRules)."""
    return SectionRules(
        name, vocab=nlp.vocab, spans_key=spans_key, all_kinds=all_kinds, max_section_tokens=max_section_tokens
    )
