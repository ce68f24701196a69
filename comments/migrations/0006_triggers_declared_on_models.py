"""The comments_version triggers of migration 0004, now declared on Comment and Vote
(Meta.triggers) and installed by pgtrigger: drop the hand-made ones first.

Not reversible: the old triggers are gone from the code; restore a backup to go back.
"""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# Each old trigger function, dropped with the triggers that run it (CASCADE), and the
# bump function they called.
DROP_OLD = [
    "DROP FUNCTION IF EXISTS comments_version_comments_comment_trigger() CASCADE",
    "DROP FUNCTION IF EXISTS comments_version_comments_vote_trigger() CASCADE",
    "DROP FUNCTION IF EXISTS comments_bump_versions(bigint[])",
]


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0005_spam_model_calibration"),
    ]

    operations = [
        migrations.RunSQL(DROP_OLD),
        pgtrigger.migrations.AddTrigger(
            model_name="comment",
            trigger=pgtrigger.compiler.Trigger(
                name="comments_version_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET comments_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM new_rows));\nRETURN NULL;",
                    hash="e053915b94e43f75512ff81849825da06b675de8",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_comments_version_insert_bbe07",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="comments_comment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="comment",
            trigger=pgtrigger.compiler.Trigger(
                name="comments_version_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET comments_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="3e2f55f399c5236cb085bb123d7d93972beb427d",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_comments_version_update_a5fac",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="comments_comment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="comment",
            trigger=pgtrigger.compiler.Trigger(
                name="comments_version_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET comments_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="092a3392199b6b8963b8526706d0daf1e1b7642f",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_comments_version_delete_263ec",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="comments_comment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="vote",
            trigger=pgtrigger.compiler.Trigger(
                name="comments_version_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET comments_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT c.article_id FROM comments_comment c JOIN new_rows r ON r.comment_id = c.id));\nRETURN NULL;",
                    hash="3a95a0a774b89e35bf62966ae400cf9ecef7616a",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_comments_version_insert_0231e",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="comments_vote",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="vote",
            trigger=pgtrigger.compiler.Trigger(
                name="comments_version_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET comments_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT c.article_id FROM comments_comment c JOIN new_rows r ON r.comment_id = c.id UNION SELECT c.article_id FROM comments_comment c JOIN old_rows r ON r.comment_id = c.id));\nRETURN NULL;",
                    hash="1c7c9a8339abcbe807e07a09e130b41f70107f26",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_comments_version_update_45c2a",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="comments_vote",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="vote",
            trigger=pgtrigger.compiler.Trigger(
                name="comments_version_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET comments_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT c.article_id FROM comments_comment c JOIN old_rows r ON r.comment_id = c.id));\nRETURN NULL;",
                    hash="a33ffcdec9d8616f6ac1ccc15d590d4362ac6de0",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_comments_version_delete_48d6c",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="comments_vote",
                    when="AFTER",
                ),
            ),
        ),
    ]
