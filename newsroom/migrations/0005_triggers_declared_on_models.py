"""The page cache's triggers of migration 0004, now declared on the models whose rows fire
them (articles', newsletters' and redirects', in their Meta.triggers) and installed by
pgtrigger: drop the hand-made ones, and install the redirects'.

Not reversible: the old triggers are gone from the code; restore a backup to go back.
"""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# Each old trigger function of 0004, on the articles', newsletters' and redirects' tables,
# dropped with the trigger that runs it (CASCADE); the models of those tables now declare them.
CACHE_EVENTS = {
    "articles_article": ("insert", "update", "delete"),
    "articles_articleauthor": ("insert", "update", "delete"),
    "articles_author": ("insert", "update", "delete"),
    "articles_column": ("update", "delete"),
    "articles_correction": ("insert", "update", "delete"),
    "articles_frontpagepin": ("insert", "update", "delete"),
    "articles_photo": ("update",),
    "articles_tag": ("insert", "update", "delete"),
    "articles_taggedarticle": ("insert", "update", "delete"),
    "newsletter_newsletter": ("insert", "update", "delete"),
    "newsroom_redirect": ("insert", "update", "delete"),
}
DROP_OLD = [
    f"DROP FUNCTION IF EXISTS newsroom_cache_{table}_{event}() CASCADE"
    for table, events in CACHE_EVENTS.items()
    for event in events
]


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0004_cache_changes"),
    ]

    operations = [
        migrations.RunSQL(DROP_OLD),
        pgtrigger.migrations.AddTrigger(
            model_name="redirect",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'redirects' FROM new_rows UNION ALL SELECT '404' FROM new_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="701cf6548737376b63b2bc4a4e07cb0517199fa2",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_cache_insert_8e085",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="newsroom_redirect",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="redirect",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'redirects' FROM new_rows UNION ALL SELECT '404' FROM new_rows UNION SELECT 'redirects' FROM old_rows UNION ALL SELECT '404' FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="6e8cf5ca31cc0a7a346849c3615dd00f8f0604fb",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_cache_update_42fe5",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="newsroom_redirect",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="redirect",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'redirects' FROM old_rows UNION ALL SELECT '404' FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="299b1dd3ecd35e5f73731d96a69ccc3e6cd835de",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_cache_delete_dd891",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="newsroom_redirect",
                    when="AFTER",
                ),
            ),
        ),
    ]
