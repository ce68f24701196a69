import datetime
from io import StringIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from donations.models import Campaign, Donor, Gift, RecurringGift, YearlySummary
from newsroom.roles import ensure_roles
from tests.donations.helpers import SECRET_KEY
from tests.donations.test_donate import make_campaign, make_gift

DONOR_PAGES = [
    "/admin/donations/donor/",
    "/admin/donations/gift/",
    "/admin/donations/recurringgift/",
    "/admin/donations/stripeevent/",
]


def staff(username: str, group: str | None = None):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


class RoleTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        ensure_roles()
        cls.development = staff("fundraiser", "Development")
        donor = Donor.objects.create(email="secret.donor@example.org", name="Secret Donor")
        make_gift(donor, 5000)

    def test_development_sees_donor_records(self) -> None:
        self.client.force_login(self.development)
        for url in DONOR_PAGES:
            self.assertEqual(self.client.get(url).status_code, 200, url)
        self.assertContains(self.client.get("/admin/donations/donor/"), "secret.donor@example.org")

    def test_no_other_role_sees_donor_data(self) -> None:
        for group in ("Writer", "Editor", "Comment moderator", "Newsletter editor"):
            self.client.force_login(staff(f"user-{group}", group))
            for url in DONOR_PAGES:
                self.assertEqual(self.client.get(url).status_code, 403, (group, url))
            self.assertNotContains(self.client.get("/admin/"), "Donors")

    def test_development_cannot_delete_donors_only_erase_them(self) -> None:
        self.assertFalse(self.development.has_perm("donations.delete_donor"))
        self.assertFalse(self.development.has_perm("donations.delete_gift"))
        self.assertTrue(self.development.has_perm("donations.export_donor"))


class DonorAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        ensure_roles()
        cls.user = staff("fundraiser", "Development")
        cls.campaign = make_campaign()
        cls.donors = [Donor.objects.create(email=f"d{n}@example.org", name=f"Donor {n}") for n in range(3)]
        for n, donor in enumerate(cls.donors):
            make_gift(donor, 1000 * (n + 1), campaign=cls.campaign)
            make_gift(donor, 500, refunded_amount=500)

    def setUp(self) -> None:
        self.client.force_login(self.user)

    def test_the_changelist_shows_totals_computed_in_one_query(self) -> None:
        # 1. session, 2. user, 3. and 4. the user's and their groups' permissions, 5. and 6. the
        # filtered and total counts, 7. the donors with their totals (one aggregate query)
        with self.assertNumQueries(7):
            response = self.client.get("/admin/donations/donor/")
        self.assertContains(response, "$30")
        self.assertEqual(Donor.objects.with_totals().get(pk=self.donors[2].pk).total, 3000)

    def test_campaign_totals(self) -> None:
        response = self.client.get("/admin/donations/campaign/")
        self.assertContains(response, "$60")  # raised: 10 + 20 + 30
        self.assertEqual(Campaign.objects.with_totals().get().matched, 6000)

    def test_csv_export(self) -> None:
        self.donors[0].name = "=HYPERLINK(1)"
        self.donors[0].save()
        response = self.client.post(
            "/admin/donations/gift/",
            {"action": "export_csv", "_selected_action": Gift.objects.values_list("pk", flat=True)},
        )
        body = b"".join(response.streaming_content).decode()
        self.assertEqual(len(body.strip().splitlines()), 7)
        self.assertIn("d0@example.org,1000,0,usd", body)
        response = self.client.post(
            "/admin/donations/donor/", {"action": "export_csv", "_selected_action": [self.donors[0].pk]}
        )
        body = b"".join(response.streaming_content).decode()
        self.assertIn("'=HYPERLINK(1)", body)

    def test_erasure_keeps_anonymised_amounts(self) -> None:
        donor = self.donors[1]
        donor.is_listed, donor.listed_name = True, "Donor One"
        donor.save()
        Gift.objects.filter(donor=donor).update(dedication="For my sister")
        self.client.post("/admin/donations/donor/", {"action": "erase", "_selected_action": [donor.pk]})
        donor.refresh_from_db()
        self.assertIsNone(donor.email)
        self.assertEqual((donor.name, donor.listed_name, donor.is_listed), ("", "", False))
        self.assertIsNotNone(donor.erased_at)
        self.assertEqual(list(donor.gifts.values_list("dedication", flat=True)), ["", ""])
        self.assertEqual(Campaign.objects.with_totals().get().raised, 6000)
        self.assertEqual(Donor.objects.with_totals().get(pk=donor.pk).total, 2000)
        self.assertNotContains(self.client.get("/admin/donations/donor/"), "d1@example.org")

    def test_erasure_waits_for_a_running_monthly_gift_to_be_cancelled(self) -> None:
        donor = self.donors[0]
        RecurringGift.objects.create(
            donor=donor, stripe_subscription="sub_e", amount=1000, status_at=timezone.now(), started_at=timezone.now()
        )
        response = self.client.post(
            "/admin/donations/donor/", {"action": "erase", "_selected_action": [donor.pk]}, follow=True
        )
        self.assertContains(response, "still running")
        donor.refresh_from_db()
        self.assertEqual(donor.email, "d0@example.org")


@override_settings(
    STRIPE_SECRET_KEY=SECRET_KEY,
    DONATIONS_ORGANISATION="Example News Foundation",
    DONATIONS_ORGANISATION_ADDRESS="1 Example Plaza, New York",
    DONATIONS_TAX_STATEMENT="No goods or services were provided in exchange for this gift.",
)
class YearlySummaryTests(TestCase):
    def test_monthly_donors_get_one_summary_of_their_year(self) -> None:
        monthly = Donor.objects.create(email="monthly@example.org", stripe_customer="cus_m")
        one_time = Donor.objects.create(email="once@example.org")
        recurring = RecurringGift.objects.create(
            donor=monthly, stripe_subscription="sub_y", amount=2500, status_at=timezone.now(), started_at=timezone.now()
        )
        for month in (1, 2, 3):
            paid = datetime.datetime(2025, month, 5, tzinfo=datetime.UTC)
            make_gift(monthly, 2500, recurring=recurring, paid_at=paid, receipt_sent_at=paid)
        make_gift(monthly, 2500, recurring=recurring, paid_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC))
        make_gift(one_time, 9000, paid_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC))

        call_command("send_donation_summaries", year=2025, stdout=StringIO())
        self.assertEqual([m.to for m in mail.outbox], [["monthly@example.org"]])
        text = mail.outbox[0].body
        self.assertIn("$75", text)
        self.assertIn("Example News Foundation", text)
        self.assertIn("1 Example Plaza", text)
        self.assertIn("No goods or services", text)
        self.assertIn("https://news.example.org/donate/manage/", text)
        self.assertEqual(YearlySummary.objects.get().year, 2025)

        call_command("send_donation_summaries", year=2025, stdout=StringIO())
        self.assertEqual(len(mail.outbox), 1)
