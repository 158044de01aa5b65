"""Noisy-channel repair of Danish OCR text: precision first, whitespace kept byte for byte.

For each word token:
  * a known word stays, unless the real-word table says it is nearly always a misreading
    ("pa" -> "på") and the previous word does not license it;
  * an unknown token gets candidates from the inverse confusion rules (channel.py); a candidate
    must be a lexicon word or a valid compound; score = Zipf(candidate) - channel cost;
  * an unknown token that is itself a valid compound is only replaced by a cheap candidate
    that beats the token's own compound score; capitalised mid-sentence tokens (proper
    nouns) only by a known word or a cheap fix of a long compound;
  * a token with no candidate may be two words run together ("Deter" -> "Det er");
  * hyphenation remnants inside a line are joined ("gen-nemsnitlig" -> "gennemsnitlig"), a
    hyphen between two valid words is meant and stays ("by-rådet", "mål-sti");
  * in text an English OCR model produced (hardly any æ/ø/å, see ``ocr_like``) a valid word
    may still be a misreading ("far" for "får"): the bigram context decides, only where its
    evidence is strong;
  * list bullets read as "*", "+" or "e" at the start of a line are restored to "•".

Every change is checked to be a fixed point (the replacement would not be changed again), so
repairing repaired text changes nothing.  Text that already carries Danish letters at the
normal rate is treated as clean: only glyph damage and strong non-word fixes apply there.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass

from stratcompare.repair import channel
from stratcompare.repair.context import Bigrams
from stratcompare.repair.lexicon import Lexicon
from stratcompare.repair.tokens import apply_case, case_pattern, iter_words, sentence_start
from stratcompare.repair.types import Correction, RepairResult

GLYPHS = set("@|0#4")
MIN_SCORE = -2.0          # Zipf - cost a replacement of a non-word must reach
COMPOUND_MAX_COST = 3.0       # a token that is a valid compound: candidates this cheap only
COMPOUND_MARGIN = 0.5         # ... and one must beat the token's own compound score by this
DIRECT_MARGIN = 0.0           # ... a listed (not merely compound) word need only tie it
COMPOUND_CAND_MAX_COST = 3.6  # candidates known only as compounds: at most this channel cost
PROPER_MIN_SCORE = 0.5    # capitalised mid-sentence tokens need a convincing candidate
SPLIT_MIN_ZIPF = 3.0
WEAK_MAX_ZIPF = 3.0       # wordfreq-only words rarer than this may still be damage
MAX_TOKEN = 40            # longer tokens are not words (hashes, garbage): left alone
MAX_COMPOUND_CANDS = 20    # compound analysis is the costly part: cheapest candidates only
STAGE2_BUDGET = 3.0       # wider search: channel cost budget (long tokens; +1 for others)
STAGE_STOP = 2.0          # a candidate this good ends the search early
COST_WEIGHT = 1.0         # channel cost vs. Zipf: prefer the fewest, likeliest edits
UNLISTED_PENALTY = 1.2    # a listed word this close behind an unlisted compound goes first
DANISH_SHARE_CLEAN = 0.004  # æ/ø/å per letter at or above which a text is not English-model OCR
CLEAN_MIN_LETTERS = 200   # shorter text is too short to judge by its share of æ/ø/å
CLEAN_MIN_SCORE = 2.0     # clean text: a non-word fix must be this convincing
SHORT_MAX_COST = 1.5      # unknown tokens of <= 3 letters: only the likeliest single edits
SHORT_MIN_ZIPF = 4.3      # ... to a frequent word ("gge" -> "øge", Zipf 4.4)
SPLIT_MIN_LEN = 5         # shorter tokens are not split ("imd" is not "i md")
CTX_WEIGHT = 0.5          # weight of the bigram context when ranking candidates
RW_MARGIN = 1.0           # real-word change: log10 odds the twin must win by, context included
RW_CONTEXT_MARGIN = 0.5   # ... of which the neighbours alone (bigrams) must give at least this
RW_MAX_COST = 1.2         # real-word twins: only the likeliest single confusions
RW_OWN_COMMON = 3         # ... unless the plain reading itself occurs this often there
RW_MIN_COUNT = 3          # ... and the municipal texts the context is counted from use the twin
DOMAIN_WEIGHT = 1.0       # weight of those texts' own word counts (a domain prior) in that choice
COMPOUND_MIN_SCORE = -1.0 # a candidate known only as a compound must score at least this
TITLE_MAX_COST = 1.5      # capitalised unknown tokens: only confusions at least this likely
TITLE_COMPOUND_MAX_COST = 1.0  # ... and to a compound-only reading only a cheap one
RARE_ZIPF = 2.0           # OCR text: a known word rarer than this may be a misreading ...
RARE_TARGET_ZIPF = 2.0    # ... with a measured frequency (not a dictionary form at the floor)
TITLE_RW_GAIN = 1.5       # real-word table in a capitalised mid-sentence word: Zipf gain needed
RARE_MARGIN = 1.5         # ... of a word with æ/ø/å that scores this much better
BULLET_RE = re.compile(r"(?m)^([ \t]*)([*+«¢©®°]|e|o)(?=[ \t]+[^\W\d_])")


@dataclass(frozen=True)
class _Fix:
    replacement: str
    score: float
    candidates: tuple[tuple[str, float], ...]
    kind: str


def danish_share(text: str) -> tuple[float, int]:
    """(æ/ø/å per letter, letters): an English OCR model writes almost none of them."""
    letters = sum(map(str.isalpha, text))
    if not letters:
        return 0.0, 0
    dan = sum(text.count(ch) for ch in "æøåÆØÅ")
    return dan / letters, letters


def ocr_like(text: str) -> bool:
    """False for text that carries æ/ø/å at a Danish rate (an English OCR model writes almost
    none); text too short to judge counts as clean only with two or more of them."""
    share, letters = danish_share(text)
    if letters < CLEAN_MIN_LETTERS:
        return round(share * letters) < 2
    return share < DANISH_SHARE_CLEAN


def line_start(text: str, pos: int) -> bool:
    """True if only spaces separate ``pos`` from the start of its line (a heading, a table
    cell, a list item: capitals there are not evidence of a name)."""
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] == "\n"


class Repairer:
    """Holds the lexicon; ``repair(text)`` is pure and deterministic."""

    def __init__(self, lexicon: Lexicon | None = None, bigrams: Bigrams | None = None):
        self.lex = lexicon or Lexicon()
        if bigrams is None:
            bigrams = Bigrams(self.lex.directory / "bigrams.tsv.gz")
        self.ctx = bigrams
        for w in self.ctx.uni:  # words of the clean texts the context was counted from
            if w not in self.lex.zipf and w.isalpha() and len(w) > 3:
                self.lex.zipf[w] = 1.5
        self._cache: dict[tuple, _Fix | None] = {}
        self._twins: dict[str, tuple[tuple[str, float], ...]] = {}
        self._strict = False

    def add_vocabulary(self, words) -> None:
        """Treat these words (the corpus's own vocabulary) as valid; clears the cache."""
        self.lex.add_vocabulary(words)
        self._cache.clear()
        self._twins.clear()

    # ------------------------------------------------------------------ public
    def repair(self, text: str) -> RepairResult:
        self._strict = not ocr_like(text)
        corrections: list[Correction] = []
        for m in BULLET_RE.finditer(text):
            if self._strict and m.group(2) in "eo":
                continue
            s = m.start(2)
            corrections.append(Correction(s, s + len(m.group(2)), m.group(2), "•", 0.0,
                                          (("•", 0.0),), "bullet"))
        bullets = {c.start for c in corrections}
        words = 0
        suspicious = 0
        prev = "<s>"
        toks: list[list] = []  # [start, end, tok, fixes, final lower form]
        for start, end, tok in iter_words(text):
            if start in bullets:
                continue
            words += tok.count("-") + 1
            fixes = self._fix_token(text, start, tok, prev)
            if not fixes and self._suspicious(tok):
                suspicious += 1
            final = tok.rsplit("-", 1)[-1].lower() if not fixes \
                else fixes[-1][2].replacement.rsplit(" ", 1)[-1].lower()
            toks.append([start, end, tok, fixes, final])
            prev = "<s>" if self._ends_sentence(text, end) else final
        if not self._strict and self.ctx:
            self._context_pass(text, toks)
        for start, end, tok, fixes, _ in toks:
            for s, e, fix in fixes:
                corrections.append(Correction(s, e, text[s:e], fix.replacement,
                                              round(fix.score, 3), fix.candidates, fix.kind))
        corrections.sort(key=lambda c: c.start)
        out: list[str] = []
        pos = 0
        for c in corrections:
            out.append(text[pos:c.start])
            out.append(c.replacement)
            pos = c.end
        out.append(text[pos:])
        changed = len(corrections)
        words_fixed = sum(c.kind != "bullet" for c in corrections)  # a bullet is not a word
        damage = min(1.0, (words_fixed + suspicious) / words) if words else 0.0
        return RepairResult("".join(out), corrections, words, changed, round(damage, 4))

    @staticmethod
    def _ends_sentence(text: str, end: int) -> bool:
        nxt = text[end:end + 2]
        return bool(nxt) and nxt[0] in ".!?:;" and (len(nxt) == 1 or nxt[1].isspace())

    # ------------------------------------------------------------------ context
    def _context_pass(self, text: str, toks: list[list]) -> None:
        """Real-word confusions ("far" for "får") settled by the bigram context, left to right;
        the right neighbour counts only if it is not itself open to such a change."""
        lex, ctx = self.lex, self.ctx
        for i, t in enumerate(toks):
            start, end, tok, fixes, final = t
            # a real-word-table fix may be reconsidered ("made": "måde", or "møde" after "et")
            rw = len(fixes) == 1 and fixes[0][2].kind == "realword"
            if fixes and not rw or "-" in tok or not tok.isalpha():
                continue
            pattern = case_pattern(tok)
            at_start = sentence_start(text, start)
            if not (pattern == "lower" or pattern == "title" and at_start):
                continue
            low = tok.lower()
            z = lex.zipf.get(low)
            if z is None or low in lex.protected:
                continue
            prev = "<s>" if i == 0 or at_start else toks[i - 1][4]
            if low in lex.realword and prev in lex.realword[low][1]:
                continue  # "at bade": the real-word table's licence holds
            twins = self._twin_words(low)
            if not twins:
                continue
            if i + 1 < len(toks) and (toks[i + 1][3] or toks[i + 1][4] in lex.realword):
                continue  # the next word's own repair saw this word as its context
            nxt = None
            if i + 1 < len(toks) and not self._ends_sentence(text, end) \
                    and toks[i + 1][0] - end <= 2 and not self._twin_words(toks[i + 1][4]):
                nxt = toks[i + 1][4]
            if rw:
                target = fixes[0][2].replacement.lower()
                cost = dict(twins).get(target)
                if cost is None or target not in lex.zipf:
                    continue
                fix = self._context_choice(target, lex.zipf[target],
                                           [x for x in twins if x[0] != target],
                                           prev, nxt, pattern, own_cost=cost)
            elif ctx.uni.get(low, 0) >= RW_OWN_COMMON:
                continue  # the municipal texts use this reading themselves ("barn"): leave it
            else:
                fix = self._context_choice(low, z, twins, prev, nxt, pattern)
            if fix:
                t[3] = [(start, end, fix)]
                t[4] = fix.replacement.lower()

    def _context_choice(self, low: str, z: float, twins, prev: str, nxt: str | None,
                        pattern: str, own_cost: float = 0.0) -> _Fix | None:
        lex, ctx = self.lex, self.ctx

        def total(w: str, zw: float) -> float:
            sc = ctx.logp(prev, w, zw)
            if nxt is not None:
                sc += ctx.logp(w, nxt, lex.freq(nxt))
            return sc

        def lift(w: str, zw: float) -> float:
            sc = ctx.gain(prev, w, zw) if prev != "<s>" else 0.0
            if nxt is not None:
                sc += ctx.gain(w, nxt, lex.freq(nxt))
            return sc

        def domain(w: str) -> float:
            return DOMAIN_WEIGHT * math.log10(ctx.uni.get(w, 0) + 0.5)

        own = total(low, z) + domain(low) - own_cost
        best = None
        for w, cost in twins:
            if ctx.uni.get(w, 0) < RW_MIN_COUNT:
                continue  # the municipal texts must know the twin
            seen_prev = prev != "<s>" and ctx.count(prev, w)
            if not seen_prev and not (nxt and ctx.count(w, nxt)):
                continue  # ... and have seen it next to one of these neighbours
            by_context = lift(w, lex.zipf[w]) - lift(low, z)  # the neighbours' evidence alone
            sc = total(w, lex.zipf[w]) + domain(w) - cost - own
            if by_context >= RW_CONTEXT_MARGIN and sc >= RW_MARGIN \
                    and (best is None or sc > best[0]):
                best = (sc, w)
        if best is None:
            return None
        rep = apply_case(best[1], pattern)
        return _Fix(rep, best[0], ((rep, round(best[0], 3)),), "context")

    def _twin_words(self, low: str) -> tuple[tuple[str, float], ...]:
        """Frequent valid words one likely confusion away (the readings ``low`` may hide)."""
        hit = self._twins.get(low)
        if hit is not None:
            return hit
        out = []
        if low in self.lex.zipf and low.isalpha():
            for cand, cost in channel.candidates(low, max_edits=1, budget=RW_MAX_COST,
                                                 max_inserts=1).items():
                if cand != low and cand.islower() and self.lex.zipf.get(cand, 0.0) >= 3.0 \
                        and cand not in self.lex.proper and any(ch in cand for ch in "æøå"):
                    out.append((cand, cost))
        res = tuple(sorted(out))
        if len(self._twins) > 100_000:
            self._twins.clear()
        self._twins[low] = res
        return res

    # ------------------------------------------------------------------ tokens
    def _fix_token(self, text: str, start: int, tok: str, prev: str):
        if "-" in tok:
            return self._fix_hyphenated(text, start, tok, prev)
        if tok == "|":
            nxt = text[start + 1:start + 3]
            line = text[text.rfind("\n", 0, start) + 1:text.find("\n", start) % (len(text) + 1)]
            nxt_word = re.match(r" ([^\W\d_]+)", text[start + 1:start + 40])
            if nxt_word and line.count("|") == 1 and (
                    sentence_start(text, start) or len(nxt_word.group(1)) >= 3
                    and nxt_word.group(1).islower()):
                return [(start, start + 1, _Fix("I", 0.0, (("I", 0.0),), "ocr"))]
            return []
        at_start = sentence_start(text, start) or not self._strict and line_start(text, start)
        fix = self._fix_checked(tok, prev, at_start)
        return [(start, start + len(tok), fix)] if fix else []

    def _fix_checked(self, tok: str, prev: str, at_start: bool) -> _Fix | None:
        """A fix whose replacement would itself stay as it is (repair is idempotent)."""
        fix = self._fix_word(tok, prev, at_start)
        if fix is None:
            return None
        parts = fix.replacement.split(" ")
        p = prev
        for k, part in enumerate(parts):
            if part != tok and self._fix_word(part, p, at_start and k == 0) is not None:
                return None
            p = part.lower()
        return fix

    def _fix_hyphenated(self, text: str, start: int, tok: str, prev: str):
        """Fix each part; join a hyphenation remnant ("gen-nemsnitlig", "vok-senomrade").
        A hyphen between valid words is meant ("by-rådet", "mål-sti", "Hjørring-modellen")."""
        parts = tok.split("-")
        ss = sentence_start(text, start) or not self._strict and line_start(text, start)
        out = []
        pos = start
        all_valid = True
        for i, p in enumerate(parts):
            fix = self._fix_checked(p, prev, ss and i == 0) if p else None
            if fix:
                out.append((pos, pos + len(p), fix))
            word = (fix.replacement if fix else p).lower()
            if p and word not in self.lex and not (i and word in self.lex.parts):
                all_valid = False  # not a word in its own right (at best a compound reading)
            pos += len(p) + 1
        tail = (out[-1][2].replacement if out and out[-1][0] == pos - len(parts[-1]) - 1
                else parts[-1]).lower()
        # a hyphenation remnant: some part is no word but the whole is ("Samarbej-det",
        # "Kom-munen", "pro-blemer") -- in clean text too, where nothing else is touched
        remnant = not all_valid and "".join(parts).lower() in self.lex
        if all_valid or (self._strict or len(parts) == 2 and len(parts[0]) >= 4
                         and tail in self.lex.zipf) and not remnant:
            return out  # "piksel-bred": a long head and a word after the hyphen: meant
        joinable = (tok.lower() not in self.lex
                    and all(p[:1].islower() for p in parts[1:])
                    and parts[0].lower() not in self.lex.proper
                    and case_pattern(parts[0]) in ("lower", "title"))
        if not joinable:
            return out
        joined = "".join(parts)
        fix = self._fix_checked(joined, prev, ss)
        if fix and " " not in fix.replacement:
            return [(start, start + len(tok), _Fix(fix.replacement, fix.score,
                                                   fix.candidates, "join"))]
        jl = joined.lower()
        if jl in self.lex or (not any(ch in GLYPHS for ch in jl) and self.lex.is_compound(jl)):
            if self._fix_word(joined, prev, ss) is not None:
                return out
            z = self.lex.freq(jl)
            return [(start, start + len(tok), _Fix(joined, z, ((joined, z),), "join"))]
        return out

    def _fix_word(self, tok: str, prev: str, at_start: bool) -> _Fix | None:
        if tok in self.lex.never or len(tok) < 2 and tok not in "@|" or len(tok) > MAX_TOKEN:
            return None
        low = tok.lower()
        if low in self.lex.abbrev or low in self.lex.protected:
            return None
        pattern = case_pattern(tok)
        if pattern == "mixed" and tok.startswith("AE") and tok[2:].islower():
            pattern = "title"  # "AEldre"
        elif pattern == "mixed" and "A" in tok[1:]:
            # an inner capital A is often a misread å ("sAsom")
            pattern = case_pattern(tok[0] + tok[1:].replace("A", "a"))
            if pattern not in ("lower", "title"):
                return None
            return self._nonword_cached(tok, pattern, False, prev)
        if pattern in ("mixed", "none"):
            return None
        has_glyph = any(ch in GLYPHS for ch in tok)
        if has_glyph and sum(ch.isalpha() for ch in tok) < 2 and not (
                tok[0] == "4" and len(tok) == 2 and tok[1].isalpha()):
            return None
        if any(ch.isdigit() and ch not in "04" for ch in tok) or tok[-1] == "4" \
                or (not has_glyph and not tok.isalpha()):
            return None  # numbers; but "4r" is "år" and "0konomi" is "Økonomi"
        if low in self.lex.zipf and not has_glyph:
            if self._strict:
                return None
            fix = self._real_word(low, pattern, prev, at_start)
            if fix:
                return fix
            name_in_lower = pattern == "lower" and low in self.lex.proper
            if (low in self.lex.weak or name_in_lower) and self.lex.zipf[low] < WEAK_MAX_ZIPF:
                # a rare word only wordfreq knows ("deter"), or a name written in lower case
                # ("malene"): may be OCR damage after all
                fix = self._nonword_cached(tok, pattern, pattern == "title" and not at_start,
                                           prev)
                return fix if fix and fix.score >= self.lex.zipf[low] + 1.0 else None
            zl = self.lex.estimate(low)
            if zl >= RARE_ZIPF or pattern == "upper" or low in self.lex.proper:
                return None
            # a rare dictionary word ("parerende", "vere") one likely misreading away from a
            # far more frequent word with æ/ø/å ("pårørende", "være")
            fix = self._nonword_cached(tok, pattern, pattern == "title" and not at_start, prev)
            if fix and fix.score >= zl + RARE_MARGIN \
                    and self.lex.zipf.get(fix.replacement.lower(), 0.0) >= RARE_TARGET_ZIPF \
                    and any(ch in fix.replacement for ch in "æøåÆØÅ"):
                return fix
            return None
        if pattern == "upper" and len(tok) <= 4 and not has_glyph:
            return None  # acronyms
        return self._nonword_cached(tok, pattern, pattern == "title" and not at_start, prev)

    def _nonword_cached(self, tok: str, pattern: str, proper_position: bool,
                        prev: str = "") -> _Fix | None:
        use_prev = prev if self.ctx and prev in self.ctx.uni else ""
        key = (tok, proper_position, self._strict, use_prev)
        if key in self._cache:
            return self._cache[key]
        fix = self._nonword(tok, pattern, proper_position, use_prev)
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[key] = fix
        return fix

    def _real_word(self, low: str, pattern: str, prev: str, at_start: bool) -> _Fix | None:
        hit = self.lex.realword.get(low)
        if not hit:
            return None
        target, keep_after = hit
        gain = self.lex.freq(target) - self.lex.freq(low)
        if pattern == "upper" or pattern == "title" and not at_start and (
                gain < TITLE_RW_GAIN or low in self.lex.proper):
            return None  # a capitalised word mid-sentence: only a far more frequent twin
        if prev in keep_after:
            return None
        return _Fix(apply_case(target, pattern), gain, ((apply_case(target, pattern), gain),),
                    "realword")

    def _nonword(self, tok: str, pattern: str, proper_position: bool,
                 prev: str = "") -> _Fix | None:
        lex = self.lex
        low = tok.lower()
        has_glyph = any(ch in GLYPHS for ch in tok)
        own = None if has_glyph else lex.own_score(low)
        long_tok = len(tok) > 14
        short = sum(ch.isalpha() for ch in tok) <= 3 and not has_glyph
        if own is not None:
            stages = [(2, COMPOUND_MAX_COST, 0)]
        elif short:
            stages = [(1, SHORT_MAX_COST, 1)]
        else:
            # cheap single edits first: most damage is one g/@/ae/a confusion
            stages = [(1, 2.6, 0), (2 if long_tok else 3, STAGE2_BUDGET if long_tok else STAGE2_BUDGET + 1.0,
                                    0 if long_tok else 1)]
        scored: list[tuple[float, str, bool]] = []
        cands: dict[str, float] = {}
        for max_edits, budget, inserts in stages:
            cands = channel.candidates(tok, max_edits=max_edits, budget=budget,
                                       max_inserts=inserts)
            scored = self._score(tok, pattern, cands, prev)
            if scored and scored[0][0] >= STAGE_STOP:
                break
        if short:
            scored = [x for x in scored if x[2] and lex.freq(x[1].lower()) >= SHORT_MIN_ZIPF]
        if not scored:
            if own is not None or has_glyph or self._strict:
                return None
            return self._split(tok, pattern)
        best_score, best, direct = scored[0]
        top = tuple((c, round(s, 3)) for s, c, _ in scored[:5])
        if best_score < (CLEAN_MIN_SCORE if self._strict else MIN_SCORE):
            return None if own is not None or has_glyph or self._strict \
                else self._split(tok, pattern)
        if own is not None and best_score < own + (DIRECT_MARGIN if direct else COMPOUND_MARGIN):
            return None  # the token is a plausible compound itself; a listed word may tie it
        if not direct and not has_glyph and best_score < COMPOUND_MIN_SCORE + (len(tok) < 9):
            # an unattested compound needs to be a likely one; else maybe two words run together
            return None if own is not None or self._strict else self._split(tok, pattern)
        if proper_position and cands.get(best, 9.0) <= 2.0 and best[:1] != tok[:1]:
            # "Arligt" mid-sentence: a capital A read for a lower-case å ("årligt")
            low_best = best[:1].lower() + best[1:]
            twin = next((x for x in scored if x[1] == low_best), None)
            if twin and twin[0] >= best_score - 0.5:
                best_score, best, direct = twin
        if pattern == "title" and not has_glyph and best[:1] == tok[:1] and (
                cands.get(best, 9.0) > (TITLE_MAX_COST if direct else TITLE_COMPOUND_MAX_COST)
                or direct and best_score < PROPER_MIN_SCORE):
            return None  # a capitalised word may be a name: only likely misreadings of words
        if proper_position and not has_glyph:
            # a capitalised word mid-sentence is probably a name: only a convincing known
            # word, or a cheap fix of a long compound ("Socialradgiverforening")
            cheap_compound = len(tok) >= 10 and best_score >= PROPER_MIN_SCORE - 1.5 \
                and cands.get(best, 9.0) <= 1.2
            if not (direct and best_score >= PROPER_MIN_SCORE or cheap_compound):
                return None
        return _Fix(best, best_score, top, "ocr")

    def _score(self, tok: str, pattern: str, cands: dict[str, float],
               prev: str = "") -> list[tuple[float, str, bool]]:
        """(score, candidate, directly known) best first; compounds only if nothing good.
        The bigram context after ``prev`` adds (weighted) to known words' scores."""
        lex = self.lex
        ctx = self.ctx if prev else None
        scored: list[tuple[float, str, bool]] = []
        unknown: list[tuple[float, str, str]] = []
        zipf = lex.zipf

        def case_ok(cand: str) -> str | None:
            cp = case_pattern(cand)
            if cp not in ("lower", "title", "upper"):
                return None
            if cp != pattern and not (cand[:1] != tok[:1] and cp in ("lower", "title")):
                return None
            return cp

        for cand, cost in cands.items():
            lc = cand.lower()
            if lc not in zipf:
                if cost <= COMPOUND_CAND_MAX_COST:
                    unknown.append((cost, cand, lc))
                continue
            cp = case_ok(cand)
            if cp is None or lc in lex.proper and cp == "lower":
                continue
            z = lex.estimate(lc)
            sc = z - COST_WEIGHT * cost
            if ctx is not None and ctx.count(prev, lc):
                sc += CTX_WEIGHT * ctx.gain(prev, lc, z)
            scored.append((sc, cand, True))
        best = max((s for s, _, _ in scored), default=None)
        if unknown and (best is None or best < STAGE_STOP + 0.5):
            # compound analysis is the costly part: the cheapest readings only
            taken = 0
            for cost, cand, lc in heapq.nsmallest(3 * MAX_COMPOUND_CANDS, unknown):
                if case_ok(cand) is None:
                    continue
                taken += 1
                cz = lex.compound_score(lc)
                if cz is not None:
                    scored.append((cz - COST_WEIGHT * cost, cand, False))
                if taken >= MAX_COMPOUND_CANDS:
                    break
        scored.sort(key=lambda x: (-x[0], x[1]))
        if scored and not scored[0][2]:
            # a listed word close behind an unlisted compound reading is the likelier one
            # ("forelægges" over "før"+e+"lægges")
            near = next((x for x in scored if x[2]), None)
            if near is not None and near[0] >= scored[0][0] - UNLISTED_PENALTY:
                scored.remove(near)
                scored.insert(0, near)
        return scored

    def _split(self, tok: str, pattern: str) -> _Fix | None:
        """Two words run together, one of them a short function word ("Deter")."""
        low = tok.lower()
        lex = self.lex
        short = len(low) < SPLIT_MIN_LEN  # "ien": only two function words ("imd" stays)
        best = None
        for i in range(1, len(low)):
            a, b = low[:i], low[i:]
            if not (a in lex.function or b in lex.function) \
                    or short and not (a in lex.function and b in lex.function):
                continue
            za, zb = lex.zipf.get(a), lex.zipf.get(b)
            if za is None or zb is None or min(za, zb) < SPLIT_MIN_ZIPF:
                continue
            score = za + zb - 8.0
            if best is None or score > best[0]:
                best = (score, a, b)
        if best is None:
            return None
        score, a, b = best
        rep = apply_case(a, pattern) + " " + (b.upper() if pattern == "upper" else b)
        return _Fix(rep, score, ((rep, round(score, 3)),), "split")

    def _suspicious(self, tok: str) -> bool:
        """An unrepaired token that still looks like OCR damage (for the damage estimate)."""
        if any(ch in "@|" for ch in tok):
            return True
        low = tok.lower()
        if not tok.isalpha() or case_pattern(tok) != "lower" or len(low) < 4:
            return False
        return low not in self.lex.zipf and not self.lex.is_compound(low)
