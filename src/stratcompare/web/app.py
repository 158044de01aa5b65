"""The ASGI application behind ``stratcompare serve``: state loaded once, security on every request.

- The database is opened read-only (one connection per worker thread).
- The embedding model is loaded once, here, not per request.
- With a token, every request (pages, API, static files) must carry it: ``?token=`` once (a
  cookie is set and the token dropped from the URL), the cookie, or ``Authorization: Bearer``.
- Every answer carries a Content-Security-Policy allowing only this app's own scripts/styles.
- Bad parameters are 400, unknown ids 404, anything else a plain 500 — never a traceback.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from stratcompare.errors import NotFoundError, StratcompareError, UsageError
from stratcompare.web import queries as Q
from stratcompare.web.params import BadParameter
from stratcompare.web.render import render
from stratcompare.web.views import WebState

log = logging.getLogger("stratcompare.web")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
TOKEN_COOKIE = "sc_token"


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SecurityMiddleware:
    """Token check and security headers, as plain ASGI (no per-request task overhead)."""

    def __init__(self, app, token: str | None = None):
        self.app = app
        self.token = token

    def _authorised(self, request: Request) -> bool:
        if not self.token:
            return True
        given = [request.cookies.get(TOKEN_COOKIE, "")]
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given.append(auth[7:].strip())
        return any(g and hmac.compare_digest(g.encode(), self.token.encode()) for g in given)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        if self.token:
            qtok = request.query_params.get("token")
            if qtok is not None:
                if hmac.compare_digest(qtok.encode(), self.token.encode()):
                    # remember it in a cookie and take it out of the (shareable) URL
                    q = {k: v for k, v in request.query_params.multi_items() if k != "token"}
                    target = request.url.path + ("?" + urlencode(q) if q else "")
                    resp = RedirectResponse(target, status_code=303)
                    resp.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
                    return await self._send(resp, scope, receive, send)
                return await self._send(self._deny(request), scope, receive, send)
            if not self._authorised(request):
                return await self._send(self._deny(request), scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-web-source"]
                source = any(k.lower() == b"x-web-source" for k, _ in message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                         (b"x-frame-options", b"DENY")]
                if not source and b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", CSP.encode()))
                if request.url.path.startswith("/api/") or not source:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers + [e for e in extra if e[0] not in names]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _send(self, resp: Response, scope, receive, send):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        await resp(scope, receive, send)

    @staticmethod
    def _deny(request: Request) -> Response:
        msg = "access needs a token: open the address with ?token=… once, or send Authorization: Bearer …"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": msg, "status": 401}, status_code=401)
        lang = request.query_params.get("lang") or request.cookies.get("sc_lang")
        if lang != "en":   # the pages are Danish unless the reader chose English
            msg = ("siden kræver en adgangsnøgle (token): åbn det link med ?token=…, du har fået af den, "
                   "der driver stratcompare, eller bed vedkommende om det. (English: " + msg + ")")
        return PlainTextResponse("401 " + msg, status_code=401)


# the parameter names a page's form calls by these labels (i18n.toml keys)
PARAM_LABELS = {"q": "param_q", "municipality": "filter_municipality", "theme": "filter_theme",
                "genre": "filter_genre", "kind": "filter_kind", "year_from": "filter_year_from",
                "year_to": "filter_year_to", "n": "param_n", "matrix": "matrix", "normalise": "normalise",
                "basis": "basis", "cell": "param_cell"}


def _document_exists(request: Request, doc_id: str) -> bool:
    try:
        conn = request.app.state.web.conns.get()
        return conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None
    except Exception:  # noqa: BLE001 - the error page must render anyway
        return False


def _not_found_key(request: Request) -> tuple[str, dict]:
    """Which thing was not found, from the address: the page says so in its own language."""
    parts = request.url.path.strip("/").split("/")
    pp = request.path_params
    if parts[0] == "passage" and "passage_id" in pp:
        return "no_passage", {"id": pp["passage_id"]}
    if parts[0] == "document" and "document_id" in pp:
        if parts[-1] == "source" and _document_exists(request, pp["document_id"]):
            return "no_source", {"id": pp["document_id"]}
        return "no_document", {"id": pp["document_id"]}
    if parts[0] == "municipality" and "name" in pp:
        return "no_municipality", {"name": pp["name"]}
    if parts[0] == "theme" and "theme" in pp:
        return "no_theme", {"theme": pp["theme"]}
    if parts[0] == "compare":
        return "no_cell", {"cell": request.query_params.get("cell", "")}
    return "no_page", {}


def _error(request: Request, status: int, message: str, *, key: str | None = None,
           values: dict | None = None, param: str | None = None) -> Response:
    """JSON (English) for the API and downloads; else a page in the page's language that says
    what was wrong and offers a next step (``key``: the ``err_<key>`` message in i18n.toml)."""
    download = request.url.path.endswith((".csv", ".xlsx"))
    if request.url.path.startswith("/api/") or (download and "text/html" not in request.headers.get("accept", "")):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    # a person who clicked a download link (a browser asks for text/html) gets words, not JSON
    if key is None and status == 404:
        key, values = _not_found_key(request)
    elif key is None and status >= 500:
        key = "internal" if status == 500 else "unavailable"
    shortened = None
    if key == "too_long" and param == "q":   # offer the same search with the words that fit
        shortened = request.query_params.get("q", "")[:(values or {}).get("max", 300)].rsplit(" ", 1)[0].strip()
    municipalities: list[str] = []
    if key == "no_municipality":
        try:
            from stratcompare.web.views import municipalities as all_municipalities
            municipalities = all_municipalities(request.app.state.web)
        except Exception:  # noqa: BLE001 - the error page must render anyway
            municipalities = []
    try:
        return render(request, "error.html", status=status, status_code=status, message=message,
                      err_key=key, err_values=values or {}, param=param,
                      param_label_key=PARAM_LABELS.get(param or "", ""), municipalities=municipalities,
                      shortened=shortened)
    except Exception:  # pragma: no cover - the error page itself failed
        return PlainTextResponse(f"{status} {message}", status_code=status)


async def _bad_parameter(request: Request, exc: Exception):
    return _error(request, 400, str(exc), key=getattr(exc, "key", None),
                  values=getattr(exc, "values", None), param=getattr(exc, "param", None))


async def _not_found(request: Request, exc: Exception):
    msg = exc.detail if isinstance(exc, StratcompareError) else "not found"
    return _error(request, 404, msg)


async def _http(request: Request, exc: HTTPException):
    return _error(request, exc.status_code, "not found" if exc.status_code == 404 else str(exc.detail),
                  key=None if exc.status_code in (404,) or exc.status_code >= 500 else "http")


async def _stratcompare(request: Request, exc: StratcompareError):
    if isinstance(exc, UsageError):
        return _error(request, 400, exc.detail, key="usage", values={"detail": exc.detail})
    return _error(request, 503, exc.detail, key="unavailable")


async def _server_error(request: Request, exc: Exception):
    log.exception("error answering %s", request.url.path)
    return _error(request, 500, "internal error (the server log has the details)")


def default_model(conn, model: str | None) -> str | None:
    """``--model`` / STRATCOMPARE_MODEL, else the model with the most stored vectors, else e5."""
    import os

    if model:
        return model
    if os.environ.get("STRATCOMPARE_MODEL"):
        return os.environ["STRATCOMPARE_MODEL"]
    from stratcompare.compare.embeddings import stored_models

    models = stored_models(conn)
    return models[0] if models else None


def _warm_up(state: WebState, say: Callable[[str], None]) -> None:
    """One search before the first visitor: loads the lemmatiser, the vector matrix and the
    matrices' caches now (the first search otherwise takes seconds)."""
    from stratcompare.web import views as V

    t0 = time.perf_counter()
    say("Warming up the search index …")
    try:
        V.search_view(state, Q.SearchFilters(q="bolig og indsats", n=1))
        for kind, basis in (("themes", "themes"), ("cooccurrence", "themes"), ("similarity", "themes"),
                            ("similarity", "embeddings")):
            if basis == "embeddings" and not V.has_embeddings(state):
                continue
            V.matrix_cached(state, kind, basis=basis)
    except Exception as exc:  # noqa: BLE001 - an empty or odd corpus still serves its pages
        say(f"(warm-up skipped: {exc})")
    say(f"Search ready in {time.perf_counter() - t0:.1f} s.")


def _say_if_stale(state: WebState, say: Callable[[str], None], db) -> None:
    """The server never writes: an index behind the passages is served as it is, said once here
    (and on every search page) with the command that brings it up to date."""
    from stratcompare.web import views as V

    try:
        status = V.index_status(state)
    except Exception:  # noqa: BLE001 - an odd corpus still serves its pages
        return
    if not status.current:
        model = f" --model {state.model_id}" if state.model_id else ""
        if status.embeddings_current and state.model_id and state.mode != "lexical":
            say(f"The word index is not built: searches find passages by meaning only (no word matches) "
                f"until `stratcompare embed --db {db}{model}` is run where the database is writable.")
        else:
            say(f"The search index is behind the passages: new passages are missing from searches "
                f"until `stratcompare embed --db {db}{model}` is run where the database is writable.")


def create_app(db: str | Path, *, token: str | None = None, model: str | None = None,
               mode: str = "hybrid", progress: Callable[[str], None] | None = None,
               allowed_hosts: list[str] | None = None) -> Starlette:
    """The web application over the corpus ``db`` (opened read-only); loads the model now.

    ``allowed_hosts``: answer only requests whose Host header is one of these (``serve`` sets
    the loopback names when there is no token, so a web page elsewhere cannot reach the app
    through a DNS name that points at 127.0.0.1)."""
    from stratcompare.web.routes import ROUTES

    say = progress or (lambda msg: None)
    if mode not in ("hybrid", "dense", "lexical"):
        raise UsageError(f"unknown search mode {mode!r}", hint="use hybrid, dense or lexical")
    conns = Q.Connections(db)
    if conns.note:
        say(conns.note)
    state = WebState(conns=conns, cache=Q.Cache(conns), encoder=None, model_id=None, mode=mode, token=token,
                     results=Q.Cache(conns, size=512))
    if mode != "lexical":
        from stratcompare.embed import get_encoder

        name = default_model(conns.get(), model)
        t0 = time.perf_counter()
        say(f"Loading the embedding model {name or 'e5-small'} …")
        enc = get_encoder(name)
        enc.encode_queries(["opvarmning"])   # load the weights now, not on the first request
        from stratcompare.search.api import embedded_key

        state.encoder, state.model_id = Q.QueryVectors(enc), enc.model_id
        state.index_key = embedded_key(enc)
        say(f"Model {enc.model_id} ready in {time.perf_counter() - t0:.1f} s.")
        n = conns.get().execute("SELECT count(*) FROM embeddings WHERE model = ?", (enc.model_id,)).fetchone()[0]
        if n == 0:
            state.notes.append(f"no stored embeddings for {enc.model_id}: run `stratcompare embed --model {enc.model_id}`")
    _warm_up(state, say)
    _say_if_stale(state, say, db)
    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(SecurityMiddleware, token=token)]
        + ([Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts, www_redirect=False)]
           if allowed_hosts else []),
        exception_handlers={
            BadParameter: _bad_parameter,
            NotFoundError: _not_found,
            StratcompareError: _stratcompare,
            HTTPException: _http,
            Exception: _server_error,
        },
    )
    app.state.web = state
    return app
