"""The campaign's state machine: each transition only from its states, and a refused one changes nothing."""

import datetime
import importlib

from django.apps import apps
from django.conf import settings
from django.test import TestCase, override_settings
from django.utils import timezone

from newsletter import tasks
from newsletter.models import Campaign, Delivery
from tests.factories import make_campaign, make_newsletter, make_subscriber

S = Campaign.Status
PAST = datetime.timedelta(minutes=5)

# method -> (keyword arguments, the states it starts from, the state it leads to). Every campaign
# below is due (scheduled_at in the past) and marked as paused by an outage (smtp_attempts=1),
# so only the status decides; the guards beyond it have their own tests.
TRANSITIONS = {
    "schedule": ({"when": timezone.now() + datetime.timedelta(days=1)}, {S.DRAFT, S.SCHEDULED}, S.SCHEDULED),
    "unschedule": ({}, {S.SCHEDULED}, S.DRAFT),
    "send_now": ({}, {S.DRAFT, S.SCHEDULED}, S.SENDING),
    "start_scheduled": ({}, {S.SCHEDULED}, S.SENDING),
    "pause": ({"message": "Paused by an editor."}, {S.SENDING}, S.PAUSED),
    "pause_for_outage": ({"message": "SMTP is down.", "attempt": 1}, {S.SENDING}, S.PAUSED),
    "give_up_outage": ({"message": "Still down."}, {S.PAUSED}, S.PAUSED),
    "resume_after_outage": ({}, {S.PAUSED}, S.SENDING),
    "resume": ({}, {S.PAUSED}, S.SENDING),
    "finish": ({}, {S.SENDING}, S.SENT),
    "cancel": ({}, {S.DRAFT, S.SCHEDULED, S.SENDING, S.PAUSED}, S.CANCELLED),
}
# The transitions that queue tasks when they happen (sending runs, or the scheduled start).
ENQUEUING = {"schedule", "send_now", "start_scheduled", "resume_after_outage", "resume"}


def state(campaign: Campaign) -> dict:
    """The campaign's row as stored, and its deliveries' statuses."""
    row = Campaign.objects.values(*Campaign.STATE_FIELDS).get(pk=campaign.pk)
    return {**row, "deliveries": sorted(campaign.deliveries.values_list("status", flat=True))}


# The database backend can hold a task until a time, so scheduling queues one too (not run: only captured).
@override_settings(NEWSLETTER_TASK_BACKEND="worker")
class TransitionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.newsletter = make_newsletter()

    def make(self, status: str, **fields) -> Campaign:
        fields.setdefault("scheduled_at", timezone.now() - PAST)
        fields.setdefault("smtp_attempts", 1)
        return make_campaign(self.newsletter, status=status, **fields)

    def test_each_transition_happens_only_from_its_states(self) -> None:
        for method, (kwargs, sources, target) in TRANSITIONS.items():
            for status in S.values:
                with self.subTest(method=method, status=status):
                    campaign = self.make(status)
                    with self.captureOnCommitCallbacks() as callbacks:
                        done = getattr(campaign, method)(**kwargs)
                    self.assertEqual(done, status in sources)
                    expected = target if done else status
                    self.assertEqual(campaign.status, expected)
                    self.assertEqual(Campaign.objects.get(pk=campaign.pk).status, expected)
                    self.assertEqual(bool(callbacks), done and method in ENQUEUING)

    def test_every_state_is_reached_from_a_draft(self) -> None:
        reached, frontier = {S.DRAFT}, [S.DRAFT]
        while frontier:
            status = frontier.pop()
            for _kwargs, sources, target in TRANSITIONS.values():
                if status in sources and target not in reached:
                    reached.add(target)
                    frontier.append(target)
        self.assertEqual(reached, set(S.values))

    def test_a_campaign_once_marked_failed_is_migrated_to_paused(self) -> None:
        campaign = self.make(S.SENDING)
        Campaign.objects.filter(pk=campaign.pk).update(status="failed")  # the state the last migration dropped
        migration = importlib.import_module("newsletter.migrations.0009_campaign_has_no_failed_state")
        migration.failed_to_paused(apps, None)
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, S.PAUSED)
        self.assertTrue(campaign.resume())

    def test_a_refused_transition_changes_nothing(self) -> None:
        for method, (kwargs, sources, _target) in TRANSITIONS.items():
            for status in set(S.values) - sources:
                with self.subTest(method=method, status=status):
                    campaign = self.make(status, status_message="as it was")
                    Delivery.objects.create(
                        campaign=campaign, subscriber=make_subscriber(self.newsletter), email="x@example.org"
                    )
                    before = state(campaign)
                    with self.captureOnCommitCallbacks() as callbacks:
                        self.assertFalse(getattr(campaign, method)(**kwargs))
                    self.assertEqual(state(campaign), before)
                    self.assertEqual(callbacks, [])

    def test_a_stale_instance_cannot_undo_what_another_request_did(self) -> None:
        # Two editors load the same sending campaign; one cancels, then the other presses pause.
        campaign = self.make(S.SENDING)
        other = Campaign.objects.get(pk=campaign.pk)
        self.assertTrue(campaign.cancel())
        self.assertFalse(other.pause(message="too late"))
        self.assertEqual(other.status, S.CANCELLED)  # re-read, so the admin can say what it is now
        self.assertEqual(Campaign.objects.get(pk=campaign.pk).status_message, "")

    def test_a_campaign_scheduled_later_does_not_start_early(self) -> None:
        campaign = self.make(S.SCHEDULED, scheduled_at=timezone.now() + PAST)
        with self.captureOnCommitCallbacks() as callbacks:
            self.assertFalse(campaign.start_scheduled())
        self.assertEqual((campaign.status, callbacks), (S.SCHEDULED, []))
        Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=timezone.now() - datetime.timedelta(seconds=1))
        with self.captureOnCommitCallbacks() as callbacks:
            self.assertTrue(campaign.start_scheduled())
        self.assertEqual(len(callbacks), settings.NEWSLETTER_SEND_TASKS)  # the sending runs
        self.assertIsNotNone(Campaign.objects.get(pk=campaign.pk).started_at)

    def test_finish_waits_for_every_open_delivery(self) -> None:
        campaign = self.make(S.SENDING)
        subscriber = make_subscriber(self.newsletter)
        delivery = Delivery.objects.create(campaign=campaign, subscriber=subscriber, email=subscriber.email)
        for status in Delivery.OPEN:
            Delivery.objects.filter(pk=delivery.pk).update(status=status)
            with self.subTest(status):
                self.assertFalse(campaign.finish())
                self.assertEqual(Campaign.objects.get(pk=campaign.pk).status, S.SENDING)
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.UNCERTAIN)
        self.assertTrue(campaign.finish())
        self.assertIsNotNone(Campaign.objects.get(pk=campaign.pk).finished_at)

    def test_an_editors_pause_is_never_resumed_by_the_outage_retries(self) -> None:
        campaign = self.make(S.SENDING, smtp_attempts=0)
        self.assertTrue(campaign.pause(message="Paused by an editor."))
        self.assertFalse(campaign.is_waiting_for_smtp)
        self.assertFalse(campaign.resume_after_outage())
        self.assertFalse(campaign.give_up_outage(message="Still down."))
        self.assertEqual(state(campaign)["status_message"], "Paused by an editor.")

    def test_the_outage_pause_is_resumed_by_the_retries_until_they_give_up(self) -> None:
        campaign = self.make(S.SENDING, smtp_attempts=0)
        self.assertTrue(campaign.pause_for_outage(message="SMTP is down.", attempt=1))
        self.assertTrue(campaign.is_waiting_for_smtp)
        self.assertTrue(campaign.give_up_outage(message="Press Resume."))
        self.assertEqual((campaign.status, campaign.smtp_attempts), (S.PAUSED, 0))
        self.assertFalse(campaign.resume_after_outage())  # now only an editor resumes it
        self.assertTrue(campaign.resume())

    def test_cancel_skips_what_was_not_handed_to_the_smtp_server(self) -> None:
        campaign = self.make(S.SENDING)
        statuses = [Delivery.Status.PENDING, Delivery.Status.CLAIMED, Delivery.Status.SENDING, Delivery.Status.SENT]
        for status in statuses:
            subscriber = make_subscriber(self.newsletter)
            Delivery.objects.create(campaign=campaign, subscriber=subscriber, email=subscriber.email, status=status)
        self.assertTrue(campaign.cancel())
        self.assertEqual(
            sorted(campaign.deliveries.values_list("status", flat=True)),
            sorted([Delivery.Status.SKIPPED, Delivery.Status.SKIPPED, Delivery.Status.SENDING, Delivery.Status.SENT]),
        )


@override_settings(NEWSLETTER_SEND_CONNECTIONS=1)
class TaskTests(TestCase):
    """The tasks load the campaign and call its methods; they never set a status themselves."""

    def test_a_retry_after_an_outage_stops_when_an_editor_paused_since(self) -> None:
        campaign = make_campaign(status=S.PAUSED, status_message="Paused by an editor.", smtp_attempts=0)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(tasks.send_campaign.call(campaign.pk, 1, 2), "stopped")
        self.assertEqual(state(campaign)["status"], S.PAUSED)

    def test_the_scheduled_task_leaves_a_rescheduled_campaign_alone(self) -> None:
        campaign = make_campaign(status=S.SCHEDULED, scheduled_at=timezone.now() + PAST)
        tasks.start_scheduled_campaign.call(campaign.pk)
        self.assertEqual(state(campaign)["status"], S.SCHEDULED)
