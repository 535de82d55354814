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
"""
import re
from typing import Dict, Iterable, List, Optional, Pattern, Sequence

from spacy.tokens import Span

from .doc_context import DocContext

VENDOR_CATEGORIES = frozenset(
    {"advertising", "analytics", "payment", "hosting_infrastructure", "communications", "customer_support", "service_provider"}
)


def _text(tokens) -> str:
    """The lower-cased words of a token sequence, space-joined and padded for phrase lookups."""
    return " " + " ".join(t.lower_ for t in tokens) + " "


def _any_of(words: Iterable[str]) -> Pattern:
    """One regular expression that finds any of the literal ``words`` in a text (none: never matches).

    words (Iterable[str]): Padded phrases (" marketing ").
    RETURNS (Pattern): Its ``search`` tells whether any of them occurs: one scan instead of a
        ``str.__contains__`` per word.
    """
    words = list(words)
    return re.compile("|".join(re.escape(w) for w in words) if words else "(?!x)x")


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
        self.clause_ends = frozenset(rules.get("clause_ends", [",", ";", ".", ":", "(", ")", "!", "?"]))

    def _cue(self, text: str, cues) -> Optional[str]:
        """The first category of ``cues`` ((category, pattern) pairs) whose pattern occurs in ``text``."""
        for category, pattern in cues:
            if pattern.search(text):
                return category
        return None

    def clause_category(self, span: Span) -> Optional[str]:
        """The category a restrictive clause right after the span names, if any.

        span (Span): A THIRD_PARTY span.
        RETURNS (Optional[str]): A category, or None.
        """
        doc = span.doc
        end = span.end
        limit = min(len(doc), end + 18)
        while end < limit and doc[end].text not in self.clause_ends and not doc[end].is_space:
            end += 1
        clause = _text(doc[span.end : end])
        if not any(clause.startswith(opener) for opener in self.clause_openers):
            return None
        return self._cue(clause, self._clause_res)

    def example_category(
        self, span: Span, parties: Sequence[Span], categories: Dict[int, str], context: DocContext
    ) -> Optional[str]:
        """The category of the examples that follow the span ("such as", "like", a parenthesis).

        span (Span): A THIRD_PARTY span.
        parties (Sequence[Span]): All THIRD_PARTY spans of the document, in order.
        categories (Dict[int, str]): Catalogue category of each of those spans, by start token.
        context (DocContext): The document's sentence bounds.
        RETURNS (Optional[str]): The examples' common category; "service_provider" for several
            vendor kinds, "unspecified" for a wider mix; None when there are no examples or they
            say nothing.
        """
        doc = span.doc
        head = _text(doc[span.end : span.end + 3]).lstrip(" ,")
        if not any((" " + head).startswith(opener) for opener in self.example_openers):
            return None
        stop = min(context.sentence(span.start)[1], span.end + 40)
        found = [categories[p.start] for p in parties if span.end <= p.start and p.end <= stop]
        found = [c for c in found if c != "unspecified"]
        if not found:
            return None
        if len(set(found)) == 1:
            return found[0]
        # Several vendor kinds make service providers; a wider mix leaves the kind open, and no
        # later cue (a "marketing" among the examples) may decide it.
        return "service_provider" if set(found) <= VENDOR_CATEGORIES else "unspecified"

    def sentence_category(self, span: Span, context: DocContext) -> Optional[str]:
        """The category a bare party takes from a marketing or advertising sentence.

        span (Span): A THIRD_PARTY span whose rule id is one of ``sentence_ids``.
        context (DocContext): The document's sentence bounds.
        RETURNS (Optional[str]): A category, or None.
        """
        if span.id_ not in self.sentence_ids:
            return None
        doc = span.doc
        start, end = context.sentence(span.start)
        # A heading is its own line even where no full stop ends it.
        for i in range(span.start - 1, start - 1, -1):
            if "\n" in doc[i].text or "\n" in doc[i].whitespace_:
                start = i + 1
                break
        for i in range(span.end, end):
            if "\n" in doc[i].text or ("\n" in doc[i - 1].whitespace_ and i > span.end):
                end = i
                break
        return self._cue(_text(doc[start:end]), self._sentence_res)

    def categories(
        self, parties: List[Span], base: Dict[int, str], named: Dict[int, bool], context: DocContext
    ) -> Dict[int, str]:
        """The category of every THIRD_PARTY span of one document, context applied.

        parties (List[Span]): The document's THIRD_PARTY spans, sorted by position.
        base (Dict[int, str]): Catalogue category per span start token.
        named (Dict[int, bool]): Whether each span names an organisation, per start token.
        context (DocContext): The document's sentence bounds.
        RETURNS (Dict[int, str]): Category per span start token.
        """
        result: Dict[int, str] = {}
        for index, span in enumerate(parties):
            category = base[span.start]
            if not named[span.start] and category in self.weak:
                category = (
                    self._cue(_text(span.doc[max(0, span.start - 2) : span.end]), self._span_res)
                    or self.clause_category(span)
                    or self.example_category(span, parties, base, context)
                    or self.antecedent_category(span, parties[:index], result)
                    or self.sentence_category(span, context)
                    or category
                )
            result[span.start] = category
        return result

    def antecedent_category(self, span: Span, before: Sequence[Span], result: Dict[int, str]) -> Optional[str]:
        """The category of the antecedent of "the/these/this/such <party>".

        span (Span): A THIRD_PARTY span.
        before (Sequence[Span]): The THIRD_PARTY spans before it, in order.
        result (Dict[int, str]): Categories already decided, per start token.
        RETURNS (Optional[str]): The category of the nearest earlier span with the same head
            word within the window, or None.
        """
        doc = span.doc
        if span.start == 0 or doc[span.start - 1].lower_ not in self.determiners:
            return None
        head = span[-1].lemma_ or span[-1].lower_
        for other in reversed(before):
            if span.start - other.end > self.window:
                return None
            if (other[-1].lemma_ or other[-1].lower_) == head and result.get(other.start) not in (None, "unspecified"):
                return result[other.start]
        return None
