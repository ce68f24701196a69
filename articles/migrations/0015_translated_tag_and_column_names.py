from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_translation_sync_and_translators"),
    ]

    operations = [
        migrations.AddField(
            model_name="column",
            name="names",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The name in each language the site publishes in, by language code.",
                verbose_name="names in other languages",
            ),
        ),
        migrations.AddField(
            model_name="tag",
            name="names",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The name in each language the site publishes in, by language code.",
                verbose_name="names in other languages",
            ),
        ),
    ]
