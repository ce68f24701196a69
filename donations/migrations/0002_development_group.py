"""The "Development" group: the people who handle money see donor records; no other role does."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Development"
MANAGED = ["donor", "gift", "recurringgift", "campaign", "band", "prompt"]


def codenames() -> list[str]:
    names = [f"{action}_{model}" for model in MANAGED for action in ("add", "change", "view")]
    # Donors are erased (anonymised), not deleted: the accounts keep their gifts.
    return [*names, "delete_campaign", "delete_band", "delete_prompt", "view_stripeevent", "export_donor"]


def create_group(apps, schema_editor) -> None:
    # Permissions are normally created after migrate; make sure they exist on a fresh database.
    app_config = apps.get_app_config("donations")
    # The historical app registry's stub lacks it; newsroom.roles also runs this with the live
    # registry, so put back what was there.
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="donations", codename__in=codenames()))


def delete_group(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0001_donors_gifts_campaigns"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
