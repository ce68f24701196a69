"""The Writer and Editor groups with exactly the permissions their roles need (see README)."""

from django.db import migrations

WRITER = {
    "article": ["add", "change", "view"],
    "articleauthor": ["add", "change", "delete", "view"],
    "block": ["add", "change", "delete", "view"],
    "taggedarticle": ["add", "change", "delete", "view"],
    "interviewee": ["add", "change", "delete", "view"],
    "author": ["view"],
    "column": ["view"],
    "photo": ["add", "view"],
    "tag": ["view"],
    "revision": ["view"],
    "transition": ["view"],
}
EDITOR_EXTRA = ["review_article", "publish_article"]
EDITOR_MODELS = [
    "article",
    "articleauthor",
    "block",
    "taggedarticle",
    "interviewee",
    "author",
    "column",
    "photo",
    "tag",
    "correction",
    "previewlink",
    "revision",
    "transition",
]


def create_groups(apps, schema_editor):
    # On a fresh database permissions are only created after all migrations have run:
    # create them now so the groups can hold them.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Restored afterwards: newsroom.roles also runs this with the live app registry.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(codenames):
        found = list(Permission.objects.filter(content_type__app_label="articles", codename__in=codenames))
        missing = set(codenames) - {p.codename for p in found}
        if missing:
            raise RuntimeError(f"Missing permissions: {sorted(missing)}")
        return found

    writer, _ = Group.objects.get_or_create(name="Writer")
    writer.permissions.set(perms([f"{action}_{model}" for model, actions in WRITER.items() for action in actions]))
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.set(
        perms(
            [f"{action}_{model}" for model in EDITOR_MODELS for action in ("add", "change", "delete", "view")]
            + EDITOR_EXTRA
        )
    )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writer", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0002_redirect"),
        ("articles", "0004_editorial_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
