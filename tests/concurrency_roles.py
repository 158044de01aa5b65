"""One role of tests/test_concurrency.py, run as its own process: classify, embed or search in a
loop on a shared database until a stop file appears.

    python tests/concurrency_roles.py ROLE DB STOP_FILE OUT_JSON

Writes {"runs": n, "errors": [...], "found": {...}} to OUT_JSON.  The search role, once the stop
file exists, searches for every token listed in it (the latest edit of each file) with the
caches it built during the run — a stale index would miss them.
"""

from __future__ import annotations

import json
import random
import sys
import time
import traceback
from pathlib import Path


def main(role: str, db: str, stop: str, out: str) -> int:
    from stratcompare.classify import Codebook, ThemeClassifier, classify_passages
    from stratcompare.embed import get_encoder
    from stratcompare.embed.storage import embed_passages
    from stratcompare.errors import StratcompareError
    from stratcompare.search import search, sync_fts
    from stratcompare.store import Store

    enc = get_encoder("hashing")
    model = ThemeClassifier.zero_shot(Codebook.load(), encoder=enc) if role == "classify" else None
    words = ["bolig", "hjemløse", "beskæftigelse", "misbrug", "psykiatri", "handicap", "unge"]
    runs, errors, found = 0, [], {}
    rng = random.Random(role)
    store = Store.open(db)  # one long-lived connection, as a server would hold
    try:
        while not Path(stop).exists():
            try:
                if role == "classify":
                    classify_passages(store.conn, model=model)
                elif role == "embed":
                    embed_passages(store.conn, enc, progress=False)
                    sync_fts(store.conn)
                elif role == "search":
                    mode = rng.choice(["lexical", "hybrid", "dense"])
                    search(store.conn, rng.choice(words), mode=mode, encoder=enc, top_k=5)
                runs += 1
            except StratcompareError as exc:  # a one-line error is a failure here too
                errors.append(f"{type(exc).__name__}: {exc}")
            except Exception:  # noqa: BLE001 - report, the test fails on any
                errors.append(traceback.format_exc(limit=3))
            time.sleep(0.05)
        if role == "search":
            expected = json.loads(Path(stop).read_text() or "{}")
            for name, token in expected.items():
                hits = {m: [h.text for h in search(store.conn, token, mode=m, encoder=enc, top_k=3)]
                        for m in ("lexical", "hybrid")}
                found[name] = {m: any(token in t for t in texts) for m, texts in hits.items()}
    finally:
        store.close()
    Path(out).write_text(json.dumps({"runs": runs, "errors": errors, "found": found}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
