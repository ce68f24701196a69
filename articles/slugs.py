"""The one rule for slugs: authors, tags, columns and articles alike (issue 15).

- A slug is made from a name or headline with Django's `slugify(allow_unicode=True)`:
  Unicode NFKC, lower case, spaces to hyphens, and only letters and digits of any
  script, hyphens and underscores kept. "Côte d'Ivoire" is `côte-divoire`,
  "Türkiye" `türkiye`, Arabic, Chinese or Cyrillic names stay in their script.
  Nothing is transliterated.
- A name with no letter or digit at all (only emoji or punctuation) gets the
  kind's fallback (`tag`, `author`...), numbered when taken.
- Editors and imports are held to that shape by the models' validation
  (`validate_unicode_slug`, so the admin says what is wrong), and the database
  refuses what no page could link to: an empty slug, a slash, `.` or `..`
  (a browser would fold them into the path). That check is written without
  regular-expression classes, whose meaning in PostgreSQL depends on the
  server's locale.
- URLs take any slug the database can hold (`<uslug:slug>`), so no stored row
  can make `reverse()` fail and take down the pages that link to it. `reverse()`
  percent-encodes the slug (`/tag/c%C3%B4te-divoire/`); browsers show it as typed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class SlugConverter:
    """Any slug the database can hold: everything up to the next slash."""

    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def make_slug(text: str, *, fallback: str, max_length: int = 200) -> str:
    """The slug for a name or headline, by the rule above; `fallback` when nothing is left of it."""
    slug = slugify(text, allow_unicode=True)[:max_length].strip("-_")
    return slug or fallback


def free_slug(text: str, *, fallback: str, max_length: int, is_taken: Callable[[str], bool], suffix: str = "") -> str:
    """A slug for `text` no other row has: as made, else with `suffix` (e.g. an imported id), else numbered."""
    base = make_slug(text, fallback=fallback, max_length=max_length - 20)  # room for the suffix or number
    for slug in [base] + ([f"{base}-{suffix}"] if suffix else []):
        if not is_taken(slug):
            return slug
    n = 2
    while is_taken(f"{base}-{n}"):
        n += 1
    return f"{base}-{n}"


def slug_constraint(name: str) -> models.CheckConstraint:
    """The database's share of the rule: a slug a URL can carry."""
    return models.CheckConstraint(
        condition=~Q(slug="") & ~Q(slug__contains="/") & ~Q(slug__in=[".", ".."]),
        name=name,
        violation_error_message=_("A slug needs at least one letter or digit, and no slash."),
    )
