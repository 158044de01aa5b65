"""What a policy staffer sees in a real browser (Debian's chromium via Playwright), session 7's
pass: a phone-wide window without sideways scrolling, Danish error pages whose next step works,
'Vis flere resultater', Danish numbers, readable contrast."""

from __future__ import annotations

import os
import re

import pytest

from test_web_browser import CHROMIUM, Watched, base_url, browser, w  # noqa: F401 - shared fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="needs Debian's chromium package (apt-get install chromium)"),
]
playwright_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")


@pytest.fixture
def phone(browser):
    watched = Watched(browser)
    watched.page.set_viewport_size({"width": 375, "height": 740})
    yield watched
    watched.close()


# things wider than the screen; a table that scrolls in its own box (.heatwrap) is fine
OVERFLOW = """() => { const cw = document.documentElement.clientWidth; const out = [];
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('.heatwrap') || getComputedStyle(e).display === 'none') continue;
    const r = e.getBoundingClientRect();
    if (r.width && r.right > cw + 1) out.push(e.tagName + '.' + (e.getAttribute('class') || '') + ' ' + Math.round(r.right));
  }
  return [document.documentElement.scrollWidth, cw, out.slice(0, 5)]; }"""


@pytest.mark.parametrize("path", [
    "/?q=bolig", "/municipality/Køge", "/theme/housing_first", "/compare?matrix=similarity&cell=Køge:Aarhus",
    "/passage/hostile-2", "/?q=bolig&year_from=abc", "/municipality/Atlantis",
])
def test_phone_width_needs_no_sideways_scrolling(phone, base_url, path):
    page = phone.page
    page.goto(base_url + path)
    scroll_w, client_w, wide = page.evaluate(OVERFLOW)
    assert scroll_w <= client_w and not wide, f"wider than a 375 px screen: {wide}"


def test_phone_profile_chart_shows_names_above_bars(phone, base_url):
    page = phone.page
    page.goto(base_url + "/municipality/Køge")
    assert not page.locator("svg.chart-wide").is_visible()
    narrow = page.locator("svg.chart-narrow")
    assert narrow.is_visible()
    box = narrow.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    # every bar starts inside the screen and the theme names are legible (≥ 11 px)
    sizes = narrow.locator("text").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(sizes) >= 11
    # a desktop window shows the wide chart instead
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("svg.chart-wide").is_visible() and not narrow.is_visible()


def test_danish_error_page_and_its_next_step(w, base_url):
    page = w.page
    page.goto(base_url + "/?q=bolig&year_from=abc")
    assert page.title() == "Ugyldig forespørgsel · stratcompare"
    assert page.inner_text("#error-message") == "«Fra år» skal være et helt tal, ikke «abc»."
    page.click("#without-param")
    page.wait_for_selector("ol.hits li.hit")
    assert "year_from" not in page.url and page.input_value("#q") == "bolig"
    assert page.input_value("#f-year-from") == ""
    w.errors = [e for e in w.errors if "400" not in e]   # the bad address itself
    assert w.errors == [], w.errors


def test_show_more_results_by_keyboard(w, base_url):
    page = w.page
    page.goto(base_url + "/?q=bolig+og+st%C3%B8tte")
    assert page.locator("ol.hits li.hit").count() == 20
    assert page.inner_text("#count").startswith("De 20 bedste resultater")
    page.focus("#more-results")
    page.keyboard.press("Enter")
    page.wait_for_url("**n=40**")
    assert page.locator("ol.hits li.hit").count() > 20
    # the window shows the first new hit, not the top of the page again
    top = page.locator("#r21").bounding_box()["y"]
    assert -5 <= top < 900
    assert w.errors == [], w.errors


# WCAG AA contrast of every piece of text (4.5:1; 3:1 for large text), the page's own colours
CONTRAST = r"""() => {
 function parse(c){const m=c.match(/rgba?\(([^)]+)\)/); if(!m) return null; const p=m[1].split(',').map(Number); return {r:p[0],g:p[1],b:p[2],a:p.length>3?p[3]:1};}
 function lum(c){const f=v=>{v/=255; return v<=0.03928? v/12.92: Math.pow((v+0.055)/1.055,2.4)}; return 0.2126*f(c.r)+0.7152*f(c.g)+0.0722*f(c.b);}
 function bg(e){while(e){const c=parse(getComputedStyle(e).backgroundColor); if(c&&c.a>0.5) return c; e=e.parentElement;} return {r:255,g:255,b:255};}
 const out={};
 for (const e of document.querySelectorAll('body *')) {
   if (e.closest('svg')) continue;
   const own=[...e.childNodes].some(n=>n.nodeType===3&&n.textContent.trim()); if(!own) continue;
   const st=getComputedStyle(e); if (st.display==='none'||st.visibility==='hidden') continue;
   const fg=parse(st.color), b=bg(e); const L1=lum(fg), L2=lum(b);
   const ratio=(Math.max(L1,L2)+0.05)/(Math.min(L1,L2)+0.05);
   const size=parseFloat(st.fontSize), bold=parseInt(st.fontWeight)>=700;
   const large= size>=24 || (bold && size>=18.66);
   if (ratio < (large?3:4.5)) { const k=e.tagName+'.'+e.className+' '+st.color+' on '+JSON.stringify(b)+' '+ratio.toFixed(2)+' '+size; out[k]=(out[k]||0)+1; }
 }
 return out; }"""


@pytest.mark.parametrize("path", ["/compare", "/compare?normalise=score", "/compare?matrix=similarity",
                                  "/?q=bolig", "/?q=bolig&year_from=abc", "/municipality/Køge"])
def test_text_contrast_is_readable(w, base_url, path):
    w.page.goto(base_url + path)
    low = w.page.evaluate(CONTRAST)
    assert low == {}, f"text below WCAG AA contrast: {low}"


def test_matrix_column_names_are_shown_whole(w, base_url):
    page = w.page
    page.goto(base_url + "/compare")
    clipped = page.locator("#heat th.colh span").evaluate_all(
        "els => els.filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.textContent)")
    assert clipped == [], f"column names cut off: {clipped}"
    # and a screen reader hears what a cell is, not a bare number
    label = page.locator("#heat td a").first.get_attribute("aria-label")
    assert re.fullmatch(r".+ × .+: \d+ %", label), label


def test_back_and_forward_show_the_filters_the_results_are_for(w, base_url):
    """Chromium restored the form as it was last typed on history navigation: after Back the
    box said the later query and the select the later municipality, above the earlier results."""
    page = w.page
    page.goto(base_url + "/")
    page.fill("#q", "hjemløse unge")
    page.press("#q", "Enter")
    page.wait_for_selector("ol.hits li.hit")
    page.select_option("#f-municipality", "Køge")
    page.click("#go")
    page.wait_for_url("**municipality=K*")
    assert "genre=" not in page.url and "year_from=" not in page.url    # a short address to share
    page.fill("#q", "tidlig indsats")
    page.press("#q", "Enter")
    page.wait_for_url("**q=tidlig*")
    page.go_back()
    page.wait_for_url("**q=hjeml*municipality=K*")
    assert page.input_value("#q") == "hjemløse unge" and page.input_value("#f-municipality") == "Køge"
    page.go_back()
    page.wait_for_url(lambda u: "q=hjeml" in u and "municipality" not in u)
    assert page.input_value("#q") == "hjemløse unge" and page.input_value("#f-municipality") == ""
    page.go_forward()
    page.wait_for_url("**municipality=K*")
    assert page.input_value("#f-municipality") == "Køge"
    # the compare form too
    page.goto(base_url + "/compare")
    page.select_option("#f-matrix", "cooccurrence")
    page.click("#show")
    page.wait_for_url("**matrix=cooccurrence*")
    page.go_back()
    page.wait_for_load_state()
    assert page.input_value("#f-matrix") == "themes"
    assert w.errors == [], w.errors


def test_danish_text_is_marked_danish_on_english_pages(w, base_url):
    """A screen reader reads the documents' Danish with a Danish voice on an English page."""
    page = w.page
    page.goto(base_url + "/?q=bolig&lang=en")
    assert page.get_attribute("html", "lang") == "en"
    langs = page.locator("ol.hits li.hit a.plink").evaluate_all("els => els.map(e => e.closest('[lang]').lang)")
    assert langs and set(langs) == {"da"}
    page.locator("ol.hits a.plink").first.click()
    page.wait_for_selector("blockquote.focus")
    assert page.locator("blockquote.focus").evaluate("e => e.closest('[lang]').lang") == "da"
    assert page.locator("h2").first.evaluate("e => e.closest('[lang]').lang") == "en"   # the page's own words
    assert w.errors == [], w.errors


@pytest.mark.parametrize("path", ["/?q=bolig&year_from=abc", "/municipality/Atlantis", "/?q=bolig&n=20",
                                  "/compare?matrix=themes&cell=Viborg:housing_first"])
def test_keyboard_reaches_the_next_steps(w, base_url, path):
    """Error pages, 'Vis flere resultater', an empty cell's links: all reachable by Tab."""
    from test_web_browser import _controls, _tab_through

    page = w.page
    page.goto(base_url + path)
    wanted = _controls(page)
    seen = _tab_through(page, len(wanted) + 10)
    assert set(wanted) <= seen, f"not reachable by Tab: {sorted(set(wanted) - seen)[:10]}"


def test_phone_matrix_keeps_row_names_in_view_when_scrolled(phone, base_url):
    page = phone.page
    page.goto(base_url + "/compare")
    wrap = page.locator(".heatwrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")         # wider than the phone
    wrap.evaluate("e => { e.scrollLeft = e.scrollWidth }")
    box = page.locator("#heat tbody th").first.bounding_box()
    assert 0 <= box["x"] < 40, box


def test_filters_are_applied_from_the_keyboard_without_going_back_up(w, base_url):
    """The search button sits above the filters: after choosing one by keyboard, the next Tab
    stop after the last filter is a button that applies them."""
    page = w.page
    page.goto(base_url + "/?q=bolig")
    page.focus("#f-municipality")
    page.keyboard.press("ArrowDown")          # the first municipality
    chosen = page.input_value("#f-municipality")
    assert chosen
    page.focus("#f-year-to")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "apply-filters"
    page.keyboard.press("Enter")
    page.wait_for_url("**municipality=*")
    assert page.input_value("#f-municipality") == chosen and page.input_value("#q") == "bolig"
    assert w.errors == [], w.errors
