"""Stripe's side of the donation tests: events in Stripe's documented shapes, signed as Stripe signs
them, and a small local fake of Stripe's API (Checkout and the customer portal) on a free port.

Nothing here reaches Stripe.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WEBHOOK_SECRET = "whsec_test_donations_0123456789"
SECRET_KEY = "sk_test_donations_0123456789"
_ids = itertools.count(1)


def sign(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header: t=<unix time>,v1=<HMAC-SHA256 of "t.payload">."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(type_: str, obj: dict, *, created: int | None = None, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{next(_ids)}",
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": int(time.time()) if created is None else created,
        "livemode": False,
        "type": type_,
        "data": {"object": obj},
    }


def checkout_session(
    *,
    mode: str = "payment",
    amount: int = 5000,
    email: str = "ada@example.org",
    name: str = "Ada Reader",
    customer: str = "cus_test_1",
    payment_intent: str | None = "pi_test_1",
    subscription: str | None = None,
    metadata: dict | None = None,
) -> dict:
    return {
        "id": f"cs_test_{next(_ids)}",
        "object": "checkout.session",
        "mode": mode,
        "amount_total": amount,
        "currency": "usd",
        "customer": customer,
        "customer_details": {"email": email, "name": name},
        "payment_intent": payment_intent if mode == "payment" else None,
        "subscription": subscription,
        "payment_status": "paid",
        "status": "complete",
        "metadata": metadata or {},
    }


def invoice(
    *,
    subscription: str = "sub_test_1",
    amount: int = 5000,
    customer: str = "cus_test_1",
    email: str = "ada@example.org",
    invoice_id: str | None = None,
    paid: bool = True,
    paid_at: int | None = None,
    metadata: dict | None = None,
) -> dict:
    """An invoice in the 2025 API shape: the subscription under parent.subscription_details."""
    return {
        "id": invoice_id or f"in_test_{next(_ids)}",
        "object": "invoice",
        "customer": customer,
        "customer_email": email,
        "customer_name": "Ada Reader",
        "currency": "usd",
        "amount_due": amount,
        "amount_paid": amount if paid else 0,
        "billing_reason": "subscription_cycle",
        "status": "paid" if paid else "open",
        "status_transitions": {"paid_at": (paid_at or int(time.time())) if paid else None},
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": subscription, "metadata": metadata or {}},
        },
    }


def subscription(
    *, subscription_id: str = "sub_test_1", status: str = "canceled", customer: str = "cus_test_1"
) -> dict:
    return {
        "id": subscription_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "start_date": int(time.time()) - 86400 * 60,
        "canceled_at": int(time.time()) if status == "canceled" else None,
        "items": {"data": [{"price": {"unit_amount": 5000, "currency": "usd", "recurring": {"interval": "month"}}}]},
    }


def charge(*, payment_intent: str = "pi_test_1", amount: int = 5000, refunded: int = 5000) -> dict:
    return {
        "id": f"ch_test_{next(_ids)}",
        "object": "charge",
        "amount": amount,
        "amount_refunded": refunded,
        "currency": "usd",
        "payment_intent": payment_intent,
        "refunded": refunded == amount,
    }


def post_event(client, evt: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    payload = json.dumps(evt)
    return client.post(
        "/donate/stripe/webhook/",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload, secret=secret, timestamp=timestamp)},
    )


class FakeStripe:
    """Stripe's API as far as we use it: POST /v1/checkout/sessions and /v1/billing_portal/sessions.

    Checkout's hosted page is /pay/<session>: its "Pay" button posts the signed
    events Stripe would send to `webhook_url`, then sends the browser to the
    session's success_url, as Stripe does.
    """

    def __init__(self, webhook_url: str = "") -> None:
        self.webhook_url = webhook_url
        self.requests: list[tuple[str, dict]] = []
        self.sessions: dict[str, dict] = {}
        self.fail = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _reply(self, status: int, body: str, content_type: str = "application/json", **headers) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                session = fake.sessions.get(urlsplit(self.path).path.rsplit("/", 1)[-1])
                if not self.path.startswith("/pay/") or session is None:
                    return self._reply(404, "{}")
                amount = session["line_items[0][price_data][unit_amount]"]
                page = (
                    "<!DOCTYPE html><html lang='en'><head><title>Fake Checkout</title></head><body><main>"
                    f"<h1>Pay {int(amount) // 100} USD</h1><form method='post'><button>Pay</button></form>"
                    "</main></body></html>"
                )
                self._reply(200, page, "text/html; charset=utf-8")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                path = urlsplit(self.path).path
                fake.requests.append((path, form))
                if fake.fail:
                    error = {"error": {"type": "api_error", "message": "Fake outage"}}
                    return self._reply(500, json.dumps(error))
                if path == "/v1/checkout/sessions":
                    session_id = f"cs_test_fake_{next(_ids)}"
                    fake.sessions[session_id] = form
                    url = f"{fake.url}/pay/{session_id}"
                    body = {"id": session_id, "object": "checkout.session", "url": url, "mode": form.get("mode")}
                    return self._reply(200, json.dumps(body))
                if path == "/v1/billing_portal/sessions":
                    body = {"id": "bps_test_1", "object": "billing_portal.session", "url": f"{fake.url}/portal"}
                    body["customer"] = form.get("customer")
                    return self._reply(200, json.dumps(body))
                if path.startswith("/pay/"):
                    session_id = path.rsplit("/", 1)[-1]
                    fake.complete(session_id)
                    success = fake.sessions[session_id]["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
                    return self._reply(303, "", "text/plain", Location=success)
                self._reply(404, "{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeStripe:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def complete(self, session_id: str) -> None:
        """Send the events Stripe sends when the reader pays, signed, to the webhook."""
        form = self.sessions[session_id]
        amount = int(form["line_items[0][price_data][unit_amount]"])
        metadata = {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")}
        if form["mode"] == "subscription":
            sub = f"sub_test_fake_{next(_ids)}"
            events = [
                event(
                    "checkout.session.completed",
                    checkout_session(mode="subscription", amount=amount, subscription=sub, metadata=metadata),
                ),
                event("invoice.paid", invoice(subscription=sub, amount=amount, metadata=metadata)),
            ]
        else:
            pi = f"pi_test_fake_{next(_ids)}"
            events = [
                event(
                    "checkout.session.completed", checkout_session(amount=amount, payment_intent=pi, metadata=metadata)
                )
            ]
        for evt in events:
            payload = json.dumps(evt).encode()
            request = urllib.request.Request(
                self.webhook_url,
                data=payload,
                headers={"Content-Type": "application/json", "Stripe-Signature": sign(payload.decode())},
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 200
