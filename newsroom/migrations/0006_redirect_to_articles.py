"""Redirect now belongs to articles (articles 0021): forget it here, keeping its table.

Its page-cache triggers go with it: pgtrigger names a trigger after its model, so the
newsroom model's are dropped here and articles 0022 installs the articles model's.
"""

import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0005_triggers_declared_on_models"),
        ("articles", "0021_redirect_from_newsroom"),
    ]

    operations = [
        *(
            pgtrigger.migrations.RemoveTrigger(model_name="redirect", name=name)
            for name in ("cache_insert", "cache_update", "cache_delete")
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Redirect")],
            database_operations=[],
        ),
    ]
