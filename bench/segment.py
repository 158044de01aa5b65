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


def _example(name: str, seg) -> str:
    text = seg.text.replace("\n", " / ")
    return f"{name[:40]} p{seg.page} [{seg.kind}] {text[:90]!r}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--structural", action="store_true",
                    help="segmenter alone: structural kinds, no refinement, no tables")
    ap.add_argument("--examples", type=int, default=5, help="worst examples shown per set")
    ap.add_argument("--kinds-labels", type=Path, default=None,
                    help="JSONL hand labels {source, seq|text, kind}: report kind agreement")
    ap.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = ap.parse_args(argv)

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
