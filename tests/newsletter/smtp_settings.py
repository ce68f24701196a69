"""Test settings for worker subprocesses that send to the test's own SMTP server."""

import os

from tests.settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": int(os.environ["NEWSLETTER_TEST_SMTP_PORT"]), "timeout": 5},
    }
}
NEWSLETTER_TASK_BACKEND = "worker"
