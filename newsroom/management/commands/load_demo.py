from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the demo newsroom. Each app adds its own part from `devtools/demo_<app>.py` "
        "(a `load(stdout)` function), in INSTALLED_APPS order. Safe to run again: nothing is duplicated."
    )

    def handle(self, **options) -> None:
        for app in apps.get_app_configs():
            module_name = f"devtools.demo_{app.label}"
            if find_spec(module_name):
                with transaction.atomic():
                    import_module(module_name).load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
