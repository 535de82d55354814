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
word; the rules' expressions run only on the text of the stretches of a section around their
anchor words (a spaCy Matcher call costs tens of microseconds even on a few tokens).
"""
import bisect
import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy
import srsly
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from ..labels import SPANS_KEY
from .batch_pipe import BatchPipe
from .doc_arrays import source_text, tokens_text
from .headings import LINE_BREAK_IDS, HeadingFinder, KindTable, norm_ids

RULES_FILE = "sections.json"
_SENTENCE_ENDS = frozenset(get_string_id(p) for p in (".", ";", "!", "?"))


class KindRules:
    """The rules of one section kind: where to try them, and the expressions."""

    def __init__(self, vocab, rules: List[dict]):
        """vocab (Vocab): The pipeline's vocab.
        rules (List[dict]): The kind's rules of ``patterns/sections.json``, in order."""
        self.rules = []
        self.rules_of: Dict[int, List[int]] = {}  # string id of an anchor word -> its rules
        for index, rule in enumerate(rules):
            name = rule.get("id")
            try:
                regex = re.compile(rule["regex"], re.IGNORECASE if rule.get("ignore_case", True) else 0)
                before, after = (int(n) for n in rule["reach"])
                anchors = list(rule["anchors"])
            except (KeyError, TypeError, ValueError, re.error) as err:
                raise ValueError(f"sections.json rule {name}: needs 'regex', 'anchors' and 'reach' ({err})") from err
            if not anchors:
                raise ValueError(f"sections.json rule {name}: 'anchors' is empty")
            self.rules.append(
                {
                    "id": rule["id"],
                    "label": rule["label"],
                    "regex": regex,
                    "reach": (before, after),
                    "not_in_sentence_with": frozenset(norm_ids(vocab, rule.get("not_in_sentence_with", []))),
                    "not_containing": frozenset(norm_ids(vocab, rule.get("not_containing", []))),
                    "not_after": (
                        frozenset(norm_ids(vocab, rule.get("not_after", {}).get("words", []))),
                        int(rule.get("not_after", {}).get("within", 0)),
                    ),
                }
            )
            for word_id in norm_ids(vocab, anchors):
                self.rules_of.setdefault(word_id, []).append(index)

    @staticmethod
    def after_verb(norms: numpy.ndarray, token: int, rule: dict) -> bool:
        """Whether a word of the rule's ``not_after`` comes shortly before an anchor token, in
        its sentence and on its line (a heading "How long we keep your data" does not count)."""
        words, within = rule["not_after"]
        if not words:
            return False
        before = norms[max(0, token - within):token].tolist()
        for k in range(len(before) - 1, -1, -1):
            if before[k] in LINE_BREAK_IDS or before[k] in _SENTENCE_ENDS:
                before = before[k + 1:]
                break
        return not words.isdisjoint(before)

    def windows(self, norms: numpy.ndarray, anchors: List[Tuple[int, int]], start: int, end: int) -> List[Tuple[int, int, set]]:
        """The stretches of a section where rules may match: around their anchors, merged.

        An anchor with a word of its rule's ``not_after`` in the tokens before it starts no
        stretch for that rule: the rulers' verb patterns cover it ("kept for 30 days").
        norms (numpy.ndarray): The Doc's NORM ids.
        anchors (List[Tuple[int, int]]): (token, NORM id) of the Doc's anchor words, in order.
        start (int): The section's first token.
        end (int): The token after the section.
        RETURNS (List[Tuple[int, int, set]]): (first token, token after, indices of the rules
            anchored in it) per stretch, in order.
        """
        windows: List[list] = []
        first = bisect.bisect_left(anchors, (start, -1))
        for token, value in anchors[first:]:
            if token >= end:
                break
            offset = token - start
            rules = [i for i in self.rules_of.get(value, ()) if not self.after_verb(norms, token, self.rules[i])]
            if not rules:
                continue
            before = max(self.rules[i]["reach"][0] for i in rules)
            after = max(self.rules[i]["reach"][1] for i in rules)
            low, high = max(start, start + offset - before), min(end, start + offset + after + 1)
            if windows and low <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], high)
                windows[-1][2].update(rules)
            else:
                windows.append([low, high, set(rules)])
        return [(low, high, rules) for low, high, rules in windows]


class SectionRules(BatchPipe):
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
            "words", "phrases"}], "rules": [{"section", "label", "id", "regex", "anchors",
            "reach", "ignore_case", "not_after", "not_in_sentence_with", "not_containing"}]}``.
        """
        self.data = {key: value for key, value in (data or {}).items() if key != "description"}
        self._compile()

    def _compile(self) -> None:
        """Build the rules of each section kind that has some, and the heading finder."""
        raw: Dict[str, List[dict]] = {}
        for rule in self.data.get("rules", []):
            raw.setdefault(rule["section"], []).append(rule)
        self.rules = {kind: KindRules(self.vocab, rules) for kind, rules in raw.items()} if self.vocab is not None else {}
        self.kinds = KindTable(self.data.get("kinds", []))
        wanted = None if self.all_kinds else list(raw)
        anchor_ids = {word_id for rules in self.rules.values() for word_id in rules.rules_of}
        self.finder = (
            HeadingFinder(self.vocab, self.kinds, wanted, self.max_section_tokens, also=anchor_ids)
            if self.vocab is not None
            else None
        )

    def __call__(self, doc: Doc) -> Doc:
        """Set ``doc._.sections`` and add the spans of the rules of each section's kind.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        sections, norms, anchors = self.finder(doc)
        doc._.sections = [
            {
                "start_char": doc[s.start].idx,
                "end_char": doc[s.end - 1].idx + len(doc[s.end - 1]),
                "heading": s.heading.title,
                "kind": s.heading.kind,
            }
            for s in sections
        ]
        scoped = [(s.start, s.end, s.heading.kind) for s in sections if s.heading.kind in self.rules]
        if scoped:
            self.add_spans(doc, norms, anchors, scoped)
        return doc

    def keep(self, doc: Doc, norms: numpy.ndarray, start: int, end: int, rule: dict) -> bool:
        """Whether a match stands: the rule's ``not_containing`` and ``not_in_sentence_with``
        words rule some out.

        doc (Doc): The document.
        norms (numpy.ndarray): The Doc's NORM ids.
        start (int): The match's first token.
        end (int): The token after the match.
        rule (dict): The compiled rule.
        RETURNS (bool): False when the match is ruled out.
        """
        inside = rule["not_containing"]
        if inside and not inside.isdisjoint(norms[start:end].tolist()):
            return False  # "shredded after the retention period ends" refers back to a period
        sentence = rule["not_in_sentence_with"]
        if sentence:
            bounds = doc[start].sent
            if not sentence.isdisjoint(norms[bounds.start:bounds.end].tolist()):
                return False  # "We respond to requests within 30 days": a deadline, not a period
        return True

    def matches(
        self, doc: Doc, norms: numpy.ndarray, anchors: List[Tuple[int, int]], scoped: List[Tuple[int, int, str]]
    ) -> Dict[Tuple[int, int], dict]:
        """The matches of each section's rules inside it.

        doc (Doc): The document.
        norms (numpy.ndarray): The Doc's NORM ids.
        anchors (List[Tuple[int, int]]): (token, NORM id) of the Doc's anchor words, in order.
        scoped (List[Tuple[int, int, str]]): (start token, end token, kind) of the sections
            whose kind has rules.
        RETURNS (Dict[Tuple[int, int], dict]): (start token, end token) -> the rule, the
            earlier rule where two match the same tokens.
        """
        found: Dict[Tuple[int, int], dict] = {}
        source = source_text(doc)
        for start, end, kind in scoped:
            rules = self.rules[kind].rules
            for low, high, anchored in self.rules[kind].windows(norms, anchors, start, end):
                if low >= high:
                    continue
                text, offset = tokens_text(doc, low, high, False, source), doc[low].idx
                for index in sorted(anchored):
                    rule = rules[index]
                    for match in rule["regex"].finditer(text):
                        span = doc.char_span(offset + match.start(), offset + match.end(), alignment_mode="expand")
                        if span is not None and len(span):
                            found.setdefault((span.start, span.end), rule)
        return found

    def add_spans(
        self, doc: Doc, norms: numpy.ndarray, anchors: List[Tuple[int, int]], scoped: List[Tuple[int, int, str]]
    ) -> None:
        """Match each section's rules inside it and add the spans that fill a gap.

        doc (Doc): The document.
        norms (numpy.ndarray): The Doc's NORM ids.
        anchors (List[Tuple[int, int]]): (token, NORM id) of the Doc's anchor words, in order.
        scoped (List[Tuple[int, int, str]]): (start token, end token, kind) of the sections
            whose kind has rules.
        """
        found = self.matches(doc, norms, anchors, scoped)
        found = {key: rule for key, rule in found.items() if self.keep(doc, norms, *key, rule)}
        if not found:
            return
        # Only now the span group: reading it makes a Span object per span.
        group = doc.spans[self.spans_key] if self.spans_key in doc.spans else None
        labels = {get_string_id(rule["label"]) for rule in found.values()}
        taken: Dict[int, List[Tuple[int, int]]] = {label: [] for label in labels}
        for span in group if group is not None else []:
            if span.label in labels:  # an int: no string look-up per span
                taken[span.label].append((span.start, span.end))
        added: List[Span] = []
        # Longest first: of overlapping matches ("30 days", "30 days after you leave") the
        # longer one is the span.
        for (start, end), rule in sorted(found.items(), key=lambda m: (m[0][0] - m[0][1], m[0][0])):
            ranges = taken[get_string_id(rule["label"])]
            if any(s < end and start < e for s, e in ranges):
                continue  # the rulers already found this stretch: their span stays
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
