"""A researcher's pass over the command line on real-shaped documents (session 7): each test
failed before its fix."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from stratcompare.cli import app
from stratcompare.store import Store
from synth_store import add_document, add_embedding, add_passage, add_theme

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def db(tmp_path):
    """Køge: a strategy (two themed passages and a heading) and minutes (a formality and an
    item about housing); Herning: a strategy."""
    path = tmp_path / "r.db"
    store = Store.open(path)
    c = store.conn
    add_document(c, "dk", "Køge", title="Køge strategi", year=2024)
    add_document(c, "dm", "Køge", title="Referat Social- og Sundhedsudvalget", year=2025)
    add_document(c, "dh", "Herning", title="Herningmodellen", year=2019)
    c.execute("UPDATE documents SET genre = 'strategy', genre_confidence = 0.9 WHERE id IN ('dk', 'dh')")
    c.execute("UPDATE documents SET genre = 'minutes', genre_confidence = 0.9 WHERE id = 'dm'")
    rows = [("k1", "dk", "Housing First giver hjemløse borgere en bolig med bostøtte.", "content",
             {"housing_first": 0.9}, [1, 0, 0]),
            ("k2", "dk", "Budgettet skal styres tæt, og udgifterne skal ned.", "content",
             {"economic_steering": 0.8}, [0, 1, 0]),
            ("k3", "dk", "Indsatsområder", "heading", {}, [0, 0, 1]),
            ("m1", "dm", "Beslutning: Indstillingen blev godkendt. Fraværende: ingen.", "procedure",
             {}, [0, 0.5, 0.5]),
            ("m2", "dm", "Udvalget drøftede flere skæve boliger til hjemløse i Køge.", "content",
             {"housing_first": 0.8}, [1, 0.1, 0]),
            ("h1", "dh", "Unge hjemløse skal tilbydes egen bolig og bostøtte tidligt.", "content",
             {"housing_first": 0.85, "early_intervention": 0.7}, [1, 0.2, 0])]
    for i, (pid, doc, text, kind, themes, vec) in enumerate(rows):
        add_passage(c, pid, doc, text, seq=i, page=1)
        c.execute("UPDATE passages SET kind = ? WHERE id = ?", (kind, pid))
        for t, p in themes.items():
            add_theme(c, pid, t, p)
        add_embedding(c, pid, vec)
    store.close()
    return path


def _matrix(db, *extra):
    r = invoke("compare", "--db", db, "--format", "csv", "--normalise", "count", *extra)
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout)))
    return {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}


def test_compare_genre_keeps_only_that_genre(db):
    """`compare --genre strategy` printed the matrix of every genre: theme_matrix took the
    genre and never used it."""
    every = _matrix(db)
    assert float(every["Køge"]["housing_first"]) == 2      # the strategy and the minutes
    strategies = _matrix(db, "--genre", "strategy")
    assert float(strategies["Køge"]["housing_first"]) == 1
    minutes = _matrix(db, "--genre", "minutes")
    assert set(minutes) == {"Køge"}                         # Herning has no minutes


def test_compare_all_kinds_counts_every_passage_in_the_shares(db):
    r = invoke("compare", "--db", db, "--format", "json", "--genre", "strategy")
    share = {row["municipality"]: row for row in json.loads(r.stdout)}
    r = invoke("compare", "--db", db, "--format", "json", "--genre", "strategy", "--all-kinds")
    share_all = {row["municipality"]: row for row in json.loads(r.stdout)}
    assert share["Køge"]["housing_first"] == pytest.approx(1 / 2, abs=1e-3)      # k1 of k1, k2
    assert share_all["Køge"]["housing_first"] == pytest.approx(1 / 3, abs=1e-3)  # k1 of k1, k2, k3


def test_report_for_one_genre_writes_the_report(db, tmp_path):
    """`report --genre strategy` on a corpus that also holds minutes ended in a KeyError
    traceback (the strongest passages per theme came from every genre)."""
    out = tmp_path / "rapport æøå" / "report.html"
    r = invoke("report", "--db", db, "--genre", "strategy", "-o", out)
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "Housing First giver hjemløse" in html
    assert "skæve boliger" not in html                   # the minutes' passage is left out
    assert "Referat Social- og Sundhedsudvalget" not in html
    assert "kun dokumenttypen strategi" in html         # the reader is told what was left out
    invoke("report", "--db", db, "-o", out)
    assert "kun dokumenttypen" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [["compare"], ["compare", "--cell", "Køge:housing_first"],
                                  ["report", "-o", "r.html"], ["passages"],
                                  ["search", "bolig", "--model", "hashing"]])
def test_genre_filter_on_a_corpus_without_genres_says_so(db, tmp_path, args):
    """A database from before genres were detected gave an empty matrix (compare) or an empty
    report with a matplotlib warning; a genre no document has likewise."""
    import sqlite3

    args = [a if a != "r.html" else str(tmp_path / "r.html") for a in args]
    r = invoke(*args, "--db", db, "--genre", "news")
    assert r.exit_code == 18, r.output
    assert r.output.strip().splitlines()[-1].startswith("Error: no document of genre 'news'")
    assert "strategy" in r.output and "minutes" in r.output
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET genre = NULL")
    r = invoke(*args, "--db", db, "--genre", "strategy")
    assert r.exit_code == 2, r.output
    assert "no document genres" in r.output and "stratcompare ingest" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "r.html").exists()


def test_passages_takes_all_kinds_like_the_other_commands(db):
    """`passages --all-kinds` (the flag search, compare and the README use) was 'No such option'."""
    r = invoke("passages", "--db", db, "--all-kinds", "--format", "json")
    assert r.exit_code == 0, r.output
    assert {p["kind"] for p in json.loads(r.stdout)} == {"content", "heading", "procedure"}
    r = invoke("passages", "--db", db, "--all-kinds", "--kind", "content")
    assert r.exit_code == 2 and "Error: --all-kinds and --kind" in r.output


@pytest.mark.parametrize("args", [
    ["documents"],
    ["passages", "--kind", "content"],
    ["search", "bolig til hjemløse", "--model", "hashing"],
    ["similar", "h1", "--model", "hashing"],
])
def test_listing_commands_write_to_a_file_with_o(db, tmp_path, args):
    """-o FILE worked for compare and classify only; search, similar, documents and passages
    said 'No such option: -o'."""
    out = tmp_path / "ud data æøå" / "out.csv"
    r = invoke(*args, "--db", db, "--format", "csv", "-o", out)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows and "Køge" in {row["municipality"] for row in rows}
    assert "genre" in rows[0]


def test_search_and_similar_show_genre_and_kind(db):
    """A hit from minutes looked like a hit from a strategy: no genre, no kind."""
    r = invoke("search", "skæve boliger til hjemløse", "--db", db, "--model", "hashing",
               "--format", "json")
    assert r.exit_code == 0, r.output
    hits = {h["passage_id"]: h for h in json.loads(r.stdout)}
    assert hits["m2"]["genre"] == "minutes" and hits["m2"]["kind"] == "content"
    r = invoke("search", "skæve boliger til hjemløse", "--db", db, "--model", "hashing")
    header = r.stdout.splitlines()[0].split()
    assert "genre" in header and "kind" in header
    r = invoke("similar", "h1", "--db", db, "--model", "hashing", "--format", "json")
    assert {h["genre"] for h in json.loads(r.stdout)} <= {"strategy", "minutes"}


def _examples() -> dict[str, list[str]]:
    """Each command's help example as arguments (a shell pipe or redirection cut off)."""
    import shlex

    import typer.main

    group = typer.main.get_command(app)
    out = {}
    for name, cmd in group.commands.items():
        line = (cmd.epilog or "").strip()
        assert line.startswith("Example: stratcompare "), name
        words = shlex.split(line[len("Example: stratcompare "):])
        for stop in ("|", ">"):
            if stop in words:
                words = words[: words.index(stop)]
        out[name] = words
    return out


def test_every_help_example_names_things_that_exist():
    """The examples named files and ids nobody has (my_codebook.toml, passages.jsonl,
    coder_a.jsonl, scan.txt, 3f2a9c1d0b7e-0004, strategies.db), and `train`'s wrote over the
    shipped theme model (--out models/themes)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for name, words in _examples().items():
        if name == "repair":   # tests/test_repair_cli.py pins its example to scan.txt (not ours)
            continue
        for w in words:
            if "/" in w and not w.endswith("/") or w.endswith((".jsonl", ".toml", ".txt", ".pdf")):
                if words[words.index(w) - 1] in ("-o", "--out", "--output", "--report"):
                    continue
                assert (root / w).exists(), f"{name}: {w}"
            if w.endswith(".db"):
                assert w == "stratcompare.db", f"{name}: {w} (the README's set-up makes stratcompare.db)"
        if name == "train":
            out = words[words.index("--out") + 1]
            assert not out.startswith("models"), "the example would overwrite the shipped model"


def test_help_examples_run_from_the_repository_root(tmp_path, monkeypatch):
    """The examples that need only the bundled corpus really run (a database made from three of
    its documents, as `stratcompare run corpus/` makes it, with the fast encoder)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(tmp_path)
    for part in ("corpus", "src"):
        (tmp_path / part).symlink_to(root / part)
    monkeypatch.setenv("STRATCOMPARE_MODEL", "hashing")
    monkeypatch.delenv("STRATCOMPARE_DB", raising=False)
    r = invoke("ingest", "corpus/hjoerring-formaalspapir-2024.pdf",
               "corpus/holstebro-investeringsmodel.txt", "corpus/koege-strategier-for-indsatsen.pdf",
               "--db", "stratcompare.db")
    assert r.exit_code == 0, r.output
    examples = _examples()
    for name in ("show", "similar", "search", "embed", "documents", "passages", "themes",
                 "agreement"):
        r = invoke(*examples[name])
        assert r.exit_code == 0, (name, r.output)
        assert r.stdout.strip(), name


def test_show_is_read_as_lines_not_json(db):
    """`show` printed `themes: []`, `cells: [["Målgruppe", …]]` and
    a passage's genre and years were not shown."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE passages SET kind = 'table', cells = ? WHERE id = 'k2'",
                     (json.dumps([["Målgruppe", "Tilbud"], ["Unge 18-25", "Bostøtte\nog råd"]]),))
    r = invoke("show", "k1", "--db", db)
    assert r.exit_code == 0, r.output
    assert "themes: housing_first (0.90)" in r.stdout
    assert "genre: strategy" in r.stdout and "year: 2024" in r.stdout
    r = invoke("show", "k2", "--db", db)
    assert "  Unge 18-25 | Bostøtte og råd" in r.stdout
    r = invoke("show", "k3", "--db", db)
    assert "themes: none" in r.stdout
    for out in (invoke("show", pid, "--db", db).stdout for pid in ("k1", "k2", "k3")):
        assert "[" not in out and "{" not in out, out
    data = json.loads(invoke("show", "k2", "--db", db, "--format", "json").stdout)
    assert data[0]["cells"][1] == ["Unge 18-25", "Bostøtte\nog råd"]   # JSON keeps the data


@pytest.mark.parametrize("extra", [[], ["--cell", "Køge:housing_first"]])
def test_xlsx_into_a_new_folder_is_written_and_an_impossible_place_is_one_line(db, tmp_path, extra):
    """`compare -f xlsx -o "ny mappe/x.xlsx"` ended in a FileNotFoundError traceback, where csv
    makes the folder."""
    out = tmp_path / "ny mappe æøå" / "x.xlsx"
    r = invoke("compare", "--db", db, "-f", "xlsx", "-o", out, *extra)
    assert r.exit_code == 0, r.output
    assert out.stat().st_size > 0
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    r = invoke("compare", "--db", db, "-f", "xlsx", "-o", blocker / "x.xlsx", *extra)
    assert r.exit_code == 9 and "Traceback" not in r.output, r.output
    assert r.output.strip().splitlines()[-1].startswith(f"Error: {blocker / 'x.xlsx'}: cannot write")


def test_run_summary_shows_each_documents_genre(tmp_path):
    """`run` listed the file type ('text', 'pdf') but not whether a document is a strategy or
    minutes, which decides how a researcher reads its row."""
    folder = tmp_path / "Kommuner æøå"
    folder.mkdir()
    (folder / "referat.txt").write_text(
        "Referat\nSocialudvalget, Køge Kommune, mødedato 12. marts 2024\n\n"
        "Punkt 1. Godkendelse af dagsorden\nBeslutning: Godkendt.\n\n"
        "Punkt 2. Boliger til hjemløse\nUdvalget drøftede flere skæve boliger til hjemløse borgere "
        "og bad forvaltningen om et oplæg.\nBeslutning: Taget til efterretning.\n", encoding="utf-8")
    r = invoke("run", folder, "--db", tmp_path / "c.db", "--report", tmp_path / "r.html",
               "--model", "hashing")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    header = next(ln for ln in lines if ln.startswith("municipality") and "title" in ln)
    assert "genre" in header.split()
    row = lines[lines.index(header) + 2]
    assert "minutes" in row.split(), row


@pytest.mark.parametrize("args", [["passages"], ["search", "bolig"], ["compare"],
                                  ["compare", "--cell", "Køge:housing_first"]])
def test_an_empty_database_says_to_ingest_first(tmp_path, args):
    """A new or empty database answered 'No matching passages.' (search), 'No passages match
    these filters.' (passages) or 'run the classifier' (compare)."""
    db = tmp_path / "tom mappe æøå" / "tom.db"
    db.parent.mkdir()
    db.touch()
    r = invoke(*args, "--db", db, "--model", "hashing") if args[0] == "search" else \
        invoke(*args, "--db", db)
    assert r.exit_code == 18, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith(f"Error: {db}: the database holds no documents yet")
    assert f"stratcompare ingest FOLDER --db '{db}'" in last           # quoted: it has spaces


def test_documents_of_an_empty_database_says_so(tmp_path):
    db = tmp_path / "tom.db"
    db.touch()
    r = invoke("documents", "--db", db)
    assert r.exit_code == 0
    assert "No documents in" in r.output and "stratcompare ingest FOLDER --db" in r.output


def test_cell_drill_down_uses_the_matrix_denominator_with_all_kinds(db):
    """`compare --cell Køge:housing_first --all-kinds` said '(50% of 2 passages)' while the
    matrix with --all-kinds said 33 %: the cell ignored --all-kinds."""
    r = invoke("compare", "--db", db, "--cell", "Køge:housing_first", "--genre", "strategy",
               "--all-kinds")
    assert r.exit_code == 0, r.output
    assert "1 passage (33% of 3 passages)" in r.output
    r = invoke("compare", "--db", db, "--cell", "Køge:housing_first", "--genre", "strategy")
    assert "1 passage (50% of 2 passages)" in r.output


def test_cell_typo_gets_a_suggestion_and_counts_are_singular(db):
    """A mistyped municipality or theme in --cell got the list of names but no 'did you mean';
    one passage was '1 passages'."""
    r = invoke("compare", "--db", db, "--cell", "Kge:housing_firts")
    assert r.exit_code == 18
    assert "did you mean 'Køge'?" in r.output
    r = invoke("compare", "--db", db, "--cell", "Køge:housing_firts")
    assert "did you mean 'housing_first'?" in r.output
    r = invoke("compare", "--db", db, "--cell", "Herning:early_intervention")
    assert "Herning:early_intervention: 1 passage (100% of 1 passage)" in r.output
    r = invoke("compare", "--db", db, "--cell", "housing_first:early_intervention")
    assert "1 passage carries both themes" in r.output


def test_search_table_cuts_text_between_words():
    """The table's snippet began and ended inside words ('…otivationsstøtte', 'fastho…')."""
    from stratcompare.cli.search_cmd import _snippet

    text = ("De metoder der bliver brugt retter sig mod: Motivationsstøtte og hjælp til "
            "«boligsøgning». Nedlæggelse af interne barrierer. Bostøtte, der sikre fastholdelse "
            "af boligen, og bostøtten gives med afsæt i borgerens ønsker og behov hver dag.")
    out = _snippet(text, width=110)
    assert out.startswith("…") and out.endswith("…")
    first, last = out[1:-1].split()[0], out[1:-1].split()[-1]
    words = text.replace(",", "").split()
    assert first in words and last.rstrip(",") in words, out
    assert "«boligsøgning»" in out
    assert _snippet("Kort «tekst».") == "Kort «tekst»."


def test_report_documents_table_names_each_documents_type(db, tmp_path):
    """The report's document list did not say which documents are minutes and which strategies."""
    out = tmp_path / "r.html"
    r = invoke("report", "--db", db, "-o", out)
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "<th>type</th>" in html
    assert "<td>Referat Social- og Sundhedsudvalget</td><td>referat</td>" in html
    assert "<td>Køge strategi</td><td>strategi</td>" in html


def test_a_missing_codebook_file_says_what_to_do(db):
    r = invoke("compare", "--db", db, "--codebook", "mit kodebog.toml")
    assert r.exit_code == 18
    line = r.output.strip().splitlines()[-1]
    assert line.startswith("Error: mit kodebog.toml: codebook file not found (") and "--codebook" in line


@pytest.mark.parametrize("args", [
    ["themes"],
    ["agreement", "corpus/labels/corpus.jsonl", "corpus/agreement/second_coder.jsonl"],
])
def test_codebook_listings_write_to_a_file_with_o(tmp_path, monkeypatch, args):
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    out = tmp_path / "ud" / "x.csv"
    r = invoke(*args, "--format", "csv", "-o", out)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) >= 16 and "housing_first" in {row.get("id") or row.get("theme") for row in rows}


def test_documents_says_when_documents_were_read_by_an_older_version(db):
    """A database from an older version listed its documents with empty genres and every passage
    'content', and nothing said why or what to do."""
    import sqlite3

    from stratcompare.segment import SEGMENTER_VERSION

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET pipeline = ?", (SEGMENTER_VERSION,))
    r = invoke("documents", "--db", db)
    assert r.exit_code == 0 and "older version" not in r.output
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET pipeline = 0, genre = NULL WHERE id = 'dh'")
    r = invoke("documents", "--db", db)
    assert r.exit_code == 0
    assert "Note: 1 of 3 documents were read by an older version" in r.output
    assert "stratcompare ingest" in r.output


def test_similar_csv_names_the_cosine_similarity(db):
    """similar's CSV had an empty 'strength' and a 'weak' of False (a query's notions) and called
    the cosine 'score', where its table says 'similarity'."""
    r = invoke("similar", "h1", "--db", db, "--model", "hashing", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0])[:3] == ["rank", "similarity", "passage_id"]
    assert "strength" not in rows[0] and "weak" not in rows[0]
    assert 0 < float(rows[0]["similarity"]) <= 1
    data = json.loads(invoke("similar", "h1", "--db", db, "--model", "hashing", "-f", "json").stdout)
    assert data[0]["similarity"] == data[0]["score"]


def test_cell_drill_down_shows_genre_and_kind(db):
    """The passages behind a cell did not say whether they came from minutes or a strategy."""
    r = invoke("compare", "--db", db, "--cell", "Køge:housing_first", "--format", "json")
    assert r.exit_code == 0, r.output
    by_id = {p["passage_id"]: p for p in json.loads(r.stdout)}
    assert by_id["m2"]["genre"] == "minutes" and by_id["k1"]["genre"] == "strategy"
    assert by_id["k1"]["kind"] == "content"
    header = invoke("compare", "--db", db, "--cell", "Køge:housing_first").stdout.splitlines()[0]
    assert "genre" in header.split() and "kind" in header.split()


def test_the_matrix_tables_column_codes_and_labels_work_in_cell_and_theme(db):
    """A wide matrix is printed with columns T1, T2 … (similarity: rows and columns 1, 2 …) and
    says 'drill down with --cell ROW:COLUMN', but --cell "Køge:T1" and search --theme T1 or
    --theme "Housing First og bolig" were unknown."""
    r = invoke("compare", "--db", db, "--cell", "Køge:T1")
    assert r.exit_code == 0, r.output
    assert "Køge:housing_first: 2 passages" in r.output
    r = invoke("compare", "--db", db, "--cell", "t1:T2")
    assert "housing_first:early_intervention" in r.output
    r = invoke("compare", "--db", db, "--matrix", "similarity", "--cell", "1:2")
    assert r.exit_code == 0 and "Herning:Køge" in r.output, r.output   # rows in Danish order
    for theme in ("T1", "Housing First og bolig", "housing_first"):
        r = invoke("search", "hjemløse", "--db", db, "--model", "hashing", "--theme", theme,
                   "--format", "json")
        assert r.exit_code == 0, (theme, r.output)
        assert {h["passage_id"] for h in json.loads(r.stdout)} <= {"k1", "m2", "h1"}
    r = invoke("search", "hjemløse", "--db", db, "--model", "hashing", "--theme", "T99")
    assert r.exit_code == 2 and "no passage carries theme 'T99'" in r.output
