"""Give rows whose slug no URL can carry (empty, a slash, "." or "..") one that can, before the
constraints of the next migration refuse such slugs (issue 15). Photos without a file are left
for an editor to fix or delete: the next migration then refuses to apply and says which constraint."""

from django.db import migrations
from django.db.models import Q

UNLINKABLE = Q(slug="") | Q(slug__contains="/") | Q(slug__in=[".", ".."])


def repair_slugs(apps, schema_editor) -> None:
    for model_name in ("Tag", "Author", "Column", "Article"):
        model = apps.get_model("articles", model_name)
        for row in model.objects.filter(UNLINKABLE):
            row.slug = f"{model_name.lower()}-{row.pk}"
            model.objects.filter(pk=row.pk).update(slug=row.slug)


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_search_people_tags_bylines")]

    operations = [migrations.RunPython(repair_slugs, migrations.RunPython.noop)]
