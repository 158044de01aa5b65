"""Templates and labels: Jinja2 with autoescaping on, labels from i18n.toml (Danish, English)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
LANGS = ("da", "en")


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    data = tomllib.loads((HERE / "i18n.toml").read_text(encoding="utf-8"))
    da = data["da"]
    return {"da": da, "en": {**da, **data.get("en", {})}}


def language(request: Request) -> str:
    """?lang= wins (and is kept in links), then the cookie, then Danish."""
    q = request.query_params.get("lang")
    if q in LANGS:
        return q
    c = request.cookies.get("sc_lang")
    return c if c in LANGS else "da"


@lru_cache(maxsize=1)
def env() -> Environment:
    e = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                    autoescape=select_autoescape(["html", "svg"], default=True),
                    trim_blocks=True, lstrip_blocks=True)
    e.filters["seg"] = lambda v: quote(str(v), safe="")
    e.filters["pct"] = pass_context(
        lambda ctx, v: "–" if v is None else _decimal(ctx, f"{100 * float(v):.1f}") + " %")
    e.filters["num"] = pass_context(lambda ctx, v, d=2: "–" if v is None else _decimal(ctx, f"{float(v):.{d}f}"))
    e.filters["mname"] = pass_context(_municipality_name)
    return e


def _municipality_name(ctx, name) -> str:
    """A municipality as a reader sees it: the placeholder for documents whose municipality was
    not recognised ("(unknown)") in the page's language."""
    from stratcompare.compare.names import UNKNOWN

    if not name or name == UNKNOWN:
        return labels()[ctx.get("lang") if ctx.get("lang") in LANGS else "da"]["unknown_municipality"]
    return name


def _decimal(ctx, text: str) -> str:
    """A number as the page's language writes it: 16,7 on a Danish page, 16.7 on an English one."""
    return text.replace(".", ",") if ctx.get("lang", "da") == "da" else text


def _url_builder(request: Request):
    lang = request.query_params.get("lang")

    def url(path: str, **params) -> str:
        q = {k: v for k, v in params.items() if v not in (None, "")}
        if lang in LANGS and "lang" not in q:
            q["lang"] = lang
        return path + ("?" + urlencode(q) if q else "")
    return url


def here_with(request: Request, **changes) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    q = dict(request.query_params)
    q.pop("token", None)
    for k, v in changes.items():
        if v is None:
            q.pop(k, None)
        else:
            q[k] = v
    return request.url.path + ("?" + urlencode(q) if q else "")


def render(request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
    lang = language(request)
    t = labels()[lang]
    st = getattr(request.app.state, "web", None)
    ts = None
    if st is not None:
        try:
            from stratcompare.web.views import themes
            ts = themes(st)
        except Exception:  # an error page must render even when the database cannot be read
            ts = None

    def theme_label(theme_id: str) -> str:
        if ts is None:
            return theme_id
        return (ts.labels_en if lang == "en" else ts.labels).get(theme_id) or theme_id

    html = env().get_template(template).render(
        t=t, lang=lang, url=_url_builder(request), theme_label=theme_label,
        here_with=lambda **kw: here_with(request, **kw), path=request.url.path,
        other_lang="en" if lang == "da" else "da", **ctx)
    resp = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS and request.cookies.get("sc_lang") != lang:
        resp.set_cookie("sc_lang", lang, max_age=365 * 86400, samesite="strict", httponly=True)
    return resp
