"""Subscribers to and from CSV: export with consent and history; import with column mapping.

Import is all or nothing by default: every bad row is reported with its line
number and reason, and a file with any bad row (or that cannot be read as a
whole) imports nothing. Addresses already on the list are left exactly as they
are (an import never re-subscribes someone who left), so importing the same
file twice adds nothing the second time.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from newsletter.models import Newsletter, Subscriber, SubscriberEvent

EXPORT_COLUMNS = [
    "email",
    "status",
    "newsletters",
    "source",
    "signup_page",
    "consent_text",
    "signed_up_at",
    "confirmed_at",
    "left_at",
    "history",
    "language",  # last, so files read by column position before issue 20 keep their meaning
]
MAX_ROWS = 200_000


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(subscribers: Iterable[Subscriber]) -> Iterator[str]:
    """CSV lines, header first. Pass a queryset with newsletters and events prefetched."""
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for s in subscribers:
        history = "\n".join(
            f"{event.at.isoformat()} {event.kind}{' ' + event.detail if event.detail else ''}"
            for event in s.events.all()
        )
        yield writer.writerow(
            [
                s.email,
                s.status,
                " ".join(n.slug for n in s.newsletters.all()),
                s.source,
                s.signup_page,
                s.consent_text,
                s.created_at.isoformat(),
                s.confirmed_at.isoformat() if s.confirmed_at else "",
                s.unsubscribed_at.isoformat() if s.unsubscribed_at else "",
                history,
                s.language,
            ]
        )


@dataclass
class Mapping:
    """Which column of the file holds what; empty means the file has no such column."""

    email: str = "email"
    signed_up_at: str = ""
    confirmed_at: str = ""
    consent_text: str = ""
    signup_page: str = ""
    language: str = ""  # a language code per row (en, fr...); without the column, `import_subscribers(language=)`


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason); line 0: the whole file
    imported: bool = False

    @property
    def rejected(self) -> bool:
        return bool(self.errors) and not self.imported


def _parse_when(value: str) -> datetime.datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        when = parse_datetime(value)
        if when is None and (day := parse_date(value)) is not None:
            when = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        when = None
    if when is None:
        raise ValueError(value)
    return when if timezone.is_aware(when) else timezone.make_aware(when, datetime.UTC)


def import_subscribers(
    data: bytes,
    *,
    mapping: Mapping,
    newsletters: list[Newsletter],
    file_name: str = "",
    skip_bad_rows: bool = False,
    language: str = "",
) -> ImportReport:
    """Import subscribers from CSV bytes (UTF-8, header row). See the module docstring for the rules.

    Rows with a confirmation date become confirmed subscribers with that consent
    record; rows without one are imported as pending and receive nothing. Each
    row's language comes from the mapped column (a language the site offers, or
    the row is bad; empty: the default), else from `language`, else the site's default.
    """
    report = ImportReport()
    offered = dict(settings.LANGUAGES)
    default_language = language if language in offered else settings.LANGUAGE_CODE
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append((0, _("The file is not UTF-8 text.")))
        return report
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = reader.fieldnames or []
    for purpose, column in vars(mapping).items():
        if column and column not in header:
            report.errors.append(
                (
                    0,
                    _("The file has no column “%(column)s” (for %(purpose)s).")
                    % {"column": column, "purpose": purpose},
                )
            )
    if report.errors:
        return report

    rows: dict[str, tuple[int, dict]] = {}
    try:
        for row in reader:
            line = reader.line_num
            if len(rows) + len(report.errors) >= MAX_ROWS:
                report.errors.append((0, _("The file has more than %(max)s rows.") % {"max": MAX_ROWS}))
                return report
            if None in row:
                report.errors.append((line, _("More fields than the header has.")))
                continue
            email = Subscriber.normalize_email(row.get(mapping.email) or "")
            try:
                validate_email(email)
            except ValidationError:
                report.errors.append((line, _("“%(value)s” is not an e-mail address.") % {"value": email[:100]}))
                continue
            if email in rows:
                report.errors.append((line, _("The same address as line %(line)s.") % {"line": rows[email][0]}))
                continue
            values = {"email": email}
            bad = False
            for name in ("signed_up_at", "confirmed_at"):
                column = getattr(mapping, name)
                try:
                    values[name] = _parse_when(row.get(column, "")) if column else None
                except ValueError:
                    report.errors.append(
                        (
                            line,
                            _("“%(value)s” is not a date (%(column)s).")
                            % {"value": row[column][:40], "column": column},
                        )
                    )
                    bad = True
            row_language = (row.get(mapping.language) or "").strip().lower() if mapping.language else ""
            if row_language and row_language not in offered:
                report.errors.append(
                    (
                        line,
                        _("“%(value)s” is not a language the site offers (%(offered)s).")
                        % {"value": row_language[:20], "offered": ", ".join(offered)},
                    )
                )
                bad = True
            if bad:
                continue
            values["language"] = row_language or default_language
            values["consent_text"] = (row.get(mapping.consent_text) or "") if mapping.consent_text else ""
            values["signup_page"] = ((row.get(mapping.signup_page) or "") if mapping.signup_page else file_name)[:500]
            rows[email] = (line, values)
    except csv.Error as error:
        report.errors.append((0, _("The file is not valid CSV: %(error)s") % {"error": error}))
        return report

    if not rows and not report.errors:
        report.errors.append((0, _("The file has no rows.")))
    if not rows or (report.errors and not skip_bad_rows):
        return report

    with transaction.atomic():
        existing = set(Subscriber.objects.filter(email__in=rows.keys()).values_list("email", flat=True))
        report.unchanged = len(existing)
        new = []
        for email, (_line, values) in rows.items():
            if email in existing:
                continue
            confirmed = values["confirmed_at"] is not None
            new.append(
                Subscriber(
                    email=email,
                    status=Subscriber.Status.CONFIRMED if confirmed else Subscriber.Status.PENDING,
                    source=Subscriber.Source.IMPORT,
                    language=values["language"],
                    signup_page=values["signup_page"],
                    consent_text=values["consent_text"],
                    created_at=values["signed_up_at"] or values["confirmed_at"] or timezone.now(),
                    confirmed_at=values["confirmed_at"],
                )
            )
        # ignore_conflicts: a sign-up racing the import keeps its own row.
        Subscriber.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        created = Subscriber.objects.filter(email__in=[s.email for s in new], source=Subscriber.Source.IMPORT)
        created = created.exclude(email__in=existing)
        ids = dict(created.values_list("email", "id"))
        Through = Subscriber.newsletters.through
        Through.objects.bulk_create(
            [Through(subscriber_id=pk, newsletter_id=n.pk) for pk in ids.values() for n in newsletters],
            batch_size=5000,
            ignore_conflicts=True,
        )
        SubscriberEvent.objects.bulk_create(
            [
                SubscriberEvent(
                    subscriber_id=pk,
                    kind=SubscriberEvent.Kind.IMPORTED,
                    detail=file_name[:500],
                    data={
                        "line": rows[email][0],
                        "signed_up_at": rows[email][1]["signed_up_at"] and rows[email][1]["signed_up_at"].isoformat(),
                        "confirmed_at": rows[email][1]["confirmed_at"] and rows[email][1]["confirmed_at"].isoformat(),
                        "newsletters": [n.slug for n in newsletters],
                    },
                )
                for email, pk in ids.items()
            ],
            batch_size=2000,
        )
        report.created = len(ids)
        report.imported = True
    return report
