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
  * hyphenation remnants inside a line are joined ("gen-nemsnitlig" -> "gennemsnitlig").
"""

from __future__ import annotations

from dataclasses import dataclass

from stratcompare.repair import channel
from stratcompare.repair.lexicon import Lexicon
from stratcompare.repair.tokens import apply_case, case_pattern, iter_words, sentence_start
from stratcompare.repair.types import Correction, RepairResult

GLYPHS = set("@|0#")
MIN_SCORE = -2.0          # Zipf - cost a replacement of a non-word must reach
COMPOUND_MAX_COST = 3.0       # a token that is a valid compound: candidates this cheap only
COMPOUND_MARGIN = 0.5         # ... and one must beat the token's own compound score by this
COMPOUND_CAND_MAX_COST = 3.6  # candidates known only as compounds: at most this channel cost
PROPER_MIN_SCORE = 0.5    # capitalised mid-sentence tokens need a convincing candidate
SPLIT_MIN_ZIPF = 3.0
WEAK_MAX_ZIPF = 3.0       # wordfreq-only words rarer than this may still be damage
MAX_TOKEN = 40            # longer tokens are not words (hashes, garbage): left alone
MAX_COMPOUND_CANDS = 12    # compound analysis is the costly part: cheapest candidates only
STAGE_STOP = 2.0          # a candidate this good ends the search early
COST_WEIGHT = 1.0         # channel cost vs. Zipf: prefer the fewest, likeliest edits


@dataclass(frozen=True)
class _Fix:
    replacement: str
    score: float
    candidates: tuple[tuple[str, float], ...]
    kind: str


class Repairer:
    """Holds the lexicon; ``repair(text)`` is pure and deterministic."""

    def __init__(self, lexicon: Lexicon | None = None):
        self.lex = lexicon or Lexicon()
        self._cache: dict[tuple[str, bool], _Fix | None] = {}

    def add_vocabulary(self, words) -> None:
        """Treat these words (the corpus's own vocabulary) as valid; clears the cache."""
        self.lex.add_vocabulary(words)
        self._cache.clear()

    # ------------------------------------------------------------------ public
    def repair(self, text: str) -> RepairResult:
        out: list[str] = []
        corrections: list[Correction] = []
        pos = 0
        words = 0
        suspicious = 0
        prev = ""
        for start, end, tok in iter_words(text):
            words += tok.count("-") + 1
            fixes = self._fix_token(text, start, tok, prev)
            for s, e, fix in fixes:
                out.append(text[pos:s])
                out.append(fix.replacement)
                pos = e
                corrections.append(Correction(s, e, text[s:e], fix.replacement,
                                              round(fix.score, 3), fix.candidates, fix.kind))
            if not fixes and self._suspicious(tok):
                suspicious += 1
            prev = tok.rsplit("-", 1)[-1].lower() if not fixes else fixes[-1][2].replacement.lower()
        out.append(text[pos:])
        changed = len(corrections)
        damage = min(1.0, (changed + suspicious) / words) if words else 0.0
        return RepairResult("".join(out), corrections, words, changed, round(damage, 4))

    # ------------------------------------------------------------------ tokens
    def _fix_token(self, text: str, start: int, tok: str, prev: str):
        if "-" in tok:
            return self._fix_hyphenated(text, start, tok, prev)
        if tok == "|":
            nxt = text[start + 1:start + 3]
            if len(nxt) == 2 and nxt[0] == " " and nxt[1].islower() and sentence_start(text, start):
                return [(start, start + 1, _Fix("I", 0.0, (("I", 0.0),), "ocr"))]
            return []
        fix = self._fix_word(tok, prev, sentence_start(text, start))
        return [(start, start + len(tok), fix)] if fix else []

    def _fix_hyphenated(self, text: str, start: int, tok: str, prev: str):
        """Fix each part; join a hyphenation remnant ("gen-nemsnitlig", "vok-senomrade")."""
        parts = tok.split("-")
        ss = sentence_start(text, start)
        out = []
        pos = start
        all_valid = True
        for i, p in enumerate(parts):
            fix = self._fix_word(p, prev, ss and i == 0) if p else None
            if fix:
                out.append((pos, pos + len(p), fix))
            word = (fix.replacement if fix else p).lower()
            if p and not self.lex.valid(word):
                all_valid = False
            pos += len(p) + 1
        if all_valid and (len(parts[0]) > 3 or not parts[0].islower()):
            return out  # "Hjørring-modellen", "dobbelt-diagnoser", "Før-måling": hyphen meant
        joinable = (tok.lower() not in self.lex
                    and all(p[:1].islower() for p in parts[1:])
                    and parts[0].lower() not in self.lex.proper
                    and case_pattern(parts[0]) in ("lower", "title"))
        if not joinable:
            return out
        joined = "".join(parts)
        fix = self._fix_word(joined, prev, ss)
        if fix and " " not in fix.replacement:
            return [(start, start + len(tok), _Fix(fix.replacement, fix.score,
                                                   fix.candidates, "join"))]
        jl = joined.lower()
        if jl in self.lex or (not any(ch in GLYPHS for ch in jl) and self.lex.is_compound(jl)):
            z = self.lex.freq(jl)
            return [(start, start + len(tok), _Fix(joined, z, ((joined, z),), "join"))]
        return out

    def _fix_word(self, tok: str, prev: str, at_start: bool) -> _Fix | None:
        if tok in self.lex.never or len(tok) < 2 and tok not in "@|" or len(tok) > MAX_TOKEN:
            return None
        low = tok.lower()
        pattern = case_pattern(tok)
        if pattern == "mixed" and tok.startswith("AE") and tok[2:].islower():
            pattern = "title"  # "AEldre"
        elif pattern == "mixed" and "A" in tok[1:]:
            # an inner capital A is often a misread å ("sAsom")
            pattern = case_pattern(tok[0] + tok[1:].replace("A", "a"))
            if pattern not in ("lower", "title"):
                return None
            return self._nonword_cached(tok, pattern, False)
        if pattern in ("mixed", "none"):
            return None
        has_glyph = any(ch in GLYPHS for ch in tok)
        if has_glyph and sum(ch.isalpha() for ch in tok) < 2:
            return None
        if any(ch.isdigit() and ch != "0" for ch in tok) or (not has_glyph and not tok.isalpha()):
            return None
        if low in self.lex.zipf and not has_glyph:
            fix = self._real_word(low, pattern, prev, at_start)
            name_in_lower = pattern == "lower" and low in self.lex.proper
            if fix or not (low in self.lex.weak or name_in_lower) \
                    or self.lex.zipf[low] >= WEAK_MAX_ZIPF:
                return fix
            # a rare word only wordfreq knows ("deter"), or a name written in lower case
            # ("malene"): may be OCR damage after all
            fix = self._nonword_cached(tok, pattern, pattern == "title" and not at_start)
            return fix if fix and fix.score >= self.lex.zipf[low] + 1.0 else None
        if pattern == "upper" and len(tok) <= 4 and not has_glyph:
            return None  # acronyms
        return self._nonword_cached(tok, pattern, pattern == "title" and not at_start)

    def _nonword_cached(self, tok: str, pattern: str, proper_position: bool) -> _Fix | None:
        key = (tok, proper_position)
        if key in self._cache:
            return self._cache[key]
        fix = self._nonword(tok, pattern, proper_position)
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[key] = fix
        return fix

    def _real_word(self, low: str, pattern: str, prev: str, at_start: bool) -> _Fix | None:
        hit = self.lex.realword.get(low)
        if not hit:
            return None
        target, keep_after = hit
        if pattern == "title" and not at_start or pattern == "upper":
            return None
        if prev in keep_after:
            return None
        gain = self.lex.freq(target) - self.lex.freq(low)
        return _Fix(apply_case(target, pattern), gain, ((apply_case(target, pattern), gain),),
                    "realword")

    def _nonword(self, tok: str, pattern: str, proper_position: bool) -> _Fix | None:
        lex = self.lex
        low = tok.lower()
        has_glyph = any(ch in GLYPHS for ch in tok)
        own = None if has_glyph else lex.compound_score(low)
        long_tok = len(tok) > 14
        if own is not None:
            stages = [(2, COMPOUND_MAX_COST, 0)]
        else:
            # cheap single edits first: most damage is one g/@/ae/a confusion
            stages = [(1, 2.6, 0), (2 if long_tok else 3, 5.0 if long_tok else 6.0,
                                    0 if long_tok else 1)]
        scored: list[tuple[float, str, bool]] = []
        cands: dict[str, float] = {}
        for max_edits, budget, inserts in stages:
            cands = channel.candidates(tok, max_edits=max_edits, budget=budget,
                                       max_inserts=inserts)
            scored = self._score(tok, pattern, cands)
            if scored and scored[0][0] >= STAGE_STOP:
                break
        if not scored:
            if own is not None or has_glyph:
                return None
            return self._split(tok, pattern)
        best_score, best, direct = scored[0]
        top = tuple((c, round(s, 3)) for s, c, _ in scored[:5])
        if best_score < MIN_SCORE:
            return None if own is not None or has_glyph else self._split(tok, pattern)
        if own is not None and best_score < own + COMPOUND_MARGIN:
            return None
        if proper_position and cands.get(best, 9.0) <= 2.0 and best[:1] != tok[:1]:
            # "Arligt" mid-sentence: a capital A read for a lower-case å ("årligt")
            low_best = best[:1].lower() + best[1:]
            twin = next((x for x in scored if x[1] == low_best), None)
            if twin and twin[0] >= best_score - 0.5:
                best_score, best, direct = twin
        if proper_position and not has_glyph:
            # a capitalised word mid-sentence is probably a name: only a convincing known
            # word, or a cheap fix of a long compound ("Socialradgiverforening")
            cheap_compound = len(tok) >= 10 and best_score >= PROPER_MIN_SCORE - 1.5 \
                and cands.get(best, 9.0) <= 1.2
            if best_score < PROPER_MIN_SCORE or not (direct or cheap_compound):
                return None
        return _Fix(best, best_score, top, "ocr")

    def _score(self, tok: str, pattern: str,
               cands: dict[str, float]) -> list[tuple[float, str, bool]]:
        """(score, candidate, directly known) best first; compounds only if nothing good."""
        lex = self.lex
        scored: list[tuple[float, str, bool]] = []
        maybe_compound: list[tuple[float, str]] = []
        for cand, cost in cands.items():
            cp = case_pattern(cand)
            if cp not in ("lower", "title", "upper"):
                continue
            if cp != pattern and not (cand[:1] != tok[:1] and cp in ("lower", "title")):
                continue
            lc = cand.lower()
            z = lex.zipf.get(lc)
            if z is not None:
                if lc in lex.proper and cp == "lower":
                    continue
                scored.append((z - COST_WEIGHT * cost, cand, True))
            elif cost <= COMPOUND_CAND_MAX_COST:
                maybe_compound.append((cost, cand))
        best = max((s for s, _, _ in scored), default=None)
        if maybe_compound and (best is None or best < STAGE_STOP + 0.5):
            maybe_compound.sort()
            for cost, cand in maybe_compound[:MAX_COMPOUND_CANDS]:
                cz = lex.compound_score(cand.lower())
                if cz is not None:
                    scored.append((cz - COST_WEIGHT * cost, cand, False))
        scored.sort(key=lambda x: (-x[0], x[1]))
        return scored

    def _split(self, tok: str, pattern: str) -> _Fix | None:
        """Two words run together, one of them a short function word ("Deter")."""
        low = tok.lower()
        lex = self.lex
        best = None
        for i in range(1, len(low)):
            a, b = low[:i], low[i:]
            if not (a in lex.function or b in lex.function):
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
