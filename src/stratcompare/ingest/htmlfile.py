"""HTML pages: keep the main text, drop navigation, scripts, headers and footers."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from stratcompare.ingest.extracted import ExtractedDocument, Page
from stratcompare.ingest.textfile import decode_bytes

_SKIP = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg",
         "button", "template", "iframe", "select"}
_BLOCK = {"p", "div", "section", "article", "main", "li", "ul", "ol", "br", "tr", "table",
          "blockquote", "figcaption", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source",
         "track", "wbr"}


class _MainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.headings: list[str] = []
        self.title = ""
        self._buf: list[str] = []
        self._skip_depth = 0
        self._in_title = False
        self._heading: str | None = None
        self._bullet = False

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            if tag in ("br", "hr") and not self._skip_depth:
                self._flush()
            return
        if self._skip_depth or tag in _SKIP or _hidden(attrs):
            self._skip_depth += 1
            return
        if tag == "title":
            self._in_title = True
        if tag in _BLOCK:
            self._flush()
        if tag in _HEADINGS:
            self._heading = tag
        if tag == "li":
            self._bullet = True

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if self._skip_depth:
            self._skip_depth -= 1
            return
        if tag == "title":
            self._in_title = False
        if tag in _BLOCK:
            is_heading = tag in _HEADINGS
            text = self._flush()
            if is_heading and text:
                self.headings.append(text)
            if is_heading:
                self._heading = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
            return
        if not self._skip_depth:
            self._buf.append(data)

    def _flush(self) -> str:
        text = " ".join("".join(self._buf).split())
        self._buf = []
        if text:
            if self._bullet and not self._heading:
                text = "- " + text
            self.blocks.append(text)
        self._bullet = False
        return text


def _hidden(attrs) -> bool:
    d = dict(attrs)
    return "hidden" in d or d.get("aria-hidden") == "true" or "display:none" in (d.get("style") or "").replace(" ", "")


def read_html(path: Path, data: bytes) -> ExtractedDocument:
    parser = _MainText()
    parser.feed(decode_bytes(data, path))
    parser.close()
    parser._flush()
    text = "\n\n".join(parser.blocks)
    title = " ".join(parser.title.split()) or (parser.headings[0] if parser.headings else None)
    page = Page(number=1, raw_text=text, text=text, method="text",
                status="ok" if text else "missing_text", headings=parser.headings)
    warnings = [] if text else ["no text found in the HTML body"]
    return ExtractedDocument(path=str(path), kind="html", pages=[page], title=title,
                             warnings=warnings)
