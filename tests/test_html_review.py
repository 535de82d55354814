"""The HTML review page as headless Chromium renders it: spans visible, legend there, hostile text inert.

Chromium runs the page's script and dumps the DOM afterwards (``--dump-dom``); the page's script
counts the span tags that have a layout box. Skipped when no Chromium binary is installed
(`.ci/run` installs Debian's `chromium`).
"""
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup

from policylens.export import html as html_export
from review_data import HOSTILE, POLICY, PRED, PRED_HOSTILE, make_docs

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """(Docs, the DOM after the page's script ran), one Chromium page load for the module."""
    root = tmp_path_factory.mktemp("html")
    docs = make_docs(PRED, PRED_HOSTILE)
    page = root / "review.html"
    html_export.write_tasks(docs, str(page))
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={root / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return docs, BeautifulSoup(result.stdout, "html.parser")


def test_script_ran_and_every_span_is_visible(rendered):
    docs, dom = rendered
    total = sum(len(doc.spans["policylens"]) for doc in docs)
    status = dom.select_one("#pl-status")
    assert status["data-visible"] == str(total) == status["data-total"]  # set by the page's script
    assert status.get_text() == f"Showing {total} of {total} spans"
    for number, doc in enumerate(docs, start=1):
        for i, span in enumerate(doc.spans["policylens"]):
            bars = dom.select(f'.pl-bar[data-span="{number}-{i}"]')
            assert len(bars) == sum(1 for t in span if t.text.strip())
            assert dom.select_one(f'.pl-tag[data-span="{number}-{i}"]')["data-label"] == span.label_


def test_legend_and_filters(rendered):
    _, dom = rendered
    legend = dom.select_one("#pl-legend")
    assert [e.get_text() for e in legend.select(".pl-legend-label")] == ["DATA_TYPE", "THIRD_PARTY", "CONTACT_EMAIL", "RETENTION"]
    assert [box.has_attr("checked") for box in legend.select("input[data-filter]")] == [True] * 4
    assert not any(c.startswith("pl-hide-") for c in dom.body.get("class", []))


def test_hostile_text_stays_text(rendered):
    _, dom = rendered
    assert dom.find_all("img") == []
    scripts = dom.find_all("script")
    assert len(scripts) == 1 and "pwned" not in scripts[0].get_text()
    assert not dom.body.has_attr("data-pwned")
    assert [div.get_text() for div in dom.select("div.pl-text")] == [POLICY, HOSTILE]
    assert dom.select_one("#policy-2 h2").get_text() == "2. " + PRED_HOSTILE["meta"]["id"]
    assert dom.select_one('.pl-tag[data-span="2-2"]')["title"].endswith('address: "><img src=x onerror=alert(3)>\nrole: dpo')
