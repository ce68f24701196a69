"""The "Newsletter editor" group: subscribers and campaigns, nothing else (see newsletter/roles.py)."""

from django.db import migrations

from lib.groups import make_groups
from newsletter import roles


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_newsletters_subscribers_campaigns"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [make_groups(roles.GROUPS)]
