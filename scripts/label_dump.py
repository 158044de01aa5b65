"""Cut real page texts into passages to label (a todo file without themes).

Why: hand labels must be coded on exactly the passages the pipeline cuts, every passage of every
document (the no-theme majority included), with stable ids a labeller and a second coder share.
Reads `stratcompare passages --format jsonl` output and writes one todo line per passage:
{"id": "real-<file stem>-<seq>", "text", "municipality", "source", "written": false}; the
municipality comes from the folder's SOURCES.tsv, not from detection.

Example:
    .venv/bin/stratcompare ingest corpus/real/pages --db /tmp/lab_pages.db --no-repair
    .venv/bin/stratcompare passages --db /tmp/lab_pages.db --all-kinds --format jsonl \
        | .venv/bin/python scripts/label_dump.py --sources corpus/real/pages/SOURCES.tsv \
          --prefix real/pages > corpus/labels/real_pages.todo.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path


def read_sources(path: Path) -> dict[str, str]:
    """File name -> municipality, from a SOURCES.tsv with `file` and `municipality` columns."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row["municipality"] for row in csv.DictReader(fh, delimiter="\t")}


def todo_rows(passages: list[dict], sources: dict[str, str], prefix: str) -> list[dict]:
    """One todo row per passage, numbered per document in document order."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for p in passages:
        by_doc[Path(p["document_path"]).name].append(p)
    missing = sorted(set(sources) - set(by_doc))
    if missing:
        print(f"warning: no passages for {len(missing)} files: {missing}", file=sys.stderr)
    rows = []
    for name in sorted(by_doc):
        if name not in sources:
            raise SystemExit(f"{name}: not in SOURCES.tsv (add it or drop the file)")
        for seq, p in enumerate(by_doc[name]):  # `passages` lists in document order
            rows.append({
                "id": f"real-{Path(name).stem}-{seq:03d}",
                "text": p["text"],
                "municipality": sources[name],
                "source": f"{prefix}/{name}",
                "written": False,
            })
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=Path, required=True, help="SOURCES.tsv of the folder")
    ap.add_argument("--prefix", default="real/pages", help="source field prefix")
    ap.add_argument("input", nargs="?", type=Path, help="passages jsonl (default stdin)")
    args = ap.parse_args(argv)
    lines = (args.input.open(encoding="utf-8") if args.input else sys.stdin).read().splitlines()
    passages = [json.loads(line) for line in lines if line.strip()]
    for row in todo_rows(passages, read_sources(args.sources), args.prefix):
        print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
