"""The web application in a real headless browser (Debian's chromium driven by Playwright; no
browser is downloaded): search → passage → similar → document, a matrix cell click, filters
that survive a reload, keyboard-only use, no console errors, hostile text inert.

``STRATCOMPARE_WEB_SCREENSHOT=docs/img/search.png`` makes the screenshot test write the
README's picture of the search page there.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="needs Debian's chromium package (apt-get install chromium)"),
]
playwright_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    from test_web import build_web_db

    from stratcompare.web import create_app

    db = build_web_db(tmp_path_factory.mktemp("webb") / "web.db")
    app = create_app(db, model="hashing")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    th.join(10)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Watched:
    """A page whose console errors, uncaught exceptions, failed requests and dialogs are kept."""

    def __init__(self, browser, **kw):
        self.ctx = browser.new_context(viewport={"width": 1280, "height": 900}, **kw)
        self.page = self.ctx.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        # a request cut short by the next navigation (ERR_ABORTED) is not an error
        self.page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                     and self.errors.append(f"failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status}: {r.url}"))

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()
        self.page.on("dialog", dialog)

    def close(self):
        self.ctx.close()


@pytest.fixture
def w(browser):
    watched = Watched(browser)
    yield watched
    watched.close()


def test_console_error_detection_works(w, base_url):
    """Control: the same watchers must catch a failing request and a script error."""
    w.page.goto(base_url + "/no-such-page")
    w.page.evaluate("() => { setTimeout(() => { throw new Error('boom') }, 0) }")
    w.page.wait_for_timeout(100)
    assert any("404" in e for e in w.errors)
    assert any("boom" in e for e in w.errors)


def test_search_passage_similar_document(w, base_url):
    page = w.page
    page.goto(base_url + "/")
    page.fill("#q", "billige boliger til unge hjemløse")
    page.press("#q", "Enter")
    page.wait_for_selector("ol.hits li.hit")
    assert "q=billige" in page.url
    assert page.locator("ol.hits mark").count() > 0
    first = page.locator("ol.hits li.hit").first
    municipality = first.locator(".meta a").first.inner_text()
    first.locator("a.plink").click()
    page.wait_for_selector("blockquote.focus")
    assert "/passage/" in page.url
    similar = page.locator("#similar li.hit a.plink")
    assert similar.count() > 0
    groups = page.locator("#similar h3").all_inner_texts()
    assert groups and municipality not in groups          # other municipalities only
    similar.first.click()
    page.wait_for_selector("blockquote.focus")
    crumb = page.locator("nav.crumbs a").nth(1)
    crumb.click()
    page.wait_for_selector("dl.facts")
    assert "/document/" in page.url
    assert page.locator("section.page").count() > 0
    assert w.errors == [], w.errors


def test_matrix_cell_click_shows_its_passages(w, base_url):
    page = w.page
    page.goto(base_url + "/compare")
    cells = page.locator("#heat td:not(.h0) a")
    assert cells.count() > 0
    key = cells.first.get_attribute("title")
    cells.first.click()
    page.wait_for_selector("#cell")
    assert "cell=" in page.url
    assert page.locator("#cell ol.cell-passages li").count() > 0
    assert key.split(":")[0] in page.locator("#cell h2").inner_text()
    # the similarity matrix: a cell lists passage pairs
    page.goto(base_url + "/compare?matrix=similarity")
    off_diagonal = [a for a in page.locator("#heat td a").all()
                    if len(set(a.get_attribute("title").split(":"))) == 2]
    off_diagonal[0].click()
    page.wait_for_selector("#cell")
    assert page.locator("#cell ol.pairs li").count() > 0
    assert w.errors == [], w.errors


def test_filters_survive_a_reload(w, base_url):
    page = w.page
    page.goto(base_url + "/")
    page.fill("#q", "tidlig indsats")
    page.select_option("#f-theme", "early_intervention")
    page.fill("#f-year-from", "2015")
    page.click("#go")
    page.wait_for_load_state()
    url = page.url
    assert "theme=early_intervention" in url and "year_from=2015" in url
    page.reload()
    assert page.input_value("#q") == "tidlig indsats"
    assert page.input_value("#f-theme") == "early_intervention"
    assert page.input_value("#f-year-from") == "2015"
    # the URL alone, in a fresh browser context, shows the same
    other = Watched(w.page.context.browser)
    try:
        other.page.goto(url)
        assert other.page.input_value("#f-theme") == "early_intervention"
        assert other.page.locator("ol.hits li.hit").count() == page.locator("ol.hits li.hit").count()
    finally:
        other.close()
    assert w.errors == [], w.errors


def _controls(page) -> list[str]:
    return page.evaluate("""() => Array.from(document.querySelectorAll(
        'a[href], input:not([type=hidden]), select, button, summary')).map((e, i) => {
            e.dataset.k = 'c' + i; return 'c' + i; })""")


def _tab_through(page, limit: int) -> set[str]:
    seen = set()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        k = page.evaluate("() => document.activeElement && document.activeElement.dataset.k || null")
        if k:
            seen.add(k)
    return seen


@pytest.mark.parametrize("path", ["/", "/?q=bolig&n=8", "/passage/hostile-2", "/municipality/Køge",
                                  "/compare?cell=Køge:housing_first", "/theme/housing_first", "/themes"])
def test_keyboard_reaches_every_control(w, base_url, path):
    page = w.page
    page.goto(base_url + path)
    wanted = _controls(page)
    seen = _tab_through(page, len(wanted) + 10)
    assert set(wanted) <= seen, f"not reachable by Tab: {sorted(set(wanted) - seen)[:10]}"
    assert w.errors == [], w.errors


def test_keyboard_only_search(w, base_url):
    page = w.page
    page.goto(base_url + "/")
    page.keyboard.type("housing first")               # the query box has the focus on arrival
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.hits li.hit")
    page.keyboard.press("Tab")                        # on a results page the skip link comes first
    assert page.evaluate("() => document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    assert w.errors == [], w.errors


def test_hostile_text_is_inert(w, base_url):
    page = w.page
    page.goto(base_url + "/?q=billige+boliger+unge+hjeml%C3%B8se+housing+first&n=50")
    page.wait_for_selector("ol.hits")
    assert "<script>alert('xss')</script>" in page.locator("ol.hits").inner_text()
    page.goto(base_url + "/passage/hostile-1")
    text = page.locator("blockquote.focus").inner_text()
    assert "onerror=alert(" in text and "<script>alert('xss')</script>" in text
    links = page.locator("main a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in links if h and h.lower().startswith("javascript:")]
    assert page.evaluate("() => document.querySelectorAll('main img, script').length") == 0
    doc = page.locator("nav.crumbs a").nth(1)
    doc.click()
    page.wait_for_selector("dl.facts")
    page.wait_for_timeout(200)
    assert w.dialogs == []
    assert w.errors == [], w.errors


def test_english_switch(w, base_url):
    page = w.page
    page.goto(base_url + "/?q=bolig")
    page.click("#lang-switch")
    page.wait_for_selector("label[for=q]")
    assert page.inner_text("label[for=q]") == "What are you looking for?"
    assert "q=bolig" in page.url
    assert w.errors == [], w.errors


def test_search_page_screenshot(w, base_url, tmp_path):
    """The README's picture: the search page with results (checked to be a real rendering)."""
    import numpy as np
    from PIL import Image

    page = w.page
    page.set_viewport_size({"width": 1200, "height": 860})
    page.goto(base_url + "/?q=forebyggelse+af+hjeml%C3%B8shed+blandt+unge&n=10")
    page.wait_for_selector("ol.hits li.hit")
    out = Path(os.environ.get("STRATCOMPARE_WEB_SCREENSHOT") or tmp_path / "search.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out))
    img = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert img.shape[:2] == (860, 1200)
    marks = (abs(img[..., 0] - 255) < 8) & (abs(img[..., 1] - 229) < 10) & (abs(img[..., 2] - 138) < 12)
    assert marks.sum() > 500                           # the yellow <mark>s of the query terms
    assert w.errors == [], w.errors
