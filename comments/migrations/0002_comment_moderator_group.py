from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Comment moderator"
# Exactly what the moderation queue needs: read and moderate comments, reply as
# staff, erase commenters, keep the blocklist and the pre-moderation windows,
# see commenters; and read-only access to articles for context.
PERMISSIONS = [
    ("comments", "view_comment"),
    ("comments", "change_comment"),
    ("comments", "add_comment"),
    ("comments", "erase_commenter"),
    ("comments", "view_blockrule"),
    ("comments", "add_blockrule"),
    ("comments", "change_blockrule"),
    ("comments", "delete_blockrule"),
    ("comments", "view_holdwindow"),
    ("comments", "add_holdwindow"),
    ("comments", "change_holdwindow"),
    ("comments", "delete_holdwindow"),
    ("comments", "view_commenter"),
    ("articles", "view_article"),
]


def create_group(apps, schema_editor):
    # On a fresh database the permissions are only made after all migrations;
    # make them now so the group can be given them.
    for label in ("comments", "articles"):
        app_config = apps.get_app_config(label)
        # newsroom.roles also runs this with the live registry: put back what was there.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_comments"),
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
