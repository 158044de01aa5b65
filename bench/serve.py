"""Web application benchmark: `stratcompare serve` over synthetic stores of 10⁴ and 10⁵ passages.

For each size it
* builds a store through the store API (bench/search.py's synthetic passages: a template policy
  sentence plus 25-60 words with Danish word frequencies), indexes it (FTS5), stores one random
  384-d unit vector per passage under the e5-small model id (exact-search cost does not depend on
  the vectors' content; the query is encoded by the real e5-small) and two theme rows per passage;
* starts `stratcompare serve` as its own process and prints the start-up time to the first
  answered request (model loading included);
* times 50 staff-style queries as whole HTTP requests (the HTML search page and /api/search)
  beside the same query through the Python API (``stratcompare.search``) in this process,
  warm (after a few warm-up queries), p50/p95;
* at the largest size: 20 concurrent clients for 60 s on a mix of pages (search page, API search,
  passage, document, municipality, theme, compare + cell), counting errors and timing p50/p95.

Usage:  python bench/serve.py [--sizes 10000,100000] [--clients 20] [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import httpx  # noqa: E402

from stratcompare.compare.themes import bundled_theme_ids  # noqa: E402
from stratcompare.embed import get_encoder  # noqa: E402
from stratcompare.embed.storage import text_hash  # noqa: E402
from stratcompare.search import ensure_embeddings, ensure_fts, search, sync_fts  # noqa: E402
sys.path.insert(0, str(REPO / "tests"))  # the synthetic-corpus generator lives with the tests
from synth_text import synthetic_documents, write_documents  # noqa: E402
from stratcompare.store import Store  # noqa: E402

MODEL = "e5-small"
QUERIES = [
    "billige boliger til unge hjemløse", "housing first for unge", "tidlig indsats i dagtilbud",
    "forebyggelse af anbringelser", "bostøtte i eget hjem", "frivillige foreninger og civilsamfund",
    "borgerinddragelse i egen sag", "den mindst indgribende indsats", "økonomisk styring af budgettet",
    "effektmåling og data", "uddannelse og job til udsatte unge", "psykisk sårbare borgere",
    "rusmiddelbehandling for unge", "netværkspleje og plejefamilier", "recovery og rehabilitering",
    "socialpsykiatri og bofællesskaber", "ledelse og organisering", "fællesskaber og inklusion",
    "retssikkerhed på handicapområdet", "tværfaglig koordinering af sager", "samskabelse med virksomheder",
    "ungdomsboliger og bofællesskaber", "opsporing af mistrivsel", "investering i forebyggelse",
    "udgifter til botilbud", "kapacitet og egne tilbud", "familiebehandling", "misbrug og hjemløshed",
    "handicappolitik og tilgængelighed", "beskæftigelse for borgere på kanten", "skolefravær",
    "efterværn for unge over 18", "aflastning til familier", "kvalitetsstandarder", "døgnanbringelse",
    "sammenhængende indsats", "selvhjulpenhed og egenmestring", "hjemløsestrategi", "børn i mistrivsel",
    "samarbejde med regionen", "peermedarbejdere", "sociale investeringer", "digitale løsninger",
    "pårørende og netværk", "trivsel i skolen", "boligsociale indsatser", "udsatte familier",
    "botilbud og bostøtte", "forældreinddragelse", "akut hjælp uden visitation",
]


WARM_UP = ["opvarmning af indekset", "bolig", "tidlig", "job og uddannelse", "frivillige"]
# Load-test queries are a staff-style query plus one of these words, so that almost every
# search is new to the server (its per-URL cache would otherwise answer most of them).
SUFFIXES = ["kommune", "unge", "børn", "voksne", "familier", "2024", "indsats", "tilbud", "strategi", "mål",
            "handleplan", "evaluering", "samarbejde", "borgere", "økonomi", "kvalitet", "ledelse", "data",
            "forebyggelse", "trivsel", "sundhed", "bolig", "job", "skole", "netværk", "frivillige",
            "rådgivning", "visitation", "faglighed", "udvikling"]


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] * 1000


def build(path: Path, n: int, dim: int = 384) -> float:
    t0 = time.perf_counter()
    store = Store.open(path)
    write_documents(store, synthetic_documents(n, per_document=500, seed=n, realistic_vocabulary=True))
    sync_fts(store.conn)
    conn = store.conn
    rng = np.random.default_rng(0)
    themes = bundled_theme_ids()
    rows = conn.execute("SELECT id, text FROM passages ORDER BY rowid").fetchall()
    for start in range(0, len(rows), 20000):
        chunk = rows[start:start + 20000]
        v = rng.standard_normal((len(chunk), dim), dtype=np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        picks = rng.integers(0, len(themes), size=(len(chunk), 2))
        probs = rng.uniform(0.2, 0.95, size=(len(chunk), 2))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT OR REPLACE INTO embeddings(passage_id, model, text_hash, dim, vector) VALUES (?,?,?,?,?)",
            [(r[0], MODEL, text_hash(r[1]), dim, v[i].tobytes()) for i, r in enumerate(chunk)])
        conn.executemany(
            "INSERT OR IGNORE INTO passage_themes(passage_id, codebook, theme, probability, assigned, evidence, model) "
            "VALUES (?,?,?,?,?,?,?)",
            [(r[0], "stratcompare-social@1.0", themes[picks[i, k]], float(probs[i, k]), int(probs[i, k] > 0.5),
              None, "synthetic") for i, r in enumerate(chunk) for k in range(2)])
        conn.execute("COMMIT")
    store.close()
    return time.perf_counter() - t0


def mark_indexed(path: Path, enc) -> None:
    """Leave the search API's bookkeeping as `stratcompare embed` + a first search would."""
    with Store.open(path) as store:
        ensure_fts(store.conn)
        ensure_embeddings(store.conn, enc)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "stratcompare", "serve", "--db", str(db), "--port", str(port),
                             "--model", MODEL], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while True:
        if proc.poll() is not None:
            raise SystemExit("server died: " + proc.stderr.read()[-2000:])
        try:
            if httpx.get(base + "/", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return proc, base, time.perf_counter() - t0


def latency(db: Path, base: str, enc) -> dict:
    out = {}
    # "no-cache": the server searches anew instead of answering a repeated URL from its cache
    with httpx.Client(base_url=base, timeout=60, headers={"Cache-Control": "no-cache"}) as c, \
            Store.open(db) as store:
        for q in WARM_UP:                                 # warm both sides (not timed queries: the
            c.get("/", params={"q": q})                   # server caches answers per URL)
            search(store.conn, q, top_k=10, encoder=enc)
        t_page, t_api, t_py = [], [], []
        for q in QUERIES:
            t = time.perf_counter()
            r = c.get("/", params={"q": q, "n": 10})
            t_page.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text[:300]
            t = time.perf_counter()
            r = c.get("/api/search", params={"q": q, "n": 10})
            t_api.append(time.perf_counter() - t)
            assert r.status_code == 200 and r.json()["index_current"], r.text[:300]
            t = time.perf_counter()
            search(store.conn, q, top_k=10, encoder=enc)
            t_py.append(time.perf_counter() - t)
    for name, ts in (("HTML search page (whole HTTP request)", t_page), ("/api/search (whole HTTP request)", t_api),
                     ("Python API search() in the bench process", t_py)):
        out[name] = (pct(ts, 50), pct(ts, 95))
    return out


def load(db: Path, base: str, clients: int, seconds: float) -> dict:
    with Store.open(db) as store:
        conn = store.conn
        pids = [r[0] for r in conn.execute("SELECT id FROM passages ORDER BY random() LIMIT 300")]
        docs = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY random() LIMIT 20")]
        munis = [r[0] for r in conn.execute("SELECT DISTINCT municipality FROM documents")]
    themes = bundled_theme_ids()
    mix = [("search page", 30), ("api search", 15), ("passage", 20), ("document", 5), ("municipality", 10),
           ("theme", 8), ("compare", 7), ("cell", 5)]
    names = [m for m, _ in mix]
    weights = [w for _, w in mix]

    def url(kind: str, rng: random.Random) -> str:
        if kind == "search page":
            return "/?q=" + quote(rng.choice(QUERIES) + " " + rng.choice(SUFFIXES))
        if kind == "api search":
            return "/api/search?q=" + quote(rng.choice(QUERIES) + " " + rng.choice(SUFFIXES))
        if kind == "passage":
            return "/passage/" + quote(rng.choice(pids))
        if kind == "document":
            return "/document/" + rng.choice(docs)
        if kind == "municipality":
            return "/municipality/" + quote(rng.choice(munis))
        if kind == "theme":
            return "/theme/" + rng.choice(themes)
        if kind == "compare":
            return "/compare?matrix=" + rng.choice(["themes", "similarity", "cooccurrence"])
        return "/compare?cell=" + quote(f"{rng.choice(munis)}:{rng.choice(themes)}")

    times: dict[str, list[float]] = {n: [] for n in names}
    errors: list[str] = []
    seen: set[str] = set()
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=30) as c:
            while time.perf_counter() < stop:
                kind = rng.choices(names, weights)[0]
                u = url(kind, rng)
                with lock:
                    seen.add(u)
                t = time.perf_counter()
                try:
                    r = c.get(u)
                    ok = r.status_code == 200
                    why = f"{r.status_code} {u}"
                except httpx.HTTPError as exc:
                    ok, why = False, f"{type(exc).__name__} {u}"
                dt = time.perf_counter() - t
                with lock:
                    times[kind].append(dt)
                    if not ok:
                        errors.append(why)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    every = [t for ts in times.values() for t in ts]
    return {"requests": len(every), "distinct": len(seen), "errors": errors, "wall": wall, "p50": pct(every, 50), "p95": pct(every, 95),
            "max": max(every) * 1000, "per_kind": {k: (len(v), pct(v, 50), pct(v, 95)) for k, v in times.items() if v}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-serve-"))
    work.mkdir(parents=True, exist_ok=True)
    enc = get_encoder(MODEL)
    enc.encode_queries(["opvarmning"])
    print(f"# bench/serve.py — {time.strftime('%Y-%m-%d %H:%M')} UTC, load average {os.getloadavg()[0]:.1f}")
    for n in sizes:
        db = work / f"serve-{n}.db"
        if not db.exists():
            t = build(db, n)
            print(f"\n## {n:,} passages (built in {t:.0f} s)")
        else:
            print(f"\n## {n:,} passages (reused {db})")
        mark_indexed(db, enc)
        proc, base, startup = start_server(db)
        try:
            print(f"start-up to the first answered request: {startup:.1f} s (model loading included)")
            lat = latency(db, base, enc)
            print("| request | p50 | p95 |\n|---|---|---|")
            for name, (p50, p95) in lat.items():
                print(f"| {name} | {p50:.0f} ms | {p95:.0f} ms |")
            if n == max(sizes) and args.seconds > 0:
                res = load(db, base, args.clients, args.seconds)
                print(f"\n{args.clients} clients for {res['wall']:.0f} s: {res['requests']} requests "
                      f"({res['distinct']} distinct URLs) "
                      f"({res['requests'] / res['wall']:.1f}/s), {len(res['errors'])} errors, "
                      f"p50 {res['p50']:.0f} ms, p95 {res['p95']:.0f} ms, max {res['max']:.0f} ms")
                print("| page | requests | p50 | p95 |\n|---|---|---|---|")
                for k, (cnt, p50, p95) in res["per_kind"].items():
                    print(f"| {k} | {cnt} | {p50:.0f} ms | {p95:.0f} ms |")
                if res["errors"]:
                    print("errors (first 10):", res["errors"][:10])
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
