"""The page cache's triggers on newsletters, now declared on Newsletter (Meta.triggers) and
installed by pgtrigger; newsroom's 0005 drops the hand-made ones of its 0004."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0007_newsletter_names"),
    ]

    operations = [
        pgtrigger.migrations.AddTrigger(
            model_name="newsletter",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'newsletter' FROM new_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="6d4ce684d6556e51a6e8302d346191473193c77c",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_cache_insert_bb9f5",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="newsletter_newsletter",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="newsletter",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'newsletter' FROM new_rows UNION SELECT 'newsletter' FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="3f7345f14a755ac0564c7eace374fff1ae3b52ab",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_cache_update_e50c6",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="newsletter_newsletter",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="newsletter",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'newsletter' FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="223ae6a3ded480783cefbac07fdb1e991903a6f1",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_cache_delete_53987",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="newsletter_newsletter",
                    when="AFTER",
                ),
            ),
        ),
    ]
