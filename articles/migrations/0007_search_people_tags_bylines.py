"""People, tags, columns, bylines and captions in the search document (issue 12).

`/search/?q=Haddad` found nothing although Nadia Haddad was an interviewee and
a tag: the vector held only the headline, standfirst and blocks. It now weighs

    A  the headline
    B  the standfirst, interviewees' names and labels, tag names
    C  the body and Q&A text (with pull-quote attributions), the column's name, bylines
    D  captions: the lead photo's (the article's own, else the photo's) and the photo blocks'

and the same statement-level triggers as in 0003 keep it current when any of
those rows change: interviewees, bylines and taggings (insert, update, delete),
and the names of tags, columns and authors and the captions of photos (update).
An article's trigger also looks at its column, lead photo and lead caption.
"""

import re

from django.db import migrations

REFRESH_FUNCTION = r"""
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

TABLE_TRIGGERS = [
    # (table, function, events)
    ("articles_interviewee", "articles_child_search_trigger", ("insert", "update", "delete")),
    ("articles_articleauthor", "articles_child_search_trigger", ("insert", "update", "delete")),
    ("articles_taggedarticle", "articles_tagging_search_trigger", ("insert", "update", "delete")),
    ("articles_tag", "articles_tag_search_trigger", ("update",)),
    ("articles_column", "articles_column_search_trigger", ("update",)),
    ("articles_author", "articles_author_search_trigger", ("update",)),
    ("articles_photo", "articles_photo_search_trigger", ("update",)),
]
REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}

CREATE_TRIGGERS = "\n".join(
    f"CREATE TRIGGER {table}_search_{event} AFTER {event.upper()} ON {table} {REFERENCING[event]} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
    for table, function, events in TABLE_TRIGGERS
    for event in events
)

DROP = "\n".join(
    [
        *(
            f"DROP TRIGGER IF EXISTS {table}_search_{event} ON {table};"
            for table, _function, events in TABLE_TRIGGERS
            for event in events
        ),
        *(
            f"DROP FUNCTION IF EXISTS {name}();"
            for name in (
                "articles_child_search_trigger",
                "articles_tagging_search_trigger",
                "articles_tag_search_trigger",
                "articles_column_search_trigger",
                "articles_author_search_trigger",
                "articles_photo_search_trigger",
            )
        ),
    ]
)


# 0003's REFRESH_FUNCTION, copied: a migration imports no other, so later edits cannot change it.
PREVIOUS_REFRESH_FUNCTION = r"""
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


def previous_functions() -> str:
    """0003's refresh and article trigger functions, to put back when this migration is reversed."""
    sql = PREVIOUS_REFRESH_FUNCTION
    functions = re.findall(
        r"CREATE FUNCTION (?:articles_refresh_search_documents|articles_article_search_trigger).*?\$\$;", sql, re.S
    )
    return "\n".join(f.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1) for f in functions)


REFRESH_ALL = "SELECT articles_refresh_search_documents(ARRAY(SELECT id FROM articles_article));"


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_page_version_triggers")]

    operations = [
        migrations.RunSQL(
            [REFRESH_FUNCTION, CREATE_TRIGGERS, REFRESH_ALL],
            [DROP, previous_functions(), REFRESH_ALL],
        ),
    ]
