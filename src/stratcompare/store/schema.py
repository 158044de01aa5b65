"""The corpus schema, versioned.  Each migration is applied once, in order, inside a transaction.

The database is meant to be opened by users too (sqlite3, datasette, pandas): table and column
names say what they hold.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE IF NOT EXISTS meta (
            key   TEXT PRIMARY KEY,
            value TEXT
        );

        -- One row per ingested file (or per "document" group of a JSONL file).
        CREATE TABLE IF NOT EXISTS documents (
            id                      TEXT PRIMARY KEY,      -- sha256 of the content, 16 hex
            path                    TEXT NOT NULL,         -- absolute path at ingest time
            source_key              TEXT NOT NULL,         -- path (+ '#group' for JSONL groups)
            kind                    TEXT NOT NULL,         -- pdf | scanned_pdf | text | html | jsonl
            municipality            TEXT,
            municipality_confidence REAL,
            municipality_source     TEXT,                  -- detected | override | jsonl
            title                   TEXT,
            year_start              INTEGER,
            year_end                INTEGER,
            adopted                 TEXT,                  -- ISO date of adoption, if stated
            pages                   INTEGER NOT NULL DEFAULT 0,
            pages_missing_text      INTEGER NOT NULL DEFAULT 0,
            words                   INTEGER NOT NULL DEFAULT 0,
            ocr_damage              REAL,                  -- estimated share of damaged words
            words_repaired          INTEGER NOT NULL DEFAULT 0,
            status                  TEXT NOT NULL,         -- ok | partial | failed
            error                   TEXT,
            warnings                TEXT,                  -- JSON list of strings
            size_bytes              INTEGER,
            ingested_at             TEXT NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS documents_source ON documents(source_key);

        -- Page provenance: text as extracted (raw) and after clean-up/repair.
        CREATE TABLE IF NOT EXISTS pages (
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            number      INTEGER NOT NULL,                  -- 1-based
            method      TEXT NOT NULL,                     -- text | ocr | reocr | none
            status      TEXT NOT NULL,                     -- ok | missing_text | cid_garbage
            raw_text    TEXT NOT NULL DEFAULT '',
            text        TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (document_id, number)
        );

        -- Paragraph-sized passages; char offsets index pages.text (cleaned, before OCR repair);
        -- raw_text is that slice, text is it after OCR repair.
        CREATE TABLE IF NOT EXISTS passages (
            id          TEXT PRIMARY KEY,
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq         INTEGER NOT NULL,                  -- order within the document
            page        INTEGER,
            section     TEXT,
            char_start  INTEGER,
            char_end    INTEGER,
            raw_text    TEXT NOT NULL,
            text        TEXT NOT NULL,                     -- repaired / cleaned
            words       INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS passages_document ON passages(document_id, seq);

        -- Dense embeddings, one per passage and model; recomputed when text_hash changes.
        CREATE TABLE IF NOT EXISTS embeddings (
            passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
            model      TEXT NOT NULL,
            text_hash  TEXT NOT NULL,
            dim        INTEGER NOT NULL,
            vector     BLOB NOT NULL,                      -- float32, L2-normalised
            PRIMARY KEY (passage_id, model)
        );

        -- Theme labels from the classifier (or imported codings).
        CREATE TABLE IF NOT EXISTS passage_themes (
            passage_id  TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
            codebook    TEXT NOT NULL,                     -- codebook id@version
            theme       TEXT NOT NULL,
            probability REAL NOT NULL,
            assigned    INTEGER NOT NULL,                  -- 1 if above the theme's threshold
            evidence    TEXT,                              -- JSON
            model       TEXT,
            PRIMARY KEY (passage_id, codebook, theme)
        );
        CREATE INDEX IF NOT EXISTS passage_themes_theme ON passage_themes(codebook, theme, assigned);
        """,
    ),
]

# --- version 2 (search): full-text index over lemmatised passage text --------------------------
# passage_fts holds the lemmas (rowid = passage_fts_map.rowid); the map says which passage and
# which text version each row indexes, so stratcompare.search.sync_fts re-indexes only changes.
# The trigger drops index rows when a passage goes (also via ON DELETE CASCADE from documents).
MIGRATIONS.append(
    (
        2,
        """
        CREATE TABLE IF NOT EXISTS passage_fts_map (
            rowid      INTEGER PRIMARY KEY,                -- = passage_fts.rowid
            passage_id TEXT NOT NULL UNIQUE,
            text_hash  TEXT NOT NULL                       -- sha1 of passages.text when indexed
        );
        CREATE VIRTUAL TABLE IF NOT EXISTS passage_fts USING fts5(
            lemmas, tokenize = 'unicode61 remove_diacritics 0'
        );
        CREATE TRIGGER IF NOT EXISTS passage_fts_cleanup AFTER DELETE ON passages BEGIN
            DELETE FROM passage_fts WHERE rowid IN
                (SELECT rowid FROM passage_fts_map WHERE passage_id = old.id);
            DELETE FROM passage_fts_map WHERE passage_id = old.id;
        END;
        """,
    )
)

# --- version 3 (compare): per-document theme totals, kept by triggers --------------------------
# The municipality x theme matrices need SUM(assigned) and SUM(probability) per document and
# theme; reading them from passage_themes means touching every (passage, theme) row (1.6M at
# 10^5 passages).  These triggers keep the totals current whoever writes passage_themes, so
# the matrices read one row per (document, theme).  Rows go with their document (cascade).
_TOTALS_SUBTRACT_OLD = """
            UPDATE document_theme_totals SET
                passages = passages - 1,
                assigned = assigned - old.assigned,
                probability_sum = probability_sum - old.probability
            WHERE codebook = old.codebook AND theme = old.theme
              AND document_id = (SELECT document_id FROM passages WHERE id = old.passage_id);"""
_TOTALS_ADD_NEW = """
            INSERT INTO document_theme_totals
                (document_id, codebook, theme, passages, assigned, probability_sum)
                SELECT p.document_id, new.codebook, new.theme, 1, new.assigned, new.probability
                FROM passages p WHERE p.id = new.passage_id
            ON CONFLICT (document_id, codebook, theme) DO UPDATE SET
                passages = passages + 1,
                assigned = assigned + excluded.assigned,
                probability_sum = probability_sum + excluded.probability_sum;"""

MIGRATIONS.append(
    (
        3,
        f"""
        CREATE TABLE IF NOT EXISTS document_theme_totals (
            document_id     TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            codebook        TEXT NOT NULL,
            theme           TEXT NOT NULL,
            passages        INTEGER NOT NULL DEFAULT 0,    -- passages with a score
            assigned        INTEGER NOT NULL DEFAULT 0,    -- passages carrying the theme
            probability_sum REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (document_id, codebook, theme)
        );
        INSERT OR REPLACE INTO document_theme_totals
            SELECT p.document_id, pt.codebook, pt.theme, COUNT(*), SUM(pt.assigned),
                   SUM(pt.probability)
            FROM passage_themes pt JOIN passages p ON p.id = pt.passage_id
            GROUP BY p.document_id, pt.codebook, pt.theme;
        CREATE TRIGGER IF NOT EXISTS passage_themes_totals_insert AFTER INSERT ON passage_themes
        BEGIN
{_TOTALS_ADD_NEW}
        END;
        CREATE TRIGGER IF NOT EXISTS passage_themes_totals_delete AFTER DELETE ON passage_themes
        BEGIN
{_TOTALS_SUBTRACT_OLD}
        END;
        CREATE TRIGGER IF NOT EXISTS passage_themes_totals_update AFTER UPDATE ON passage_themes
        BEGIN
{_TOTALS_SUBTRACT_OLD}
{_TOTALS_ADD_NEW}
        END;
        """,
    )
)


# --- version 4 (real passages): passage kinds, table cells, document genre ---------------------
# kind: content | list | heading | toc | procedure | boilerplate | table (stratcompare.segment);
# themes, search, matrices and the report use the substantive kinds unless asked for all.
# documents.pipeline is the passage-cutting version a document was made with: ingest re-reads
# a file whose stored version is older, so an upgrade re-cuts old passages on the next ingest
# (one transaction per document, like any replacement) without a manual step.
MIGRATIONS.append(
    (
        4,
        """
        ALTER TABLE passages ADD COLUMN kind TEXT NOT NULL DEFAULT 'content';
        ALTER TABLE passages ADD COLUMN cells TEXT;                -- JSON rows, table passages
        ALTER TABLE documents ADD COLUMN genre TEXT;               -- strategy|minutes|news|other
        ALTER TABLE documents ADD COLUMN genre_confidence REAL;
        ALTER TABLE documents ADD COLUMN genre_source TEXT;        -- detected | override
        ALTER TABLE documents ADD COLUMN pipeline INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS passages_kind ON passages(kind);
        """,
    )
)

# --- version 5 (reliability): revision counters that move on every change -------------------------
# "Is the search index current?" cannot be read off count(*)/max(rowid): a replaced document with
# as many passages reuses the same rowids.  These triggers bump a counter in meta on every insert,
# delete and update of passages and embeddings, from any writer; readers compare the counter with
# the one they indexed at (stratcompare.search.api).
_BUMP = "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = '{key}';"
MIGRATIONS.append(
    (
        5,
        "\n".join(
            [f"INSERT OR IGNORE INTO meta(key, value) VALUES ('{t}_revision', '0');"
             for t in ("passages", "embeddings")]
            + [f"CREATE TRIGGER IF NOT EXISTS {t}_revision_{op} AFTER {op.upper()} ON {t} "
               f"BEGIN {_BUMP.format(key=t + '_revision')} END;"
               for t in ("passages", "embeddings") for op in ("insert", "delete", "update")]
        ),
    )
)


# --- version 6 (years): the document's own date (a meeting, a news item, a note) ------------------
MIGRATIONS.append(
    (
        6,
        """
        ALTER TABLE documents ADD COLUMN dated TEXT;               -- ISO date of the document itself
        """,
    )
)


# --- version 7 (embeddings): find a stored vector by text, so a text is encoded once -----------
MIGRATIONS.append(
    (
        7,
        """
        CREATE INDEX IF NOT EXISTS embeddings_text ON embeddings(model, text_hash);
        """,
    )
)


SCHEMA_VERSION = max(version for version, _ in MIGRATIONS)
