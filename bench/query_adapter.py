"""Query-side adapter for the dense half of search: build synthetic pairs, train, measure (tune half only).

An experiment of session 6 (docs/benchmarks.md, "Recall, session 6: a query-side adapter for the
dense half"); it was NOT adopted, so nothing in the package reads what this writes.  The stored
passage vectors stay as they are; only the query vector is mapped,

    q' = normalize(q + W q)          (W 384 x 384, or U V^T of rank r; W = 0 is the plain model)

trained with a multi-positive InfoNCE loss (temperature tau) against FIXED passage vectors, with
lam * |W|^2 pulling the map toward the identity and, optionally, keep * (q'.m - q.m)^2 (m = the
mean passage vector) keeping the cosine level that the match-strength map reads.

Synthetic query -> passage pairs, only from material outside the test half:
* field store passages (content/list/table) of the tune municipalities of corpus/real/split.tsv and
  of the bundled corpus, with their stored vectors: section heading -> every passage under it;
  document title + heading -> the same; one sentence -> the rest of its passage (inverse cloze;
  the rest is encoded as a passage, a training target only);
* invented texts: corpus/labels/written*.jsonl (one sentence -> the rest), tests/fixtures/kinds_dev/
  (a heading -> the content passage after it);
* the codebook (label, terms, examples) -> passages labelled with that theme in corpus/labels
  (bundled, written, and tune-municipality labels).
The relevance set's queries are never used for training; the evaluation reads the tune half only.

Usage:
    python bench/query_adapter.py --train --field-db COPY.db [--bundled-db CORPUS.db] [--out A.npz]
        [--rank 0] [--lam 0.1] [--tau 0.02] [--keep 0] [--steps 200] [--folds 3] [--cache DIR]

COPY.db: a copy of a field store built by bench/search.py (its passages embedded by the default
e5-small); CORPUS.db: corpus/ ingested and embedded (for the bundled judgments).  Prints: training
pairs, held-out synthetic figures (groups left out by municipality / invented document), and tune
dense and hybrid recall@10 / nDCG@10 / MRR with and without the adapter, queries up / down and the
"no strong matches" verdict.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("STRATCOMPARE_SRC") or str(REPO / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SENT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9•\-])")
FIELD = REPO / "tests" / "fixtures" / "relevance" / "field_queries.json"
JUDGMENTS = REPO / "tests" / "fixtures" / "relevance" / "judgments.json"


# --- synthetic pairs ---------------------------------------------------------------------------
def tune_municipalities() -> set[str]:
    out = set()
    for line in (REPO / "corpus/real/split.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip() or line.startswith("municipality"):
            continue
        m, part = line.split("\t")
        if part == "tune":
            out.add(m)
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENT.split(" ".join(text.split())) if s.strip()]


def heading(h: str | None) -> str | None:
    h = " ".join((h or "").split())
    return h if 3 <= len(h) <= 120 and len(h.split()) <= 14 else None


def build_pairs(db: Path) -> tuple[list[dict], list[dict], list[str]]:
    """Passages {key, text, vec|None, group} and queries {text, kind, pos, group}; the input files."""
    tune = tune_municipalities()
    passages: list[dict] = []
    queries: list[dict] = []
    con = sqlite3.connect(db)
    for pid, text, section, title, muni, path, blob in con.execute(
            "SELECT p.id, p.text, p.section, d.title, d.municipality, d.path, e.vector FROM passages p "
            "JOIN documents d ON d.id = p.document_id JOIN embeddings e ON e.passage_id = p.id "
            "WHERE p.kind IN ('content','list','table') ORDER BY d.path, p.seq"):
        real = "/corpus/real/" in path
        if real and muni not in tune:
            continue  # the test part (and documents outside the split) never enter
        passages.append(dict(key=pid, text=text, vec=np.frombuffer(blob, dtype=np.float32).copy(),
                             group=muni if real else "bundled:" + (muni or "?"), section=section, title=title))
    con.close()
    under: dict[tuple, list[str]] = {}
    for p in passages:
        h = heading(p["section"])
        if h:
            under.setdefault((p["group"], p["title"], h), []).append(p["key"])
    for (g, title, h), keys in under.items():
        queries.append(dict(text=h, kind="heading", pos=keys, group=g))
        t = heading(title)
        if t and t.casefold() != h.casefold():
            queries.append(dict(text=f"{t} {h}", kind="title_heading", pos=keys, group=g))
    rng = random.Random(0)
    rest = []
    for p in passages:
        ss = sentences(p["text"])
        if len(ss) < 2:
            continue
        i = rng.randrange(len(ss))
        if not 4 <= len(ss[i].split()) <= 30:
            i = 0
            if not 4 <= len(ss[0].split()) <= 30:
                continue
        key = "ict:" + p["key"]
        rest.append(dict(key=key, text=" ".join(ss[:i] + ss[i + 1:]), vec=None, group=p["group"]))
        queries.append(dict(text=ss[i], kind="ict", pos=[key, p["key"]], group=p["group"]))
    passages += rest
    files = []
    labelled: list[tuple[str, list[str]]] = []
    for name in ("written.jsonl", "written2.jsonl"):
        f = REPO / "corpus/labels" / name
        files.append(f)
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            key = "w:" + r["id"]
            passages.append(dict(key=key, text=r["text"], vec=None, group="written"))
            labelled.append((key, r["themes"]))
            ss = sentences(r["text"])
            if len(ss) >= 2 and 4 <= len(ss[0].split()) <= 30:
                passages.append(dict(key="ict:" + key, text=" ".join(ss[1:]), vec=None, group="written"))
                queries.append(dict(text=ss[0], kind="ict", pos=["ict:" + key, key], group="written"))
    for name in ("corpus.jsonl", "real_pages.jsonl", "real_pdfs.jsonl"):
        f = REPO / "corpus/labels" / name
        files.append(f)
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            m = r.get("municipality")
            if (name != "corpus.jsonl" and m not in tune) or not r["themes"]:
                continue
            key = f"lab:{name}:{r['id']}"
            passages.append(dict(key=key, text=r["text"], vec=None,
                                 group=("bundled:" + (m or "?")) if name == "corpus.jsonl" else m))
            labelled.append((key, r["themes"]))
    for f in sorted((REPO / "tests/fixtures/kinds_dev").glob("*.txt")):
        files.append(f)
        blocks: list[list] = []
        for line in f.read_text(encoding="utf-8").split("\n---\n", 1)[-1].splitlines():
            if line.startswith("#") or line.startswith("~~~"):
                continue
            m = re.match(r"@(\w+)\+?\s*$", line)
            if m:
                blocks.append([m.group(1), []])
            elif blocks:
                blocks[-1][1].append(line)
        head = None
        for kind, lines in blocks:
            text = " ".join(" ".join(lines).split())
            if kind == "heading" and text:
                head = heading(text)
            elif kind in ("content", "list") and len(text.split()) >= 8:
                key = f"dev:{f.stem}:{len(passages)}"
                passages.append(dict(key=key, text=text, vec=None, group="dev:" + f.stem))
                if head:
                    queries.append(dict(text=head, kind="heading", pos=[key], group="dev:" + f.stem))
    cb_file = REPO / "src/stratcompare/data/codebook.toml"
    files.append(cb_file)
    for th in tomllib.loads(cb_file.read_text(encoding="utf-8"))["themes"]:
        pos = [k for k, ts in labelled if th["id"] in ts]
        if not pos:
            continue
        for q in [th["label_da"]] + [t.strip("*") for t in th["terms"] if len(t.strip("*")) >= 4]:
            queries.append(dict(text=q, kind="theme_term", pos=pos, group="codebook:" + th["id"]))
        for ex in th.get("examples", []):
            queries.append(dict(text=ex, kind="theme_example", pos=pos, group="codebook:" + th["id"]))
    return passages, queries, [str(f.relative_to(REPO)) for f in files]


def encode(passages, queries, enc, cache: Path) -> None:
    """Fill in the vectors (encoded once, cached in ``cache`` by text hash)."""
    store = dict(np.load(cache)) if cache.exists() else {}

    def key(prefix, text):
        return prefix + hashlib.sha1(text.encode("utf-8")).hexdigest()

    todo_p = sorted({p["text"] for p in passages if p["vec"] is None and key("p", p["text"]) not in store})
    todo_q = sorted({q["text"] for q in queries if key("q", q["text"]) not in store})
    for texts, prefix, fn in ((todo_p, "p", lambda t: enc.encode_passages(t, batch_size=16)),
                              (todo_q, "q", enc.encode_queries)):
        if texts:
            for t, v in zip(texts, fn(texts)):
                store[key(prefix, t)] = v
    if todo_p or todo_q:
        np.savez(cache, **store)
    for p in passages:
        if p["vec"] is None:
            p["vec"] = store[key("p", p["text"])]
    for q in queries:
        q["vec"] = store[key("q", q["text"])]


def tensors(passages, queries):
    index = {p["key"]: i for i, p in enumerate(passages)}
    Q = np.stack([q["vec"] for q in queries]).astype(np.float32)
    P = np.stack([p["vec"] for p in passages]).astype(np.float32)
    pos = np.zeros((len(queries), len(passages)), dtype=bool)
    for i, q in enumerate(queries):
        pos[i, [index[k] for k in q["pos"]]] = True
    return Q, P, pos


# --- the map -----------------------------------------------------------------------------------
def train(Q, P, pos, rank=0, lam=0.1, tau=0.02, keep=0.0, steps=200, lr=3e-3, seed=0) -> np.ndarray:
    """W minimising multi-positive InfoNCE over all passages + lam |W|^2 (+ keep x cosine-level drift)."""
    import torch

    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    d = Q.shape[1]
    q, p, m = torch.from_numpy(Q), torch.from_numpy(P), torch.from_numpy(pos)
    if rank:
        U = torch.zeros(d, rank, requires_grad=True)
        V = (torch.randn(rank, d) / np.sqrt(d)).requires_grad_(True)
        params, get_w = [U, V], (lambda: U @ V)
    else:
        W0 = torch.zeros(d, d, requires_grad=True)
        params, get_w = [W0], (lambda: W0)
    opt = torch.optim.Adam(params, lr=lr)
    mean_p = p.mean(0)
    level = q @ mean_p
    for _ in range(steps):
        W = get_w()
        qa = q + q @ W.T
        qa = qa / qa.norm(dim=1, keepdim=True)
        s = qa @ p.T / tau
        loss = (torch.logsumexp(s, 1) - torch.logsumexp(s.masked_fill(~m, -1e9), 1)).mean() + lam * (W ** 2).sum()
        if keep:
            loss = loss + keep * ((qa @ mean_p - level) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return get_w().detach().numpy().astype(np.float32)


def apply(W, Q):
    if W is None:
        return Q
    X = Q + Q @ W.T
    return (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)


def ranking_figures(Q, P, pos, W=None, k=10) -> tuple[float, float]:
    """MRR and recall@k of the synthetic queries over the passage pool."""
    order = np.argsort(-(apply(W, Q) @ P.T), axis=1)
    rr, rec = [], []
    for i in range(len(Q)):
        hit = pos[i, order[i]]
        rr.append(1.0 / (np.argmax(hit) + 1) if hit.any() else 0.0)
        rec.append(hit[:k].sum() / min(k, pos[i].sum()))
    return float(np.mean(rr)), float(np.mean(rec))


def held_out(passages, queries, folds, **kw):
    """Leave groups out (a municipality, a bundled document's town, an invented file): train without
    their queries and passages, score their queries over the whole pool; mean over the folds."""
    groups = sorted({q["group"] for q in queries if not q["group"].startswith("codebook:")})
    random.Random(0).shuffle(groups)
    base, adapted = [], []
    for f in range(folds):
        out = set(groups[f::folds])
        tr_p = [p for p in passages if p["group"] not in out]
        keys = {p["key"] for p in tr_p}
        tr_q = [dict(q, pos=[k for k in q["pos"] if k in keys]) for q in queries if q["group"] not in out]
        W = train(*tensors(tr_p, [q for q in tr_q if q["pos"]]), **kw)
        te = tensors(passages, [q for q in queries if q["group"] in out])
        base.append(ranking_figures(*te))
        adapted.append(ranking_figures(*te, W=W))
    return np.mean(base, 0), np.mean(adapted, 0)


# --- search with the map -----------------------------------------------------------------------
class AdaptedQueries:
    """The default encoder with its query vectors mapped by W, applied only when the encoder is the
    model and vector version the map was trained for (else the plain query vector)."""

    def __init__(self, enc, W, model_id: str, vector_version: str | None):
        self.enc, self.W, self.cache = enc, W, {}
        self.model_id, self.dim = enc.model_id, enc.dim
        for attr in ("vector_version", "unrecorded_version"):
            if hasattr(enc, attr):
                setattr(self, attr, getattr(enc, attr))
        self.active = W is not None and enc.model_id == model_id and getattr(enc, "vector_version", None) == vector_version

    def encode_queries(self, texts):
        if texts[0] not in self.cache:
            self.cache[texts[0]] = self.enc.encode_queries(texts)
        return apply(self.W, self.cache[texts[0]]) if self.active else self.cache[texts[0]]

    def encode_passages(self, texts, **kw):
        return self.enc.encode_passages(texts, **kw)


def search_figures(db: Path, enc, W, meta, bundled: Path | None) -> None:
    from stratcompare.search.api import search_result
    from stratcompare.search.evaluate import evaluate, load_judgments, weak_match
    from stratcompare.store import Store

    judged = [q for q in load_judgments(FIELD) if q.part == "tune"]  # never the test half
    rel = [q for q in judged if q.items]
    store = Store.open(db)
    conn = store.conn
    print("| tune half | dense R@10 / nDCG / MRR | hybrid R@10 / nDCG / MRR | hybrid queries up / down | "
          "\"no strong matches\" flagged, precision / recall | ms per query (map only) |")
    print("|---|---|---|---|---|---|")
    runs = {}
    for label, w in (("plain e5-small", None), ("with the adapter", W)):
        a = AdaptedQueries(enc, w, meta["model_id"], meta["vector_version"])
        row = {mode: evaluate(conn, rel, lambda q: [h.passage_id for h in search_result(
            conn, q, mode=mode, encoder=a, top_k=10).hits]) for mode in ("dense", "hybrid")}
        wm = weak_match({q.id: search_result(conn, q.query, mode="hybrid", encoder=a).weak for q in judged}, judged)
        runs[label] = row
        d, h = row["dense"], row["hybrid"]
        updown = "—"
        if w is not None:
            before = {x["id"]: x["recall"] for x in runs["plain e5-small"]["hybrid"]["per_query"]}
            up = sum(x["recall"] > before[x["id"]] + 1e-9 for x in h["per_query"])
            down = sum(x["recall"] < before[x["id"]] - 1e-9 for x in h["per_query"])
            updown = f"{up} / {down}"
        q1 = np.ones((1, W.shape[0]), dtype=np.float32) / np.sqrt(W.shape[0])
        t = time.perf_counter()
        for _ in range(1000):
            apply(w, q1)
        ms = (time.perf_counter() - t) if w is not None else 0.0
        print(f"| {label} | {d['recall@10']:.3f} / {d['ndcg@10']:.3f} / {d['mrr']:.3f} | {h['recall@10']:.3f} / "
              f"{h['ndcg@10']:.3f} / {h['mrr']:.3f} | {updown} | {wm['flagged']} of {wm['queries']}, "
              f"{wm['precision']:.3f} / {wm['recall']:.3f} | {ms:.3f} |")
    store.close()
    if bundled:
        bj = load_judgments(JUDGMENTS)
        bs = Store.open(bundled)
        for label, w in (("plain e5-small", None), ("with the adapter", W)):
            a = AdaptedQueries(enc, w, meta["model_id"], meta["vector_version"])
            r = evaluate(bs.conn, bj, lambda q: [h.passage_id for h in search_result(
                bs.conn, q, mode="hybrid", encoder=a, top_k=10).hits])
            print(f"bundled corpus ({r['queries']} judged queries), {label}: hybrid recall@10 {r['recall@10']:.3f}, "
                  f"MRR {r['mrr']:.3f}")
        bs.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", action="store_true", help="build the pairs, train the map, measure it")
    ap.add_argument("--field-db", required=True, help="a COPY of a field store (bench/search.py), embedded")
    ap.add_argument("--bundled-db", default=None, help="corpus/ ingested and embedded, for judgments.json")
    ap.add_argument("--out", default=None, help="write the map here (.npz: W + meta JSON)")
    ap.add_argument("--rank", type=int, default=0, help="0 = a full 384 x 384 W")
    ap.add_argument("--lam", type=float, default=0.1)
    ap.add_argument("--tau", type=float, default=0.02)
    ap.add_argument("--keep", type=float, default=0.0, help="weight that keeps the mean cosine level")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--folds", type=int, default=3, help="held-out synthetic folds (0: skip)")
    ap.add_argument("--cache", default=None, help="folder for the encoded texts (default: a temp dir)")
    args = ap.parse_args()
    if not args.train:
        ap.error("nothing to do: pass --train")
    from stratcompare.embed import get_encoder

    enc = get_encoder()
    cache = Path(args.cache or tempfile.gettempdir()) / "query_adapter_vectors.npz"
    passages, queries, files = build_pairs(Path(args.field_db))
    encode(passages, queries, enc, cache)
    digest = hashlib.sha256()
    for q in queries:
        digest.update((q["text"] + "\t" + ",".join(q["pos"]) + "\n").encode("utf-8"))
    kinds: dict[str, int] = {}
    for q in queries:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    print(f"pairs: {len(queries)} queries ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}) over "
          f"{len(passages)} passages; digest {digest.hexdigest()[:12]}", flush=True)
    kw = dict(rank=args.rank, lam=args.lam, tau=args.tau, keep=args.keep, steps=args.steps)
    t = time.perf_counter()
    Q, P, pos = tensors(passages, queries)
    W = train(Q, P, pos, **kw)
    (b_mrr, b_rec), (a_mrr, a_rec) = ranking_figures(Q, P, pos), ranking_figures(Q, P, pos, W)
    print(f"trained {kw} in {time.perf_counter() - t:.0f} s; |W| = {np.linalg.norm(W):.3f}; training pairs "
          f"MRR / R@10 {b_mrr:.3f} / {b_rec:.3f} -> {a_mrr:.3f} / {a_rec:.3f}", flush=True)
    if args.folds:
        b, a = held_out(passages, queries, args.folds, **kw)
        print(f"held-out synthetic groups ({args.folds} folds): MRR / R@10 {b[0]:.3f} / {b[1]:.3f} -> {a[0]:.3f} / {a[1]:.3f}", flush=True)
    meta = {"format": "stratcompare-query-adapter", "model_id": enc.model_id,
            "vector_version": getattr(enc, "vector_version", None), "settings": kw,
            "pairs_digest": digest.hexdigest(), "inputs": files}
    if args.out:
        np.savez(args.out, W=W, meta=np.array(json.dumps(meta)))
        print(f"wrote {args.out}")
    search_figures(Path(args.field_db), enc, W, meta, Path(args.bundled_db) if args.bundled_db else None)


if __name__ == "__main__":
    main()
