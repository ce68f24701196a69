"""The Comment moderator group (see comments/roles.py)."""

from django.db import migrations

from comments import roles
from lib.groups import make_groups


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_comments"),
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [make_groups(roles.GROUPS)]
