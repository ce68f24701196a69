"""The Writer and Editor groups outside migrations (demo data, tests).

Their data migration is the one definition of what each role may do; this runs
it again when a database lost the groups (a test database flushed after migrating).
"""

from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Group

ROLES = ("Writer", "Editor")


def ensure_roles() -> None:
    if Group.objects.filter(name__in=ROLES).count() == len(ROLES):
        return
    # Found by name, so renumbering the migration when branches merge changes nothing here.
    module = next((Path(__file__).parent / "migrations").glob("*_editorial_roles.py")).stem
    import_module(f"newsroom.migrations.{module}").create_groups(apps, None)
