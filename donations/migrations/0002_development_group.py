"""The "Development" group: the people who handle money see donor records; no other role does
(see donations/roles.py)."""

from django.db import migrations

from donations import roles
from lib.groups import make_groups


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0001_donors_gifts_campaigns"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [make_groups(roles.GROUPS)]
