from io import StringIO

from django.test import TestCase

from devtools import demo_donations as demo
from donations.models import Campaign, Donor, Gift, RecurringGift


class DemoTests(TestCase):
    def test_it_adds_a_running_campaign_donors_and_gifts_once(self) -> None:
        for _run in range(2):
            demo.load(StringIO())
        campaign = Campaign.objects.running().with_totals().get()
        self.assertGreater(campaign.raised, 0)
        self.assertEqual(Donor.objects.count(), len(demo.DONORS))
        self.assertEqual(Gift.objects.count(), 2 + 1 + 3 + (1 + 3) + 1)
        self.assertEqual(RecurringGift.objects.filter(status=RecurringGift.Status.CANCELLED).count(), 1)
        self.assertContains(self.client.get("/"), "Year-end match")
        self.assertContains(self.client.get("/donate/supporters/"), "Grace Okafor")
