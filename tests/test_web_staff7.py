"""What a policy staffer meets in the web application (session 7's pass): error pages in the
page's language with a next step, search hints and empty states in Danish, more results, and
words where ids were shown.  Starlette's TestClient over the same corpus as tests/test_web.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402

from stratcompare.web import create_app  # noqa: E402
from test_web import app, web_db  # noqa: E402,F401 - shared fixtures (module-scoped here too)


@pytest.fixture
def client(app):
    """A fresh client per test: no language cookie carried from one test to the next."""
    with TestClient(app) as c:
        yield c


def _main(html: str) -> str:
    """The visible words of the page's <main>, tags dropped."""
    m = re.search(r"<main.*?</main>", html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(0) if m else html))


def _error_message(html: str) -> str:
    m = re.search(r'id="error-message"[^>]*>(.*?)</p>', html, re.S)
    assert m, "the error page has no message"
    return re.sub(r"<[^>]+>", "", m.group(1))


# English words the old messages were made of: none of them may show on a Danish page
ENGLISH = re.compile(r"\b(must|between|unknown|not found|no passage|no document|no municipality|"
                     r"no theme|is missing|give it once|whole number|internal error)\b", re.I)


# --- error pages in the page's language, with a next step ------------------------------------
@pytest.mark.parametrize("url, danish, param", [
    ("/?q=bolig&year_from=abc", "«Fra år» skal være et helt tal, ikke «abc»", "year_from"),
    ("/?q=bolig&year_from=2030&year_to=2020", "«Fra år» (2030) ligger efter «Til år» (2020)", "year_to"),
    ("/?q=bolig&n=-1", "«Antal resultater» skal være mellem 1 og 100", "n"),
    ("/?q=bolig&municipality=Atlantis", "«Kommune» kender ikke værdien «Atlantis»", "municipality"),
    ("/?q=bolig&genre=poetry", "«Dokumenttype» kender ikke værdien «poetry»", "genre"),
    ("/compare?matrix=foo", "«Matrix» kender ikke værdien «foo»", "matrix"),
    ("/compare?cell=nocolon", "RÆKKE:KOLONNE", "cell"),
])
def test_bad_parameter_page_is_danish_and_offers_the_page_without_it(client, url, danish, param):
    r = client.get(url)
    assert r.status_code == 400
    msg = _error_message(r.text)
    assert danish in msg and not ENGLISH.search(msg), msg
    assert "<title>Ugyldig forespørgsel · stratcompare</title>" in r.text
    # the next step: the same address without the bad parameter, which works
    link = re.search(r'id="without-param" href="([^"]+)"', r.text)
    assert link, "no link to the page without the bad parameter"
    target = link.group(1).replace("&amp;", "&")
    assert f"{param}=" not in target
    assert client.get(target).status_code == 200


def test_bad_parameter_page_is_english_with_the_switch(client):
    r = client.get("/?q=bolig&year_from=abc&lang=en")
    msg = _error_message(r.text)
    assert msg == "«From year» must be a whole number, not «abc»."
    assert "Show the page without «From year»" in r.text and "<title>Bad request" in r.text


def test_the_api_keeps_its_english_messages(client):
    r = client.get("/api/search", params={"q": "bolig", "year_from": "abc"})
    assert r.status_code == 400 and r.json()["error"] == "year_from must be a whole number, not 'abc'"


@pytest.mark.parametrize("url, danish", [
    ("/passage/no-such-passage", "Passagen «no-such-passage» findes ikke i databasen"),
    ("/document/0000000000000000", "Dokumentet «0000000000000000» findes ikke i databasen"),
    ("/document/0000000000000000/source", "Dokumentet «0000000000000000» findes ikke"),
    ("/municipality/Atlantis", "Kommunen «Atlantis» har ingen dokumenter i databasen"),
    ("/theme/nope", "Temaet «nope» findes ikke i kodebogen"),
    ("/compare?cell=Atlantis:housing_first", "Cellen «Atlantis:housing_first» findes ikke"),
    ("/no-such-page", "Siden findes ikke"),
])
def test_not_found_pages_say_what_in_danish(client, url, danish):
    r = client.get(url)
    assert r.status_code == 404
    msg = _error_message(r.text)
    assert danish in msg and not ENGLISH.search(msg), msg
    assert "<title>Findes ikke · stratcompare</title>" in r.text
    assert 'id="back-to-search"' in r.text


def test_unknown_municipality_lists_the_ones_there_are(client):
    r = client.get("/municipality/Atlantis")
    links = re.findall(r'<a href="/municipality/([^"]+)">', _main_html(r.text))
    assert "Aarhus" in links and len(links) >= 5
    for name in links[:3]:
        assert client.get(f"/municipality/{name}").status_code == 200


def _main_html(html: str) -> str:
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def test_unknown_theme_and_cell_point_to_what_exists(client):
    assert 'href="/themes"' in client.get("/theme/nope").text
    r = client.get("/compare?matrix=themes&cell=Atlantis:housing_first")
    link = re.search(r'<a href="(/compare[^"]*)">Vis hele matrixen', r.text)
    assert link and "cell=" not in link.group(1)
    assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200


def test_server_error_page_is_danish_and_hides_internals(app, monkeypatch):
    import stratcompare.web.views as views

    def boom(*a, **k):
        raise RuntimeError("secret internals")
    monkeypatch.setattr(views, "theme_view", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/theme/housing_first")
        assert r.status_code == 500
        assert "secret internals" not in r.text
        msg = _error_message(r.text)
        assert "Der skete en fejl på serveren" in msg and not ENGLISH.search(msg)
        assert "serverens log" in r.text


# --- search: the English-query hint and the empty state --------------------------------------
def _results(html: str) -> str:
    m = re.search(r'<section class="results.*?</section>', html, re.S)
    assert m, "no results section"
    return m.group(0)


def test_english_query_hint_is_danish_on_a_danish_page(client):
    res = _results(client.get("/", params={"q": "homeless young people"}).text)
    hint = re.search(r'id="hint">(.*?)</p>', res, re.S).group(1)
    assert hint.startswith("Dokumenterne er på dansk, så der er også søgt efter de danske ord:")
    assert "hjemløse" in hint and "the corpus is Danish" not in res
    res_en = _results(client.get("/", params={"q": "homeless young people", "lang": "en"}).text)
    assert "The documents are in Danish, so the Danish words were searched for too:" in res_en


def test_danish_query_gets_no_language_hint(client):
    assert 'id="hint"' not in _results(client.get("/", params={"q": "hjemløse unge"}).text)


def test_no_hits_offers_a_search_without_the_filters(client):
    r = client.get("/", params={"q": "bolig", "year_from": 2099, "theme": "housing_first"})
    res = _results(r.text)
    assert 'id="no-hits"' in res and "Prøv andre eller færre ord" in res
    link = re.search(r'id="without-filters" href="([^"]+)"', res).group(1).replace("&amp;", "&")
    assert "year_from" not in link and "theme" not in link and "q=bolig" in link
    again = client.get(link)
    assert again.status_code == 200 and 'class="hit"' in again.text


# --- more results ------------------------------------------------------------------------------
def _hit_ids(html: str) -> list[str]:
    return re.findall(r'<li class="hit" id="r\d+">\s*<p class="text">'
                      r'<a class="plink" lang="da" href="/passage/([^"?#]+)', html)


def test_show_more_results_extends_the_list(client):
    r = client.get("/", params={"q": "bolig og støtte"})
    first = _hit_ids(r.text)
    assert len(first) == 20
    assert "De 20 bedste resultater" in r.text       # not "20 results", as if there were no more
    link = re.search(r'id="more-results" href="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    assert "n=40" in link and link.endswith("#r21") and "q=bolig" in link
    more = _hit_ids(client.get(link.split("#")[0]).text)
    assert len(more) > 20 and len(set(more)) == len(more)
    assert more[:20] == first      # the same list, longer: nothing seen moves
    assert 'id="r21"' in client.get(link.split("#")[0]).text


def test_no_more_link_at_the_limit_or_when_all_are_shown(client):
    r = client.get("/", params={"q": "bolig og støtte", "n": 100})
    assert 'id="more-results"' not in r.text
    assert len(_hit_ids(r.text)) == 100      # the limit: said, with what to do instead
    assert "De 100 bedste resultater" in r.text and "Siden viser højst 100 resultater" in r.text
    r = client.get("/", params={"q": "bolig", "year_from": 2099})
    assert 'id="more-results"' not in r.text


# --- words and numbers as a Danish reader writes them ----------------------------------------
def test_shares_and_scores_use_a_decimal_comma_on_danish_pages(client):
    ranked = re.search(r'<ol class="ranked">.*?</ol>', client.get("/theme/housing_first").text, re.S).group(0)
    shares = re.findall(r">(\d+[.,]\d) %<", ranked)
    assert shares and all("," in s for s in shares), shares
    en = re.search(r'<ol class="ranked">.*?</ol>', client.get("/theme/housing_first?lang=en").text, re.S).group(0)
    assert all("." in s for s in re.findall(r">(\d+[.,]\d) %<", en))
    page = client.get("/compare?normalise=score&lang=da").text
    cells = re.findall(r'#cell" title="[^"]*" aria-label="[^"]*">([^<]+)</a>', page)
    assert cells and all(re.fullmatch(r"\d+,\d\d", c) for c in cells), cells[:5]


def test_svg_geometry_keeps_its_decimal_point(client):
    svg = re.search(r"<svg.*?</svg>", client.get("/municipality/Aarhus").text, re.S).group(0)
    widths = re.findall(r'<rect [^>]*width="([^"]+)"', svg)
    assert widths and all(re.fullmatch(r"\d+\.\d", w) for w in widths)


def test_document_status_is_in_words(client, app):
    doc = app.state.web.conns.get().execute("SELECT id FROM documents WHERE status = 'ok' LIMIT 1").fetchone()[0]
    facts = re.search(r'<dl class="facts">.*?</dl>', client.get(f"/document/{doc}").text, re.S).group(0)
    assert "<dd>Læst uden fejl</dd>" in facts and "<dd>ok</dd>" not in facts


def test_passage_page_is_titled_in_words(client, app):
    pid, section, doc_title = app.state.web.conns.get().execute(
        "SELECT p.id, p.section, d.title FROM passages p JOIN documents d ON d.id = p.document_id "
        "WHERE p.section IS NOT NULL AND p.section != '' AND d.municipality = 'Køge' LIMIT 1").fetchone()
    html = client.get(f"/passage/{pid}").text
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert pid not in title and "Køge" in title
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert pid not in h1 and section[:20].replace("&", "&amp;") in h1
    assert f"<code>{pid}</code>" in html          # still there to cite, beside the words


# --- an empty matrix cell says why and what to do ---------------------------------------------
def test_empty_theme_cell_explains_and_offers_a_search(client):
    mx = client.get("/api/matrix").json()
    row, col = next((r, c) for i, r in enumerate(mx["rows"]) for j, c in enumerate(mx["cols"])
                    if mx["values"][i][j] == 0 and not r.endswith(("s", "x", "z")))
    r = client.get("/compare", params={"matrix": "themes", "cell": f"{row}:{col}"})
    assert r.status_code == 200
    cell = re.search(r'<section id="cell".*?</section>', r.text, re.S).group(0)
    empty = re.search(r'id="cell-empty">(.*?)</p>', cell, re.S).group(1)
    label = re.search(rf'<option value="{col}">([^<]+)</option>', client.get("/").text).group(1)
    assert empty.startswith(f"Ingen af {row}s passager er kodet med temaet «{label}»")
    link = re.search(r'id="cell-search" href="([^"]+)"', cell).group(1).replace("&amp;", "&")
    found = client.get(link)
    assert found.status_code == 200 and f'<option value="{row}" selected>' in found.text
    # a cell with passages has no such notice
    i, j = next((i, j) for i in range(len(mx["rows"])) for j in range(len(mx["cols"])) if mx["values"][i][j] > 0)
    full = client.get("/compare", params={"matrix": "themes", "cell": f"{mx['rows'][i]}:{mx['cols'][j]}"}).text
    assert 'id="cell-empty"' not in full



# --- the matrices' notes in the page's language ---------------------------------------------
def test_matrix_notes_are_danish(web_db, tmp_path):
    """A database without theme coding or vectors: the compare page says so in Danish, with who
    can do what about it (was the compare API's English note)."""
    import shutil

    from stratcompare.store import Store

    db = tmp_path / "bare.db"
    shutil.copy(web_db, db)
    with Store.open(db) as store:
        store.conn.execute("DELETE FROM passage_themes")
        store.conn.execute("DELETE FROM embeddings")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with TestClient(create_app(db, mode="lexical")) as c:
        notes = re.findall(r'class="notice matrix-note">(.*?)</p>', c.get("/compare").text)
        assert notes and notes[0].startswith("Databasen har ingen temakodning endnu")
        notes = re.findall(r'class="notice matrix-note">(.*?)</p>',
                           c.get("/compare", params={"matrix": "similarity", "basis": "embeddings"}).text)
        assert notes and notes[0].startswith("Databasen har ingen tekstvektorer endnu")
        assert not any(re.search(r"\brun\b|yet:", n) for n in notes)
        en = re.findall(r'class="notice matrix-note">(.*?)</p>', c.get("/compare", params={"lang": "en"}).text)
        assert en and en[0].startswith("The database has no theme coding yet")
        # the API keeps the notes as the compare API words them
        assert c.get("/api/matrix").json()["notes"][0].startswith("no theme labels")
        # a theme page over no coding: says so and offers a search for the theme's words
        page = c.get("/theme/housing_first", params={"lang": "da"}).text
        assert "Ingen passager er kodet med temaet endnu." in page
        link = re.search(r'<p id="examples-empty">.*?<a href="([^"]+)">', page, re.S).group(1)
        assert c.get(link.replace("&amp;", "&")).status_code == 200


# --- search results for Excel -------------------------------------------------------------------
def test_search_results_download_as_excel(client):
    import io

    from openpyxl import load_workbook

    page = client.get("/", params={"q": "bolig", "n": 7}).text
    link = re.search(r'href="([^"]+)" id="xlsx"', page).group(1).replace("&amp;", "&")
    r = client.get(link)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert wb.active.title == "Søgning"
    assert rows[0][:3] == ("Nr.", "Kommune", "Dokument")          # read by people: Danish headings
    api = client.get("/api/search", params={"q": "bolig", "n": 7}).json()["hits"]
    pid = rows[0].index("Passage-id")
    assert [row[pid] for row in rows[1:]] == [h["passage_id"] for h in api]
    th = rows[0].index("Temaer")
    themed = [(row[th], h["themes"]) for row, h in zip(rows[1:], api) if h["themes"]]
    assert themed and all("_" not in cell for cell, _ in themed)     # theme names, not ids
    assert any("Housing First og bolig" in cell for cell, ids in themed if "housing_first" in ids)
    en = load_workbook(io.BytesIO(client.get(link + "&lang=en").content)).active
    assert next(en.iter_rows(values_only=True))[:2] == ("No.", "Municipality")
    assert any("ø" in (row[-1] or "") or "æ" in (row[-1] or "") for row in rows[1:])   # Danish letters intact
    assert client.get("/search.xlsx").status_code == 400


# --- the start page --------------------------------------------------------------------------
def test_start_page_offers_example_searches_that_find_something(client):
    html = client.get("/").text
    start = re.search(r'<section class="start".*?</section>', html, re.S).group(0)
    links = [x.replace("&amp;", "&") for x in re.findall(r'<a href="(/\?q=[^"]+)">', start)]
    assert len(links) >= 3 and "Prøv fx" in start
    r = client.get(links[0])
    assert r.status_code == 200 and 'class="hit"' in r.text
    assert '<section class="start"' not in r.text        # not on a results page
    assert "Try for example" in client.get("/?lang=en").text


def test_token_page_speaks_danish_first(web_db):
    app = create_app(web_db, mode="lexical", token="s3cret-token")
    with TestClient(app) as c:
        r = c.get("/?q=bolig")
        assert r.status_code == 401 and "siden kræver en adgangsnøgle (token)" in r.text
        assert "den, der driver stratcompare" in r.text
        en = c.get("/?q=bolig&lang=en").text
        assert en.startswith("401 access needs a token") and "adgangsnøgle" not in en
        assert c.get("/api/matrix").json()["error"].startswith("access needs a token")


def test_landmark_names_are_in_the_page_language(client, app):
    pid = app.state.web.conns.get().execute("SELECT id FROM passages LIMIT 1").fetchone()[0]
    html = client.get(f"/passage/{pid}").text
    names = re.findall(r'<nav[^>]*aria-label="([^"]+)"', html)
    assert names == ["Hovedmenu", "Du er her"], names
    html = client.get(f"/passage/{pid}?lang=en").text
    assert re.findall(r'<nav[^>]*aria-label="([^"]+)"', html) == ["Main menu", "You are here"]


def test_theme_heading_is_the_name_and_the_id_is_explained(client):
    html = client.get("/theme/housing_first").text
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert "housing_first" not in h1 and h1.strip() == "Housing First og bolig"
    assert "Temaets navn i CSV- og Excel-filer: <code>housing_first</code>" in html


# --- a document whose municipality was not recognised ---------------------------------------------
@pytest.fixture(scope="module")
def unknown_db(web_db, tmp_path_factory) -> Path:
    import shutil

    from stratcompare.ingest import ingest_paths
    from stratcompare.search import sync_fts
    from stratcompare.store import Store

    d = tmp_path_factory.mktemp("unknown")
    db = d / "web.db"
    shutil.copy(web_db, db)
    src = d / "strategi-uden-kommune.txt"
    src.write_text("Strategi for bedre trivsel\n\nVi vil styrke trivslen for børn og unge med bostøtte i "
                   "eget hjem, tidlig indsats og samarbejde med frivillige foreninger.\n", encoding="utf-8")
    ingest_paths([str(src)], db=db, ocr=False)
    with Store.open(db) as store:
        assert store.conn.execute("SELECT count(*) FROM documents WHERE municipality IS NULL").fetchone()[0] == 1
        sync_fts(store.conn)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def test_unrecognised_municipality_is_named_in_the_page_language(unknown_db):
    with TestClient(create_app(unknown_db, mode="lexical")) as c:
        assert re.search(r'<option value="\(unknown\)">Ukendt kommune</option>', c.get("/").text)
        r = c.get("/municipality/(unknown)")
        assert r.status_code == 200 and "<h1>Ukendt kommune</h1>" in r.text
        doc = c.get("/api/search", params={"q": "trivslen"}).json()["hits"][0]
        assert doc["municipality"] is None
        page = c.get(f"/document/{doc['document_id']}").text
        crumbs = re.search(r'<nav class="crumbs".*?</nav>', page, re.S).group(0)
        assert ">Ukendt kommune</a>" in crumbs
        page = c.get("/", params={"q": "trivslen"}).text
        meta = re.search(r'<span class="meta">\s*(.*?)</span>', page, re.S).group(1)
        assert meta.startswith("Ukendt kommune\n") or meta.startswith("Ukendt kommune ")   # no bare leading '·'
        visible = re.sub(r'(value|href|title)="[^"]*"', "", c.get("/compare").text)
        assert "(unknown)" not in visible and "Ukendt kommune" in visible
        assert "Unknown municipality" in c.get("/municipality/(unknown)?lang=en").text


def test_a_failed_download_clicked_in_a_browser_is_a_page_not_json(client):
    browser = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    r = client.get("/search.csv", params={"q": "bolig", "year_from": "abc"}, headers=browser)
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert _error_message(r.text) == "«Fra år» skal være et helt tal, ikke «abc»."
    assert _error_message(client.get("/search.xlsx", headers=browser).text).startswith("Der mangler søgeord")
    assert client.get("/compare.pdf", headers=browser).headers["content-type"].startswith("text/html")
    # a program (no text/html in Accept) keeps the JSON answer
    r = client.get("/search.csv", params={"q": "bolig", "year_from": "abc"})
    assert r.json() == {"error": "year_from must be a whole number, not 'abc'", "status": 400}


def test_years_the_wrong_way_round_offer_the_swapped_search(client):
    r = client.get("/", params={"q": "bolig", "year_from": 2024, "year_to": 2015})
    link = re.search(r'<a id="swap-years" href="([^"]+)">Søg fra 2015 til 2024</a>', r.text)
    assert link, "no link with the years swapped"
    again = client.get(link.group(1).replace("&amp;", "&"))
    assert again.status_code == 200 and 'value="2015"' in again.text and 'value="2024"' in again.text


# --- a database as `stratcompare run` leaves it (vectors, no word index yet) -------------------------
def test_database_without_its_word_index_says_only_that_is_missing(tmp_path):
    from conftest import CORPUS

    from stratcompare.workflow import run_all

    files = sorted(p for p in CORPUS.glob("*") if p.suffix in (".txt", ".html"))[:3]
    db = tmp_path / "run.db"
    run_all([str(p) for p in files], db=db, report=None, model="hashing", step_progress=False)
    from stratcompare.store import Store

    with Store.open(db) as store:    # as `run` left a database before it built the word index
        store.conn.execute("DELETE FROM passage_fts")
        store.conn.execute("DELETE FROM passage_fts_map")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    said: list[str] = []
    with TestClient(create_app(db, model="hashing", progress=said.append)) as c:
        assert any(x.startswith("The word index is not built: searches find passages by meaning only") for x in said)
        data = c.get("/api/search", params={"q": "indsats"}).json()
        assert data["index_current"] is False and data["hits"]
        page = c.get("/", params={"q": "indsats"}).text
        notice = re.search(r'id="index-stale">(.*?)</p>', page, re.S).group(1)
        assert notice.startswith("Ordsøgningen er ikke bygget endnu: søgningen finder passagerne efter betydning")
        assert "nye passager mangler" not in page
        # similar passages need only the vectors: no notice on a passage page
        pid = data["hits"][0]["passage_id"]
        similar = re.search(r'<section id="similar">.*?</section>', c.get(f"/passage/{pid}").text, re.S).group(0)
        assert 'class="notice"' not in similar


def test_every_page_has_one_h1(client, app):
    pid = app.state.web.conns.get().execute("SELECT id FROM passages LIMIT 1").fetchone()[0]
    for url in ("/", "/?q=bolig", f"/passage/{pid}", "/compare", "/themes", "/theme/housing_first",
                "/municipality/Køge", "/nope", "/?q=bolig&year_from=abc"):
        assert len(re.findall(r"<h1[ >]", client.get(url).text)) == 1, url
    res = _results(client.get("/?q=bolig").text)
    assert re.search(r'<h2 class="visually-hidden" id="results-title">Resultater for «bolig»</h2>', res)


def test_compare_excel_has_theme_names(client):
    import io

    from openpyxl import load_workbook

    mx = client.get("/api/matrix").json()
    wb = load_workbook(io.BytesIO(client.get("/compare.xlsx", params={"matrix": "themes"}).content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "Kommune" and "Housing First og bolig" in rows[0]
    assert not any("_" in (h or "") for h in rows[0])
    assert [r[0] for r in rows[1:]] == mx["rows"]
    j = mx["cols"].index("housing_first")
    assert [r[rows[0].index("Housing First og bolig")] for r in rows[1:]] == \
        pytest.approx([v[j] for v in mx["values"]], abs=1e-4)
    co = list(load_workbook(io.BytesIO(client.get("/compare.xlsx", params={"matrix": "cooccurrence"}).content))
              .active.iter_rows(values_only=True))
    assert co[0][0] == "Tema" and co[1][0] == "Housing First og bolig"


def test_weak_results_under_filters_offer_the_search_without_them(client):
    res = _results(client.get("/", params={"q": "rumfart til mars", "municipality": "Køge"}).text)
    assert 'id="weak"' in res
    link = re.search(r'id="weak-without-filters" href="([^"]+)"', res).group(1).replace("&amp;", "&")
    assert "municipality" not in link and "q=rumfart" in link
    assert 'id="weak-without-filters"' not in _results(client.get("/", params={"q": "rumfart til mars"}).text)


def test_the_address_to_share_has_no_empty_filters(client):
    r = client.get("/?q=bolig&municipality=&theme=housing_first&genre=&kind=&year_from=&year_to=",
                   follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?q=bolig&theme=housing_first"
    assert client.get("/?q=&municipality=", follow_redirects=False).headers["location"] == "/"
    assert client.get("/?q=bolig&theme=housing_first", follow_redirects=False).status_code == 200


def test_a_hit_s_period_is_written_with_an_en_dash(client):
    hits = client.get("/api/search", params={"q": "forebyggelse", "n": 50}).json()["hits"]
    spans = {h["year"] for h in hits if h.get("year") and "-" in str(h["year"])}
    assert spans, "no hit with a period of years"
    page = client.get("/", params={"q": "forebyggelse", "n": 50}).text
    meta = " ".join(re.findall(r'<span class="meta">(.*?)</span>', page, re.S))
    for y in spans:
        assert y.replace("-", "–") in meta and f"· {y}" not in meta


def test_repeated_link_texts_have_distinct_accessible_names(client):
    html = client.get("/municipality/Køge").text
    names = re.findall(r'class="cell-link"[^>]*aria-label="([^"]+)"', html)
    assert names and len(set(names)) == len(names)
    assert all(n.startswith("De mest lignende passagepar: Køge – ") for n in names)
    names = re.findall(r'class="cell-link"[^>]*aria-label="([^"]+)"', client.get("/theme/housing_first").text)
    assert names and all(" × Housing First og bolig, " in n for n in names) and len(set(names)) == len(names)


def test_filters_without_words_say_what_to_do(client):
    html = client.get("/", params={"theme": "housing_first", "municipality": "Køge"}).text
    note = re.search(r'id="need-words"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert note.startswith("Skriv også søgeord: filtrene alene giver ingen resultater.")
    links = re.findall(r'<a href="([^"]+)">', note)
    assert "/theme/housing_first" in links and "/municipality/K%C3%B8ge" in links
    assert all(client.get(u).status_code == 200 for u in links)
    assert 'id="need-words"' not in client.get("/").text


def test_every_label_a_template_uses_exists_in_both_languages():
    """A label missing from i18n.toml renders as nothing (an empty button, a blank notice)."""
    from stratcompare.web.render import HERE, labels

    used = set()
    for tpl in (HERE / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\.([a-z][a-z0-9_]*)\b", tpl.read_text(encoding="utf-8")))
    used -= {"get"}
    for lang in ("da", "en"):
        missing = sorted(k for k in used if k not in labels()[lang])
        assert not missing, f"{lang}: {missing}"


def test_a_too_long_query_offers_the_words_that_fit(client):
    q = "billige boliger til unge hjemløse " * 12          # pasted from a document
    r = client.get("/", params={"q": q})
    assert r.status_code == 400
    assert _error_message(r.text) == "«Søgeord» er for lang: 407 tegn, højst 300."   # stripped
    link = re.search(r'id="shortened" href="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    again = client.get(link)
    assert again.status_code == 200 and 'class="hit"' in again.text


@pytest.mark.parametrize("url", [
    "/?q=bolig&municipality=<script>alert(1)</script>", "/?q=bolig&year_from=<img src=x onerror=alert(1)>",
    "/municipality/<script>alert(1)</script>", "/compare?cell=<b>x</b>:y", "/theme/<svg onload=alert(1)>",
])
def test_error_messages_escape_what_the_address_said(client, url):
    r = client.get(url)
    assert r.status_code in (400, 404)
    assert "<script>alert" not in r.text and "<img src=x" not in r.text and "<svg onload" not in r.text
    assert "<b>x</b>" not in r.text
    msg = _error_message(r.text)
    assert "<" not in msg and (">" not in msg or "&gt;" in msg)


def test_similar_passages_without_a_model_say_why(web_db, app):
    pid = app.state.web.conns.get().execute(
        "SELECT id FROM passages WHERE kind = 'content' AND length(text) > 200 LIMIT 1").fetchone()[0]
    with TestClient(create_app(web_db, mode="lexical")) as c:
        similar = re.search(r'<section id="similar">.*?</section>', c.get(f"/passage/{pid}").text, re.S).group(0)
        assert "Serveren kører kun med ordsøgning" in similar and "Ingen lignende passager fundet" not in similar
        link = re.search(r'<a href="(/\?q=[^"]+)">', similar).group(1).replace("&amp;", "&")
        assert 'class="hit"' in c.get(link).text
    with TestClient(app) as c:          # with a model: no such note
        assert 'id="similar-unavailable"' not in c.get(f"/passage/{pid}").text


def test_a_moved_source_file_is_explained(web_db, tmp_path):
    import shutil

    from stratcompare.store import Store

    db = tmp_path / "moved.db"
    shutil.copy(web_db, db)
    with Store.open(db) as store:
        doc = store.conn.execute("SELECT id FROM documents WHERE path LIKE '%.txt' LIMIT 1").fetchone()[0]
        store.conn.execute("UPDATE documents SET path = '/nowhere/moved.txt' WHERE id = ?", (doc,))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with TestClient(create_app(db, mode="lexical")) as c:
        page = c.get(f"/document/{doc}").text
        assert "Kildefilen findes ikke længere, hvor databasen har den (måske er den flyttet)" in page
        assert "kan indlæse filen igen" in page and f'href="/document/{doc}/source"' not in page
