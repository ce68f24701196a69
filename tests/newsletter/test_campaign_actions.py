"""The campaign page's buttons: a fixed set of named actions, each behind its permission."""

import re

from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from newsletter.admin import CAMPAIGN_ACTIONS
from newsletter.models import Campaign
from tests.factories import make_campaign, make_newsletter, make_user

S = Campaign.Status
# What each button needs beyond seeing the campaign.
SENDING_ACTIONS = {"send", "schedule", "unschedule", "pause", "resume", "cancel"}


class CampaignActionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_user("nina", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name="Newsletter editor"))
        cls.writer = make_user("walter", is_staff=True)  # staff, without any newsletter permission
        cls.viewer = make_user("vera", is_staff=True, perms=("newsletter.view_campaign",))
        cls.changer = make_user("carl", is_staff=True, perms=("newsletter.view_campaign", "newsletter.change_campaign"))
        cls.newsletter = make_newsletter()

    def post(self, campaign: Campaign, action: str, data: dict | None = None):
        return self.client.post(reverse("admin:newsletter_campaign_action", args=[campaign.pk, action]), data or {})

    def stored(self, campaign: Campaign) -> str:
        return Campaign.objects.values_list("status", flat=True).get(pk=campaign.pk)

    def test_it_knows_exactly_the_buttons_the_page_offers(self) -> None:
        self.client.force_login(make_user("admin", is_staff=True, is_superuser=True))
        campaign = make_campaign(self.newsletter)
        html = self.client.get(reverse("admin:newsletter_campaign_change", args=[campaign.pk])).content.decode()
        posted = set(re.findall(rf"/admin/newsletter/campaign/{campaign.pk}/do/([^/]+)/", html))
        self.assertEqual(posted, set(CAMPAIGN_ACTIONS))

    def test_an_unknown_action_is_a_404_and_changes_nothing(self) -> None:
        self.client.force_login(self.editor)
        campaign = make_campaign(self.newsletter, status=S.SENDING)
        for action in ("publish", "delete", "__class__", "_move", "finish", "Pause", "pause_for_outage"):
            with self.subTest(action):
                self.assertEqual(self.post(campaign, action).status_code, 404)
                self.assertEqual(self.stored(campaign), S.SENDING)

    def test_actions_are_posted_never_fetched(self) -> None:
        self.client.force_login(self.editor)
        campaign = make_campaign(self.newsletter, status=S.SENDING)
        url = reverse("admin:newsletter_campaign_action", args=[campaign.pk, "cancel"])
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertEqual(self.stored(campaign), S.SENDING)

    def test_the_sending_actions_need_the_send_permission(self) -> None:
        for user in (self.writer, self.viewer, self.changer):
            self.client.force_login(user)
            for action in sorted(SENDING_ACTIONS):
                for status in (S.DRAFT, S.SCHEDULED, S.SENDING, S.PAUSED):
                    with self.subTest(user=user.username, action=action, status=status):
                        campaign = make_campaign(self.newsletter, status=status)
                        data = {"confirmed": "yes", "date": "2099-01-02", "time": "06:00"}
                        self.assertEqual(self.post(campaign, action, data).status_code, 403)
                        self.assertEqual(self.stored(campaign), status)

    def test_filling_stories_needs_the_change_permission_and_an_editable_campaign(self) -> None:
        campaign = make_campaign(self.newsletter)
        for user in (self.writer, self.viewer):
            self.client.force_login(user)
            self.assertEqual(self.post(campaign, "fill").status_code, 403, user.username)
        self.client.force_login(self.changer)
        self.assertRedirects(
            self.post(campaign, "fill"), reverse("admin:newsletter_campaign_change", args=[campaign.pk])
        )
        sent = make_campaign(self.newsletter, status=S.SENT)
        self.assertEqual(self.post(sent, "fill").status_code, 403)

    def test_a_test_needs_only_to_see_the_campaign(self) -> None:
        campaign = make_campaign(self.newsletter)
        self.client.force_login(self.writer)
        self.assertEqual(self.post(campaign, "test").status_code, 403)
        self.assertEqual(mail.outbox, [])
        self.client.force_login(self.viewer)
        self.post(campaign, "test")
        self.assertEqual([m.to for m in mail.outbox], [["vera@example.org"]])

    def test_a_transition_from_the_wrong_state_says_so_and_changes_nothing(self) -> None:
        self.client.force_login(self.editor)
        campaign = make_campaign(self.newsletter)
        response = self.post(campaign, "pause")
        self.assertRedirects(response, reverse("admin:newsletter_campaign_change", args=[campaign.pk]))
        self.assertEqual(
            [str(m) for m in get_messages(response.wsgi_request)], ["Not possible now: the campaign is Draft."]
        )
        self.assertEqual(self.stored(campaign), S.DRAFT)

    def test_each_transition_button_calls_its_method(self) -> None:
        self.client.force_login(self.editor)
        moves = [
            ("schedule", S.DRAFT, S.SCHEDULED),
            ("unschedule", S.SCHEDULED, S.DRAFT),
            ("pause", S.SENDING, S.PAUSED),
            ("cancel", S.PAUSED, S.CANCELLED),
        ]
        for action, before, after in moves:
            with self.subTest(action):
                campaign = make_campaign(self.newsletter, status=before)
                response = self.post(campaign, action, {"date": "2099-01-02", "time": "06:00"})
                self.assertEqual([str(m) for m in get_messages(response.wsgi_request)][-1], f"Done: {after.label}.")
                self.assertEqual(self.stored(campaign), after)

    def test_a_schedule_in_the_past_is_refused(self) -> None:
        self.client.force_login(self.editor)
        campaign = make_campaign(self.newsletter)
        for data in ({"date": "2001-01-02", "time": "06:00"}, {"date": "not a date", "time": ""}):
            with self.subTest(data):
                response = self.post(campaign, "schedule", data)
                self.assertEqual(
                    [str(m) for m in get_messages(response.wsgi_request)][-1], "Give a date and time from now on."
                )
                self.assertEqual(self.stored(campaign), S.DRAFT)
