import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_translated_tag_and_column_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="translation_of",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for an original. A translation names the article it translates.",
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="translations",
                to="articles.article",
                verbose_name="translation of",
            ),
        ),
    ]
