"""Retrying a background task later, with an exponential back-off.

django.tasks has no retries of its own; a task that fails for a reason that may pass
(an SMTP server down, a remote API timing out) enqueues itself again with `retry_later`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.tasks import Task
from django.utils import timezone


def retry_later(
    task: Task,
    *args: Any,
    attempt: int,
    base_delay: float = 30,
    max_attempts: int | None = None,
    max_delay: float = 3600,
    **kwargs: Any,
) -> bool:
    """Enqueue `task` again after an exponential back-off; False once out of attempts.

    `attempt` is the number of the attempt that just failed (1 for the first).
    The caller passes `attempt + 1` on to the task. The delay doubles from
    `base_delay` up to `max_delay`; `max_attempts` defaults to TASK_MAX_ATTEMPTS.
    """
    if attempt >= (settings.TASK_MAX_ATTEMPTS if max_attempts is None else max_attempts):
        return False
    delay = min(base_delay * 2 ** (attempt - 1), max_delay)
    run_after = timezone.now() + datetime.timedelta(seconds=delay)
    task.using(run_after=run_after).enqueue(*args, **kwargs)
    return True
