"""Settings for the outage tests' subprocesses: a throwaway private cluster, the real task queue and SMTP.

DATABASE_URL stays unset and DEV_DATA_DIR points at the test's own cluster, so
the web server, the worker and `manage.py serve` run exactly as under
`make run`, against a database the test may stop and start.
"""

import os

from tests.settings import *  # noqa: F403

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"},  # tests/worker_tasks.py names it
}
NEWSLETTER_TASK_BACKEND = "default"
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": int(os.environ["OUTAGE_TEST_SMTP_PORT"]), "timeout": 5},
    }
}
