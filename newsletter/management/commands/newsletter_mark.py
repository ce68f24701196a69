from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsletter.models import Subscriber

ACTIONS = {"bounced": "mark_bouncing", "complained": "mark_complained", "unsubscribed": "unsubscribe"}


class Command(BaseCommand):
    help = (
        "Mark addresses as bounced, complained or unsubscribed (e.g. from a provider's bounce report): "
        "mail to them stops at once, including campaigns being sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=sorted(ACTIONS))
        parser.add_argument("emails", nargs="*", help="Addresses.")
        parser.add_argument("--file", type=Path, help="A file with one address per line.")
        parser.add_argument("--reason", default="", help="Kept in the consent history.")

    def handle(self, *, what: str, emails: list[str], file: Path | None, reason: str, **options) -> None:
        addresses = list(emails)
        if file:
            addresses += [line.strip() for line in file.read_text().splitlines() if line.strip()]
        if not addresses:
            raise CommandError("Give addresses, or --file.")
        normalized = {Subscriber.normalize_email(a) for a in addresses}
        found = {s.email: s for s in Subscriber.objects.filter(email__in=normalized)}
        changed = 0
        detail = reason or f"manage.py newsletter_mark {what}"
        for email in sorted(normalized):
            subscriber = found.get(email)
            if subscriber is None:
                self.stderr.write(f"Unknown address: {email}")
                continue
            changed += getattr(subscriber, ACTIONS[what])(detail=detail)
        self.stdout.write(f"{changed} subscribers marked {what}; {len(normalized) - len(found)} unknown.")
