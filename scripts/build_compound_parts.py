"""Build src/stratcompare/data/lang/da/compounds_parts.txt, the parts vocabulary of the compound splitter.

Sources (the same ones models/lexicon is built from): spaCy's Danish lemma table
(spacy-lookups-data, MIT) for base forms, wordfreq's Danish list (CC-BY-SA 4.0) for frequent
words.  A part is a base form or frequent word of 4+ letters (or a listed short part), not a stop
word; frequent words (Zipf >= KEEP_ZIPF) are written with "=": lexicalised, never split.  Rare
words that themselves split into other parts are left out (the splitter finds their parts), which
keeps the file small.  Reproducible: sorted output, no randomness.

Usage: python scripts/build_compound_parts.py
"""

from __future__ import annotations

import glob
import gzip
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

KEEP_ZIPF = 4.0  # wordfreq Zipf of words treated as lexicalised ("overgang" 4.06, "sundhedspleje" 3.05)
MIN_ZIPF = 2.5  # wordfreq words below this only enter as lemma-table base forms
OUT = REPO / "src" / "stratcompare" / "data" / "lang" / "da" / "compounds_parts.txt"


def main() -> None:
    import spacy
    import spacy_lookups_data
    import wordfreq

    from stratcompare.config import word_list

    table = Path(spacy_lookups_data.__file__).parent / "data" / "da_lemma_lookup.json.gz"
    lemmas = {v.lower() for v in json.loads(gzip.decompress(table.read_bytes())).values()}
    stop = {w.lower() for w in spacy.blank("da").Defaults.stop_words}
    short = word_list("lang/da/compounds_short.txt")
    never = word_list("lang/da/compounds_not_parts.txt")
    freq = {w: wordfreq.zipf_frequency(w, "da") for w in wordfreq.iter_wordlist("da", "best")}

    def usable(w: str) -> bool:
        return w.isalpha() and (len(w) >= 4 or w in short) and w not in stop and w not in never

    atoms = {w for w, z in freq.items() if z >= KEEP_ZIPF and usable(w)}
    atoms |= set(word_list("lang/da/compounds_keep.txt"))
    parts = {w for w in lemmas if usable(w)} | {w for w, z in freq.items() if z >= MIN_ZIPF and usable(w)}
    parts |= atoms
    OUT.write_text("\n".join(sorted(parts)) + "\n", encoding="utf-8")  # full list first, to prune with

    from stratcompare.search import compounds

    compounds._vocab.cache_clear()
    compounds._best.cache_clear()
    kept = sorted(w for w in parts if w in atoms or len(w) < 8 or compounds._best(w, compounds.MAX_PARTS - 1) is None)
    header = [
        "# Parts vocabulary of stratcompare.search.compounds, built by scripts/build_compound_parts.py (do not edit).",
        "# One word per line; '=' marks a frequent word (wordfreq Zipf >= %.1f) that is never split itself." % KEEP_ZIPF,
        "# Derived from spaCy's Danish lemma table (spacy-lookups-data, MIT) and wordfreq (data CC-BY-SA 4.0).",
    ]
    OUT.write_text("\n".join(header + [("=" + w) if w in atoms else w for w in kept]) + "\n", encoding="utf-8")
    print(f"{len(parts)} candidate parts, {len(kept)} written ({len(atoms)} kept whole) -> {OUT}")


if __name__ == "__main__":
    main()
