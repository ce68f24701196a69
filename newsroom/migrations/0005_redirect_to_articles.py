"""Redirect now belongs to articles (articles 0020): forget it here, keeping its table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0004_cache_changes"),
        ("articles", "0020_redirect_from_newsroom"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Redirect")],
            database_operations=[],
        ),
    ]
