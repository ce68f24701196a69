"""The newsroom's role groups outside migrations (demo data, tests).

Each app's `roles.py` is the one definition of what its roles may do: Writer and
Editor in articles, the Comment moderator in comments, the Newsletter editor in
newsletter, Development in donations. Their data migrations make the groups with
lib.groups; this makes them again, with the same code, when a database lost them
(a test database flushed after migrating).
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group

from articles import roles as articles_roles
from comments import roles as comments_roles
from donations import roles as donations_roles
from lib.groups import sync_groups
from newsletter import roles as newsletter_roles

GROUPS = {
    **articles_roles.GROUPS,
    **comments_roles.GROUPS,
    **newsletter_roles.GROUPS,
    **donations_roles.GROUPS,
}


def ensure_roles() -> None:
    if Group.objects.filter(name__in=GROUPS).count() == len(GROUPS):
        return
    # A flush that skipped post_migrate (after a serialized rollback) leaves no permissions either.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    sync_groups(apps, GROUPS)
