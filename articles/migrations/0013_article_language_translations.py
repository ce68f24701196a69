import django.db.models.deletion
from django.db import migrations, models

import articles.models

# The translation group rules that span two rows, enforced whatever writes the rows
# (admin, imports, scripts). Article.clean_translation_group() repeats them for forms.
# Locking the original FOR SHARE serialises this check with a concurrent change of
# the original itself (turning it into a translation, or changing its language).
GROUP_RULES = """
CREATE FUNCTION articles_article_translation_group_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    original record;
BEGIN
    IF NEW.translation_of_id IS NOT NULL THEN
        SELECT translation_of_id, language INTO original
            FROM articles_article WHERE id = NEW.translation_of_id FOR SHARE;
        IF FOUND AND original.translation_of_id IS NOT NULL THEN
            RAISE EXCEPTION 'article % cannot be a translation of article %, which is itself a translation',
                NEW.id, NEW.translation_of_id USING ERRCODE = 'check_violation';
        END IF;
        IF FOUND AND original.language = NEW.language THEN
            RAISE EXCEPTION 'article % is in %, the language of the article it translates',
                NEW.id, NEW.language USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM articles_article WHERE translation_of_id = NEW.id) THEN
            RAISE EXCEPTION 'article % has translations, so it cannot be a translation', NEW.id
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF TG_OP = 'UPDATE' AND NEW.language IS DISTINCT FROM OLD.language AND EXISTS (
            SELECT 1 FROM articles_article WHERE translation_of_id = NEW.id AND language = NEW.language) THEN
        RAISE EXCEPTION 'article % has a translation in %', NEW.id, NEW.language USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER articles_article_translation_group
    BEFORE INSERT OR UPDATE OF translation_of_id, language ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_translation_group_trigger();
"""

DROP_GROUP_RULES = """
DROP TRIGGER articles_article_translation_group ON articles_article;
DROP FUNCTION articles_article_translation_group_trigger();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_front_page_pins_and_sections"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="language",
            field=models.CharField(
                choices=articles.models.offered_languages,
                db_index=True,
                default=articles.models.default_language,
                max_length=12,
                verbose_name="language",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="translation_of",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for an original. A translation names the article it translates.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="translations",
                to="articles.article",
                verbose_name="translation of",
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.UniqueConstraint(
                fields=("translation_of", "language"),
                name="one_translation_per_language",
                violation_error_message="This article already has a translation in that language.",
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.CheckConstraint(
                condition=models.Q(("translation_of", models.F("id")), _negated=True),
                name="article_is_not_its_own_translation",
                violation_error_message="An article cannot be a translation of itself.",
            ),
        ),
        migrations.RunSQL(GROUP_RULES, DROP_GROUP_RULES),
    ]
