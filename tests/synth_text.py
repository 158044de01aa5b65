"""Synthetic corpora for tests and benchmarks: realistic-looking Danish policy sentences at any size."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

SUBJECTS = [
    "Kommunen", "Vi", "Socialområdet", "Familieafdelingen", "Jobcentret", "Byrådet", "Forvaltningen",
    "Myndighedsafdelingen", "Rusmiddelcentret", "Socialpsykiatrien", "Børne- og ungeområdet",
]
VERBS = [
    "vil styrke", "prioriterer", "udvikler", "investerer i", "samarbejder om", "evaluerer",
    "udbygger", "nytænker", "målretter", "sikrer", "afprøver", "omlægger",
]
TOPICS = [
    "Housing First og bostøtte til hjemløse unge", "tidlig opsporing af børn i mistrivsel",
    "forebyggende rådgivning til familier", "beskæftigelse og uddannelse for udsatte borgere",
    "rusmiddelbehandling og misbrugsindsatser", "anbringelser i familiepleje og netværkspleje",
    "samskabelse med frivillige foreninger", "borgerinddragelse og recovery", "økonomisk styring af budgettet",
    "data og effektmåling af indsatserne", "psykisk sårbare voksne og socialpsykiatri",
    "tværfaglig koordinering mellem afdelingerne", "den mindst indgribende indsats", "fællesskaber og inklusion",
    "botilbud og bofællesskaber", "handicapområdet og retssikkerhed", "ledelse og organisering",
]
TAILS = [
    "så borgerne oplever sammenhæng", "i tæt dialog med borgeren", "inden for den afsatte ramme",
    "med fokus på progression", "i samarbejde med regionen", "frem mod 2030", "med afsæt i evidens",
    "så færre får brug for dyre tilbud", "for at mindske udgiftsvæksten", "gennem hele livet",
]
MUNICIPALITIES = [
    "Aarhus", "Odense", "Aalborg", "Esbjerg", "Randers", "Kolding", "Horsens", "Vejle", "Roskilde",
    "Herning", "Silkeborg", "Næstved", "Fredericia", "Viborg", "Køge", "Holstebro", "Slagelse",
    "Hjørring", "Svendborg", "Haderslev",
]


@dataclass
class SynthPassage:
    page: int
    section: str | None
    text: str


@dataclass
class SynthDocument:
    municipality: str
    title: str
    year_start: int | None
    year_end: int | None
    passages: list[SynthPassage] = field(default_factory=list)
    path: str = ""


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(TOPICS)} {rng.choice(TAILS)}."


def _zipf_vocabulary(size: int = 20000):
    """Danish words with their corpus frequencies (wordfreq), or None when wordfreq is missing."""
    try:
        import wordfreq
    except ImportError:
        return None
    words = [w for w in wordfreq.top_n_list("da", size) if w.isalpha()]
    weights = [wordfreq.word_frequency(w, "da") for w in words]
    total, acc, cum = sum(weights), 0.0, []
    for w in weights:
        acc += w / total
        cum.append(acc)
    return words, cum


def synthetic_documents(
    n_passages: int, per_document: int = 200, seed: int = 0, realistic_vocabulary: bool = False
) -> Iterator[SynthDocument]:
    """Documents totalling ``n_passages`` passages.

    By default a passage is 2-5 template policy sentences.  With ``realistic_vocabulary`` it is
    one template sentence plus 25-60 words drawn from Danish word frequencies, so that term
    document frequencies look like real text (benchmarks: BM25 cost depends on them).
    """
    rng = random.Random(seed)
    vocab = _zipf_vocabulary() if realistic_vocabulary else None
    made, d = 0, 0
    while made < n_passages:
        muni = MUNICIPALITIES[d % len(MUNICIPALITIES)]
        start = 2018 + d % 6
        doc = SynthDocument(muni, f"Strategi {d} for det specialiserede socialområde", start, start + 4,
                            path=f"/synthetic/{d:06d}.txt")
        for i in range(min(per_document, n_passages - made)):
            if vocab is None:
                text = " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))
            else:
                filler = rng.choices(vocab[0], cum_weights=vocab[1], k=rng.randint(25, 60))
                text = sentence(rng) + " " + " ".join(filler).capitalize() + "."
            doc.passages.append(SynthPassage(page=1 + i // 6, section=f"Afsnit {1 + i // 20}", text=text))
        made += len(doc.passages)
        d += 1
        yield doc


def write_documents(store, docs) -> int:
    """Write SynthDocuments through the store API (one transaction per document); returns passages."""
    from stratcompare.store import DocumentRecord, PassageRecord

    total = 0
    for doc in docs:
        doc_id = hashlib.sha256((doc.path + doc.title).encode()).hexdigest()[:16]
        passages = [
            PassageRecord(id=f"{doc_id}-{i:05d}", seq=i, page=p.page, section=p.section, char_start=None,
                          char_end=None, raw_text=p.text, text=p.text, words=len(p.text.split()))
            for i, p in enumerate(doc.passages)
        ]
        record = DocumentRecord(
            id=doc_id, path=doc.path or f"/synthetic/{doc_id}", source_key=doc.path or doc_id, kind="text",
            municipality=doc.municipality, title=doc.title, year_start=doc.year_start, year_end=doc.year_end,
            pages=max((p.page for p in doc.passages), default=0), words=sum(p.words for p in passages),
        )
        store.replace_document(record, [], passages)
        total += len(passages)
    return total


def build_store(path: str | Path, docs) -> "object":
    """A fresh store at ``path`` holding ``docs``; returns the open Store."""
    from stratcompare.store import Store

    store = Store.open(path)
    write_documents(store, docs)
    return store
