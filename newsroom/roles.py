"""The newsroom's role groups outside migrations (demo data, tests).

Each role's data migration is the one definition of what it may do: the
Writer and Editor groups in newsroom, the Comment moderator in comments, the
Newsletter editor in newsletter, Development in donations. This runs them again when a database lost
the groups (a test database flushed after migrating).
"""

from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group

ROLES = ("Writer", "Editor", "Comment moderator", "Newsletter editor", "Development")
# (app, end of the migration's name, its function that makes the groups). Found by
# name, so renumbering a migration when branches merge changes nothing here.
ROLE_MIGRATIONS = [
    ("newsroom", "_editorial_roles", "create_groups"),
    ("comments", "_comment_moderator_group", "create_group"),
    ("newsletter", "_newsletter_editor_group", "create_group"),
    ("donations", "_development_group", "create_group"),
]


def ensure_roles() -> None:
    if Group.objects.filter(name__in=ROLES).count() == len(ROLES):
        return
    # A flush that skipped post_migrate (after a serialized rollback) leaves no permissions either.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for label, suffix, function in ROLE_MIGRATIONS:
        folder = Path(apps.get_app_config(label).path) / "migrations"
        module = next(folder.glob(f"*{suffix}.py")).stem
        getattr(import_module(f"{label}.migrations.{module}"), function)(apps, None)
