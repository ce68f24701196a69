"""Article.comments_version, kept by PostgreSQL: a new number whenever a comment on the
article, or a vote on one, is written or deleted, by any path (posting, moderation,
votes, reports, erasure, the admin). It keys the rendered comment section kept in
each app server's memory (see comments/templatetags/comments_tags.py). The sequence
and the reasons are those of articles' migration 0006."""

from importlib import import_module

from django.db import migrations

page_versions = import_module("articles.migrations.0006_page_version_triggers")

BUMP = f"""
CREATE FUNCTION comments_bump_versions(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE articles_article SET comments_version = nextval('{page_versions.SEQUENCE}') WHERE id = ANY(ids);
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
TRIGGERS_SQL, DROP_TRIGGERS_SQL = page_versions.statement_triggers(
    "comments_version", "comments_bump_versions", SECTION_PARTS
)


class Migration(migrations.Migration):
    dependencies = [("comments", "0003_comment_commenter_website"), ("articles", "0006_page_version_triggers")]

    operations = [
        migrations.RunSQL(BUMP, DROP_BUMP),
        migrations.RunSQL(TRIGGERS_SQL, DROP_TRIGGERS_SQL),
    ]
