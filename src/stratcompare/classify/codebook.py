"""The theme codebook: a TOML data file validated into typed objects.

Researchers bring their own codebooks, so every problem is reported as one line naming the file
and the offending key instead of a traceback deep inside the classifier.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from stratcompare.config import data_path
from stratcompare.errors import CodebookError

MAX_CODEBOOK_BYTES = 5_000_000  # the shipped codebook is ~30 kB
TOP_KEYS = {"id", "version", "language", "title", "description", "themes"}
TOP_REQUIRED = ("id", "version", "language", "themes")
THEME_KEYS = {"id", "label_da", "label_en", "definition", "include", "exclude", "terms", "examples"}
THEME_REQUIRED = ("id", "label_da", "definition")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# A term: words of letters/digits with inner spaces, hyphens, §, commas, periods, apostrophes;
# an optional "*" at either end.  Nothing else (no regex syntax leaks into user codebooks).
TERM_RE = re.compile(r"^\*?[\w§](?:[\w§ ,.'’\-]*[\w§.])?\*?$")


def _term_pattern(term: str) -> str:
    """Regex for one term: word-bounded, "*" = more word characters, spaces = any whitespace."""
    lead = term.startswith("*")
    trail = term.endswith("*") and len(term) > 1
    core = term.strip("*")
    parts = [re.escape(p) for p in core.split()]
    body = r"\s+".join(parts)
    # "-" inside words may also appear as a line-break hyphen remnant; keep it literal.
    start = r"\w*" if lead else r"(?<![\w§])"
    end = r"\w*" if trail else r"(?!\w)"
    return start + body + end


@dataclass(frozen=True)
class Theme:
    id: str
    label_da: str
    definition: str
    label_en: str = ""
    include: str = ""
    exclude: str = ""
    terms: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    @cached_property
    def _term_regexes(self) -> list[tuple[str, re.Pattern]]:
        return [(t, re.compile(_term_pattern(t), re.IGNORECASE)) for t in self.terms]

    def match_terms(self, text: str) -> list[str]:
        """Terms (as written in the codebook) that occur in ``text``."""
        return [t for t, rx in self._term_regexes if rx.search(text)]

    def prototype_texts(self) -> list[str]:
        """Texts whose embeddings describe the theme for zero-shot scoring."""
        head = f"{self.label_da}. {self.definition}"
        texts = [head]
        if self.include:
            texts.append(self.include)
        if self.terms:
            texts.append(", ".join(t.strip("*") for t in self.terms))
        texts.extend(self.examples)
        return texts


@dataclass(frozen=True)
class Codebook:
    id: str
    version: str
    language: str
    themes: tuple[Theme, ...]
    title: str = ""
    path: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """``<id>@<version>``, the value stored in ``passage_themes.codebook``."""
        return f"{self.id}@{self.version}"

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def theme(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise CodebookError(f"unknown theme {theme_id!r}", path=self.path)

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Codebook":
        """Read and validate a codebook TOML file (default: the packaged codebook v1)."""
        p = Path(path) if path is not None else data_path("codebook.toml")
        try:
            with open(p, "rb") as fh:  # capped: `--codebook /dev/zero` must not eat the memory
                raw = fh.read(MAX_CODEBOOK_BYTES + 1)
        except OSError as exc:
            raise CodebookError(f"cannot read codebook ({exc.strerror or exc})", path=p) from None
        if len(raw) > MAX_CODEBOOK_BYTES:
            raise CodebookError(f"codebook is too large (over {MAX_CODEBOOK_BYTES // 1_000_000} MB)", path=p,
                                hint="a codebook is a small TOML file; check the path") from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise CodebookError("codebook is not UTF-8 text", path=p) from None
        except tomllib.TOMLDecodeError as exc:
            raise CodebookError(f"invalid TOML: {exc}", path=p) from None
        except RecursionError:
            raise CodebookError("invalid TOML: arrays or tables nested too deeply", path=p) from None
        return cls.from_dict(data, path=p)

    @classmethod
    def from_dict(cls, data: dict, path: str | Path | None = None) -> "Codebook":
        """Validate a parsed codebook; every error names the key."""
        def err(msg: str) -> CodebookError:
            return CodebookError(msg, path=path)

        unknown = sorted(set(data) - TOP_KEYS)
        if unknown:
            raise err(f"unknown key {unknown[0]!r} at top level (allowed: {', '.join(sorted(TOP_KEYS))})")
        for k in TOP_REQUIRED:
            if k not in data:
                raise err(f"missing required key {k!r} at top level")
        for k in ("id", "version", "language", "title"):
            if k in data and (not isinstance(data[k], str) or not data[k].strip()):
                raise err(f"top-level key {k!r} must be a non-empty string")
        themes_raw = data["themes"]
        if not isinstance(themes_raw, list) or not themes_raw:
            raise err("'themes' must be a non-empty array of tables ([[themes]])")
        themes: list[Theme] = []
        seen: set[str] = set()
        for i, t in enumerate(themes_raw):
            where = f"themes[{i}]"
            if not isinstance(t, dict):
                raise err(f"{where} must be a table")
            tid = t.get("id")
            if isinstance(tid, str):
                where = f"themes[{i}] ({tid})"
            unknown = sorted(set(t) - THEME_KEYS)
            if unknown:
                raise err(f"unknown key {unknown[0]!r} in {where} (allowed: {', '.join(sorted(THEME_KEYS))})")
            for k in THEME_REQUIRED:
                if k not in t:
                    raise err(f"missing required key {k!r} in {where}")
            for k in ("id", "label_da", "label_en", "definition", "include", "exclude"):
                if k in t and not isinstance(t[k], str):
                    raise err(f"{where}.{k} must be a string")
            if not ID_RE.match(tid):
                raise err(f"{where}.id {tid!r} must be lowercase letters, digits and _ (e.g. housing_first)")
            if tid in seen:
                raise err(f"duplicate theme id {tid!r} in {where}")
            seen.add(tid)
            for k in ("label_da", "definition"):
                if not t[k].strip():
                    raise err(f"empty {k!r} in {where}")
            lists: dict[str, tuple[str, ...]] = {}
            for k in ("terms", "examples"):
                v = t.get(k, [])
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    raise err(f"{where}.{k} must be an array of strings")
                if any(not x.strip() for x in v):
                    raise err(f"empty string in {where}.{k}")
                lists[k] = tuple(x.strip() for x in v)
            terms = []
            for term in lists["terms"]:
                low = term.lower()
                if not TERM_RE.match(low) or "**" in low or low.strip("*") == "":
                    raise err(
                        f"bad term {term!r} in {where}.terms: use words with an optional '*' "
                        "at the start or end only (e.g. \"hjemløs*\")"
                    )
                terms.append(low)
            themes.append(Theme(
                id=tid, label_da=t["label_da"].strip(), definition=t["definition"].strip(),
                label_en=t.get("label_en", "").strip(), include=t.get("include", "").strip(),
                exclude=t.get("exclude", "").strip(), terms=tuple(terms),
                examples=lists["examples"],
            ))
        return cls(
            id=data["id"].strip(), version=str(data["version"]).strip(),
            language=data["language"].strip(), themes=tuple(themes),
            title=data.get("title", "").strip(), path=str(path) if path is not None else None,
        )
