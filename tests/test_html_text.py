"""Tests for policylens.html_text: HTML pages to plain text."""
import importlib.util

import pytest

from policylens.html_text import html_to_text

# html.parser is the fallback when lxml is not installed: both must give the same text.
PARSERS = [
    pytest.param("lxml", marks=pytest.mark.skipif(importlib.util.find_spec("lxml") is None, reason="no lxml")),
    "html.parser",
]


@pytest.mark.parametrize("parser", PARSERS)
def test_blocks_lists_and_tables(parser):
    html = """<!DOCTYPE html><html><head><title>Page title</title></head><body>
    <h1>Our   Privacy
    Policy</h1>
    <div>Direct text in a div <b>with bold</b>, then more.<div><p>First paragraph.</p>
    <p>Second&nbsp;paragraph &amp; more</p></div></div>
    <ul><li>Name</li><li>Phone number<ul><li>mobile</li><li>landline</li></ul></li></ul>
    <ol><li>one</li></ol><ul><li>two</li></ul>
    <dl><dt>Logs</dt><dd>kept briefly</dd></dl>
    <table><tr><th>Data</th><th>Period</th></tr>
    <tr><td>Account data</td><td></td><td>2 years</td></tr></table>
    Street 1<br>Town
    <blockquote>Quoted</blockquote>
    <footer>Footer text</footer></body></html>"""
    assert html_to_text(html, parser=parser) == (
        "Our Privacy Policy\n\n"
        "Direct text in a div with bold, then more.\n\n"
        "First paragraph.\n\n"
        "Second paragraph & more\n\n"
        "Name\nPhone number\nmobile\nlandline\n\n"
        "one\n\n"
        "two\n\n"
        "Logs\n\nkept briefly\n\n"
        "Data | Period\n\n"
        "Account data | 2 years\n\n"
        "Street 1\n\nTown\n\n"
        "Quoted\n\n"
        "Footer text"
    )


@pytest.mark.parametrize("parser", PARSERS)
def test_inline_whitespace_is_normalised_without_adding_spaces(parser):
    html = "<p>We  collect\n\t<b>your</b>\n<i>email</i>, <a href='/x'>address</a>.\u00a0Really<span>!</span></p>"
    assert html_to_text(html, parser=parser) == "We collect your email, address. Really!"


@pytest.mark.parametrize("parser", PARSERS)
def test_invisible_characters_removed(parser):
    html = "<p>per\u00adsonal da\u200bta</p>"
    assert html_to_text(html, parser=parser) == "personal data"


@pytest.mark.parametrize("parser", PARSERS)
def test_dropped_elements(parser):
    html = """<html><head><title>TITLE</title><style>.a{color:red}</style>
    <script>var HEADSCRIPT = 1;</script></head><body>
    <nav><a href="/">NAVLINK</a></nav>
    <div role="navigation">ROLENAV</div>
    <p>Kept one.</p>
    <p hidden>HIDDENATTR</p><div aria-hidden="true">ARIAHIDDEN</div><div aria-hidden="false">Kept two.</div>
    <!-- COMMENT --><noscript>NOSCRIPT</noscript><template><p>TEMPLATE</p></template>
    <iframe>IFRAME</iframe><svg><text>SVGTEXT</text></svg><canvas>CANVAS</canvas>
    <p>Kept <script>INLINESCRIPT</script>three.</p></body></html>"""
    assert html_to_text(html, parser=parser) == "Kept one.\n\nKept two.\n\nKept three."


@pytest.mark.parametrize("parser", PARSERS)
def test_mailto_links(parser):
    html = """<p>Write to <a href="mailto:dpo@example.com?subject=Data%20request">our DPO</a>.</p>
    <p>Or <a href="mailto:help@example.com">help@example.com</a>.</p>
    <p>Or <a href="MAILTO:legal%40example.org">Legal</a>
    or <a href="mailto:a@example.net,b@example.net">A or b@example.net</a></p>
    <p>Icon:<a href="mailto:icon@example.com"><img src="mail.png"></a>More <a href="mailto:x@example.com">X</a>to</p>
    <p><a href="mailto:">nobody</a> <a href="https://example.com">web</a></p>"""
    assert html_to_text(html, parser=parser) == (
        "Write to our DPO (mailto:dpo@example.com).\n\n"
        "Or help@example.com.\n\n"
        "Or Legal (mailto:legal@example.org) or A or b@example.net (mailto:a@example.net)\n\n"
        "Icon: mailto:icon@example.com More X (mailto:x@example.com) to\n\n"
        "nobody web"
    )


@pytest.mark.parametrize("parser", PARSERS)
def test_entities_decoded(parser):
    html = "<p>Caf&eacute; &amp; co &lt;b&gt; &#8220;quoted&#8221; &#x2014; 30&nbsp;days</p>"
    assert html_to_text(html, parser=parser) == "Café & co <b> \u201cquoted\u201d \u2014 30 days"


@pytest.mark.parametrize("parser", PARSERS)
def test_preformatted_keeps_line_breaks(parser):
    assert html_to_text("<pre>line one\n   line two</pre><p>after</p>", parser=parser) == (
        "line one\n   line two\n\nafter"
    )


@pytest.mark.parametrize("parser", PARSERS)
def test_malformed_html(parser):
    html = "</div><p>Unclosed <b>bold <i>italic<p>Next</b> para</i><li>stray item</ul></span>"
    assert html_to_text(html, parser=parser).split() == [
        "Unclosed", "bold", "italic", "Next", "para", "stray", "item",
    ]
    # html.parser nests <body> inside an unclosed <head>; the body text must survive.
    unclosed_head = "<html><head><title>Title</title><body><p>Body text</p></body></html>"
    assert html_to_text(unclosed_head, parser=parser) == "Body text"
    assert html_to_text("", parser=parser) == ""
    assert html_to_text("just text, no tags", parser=parser) == "just text, no tags"


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("tag", ["div", "span", "li", "blockquote"])
def test_deep_nesting_does_not_recurse(parser, tag):
    depth = 10_000
    html = f"<p>top</p>{f'<{tag}>' * depth}deep text{f'</{tag}>' * depth}<p>bottom</p>"
    assert html_to_text(html, parser=parser) == "top\n\ndeep text\n\nbottom"


@pytest.mark.parametrize("parser", PARSERS)
def test_deeply_nested_unclosed_mailto_links(parser):
    html = '<a href="mailto:x@example.com">' * 10_000 + "deep"
    text = html_to_text(html, parser=parser)
    # lxml closes each link when the next opens (one rendering per empty link); html.parser
    # nests them, and the nested links' addresses join the outermost one's.
    last = "deep (mailto:x@example.com)"
    assert text.endswith("mailto:x@example.com " + last if parser == "lxml" else last)
    assert text.count("mailto:") == (10_000 if parser == "lxml" else 1)


@pytest.mark.parametrize("parser", PARSERS)
def test_script_contents_never_appear(parser):
    payload = "document.write('<p>SCRIPTTEXT</p>'); var s = '</scr' + 'ipt><p>SCRIPTTEXT</p>';\n"
    big = "<p>before</p><script>" + payload * 40_000 + "</script><p>after</p>"  # ~3 MB
    assert len(big) > 3_000_000
    assert html_to_text(big, parser=parser) == "before\n\nafter"
    unclosed = "<p>before</p><script>" + payload * 1_000
    assert "SCRIPTTEXT" not in html_to_text(unclosed, parser=parser)
    in_svg = "<p>a</p><svg><script>SCRIPTTEXT</script></svg><style>p{content:'SCRIPTTEXT'}</style>"
    assert html_to_text(in_svg, parser=parser) == "a"


def test_threads_leave_the_warning_filters_as_they_were():
    """bs4's warnings are silenced per parse; two threads doing it at once must not leave the
    process silenced (``catch_warnings`` puts back what it saved, another thread's filter too)."""
    import threading
    import warnings

    from conftest import run_interleaved

    xhtml = '<?xml version="1.0"?><html><body><p>We collect your email address.</p></body></html>'
    texts = []

    def work():
        for _ in range(200):
            texts.append(html_to_text(xhtml))

    before = list(warnings.filters)
    run_interleaved([threading.Thread(target=work) for _ in range(2)])
    assert warnings.filters == before
    assert len(texts) == 400 and set(texts) == {"We collect your email address."}
