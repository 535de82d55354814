"""Turn an HTML privacy policy into plain text that the pipeline can annotate.

The page is parsed with BeautifulSoup ("lxml", or the standard library's "html.parser" when lxml
is not installed) and walked without recursion, so deeply nested or malformed pages cannot raise
RecursionError and the work is linear in the size of the page.

Layout of the text:

- Page chrome and machinery are dropped: ``head`` (with ``title``), ``script``, ``style``,
  ``noscript``, ``template``, ``iframe``, ``svg``, ``canvas``, ``nav``, media and form widgets
  (``object``, ``embed``, ``audio``, ``video``, ``select``, ``datalist``), elements with
  ``role="navigation"``, ``aria-hidden="true"`` or a ``hidden`` attribute, and comments.
- Block elements (headings, paragraphs, list items, ``dt``/``dd``, ``blockquote``, ``pre``, table
  rows, ``div``/``section``/``article``/``header``/``footer``/``main``..., ``br``, ``hr``) end the
  current block. Blocks are separated by a blank line ("\\n\\n"), except that consecutive blocks
  inside the same list (``ul``/``ol``/``menu``, nested lists included) are separated by a single
  "\\n", so a list stays one paragraph with one item a line. A container only makes a block when it
  holds text itself: empty blocks are never written.
- Table cells of one row stay on one line, separated by " | ", so a retention table keeps each
  data category next to its period.
- Inline text flows with whitespace collapsed to single spaces (non-breaking and other Unicode
  spaces included); the conversion never adds a space that was not in the source, except around
  the cell separator and the mailto rendering below. Soft hyphens and zero-width spaces are
  removed because they split words the patterns must match. Inside ``pre`` line breaks are kept.
- A ``mailto:`` link whose visible text does not contain its address is written
  ``label (mailto:address)`` (``mailto:address`` when the link has no text), with the
  ``?subject=...`` query removed and %-escapes decoded, so the contact-email component sees the
  address. Entities are decoded by the parser.
"""
import re
import threading
import warnings
from typing import Dict, List, Optional, Tuple
from urllib.parse import unquote

from bs4 import BeautifulSoup, FeatureNotFound
from bs4.element import NavigableString, PreformattedString, Script, Stylesheet, Tag, TemplateString

_WARNINGS_LOCK = threading.Lock()  # see _parse

# Elements whose whole subtree is not policy text.
DROPPED_TAGS = frozenset(
    {
        "head", "title", "script", "style", "noscript", "template", "iframe", "svg", "canvas",
        "nav", "object", "embed", "audio", "video", "select", "datalist", "meta", "link", "base",
    }
)
# Elements that start and end a block of text.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main",
        "menu", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr",
        "ul", "br",
    }
)
LIST_TAGS = frozenset({"ul", "ol", "menu"})
CELL_TAGS = frozenset({"td", "th"})
MAX_ADDRESSES = 20
CELL_SEPARATOR = " | "
BLOCK_SEPARATOR = "\n\n"
LIST_ITEM_SEPARATOR = "\n"
# Script, Stylesheet and TemplateString only occur inside dropped elements, but a parser may
# attach them elsewhere in broken markup; comments, CDATA, doctypes and PIs are never text.
_NON_TEXT_STRINGS = (PreformattedString, Script, Stylesheet, TemplateString)
_SPACE_RE = re.compile(r"\s+")
# Invisible characters that break words apart: soft hyphen, zero-width space, word joiner, BOM.
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u2060\ufeff]")
# C0 control characters that are not whitespace (whitespace ones are collapsed instead).
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1b\x7f]")

try:  # lxml is faster and closer to what browsers do; html.parser is the fallback
    import lxml  # noqa: F401

    DEFAULT_PARSER = "lxml"
except ImportError:  # pragma: no cover - lxml is installed in the development environment
    DEFAULT_PARSER = "html.parser"


def html_to_text(html: str, *, parser: Optional[str] = None) -> str:
    """Convert an HTML page to plain text, one block of the page per paragraph.

    html (str): The page, already decoded.
    parser (Optional[str]): BeautifulSoup parser; "lxml" by default, or "html.parser".
    RETURNS (str): The visible text, blocks separated by blank lines (see the module docstring).
    """
    soup = _parse(html, parser or DEFAULT_PARSER)
    builder = _TextBuilder()
    list_depth = 0
    pre_depth = 0
    # The open mailto link and its addresses. Links cannot nest in HTML; when broken markup
    # nests them anyway, the inner addresses join the outer link's (at most MAX_ADDRESSES), so
    # hostile nesting stays linear.
    mailto: Optional[Tag] = None
    addresses: Dict[str, None] = {}
    # An explicit stack of (node, leaving) replaces recursion: pages nest 10,000 levels deep.
    stack: List[Tuple[object, bool]] = [(soup, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, _NON_TEXT_STRINGS):
                builder.add(str(node), preformatted=pre_depth > 0)
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if leaving:
            if name in BLOCK_TAGS:
                builder.flush()
            if name in LIST_TAGS:
                list_depth -= 1
                if list_depth == 0:
                    builder.group = None
            elif name == "pre":
                pre_depth -= 1
            elif node is mailto:
                label = "".join(builder.label or [])
                builder.label, mailto = None, None
                rendering = _render_mailto(label, list(addresses))
                if rendering:
                    builder.add(rendering)
                    builder.rendered = True
            continue
        if _is_dropped(node):
            continue
        if name in BLOCK_TAGS:
            builder.flush()
        elif name in CELL_TAGS:
            builder.cell()
        if name in LIST_TAGS:
            if list_depth == 0:
                builder.new_group()
            list_depth += 1
        elif name == "pre":
            pre_depth += 1
        elif name == "a" and _is_mailto(node):
            if mailto is None:
                mailto, addresses, builder.label = node, {}, []
            for address in _mailto_addresses(node["href"]):
                if len(addresses) < MAX_ADDRESSES:
                    addresses[address] = None
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    builder.flush()
    return builder.text()


class _TextBuilder:
    """Collect inline text into blocks, normalising whitespace as it goes."""

    def __init__(self) -> None:
        self.blocks: List[Tuple[str, Optional[int]]] = []  # (text, list group or None)
        self.parts: List[str] = []
        self.space = False  # the source had whitespace after the last part
        self.separator: Optional[str] = None  # a cell separator waits for the next text
        self.group: Optional[int] = None  # the outermost open list, if any
        self.block_group: Optional[int] = None  # the list the current block started in
        self.groups = 0
        self.label: Optional[List[str]] = None  # the text of the open mailto link
        self.rendered = False  # the last part is a mailto rendering, which must not glue on

    def new_group(self) -> None:
        self.groups += 1
        self.group = self.groups

    def add(self, text: str, preformatted: bool = False) -> None:
        """Append a piece of inline text to the current block."""
        text = _CONTROL_RE.sub("", _INVISIBLE_RE.sub("", text))
        if preformatted:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        else:
            text = _SPACE_RE.sub(" ", text)
        if self.label is not None:
            self.label.append(text)
        lead = trail = False
        if not preformatted:
            lead, trail = text.startswith(" "), text.endswith(" ")
            text = text.strip(" ")
        if not text:
            # Whitespace between two inline elements still separates their words.
            self.space = self.space or lead
            return
        if self.parts:
            if self.separator is not None:
                self.parts.append(self.separator)
            elif self.space or lead or (self.rendered and text[0].isalnum()):
                self.parts.append(" ")
        else:
            self.block_group = self.group
        self.parts.append(text)
        self.separator = None
        self.space = trail
        self.rendered = False

    def cell(self) -> None:
        """Start a table cell: separate it from the previous cell's text, if there is any."""
        if self.parts:
            self.separator = CELL_SEPARATOR

    def flush(self) -> None:
        """End the current block."""
        if self.parts:
            block = "".join(self.parts).strip()
            if block:
                self.blocks.append((block, self.block_group))
        self.parts = []
        self.space = False
        self.separator = None
        self.rendered = False

    def text(self) -> str:
        out: List[str] = []
        previous: Optional[int] = None
        for i, (block, group) in enumerate(self.blocks):
            if i:
                same_list = group is not None and group == previous
                out.append(LIST_ITEM_SEPARATOR if same_list else BLOCK_SEPARATOR)
            out.append(block)
            previous = group
        return "".join(out)


def _parse(html: str, parser: str) -> BeautifulSoup:
    # ``catch_warnings`` saves the process's warning filters and puts them back: two threads
    # doing so at once could put back the other's "ignore" for good (it did: every warning of
    # the process silenced after two threads read HTML). The lock keeps ours one at a time.
    with _WARNINGS_LOCK, warnings.catch_warnings():
        # Short inputs that look like a URL or file name, and XHTML pages, make bs4 warn; the
        # caller asked for HTML to text on purpose, so the warnings are noise.
        warnings.simplefilter("ignore")
        try:
            return BeautifulSoup(html, parser)
        except FeatureNotFound:
            return BeautifulSoup(html, "html.parser")


def _attr(node: Tag, name: str) -> str:
    value = node.get(name)
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = " ".join(value)
    return str(value).strip().lower()


def _is_dropped(node: Tag) -> bool:
    name = node.name
    if name in DROPPED_TAGS:
        # html.parser nests <body> inside an unclosed <head>: keep such a head, drop the rest.
        return not (name == "head" and node.find("body") is not None)
    attrs = node.attrs
    if not attrs:
        return False
    if "hidden" in attrs or _attr(node, "aria-hidden") == "true":
        return True
    return "navigation" in _attr(node, "role").split()


def _is_mailto(node: Tag) -> bool:
    href = node.get("href")
    return isinstance(href, str) and href.strip().lower().startswith("mailto:")


def _mailto_addresses(href: str) -> List[str]:
    """The addresses of a mailto: URL, without its query and with %-escapes decoded."""
    target = href.strip()[len("mailto:"):].split("?", 1)[0]
    return [unquote(a).strip() for a in target.split(",") if unquote(a).strip()]


def _render_mailto(label: str, addresses: List[str]) -> str:
    """The text that follows a mailto link's label, so that its address stays in the text."""
    label = _SPACE_RE.sub(" ", label).strip()
    lowered = label.lower()
    missing = [a for a in addresses if a.lower() not in lowered]
    if not missing:
        return ""
    rendered = ", ".join("mailto:" + a for a in missing)
    return f" ({rendered})" if label else f" {rendered}"
