"""Redirect moves from the newsroom app to articles, keeping its table and rows (issue #19).

Only Django's idea of which app owns the model changes: the table stays
`newsroom_redirect` (`db_table`), and the content type is relabelled so permissions
and admin history follow. newsroom 0006 drops the
newsroom model's triggers and removes the model from that app's state; 0022 installs
the same triggers under this app's model.
"""

from django.db import migrations, models


def relabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="newsroom", model="redirect").update(app_label="articles")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="articles", model="redirect").update(app_label="newsroom")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0020_triggers_declared_on_models"),
        ("newsroom", "0005_triggers_declared_on_models"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Redirect",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "old_path",
                            models.CharField(
                                help_text="The path, starting with /, e.g. /category/africa/ or /?p=123 (no host).",
                                max_length=500,
                                unique=True,
                                verbose_name="old address",
                            ),
                        ),
                        (
                            "new_path",
                            models.CharField(
                                help_text="A path on this site, e.g. /tag/africa/, or a full URL.",
                                max_length=500,
                                verbose_name="new address",
                            ),
                        ),
                        (
                            "note",
                            models.CharField(
                                blank=True,
                                help_text="Where the redirect comes from.",
                                max_length=300,
                                verbose_name="note",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                    ],
                    options={
                        "verbose_name": "redirect",
                        "verbose_name_plural": "redirects",
                        "db_table": "newsroom_redirect",
                        "ordering": ["old_path"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("old_path__startswith", "/")), name="redirect_old_path_is_a_path"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("new_path__startswith", "/"),
                                    ("new_path__startswith", "https://"),
                                    ("new_path__startswith", "http://"),
                                    _connector="OR",
                                ),
                                name="redirect_new_path_is_an_address",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, restore_content_type),
    ]
