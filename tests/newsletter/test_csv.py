from django.test import TestCase

from newsletter import csvio
from newsletter.models import Subscriber, SubscriberEvent
from tests.factories import make_newsletter, make_subscriber

PROVIDER_FILE = (
    "Email Address,Opt-in Time,Confirm Time,Consent\n"
    "one@example.org,2024-03-01 10:00:00,2024-03-01 10:05:00,Weekly digest form\n"
    "Two@Example.org,2024-03-02,2024-03-02,Weekly digest form\n"
    "three@example.org,2024-03-03,,Weekly digest form\n"
)
MAPPING = csvio.Mapping(
    email="Email Address", signed_up_at="Opt-in Time", confirmed_at="Confirm Time", consent_text="Consent"
)


class ImportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.newsletter = make_newsletter()

    def run_import(self, text: str, **options) -> csvio.ImportReport:
        options.setdefault("mapping", MAPPING)
        return csvio.import_subscribers(
            text.encode(), newsletters=[self.newsletter], file_name="provider.csv", **options
        )

    def test_it_maps_columns_and_keeps_consent(self) -> None:
        report = self.run_import(PROVIDER_FILE)
        self.assertEqual((report.created, report.unchanged, report.errors), (3, 0, []))
        one = Subscriber.objects.get(email="one@example.org")
        self.assertEqual(one.status, Subscriber.Status.CONFIRMED)
        self.assertEqual(one.source, Subscriber.Source.IMPORT)
        self.assertEqual(one.consent_text, "Weekly digest form")
        self.assertEqual(one.created_at.isoformat(), "2024-03-01T10:00:00+00:00")
        self.assertEqual(one.confirmed_at.isoformat(), "2024-03-01T10:05:00+00:00")
        self.assertEqual(list(one.newsletters.all()), [self.newsletter])
        event = one.events.get()
        self.assertEqual((event.kind, event.detail, event.data["line"]), ("imported", "provider.csv", 2))
        self.assertTrue(Subscriber.objects.filter(email="two@example.org").exists())
        self.assertEqual(Subscriber.objects.get(email="three@example.org").status, Subscriber.Status.PENDING)

    def test_importing_twice_adds_nothing_and_never_resubscribes(self) -> None:
        make_subscriber(email="one@example.org", status=Subscriber.Status.UNSUBSCRIBED)
        self.run_import(PROVIDER_FILE)
        report = self.run_import(PROVIDER_FILE)
        self.assertEqual((report.created, report.unchanged), (0, 3))
        self.assertEqual(Subscriber.objects.count(), 3)
        self.assertEqual(SubscriberEvent.objects.count(), 2)
        self.assertEqual(Subscriber.objects.get(email="one@example.org").status, Subscriber.Status.UNSUBSCRIBED)

    def test_each_bad_row_is_reported_and_nothing_is_imported(self) -> None:
        text = PROVIDER_FILE + "not-an-address,2024-01-01,,x\nfour@example.org,yesterday,,x\none@example.org,,,x\n"
        report = self.run_import(text)
        self.assertTrue(report.rejected)
        self.assertEqual([line for line, _reason in report.errors], [5, 6, 7])
        self.assertIn("not an e-mail address", report.errors[0][1])
        self.assertIn("not a date", report.errors[1][1])
        self.assertIn("same address as line 2", report.errors[2][1])
        self.assertFalse(Subscriber.objects.exists())

    def test_it_can_import_the_good_rows_on_request(self) -> None:
        report = self.run_import(PROVIDER_FILE + "bad,,,\n", skip_bad_rows=True)
        self.assertEqual(report.created, 3)
        self.assertEqual(report.errors, [(5, report.errors[0][1])])

    def test_a_file_rejected_as_a_whole_imports_nothing(self) -> None:
        for data, reason in [
            (b"\xff\xfe\x00bad", "not UTF-8"),
            (b"Email Address,Opt-in Time,Confirm Time,Consent\n", "no rows"),
            (b"mail,when\none@example.org,2024-01-01\n", "no column"),
        ]:
            report = csvio.import_subscribers(data, mapping=MAPPING, newsletters=[self.newsletter])
            self.assertTrue(report.rejected)
            self.assertEqual(report.errors[0][0], 0)
            self.assertIn(reason, report.errors[0][1])
        self.assertFalse(Subscriber.objects.exists())


class ExportTests(TestCase):
    def test_it_exports_consent_and_history(self) -> None:
        newsletter = make_newsletter(slug="briefing")
        subscriber = make_subscriber(newsletter, email="a@example.org", consent_text="I agree", signup_page="/x/")
        subscriber.record("confirmed", detail="Confirmation page")
        subscribers = Subscriber.objects.prefetch_related("newsletters", "events")
        with self.assertNumQueries(3):  # subscribers, their newsletters, their history
            lines = list(csvio.export_rows(subscribers))
        self.assertEqual(lines[0].strip(), ",".join(csvio.EXPORT_COLUMNS))
        self.assertIn("a@example.org,confirmed,briefing,form,/x/,I agree,", lines[1])
        self.assertIn("confirmed Confirmation page", lines[1])
