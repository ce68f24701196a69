"""Article.comments_version, kept by PostgreSQL: a new number whenever a comment on the
article, or a vote on one, is written or deleted, by any path (posting, moderation,
votes, reports, erasure, the admin). It keys the rendered comment section kept in
each app server's memory (see comments/templatetags/comments_tags.py). The sequence
and the reasons are those of articles' migration 0006."""

from django.db import migrations

# From articles 0006, copied: a migration imports no other, so later edits cannot change it.
SEQUENCE = "articles_version_seq"


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


BUMP = f"""
CREATE FUNCTION comments_bump_versions(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE articles_article SET comments_version = nextval('{SEQUENCE}') WHERE id = ANY(ids);
$$;
"""
DROP_BUMP = "DROP FUNCTION IF EXISTS comments_bump_versions(bigint[]);"

SECTION_PARTS = {
    "comments_comment": (("INSERT", "UPDATE", "DELETE"), "SELECT article_id FROM {rows}"),
    "comments_vote": (
        ("INSERT", "UPDATE", "DELETE"),
        "SELECT c.article_id FROM comments_comment c JOIN {rows} r ON r.comment_id = c.id",
    ),
}
TRIGGERS_SQL, DROP_TRIGGERS_SQL = statement_triggers("comments_version", "comments_bump_versions", SECTION_PARTS)


class Migration(migrations.Migration):
    dependencies = [("comments", "0003_comment_commenter_website"), ("articles", "0006_page_version_triggers")]

    operations = [
        migrations.RunSQL(BUMP, DROP_BUMP),
        migrations.RunSQL(TRIGGERS_SQL, DROP_TRIGGERS_SQL),
    ]
