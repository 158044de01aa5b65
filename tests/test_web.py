"""The web application (``stratcompare serve``) through Starlette's TestClient: every page and
/api/ endpoint over a corpus built from the bundled files, and the security rules."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import CORPUS

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402

from stratcompare.web import create_app  # noqa: E402
from stratcompare.web import queries as Q  # noqa: E402

HOSTILE = [
    {"id": "hostile-1", "municipality": "Aarhus", "document": "hostile", "page": 1,
     "title": "<script>alert('title')</script> Boligplan",
     "section": "<img src=x onerror=alert('section')>",
     "text": "Billige boliger til unge hjemløse <script>alert('xss')</script> og "
             "<img src=x onerror=alert('img')> samt <a href=\"javascript:alert('link')\">klik her</a> "
             "– Housing First med bostøtte i egen bolig."},
    {"id": "hostile-2", "municipality": "Aarhus", "document": "hostile", "page": 2,
     "text": "Vi vil styrke den tidlige indsats for børn og unge i udsatte positioner, så "
             "problemerne ikke vokser sig store, og samarbejde med frivillige foreninger."},
]


def build_web_db(path: Path) -> Path:
    """The bundled corpus (born-digital PDFs, HTML, text), six real page texts and a JSONL
    document with hostile text; embedded with the fast hashing encoder, classified, indexed."""
    from stratcompare.classify import classify_passages
    from stratcompare.embed import embed_passages, get_encoder
    from stratcompare.ingest import ingest_paths
    from stratcompare.search import sync_fts
    from stratcompare.store import Store

    src = path.parent / "web-src"
    src.mkdir(parents=True, exist_ok=True)
    hostile = src / "hostile.jsonl"
    hostile.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in HOSTILE) + "\n", encoding="utf-8")
    files = [p for p in sorted(CORPUS.glob("*")) if p.suffix in (".txt", ".html", ".pdf")]
    files += sorted((CORPUS / "real" / "pages").glob("*.txt"))[:6]
    report = ingest_paths([str(p) for p in files] + [str(hostile)], db=path, ocr=False)
    assert report.exit_code == 0, [r.error for r in report.failed]
    enc = get_encoder("hashing")
    with Store.open(path) as store:
        embed_passages(store.conn, enc)
        sync_fts(store.conn)
        classify_passages(store.conn, encoder=enc)
        # the search API's own bookkeeping, as `stratcompare search` leaves it
        from stratcompare.search import ensure_embeddings, ensure_fts
        ensure_fts(store.conn)
        ensure_embeddings(store.conn, enc)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="module")
def web_db(tmp_path_factory) -> Path:
    return build_web_db(tmp_path_factory.mktemp("web") / "web.db")


@pytest.fixture(scope="module")
def app(web_db):
    return create_app(web_db, model="hashing")


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


def _ids(html: str, kind: str) -> list[str]:
    return re.findall(rf'href="/{kind}/([^"#?]+)"', html)


def _first_hit(client, q="housing first bolig") -> dict:
    hits = client.get("/api/search", params={"q": q}).json()["hits"]
    assert hits
    return hits[0]


# --- start-up ---------------------------------------------------------------------------------
def test_model_loaded_once_at_start_with_progress(web_db, monkeypatch):
    lines: list[str] = []
    app = create_app(web_db, model="hashing", progress=lines.append)
    assert any("Loading" in ln for ln in lines) and any("ready" in ln for ln in lines)
    import stratcompare.embed as embed
    import stratcompare.search.api as search_api

    def no_loading(*a, **k):
        raise AssertionError("a request loaded a model")
    monkeypatch.setattr(search_api, "get_encoder", no_loading)
    monkeypatch.setattr(embed, "get_encoder", no_loading)
    with TestClient(app) as c:
        for q in ("bolig", "tidlig indsats", "frivillige foreninger"):
            assert c.get("/", params={"q": q}).status_code == 200
        pid = _first_hit(c)["passage_id"]
        assert c.get(f"/passage/{quote(pid)}").status_code == 200


def test_lexical_mode_needs_no_model(web_db):
    app = create_app(web_db, mode="lexical")
    assert app.state.web.encoder is None
    with TestClient(app) as c:
        r = c.get("/api/search", params={"q": "housing first"})
        assert r.status_code == 200 and r.json()["hits"]
        pid = r.json()["hits"][0]["passage_id"]
        assert c.get(f"/passage/{quote(pid)}").status_code == 200


def test_missing_database_is_a_one_line_error(tmp_path):
    from stratcompare.errors import NotFoundError

    with pytest.raises(NotFoundError):
        create_app(tmp_path / "nope.db", model="hashing")


# --- pages ------------------------------------------------------------------------------------
def test_search_page_marks_terms_and_links_everything(client):
    r = client.get("/", params={"q": "billige boliger til unge hjemløse"})
    assert r.status_code == 200
    html = r.text
    assert "<mark>" in html
    assert _ids(html, "passage") and _ids(html, "document") and _ids(html, "municipality")
    assert "#similar" in html                        # "more like this in other municipalities"
    assert 'href="/search.csv?q=' in html
    assert "Hvad leder du efter?" in html            # Danish by default


def test_start_page_without_query_has_the_form(client):
    r = client.get("/")
    assert r.status_code == 200
    for name in ("q", "municipality", "theme", "year_from", "year_to"):
        assert f'name="{name}"' in r.text


def test_page_hits_are_the_python_api_hits(client, web_db):
    """The page calls the same search function as the CLI: same passages, same order."""
    from stratcompare.embed import get_encoder
    from stratcompare.search import search
    from stratcompare.store import Store

    q = "tidlig indsats for børn"
    api = [h["passage_id"] for h in client.get("/api/search", params={"q": q, "n": 10}).json()["hits"]]
    with Store.open(web_db) as store:
        direct = [h.passage_id for h in search(store.conn, q, top_k=10, encoder=get_encoder("hashing"))]
    assert api == direct
    page = _ids(client.get("/", params={"q": q, "n": 10}).text, "passage")
    assert [p for i, p in enumerate(page) if p not in page[:i]][:10] == [quote(x, safe="") for x in direct]


def test_search_filters(client):
    munis = client.get("/api/matrix").json()["rows"]
    m = "Køge" if "Køge" in munis else munis[0]
    hits = client.get("/api/search", params={"q": "borgere", "municipality": m}).json()["hits"]
    assert hits and all(h["municipality"].startswith(m) for h in hits)
    hits = client.get("/api/search", params={"q": "bolig", "theme": "housing_first"}).json()["hits"]
    assert hits and all("housing_first" in h["themes"] for h in hits)
    hits = client.get("/api/search", params={"q": "borgere", "year_from": 2022, "year_to": 2030}).json()["hits"]
    for h in hits:
        years = [int(y) for y in re.findall(r"\d{4}", h["year"] or "")]
        assert years and max(years) >= 2022 and min(years) <= 2030
    all_hits = client.get("/api/search", params={"q": "borgere", "n": 50}).json()["hits"]
    assert len(hits) < len(all_hits)


def test_genre_and_kind_filters_follow_the_database(client, app):
    conn = app.state.web.conns.get()
    r = client.get("/api/search", params={"q": "bolig", "genre": "strategy", "kind": "content"})
    if not Q.has_column(conn, "documents", "genre"):
        assert r.status_code == 400 or r.json()["hits"] == []   # no column, nothing claimed
        assert 'name="genre"' not in client.get("/").text
        return
    assert r.status_code == 200
    hits = r.json()["hits"]
    facts = Q.passage_facts(conn, [h["passage_id"] for h in hits])
    assert all(f["genre"] == "strategy" and f["kind"] == "content" for f in facts.values())
    other = client.get("/api/search", params={"q": "bolig", "genre": "minutes"}).json()["hits"]
    assert not {h["passage_id"] for h in hits} & {h["passage_id"] for h in other}


def test_weak_results_say_so(client):
    r = client.get("/", params={"q": "qqxv zzkw pflurb"})
    assert r.status_code == 200
    assert 'id="weak"' in r.text or 'id="no-hits"' in r.text
    r = client.get("/", params={"q": "Housing First bostøtte egen bolig"})
    assert 'id="weak"' not in r.text and 'id="no-hits"' not in r.text


def test_search_csv_matches_the_api(client):
    r = client.get("/search.csv", params={"q": "bolig", "n": 7})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    api = client.get("/api/search", params={"q": "bolig", "n": 7}).json()["hits"]
    assert [x["passage_id"] for x in rows] == [h["passage_id"] for h in api]


def test_passage_page(client):
    hit = _first_hit(client)
    pid = hit["passage_id"]
    r = client.get(f"/passage/{quote(pid)}")
    assert r.status_code == 200
    assert 'id="similar"' in r.text and 'class="focus"' in r.text
    data = client.get(f"/api/passage/{quote(pid)}").json()
    assert data["id"] == pid and data["before"] or data["after"]
    assert data["similar"], "similar passages from other municipalities"
    own = data["municipality_main"]
    assert all(g["municipality"] != own for g in data["similar"])
    assert all(h["municipality"].split(";")[0] == g["municipality"] for g in data["similar"] for h in g["hits"])
    assigned = [t for t in data["themes"] if t["assigned"]]
    for t in assigned:
        assert 0 <= t["probability"] <= 1


def test_passage_shows_ocr_corrections(client, app):
    conn = app.state.web.conns.get()
    row = conn.execute("SELECT id, raw_text, text FROM passages WHERE raw_text != text LIMIT 1").fetchone()
    if row is None:
        pytest.skip("no repaired passage in this corpus")
    data = client.get(f"/api/passage/{quote(row['id'])}").json()
    assert data["corrections"]
    html = client.get(f"/passage/{quote(row['id'])}").text
    assert "<del>" in html and "<ins>" in html


def test_corrections_are_a_word_diff():
    assert Q.corrections("Hjgrring Kommunes gkonomi", "Hjørring Kommunes økonomi") == [
        {"original": "Hjgrring", "replacement": "Hjørring"}, {"original": "gkonomi", "replacement": "økonomi"}]
    assert Q.corrections("same", "same") == []


def test_document_page_and_source(client, app):
    conn = app.state.web.conns.get()
    pdf = conn.execute("SELECT id FROM documents WHERE path LIKE '%.pdf' LIMIT 1").fetchone()[0]
    r = client.get(f"/document/{pdf}")
    assert r.status_code == 200
    assert f'/document/{pdf}/source#page=' in r.text
    data = client.get(f"/api/document/{pdf}").json()
    assert data["pages_detail"] and "path" not in data
    src = client.get(f"/document/{pdf}/source")
    assert src.status_code == 200 and src.headers["content-type"] == "application/pdf"
    assert src.content[:5] == b"%PDF-"
    txt = conn.execute("SELECT id FROM documents WHERE path LIKE '%.html' LIMIT 1").fetchone()[0]
    src = client.get(f"/document/{txt}/source")
    assert src.status_code == 200 and src.headers["content-type"].startswith("text/plain")
    assert "sandbox" in src.headers["content-security-policy"]


def test_municipality_page(client):
    rows = client.get("/api/matrix").json()["rows"]
    name = rows[0]
    r = client.get(f"/municipality/{quote(name)}")
    assert r.status_code == 200
    assert "<svg" in r.text and "<rect" in r.text
    data = client.get(f"/api/municipality/{quote(name)}").json()
    themes = client.get("/api/matrix").json()["cols"]
    assert [p["theme"] for p in data["profile"]] == themes
    assert data["documents"] and all(d["municipality"].startswith(name) for d in data["documents"])
    assert data["similar"] and all(s["municipality"] != name for s in data["similar"])
    for group in data["strongest"]:
        assert 1 <= len(group["passages"]) <= 3


def test_theme_pages(client):
    assert client.get("/themes").status_code == 200
    r = client.get("/theme/housing_first")
    assert r.status_code == 200 and "Housing First" in r.text
    data = client.get("/api/theme/housing_first").json()
    assert data["definition"] and data["include"] and data["exclude"]
    assert data["reliability"]["f1"] is not None
    shares = [x["share"] for x in data["ranked"]]
    assert shares == sorted(shares, reverse=True) and shares
    assert data["examples"]


@pytest.mark.parametrize("matrix", ["themes", "similarity", "cooccurrence"])
def test_compare_matrices_and_cells(client, matrix):
    r = client.get("/compare", params={"matrix": matrix})
    assert r.status_code == 200 and 'id="heat"' in r.text
    mx = client.get("/api/matrix", params={"matrix": matrix}).json()
    i, j = divmod(int(max(range(len(mx["rows"]) * len(mx["cols"])),
                          key=lambda k: mx["values"][k // len(mx["cols"])][k % len(mx["cols"])]
                          if not (matrix == "similarity" and k // len(mx["cols"]) == k % len(mx["cols"])) else -1)),
                  len(mx["cols"]))
    cell = f"{mx['rows'][i]}:{mx['cols'][j]}"
    assert f'cell={quote(cell, safe="")}' in r.text.replace("%3A", ":").replace(":", "%3A") or cell in r.text
    data = client.get("/api/cell", params={"matrix": matrix, "cell": cell}).json()
    if matrix == "similarity":
        assert data["pairs"]
    else:
        assert data["passages"]
        if matrix == "cooccurrence" or mx["measure"] == "count":
            assert data["count"] == round(mx["values"][i][j])
    page = client.get("/compare", params={"matrix": matrix, "cell": cell})
    assert page.status_code == 200 and 'id="cell"' in page.text


def test_theme_cell_count_is_the_matrix_count(client):
    mx = client.get("/api/matrix", params={"normalise": "count"}).json()
    j = mx["cols"].index("housing_first")
    for i, row in enumerate(mx["rows"]):
        data = client.get("/api/cell", params={"cell": f"{row}:housing_first", "normalise": "count"}).json()
        assert data["count"] == mx["values"][i][j]


def test_downloads(client):
    r = client.get("/compare.csv", params={"matrix": "themes"})
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.text)))
    mx = client.get("/api/matrix").json()
    assert rows[0] == ["municipality", *mx["cols"]] and len(rows) == len(mx["rows"]) + 1
    r = client.get("/compare.xlsx", params={"matrix": "cooccurrence"})
    assert r.status_code == 200
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.active.max_row == len(client.get("/api/matrix", params={"matrix": "cooccurrence"}).json()["rows"]) + 1
    assert client.get("/compare.exe").status_code == 404


def test_api_index_lists_endpoints(client):
    eps = client.get("/api/").json()["endpoints"]
    for name in ("search", "passage", "document", "municipality", "theme", "matrix", "cell"):
        assert any(f"/api/{name}" in k for k in eps)


def test_english_labels_by_parameter_and_cookie(app):
    with TestClient(app) as client:
        r = client.get("/", params={"lang": "en"})
        assert "What are you looking for?" in r.text and r.cookies.get("sc_lang") == "en"
        assert "What are you looking for?" in client.get("/").text      # the cookie remembers
        assert "Hvad leder du efter?" in client.get("/", params={"lang": "da"}).text
        assert "Hvad leder du efter?" in client.get("/").text
        # links keep an explicit ?lang= so a shared URL shows the same language
        assert 'lang=en' in client.get("/", params={"lang": "en", "q": "bolig"}).text


def test_filters_are_in_the_url(client):
    r = client.get("/", params={"q": "bolig", "theme": "housing_first", "year_from": 2019})
    assert 'value="bolig"' in r.text
    assert re.search(r'<option value="housing_first" selected>', r.text)
    assert 'value="2019"' in r.text


# --- bad parameters, unknown ids ------------------------------------------------------------------
@pytest.mark.parametrize("params", [
    {"q": "x" * 301}, {"q": "bolig", "n": 1000}, {"q": "bolig", "n": "many"},
    {"q": "bolig", "year_from": "abc"}, {"q": "bolig", "year_from": 2030, "year_to": 2020},
    {"q": "bolig", "municipality": "Atlantis"}, {"q": "bolig", "theme": "nope"},
    {"q": "bolig", "genre": "poetry"}, {"q": "bolig\x00"},
])
def test_bad_parameters_are_400_with_a_message(client, params):
    r = client.get("/", params=params)
    assert r.status_code == 400
    assert "Traceback" not in r.text and 'class="error"' in r.text
    r = client.get("/api/search", params={"q": "bolig", **params})
    assert r.status_code == 400 and r.json()["error"]


def test_repeated_parameter_is_400(client):
    assert client.get("/?q=a&q=b").status_code == 400


@pytest.mark.parametrize("url", [
    "/passage/no-such-passage", "/api/passage/no-such-passage", "/document/0000000000000000",
    "/api/document/0000000000000000", "/document/0000000000000000/source", "/municipality/Atlantis",
    "/api/municipality/Atlantis", "/theme/nope", "/api/theme/nope", "/nowhere",
])
def test_unknown_ids_are_404(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert "Traceback" not in r.text


def test_bad_cells(client):
    assert client.get("/api/cell", params={"cell": "nocolon"}).status_code == 400
    assert client.get("/api/cell", params={"cell": "Atlantis:housing_first"}).status_code == 404
    assert client.get("/api/cell").status_code == 400
    assert client.get("/compare", params={"matrix": "bogus"}).status_code == 400


@pytest.mark.parametrize("url", [
    "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2fetc%2fpasswd", "/document/..%2f..%2f..%2fetc%2fpasswd/source",
    "/document/%2e%2e/source", "/passage/..%2f..%2fetc%2fpasswd", "/document/%00/source",
])
def test_path_traversal_gets_nothing(client, url):
    r = client.get(url)
    assert r.status_code in (400, 404)
    assert "root:" not in r.text


def test_source_only_for_files_the_database_records(client, app, tmp_path):
    conn = app.state.web.conns.get()
    doc = conn.execute("SELECT id FROM documents WHERE path LIKE '%.jsonl'").fetchone()[0]
    # the JSONL file is recorded; a path given in the request is never used
    assert client.get(f"/document/{doc}/source", params={"path": "/etc/passwd"}).text.find("root:") < 0


def test_server_error_is_plain(app, monkeypatch):
    import stratcompare.web.views as views

    def boom(*a, **k):
        raise RuntimeError("secret internals")
    monkeypatch.setattr(views, "theme_view", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/theme/housing_first")
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text


# --- security -------------------------------------------------------------------------------------
def test_security_headers_everywhere(client):
    for url in ("/", "/api/search?q=bolig", "/static/style.css", "/nowhere", "/?q=" + "x" * 400):
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"


class _Active(HTMLParser):
    """Collects what would be live in a browser: script/img/iframe elements, on* handlers,
    javascript: links."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe", "object", "embed"):
            self.found.append(tag)
        for k, v in attrs:
            if k.startswith("on"):
                self.found.append(k)
            if k in ("href", "src", "action") and v and v.strip().lower().startswith("javascript:"):
                self.found.append(v)


def _active(html: str) -> list[str]:
    p = _Active()
    p.feed(html)
    return p.found


def test_active_content_detector_works():
    """Control: the detector must see what the escaping is meant to stop."""
    assert _active(HOSTILE[0]["text"]) == ["script", "img", "onerror", "javascript:alert('link')"]


def test_hostile_text_is_escaped(client):
    html = client.get("/", params={"q": "billige boliger unge hjemløse housing first"}).text
    assert "hostile-1" in html and "&lt;script&gt;alert(" in html
    assert _active(html) == []
    for url in ("/passage/hostile-1", "/passage/hostile-2"):
        assert _active(client.get(url).text) == []
    api = client.get("/api/passage/hostile-1")
    assert api.headers["content-type"].startswith("application/json")
    assert "<script>" in api.json()["text"]              # data stays data in JSON
    doc = api.json()["document_id"]
    page = client.get(f"/document/{doc}").text
    assert _active(page) == [] and "&lt;script&gt;alert(&#39;title&#39;)" in page
    mun = client.get("/municipality/Aarhus").text
    assert _active(mun) == []
    cell = client.get("/compare", params={"cell": "Aarhus:housing_first"}).text
    assert _active(cell) == []


def test_a_token_guards_every_request(web_db):
    app = create_app(web_db, model="hashing", token="s3cret-token")
    with TestClient(app) as c:
        for url in ("/", "/?q=bolig", "/api/search?q=bolig", "/static/style.css", "/compare",
                    "/passage/hostile-1", "/api/matrix"):
            r = c.get(url)
            assert r.status_code == 401, url
            assert "bolig" not in r.text.lower() or "token" in r.text
        assert c.get("/api/matrix").json()["status"] == 401
        assert c.get("/", params={"token": "wrong"}).status_code == 401
        c.cookies.set("sc_token", "wrong")
        assert c.get("/").status_code == 401
        c.cookies.clear()
        # the token in the URL once: a cookie is set and the token dropped from the address
        r = c.get("/", params={"q": "bolig", "token": "s3cret-token"}, follow_redirects=False)
        assert r.status_code == 303 and "token" not in r.headers["location"]
        assert r.headers["location"] == "/?q=bolig"
        assert c.get("/?q=bolig").status_code == 200
        assert c.get("/api/matrix").status_code == 200
    with TestClient(app) as c:
        assert c.get("/api/matrix", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        assert c.get("/api/matrix", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_non_loopback_without_token_refuses_to_start(web_db, monkeypatch):
    from typer.testing import CliRunner

    from stratcompare.cli import app as cli
    from stratcompare.cli.serve_cmd import check_binding
    from stratcompare.errors import UsageError

    monkeypatch.delenv("STRATCOMPARE_TOKEN", raising=False)
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.org"):
        with pytest.raises(UsageError):
            check_binding(host, None)
        check_binding(host, "long-enough-token")
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        check_binding(host, None)
    res = CliRunner().invoke(cli, ["serve", "--db", str(web_db), "--host", "0.0.0.0", "--model", "hashing"])
    assert res.exit_code == 2
    out = (res.stderr if hasattr(res, "stderr") else res.output).strip()
    assert out.startswith("Error:") and len(out.splitlines()) == 1 and "--token" in out


def test_loopback_app_answers_only_loopback_host_names(web_db):
    """No token: a request addressed to another name (DNS rebinding) is refused."""
    from stratcompare.cli.serve_cmd import allowed_hosts

    app = create_app(web_db, model="hashing", allowed_hosts=allowed_hosts("127.0.0.1", None))
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"Host": "localhost:8000"}).status_code == 200
        assert c.get("/", headers={"Host": "evil.example"}).status_code == 400
        assert c.get("/api/matrix", headers={"Host": "evil.example"}).status_code == 400
    assert allowed_hosts("0.0.0.0", "a-long-token") is None


def test_database_is_opened_read_only(app, web_db, client):
    conn = app.state.web.conns.get()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
    before = hashlib.sha256(web_db.read_bytes()).hexdigest()
    for url in ("/?q=bolig", "/api/search?q=tidlig+indsats", "/compare?matrix=similarity", "/themes"):
        assert client.get(url).status_code == 200
    assert hashlib.sha256(web_db.read_bytes()).hexdigest() == before


def test_no_writable_handle_after_hybrid_search(app, client, web_db):
    """Search's BM25 helper threads keep connections of their own: read-only ones."""
    import stratcompare.search.api as search_api

    assert client.get("/api/search", params={"q": "tidlig indsats"}).status_code == 200
    path = app.state.web.conns.search().execute("PRAGMA database_list").fetchone()[2]

    def helper_conn_is_read_only():
        search_api._lexical_on_own_connection(path, ("bolig", 5, "", []), {})
        conn = search_api._LOCAL.conns[path][0]
        try:
            conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
        except sqlite3.OperationalError as exc:
            return "readonly" in str(exc)
        return False

    assert search_api._pool().submit(helper_conn_is_read_only).result()


def test_stale_index_is_reported_not_written(web_db, tmp_path):
    """New passages that were never indexed: the page says to run `stratcompare embed` and the
    web process writes nothing."""
    from stratcompare.store import Store

    db = tmp_path / "stale.db"
    shutil.copy(web_db, db)
    with Store.open(db) as store:
        store.conn.execute(
            "INSERT INTO passages(id, document_id, seq, page, section, char_start, char_end, raw_text, text, words) "
            "SELECT 'new-passage', document_id, 9999, 1, NULL, 0, 10, 'Nyt om bolig', 'Nyt om bolig', 3 "
            "FROM passages LIMIT 1")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    app = create_app(db, model="hashing")
    with TestClient(app) as c:
        r = c.get("/", params={"q": "bolig"})
        assert r.status_code == 200
        assert "stratcompare embed" in r.text
        assert c.get("/api/search", params={"q": "bolig"}).json()["index_current"] is False
        assert c.get("/passage/new-passage").status_code == 200
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_passage_with_theme_but_no_evidence(web_db, tmp_path):
    """Stored themes need not carry evidence (imported codings, synthetic stores)."""
    from stratcompare.store import Store

    db = tmp_path / "noev.db"
    shutil.copy(web_db, db)
    with Store.open(db) as store:
        store.conn.execute("UPDATE passage_themes SET evidence = NULL WHERE passage_id = 'hostile-2'")
        store.conn.execute("UPDATE passage_themes SET assigned = 1 WHERE passage_id = 'hostile-2' AND theme = 'early_intervention'")
    with TestClient(create_app(db, model="hashing")) as c:
        r = c.get("/passage/hostile-2")
        assert r.status_code == 200 and "/theme/early_intervention" in r.text


def test_cache_computes_once_for_concurrent_requests(web_db):
    import threading
    import time

    cache = Q.Cache(Q.Connections(web_db))
    calls, results = [], []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return 42
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and results == [42] * 8


def test_same_search_again_is_answered_from_the_cache(web_db, monkeypatch):
    """The CSV download (or a shared link) right after the page does not search again."""
    import stratcompare.search.api as search_api

    app = create_app(web_db, model="hashing")
    calls = []
    real = search_api.search_result
    monkeypatch.setattr(search_api, "search_result", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    with TestClient(app) as c:
        page = c.get("/", params={"q": "bolig og borgere"})
        rows = list(csv.DictReader(io.StringIO(c.get("/search.csv", params={"q": "bolig og borgere"}).text)))
        c.get("/", params={"q": "tidlig indsats"})
    assert calls == ["bolig og borgere", "tidlig indsats"]
    with TestClient(app) as c:                        # Cache-Control: no-cache searches anew
        c.get("/", params={"q": "tidlig indsats"}, headers={"Cache-Control": "no-cache"})
    assert calls[-1] == "tidlig indsats" and len(calls) == 3
    assert [quote(r["passage_id"], safe="") for r in rows][:3] == [
        p for i, p in enumerate(_ids(page.text, "passage")) if p not in _ids(page.text, "passage")[:i]][:3]


def test_current_index_needs_no_guard(app, web_db, tmp_path):
    """With the index in step, searches run side by side (no lock); a stale one takes the guard."""
    assert not Q.needs_guard(app.state.web.conns.get(), "hashing")
    from stratcompare.store import Store

    db = tmp_path / "behind.db"
    shutil.copy(web_db, db)
    with Store.open(db) as store:
        store.conn.execute("UPDATE passages SET text = text || ' ny' WHERE id = 'hostile-2'")
    assert Q.needs_guard(Q.open_readonly(db), "hashing")


def test_table_passage_shows_its_cells(web_db, tmp_path):
    from stratcompare.store import Store

    db = tmp_path / "cells.db"
    shutil.copy(web_db, db)
    with Store.open(db) as store:
        if not Q.has_column(store.conn, "passages", "cells"):
            pytest.skip("database without table cells")
        store.conn.execute("UPDATE passages SET kind = 'table', cells = ? WHERE id = 'hostile-2'",
                           (json.dumps([["Tilbud", "Pladser"], ["Bostøtte <b>", "12"]]),))
    with TestClient(create_app(db, model="hashing")) as c:
        html = c.get("/passage/hostile-2").text
    assert '<th scope="col">Tilbud</th>' in html and "<td>Bostøtte &lt;b&gt;</td>" in html
    assert Q.table_rows("not json") is None and Q.table_rows(None) is None


def test_weak_result_rule():
    from stratcompare.search import Hit

    def hit(**details):
        return Hit("p", "Køge", "d", "d", None, 1, None, 1.0, "t", details=details)
    assert Q.weak_result([], "hashing")
    assert not Q.weak_result([hit(bm25=3.2, cosine=0.1)], "hashing")
    assert Q.weak_result([hit(bm25=None, cosine=0.1)], "hashing")
    assert not Q.weak_result([hit(bm25=None, cosine=0.95)], "e5-small")
    h = hit(bm25=5.0)
    h.strength, h.weak = 0.1, True                   # a calibrated verdict from the search API wins
    assert Q.weak_result([h], "hashing")


def test_municipality_address_in_any_case_or_ascii_spelling(client):
    """/municipality/aarhus (typed by hand) finds Aarhus, as `-m aarhus` does on the CLI."""
    data = client.get("/api/municipality/aarhus").json()
    assert data["municipality"] == "Aarhus"
    r = client.get("/municipality/AARHUS")
    assert r.status_code == 200 and "Aarhus" in r.text
    assert client.get("/api/municipality/Aarhusx").status_code == 404


def test_genre_and_kind_options_are_labelled_in_the_page_language(client):
    """Policy staff read Danish: the filters show 'Brødtekst', not the slug 'content'."""
    import re as _re

    for lang, content in (("da", "Brødtekst"), ("en", "Body text")):
        html = client.get("/", params={"lang": lang}).text
        options = dict(_re.findall(r'<option value="([a-z]+)"[^>]*>([^<]+)</option>', html))
        assert options.get("content") == content, options
        genres = [g for g in ("strategy", "minutes", "news", "other") if g in options]
        assert genres and all(options[g] != g for g in genres), options
