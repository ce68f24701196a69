import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from devtools import devdb

LOGINS_FILE = devdb.DATA_DIR / "logins.txt"


class Command(BaseCommand):
    help = "Create an admin login when none exists, and print it (once, when created)."

    def handle(self, **options) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True, is_active=True).exists():
            if LOGINS_FILE.exists():
                self.stdout.write(f"Admin logins are listed in {os.path.relpath(LOGINS_FILE, settings.BASE_DIR)}.")
            return
        password = get_random_string(16)
        User.objects.create_superuser("admin", "admin@example.org", password)
        LOGINS_FILE.parent.mkdir(exist_ok=True)
        with open(LOGINS_FILE, "a") as logins:
            logins.write(f"admin {password}\n")
        LOGINS_FILE.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Admin login created: user 'admin', password '{password}'"))
