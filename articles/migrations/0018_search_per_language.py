"""Search in each article's language (issue 20).

Each article's vector is built with its language's text search configuration,
and the search document keeps a copy of the language, so a search runs over
one language's articles with that language's rules:

    en  newsroom_search      English stemming (0003)
    fr  newsroom_search_fr   French stemming
    es  newsroom_search_es   Spanish stemming
    ru  newsroom_search_ru   Russian stemming
    ar  newsroom_search_ar   PostgreSQL's Arabic (Snowball) stemmer
    zh  simple, over character bigrams

French also goes through `unaccent` before its stemmer when the server has it
(0003 created it if it could), so `election` finds `élection`. Spanish does
not: its stemmer drops accents itself after stemming, and unaccenting first
would stem `resolución` and `resoluciones` apart. The Russian stemmer already
reads ё as е. A server without one of these stemmers (PostgreSQL before 13
has no Arabic) falls back to `simple` for that language.

Chinese is written without spaces between words, so no stemmer applies. Each
run of Han characters is indexed as its overlapping pairs of characters
(安全理事会 -> 安全 全理 理事 事会), the approach of Lucene's CJK analyzer;
articles/search.py turns a query's runs into the same pairs as a phrase, so 理事会
matches 理事 followed by 事会, inside any longer run. Everything else in a Chinese
article (Latin names, numbers) is indexed as plain words. The pairs live in the
same GIN-indexed vector as every other language's words, so ranking, weights,
filters and counts are the same query for every language.

Tags and columns are indexed under their name in the article's language
(`names`, migration 0015) where they have one, and a change of those names
refreshes the articles that show them, as a rename did.
"""

import re

from django.db import DatabaseError, migrations, models, transaction

CONFIGS = {
    # code: (configuration, copied from, with unaccent)
    "fr": ("newsroom_search_fr", "french", True),
    "es": ("newsroom_search_es", "spanish", False),
    "ru": ("newsroom_search_ru", "russian", False),
    "ar": ("newsroom_search_ar", "arabic", False),
}

# Han ideographs: extension A, the unified block, compatibility ideographs, extensions B to F.
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"


def create_configurations(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'unaccent'")
        has_unaccent = cursor.fetchone() is not None
        cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgnamespace = 'pg_catalog'::regnamespace")
        builtin = {name for (name,) in cursor.fetchall()}
        for name, source, accents in CONFIGS.values():
            source = source if source in builtin else "simple"
            cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{source})")
            if accents and has_unaccent and source != "simple":
                try:
                    with transaction.atomic(using=schema_editor.connection.alias):
                        cursor.execute(
                            f"ALTER TEXT SEARCH CONFIGURATION {name} "
                            f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {source}_stem"
                        )
                except DatabaseError:
                    pass  # keeps the plain stemmer


def drop_configurations(apps, schema_editor) -> None:
    for name, _source, _accents in CONFIGS.values():
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


FUNCTIONS = rf"""
CREATE FUNCTION newsroom_search_config(language text) RETURNS regconfig LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE language
    WHEN 'fr' THEN 'newsroom_search_fr'::regconfig
    WHEN 'es' THEN 'newsroom_search_es'::regconfig
    WHEN 'ru' THEN 'newsroom_search_ru'::regconfig
    WHEN 'ar' THEN 'newsroom_search_ar'::regconfig
    WHEN 'zh' THEN 'simple'::regconfig
    ELSE 'newsroom_search'::regconfig
END
$$;

-- Each run of Han characters as its overlapping pairs (a single character stays itself);
-- the text between runs as it is.
CREATE FUNCTION newsroom_cjk_bigrams(body text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT coalesce(string_agg(
    CASE WHEN r.m[1] ~ '^[{HAN}]' THEN (
        SELECT string_agg(substr(r.m[1], i, 2), ' ' ORDER BY i)
        FROM generate_series(1, greatest(char_length(r.m[1]) - 1, 1)) AS i
    ) ELSE r.m[1] END,
    ' ' ORDER BY r.n), '')
FROM regexp_matches(body, '[{HAN}]+|[^{HAN}]+', 'g') WITH ORDINALITY AS r(m, n)
$$;

CREATE FUNCTION newsroom_search_vector(language text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN language = 'zh' THEN to_tsvector('simple', newsroom_cjk_bigrams(body))
            ELSE to_tsvector(newsroom_search_config(language), body) END
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS newsroom_search_vector(text, text);
DROP FUNCTION IF EXISTS newsroom_cjk_bigrams(text);
DROP FUNCTION IF EXISTS newsroom_search_config(text);
"""

# 0007's refresh, with the article's language: its configuration for every weight, and a copy in the row.
REFRESH_FUNCTION = r"""
CREATE OR REPLACE FUNCTION articles_refresh_search_documents(ids bigint[]) RETURNS void LANGUAGE sql AS $$
INSERT INTO articles_searchdocument (article_id, status, kind, published_at, language, vector, symbols)
SELECT a.id, a.status, a.kind, a.published_at, a.language,
       setweight(newsroom_search_vector(a.language, coalesce(a.title, '')), 'A')
       || setweight(newsroom_search_vector(a.language, concat_ws(' ', a.standfirst, people.text, tags.text)), 'B')
       || setweight(newsroom_search_vector(a.language, concat_ws(' ', body.text,
                                                                 coalesce(nullif(col.names ->> a.language, ''), col.name),
                                                                 bylines.text)), 'C')
       || setweight(newsroom_search_vector(a.language, concat_ws(' ', coalesce(nullif(a.lead_caption, ''),
                                                                           lead.caption), body.captions)), 'D'),
       coalesce(cited.symbols, '{}')
FROM articles_article a
LEFT JOIN articles_column col ON col.id = a.column_id
LEFT JOIN articles_photo lead ON lead.id = a.lead_photo_id
LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', b.html, b.attribution), ' ' ORDER BY b.position, b.id) AS text,
           string_agg(coalesce(nullif(b.caption, ''), p.caption), ' ' ORDER BY b.position, b.id) AS captions
    FROM articles_block b LEFT JOIN articles_photo p ON p.id = b.photo_id
    WHERE b.article_id = a.id
) body ON true
LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', i.name, i.label), ' ' ORDER BY i.position, i.id) AS text
    FROM articles_interviewee i WHERE i.article_id = a.id
) people ON true
LEFT JOIN LATERAL (
    SELECT string_agg(coalesce(nullif(t.names ->> a.language, ''), t.name), ' ' ORDER BY t.name) AS text
    FROM articles_taggedarticle ta JOIN articles_tag t ON t.id = ta.tag_id
    WHERE ta.content_object_id = a.id
) tags ON true
LEFT JOIN LATERAL (
    SELECT string_agg(au.name, ' ' ORDER BY aa.position, aa.id) AS text
    FROM articles_articleauthor aa JOIN articles_author au ON au.id = aa.author_id
    WHERE aa.article_id = a.id
) bylines ON true
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT replace(m[1], '%20', '') ORDER BY replace(m[1], '%20', '')) AS symbols
    FROM articles_block b,
         regexp_matches(b.html, 'href="https?://(?:www\.)?undocs\.org/(?:(?:en|fr|es|ar|ru|zh)/)?([^"#?]+)"', 'g') AS m
    WHERE b.article_id = a.id
) cited ON true
WHERE a.id = ANY(ids)
ON CONFLICT (article_id) DO UPDATE SET
    status = EXCLUDED.status, kind = EXCLUDED.kind, published_at = EXCLUDED.published_at,
    language = EXCLUDED.language, vector = EXCLUDED.vector, symbols = EXCLUDED.symbols;
$$;

CREATE OR REPLACE FUNCTION articles_article_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM articles_refresh_search_documents(ARRAY(SELECT id FROM new_rows));
    ELSE
        PERFORM articles_refresh_search_documents(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.title, n.standfirst, n.status, n.kind, n.published_at, n.column_id, n.lead_photo_id, n.lead_caption,
                   n.language)
                IS DISTINCT FROM (o.title, o.standfirst, o.status, o.kind, o.published_at, o.column_id, o.lead_photo_id,
                                  o.lead_caption, o.language)
        ));
    END IF;
    RETURN NULL;
END $$;
"""

# Tags and columns: a change of the translated names refreshes the articles that show them.
NAME_TRIGGERS = """
CREATE OR REPLACE FUNCTION articles_tag_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_refresh_search_documents(ARRAY(
        SELECT DISTINCT ta.content_object_id FROM articles_taggedarticle ta
        JOIN new_rows n ON n.id = ta.tag_id JOIN old_rows o ON o.id = n.id
        WHERE (n.name, n.names) IS DISTINCT FROM (o.name, o.names)
    ));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION articles_column_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_refresh_search_documents(ARRAY(
        SELECT a.id FROM articles_article a
        JOIN new_rows n ON n.id = a.column_id JOIN old_rows o ON o.id = n.id
        WHERE (n.name, n.names) IS DISTINCT FROM (o.name, o.names)
    ));
    RETURN NULL;
END $$;
"""

REFRESH_ALL = "SELECT articles_refresh_search_documents(ARRAY(SELECT id FROM articles_article));"


# 0007's REFRESH_FUNCTION, copied: a migration imports no other, so later edits cannot change it.
PREVIOUS_REFRESH_FUNCTION = r"""
CREATE OR REPLACE FUNCTION articles_refresh_search_documents(ids bigint[]) RETURNS void LANGUAGE sql AS $$
INSERT INTO articles_searchdocument (article_id, status, kind, published_at, vector, symbols)
SELECT a.id, a.status, a.kind, a.published_at,
       setweight(to_tsvector('newsroom_search', coalesce(a.title, '')), 'A')
       || setweight(to_tsvector('newsroom_search', concat_ws(' ', a.standfirst, people.text, tags.text)), 'B')
       || setweight(to_tsvector('newsroom_search', concat_ws(' ', body.text, col.name, bylines.text)), 'C')
       || setweight(to_tsvector('newsroom_search', concat_ws(' ', coalesce(nullif(a.lead_caption, ''), lead.caption),
                                                             body.captions)), 'D'),
       coalesce(cited.symbols, '{}')
FROM articles_article a
LEFT JOIN articles_column col ON col.id = a.column_id
LEFT JOIN articles_photo lead ON lead.id = a.lead_photo_id
LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', b.html, b.attribution), ' ' ORDER BY b.position, b.id) AS text,
           string_agg(coalesce(nullif(b.caption, ''), p.caption), ' ' ORDER BY b.position, b.id) AS captions
    FROM articles_block b LEFT JOIN articles_photo p ON p.id = b.photo_id
    WHERE b.article_id = a.id
) body ON true
LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', i.name, i.label), ' ' ORDER BY i.position, i.id) AS text
    FROM articles_interviewee i WHERE i.article_id = a.id
) people ON true
LEFT JOIN LATERAL (
    SELECT string_agg(t.name, ' ' ORDER BY t.name) AS text
    FROM articles_taggedarticle ta JOIN articles_tag t ON t.id = ta.tag_id
    WHERE ta.content_object_id = a.id
) tags ON true
LEFT JOIN LATERAL (
    SELECT string_agg(au.name, ' ' ORDER BY aa.position, aa.id) AS text
    FROM articles_articleauthor aa JOIN articles_author au ON au.id = aa.author_id
    WHERE aa.article_id = a.id
) bylines ON true
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

CREATE OR REPLACE FUNCTION articles_article_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM articles_refresh_search_documents(ARRAY(SELECT id FROM new_rows));
    ELSE
        PERFORM articles_refresh_search_documents(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.title, n.standfirst, n.status, n.kind, n.published_at, n.column_id, n.lead_photo_id, n.lead_caption)
                IS DISTINCT FROM (o.title, o.standfirst, o.status, o.kind, o.published_at, o.column_id, o.lead_photo_id,
                                  o.lead_caption)
        ));
    END IF;
    RETURN NULL;
END $$;

-- Rows that belong to one article through article_id: interviewees and bylines (blocks use
-- articles_block_search_trigger from 0003, which does the same).
CREATE FUNCTION articles_child_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION articles_tagging_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM articles_refresh_search_documents(ARRAY(SELECT DISTINCT content_object_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM articles_refresh_search_documents(ARRAY(SELECT DISTINCT content_object_id FROM old_rows));
    ELSE
        PERFORM articles_refresh_search_documents(ARRAY(
            SELECT content_object_id FROM new_rows UNION SELECT content_object_id FROM old_rows
        ));
    END IF;
    RETURN NULL;
END $$;

-- Renames: only rows whose searched text changed refresh the articles that show it.
CREATE FUNCTION articles_tag_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_refresh_search_documents(ARRAY(
        SELECT DISTINCT ta.content_object_id FROM articles_taggedarticle ta
        JOIN new_rows n ON n.id = ta.tag_id JOIN old_rows o ON o.id = n.id
        WHERE n.name IS DISTINCT FROM o.name
    ));
    RETURN NULL;
END $$;

CREATE FUNCTION articles_column_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_refresh_search_documents(ARRAY(
        SELECT a.id FROM articles_article a
        JOIN new_rows n ON n.id = a.column_id JOIN old_rows o ON o.id = n.id
        WHERE n.name IS DISTINCT FROM o.name
    ));
    RETURN NULL;
END $$;

CREATE FUNCTION articles_author_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_refresh_search_documents(ARRAY(
        SELECT DISTINCT aa.article_id FROM articles_articleauthor aa
        JOIN new_rows n ON n.id = aa.author_id JOIN old_rows o ON o.id = n.id
        WHERE n.name IS DISTINCT FROM o.name
    ));
    RETURN NULL;
END $$;

CREATE FUNCTION articles_photo_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_refresh_search_documents(ARRAY(
        WITH changed AS (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.caption IS DISTINCT FROM o.caption
        )
        SELECT a.id FROM articles_article a JOIN changed c ON c.id = a.lead_photo_id
        UNION
        SELECT b.article_id FROM articles_block b JOIN changed c ON c.id = b.photo_id
    ));
    RETURN NULL;
END $$;
"""


def previous_functions() -> str:
    """0007's refresh, article, tag and column trigger functions, to put back when this migration is reversed."""
    sql = PREVIOUS_REFRESH_FUNCTION
    functions = re.findall(
        r"CREATE (?:OR REPLACE )?FUNCTION (?:articles_refresh_search_documents|articles_article_search_trigger"
        r"|articles_tag_search_trigger|articles_column_search_trigger)\(.*?\$\$;",
        sql,
        re.S,
    )
    return "\n".join(f.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1) for f in functions)


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_view_hits_waiting_to_be_counted")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="language",
            field=models.CharField(blank=True, db_default="", max_length=12),
        ),
        migrations.RunPython(create_configurations, drop_configurations),
        migrations.RunSQL(
            [FUNCTIONS, REFRESH_FUNCTION, NAME_TRIGGERS, REFRESH_ALL],
            [previous_functions(), DROP_FUNCTIONS, REFRESH_ALL],
        ),
    ]
