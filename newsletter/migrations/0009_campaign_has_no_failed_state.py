"""Campaigns lose the "failed" status, which no transition ever set.

A row that holds it anyway (written by hand) becomes paused, saying why, so an
editor can resume or cancel it.
"""

from django.db import migrations, models


def failed_to_paused(apps, schema_editor) -> None:
    Campaign = apps.get_model("newsletter", "Campaign")
    Campaign.objects.filter(status="failed").update(
        status="paused", status_message="Was marked failed; resume or cancel it."
    )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0008_triggers_declared_on_models"),
    ]

    operations = [
        migrations.RunPython(failed_to_paused, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="campaign",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("scheduled", "Scheduled"),
                    ("sending", "Sending"),
                    ("paused", "Paused"),
                    ("sent", "Sent"),
                    ("cancelled", "Cancelled"),
                ],
                db_index=True,
                default="draft",
                max_length=20,
                verbose_name="status",
            ),
        ),
    ]
