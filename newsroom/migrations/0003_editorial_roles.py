"""The Writer and Editor groups with exactly the permissions their roles need (see README and
articles/roles.py)."""

from django.db import migrations

from articles import roles
from lib.groups import make_groups


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0002_redirect"),
        ("articles", "0004_editorial_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [make_groups(roles.GROUPS)]
