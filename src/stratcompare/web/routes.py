"""The pages (server-rendered HTML) and the JSON API under /api/ that mirrors them.

Handlers are plain functions (Starlette runs them in its thread pool): each checks its
parameters, asks ``views`` for the data and renders it.  Errors are raised and turned into
400/404 answers by the app's handlers.
"""

from __future__ import annotations

import csv
import io
import math
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from stratcompare.compare.export import csv_safe
from stratcompare.errors import NotFoundError
from stratcompare.web import queries as Q
from stratcompare.web import views as V
from stratcompare.web.params import MAX_QUERY, MAX_RESULTS, BadParameter, Params, check_id
from stratcompare.web.render import STATIC_DIR, render


def _st(request: Request) -> V.WebState:
    return request.app.state.web


def _id(request: Request, name: str) -> str:
    try:
        return check_id(request.path_params[name])
    except LookupError:
        raise NotFoundError(f"no {name.replace('_id', '')} with that id") from None


def _fresh(request: Request) -> bool:
    """``Cache-Control: no-cache`` on the request: compute the answer anew."""
    return "no-cache" in request.headers.get("cache-control", "").lower()


def _lang_params(request: Request) -> dict:
    lang = request.query_params.get("lang")
    return {"lang": lang} if lang in ("da", "en") else {}


# --- pages ----------------------------------------------------------------------------------
def _without_empty(request: Request) -> Response | None:
    """The search form sends every filter, also the unused ones (``theme=&genre=&…``): answer
    with the same address without them, so the address a person copies and shares is short."""
    items = request.query_params.multi_items()
    if not any(v.strip() == "" for _, v in items):
        return None
    kept = [(k, v) for k, v in items if v.strip() != ""]
    return RedirectResponse(request.url.path + ("?" + urlencode(kept) if kept else ""), status_code=303)


def search_page(request: Request):
    redirect = _without_empty(request)
    if redirect is not None:
        return redirect
    st = _st(request)
    flt = V.search_filters(st, Params(request.query_params))
    data = V.search_view(st, flt, fresh=_fresh(request))
    ts = V.themes(st)
    return render(request, "search.html", data=data, flt=flt, municipalities=V.municipalities(st),
                  theme_ids=ts.ids, genres=Q.GENRES, kinds=Q.KINDS,
                  genres_present=V.genres_present(st), kinds_present=V.kinds_present(st),
                  max_query=MAX_QUERY, max_results=MAX_RESULTS, has_themes=ts.has_labels,
                  csv_url=url("/search.csv", **{k: v for k, v in request.query_params.items() if k != "token"}),
                  xlsx_url=url("/search.xlsx", **{k: v for k, v in request.query_params.items() if k != "token"}))


SEARCH_COLUMNS = ["rank", "municipality", "document", "year", "page", "section", "themes", "score", "passage_id",
                  "document_id", "text"]


def search_xlsx(request: Request):
    """The search results as an Excel workbook: Danish Excel opens a comma-separated UTF-8 file
    in one column and with broken æøå, so staff get a file that opens as it should."""
    from stratcompare.compare.export import write_xlsx

    st = _st(request)
    flt = V.search_filters(st, Params(request.query_params))
    if not flt.q:
        raise BadParameter("q is missing: give words to search for", key="q_missing")
    data = V.search_view(st, flt, fresh=_fresh(request))
    # a workbook is read by people: headings and theme names in the page's language
    from stratcompare.web.render import labels, language

    t = labels()[language(request)]
    ts = V.themes(st)
    names = ts.labels_en if language(request) == "en" else ts.labels
    heads = {c: t.get("xlsx_" + c, c) for c in SEARCH_COLUMNS}
    cols = [heads[c] for c in SEARCH_COLUMNS]
    records = [{heads[c]: ("; ".join(names.get(x, x) for x in h[c]) if c == "themes" else h.get(c))
                for c in SEARCH_COLUMNS} for h in data["hits"]]
    out = io.BytesIO()
    write_xlsx(out, [(t.get("xlsx_sheet", "search"), cols, records)], heat=False)
    return Response(out.getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="stratcompare-search.xlsx"'})


def search_csv(request: Request):
    st = _st(request)
    flt = V.search_filters(st, Params(request.query_params))
    if not flt.q:
        raise BadParameter("q is missing: give words to search for", key="q_missing")
    data = V.search_view(st, flt, fresh=_fresh(request))
    cols = SEARCH_COLUMNS
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(cols)
    for h in data["hits"]:
        w.writerow([csv_safe(";".join(h[c]) if c == "themes" else h.get(c)) for c in cols])
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="stratcompare-search.csv"'})


def passage_page(request: Request):
    data = V.passage_view(_st(request), _id(request, "passage_id"), fresh=_fresh(request))
    return render(request, "passage.html", p=data)


def document_page(request: Request):
    data = V.document_view(_st(request), _id(request, "document_id"))
    return render(request, "document.html", d=data)


def document_source(request: Request):
    """The stored source file, found by document id only (never a path from the request)."""
    doc_id = _id(request, "document_id")
    conn = _st(request).conns.get()
    path = Q.source_file(conn, doc_id)
    if path is None:
        raise NotFoundError("no stored source file for this document")
    media = Q.SOURCE_TYPES[path.suffix.lower()]
    headers = {"X-Content-Type-Options": "nosniff"}
    if media != "application/pdf":
        # shown as text; and should a browser ever render it, a sandbox with nothing allowed
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    resp = FileResponse(path, media_type=media, headers=headers,
                        content_disposition_type="inline", filename=path.name)
    resp.headers["X-Web-Source"] = "1"   # tells the security middleware to keep these headers
    return resp


def municipality_page(request: Request):
    data = V.municipality_view(_st(request), request.path_params["name"])
    return render(request, "municipality.html", m=data, chart=profile_chart(data["profile"]),
                  chart_narrow=profile_chart_narrow(data["profile"]))


def themes_page(request: Request):
    st = _st(request)
    ts = V.themes(st)
    items = []
    for t in ts.ids:
        cb = Q.codebook_theme(t)
        items.append({"theme": t, "definition": getattr(cb, "definition", None)})
    return render(request, "themes.html", items=items)


def theme_page(request: Request):
    data = V.theme_view(_st(request), request.path_params["theme"])
    return render(request, "theme.html", th=data)


def compare_page(request: Request):
    st = _st(request)
    p = Params(request.query_params)
    mp = V.matrix_params(p)
    cell = p.text("cell", 400)
    data = V.matrix_view(st, mp)
    cell_data = V.cell_view(st, mp, cell) if cell else None
    return render(request, "compare.html", mx=data, mp=mp, cell=cell_data, cell_key=cell,
                  has_embeddings=V.has_embeddings(st))


def compare_download(request: Request):
    st = _st(request)
    mp = V.matrix_params(Params(request.query_params))
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "xlsx"):
        raise NotFoundError("downloads are compare.csv and compare.xlsx")
    data = V.matrix_view(st, mp)
    cols = [data["row_name"], *data["cols"]]
    name = f"stratcompare-{mp['matrix']}"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols)
        w.writeheader()
        w.writerows({k: csv_safe(v) for k, v in r.items()} for r in data["records"])
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    from stratcompare.compare.export import write_xlsx
    from stratcompare.web.render import labels, language

    # a workbook is read by people: theme names and headings in the page's language
    t = labels()[language(request)]
    ts = V.themes(st)
    names = ts.labels_en if language(request) == "en" else ts.labels
    themed = data["kind"] in ("themes", "cooccurrence")
    col_name = {c: (names.get(c, c) if themed else c) for c in data["cols"]}
    row_head = t.get("xlsx_" + data["row_name"], data["row_name"])
    records = []
    for r in data["records"]:
        rec = {col_name[c]: r.get(c) for c in data["cols"]}
        first = r.get(data["row_name"])
        rec[row_head] = names.get(first, first) if data["kind"] == "cooccurrence" else first
        records.append(rec)
    out = io.BytesIO()
    sheet = t.get(f"matrix_{mp['matrix']}", mp["matrix"]).replace(":", " ")
    write_xlsx(out, [(sheet, [row_head, *(col_name[c] for c in data["cols"])], records)])
    return Response(out.getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


def set_lang(request: Request):
    """Kept for links from older pages: /lang/en?next=/... sets the cookie and goes back."""
    lang = request.path_params["lang"]
    if lang not in ("da", "en"):
        raise NotFoundError("no such language")
    nxt = request.query_params.get("next") or "/"
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = "/"
    resp = RedirectResponse(nxt, status_code=303)
    resp.set_cookie("sc_lang", lang, max_age=365 * 86400, samesite="strict", httponly=True)
    return resp


# --- the theme-profile chart (inline SVG, drawn on the server) ------------------------------
def profile_chart(profile: list[dict], width: int = 780, bar: int = 9, gap: int = 10) -> dict:
    """Geometry of a grouped horizontal bar chart: municipality vs corpus average per theme."""
    label_w = 330
    top = max([x["share"] for x in profile] + [x["average"] for x in profile] + [1e-9])
    scale = (width - label_w - 60) / top
    rows = []
    y = 4
    for x in profile:
        rows.append({"theme": x["theme"], "y": y, "w_m": max(0.0, x["share"] * scale),
                     "w_a": max(0.0, x["average"] * scale), "share": x["share"], "average": x["average"]})
        y += 2 * bar + gap
    return {"rows": rows, "width": width, "height": y + 4, "label_w": label_w, "bar": bar}


def profile_chart_narrow(profile: list[dict], width: int = 340, bar: int = 9, gap: int = 12) -> dict:
    """The same chart for a phone-wide window: each theme's name above its two bars (beside
    them, the names took 330 of 780 pixels and the bars ran off a 375-pixel screen)."""
    label_h = 16
    top = max([x["share"] for x in profile] + [x["average"] for x in profile] + [1e-9])
    scale = (width - 60) / top
    rows = []
    y = 2
    for x in profile:
        rows.append({"theme": x["theme"], "y_label": y + label_h - 4, "y": y + label_h,
                     "w_m": max(0.0, x["share"] * scale), "w_a": max(0.0, x["average"] * scale),
                     "share": x["share"], "average": x["average"]})
        y += label_h + 2 * bar + gap
    return {"rows": rows, "width": width, "height": y + 2, "bar": bar}


# --- JSON API -------------------------------------------------------------------------------
def _json(data, status: int = 200) -> JSONResponse:
    return JSONResponse(_clean(data), status_code=status)


def _clean(x):
    """Plain JSON: numpy numbers to Python, NaN to null."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def api_search(request: Request):
    st = _st(request)
    flt = V.search_filters(st, Params(request.query_params))
    if not flt.q:
        raise BadParameter("q is missing: give words to search for", key="q_missing")
    data = dict(V.search_view(st, flt, fresh=_fresh(request)))          # cached: copy, never change in place
    data["hits"] = [{k: v for k, v in h.items() if k != "marked"} for h in data["hits"]]
    return _json(data)


def api_passage(request: Request):
    return _json(V.passage_view(_st(request), _id(request, "passage_id"), fresh=_fresh(request)))


def api_document(request: Request):
    d = dict(V.document_view(_st(request), _id(request, "document_id")))
    d.pop("path", None)   # the server's file system is not the caller's business
    d.pop("source_key", None)
    return _json(d)


def api_municipality(request: Request):
    return _json(V.municipality_view(_st(request), request.path_params["name"]))


def api_theme(request: Request):
    return _json(V.theme_view(_st(request), request.path_params["theme"]))


def api_matrix(request: Request):
    return _json(V.matrix_view(_st(request), V.matrix_params(Params(request.query_params))))


def api_cell(request: Request):
    p = Params(request.query_params)
    mp = V.matrix_params(p)
    cell = p.text("cell", 400)
    if not cell:
        raise BadParameter("cell is missing: give ROW:COLUMN, e.g. Køge:housing_first", key="cell_format")
    return _json(V.cell_view(_st(request), mp, cell))


def api_index(request: Request):
    """What the API offers (so a caller can discover it)."""
    return _json({"endpoints": {
        "/api/search?q=…&municipality=&theme=&genre=&kind=&year_from=&year_to=&n=": f"search (q ≤ {MAX_QUERY} characters, n ≤ {MAX_RESULTS})",
        "/api/passage/{id}": "a passage with context, corrections, themes, similar passages",
        "/api/document/{id}": "a document with its passages by page and section",
        "/api/municipality/{name}": "theme profile, documents, similar municipalities, strongest passages",
        "/api/theme/{id}": "codebook entry, municipalities by share, examples, reliability",
        "/api/matrix?matrix=themes|similarity|cooccurrence&normalise=&basis=": "a comparison matrix",
        "/api/cell?matrix=…&cell=ROW:COLUMN": "the passages behind one cell",
    }})


def url(path: str, **params) -> str:
    """A link with its query string (None and empty values left out)."""
    q = {k: v for k, v in params.items() if v not in (None, "")}
    return path + ("?" + urlencode(q) if q else "")


def seg(value: str) -> str:
    """One path segment, quoted."""
    return quote(str(value), safe="")


ROUTES = [
    Route("/", search_page, name="search"),
    Route("/search.csv", search_csv),
    Route("/search.xlsx", search_xlsx),
    Route("/passage/{passage_id}", passage_page),
    Route("/document/{document_id}", document_page),
    Route("/document/{document_id}/source", document_source),
    Route("/municipality/{name}", municipality_page),
    Route("/themes", themes_page),
    Route("/theme/{theme}", theme_page),
    Route("/compare", compare_page),
    Route("/compare.{fmt:str}", compare_download),
    Route("/lang/{lang}", set_lang),
    Route("/favicon.ico", lambda request: RedirectResponse("/static/favicon.svg", status_code=301)),
    Route("/api/", api_index),
    Route("/api/search", api_search),
    Route("/api/passage/{passage_id}", api_passage),
    Route("/api/document/{document_id}", api_document),
    Route("/api/municipality/{name}", api_municipality),
    Route("/api/theme/{theme}", api_theme),
    Route("/api/matrix", api_matrix),
    Route("/api/cell", api_cell),
    Mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static"),
]
