"""The page cache's change log: triggers that say what a committed write changed (issue #17).

Every write that changes what a reader page shows already passes through the
version triggers of articles' migration 0006 and comments' 0004: they bump the
article row's page_version or comments_version. A statement-level trigger on the
article row records those bumps, and the triggers below record the rest (a
story moved in or out of lists, an author's, tag's or column's own page, the
header's sections, corrections, front-page pins, redirects), as rows of
newsroom_cachechange, and NOTIFY the worker, which PostgreSQL does on commit.
What each change purges is decided in Python: newsroom/cache.py.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

CHANNEL = "newsroom_cache_changes"


def record(select: str) -> str:
    """PL/pgSQL that records the changes `select` yields (one text column) and notifies the worker."""
    return f"""
    INSERT INTO newsroom_cachechange (change)
        SELECT DISTINCT change FROM ({select}) AS changes (change) WHERE change IS NOT NULL
        ON CONFLICT (change) DO NOTHING;
    IF FOUND THEN
        PERFORM pg_notify('{CHANNEL}', '');
    END IF;"""


ARTICLE_UPDATE = """
    SELECT 'article-' || n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.page_version IS DISTINCT FROM o.page_version
    UNION ALL SELECT 'comments-' || n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.comments_version IS DISTINCT FROM o.comments_version
    UNION ALL SELECT 'listed-' || n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.status, n.published_at, n.slug, n.column_id) IS DISTINCT FROM (o.status, o.published_at, o.slug, o.column_id)
"""

# Table -> {event: the changes a statement's rows make}. {rows} is new_rows for INSERT, old_rows
# for DELETE, and both for UPDATE.
CHANGES = {
    "articles_article": {
        "INSERT": "SELECT 'listed-' || id FROM {rows}",
        "UPDATE": ARTICLE_UPDATE,
        "DELETE": "SELECT 'article-' || id FROM {rows} UNION ALL SELECT 'listed-' || id FROM {rows}"
        " UNION ALL SELECT 'comments-' || id FROM {rows}",
    },
    # Search pages list every author and tag in their form; sitemaps list authors, tags and columns.
    "articles_author": {
        "INSERT": "SELECT 'search' FROM {rows}",
        "UPDATE": "SELECT 'author-' || id FROM {rows} UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps'",
        "DELETE": "SELECT 'author-' || id FROM {rows} UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps'",
    },
    "articles_tag": {
        "INSERT": "SELECT 'site' FROM {rows} WHERE is_section UNION ALL SELECT 'search'",
        "UPDATE": "SELECT 'tag-' || id FROM {rows} UNION ALL SELECT 'site' FROM {rows} WHERE is_section"
        " UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps'",
        "DELETE": "SELECT 'tag-' || id FROM {rows} UNION ALL SELECT 'site' FROM {rows} WHERE is_section"
        " UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps'",
    },
    "articles_column": {
        "UPDATE": "SELECT 'column-' || id FROM {rows} UNION ALL SELECT 'home' UNION ALL SELECT 'sitemaps'",
        "DELETE": "SELECT 'column-' || id FROM {rows} UNION ALL SELECT 'home' UNION ALL SELECT 'sitemaps'",
    },
    "newsletter_newsletter": dict.fromkeys(("INSERT", "UPDATE", "DELETE"), "SELECT 'newsletter' FROM {rows}"),
    "articles_photo": {
        "UPDATE": "SELECT 'author-' || a.id FROM articles_author a JOIN {rows} r ON a.photo_id = r.id",
    },
    "articles_taggedarticle": dict.fromkeys(
        ("INSERT", "UPDATE", "DELETE"), "SELECT 'listing-tag-' || tag_id FROM {rows}"
    ),
    "articles_articleauthor": dict.fromkeys(
        ("INSERT", "UPDATE", "DELETE"), "SELECT 'listing-author-' || author_id FROM {rows}"
    ),
    "articles_correction": dict.fromkeys(("INSERT", "UPDATE", "DELETE"), "SELECT 'corrections' FROM {rows}"),
    "articles_frontpagepin": dict.fromkeys(("INSERT", "UPDATE", "DELETE"), "SELECT 'home' FROM {rows}"),
    "newsroom_redirect": dict.fromkeys(
        ("INSERT", "UPDATE", "DELETE"), "SELECT 'redirects' FROM {rows} UNION ALL SELECT '404' FROM {rows}"
    ),
}

TRANSITION_TABLES = {
    "INSERT": ("NEW TABLE AS new_rows", "new_rows"),
    "DELETE": ("OLD TABLE AS old_rows", "old_rows"),
    "UPDATE": ("OLD TABLE AS old_rows NEW TABLE AS new_rows", None),
}


def triggers() -> tuple[str, str]:
    create, drop = [], []
    for table, events in CHANGES.items():
        for event, select in events.items():
            tables, rows = TRANSITION_TABLES[event]
            if rows:
                select = select.format(rows=rows)
            elif "{rows}" in select:  # an UPDATE: what the rows were and what they are
                select = f"{select.format(rows='old_rows')} UNION ALL {select.format(rows='new_rows')}"
            name = f"newsroom_cache_{table}_{event.lower()}"
            create.append(f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{record(select)}
    RETURN NULL;
END $$;
CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables}
    FOR EACH STATEMENT EXECUTE FUNCTION {name}();""")
            drop.append(f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();")
    return "\n".join(create), "\n".join(drop)


CREATE_TRIGGERS, DROP_TRIGGERS = triggers()


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0003_editorial_roles"),
        ("articles", "0012_front_page_pins_and_sections"),
        ("comments", "0005_spam_model_calibration"),
        # Its triggers watch newsletter_newsletter too.
        ("newsletter", "0001_newsletters_subscribers_campaigns"),
    ]

    operations = [
        migrations.CreateModel(
            name="CacheChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("change", models.CharField(max_length=120, unique=True)),
                ("created_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
            ],
            options={
                "verbose_name": "page cache change",
                "verbose_name_plural": "page cache changes",
            },
        ),
        migrations.RunSQL(CREATE_TRIGGERS, DROP_TRIGGERS),
    ]
