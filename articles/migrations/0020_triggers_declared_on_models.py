"""The articles' triggers, now declared on the models (Meta.triggers) and installed by pgtrigger.

Until now they were built from strings in migrations 0006 (page versions), 0003, 0007 and
0018 (search documents), 0013 and 0019 (translation groups); newsroom's 0004 made those of
the page cache's change log, and newsroom's 0005 drops them. This drops the articles' own,
with their functions and the bump function they called, and installs the same triggers
from the models, so what fires on a write is read where the model is. Kept: the sequence
of versions, the search configurations and `articles_refresh_search_documents`, which
the new triggers call.

Not reversible: the old triggers are gone from the code; restore a backup to go back.
"""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# Each old trigger function, dropped with the triggers that run it (CASCADE).
OLD_FUNCTIONS = [
    # 0006: page versions
    "articles_article_version_trigger",
    *(
        f"articles_version_articles_{table}_trigger"
        for table in (
            "articleauthor",
            "author",
            "block",
            "column",
            "correction",
            "interviewee",
            "photo",
            "tag",
            "taggedarticle",
        )
    ),
    # 0003, 0007, 0018: search documents
    "articles_article_search_trigger",
    "articles_block_search_trigger",
    "articles_child_search_trigger",
    "articles_tagging_search_trigger",
    "articles_tag_search_trigger",
    "articles_column_search_trigger",
    "articles_author_search_trigger",
    "articles_photo_search_trigger",
    # 0013 and 0019: translation groups
    "articles_article_translation_group_trigger",
    "articles_translation_group_trigger",
]
DROP_OLD = [
    *(f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in OLD_FUNCTIONS),
    # Called only by the old triggers; the new ones write the UPDATE themselves.
    "DROP FUNCTION IF EXISTS articles_bump_page_versions(bigint[])",
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0019_translation_group_versions"),
    ]

    operations = [
        migrations.RunSQL(DROP_OLD),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="\nIF TG_OP = 'INSERT' THEN\n    NEW.page_version := nextval('articles_version_seq');\n    NEW.comments_version := nextval('articles_version_seq');\n    RETURN NEW;\nEND IF;\nNEW.comments_version := GREATEST(NEW.comments_version, OLD.comments_version);\nIF to_jsonb(NEW) - '{page_version,comments_version}'::text[]\n        IS DISTINCT FROM to_jsonb(OLD) - '{page_version,comments_version}'::text[] THEN\n    NEW.page_version := nextval('articles_version_seq');\nELSE\n    NEW.page_version := GREATEST(NEW.page_version, OLD.page_version);\nEND IF;\nRETURN NEW;",
                    hash="6c4261f6587b340d87293bdcbf296b10982cc0d2",
                    operation="INSERT OR UPDATE",
                    pgid="pgtrigger_page_version_6d527",
                    table="articles_article",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="translation_group_rules_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (NEW.translation_of_id IS NOT NULL)",
                    declare="DECLARE original record;",
                    func="\nIF NEW.translation_of_id IS NOT NULL THEN\n    SELECT translation_of_id, language INTO original\n        FROM articles_article WHERE id = NEW.translation_of_id FOR SHARE;\n    IF FOUND AND original.translation_of_id IS NOT NULL THEN\n        RAISE EXCEPTION 'article % cannot be a translation of article %, which is itself a translation',\n            NEW.id, NEW.translation_of_id USING ERRCODE = 'check_violation';\n    END IF;\n    IF FOUND AND original.language = NEW.language THEN\n        RAISE EXCEPTION 'article % is in %, the language of the article it translates',\n            NEW.id, NEW.language USING ERRCODE = 'check_violation';\n    END IF;\n    IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM articles_article WHERE translation_of_id = NEW.id) THEN\n        RAISE EXCEPTION 'article % has translations, so it cannot be a translation', NEW.id\n            USING ERRCODE = 'check_violation';\n    END IF;\nELSIF TG_OP = 'UPDATE' AND NEW.language IS DISTINCT FROM OLD.language AND EXISTS (\n        SELECT 1 FROM articles_article WHERE translation_of_id = NEW.id AND language = NEW.language) THEN\n    RAISE EXCEPTION 'article % has a translation in %', NEW.id, NEW.language USING ERRCODE = 'check_violation';\nEND IF;\nRETURN NEW;",
                    hash="1e3652355a54714baca5f53f14a1078dff9fd6a1",
                    operation="INSERT",
                    pgid="pgtrigger_translation_group_rules_insert_8387c",
                    table="articles_article",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="translation_group_rules_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (NEW.translation_of_id IS NOT NULL OR NEW.language IS DISTINCT FROM OLD.language)",
                    declare="DECLARE original record;",
                    func="\nIF NEW.translation_of_id IS NOT NULL THEN\n    SELECT translation_of_id, language INTO original\n        FROM articles_article WHERE id = NEW.translation_of_id FOR SHARE;\n    IF FOUND AND original.translation_of_id IS NOT NULL THEN\n        RAISE EXCEPTION 'article % cannot be a translation of article %, which is itself a translation',\n            NEW.id, NEW.translation_of_id USING ERRCODE = 'check_violation';\n    END IF;\n    IF FOUND AND original.language = NEW.language THEN\n        RAISE EXCEPTION 'article % is in %, the language of the article it translates',\n            NEW.id, NEW.language USING ERRCODE = 'check_violation';\n    END IF;\n    IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM articles_article WHERE translation_of_id = NEW.id) THEN\n        RAISE EXCEPTION 'article % has translations, so it cannot be a translation', NEW.id\n            USING ERRCODE = 'check_violation';\n    END IF;\nELSIF TG_OP = 'UPDATE' AND NEW.language IS DISTINCT FROM OLD.language AND EXISTS (\n        SELECT 1 FROM articles_article WHERE translation_of_id = NEW.id AND language = NEW.language) THEN\n    RAISE EXCEPTION 'article % has a translation in %', NEW.id, NEW.language USING ERRCODE = 'check_violation';\nEND IF;\nRETURN NEW;",
                    hash="d5b74f875cabe51d82d39c588f7b510bf5492682",
                    operation='UPDATE OF "translation_of_id", "language"',
                    pgid="pgtrigger_translation_group_rules_update_dc9dd",
                    table="articles_article",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="translation_group_versions_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    declare="DECLARE groups bigint[]; changed bigint;",
                    func="\ngroups := ARRAY[]::bigint[];\nIF TG_OP <> 'DELETE' THEN\n    groups := groups || COALESCE(NEW.translation_of_id, NEW.id);\n    changed := NEW.id;\nEND IF;\nIF TG_OP <> 'INSERT' THEN\n    groups := groups || COALESCE(OLD.translation_of_id, OLD.id);\n    changed := OLD.id;\nEND IF;\nUPDATE articles_article SET page_version = nextval('articles_version_seq')\n    WHERE (id = ANY(groups) OR translation_of_id = ANY(groups)) AND id <> changed;\nRETURN NULL;",
                    hash="3fb085f1ba293ba8d7be20f3dd9f536d7c4368a9",
                    operation="INSERT",
                    pgid="pgtrigger_translation_group_versions_insert_02b21",
                    table="articles_article",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="translation_group_versions_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."language" IS DISTINCT FROM (NEW."language") OR OLD."published_at" IS DISTINCT FROM (NEW."published_at") OR OLD."slug" IS DISTINCT FROM (NEW."slug") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."translation_of_id" IS DISTINCT FROM (NEW."translation_of_id"))',
                    declare="DECLARE groups bigint[]; changed bigint;",
                    func="\ngroups := ARRAY[]::bigint[];\nIF TG_OP <> 'DELETE' THEN\n    groups := groups || COALESCE(NEW.translation_of_id, NEW.id);\n    changed := NEW.id;\nEND IF;\nIF TG_OP <> 'INSERT' THEN\n    groups := groups || COALESCE(OLD.translation_of_id, OLD.id);\n    changed := OLD.id;\nEND IF;\nUPDATE articles_article SET page_version = nextval('articles_version_seq')\n    WHERE (id = ANY(groups) OR translation_of_id = ANY(groups)) AND id <> changed;\nRETURN NULL;",
                    hash="2277cbf07a657f476f022f85056e721432dd666f",
                    operation="UPDATE",
                    pgid="pgtrigger_translation_group_versions_update_ce200",
                    table="articles_article",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="translation_group_versions_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    declare="DECLARE groups bigint[]; changed bigint;",
                    func="\ngroups := ARRAY[]::bigint[];\nIF TG_OP <> 'DELETE' THEN\n    groups := groups || COALESCE(NEW.translation_of_id, NEW.id);\n    changed := NEW.id;\nEND IF;\nIF TG_OP <> 'INSERT' THEN\n    groups := groups || COALESCE(OLD.translation_of_id, OLD.id);\n    changed := OLD.id;\nEND IF;\nUPDATE articles_article SET page_version = nextval('articles_version_seq')\n    WHERE (id = ANY(groups) OR translation_of_id = ANY(groups)) AND id <> changed;\nRETURN NULL;",
                    hash="836115e3febd15c665055b151aefb472252178a5",
                    operation="DELETE",
                    pgid="pgtrigger_translation_group_versions_delete_5deb6",
                    table="articles_article",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="search_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT id FROM new_rows));\nRETURN NULL;",
                    hash="f610dabdea03ffef099ae0290884b8c89724a04e",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_search_insert_b6831",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_article",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="search_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id\nWHERE (n.title, n.standfirst, n.status, n.kind, n.published_at, n.column_id, n.lead_photo_id, n.lead_caption,\n       n.language)\n    IS DISTINCT FROM (o.title, o.standfirst, o.status, o.kind, o.published_at, o.column_id, o.lead_photo_id,\n                      o.lead_caption, o.language)));\nRETURN NULL;",
                    hash="8ab54aee64cf845494b23a32c0fc8d61f2eafe80",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_search_update_fa214",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_article",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'listed-' || id FROM new_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="df6ee024a4f626ef0a5073fe9a651b947a40900b",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_cache_insert_a82d3",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_article",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (\n    SELECT 'article-' || n.id FROM new_rows n JOIN old_rows o ON o.id = n.id\n        WHERE n.page_version IS DISTINCT FROM o.page_version\n    UNION ALL SELECT 'comments-' || n.id FROM new_rows n JOIN old_rows o ON o.id = n.id\n        WHERE n.comments_version IS DISTINCT FROM o.comments_version\n    UNION ALL SELECT 'listed-' || n.id FROM new_rows n JOIN old_rows o ON o.id = n.id\n        WHERE (n.status, n.published_at, n.slug, n.column_id)\n            IS DISTINCT FROM (o.status, o.published_at, o.slug, o.column_id)\n) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="8b89a10efbfa0b81e9b60dc75855f02944640c9e",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_cache_update_5f20b",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_article",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="article",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'article-' || id FROM old_rows UNION ALL SELECT 'listed-' || id FROM old_rows UNION ALL SELECT 'comments-' || id FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="18bcb57cfd6c516bbe5e68448d4a3982c999563c",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_cache_delete_b9f53",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_article",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="articleauthor",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM new_rows));\nRETURN NULL;",
                    hash="9f22045c34a6ea554dcd996815eb5457e03e8265",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_page_version_insert_48991",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_articleauthor",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="articleauthor",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="fe974a11e33eac4d6c322227b28e619c75294981",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_page_version_update_93806",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_articleauthor",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="articleauthor",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="3fc042164e585940770816a7dfeca67ca1216413",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_page_version_delete_a92eb",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_articleauthor",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="articleauthor",
            trigger=pgtrigger.compiler.Trigger(
                name="search_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT article_id FROM new_rows));\nRETURN NULL;",
                    hash="cd5e876c06d7b7bc2877ca15eac2ce9c3cd0a5cd",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_search_insert_9a850",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_articleauthor",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="articleauthor",
            trigger=pgtrigger.compiler.Trigger(
                name="search_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="f7a5b55222273e83fcf69d225ec112aa8599a902",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_search_update_e6e4d",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_articleauthor",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="articleauthor",
            trigger=pgtrigger.compiler.Trigger(
                name="search_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="a4ebf0c02a0bde6aa3fdaf232ff04a6371d42934",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_search_delete_b06f8",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_articleauthor",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="articleauthor",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'listing-author-' || author_id FROM new_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="9512f84452d002fdf1067086f8e8bc546a78b410",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_cache_insert_36da9",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_articleauthor",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="articleauthor",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'listing-author-' || author_id FROM new_rows UNION SELECT 'listing-author-' || author_id FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="bb94de50cee9b1a5beb2b42a35273d1e11be2c76",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_cache_update_5f4ac",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_articleauthor",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="articleauthor",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'listing-author-' || author_id FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="62169f59655d794b50eafb61c6f3fadf4c338f1e",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_cache_delete_a2eb8",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_articleauthor",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="author",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT aa.article_id FROM articles_articleauthor aa JOIN new_rows r ON aa.author_id = r.id UNION SELECT aa.article_id FROM articles_articleauthor aa JOIN old_rows r ON aa.author_id = r.id));\nRETURN NULL;",
                    hash="172cf3fb9801805076c29198cb83f46fcd4f4399",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_page_version_update_b4d8f",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_author",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="author",
            trigger=pgtrigger.compiler.Trigger(
                name="search_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT DISTINCT aa.article_id FROM articles_articleauthor aa JOIN new_rows n ON n.id = aa.author_id JOIN old_rows o ON o.id = n.id WHERE n.name IS DISTINCT FROM o.name));\nRETURN NULL;",
                    hash="c0a542e5cc03e61349e85061f2a9ca81da85c560",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_search_update_4a968",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_author",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="author",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'search' FROM new_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="c77054092bd36b445b061211bfbfa14077732eed",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_cache_insert_0087e",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_author",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="author",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'author-' || id FROM new_rows UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps' UNION SELECT 'author-' || id FROM old_rows UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps') AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="e8bdf12bbf92277730bb63419882443bddc043f9",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_cache_update_78d6f",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_author",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="author",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'author-' || id FROM old_rows UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps') AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="f49422e97125407ac9ee4446894b4a6abc7c963c",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_cache_delete_3689f",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_author",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="block",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM new_rows));\nRETURN NULL;",
                    hash="f55803273d4687a8e41822bd5b9f18a02d7ece74",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_page_version_insert_7490f",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_block",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="block",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="fea75ef696adf8c3d8e6281e82ded1f70a42a122",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_page_version_update_5e221",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_block",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="block",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="9aeef03d1ab32314061e278a77ab7d632d9d7dcf",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_page_version_delete_f020f",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_block",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="block",
            trigger=pgtrigger.compiler.Trigger(
                name="search_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT article_id FROM new_rows));\nRETURN NULL;",
                    hash="31e9ec1701916b9e141781fcfd6b193a37ff4fdd",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_search_insert_c074a",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_block",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="block",
            trigger=pgtrigger.compiler.Trigger(
                name="search_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="31100ec4b10e1f98e06779e7ea259fbf237ef733",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_search_update_2d0a5",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_block",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="block",
            trigger=pgtrigger.compiler.Trigger(
                name="search_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="495ecbec3c6ecd3c6d4498047491aebb2db7e6fe",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_search_delete_54568",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_block",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="column",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT a.id FROM articles_article a JOIN new_rows r ON a.column_id = r.id UNION SELECT a.id FROM articles_article a JOIN old_rows r ON a.column_id = r.id));\nRETURN NULL;",
                    hash="ea82ad2c819213e4c2eac0f97b5a7d3ef23ef5d3",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_page_version_update_e038e",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_column",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="column",
            trigger=pgtrigger.compiler.Trigger(
                name="search_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT a.id FROM articles_article a JOIN new_rows n ON n.id = a.column_id JOIN old_rows o ON o.id = n.id WHERE (n.name, n.names) IS DISTINCT FROM (o.name, o.names)));\nRETURN NULL;",
                    hash="6c4014b31f9c51b40c41483f9773ca5fa80d028b",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_search_update_e0c7e",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_column",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="column",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'column-' || id FROM new_rows UNION ALL SELECT 'home' UNION ALL SELECT 'sitemaps' UNION SELECT 'column-' || id FROM old_rows UNION ALL SELECT 'home' UNION ALL SELECT 'sitemaps') AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="cd83c3edeb80e3b4794d520e18333646e5d215e3",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_cache_update_02ffd",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_column",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="column",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'column-' || id FROM old_rows UNION ALL SELECT 'home' UNION ALL SELECT 'sitemaps') AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="f95c7e26c7ea82c12a802f76f00dddc973df2481",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_cache_delete_bd172",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_column",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="correction",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM new_rows));\nRETURN NULL;",
                    hash="1c78108eb01f2eaa5376eee505b052357bb12dbd",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_page_version_insert_55342",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_correction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="correction",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="037ec1945dbbab40c6cc3731eff0d600d0ad6d3d",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_page_version_update_362d2",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_correction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="correction",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="c3a68979efc50551c6881bd2ebfa25c5dc011c61",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_page_version_delete_9f965",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_correction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="correction",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'corrections' FROM new_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="2cab1b293ba6150c0e672a6d9453b4e1f680e376",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_cache_insert_e4538",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_correction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="correction",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'corrections' FROM new_rows UNION SELECT 'corrections' FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="50b149d07b3d10448f41f947dcb7fbbf76800ee9",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_cache_update_fdb42",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_correction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="correction",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'corrections' FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="386b79e98e6059b858ce1961d214efa1fb08be1c",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_cache_delete_37209",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_correction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="frontpagepin",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'home' FROM new_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="3ff4515e9848638bb3e02d31b49db202ad331149",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_cache_insert_48a69",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_frontpagepin",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="frontpagepin",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'home' FROM new_rows UNION SELECT 'home' FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="dcd9465cc219563ef8b1ea126b56d2c2d0181582",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_cache_update_e9a7e",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_frontpagepin",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="frontpagepin",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'home' FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="84434604b1423fa1182c000774e9b1d4d24a6238",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_cache_delete_e17ce",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_frontpagepin",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="interviewee",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM new_rows));\nRETURN NULL;",
                    hash="98a72ce41bb6f8f512e599698c63c3a2b4bcbacc",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_page_version_insert_07ddc",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_interviewee",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="interviewee",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="2c881eb675a091b1ce63d4cce67aaa8a6e498bf4",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_page_version_update_52802",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_interviewee",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="interviewee",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="4598beb5e032852b41b5ca3fa56abab7d62a1598",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_page_version_delete_3ef5b",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_interviewee",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="interviewee",
            trigger=pgtrigger.compiler.Trigger(
                name="search_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT article_id FROM new_rows));\nRETURN NULL;",
                    hash="011c77f62e3f6dd56568260ceb0f5b745c7e871d",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_search_insert_802ca",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_interviewee",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="interviewee",
            trigger=pgtrigger.compiler.Trigger(
                name="search_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="b4df0ebdb1162223739f94c7cae8498bbf15dd3d",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_search_update_17c1f",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_interviewee",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="interviewee",
            trigger=pgtrigger.compiler.Trigger(
                name="search_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT article_id FROM old_rows));\nRETURN NULL;",
                    hash="790096cf17577acf689ff5519162edbd5585fae6",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_search_delete_1f5e1",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_interviewee",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="photo",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT a.id FROM articles_article a JOIN new_rows r ON r.id IN (a.lead_photo_id, a.social_image_id) UNION SELECT b.article_id FROM articles_block b JOIN new_rows r ON b.photo_id = r.id UNION SELECT aa.article_id FROM articles_articleauthor aa JOIN articles_author au ON au.id = aa.author_id JOIN new_rows r ON au.photo_id = r.id UNION SELECT a.id FROM articles_article a JOIN old_rows r ON r.id IN (a.lead_photo_id, a.social_image_id) UNION SELECT b.article_id FROM articles_block b JOIN old_rows r ON b.photo_id = r.id UNION SELECT aa.article_id FROM articles_articleauthor aa JOIN articles_author au ON au.id = aa.author_id JOIN old_rows r ON au.photo_id = r.id));\nRETURN NULL;",
                    hash="66a0441bab7f531e41bd9b4756ab26895bf6247e",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_page_version_update_0fdf1",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_photo",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="photo",
            trigger=pgtrigger.compiler.Trigger(
                name="search_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(WITH changed AS (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.caption IS DISTINCT FROM o.caption) SELECT a.id FROM articles_article a JOIN changed c ON c.id = a.lead_photo_id UNION SELECT b.article_id FROM articles_block b JOIN changed c ON c.id = b.photo_id));\nRETURN NULL;",
                    hash="924c86fc3e88ddb8d2c8427bced462bd105b9c64",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_search_update_a578d",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_photo",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="photo",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'author-' || a.id FROM articles_author a JOIN new_rows r ON a.photo_id = r.id UNION SELECT 'author-' || a.id FROM articles_author a JOIN old_rows r ON a.photo_id = r.id) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="4c3196ca736754f91ce5c47c98ef37b05b06e96d",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_cache_update_1b66c",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_photo",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="tag",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT t.content_object_id FROM articles_taggedarticle t JOIN new_rows r ON t.tag_id = r.id UNION SELECT t.content_object_id FROM articles_taggedarticle t JOIN old_rows r ON t.tag_id = r.id));\nRETURN NULL;",
                    hash="b5d47df9eb6843e4101764b449c3b9529388457b",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_page_version_update_27b14",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_tag",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="tag",
            trigger=pgtrigger.compiler.Trigger(
                name="search_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT DISTINCT ta.content_object_id FROM articles_taggedarticle ta JOIN new_rows n ON n.id = ta.tag_id JOIN old_rows o ON o.id = n.id WHERE (n.name, n.names) IS DISTINCT FROM (o.name, o.names)));\nRETURN NULL;",
                    hash="0c3b44f552e395909856e75ecaca46b98fa2bd33",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_search_update_d461d",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_tag",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="tag",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'site' FROM new_rows WHERE is_section UNION ALL SELECT 'search') AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="b5947d184b4eb1c6c8c361acda5704866c724d33",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_cache_insert_217e9",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_tag",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="tag",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'tag-' || id FROM new_rows UNION ALL SELECT 'site' FROM new_rows WHERE is_section UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps' UNION SELECT 'tag-' || id FROM old_rows UNION ALL SELECT 'site' FROM old_rows WHERE is_section UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps') AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="050413716500425aab89083fe2e8846f8b87eded",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_cache_update_379b0",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_tag",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="tag",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'tag-' || id FROM old_rows UNION ALL SELECT 'site' FROM old_rows WHERE is_section UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps') AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="60b1050e4e30d5a753ddaadf32dece78dfdd2e76",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_cache_delete_ae971",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_tag",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="taggedarticle",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT content_object_id FROM new_rows));\nRETURN NULL;",
                    hash="7db874fd1b5eefc7457a27b826981ac29b0c58d4",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_page_version_insert_96c15",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_taggedarticle",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="taggedarticle",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT content_object_id FROM new_rows UNION SELECT content_object_id FROM old_rows));\nRETURN NULL;",
                    hash="56c2b148e52e76f8332d5f3b4d5cae980ea5c083",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_page_version_update_b05b6",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_taggedarticle",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="taggedarticle",
            trigger=pgtrigger.compiler.Trigger(
                name="page_version_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE articles_article SET page_version = nextval('articles_version_seq') WHERE id = ANY(ARRAY(SELECT content_object_id FROM old_rows));\nRETURN NULL;",
                    hash="89aad290c28e77938f75c00f14c417020d5fb134",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_page_version_delete_74534",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_taggedarticle",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="taggedarticle",
            trigger=pgtrigger.compiler.Trigger(
                name="search_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT content_object_id FROM new_rows));\nRETURN NULL;",
                    hash="9ad233dd7f9f99f579aceac1f5cdd9b8dfe59b8e",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_search_insert_aac9d",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_taggedarticle",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="taggedarticle",
            trigger=pgtrigger.compiler.Trigger(
                name="search_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT content_object_id FROM new_rows UNION SELECT content_object_id FROM old_rows));\nRETURN NULL;",
                    hash="27e904cad1bbbe0383a8d8207b762cfda1ee19f9",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_search_update_c220e",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_taggedarticle",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="taggedarticle",
            trigger=pgtrigger.compiler.Trigger(
                name="search_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="PERFORM articles_refresh_search_documents(ARRAY(SELECT content_object_id FROM old_rows));\nRETURN NULL;",
                    hash="dd9f2e5b18b28dab61db4334e4c90697740ec970",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_search_delete_277d1",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_taggedarticle",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="taggedarticle",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'listing-tag-' || tag_id FROM new_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="7700f6bc5033e55eeb02038e88fdde6fd554f6da",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_cache_insert_c7235",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="articles_taggedarticle",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="taggedarticle",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'listing-tag-' || tag_id FROM new_rows UNION SELECT 'listing-tag-' || tag_id FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="150c6d376f3537fa3a3b0bd7266582a2e6216e99",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_cache_update_35ba7",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="articles_taggedarticle",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="taggedarticle",
            trigger=pgtrigger.compiler.Trigger(
                name="cache_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="INSERT INTO newsroom_cachechange (change)\n    SELECT DISTINCT change FROM (SELECT 'listing-tag-' || tag_id FROM old_rows) AS changes (change) WHERE change IS NOT NULL\n    ON CONFLICT (change) DO NOTHING;\nIF FOUND THEN\n    PERFORM pg_notify('newsroom_cache_changes', '');\nEND IF;\nRETURN NULL;",
                    hash="6103010413a7bd112e4de76d946899c0bc4cece2",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_cache_delete_602f6",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="articles_taggedarticle",
                    when="AFTER",
                ),
            ),
        ),
    ]
