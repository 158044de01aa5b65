"""Find the word tokens the repairer may touch; URLs, e-mails and numbers are left out.

Word tokens include the caseless glyphs an English OCR model puts where Danish letters were
(``@``, ``|``) and inner hyphens ("gen-nemsnitlig"); a trailing hyphen ("B@rne-") is
punctuation and stays outside the token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_W = r"(?:[^\W_]|[@|#])"
TOKEN_RE = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+)"
    r"|(?P<mail>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<word>" + _W + r"+(?:-" + _W + r"+)*)"
)
SENTENCE_END = set(".!?:;•*–—\"'”»([")


def iter_words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, token) for every word-like token, URLs and e-mail addresses skipped."""
    for m in TOKEN_RE.finditer(text):
        if m.lastgroup == "word":
            yield m.start(), m.end(), m.group()


def sentence_start(text: str, pos: int) -> bool:
    """True if the token at ``pos`` opens a sentence, a line item or the text."""
    i = pos - 1
    newlines = 0
    while i >= 0 and text[i].isspace():
        newlines += text[i] == "\n"
        i -= 1
    if i < 0 or newlines >= 2:
        return True
    ch = text[i]
    if ch in SENTENCE_END or ch == "-" and (i == 0 or text[i - 1].isspace()):
        return True
    return False


def case_pattern(token: str) -> str:
    """lower | title | upper | mixed | none, judged on cased letters only."""
    if token.islower():
        return "lower"
    if token[1:].islower() and token[0].isupper():
        return "title"
    return _case_pattern_slow(token)


def _case_pattern_slow(token: str) -> str:
    letters = [c for c in token if c.isalpha() and c.lower() != c.upper()]
    if not letters:
        return "none"
    if all(c.islower() for c in letters):
        return "lower"
    if all(c.isupper() for c in letters):
        return "upper" if len(letters) > 1 else "title"
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return "title"
    return "mixed"


def apply_case(word: str, pattern: str) -> str:
    """Give a lower-case ``word`` the case pattern of the token it replaces."""
    if pattern == "upper":
        return word.upper()
    if pattern == "title":
        return word[:1].upper() + word[1:]
    return word
