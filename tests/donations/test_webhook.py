import json
import time

from django.core import mail
from django.test import TestCase, override_settings

from donations.models import Gift, RecurringGift, StripeEvent
from tests.donations.helpers import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    charge,
    checkout_session,
    event,
    invoice,
    post_event,
    sign,
    subscription,
)


@override_settings(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
class WebhookSignatureTests(TestCase):
    def test_it_accepts_a_signed_event(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = post_event(self.client, event("checkout.session.completed", checkout_session()))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Gift.objects.get().amount, 5000)

    def test_it_refuses_an_unsigned_post(self) -> None:
        payload = json.dumps(event("checkout.session.completed", checkout_session()))
        response = self.client.post("/donate/stripe/webhook/", data=payload, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(StripeEvent.objects.exists())

    def test_it_refuses_a_tampered_body(self) -> None:
        payload = json.dumps(event("checkout.session.completed", checkout_session(amount=500)))
        signature = sign(payload)
        tampered = payload.replace('"amount_total": 500', '"amount_total": 500000')
        response = self.client.post(
            "/donate/stripe/webhook/",
            data=tampered,
            content_type="application/json",
            headers={"Stripe-Signature": signature},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(StripeEvent.objects.exists())

    def test_it_refuses_another_secrets_signature(self) -> None:
        response = post_event(
            self.client, event("checkout.session.completed", checkout_session()), secret="whsec_other"
        )
        self.assertEqual(response.status_code, 400)

    def test_it_refuses_a_replay_signed_too_long_ago(self) -> None:
        old = int(time.time()) - 301
        response = post_event(self.client, event("checkout.session.completed", checkout_session()), timestamp=old)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(StripeEvent.objects.exists())
        # within the tolerance it is accepted
        response = post_event(self.client, event("checkout.session.completed", checkout_session()), timestamp=old + 10)
        self.assertEqual(response.status_code, 200)

    def test_it_refuses_get(self) -> None:
        self.assertEqual(self.client.get("/donate/stripe/webhook/").status_code, 405)

    @override_settings(STRIPE_WEBHOOK_SECRET="")
    def test_it_refuses_everything_without_a_secret(self) -> None:
        response = post_event(self.client, event("checkout.session.completed", checkout_session()))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(StripeEvent.objects.exists())


@override_settings(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
class WebhookEventTests(TestCase):
    def send(self, evt: dict):
        with self.captureOnCommitCallbacks(execute=True):
            response = post_event(self.client, evt)
        self.assertEqual(response.status_code, 200)
        return response

    def test_a_one_time_gift_records_donor_gift_dedication_listing_and_sends_a_receipt(self) -> None:
        metadata = {"dedication": "In memory of J.", "list_as": "Ada R."}
        self.send(event("checkout.session.completed", checkout_session(amount=7500, metadata=metadata)))
        gift = Gift.objects.select_related("donor").get()
        self.assertEqual((gift.amount, gift.currency, gift.dedication), (7500, "usd", "In memory of J."))
        self.assertFalse(gift.is_monthly)
        self.assertEqual(gift.donor.email, "ada@example.org")
        self.assertTrue(gift.donor.is_listed)
        self.assertEqual(gift.donor.listed_name, "Ada R.")
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("$75", mail.outbox[0].body)
        self.assertIn("In memory of J.", mail.outbox[0].body)
        gift.refresh_from_db()
        self.assertIsNotNone(gift.receipt_sent_at)

    def test_the_same_event_twice_is_processed_once(self) -> None:
        evt = event("checkout.session.completed", checkout_session())
        self.send(evt)
        self.send(evt)
        self.assertEqual(StripeEvent.objects.count(), 1)
        self.assertEqual(Gift.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_two_events_for_one_payment_make_one_gift(self) -> None:
        # Stripe sends checkout.session.completed and async_payment_succeeded with the same payment intent.
        self.send(event("checkout.session.completed", checkout_session(payment_intent="pi_same")))
        self.send(event("checkout.session.async_payment_succeeded", checkout_session(payment_intent="pi_same")))
        self.assertEqual(Gift.objects.count(), 1)

    def test_a_monthly_gift_from_first_payment_through_failure_to_cancellation(self) -> None:
        start = int(time.time()) - 3 * 86400 * 31
        self.send(
            event(
                "checkout.session.completed",
                checkout_session(mode="subscription", subscription="sub_m", metadata={"dedication": "For Lena"}),
                created=start,
            )
        )
        self.send(event("invoice.paid", invoice(subscription="sub_m", invoice_id="in_1"), created=start + 1))
        recurring = RecurringGift.objects.get()
        self.assertEqual((recurring.status, recurring.amount), (RecurringGift.Status.ACTIVE, 5000))
        self.assertEqual(recurring.gifts.get().dedication, "For Lena")
        self.send(event("invoice.paid", invoice(subscription="sub_m", invoice_id="in_2"), created=start + 31 * 86400))
        self.send(
            event("invoice.payment_failed", invoice(subscription="sub_m", paid=False), created=start + 62 * 86400)
        )
        recurring.refresh_from_db()
        self.assertEqual(recurring.status, RecurringGift.Status.PAST_DUE)
        self.assertIsNotNone(recurring.last_failed_at)
        self.send(
            event("customer.subscription.deleted", subscription(subscription_id="sub_m"), created=start + 70 * 86400)
        )
        recurring.refresh_from_db()
        self.assertEqual(recurring.status, RecurringGift.Status.CANCELLED)
        self.assertIsNotNone(recurring.cancelled_at)
        self.assertEqual(recurring.gifts.count(), 2)
        self.assertEqual(len(mail.outbox), 2)  # a receipt per payment, none for the failure
        self.assertIn("/donate/manage/", mail.outbox[0].body)

    def test_events_out_of_order_end_in_the_same_state(self) -> None:
        now = int(time.time())
        # The cancellation arrives first, then the older failure and the first invoice, then the checkout.
        self.send(event("customer.subscription.deleted", subscription(subscription_id="sub_o"), created=now))
        self.send(event("invoice.payment_failed", invoice(subscription="sub_o", paid=False), created=now - 100))
        self.send(event("invoice.paid", invoice(subscription="sub_o", invoice_id="in_o"), created=now - 1000))
        self.send(
            event(
                "checkout.session.completed",
                checkout_session(mode="subscription", subscription="sub_o", metadata={"list_as": "A. R."}),
                created=now - 1001,
            )
        )
        recurring = RecurringGift.objects.select_related("donor").get()
        self.assertEqual(recurring.status, RecurringGift.Status.CANCELLED)
        self.assertEqual(recurring.gifts.count(), 1)
        self.assertEqual(recurring.donor.email, "ada@example.org")
        self.assertEqual(recurring.donor.listed_name, "A. R.")

    def test_an_older_failure_does_not_undo_a_newer_payment(self) -> None:
        now = int(time.time())
        self.send(event("invoice.paid", invoice(subscription="sub_p"), created=now))
        self.send(event("invoice.payment_failed", invoice(subscription="sub_p", paid=False), created=now - 60))
        self.assertEqual(RecurringGift.objects.get().status, RecurringGift.Status.ACTIVE)

    def test_a_refund_lowers_the_net_amount_and_keeps_the_gift(self) -> None:
        self.send(event("checkout.session.completed", checkout_session(payment_intent="pi_r", amount=10000)))
        self.send(event("charge.refunded", charge(payment_intent="pi_r", amount=10000, refunded=2500)))
        gift = Gift.objects.get()
        self.assertEqual((gift.refunded_amount, gift.net_amount), (2500, 7500))
        self.send(event("charge.refunded", charge(payment_intent="pi_r", amount=10000, refunded=10000)))
        # a late copy of the first, partial refund changes nothing
        self.send(event("charge.refunded", charge(payment_intent="pi_r", amount=10000, refunded=2500)))
        gift.refresh_from_db()
        self.assertEqual(gift.net_amount, 0)

    def test_a_refund_before_its_payment_waits_for_it(self) -> None:
        self.send(event("charge.refunded", charge(payment_intent="pi_early", refunded=5000)))
        waiting = StripeEvent.objects.get()
        self.assertIsNone(waiting.processed_at)
        self.send(event("checkout.session.completed", checkout_session(payment_intent="pi_early")))
        self.assertEqual(Gift.objects.get().refunded_amount, 5000)
        waiting.refresh_from_db()
        self.assertIsNotNone(waiting.processed_at)

    def test_unknown_event_types_are_stored_and_ignored(self) -> None:
        self.send(event("customer.created", {"id": "cus_x", "object": "customer"}))
        self.assertEqual(StripeEvent.objects.get().outcome, "ignored")
        self.assertFalse(Gift.objects.exists())

    def test_a_second_checkout_by_the_same_address_joins_the_donor(self) -> None:
        self.send(event("checkout.session.completed", checkout_session(customer="cus_a", payment_intent="pi_a")))
        self.send(event("checkout.session.completed", checkout_session(customer="cus_b", payment_intent="pi_b")))
        self.assertEqual(Gift.objects.values("donor").distinct().count(), 1)
