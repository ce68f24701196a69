"""Settings for the test suite: production settings with test-friendly defaults.

Environment variables still win, so `DATABASE_URL=... make test` uses that server.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SITE_URL", "https://news.example.org")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from newsroom.settings import *  # noqa: E402,F403

# Tests render templates without running collectstatic.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# One folder per pytest-xdist worker ("gw0", "gw1"...; the subprocesses a test starts inherit the
# variable), as each has its own test database: uploads never meet another worker's files.
MEDIA_ROOT = BASE_DIR / ".data" / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "")  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Background tasks run in the request's thread in unit tests; tests about the
# worker itself start a real one against the database backend.
TASKS = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Replica routing tests (tests/newsroom/test_replicas.py) turn the router on for themselves:
# "replica1" is a second connection to the test database, "replica_dead" a server that is not there.
DATABASES["replica1"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASES["replica_dead"] = {  # noqa: F405
    **DATABASES["default"],  # noqa: F405
    "HOST": str(BASE_DIR / ".data" / "no-such-server"),  # noqa: F405
    "TEST": {"MIRROR": "default"},
}
