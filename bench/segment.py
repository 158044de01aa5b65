"""Segmentation benchmark: are the passages what a reader would cut, on real documents?

Cuts the real page texts and PDFs of ``corpus/real/`` (split into the ``tune`` and ``test``
municipalities of ``corpus/real/split.tsv``) and the bundled corpus (``corpus/*.pdf|txt|html``)
the way ``stratcompare ingest`` does (project readers, detected genre, segmenter, passage kinds,
PDF tables), and prints per set:

* passages, documents, and the kinds given;
* the share of passages of 5 words or fewer outside the ``heading``/``toc``/``boilerplate``
  kinds (issue 9's target: at most 1 %), and the share of 15 characters or fewer;
* passages that are punctuation only (must be 0);
* the worst examples (shortest counted passages).

``--structural`` measures the segmenter alone (structural kinds, no kind refinement, no tables).
``--kinds-labels FILE`` (JSONL rows ``{"source", "seq" | "text", "kind"}``) also reports how
often the passage kind agrees with the hand label, per kind.

Usage:  python bench/segment.py [--structural] [--examples 5] [--kinds-labels FILE] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

SHORT_WORDS = 5
SHORT_CHARS = 15
EXCLUDED = ("heading", "toc", "boilerplate")
_WORD = re.compile(r"\w+")


@dataclass
class SetResult:
    name: str
    docs: int = 0
    passages: int = 0
    counted: int = 0                      # passages outside the excluded kinds
    short_words: list = field(default_factory=list)
    short_chars: list = field(default_factory=list)
    punctuation_only: list = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)

    def share(self, items: list) -> float:
        return len(items) / self.counted if self.counted else 0.0


def documents():
    """(set name, file name, path, extracted document) for every document of the three sets."""
    import realdocs

    for d in realdocs.all_docs():
        if d.path == realdocs.HTML_PAGE:
            continue                       # the bundled page is measured with the bundled set
        yield d.part, d.file, d.path, d.extracted
    for path in sorted(REPO.glob("corpus/*")):
        if path.suffix.lower() in (".pdf", ".txt", ".html"):
            yield "bundled", path.name, path, realdocs._extract(path)[0]


def segments_of(extracted, path: Path, structural: bool):
    """The passages ingest would store (or, with ``structural``, the segmenter's own)."""
    from stratcompare.ingest import pipeline
    from stratcompare.metadata.genre import detect_genre
    from stratcompare.segment import segment_pages

    if not structural and hasattr(pipeline, "_segments"):
        return pipeline._segments(extracted, path, pipeline.IngestOptions())[0]
    text = "\n\n".join(p.text or "" for p in extracted.pages[:3])
    genre, _ = detect_genre(extracted.title, text, source_kind=extracted.kind,
                            filename=path.name)
    segs = segment_pages(extracted.pages, genre=genre)
    if not structural:   # the ingest steps by hand, should the pipeline's helper move
        from stratcompare.segment.kinds import refine_kinds

        refine_kinds(segs, genre=genre)
    return segs


def measure(structural: bool = False):
    results: dict[str, SetResult] = {}
    cut: dict[str, list] = {}
    for part, name, path, extracted in documents():
        res = results.setdefault(part, SetResult(part))
        segs = segments_of(extracted, path, structural)
        cut[name] = segs
        res.docs += 1
        for s in segs:
            res.passages += 1
            res.kinds[s.kind] += 1
            if not _WORD.search(s.text):
                res.punctuation_only.append((name, s))
            if s.kind in EXCLUDED:
                continue
            res.counted += 1
            if len(_WORD.findall(s.text)) <= SHORT_WORDS:
                res.short_words.append((name, s))
            if len(s.text.strip()) <= SHORT_CHARS:
                res.short_chars.append((name, s))
    order = ["tune", "test", "bundled"]
    return [results[k] for k in order if k in results], cut


def kind_agreement(labels_file: Path, cut: dict[str, list]) -> dict[str, tuple[int, int]]:
    """Per hand-labelled kind: (passages whose kind agrees, passages matched).  Labels whose
    text no longer is a passage (the cutting changed since) are left out."""
    norm = " ".join
    out: dict[str, list[int]] = {}
    for line in labels_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        segs = cut.get(Path(row["source"]).name, [])
        seg = None
        if row.get("text"):   # the text names the passage even when the cutting changed
            want = norm(row["text"].split())
            seg = next((s for s in segs if norm(s.text.split()) == want), None)
        elif row.get("seq") is not None:
            seg = next((s for s in segs if s.seq == int(row["seq"])), None)
        if seg is None:
            continue
        agree, total = out.setdefault(row["kind"], [0, 0])
        out[row["kind"]] = [agree + (seg.kind == row["kind"]), total + 1]
    return {k: (a, t) for k, (a, t) in sorted(out.items())}


RECUT_KEEP = 0.80   # a label moves to a new passage whose words are >= 80 % those it named


def recut_labels(labels_file: Path) -> dict[str, int]:
    """Carry hand labels over to today's cut, mechanically, without reading them: each label
    moves to the passage of its document that holds most of its words (word sequence match),
    and is kept when that passage holds more than half of them and its own words are
    >= RECUT_KEEP the old text's (it is a piece of the labelled passage); else it is dropped.  Two labels landing on one passage keep the first when they
    agree, and both go when they disagree.  Rewrites the file; returns the counts."""
    import difflib

    import realdocs
    from stratcompare.metadata.genre import detect_genre
    from stratcompare.segment import segment_pages
    from stratcompare.segment.kinds import refine_kinds

    cut: dict[str, list] = {}
    for d in realdocs.all_docs():
        genre = detect_genre(d.title, "\n\n".join(d.pages[:3]), d.source_kind, d.file)[0]
        segs = segment_pages(d.extracted.pages, genre=genre)
        structural = [s.kind for s in segs]
        refine_kinds(segs, genre=genre)
        n = len(segs)
        cut[d.file] = [(s, k, i / (n - 1) if n > 1 else 0.0)
                       for i, (s, k) in enumerate(zip(segs, structural))]
    rows = [json.loads(ln) for ln in labels_file.read_text(encoding="utf-8").splitlines()
            if ln.strip()]
    counts = Counter()
    landed: dict[tuple[str, int], list[tuple[dict, bool]]] = {}
    kept = []
    for row in rows:
        if row.get("structural") == "table":
            kept.append(row)    # table passages come from the table finder, not the segmenter
            counts["kept, table passage (not cut by the segmenter)"] += 1
            continue
        old = row["text"].split()
        best, best_hit = None, 0
        for j, (seg, _, _) in enumerate(cut.get(row["source"], [])):
            sm = difflib.SequenceMatcher(None, old, seg.text.split(), autojunk=False)
            hit = sum(b.size for b in sm.get_matching_blocks())
            if hit > best_hit:
                best, best_hit = j, hit
        if best is None or best_hit <= 0.5 * len(old) or \
                best_hit < RECUT_KEEP * len(cut[row["source"]][best][0].text.split()):
            counts["dropped: no passage holds most of it and is >= 80 % its text"] += 1
            continue
        same = " ".join(old) == " ".join(cut[row["source"]][best][0].text.split())
        landed.setdefault((row["source"], best), []).append((row, same))
    for (source, j), hits in landed.items():
        if len({r["kind"] for r, _ in hits}) > 1:
            counts["dropped: labels of two kinds on one passage"] += len(hits)
            continue
        row, same = hits[0]
        counts["dropped: a second label of the same kind on one passage"] += len(hits) - 1
        counts["kept, text unchanged" if same else "kept, text re-cut"] += 1
        seg, structural, position = cut[source][j]
        kept.append(dict(row, text=seg.text, section=seg.section, structural=structural,
                         position=round(position, 4)))
    labels_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept),
                           encoding="utf-8")
    counts["labels before"] = len(rows)
    counts["labels after"] = len(kept)
    return dict(counts)


def _example(name: str, seg) -> str:
    text = seg.text.replace("\n", " / ")
    return f"{name[:40]} p{seg.page} [{seg.kind}] {text[:90]!r}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--structural", action="store_true",
                    help="segmenter alone: structural kinds, no refinement, no tables")
    ap.add_argument("--examples", type=int, default=5, help="worst examples shown per set")
    ap.add_argument("--test-examples", action="store_true",
                    help="also show the test part's examples (off: tuning reads the test part as counts)")
    ap.add_argument("--kinds-labels", type=Path, default=None,
                    help="JSONL hand labels {source, seq|text, kind}: report kind agreement")
    ap.add_argument("--markdown", action="store_true", help="print a markdown table")
    ap.add_argument("--recut-labels", type=Path, default=None,
                    help="move the hand labels of FILE to today's passages (mechanical), "
                         "rewrite FILE and print how many were kept and dropped")
    args = ap.parse_args(argv)
    if args.recut_labels:
        for k, v in recut_labels(args.recut_labels).items():
            print(f"{k}: {v}")
        return 0

    results, cut = measure(args.structural)
    if args.markdown:
        print("| set | docs | passages | counted | ≤5 words | ≤15 chars | punctuation only |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in results:
            print(f"| {r.name} | {r.docs} | {r.passages} | {r.counted} | "
                  f"{len(r.short_words)} ({100 * r.share(r.short_words):.1f} %) | "
                  f"{len(r.short_chars)} ({100 * r.share(r.short_chars):.1f} %) | "
                  f"{len(r.punctuation_only)} |")
    for r in results:
        print(f"\n== {r.name}: {r.docs} documents, {r.passages} passages, {r.counted} counted "
              f"(outside {'/'.join(EXCLUDED)})")
        print(f"   <= {SHORT_WORDS} words: {len(r.short_words)} "
              f"({100 * r.share(r.short_words):.2f} %, target <= 1 %)")
        print(f"   <= {SHORT_CHARS} chars: {len(r.short_chars)} "
              f"({100 * r.share(r.short_chars):.2f} %)")
        print(f"   punctuation only: {len(r.punctuation_only)}")
        print("   kinds: " + ", ".join(f"{k} {n}" for k, n in r.kinds.most_common()))
        worst = sorted(r.short_words + r.punctuation_only, key=lambda x: len(x[1].text))
        if r.name == "test" and not args.test_examples:
            continue  # the test part is read as counts only (tuning must not see its passages)
        for name, s in worst[:args.examples]:
            print("   - " + _example(name, s))
    if args.kinds_labels:
        if not args.kinds_labels.exists():
            print(f"\n(no kind labels at {args.kinds_labels} yet)")
        else:
            agree = kind_agreement(args.kinds_labels, cut)
            a = sum(x for x, _ in agree.values())
            t = sum(y for _, y in agree.values())
            print(f"\n== kind agreement with {args.kinds_labels.name}: "
                  f"{a}/{t} = {100 * a / t if t else 0:.1f} %")
            for k, (x, y) in agree.items():
                print(f"   {k}: {x}/{y} = {100 * x / y:.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
