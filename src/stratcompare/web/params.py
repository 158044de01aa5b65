"""Request parameters, checked: a bad value is a 400 with a message that says what is allowed."""

from __future__ import annotations

MAX_QUERY = 300       # characters in a search query
MAX_RESULTS = 100     # hits per search page / API call
MAX_ID = 200          # characters in a passage / document id
YEAR_RANGE = (1900, 2100)


class BadParameter(ValueError):
    """A request parameter that cannot be used (answered with 400 and this message).

    ``key`` names the message in i18n.toml (``err_<key>``, filled in with ``values``) so a page
    says it in its own language; ``param`` is the parameter at fault (the error page offers the
    same address without it).  ``str(exc)`` stays the English message the JSON API returns."""

    def __init__(self, message: str, *, key: str | None = None, param: str | None = None, **values):
        super().__init__(message)
        self.key, self.param, self.values = key, param, values


class Params:
    """Typed access to a request's query string."""

    def __init__(self, query_params):
        self.qp = query_params

    def text(self, name: str, max_len: int = 200, default: str | None = None) -> str | None:
        values = self.qp.getlist(name)
        if len(values) > 1:
            raise BadParameter(f"{name} is given {len(values)} times; give it once",
                               key="repeated", param=name, count=len(values))
        v = values[0].strip() if values else ""
        if len(v) > max_len:
            raise BadParameter(f"{name} is too long ({len(v)} characters; at most {max_len})",
                               key="too_long", param=name, length=len(v), max=max_len)
        if any(ord(c) < 32 and c not in "\t\n\r" for c in v):
            raise BadParameter(f"{name} contains control characters", key="control", param=name)
        return v or default

    def integer(self, name: str, lo: int, hi: int, default: int | None = None) -> int | None:
        v = self.text(name, 12)
        if v is None:
            return default
        try:
            n = int(v)
        except ValueError:
            raise BadParameter(f"{name} must be a whole number, not {v[:20]!r}",
                               key="integer", param=name, value=v[:20]) from None
        if not lo <= n <= hi:
            raise BadParameter(f"{name} must be between {lo} and {hi}",
                               key="range", param=name, value=n, lo=lo, hi=hi)
        return n

    def choice(self, name: str, options, default: str | None = None) -> str | None:
        v = self.text(name, 200)
        if v is None:
            return default
        if v not in options:
            shown = ", ".join(list(options)[:30])
            raise BadParameter(f"unknown {name} {v[:60]!r}; use one of: {shown}",
                               key="choice", param=name, value=v[:60])
        return v


def check_id(value: str) -> str:
    """Ids come from the path; anything too long or with control characters is not one."""
    if not value or len(value) > MAX_ID or any(ord(c) < 32 for c in value) or "/" in value:
        raise LookupError(value)
    return value
