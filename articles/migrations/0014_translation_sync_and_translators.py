import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_article_language_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="translation_source",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="articles.revision",
                verbose_name="up to date with",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="translation_synced_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="brought up to date at"),
        ),
        migrations.AddField(
            model_name="article",
            name="translators",
            field=models.ManyToManyField(
                blank=True,
                help_text="Credited under the byline as “Translated by”.",
                related_name="translated_articles",
                to="articles.author",
                verbose_name="translated by",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["language", "-published_at"],
                name="article_language_published",
            ),
        ),
    ]
