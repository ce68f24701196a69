"""Benchmark data for `make bench`: the newsletter sign-up page.

Sending is measured on its own by `make bench-newsletter` (devtools/bench_send.py).
"""

from __future__ import annotations

from typing import TextIO

from django.urls import reverse

from newsletter.models import Newsletter


def bench_targets(stdout: TextIO) -> list[tuple[str, str]]:
    Newsletter.objects.get_or_create(
        slug="daily-briefing", defaults={"name": "The Daily Briefing", "in_signup_box": True}
    )
    return [("newsletters", reverse("newsletter:list"))]
