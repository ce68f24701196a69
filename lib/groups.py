"""Staff groups that hold exactly the permissions of a role.

Each app says what its roles may do in its `roles.py` (`GROUPS`: group name ->
"app_label.codename" permissions). Its data migration makes the groups with
`make_groups`, and `newsroom.roles.ensure_roles` makes them again, with the same
code and the same lists, when a database lost them (a test database flushed after
migrating). A change of a role's permissions is a new data migration that runs
`make_groups` again. The earlier migrations read the current lists too, so a
permission on a model that a later migration creates makes the earlier one fail on
a fresh database (loudly: a missing permission raises): give that permission its own
group list in the later migration's app instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q


def sync_groups(apps: Apps, groups: Mapping[str, Iterable[str]]) -> None:
    """Make each group hold exactly its permissions; raises RuntimeError if one does not exist.

    `apps` is a migration's historical registry or the live one (django.apps.apps).
    """
    wanted = {name: sorted(set(permissions)) for name, permissions in groups.items()}
    # On a fresh database Django creates permissions only after all migrations have run
    # (post_migrate): create those of the apps named now, so the groups can hold them.
    for label in sorted({p.split(".")[0] for permissions in wanted.values() for p in permissions}):
        app_config = apps.get_app_config(label)
        # create_permissions skips an app without models_module, which the historical
        # registry's stubs lack; put back what was there (the live registry has one).
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True  # type: ignore[assignment]  # any true value
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in wanted.items():
        match = Q(pk__in=[])
        for permission in permissions:
            label, codename = permission.split(".")
            match |= Q(content_type__app_label=label, codename=codename)
        found = list(Permission.objects.filter(match).select_related("content_type"))
        missing = set(permissions) - {f"{p.content_type.app_label}.{p.codename}" for p in found}
        if missing:
            raise RuntimeError(f"Missing permissions for the {name} group: {sorted(missing)}")
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(found)


def delete_groups(apps: Apps, groups: Iterable[str]) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=list(groups)).delete()


def make_groups(groups: Mapping[str, Iterable[str]]) -> migrations.RunPython:
    """The data migration operation that makes `groups` (and deletes them when reversed)."""
    return migrations.RunPython(
        lambda apps, schema_editor: sync_groups(apps, groups),
        lambda apps, schema_editor: delete_groups(apps, groups),
    )
