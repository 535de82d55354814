"""One self-contained HTML review page for a corpus of annotated policies.

The page has a legend with a filter per label, an index of the policies, and per policy a
summary (spans per label and category, named third parties, retention kinds, contact
addresses) and its text with the spans drawn in displaCy's span style: each token of a span
is underlined by a bar in the label's colour, overlapping spans stack, and the label is
tagged under the span's first token. Hovering a token or a tag shows the span's rule id and
attributes.

The markup is built here rather than with ``displacy.render(style="span")``: displaCy
escapes token texts but not labels, titles or kb links, it cannot attach a rule id or
attributes to a span, and it drops the text's line breaks. Every piece of text that comes
from a policy, its meta or its spans goes through ``html.escape``, is only ever placed in
element content or in double-quoted attributes, and never inside the page's script or styles.
A Content-Security-Policy allows no network access and only the page's own script (by hash),
so even markup that slipped through could not load or run anything.
"""
import base64
import hashlib
import html
from collections import Counter, defaultdict
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import srsly
from spacy.tokens import Doc

from ..extensions import get_attrs
from ..labels import CONTACT_EMAIL, DATA_TYPE, LABELS, RETENTION, SPANS_KEY, THIRD_PARTY
from .common import LABEL_COLORS, OTHER_COLOR, doc_title, open_text

# displaCy's span-style geometry (px): where the first bar sits, the room its label needs
# below the bars, and the distance between stacked bars.
TOP_OFFSET, LABEL_OFFSET, OFFSET_STEP = 40, 20, 17

# The attribute that names a span's category-like value, per label, for the summary.
CATEGORY_ATTR = {DATA_TYPE: "category", THIRD_PARTY: "category", RETENTION: "kind", CONTACT_EMAIL: "role"}

CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { position: sticky; top: 0; z-index: 100; background: #fff; border-bottom: 1px solid #ccc;
         padding: 0.5em 1.5em; }
header h1 { font-size: 1.2em; margin: 0.2em 0; }
main { padding: 0 1.5em 3em; max-width: 70em; }
.pl-legend { display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; align-items: center; }
.pl-filter { cursor: pointer; white-space: nowrap; }
.pl-swatch { display: inline-block; width: 1.1em; height: 0.8em; border-radius: 3px; vertical-align: middle; }
.pl-status { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; }
section.policy { border-top: 3px solid #444; margin-top: 2em; }
[id] { scroll-margin-top: 7em; }
.pl-summary { display: flex; flex-wrap: wrap; gap: 0 2em; }
.pl-summary h3 { font-size: 1em; margin: 0.8em 0 0; }
.pl-summary > div { max-width: 42em; }
dl.pl-meta { display: grid; grid-template-columns: max-content auto; gap: 0 1em; font-size: 0.85em; }
dl.pl-meta dt { color: #555; } dl.pl-meta dd { margin: 0; word-break: break-all; }
.pl-text { white-space: pre-wrap; line-height: 2.5; font-size: 16px; }
.pl-tok { font-weight: bold; display: inline-block; position: relative; white-space: pre; }
.pl-bar { position: absolute; height: 4px; left: -1px; width: calc(100% + 2px); }
.pl-bar.pl-start { border-top-left-radius: 3px; border-bottom-left-radius: 3px; }
.pl-bar.pl-hl { height: 7px; }
.pl-tag { position: absolute; z-index: 10; top: -0.5em; padding: 2px 3px; font-size: 0.6em; font-weight: bold;
          line-height: 1; border-radius: 3px; color: #000; white-space: nowrap; cursor: help; }
.pl-tag::before { content: attr(data-label); }
"""

SCRIPT = """
(function () {
  var filters = document.querySelectorAll("input[data-filter]");
  var tags = document.querySelectorAll(".pl-tag");
  var status = document.getElementById("pl-status");
  function update() {
    filters.forEach(function (box) {
      document.body.classList.toggle("pl-hide-" + box.getAttribute("data-filter"), !box.checked);
    });
    var shown = 0;
    tags.forEach(function (tag) { if (tag.getClientRects().length > 0) { shown += 1; } });
    status.setAttribute("data-visible", String(shown));
    status.textContent = "Showing " + shown + " of " + tags.length + " spans";
  }
  function highlight(event, on) {
    var id = event.target.getAttribute && event.target.getAttribute("data-span");
    if (!id) { return; }
    document.querySelectorAll(".pl-bar").forEach(function (bar) {
      if (bar.getAttribute("data-span") === id) { bar.classList.toggle("pl-hl", on); }
    });
  }
  filters.forEach(function (box) { box.addEventListener("change", update); });
  document.addEventListener("mouseover", function (event) { highlight(event, true); });
  document.addEventListener("mouseout", function (event) { highlight(event, false); });
  update();
})();
"""


def _e(value) -> str:
    """Escape any value for element content or a double-quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def _show(value) -> str:
    """An attribute value as a reviewer reads it (JSON spelling for booleans and null)."""
    return value if isinstance(value, str) else srsly.json_dumps(value)


class LabelStyle:
    """Colours and filter numbers of the labels on a page: the four known ones, then any other."""

    def __init__(self, extra: Iterable[str] = ()):
        """extra (Iterable[str]): Labels found in the documents besides the known ones."""
        self.labels: List[str] = list(LABELS) + sorted(set(extra) - set(LABELS))
        self.index = {label: i for i, label in enumerate(self.labels)}

    def color(self, label: str) -> str:
        """RETURNS (str): The label's colour."""
        return LABEL_COLORS.get(label, OTHER_COLOR)

    def css(self) -> str:
        """RETURNS (str): One rule per label hiding its bars and tags when its filter is off."""
        return "\n".join(f'.pl-hide-{i} [data-k="{i}"] {{ display: none; }}' for i in range(len(self.labels)))


def span_tooltip(span) -> str:
    """The text shown on hovering a span: label, text, offsets, rule id and attributes.

    span (Span): A span of the policylens group.
    RETURNS (str): Plain text, one fact per line (escaped later, where it is placed).
    """
    lines = [f"{span.label_}: \u201c{span.text}\u201d ({span.start_char}-{span.end_char})", f"rule: {span.id_ or '-'}"]
    lines += [f"{name}: {_show(value)}" for name, value in get_attrs(span).items()]
    return "\n".join(lines)


def _slots(spans: Sequence) -> List[int]:
    """Stack overlapping spans: each gets the lowest slot (1, 2, ...) free over its tokens."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start, -(spans[i].end - spans[i].start), spans[i].label_))
    slots = [0] * len(spans)
    placed: List[int] = []
    for i in order:
        taken = {slots[j] for j in placed if spans[j].end > spans[i].start and spans[j].start < spans[i].end}
        slots[i] = next(n for n in range(1, len(spans) + 2) if n not in taken)
        placed.append(i)
    return slots


def render_text(doc: Doc, number: int, style: LabelStyle, spans_key: str = SPANS_KEY) -> str:
    """The text of a Doc as HTML with its spans drawn in displaCy's span style.

    The text content of the returned element is exactly ``doc.text``: labels are drawn by CSS
    from attributes, so they add no text.
    doc (Doc): An annotated Doc.
    number (int): The Doc's 1-based position, used in the span ids (``data-span``).
    style (LabelStyle): Colours and filter numbers.
    spans_key (str): The span group to draw.
    RETURNS (str): A ``<div class="pl-text">``.
    """
    spans = list(doc.spans.get(spans_key, []))
    slots = _slots(spans)
    covering: Dict[int, List[int]] = defaultdict(list)
    tag_token: Dict[int, int] = {}
    for s, span in enumerate(spans):
        tokens = [t.i for t in span if t.text.strip()] or [span.start]
        for i in tokens:
            covering[i].append(s)
        tag_token[s] = tokens[0]
    parts = [f'<div class="pl-text" data-policy="{number}">']
    for token in doc:
        ws = _e(token.whitespace_)
        if token.i not in covering:
            parts.append(_e(token.text) + ws)
            continue
        here = sorted(covering[token.i], key=lambda s: slots[s])
        height = TOP_OFFSET + LABEL_OFFSET + OFFSET_STEP * (max(slots[s] for s in here) - 1)
        tip = "\n\n".join(span_tooltip(spans[s]) for s in here)
        inner = []
        for s in here:
            span, k = spans[s], style.index[spans[s].label_]
            attrs = (f'data-k="{k}" data-span="{number}-{s}" '
                     f'style="top: {TOP_OFFSET + OFFSET_STEP * (slots[s] - 1)}px; background: {style.color(span.label_)}"')
            if tag_token[s] == token.i:
                tag = (f'<span class="pl-tag" data-k="{k}" data-span="{number}-{s}" data-label="{_e(span.label_)}" '
                       f'style="background: {style.color(span.label_)}" title="{_e(span_tooltip(span))}"></span>')
                inner.append(f'<span class="pl-bar pl-start" {attrs}>{tag}</span>')
            else:
                inner.append(f'<span class="pl-bar" {attrs}></span>')
        parts.append(f'<span class="pl-tok" style="height: {height}px" title="{_e(tip)}">{_e(token.text)}{"".join(inner)}</span>{ws}')
    parts.append("</div>")
    return "".join(parts)


def summarise(doc: Doc, spans_key: str = SPANS_KEY) -> dict:
    """Count what a policy says: spans per label and category, named third parties, retention
    kinds and durations, contact addresses.

    doc (Doc): An annotated Doc.
    spans_key (str): The span group to count.
    RETURNS (dict): ``{"labels": Counter, "categories": Counter[(label, value)],
        "named": Counter[name], "retention": Counter[(kind, duration)],
        "contacts": Counter[(address, role)]}``.
    """
    summary = {name: Counter() for name in ("labels", "categories", "named", "retention", "contacts")}
    for span in doc.spans.get(spans_key, []):
        attrs = get_attrs(span)
        summary["labels"][span.label_] += 1
        summary["categories"][(span.label_, attrs.get(CATEGORY_ATTR.get(span.label_, "category")))] += 1
        if span.label_ == THIRD_PARTY and attrs.get("named"):
            name = attrs.get("service") or attrs.get("organization") or span.text
            owner = attrs.get("organization")
            summary["named"][f"{name} ({owner})" if owner and owner != name else name] += 1
        elif span.label_ == RETENTION:
            summary["retention"][(attrs.get("kind"), attrs.get("duration"))] += 1
        elif span.label_ == CONTACT_EMAIL:
            summary["contacts"][(attrs.get("address") or span.text, attrs.get("role"))] += 1
    return summary


def _table(header: Sequence[str], rows: Iterable[Sequence], numeric: Tuple[int, ...] = ()) -> str:
    head = "".join(f'<th{" class=num" if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{_e("" if c is None else c)}</td>'
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_summary(summary: dict, style: LabelStyle) -> str:
    """The summary tables of one policy.

    summary (dict): ``summarise(doc)``.
    style (LabelStyle): The page's labels, for their order.
    RETURNS (str): A ``<div class="pl-summary">``.
    """
    by_label: Dict[str, List[str]] = defaultdict(list)
    for (label, value), n in sorted(summary["categories"].items(), key=lambda kv: (-kv[1], _show(kv[0][1]))):
        by_label[label].append(f"{_show(value)} \u00d7{n}")
    rows = [(label, summary["labels"][label], CATEGORY_ATTR.get(label, "category"), ", ".join(by_label[label]))
            for label in style.labels if summary["labels"][label]]
    parts = ['<div class="pl-summary">',
             "<div><h3>Spans per label and category</h3>",
             _table(("label", "spans", "by", "categories"), rows, numeric=(1,)), "</div>",
             "<div><h3>Named third parties</h3>",
             _table(("name", "mentions"), sorted(summary["named"].items(), key=lambda kv: (-kv[1], kv[0])), numeric=(1,)),
             "</div>",
             "<div><h3>Retention</h3>",
             _table(("kind", "duration", "spans"),
                    [(k, d, n) for (k, d), n in sorted(summary["retention"].items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))],
                    numeric=(2,)),
             "</div>",
             "<div><h3>Contact addresses</h3>",
             _table(("address", "role", "mentions"),
                    [(a, r, n) for (a, r), n in sorted(summary["contacts"].items(), key=lambda kv: str(kv[0]))],
                    numeric=(2,)),
             "</div></div>"]
    return "".join(parts)


def _render_meta(meta: dict) -> str:
    if not meta:
        return ""
    items = "".join(f"<dt>{_e(key)}</dt><dd>{_e(_show(value))}</dd>" for key, value in meta.items())
    return f'<dl class="pl-meta">{items}</dl>'


def render_page(docs: Iterable[Doc], title: str = "policylens review", spans_key: str = SPANS_KEY) -> str:
    """The whole review page for a corpus.

    docs (Iterable[Doc]): Annotated Docs.
    title (str): The page title.
    spans_key (str): The span group to draw.
    RETURNS (str): The HTML document.
    """
    docs = list(docs)
    style = LabelStyle(span.label_ for doc in docs for span in doc.spans.get(spans_key, []))
    totals: Counter = Counter()
    index_rows, sections = [], []
    for number, doc in enumerate(docs, start=1):
        name = doc_title(doc, number)
        summary = summarise(doc, spans_key)
        totals.update(summary["labels"])
        counts = "".join(f'<td class="num">{summary["labels"][label]}</td>' for label in style.labels)
        index_rows.append(
            f'<tr><td class="num">{number}</td><td><a href="#policy-{number}">{_e(name)}</a></td>{counts}'
            f'<td class="num">{sum(summary["labels"].values())}</td></tr>'
        )
        sections.append(
            f'<section class="policy" id="policy-{number}"><h2>{number}. {_e(name)}</h2>'
            f"{_render_meta(doc._.meta or {})}{render_summary(summary, style)}"
            f"<h3>Text</h3>{render_text(doc, number, style, spans_key)}"
            f'<p><a href="#index">Back to the index</a></p></section>'
        )
    total = sum(totals.values())
    legend = "".join(
        f'<label class="pl-filter"><input type="checkbox" checked data-filter="{i}"> '
        f'<span class="pl-swatch" style="background: {style.color(label)}"></span> '
        f'<span class="pl-legend-label">{_e(label)}</span> ({totals[label]})</label>'
        for i, label in enumerate(style.labels)
    )
    label_heads = "".join(f'<th class="num">{_e(label)}</th>' for label in style.labels)
    script_hash = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf8")).digest()).decode("ascii")
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}{style.css()}</style></head>\n<body>"
        f"<header><h1>{_e(title)}</h1>"
        f'<div class="pl-legend" id="pl-legend">{legend}'
        f'<span class="pl-status" id="pl-status" data-total="{total}">{total} spans</span></div></header>'
        f'<main><h2 id="index">Policies ({len(docs)})</h2>'
        f"<table><thead><tr><th class=num>#</th><th>policy</th>{label_heads}<th class=num>spans</th></tr></thead>"
        f"<tbody>{''.join(index_rows)}</tbody></table>"
        f"{''.join(sections)}</main>\n"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def write_tasks(docs: Iterable[Doc], output: str, title: Optional[str] = None) -> int:
    """Write the review page of the Docs.

    docs (Iterable[Doc]): Annotated Docs (all are held in memory to build the index).
    output (str): The output path, or "-" for stdout.
    title (Optional[str]): The page title; "policylens review" by default.
    RETURNS (int): The number of policies on the page.
    """
    docs = list(docs)
    with open_text(output) as file:
        file.write(render_page(docs, title or "policylens review"))
    return len(docs)
