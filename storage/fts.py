"""Full-text search DDL, created by migrations beside the models (Alembic autogenerate ignores it).

Kept in one module because more than one migration needs it: SQLite cannot alter some columns of a
table without rebuilding it, and a rebuild drops the table's triggers, which must then be recreated.
"""

# SQLite: an FTS5 external-content table over articles(title, text), kept in sync by triggers.
# Porter stemming on top of unicode61 so "gigafactories" finds "gigafactory"; diacritics are folded.
SQLITE_FTS_TRIGGERS = [
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
]
SQLITE_FTS = [
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    *SQLITE_FTS_TRIGGERS,
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
]

# PostgreSQL: a stored generated tsvector (title weighted A, body B) with a GIN index. The text search
# configuration follows the article's language, through an IMMUTABLE function so that the generated
# column may use it; unknown languages use 'simple' (no stemming, no stop words).
PG_LANGUAGES = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish", "fr": "french",
    "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sv": "swedish",
}
_CASES = " ".join(f"WHEN '{code}' THEN '{name}'::regconfig" for code, name in PG_LANGUAGES.items())
PG_FTS = [
    f"""CREATE FUNCTION newsmon_ts_config(lang text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE lower(left(lang, 2)) {_CASES} ELSE 'simple'::regconfig END $$""",
    """ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(newsmon_ts_config(language), coalesce(title, '')), 'A') ||
        setweight(to_tsvector(newsmon_ts_config(language), left(coalesce(text, ''), 500000)), 'B')
    ) STORED""",
    "CREATE INDEX ix_articles_search ON articles USING gin (search_vector)",
]
PG_FTS_DROP = [
    "DROP INDEX IF EXISTS ix_articles_search",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS newsmon_ts_config(text)",
]
