"""Full-text search and cited documents, kept current by PostgreSQL itself.

Why triggers rather than save() or signals: the search vector of an article
depends on other rows (its blocks), and articles and blocks are written by the
admin, by imports, by bulk_create in scripts and by raw SQL. A statement-level
trigger with transition tables sees every one of those writes, costs one
set-based refresh per statement (so bulk inserts stay fast), and keeps save()
pure as our style guide asks. tests/discovery/test_search.py checks every path.

The text search configuration `newsroom_search` is English stemming, plus the
`unaccent` dictionary when the server lets us create that extension (our
private cluster does; a managed database without it falls back to plain English).
No immutable unaccent() wrapper is needed: unaccent sits inside the
configuration, and to_tsvector(regconfig, text) is immutable.
"""

from django.db import DatabaseError, migrations, transaction

CONFIG = "newsroom_search"


def create_search_configuration(apps, schema_editor) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
            has_unaccent = True
        except DatabaseError:
            has_unaccent = False
        cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.english)")
        if has_unaccent:
            cursor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
                "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
            )


def drop_search_configuration(apps, schema_editor) -> None:
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


# One set-based refresh for a batch of article ids: the weighted vector, the
# symbols linked to undocs.org (by our symbol linker or by hand) in the body, and
# copies of the columns search filters on (status, kind, publish time).
REFRESH_FUNCTION = r"""
CREATE FUNCTION articles_refresh_search_documents(ids bigint[]) RETURNS void LANGUAGE sql AS $$
INSERT INTO articles_searchdocument (article_id, status, kind, published_at, vector, symbols)
SELECT a.id, a.status, a.kind, a.published_at,
       setweight(to_tsvector('newsroom_search', coalesce(a.title, '')), 'A')
       || setweight(to_tsvector('newsroom_search', coalesce(a.standfirst, '')), 'B')
       || setweight(to_tsvector('newsroom_search', coalesce(body.text, '')), 'C'),
       coalesce(cited.symbols, '{}')
FROM articles_article a
LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', b.html, b.caption, b.attribution), ' ' ORDER BY b.position, b.id) AS text
    FROM articles_block b WHERE b.article_id = a.id
) body ON true
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT replace(m[1], '%20', '') ORDER BY replace(m[1], '%20', '')) AS symbols
    FROM articles_block b,
         regexp_matches(b.html, 'href="https?://(?:www\.)?undocs\.org/(?:(?:en|fr|es|ar|ru|zh)/)?([^"#?]+)"', 'g') AS m
    WHERE b.article_id = a.id
) cited ON true
WHERE a.id = ANY(ids)
ON CONFLICT (article_id) DO UPDATE SET
    status = EXCLUDED.status, kind = EXCLUDED.kind, published_at = EXCLUDED.published_at,
    vector = EXCLUDED.vector, symbols = EXCLUDED.symbols;
$$;

CREATE FUNCTION articles_article_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM articles_refresh_search_documents(ARRAY(SELECT id FROM new_rows));
    ELSE
        PERFORM articles_refresh_search_documents(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.title, n.standfirst, n.status, n.kind, n.published_at)
                IS DISTINCT FROM (o.title, o.standfirst, o.status, o.kind, o.published_at)
        ));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION articles_block_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM articles_refresh_search_documents(ARRAY(SELECT DISTINCT article_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM articles_refresh_search_documents(ARRAY(SELECT DISTINCT article_id FROM old_rows));
    ELSE
        PERFORM articles_refresh_search_documents(ARRAY(
            SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows
        ));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_article_search_insert AFTER INSERT ON articles_article
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_article_search_trigger();
CREATE TRIGGER articles_article_search_update AFTER UPDATE ON articles_article
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_article_search_trigger();
CREATE TRIGGER articles_block_search_insert AFTER INSERT ON articles_block
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_block_search_trigger();
CREATE TRIGGER articles_block_search_update AFTER UPDATE ON articles_block
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_block_search_trigger();
CREATE TRIGGER articles_block_search_delete AFTER DELETE ON articles_block
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_block_search_trigger();

-- Deleting an article deletes its search document in the database (see the model).
ALTER TABLE articles_searchdocument ADD CONSTRAINT articles_searchdocument_article_fk
    FOREIGN KEY (article_id) REFERENCES articles_article (id) ON DELETE CASCADE;

SELECT articles_refresh_search_documents(ARRAY(SELECT id FROM articles_article));
"""

DROP_FUNCTIONS = """
DROP TRIGGER IF EXISTS articles_article_search_insert ON articles_article;
DROP TRIGGER IF EXISTS articles_article_search_update ON articles_article;
DROP TRIGGER IF EXISTS articles_block_search_insert ON articles_block;
DROP TRIGGER IF EXISTS articles_block_search_update ON articles_block;
DROP TRIGGER IF EXISTS articles_block_search_delete ON articles_block;
DROP FUNCTION IF EXISTS articles_article_search_trigger();
DROP FUNCTION IF EXISTS articles_block_search_trigger();
DROP FUNCTION IF EXISTS articles_refresh_search_documents(bigint[]);
ALTER TABLE articles_searchdocument DROP CONSTRAINT IF EXISTS articles_searchdocument_article_fk;
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_search_views_symbols")]

    operations = [
        migrations.RunPython(create_search_configuration, drop_search_configuration),
        migrations.RunSQL(REFRESH_FUNCTION, DROP_FUNCTIONS),
    ]
