"""Article.page_version and comments_version, kept by PostgreSQL itself.

The article page is rendered once and kept in each app server's memory, keyed
by page_version (see articles/rendering.py). That is only safe if the number
changes with everything the page shows, whoever writes it: the admin and its
inlines, the workflow, imports, the renditions task, bulk scripts and deletes
that cascade. As for the search vector (migration 0003), triggers see every
one of those writes; statement-level triggers with transition tables cost one
set-based UPDATE per statement, so bulk inserts stay fast.

Numbers come from one sequence, which a rollback never rewinds: a number seen
once is never reused for other content, not even by a preview that edits rows
inside a savepoint and rolls back. Python writes back the numbers it loaded
with the row, so the row trigger keeps the larger of the old and new numbers
unless other columns changed.
"""

from django.db import migrations

SEQUENCE = "articles_version_seq"

ARTICLE_ROW = f"""
CREATE SEQUENCE {SEQUENCE};

CREATE FUNCTION articles_article_version_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.page_version := nextval('{SEQUENCE}');
        NEW.comments_version := nextval('{SEQUENCE}');
        RETURN NEW;
    END IF;
    NEW.comments_version := GREATEST(NEW.comments_version, OLD.comments_version);
    IF to_jsonb(NEW) - '{{page_version,comments_version}}'::text[]
            IS DISTINCT FROM to_jsonb(OLD) - '{{page_version,comments_version}}'::text[] THEN
        NEW.page_version := nextval('{SEQUENCE}');
    ELSE
        NEW.page_version := GREATEST(NEW.page_version, OLD.page_version);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER articles_article_version BEFORE INSERT OR UPDATE ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_version_trigger();

CREATE FUNCTION articles_bump_page_versions(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE articles_article SET page_version = nextval('{SEQUENCE}') WHERE id = ANY(ids);
$$;

UPDATE articles_article SET page_version = nextval('{SEQUENCE}'), comments_version = nextval('{SEQUENCE}');
"""

# Table -> (events, the article ids a set of its rows called `rows` touches).
# Inserting or deleting an author, tag, column or photo changes no page by itself:
# links to articles are other rows (or SET NULL updates), whose own triggers fire.
PAGE_PARTS = {
    "articles_block": (("INSERT", "UPDATE", "DELETE"), "SELECT article_id FROM {rows}"),
    "articles_interviewee": (("INSERT", "UPDATE", "DELETE"), "SELECT article_id FROM {rows}"),
    "articles_correction": (("INSERT", "UPDATE", "DELETE"), "SELECT article_id FROM {rows}"),
    "articles_articleauthor": (("INSERT", "UPDATE", "DELETE"), "SELECT article_id FROM {rows}"),
    "articles_taggedarticle": (("INSERT", "UPDATE", "DELETE"), "SELECT content_object_id FROM {rows}"),
    "articles_author": (
        ("UPDATE",),
        "SELECT aa.article_id FROM articles_articleauthor aa JOIN {rows} r ON aa.author_id = r.id",
    ),
    "articles_tag": (
        ("UPDATE",),
        "SELECT t.content_object_id FROM articles_taggedarticle t JOIN {rows} r ON t.tag_id = r.id",
    ),
    "articles_column": (("UPDATE",), "SELECT a.id FROM articles_article a JOIN {rows} r ON a.column_id = r.id"),
    "articles_photo": (
        ("UPDATE",),
        "SELECT a.id FROM articles_article a JOIN {rows} r ON r.id IN (a.lead_photo_id, a.social_image_id)"
        " UNION SELECT b.article_id FROM articles_block b JOIN {rows} r ON b.photo_id = r.id"
        " UNION SELECT aa.article_id FROM articles_articleauthor aa"
        " JOIN articles_author au ON au.id = aa.author_id JOIN {rows} r ON au.photo_id = r.id",
    ),
}


def statement_triggers(prefix: str, bump: str, parts: dict) -> tuple[str, str]:
    """SQL creating, and SQL dropping, one statement-level trigger per table and event
    that calls `bump(ids)` with the article ids the changed rows touch."""
    create, drop = [], []
    for table, (events, affected) in parts.items():
        function = f"{prefix}_{table}_trigger"
        new, old = affected.format(rows="new_rows"), affected.format(rows="old_rows")
        create.append(f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM {bump}(ARRAY({new}));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM {bump}(ARRAY({old}));
    ELSE
        PERFORM {bump}(ARRAY({new} UNION {old}));
    END IF;
    RETURN NULL;
END $$;""")
        for event in events:
            tables = {
                "INSERT": "NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            }[event]
            trigger = f"{prefix}_{table}_{event.lower()}"
            create.append(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} REFERENCING {tables}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
            )
            drop.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
        drop.append(f"DROP FUNCTION IF EXISTS {function}();")
    return "\n".join(create), "\n".join(drop)


PARTS_SQL, DROP_PARTS_SQL = statement_triggers("articles_version", "articles_bump_page_versions", PAGE_PARTS)

DROP_ARTICLE_ROW = f"""
DROP TRIGGER IF EXISTS articles_article_version ON articles_article;
DROP FUNCTION IF EXISTS articles_article_version_trigger();
DROP FUNCTION IF EXISTS articles_bump_page_versions(bigint[]);
DROP SEQUENCE IF EXISTS {SEQUENCE};
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_page_versions")]

    operations = [
        migrations.RunSQL(ARTICLE_ROW, DROP_ARTICLE_ROW),
        migrations.RunSQL(PARTS_SQL, DROP_PARTS_SQL),
    ]
