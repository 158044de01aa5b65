"""Assemble the self-contained HTML report from the corpus database.

One file, no network: CSS inlined from ``data/report/``, figures as inline SVG, no scripts.
Every string from a document is HTML-escaped; every number links back to passages shown in the
report or reachable with ``stratcompare compare --cell``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from string import Template

import numpy as np

from stratcompare.compare import cooccurrence_matrix, similarity_matrix, theme_matrix
from stratcompare.compare.cells import PassageRef, attach_themes
from stratcompare.compare.corpus import CorpusIndex, corpus_index, in_clause
from stratcompare.compare.embeddings import load_vectors, resolve_model
from stratcompare.compare.matrices import cosine_rows
from stratcompare.compare.names import UNKNOWN, danish_sort_key, main_municipality
from stratcompare.compare.themes import ThemeSet, load_themes
from stratcompare.config import data_path
from stratcompare.errors import UnreadableFileError
from stratcompare.report.figures import heatmap_svg
from stratcompare.report.html import Raw, anchor, empty, esc, note, section, shorten, table
from stratcompare.report.similar import similar_pairs

TOP_PER_THEME = 5
TOP_PER_MUNICIPALITY = 5


def build_report(
    conn: sqlite3.Connection,
    out_path: str | Path,
    *,
    codebook: str | Path | None = None,
    model: str | None = None,
    genre: str | None = None,
) -> Path:
    """Write the report to ``out_path`` and return the path; ``genre`` limits it to
    documents of that genre.  Only substantive passages (``SUBSTANTIVE_KINDS``) count."""
    out_path = Path(out_path)
    from stratcompare.compare.corpus import corpus_genre

    genre = corpus_genre(conn, genre)   # one line for a genre no document has, not an empty report
    themes = load_themes(conn, codebook)
    index = corpus_index(conn, genre=genre)
    used_model = resolve_model(conn, model)
    vectors = None
    if used_model:
        vectors = load_vectors(conn, used_model, documents=list(index.doc_row))
    count = (theme_matrix(conn, codebook=codebook, normalise="count", genre=genre)
             if themes.has_labels else None)
    share = None
    if count is not None:
        share = replace(count, measure="share",
                        values=count.values / np.maximum(count.support, 1)[:, None])
    parts: list[tuple[str, str, str]] = []   # (anchor, nav title, html)

    docs = _documents(conn, genre)
    parts.append(("overview", "Overblik", _summary(conn, docs, index, themes, used_model)))
    parts.append(("themes", "Temaer", _theme_section(share, count)))
    parts.append(("similarity", "Ligheder",
                  _similarity_section(conn, share, used_model, vectors)))
    parts.append(("cooccurrence", "Samforekomst", _cooccurrence_section(conn, codebook, genre)))
    parts.append(("corpus", "Dokumenter", _corpus_section(docs)))
    parts.append(("top-themes", "Pr. tema", _top_per_theme(conn, index, themes, genre)))
    parts.append(("municipalities", "Pr. kommune", _per_municipality(conn, index, themes, share)))
    parts.append(("similar", "Lignende initiativer",
                  _similar_initiatives(conn, index, themes, used_model, vectors)))

    nav = "".join(f'<a href="#{esc(a)}">{esc(t)}</a>' for a, t, _ in parts)
    body = "\n".join(h for _, _, h in parts)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = (f"{_n_municipalities(index)} kommuner · {int(index.passages.sum())} passager · "
                + (f"kun dokumenttypen {_GENRE_DA[genre]} · " if genre else "")
                + f"kodebog {themes.codebook or '–'} · genereret {generated} af stratcompare")
    page = Template(data_path("report", "report.html").read_text(encoding="utf-8")).substitute(
        title=esc("Kommunale strategier – sammenligning"),
        subtitle=esc(subtitle),
        css=data_path("report", "report.css").read_text(encoding="utf-8"),
        nav=nav,
        body=body,
    )
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise UnreadableFileError(f"cannot write the report: {exc.strerror}", out_path,
                                  hint="check the folder exists and is writable") from None
    return out_path


def _n_municipalities(index: CorpusIndex) -> int:
    """Municipalities in the corpus: documents with none detected are a row, not a municipality."""
    return sum(1 for m in index.municipalities if m != UNKNOWN)


# -- data ------------------------------------------------------------------------------------
_DOC_COLUMNS = ["id", "municipality", "title", "path", "year_start", "year_end", "pages",
                "ocr_damage", "status", "kind", "genre", "passages"]
# the genre's word in the report's Danish (the web page's labels say the same, longer)
_GENRE_DA = {"strategy": "strategi", "minutes": "referat", "news": "nyhed", "other": "andet"}


def _documents(conn, genre: str | None = None) -> list[dict]:
    """Every document (of ``genre``, if given; failed ones last) with its passage count, in
    Danish municipality order."""
    rows = conn.execute(
        """SELECT d.id, d.municipality, d.title, d.path, d.year_start, d.year_end, d.pages,
                  d.ocr_damage, d.status, d.kind, d.genre, COALESCE(n.n, 0) AS passages
           FROM documents d LEFT JOIN (SELECT document_id, COUNT(*) AS n FROM passages
                                       GROUP BY document_id) n ON n.document_id = d.id
           WHERE ? IS NULL OR d.genre = ?""", (genre, genre)
    ).fetchall()
    docs = [dict(zip(_DOC_COLUMNS, tuple(r))) for r in rows]
    docs.sort(key=lambda d: (d["status"] == "failed",
                             danish_sort_key(main_municipality(d["municipality"])),
                             d["title"] or d["path"] or ""))
    return docs


def _year(ys, ye) -> str:
    if ys is None:
        return ""
    return str(ys) if ye in (None, ys) else f"{ys}–{ye}"


def _refs(conn, index: CorpusIndex, rows) -> list[PassageRef]:
    return [PassageRef(passage_id=r[0], municipality=index.municipalities[index.doc_row[r[1]]],
                       document_id=r[1], document=r[2], year=_year(r[3], r[4]) or None,
                       page=r[5], section=r[6], text=r[7], probability=r[8]) for r in rows]


_PCOLS = "ps.id, ps.document_id, d.title, d.year_start, d.year_end, ps.page, ps.section, ps.text"


def _passage_html(ref: PassageRef, themes: ThemeSet | None = None, extra: str = "") -> str:
    meta = [ref.municipality, ref.document or ref.document_id]
    if ref.year:
        meta.append(ref.year)
    meta.append(f"s. {ref.page}" if ref.page is not None else "side ukendt")
    if ref.section:
        meta.append(f"afsnit: {shorten(ref.section, 80)}")
    if ref.probability is not None:
        meta.append(f"sandsynlighed {ref.probability:.2f}")
    tags = ""
    if themes is not None and ref.themes:
        tags = " " + "".join(f'<span class="tag">{esc(themes.label(t))}</span>' for t in ref.themes)
    return (f'<div class="passage"><div class="meta">{esc(" · ".join(meta))}{extra}{tags}</div>'
            f'<p class="text">{esc(shorten(ref.text))}</p></div>')


# -- sections --------------------------------------------------------------------------------
def _summary(conn, docs, index: CorpusIndex, themes: ThemeSet, model: str | None) -> str:
    labelled = 0
    if themes.has_labels:
        labelled = conn.execute(
            "SELECT COUNT(DISTINCT passage_id) FROM passage_themes WHERE codebook = ? AND assigned = 1",
            (themes.codebook,)).fetchone()[0]
    embedded = conn.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?",
                            (model,)).fetchone()[0] if model else 0
    ok = [d for d in docs if d["status"] != "failed"]
    stats = [
        (len(ok), "dokumenter"), (_n_municipalities(index), "kommuner"),
        (int(index.passages.sum()), "passager"), (labelled, "passager med tema"),
        (embedded, "passager med embedding"),
    ]
    if len(docs) > len(ok):
        stats.append((len(docs) - len(ok), "fejlede filer"))
    boxes = "".join(f'<div class="stat"><b>{n}</b><span>{esc(label)}</span></div>'
                    for n, label in stats)
    notes = []
    if not themes.has_labels:
        notes.append(empty("Ingen temaer endnu: passagerne er ikke klassificeret. "
                           "Kør `stratcompare classify` og lav rapporten igen."))
    if model is None:
        notes.append(empty("Ingen embeddings endnu: lignende initiativer og indholdslighed kræver "
                           "`stratcompare embed`."))
    return section("overview", "Overblik", f'<div class="stats">{boxes}</div>', *notes)


def _theme_section(share, count) -> str:
    if share is None:
        return section("themes", "Temaer pr. kommune",
                       empty("Ingen temaer endnu — heatmap over kommuner × temaer vises, når "
                             "passagerne er klassificeret."))
    labels = [share.label(c) for c in share.cols]
    svg = heatmap_svg(share.values, share.rows, labels, percent=True, vmin=0,
                      value_label="% af kommunens passager")
    rows = []
    for i, m in enumerate(share.rows):
        cells = [Raw(f'<a href="#{anchor("m", m)}">{esc(m)}</a>'), int(share.support[i])]
        for j in range(len(share.cols)):
            c = int(count.values[i, j])
            cells.append(f"{100 * share.values[i, j]:.0f}% ({c})" if c else "·")
        rows.append(cells)
    legend = table(["tema-id", "tema"], [[c, share.label(c)] for c in share.cols])
    return section(
        "themes", "Temaer pr. kommune",
        note("Andel af kommunens passager, der har temaet (en lang strategi vejer ikke tungere "
             "end en kort). Tal i parentes: antal passager; se dem med "
             '`stratcompare compare --cell "KOMMUNE:TEMA"`.'),
        f'<figure class="heatmap" id="theme-heatmap">{svg}'
        f"<figcaption>Kommuner × temaer, kodebog {esc(share.codebook)}.</figcaption></figure>",
        "<details><summary>Tabel: andel (antal) pr. kommune og tema</summary>",
        table(["kommune", "passager"] + list(share.cols), rows,
              numeric=list(range(1, len(share.cols) + 2))),
        legend, "</details>",
    )


def _similarity_section(conn, share, model: str | None, vectors) -> str:
    parts = [note("Cosinus-lighed mellem kommunerne: af temaprofilerne (andele) og af "
                  "gennemsnittet af passagernes embeddings. Se de mest ens passagepar med "
                  '`stratcompare compare --cell "KOMMUNE:KOMMUNE"`.')]
    shown = False
    if share is not None and len(share.rows) > 1:
        sim = cosine_rows(share.values)
        svg = heatmap_svg(sim, share.rows, share.rows, vmin=0, vmax=1,
                          value_label="cosinus (temaprofil)")
        parts.append(f'<figure id="similarity-themes">{svg}'
                     "<figcaption>Lighed af temaprofiler.</figcaption></figure>")
        shown = True
    if model is not None:
        m = similarity_matrix(conn, basis="embeddings", model=model, vectors=vectors)
        if len(m.rows) > 1:
            svg = heatmap_svg(m.values, m.rows, m.cols, value_label="cosinus (embeddings)")
            parts.append(f'<figure id="similarity-embeddings">{svg}'
                         f"<figcaption>Lighed af gennemsnitlige passage-embeddings, model "
                         f"{esc(model)}.</figcaption></figure>")
            shown = True
    if not shown:
        parts.append(empty("Ingen lighedsmatrix: kræver temaer eller embeddings og mindst to "
                           "kommuner."))
    return section("similarity", "Ligheder mellem kommuner", *parts)


def _cooccurrence_section(conn, codebook, genre=None) -> str:
    m = cooccurrence_matrix(conn, codebook=codebook, genre=genre)
    if m.empty:
        return section("cooccurrence", "Temaers samforekomst",
                       empty("Ingen temaer endnu — samforekomst vises, når passagerne er "
                             "klassificeret."))
    labels = [m.label(c) for c in m.cols]
    svg = heatmap_svg(m.values, labels, labels, integers=True, vmin=0,
                      value_label="passager med begge temaer")
    return section("cooccurrence", "Temaers samforekomst",
                   note("Antal passager, der har begge temaer (MAXQDA: kodrelationer); "
                        "diagonalen er antallet med temaet."),
                   f'<figure id="cooccurrence-heatmap">{svg}</figure>')


def _corpus_section(docs: list[dict]) -> str:
    if not docs:
        return section("corpus", "Dokumenter", empty("Databasen har ingen dokumenter endnu."))
    with_ocr = any(d["ocr_damage"] is not None for d in docs)
    columns = ["kommune", "titel", "type", "år", "sider", "passager"]
    columns += ["OCR-skade"] if with_ocr else []
    columns += ["status"]
    rows, classes = [], []
    for d in docs:
        row = [d["municipality"] or "(ukendt)", d["title"] or Path(d["path"] or "").name,
               _GENRE_DA.get(d["genre"] or "", ""),
               _year(d["year_start"], d["year_end"]), d["pages"], d["passages"]]
        if with_ocr:
            row.append("" if d["ocr_damage"] is None else f"{100 * d['ocr_damage']:.1f}%")
        row.append(d["status"])
        rows.append(row)
        classes.append("failed" if d["status"] == "failed" else "")
    return section("corpus", "Dokumenter",
                   table(columns, rows, numeric=[4, 5] + ([6] if with_ocr else []),
                         row_classes=classes))


def _top_per_theme(conn, index: CorpusIndex, themes: ThemeSet, genre: str | None = None) -> str:
    """The strongest passages of each theme, from the documents the report covers (``genre``)."""
    if not themes.has_labels:
        return section("top-themes", "Stærkeste passager pr. tema",
                       empty("Ingen temaer endnu."))
    rows = conn.execute(
        f"""SELECT t.theme, {_PCOLS}, t.probability FROM (
                SELECT theme, passage_id, probability, ROW_NUMBER() OVER (
                    PARTITION BY theme ORDER BY probability DESC, passage_id) AS rn
                FROM passage_themes pt JOIN passages p ON p.id = pt.passage_id
                WHERE codebook = ? AND assigned = 1 AND p.document_id IN (SELECT id FROM
                  documents WHERE status != 'failed' AND (? IS NULL OR genre = ?))) t
            JOIN passages ps ON ps.id = t.passage_id JOIN documents d ON d.id = ps.document_id
            WHERE t.rn <= ? ORDER BY t.theme, t.probability DESC""",
        (themes.codebook, genre, genre, TOP_PER_THEME)).fetchall()
    totals = dict(conn.execute(
        """SELECT theme, COUNT(*) FROM passage_themes pt JOIN passages p ON p.id = pt.passage_id
           WHERE codebook = ? AND assigned = 1 AND p.document_id IN (SELECT id FROM documents
           WHERE status != 'failed' AND (? IS NULL OR genre = ?))
           GROUP BY theme""", (themes.codebook, genre, genre)).fetchall())
    by_theme: dict[str, list[PassageRef]] = {}
    for r in rows:
        by_theme.setdefault(r[0], []).extend(_refs(conn, index, [r[1:]]))
    attach_themes(conn, [x for v in by_theme.values() for x in v], themes)
    parts = []
    unused = [t for t in themes.ids if not by_theme.get(t)]
    for t in themes.ids:
        refs = by_theme.get(t, [])
        if not refs:
            continue
        head = f'<h3 id="{anchor("t", t)}">{esc(themes.label(t))} <small>({esc(t)})</small></h3>'
        munis = len({r.municipality for r in refs})
        parts.append(head + note(f"{totals.get(t, 0)} passager i alt; de {len(refs)} stærkeste "
                                 f"(fra {munis} kommuner):")
                     + "".join(_passage_html(r, themes) for r in refs))
    if unused:
        parts.append(note("Temaer uden passager: " + ", ".join(themes.label(t) for t in unused)
                          + "."))
    return section("top-themes", "Stærkeste passager pr. tema", *parts)


def _per_municipality(conn, index: CorpusIndex, themes: ThemeSet, share) -> str:
    if not index.municipalities:
        return section("municipalities", "Pr. kommune", empty("Ingen kommuner endnu."))
    parts = []
    for row, name in enumerate(index.municipalities):
        docs = index.docs_of(row)
        titles = conn.execute(
            f"SELECT title, path, year_start, year_end FROM documents WHERE id IN {in_clause(docs)[0]}",
            docs).fetchall()
        doc_list = "; ".join(f"{t[0] or Path(t[1]).name}" + (f" ({_year(t[2], t[3])})" if t[2] else "")
                             for t in titles)
        block = [f'<h3 id="{anchor("m", name)}">{esc(name)}</h3>',
                 note(f"{int(index.passages[row])} passager · {doc_list}")]
        if share is not None and index.passages[row]:
            order = np.argsort(-share.values[row], kind="stable")[:5]
            top = [(share.cols[j], share.values[row, j]) for j in order if share.values[row, j] > 0]
            if top:
                block.append('<p class="note">Største temaer: ' + ", ".join(
                    f'<a href="#{anchor("t", t)}">{esc(themes.label(t))}</a> {100 * v:.0f}%'
                    for t, v in top) + "</p>")
            refs = _municipality_top_passages(conn, index, themes, docs, [t for t, _ in top])
            block += [_passage_html(r, themes) for r in refs]
        elif share is None:
            block.append(empty("Ingen temaer endnu."))
        parts.append("".join(block))
    return section("municipalities", "Pr. kommune", *parts)


def _municipality_top_passages(conn, index, themes: ThemeSet, docs: list[str],
                               top_themes: list[str]) -> list[PassageRef]:
    """The strongest passage of each of the municipality's largest themes, then the strongest
    remaining ones, up to TOP_PER_MUNICIPALITY distinct passages."""
    if not docs:
        return []
    clause, params = in_clause(docs)
    rows = conn.execute(
        # CROSS JOIN: walk the municipality's passages, then their labels (never all labels)
        f"""SELECT pt.theme, {_PCOLS}, pt.probability FROM passages ps
            CROSS JOIN passage_themes pt ON pt.passage_id = ps.id
            JOIN documents d ON d.id = ps.document_id
            WHERE pt.codebook = ? AND pt.assigned = 1 AND ps.document_id IN {clause}
            ORDER BY pt.probability DESC, ps.seq""",
        [themes.codebook, *params]).fetchall()
    chosen: dict[str, tuple] = {}
    for t in top_themes:
        for r in rows:
            if r[0] == t and r[1] not in chosen:
                chosen[r[1]] = r[1:]
                break
    for r in rows:
        if len(chosen) >= TOP_PER_MUNICIPALITY:
            break
        chosen.setdefault(r[1], r[1:])
    refs = _refs(conn, index, list(chosen.values())[:TOP_PER_MUNICIPALITY])
    attach_themes(conn, refs, themes)
    return refs


def _similar_initiatives(conn, index: CorpusIndex, themes: ThemeSet, model: str | None,
                         vectors) -> str:
    title = "Lignende initiativer på tværs af kommuner"
    if model is None:
        return section("similar", title, empty(
            "Ingen embeddings i databasen, så lignende initiativer kan ikke findes endnu. "
            "Kør `stratcompare embed` og lav rapporten igen."))
    found = similar_pairs(conn, index, themes, model, vectors)
    if not found.pairs:
        return section("similar", title, empty(found.reason or "Ingen passagepar fra "
                                               "forskellige kommuner."))
    html_pairs = []
    for pair in found.pairs:
        ra, rb = pair.a, pair.b
        head = f"{ra.municipality} ↔ {rb.municipality} · lighed {pair.similarity:.2f}"
        if pair.shared_themes:
            head += " · fælles temaer: " + ", ".join(themes.label(t) for t in pair.shared_themes)
        html_pairs.append(f'<div class="pair"><h4>{esc(head)}</h4>{_passage_html(ra, themes)}'
                          f"{_passage_html(rb, themes)}</div>")
    limited = ""
    if found.compared < found.available:
        limited = (f" Af hensyn til tiden er de {found.compared} mest tydelige passager "
                   f"sammenlignet (af {found.available}).")
    return section("similar", title,
                   note(f"Passagepar fra forskellige kommuner med størst indholdslighed "
                        f"(cosinus af embeddings, model {model}); hver passage vises én gang og "
                        f"højst to par pr. kommunepar." + limited),
                   *html_pairs)


__all__ = ["build_report"]
