#!/usr/bin/env python
"""Rebuild models/lexicon/ (the Danish lexicon the OCR repairer loads) from offline sources.

Sources, all on this machine without network:
  * spacy-lookups-data ``da_lemma_lookup`` (MIT): ~553k inflected forms and their lemmas;
  * wordfreq Danish (data CC-BY-SA 4.0): Zipf frequencies of ~29k common words;
  * hunspell-da ``/usr/share/hunspell/da_DK.dic`` + ``.aff`` (Stavekontrolden, LGPL-2.1 / GPL-2 /
    MPL-1.1): stems expanded with their suffix rules;
  * the place-name list in src/stratcompare/data/repair/places.txt;
  * optional clean Danish text files given with ``--text`` (their vocabulary only).

Outputs (gzip'd, deterministic; column layout so loading takes a fraction of a second):
  words.txt.gz     lower-case words, sorted, one per line
  attrs.bin.gz     N bytes Zipf*10, then N flag bytes (1 = proper noun, 2 = frequency from wordfreq,
                   4 = attested in a dictionary: spaCy, hunspell, places, texts)
  parts.txt.gz     hunspell words allowed only inside compounds
  realword.tsv.gz  token <TAB> replacement <TAB> zipf gain  (valid words that are nearly always an
                   OCR misreading of a far more frequent word, e.g. "pa" -> "på")
  meta.json        version, sources and counts

Usage: python scripts/build_lexicon.py [--text FILE ...] [--out models/lexicon]
(~20 s; output is byte-for-byte reproducible)
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

VERSION = "1"
FLOOR_ZIPF = 1.0   # words known from a dictionary but absent from wordfreq
HUNSPELL_DIC = Path("/usr/share/hunspell/da_DK.dic")
HUNSPELL_AFF = Path("/usr/share/hunspell/da_DK.aff")
FORBIDDEN, NEEDAFFIX, ONLYINCOMPOUND = "6", "8", "36"
DEFAULT_TEXTS = [ROOT / "tests/fixtures/seeds/000_78510290e0beced8.txt",
                 ROOT / "tests/fixtures/seeds/004_d9d8341ac6929972.txt"]
WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def parse_aff(path: Path) -> dict[str, list[tuple[str, str, re.Pattern, list[str]]]]:
    """Suffix rules: flag -> [(strip, add, condition, continuation flags)]."""
    rules: dict[str, list] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 5 or parts[0] != "SFX":
            continue
        flag, strip, add, cond = parts[1], parts[2], parts[3], parts[4]
        strip = "" if strip == "0" else strip
        add, _, cont = add.partition("/")
        add = "" if add == "0" else add
        rules[flag].append((strip, add, re.compile(("" if cond == "." else cond) + "$"),
                            cont.split(",") if cont else []))
    return rules


def expand(stem: str, flags: list[str], rules, depth: int = 2) -> set[str]:
    """All suffixed forms of a stem (suffix rules, one continuation level)."""
    out: set[str] = set()
    for flag in flags:
        for strip, add, cond, cont in rules.get(flag, ()):
            if strip and not stem.endswith(strip):
                continue
            if not cond.search(stem):
                continue
            form = (stem[: len(stem) - len(strip)] if strip else stem) + add
            out.add(form)
            if depth > 1 and cont:
                out |= expand(form, cont, rules, depth - 1)
    return out


def hunspell_words() -> tuple[dict[str, bool], set[str]]:
    """(form -> seen capitalised only?, compound-only parts)."""
    rules = parse_aff(HUNSPELL_AFF)
    forms: dict[str, bool] = {}
    parts: set[str] = set()
    lines = HUNSPELL_DIC.read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        stem, _, fl = line.strip().partition("/")
        if not stem:
            continue
        flags = fl.split(",") if fl else []
        if FORBIDDEN in flags:
            continue
        new = expand(stem, flags, rules)
        if ONLYINCOMPOUND in flags:
            parts.add(stem.lower())
            parts.update(f.lower() for f in new)
            continue
        if NEEDAFFIX not in flags:
            new.add(stem)
        for f in new:
            add_form(forms, f)
    return forms, parts


def add_form(forms: dict[str, bool], form: str) -> None:
    low = form.lower()
    cap = form[:1].isupper()
    forms[low] = forms.get(low, True) and cap


def spacy_words() -> dict[str, bool]:
    import spacy_lookups_data
    path = Path(spacy_lookups_data.__file__).parent / "data" / "da_lemma_lookup.json.gz"
    table = json.loads(gzip.open(path).read())
    forms: dict[str, bool] = {}
    for k, v in table.items():
        add_form(forms, k)
        add_form(forms, v)
    return forms


def wordfreq_words() -> dict[str, float]:
    from wordfreq import top_n_list, zipf_frequency
    return {w: zipf_frequency(w, "da") for w in top_n_list("da", 1_000_000)
            if WORD_RE.fullmatch(w)}


def text_words(paths: list[Path]) -> dict[str, bool]:
    forms: dict[str, bool] = {}
    for p in paths:
        for m in WORD_RE.finditer(p.read_text(encoding="utf-8")):
            for part in m.group().split("-"):
                if len(part) > 1 and not (part.isupper() and len(part) <= 5):
                    add_form(forms, part)
    return forms


def forward_confusions(word: str, rules: list[tuple[str, str, float]]) -> dict[str, float]:
    """OCR misreadings of ``word`` (one rule applied everywhere or at one place) -> cost."""
    out: dict[str, float] = {}

    def put(form: str, cost: float) -> None:
        if form not in out or out[form] > cost:
            out[form] = cost

    for ocr, true, cost in rules:
        if not true or true not in word or true.upper() == true and true.lower() != true:
            continue
        n = word.count(true)
        put(word.replace(true, ocr), cost * n)
        i = word.find(true)
        while i >= 0:
            put(word[:i] + ocr + word[i + len(true):], cost)
            i = word.find(true, i + 1)
    return out


BIGRAM_SENT = re.compile(r"[.!?:;]\s|\n\s*\n")


def bigram_texts() -> list[tuple[str, str]]:
    """(name, text) of the clean Danish text the context model is counted from: the real
    pages of the **tune** part (corpus/real/split.tsv), the tune part's PDFs, the seeds,
    the bundled corpus and the benchmark's own texts.  The test part is never read."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("ocr_pairs", ROOT / "scripts" / "ocr_pairs.py")
    ocr_pairs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ocr_pairs)
    part_files, split_parts = ocr_pairs.part_files, ocr_pairs.split_parts

    out = [(p.name, p.read_text(encoding="utf-8")) for p in part_files("tune")]
    parts = split_parts()
    import csv

    with (ROOT / "corpus/real/pdfs/SOURCES.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    pdfs = [ROOT / "corpus/real/pdfs" / r["file"] for r in rows
            if parts.get(r["municipality"]) == "tune"]
    pdfs += [ROOT / "corpus/koege-strategier-for-indsatsen.pdf",
             ROOT / "corpus/herning-herningmodellen.pdf"]
    import pypdfium2 as pdfium

    for path in pdfs:
        if path.exists():
            doc = pdfium.PdfDocument(str(path))
            out.append((path.name, "\n\n".join(doc[i].get_textpage().get_text_range()
                                                for i in range(len(doc)))))
            doc.close()
    for path in [*sorted((ROOT / "tests/fixtures/seeds").glob("00[0134]_*.txt")),
                 ROOT / "corpus/holstebro-investeringsmodel.txt",
                 ROOT / "tests/fixtures/ocr/own_danish_gold.txt",
                 ROOT / "tests/fixtures/ocr/own_danish_2_gold.txt"]:
        out.append((path.name, path.read_text(encoding="utf-8")))
    html = (ROOT / "corpus/hjoerring-forebyggelsesstrategi.html").read_text(encoding="utf-8")
    out.append(("hjoerring-forebyggelsesstrategi.html", re.sub(r"<[^>]+>", " ", html)))
    return out


def build_bigrams(out_dir: Path, skip_tune_pages: bool = False) -> None:
    """models/lexicon/bigrams.tsv.gz: ``w1 <TAB> w2 <TAB> count`` (lower case; w1 = "<s>" at a
    sentence start), and ``w <TAB> <TAB> count`` unigram rows, from ``bigram_texts()``.
    ``skip_tune_pages``: leave the tune part's real pages out (a development model, so that
    tuning on those pages sees words the model does not know, as the test part will)."""
    from collections import Counter

    uni: Counter = Counter()
    bi: Counter = Counter()
    names = []
    for name, text in bigram_texts():
        if skip_tune_pages and name[:3].isdigit() and name.endswith(".txt") and "_" in name[4:]:
            continue
        names.append(name)
        for sent in BIGRAM_SENT.split(text):
            words = [w.lower() for w in WORD_RE.findall(sent)]
            uni.update(words)
            bi.update(zip(["<s>", *words], words))
    rows = [f"{w}\t\t{c}\n" for w, c in sorted(uni.items())]
    rows += [f"{a}\t{b}\t{c}\n" for (a, b), c in sorted(bi.items())]
    with gzip.GzipFile(out_dir / "bigrams.tsv.gz", "wb", mtime=0) as fh:
        fh.write("".join(rows).encode("utf-8"))
    meta = {"tokens": sum(uni.values()), "types": len(uni), "bigrams": len(bi),
            "sources": names}
    (out_dir / "bigrams_meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False)
                                               + "\n", encoding="utf-8")
    print(f"bigrams: {meta['tokens']} tokens, {len(bi)} bigrams", file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--text", type=Path, nargs="*", default=DEFAULT_TEXTS,
                    help="clean Danish text files whose vocabulary is added (default: seeds "
                         "000 and 004; 001, 002 and 003 are held out for evaluation)")
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "lexicon")
    ap.add_argument("--gain", type=float, default=1.3,
                    help="min Zipf gain for an automatic real-word correction")
    ap.add_argument("--bigrams-only", action="store_true",
                    help="only rebuild bigrams.tsv.gz (the context model, a few seconds)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    build_bigrams(args.out)
    if args.bigrams_only:
        return 0

    from stratcompare.repair.channel import load_rules  # the same table the repairer uses

    print("reading wordfreq ...", file=sys.stderr)
    freq = wordfreq_words()
    print("reading spacy-lookups-data ...", file=sys.stderr)
    sp = spacy_words()
    print("expanding hunspell-da ...", file=sys.stderr)
    hs, parts = hunspell_words()
    tx = text_words(args.text)
    places = [ln.strip() for ln in (ROOT / "src/stratcompare/data/repair/places.txt")
              .read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]

    proper: dict[str, bool] = {}
    for src in (sp, hs, tx):
        for w, cap in src.items():
            proper[w] = proper.get(w, True) and cap
    for w in freq:
        proper[w] = False  # wordfreq is lower-cased: no case evidence, assume common word
    for p in places:
        for part in [p, *p.split("-")]:
            proper.setdefault(part.lower(), True)

    place_set = {part.lower() for p in places for part in [p, *p.split("-")]}
    entries = {}
    for w, cap in proper.items():
        if not w or len(w) > 60:
            continue
        z = freq.get(w)
        in_dict = w in sp or w in hs or w in tx or w in place_set
        flags = ("P" if cap else "") + ("F" if z is not None else "") + ("D" if in_dict else "")
        zz = z if z is not None else FLOOR_ZIPF + (0.5 if w in tx else 0.0)
        if w in [p.lower() for p in places]:
            zz = max(zz, 3.0)
        entries[w] = (zz, flags)
    for w in parts:
        if w not in entries and len(w) >= 3:
            entries[w] = (FLOOR_ZIPF, "C")

    # Real-word confusions: a valid word that is the OCR form of a much more frequent one.
    rules = [(o, t, c) for o, t, c in load_rules() if t in "æøåÆØÅ" and o and o in "aeg@sopdz"
             or (o, t) in {("ae", "æ"), ("ee", "æ")}]
    realword: dict[str, tuple[str, float, float]] = {}  # token -> (word, gain, z - cost)
    for w, z in sorted(freq.items(), key=lambda kv: -kv[1]):
        if z < 3.0 or not any(ch in w for ch in "æøå"):
            continue
        for t, cost in forward_confusions(w, rules).items():
            if t == w or t not in entries or len(t) < 2:
                continue
            gain = z - entries[t][0]
            # a word missing from wordfreq is not proven rare: demand a common target then
            need = args.gain if "F" in entries[t][1] else max(args.gain, 3.0)
            # of several twins ("gar": går, gør) keep the likeliest: frequency minus cost
            if gain >= need and (t not in realword or realword[t][2] < z - cost):
                realword[t] = (w, gain, z - cost)

    args.out.mkdir(parents=True, exist_ok=True)
    words = sorted(w for w, (_, f) in entries.items() if f != "C")
    with gzip.GzipFile(args.out / "words.txt.gz", "wb", mtime=0) as fh:
        fh.write("\n".join(words).encode("utf-8"))
    bits = {"P": 1, "F": 2, "D": 4}
    zb = bytes(min(255, round(entries[w][0] * 10)) for w in words)
    fb = bytes(sum(bits[c] for c in entries[w][1]) for w in words)
    with gzip.GzipFile(args.out / "attrs.bin.gz", "wb", mtime=0) as fh:
        fh.write(zb + fb)
    with gzip.GzipFile(args.out / "parts.txt.gz", "wb", mtime=0) as fh:
        fh.write("\n".join(sorted(w for w, (_, f) in entries.items() if f == "C")).encode("utf-8"))
    with gzip.GzipFile(args.out / "realword.tsv.gz", "wb", mtime=0) as fh:
        fh.write("".join(f"{t}\t{w}\t{g:.2f}\n" for t, (w, g, _) in sorted(realword.items()))
                 .encode("utf-8"))
    meta = {
        "version": VERSION,
        "words": len(entries),
        "realword": len(realword),
        "sources": {
            "spacy-lookups-data da_lemma_lookup": {"forms": len(sp), "licence": "MIT"},
            "wordfreq da": {"words": len(freq), "licence": "CC-BY-SA-4.0 (data)"},
            "hunspell-da da_DK": {"forms": len(hs), "compound_parts": len(parts),
                                  "licence": "LGPL-2.1 or GPL-2 or MPL-1.1"},
            "places.txt": {"names": len(places)},
            "texts": [p.name for p in args.text],
        },
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    print(json.dumps(meta, ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
