"""A translation group's members show each other (hreflang, the language switcher, JSON-LD), so
publishing, unpublishing, re-dating, renaming or moving one member changes every other member's
page: bump their `page_version` (and so purge their pages from the shared cache, newsroom/0004)."""

from django.db import migrations

GROUP_TRIGGER = """
CREATE FUNCTION articles_translation_group_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    groups bigint[] := ARRAY[]::bigint[];
    changed bigint;
BEGIN
    IF TG_OP = 'UPDATE'
            AND NEW.status IS NOT DISTINCT FROM OLD.status
            AND NEW.published_at IS NOT DISTINCT FROM OLD.published_at
            AND NEW.slug IS NOT DISTINCT FROM OLD.slug
            AND NEW.language IS NOT DISTINCT FROM OLD.language
            AND NEW.translation_of_id IS NOT DISTINCT FROM OLD.translation_of_id THEN
        RETURN NULL;  -- nothing another member shows; also ends the bump below's own updates
    END IF;
    IF TG_OP <> 'DELETE' THEN
        groups := groups || COALESCE(NEW.translation_of_id, NEW.id);
        changed := NEW.id;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        groups := groups || COALESCE(OLD.translation_of_id, OLD.id);
        changed := OLD.id;
    END IF;
    PERFORM articles_bump_page_versions(ARRAY(
        SELECT id FROM articles_article
        WHERE (id = ANY(groups) OR translation_of_id = ANY(groups)) AND id <> changed
    ));
    RETURN NULL;
END $$;

CREATE TRIGGER articles_translation_group AFTER INSERT OR UPDATE OR DELETE ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_translation_group_trigger();
"""

DROP = """
DROP TRIGGER IF EXISTS articles_translation_group ON articles_article;
DROP FUNCTION IF EXISTS articles_translation_group_trigger();
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_search_per_language")]

    operations = [migrations.RunSQL(GROUP_TRIGGER, DROP)]
