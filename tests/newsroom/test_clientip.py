from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from lib.clientip import address_hash, client_ip, in_networks
from tests.comments.helpers import comment_data
from tests.factories import make_article


def request(remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


class ClientIpTests(SimpleTestCase):
    def test_it_uses_the_connection_without_trusted_proxies(self) -> None:
        self.assertEqual(client_ip(request("198.51.100.4", "1.2.3.4")), "198.51.100.4")

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_a_forged_header_from_an_untrusted_peer_is_ignored(self) -> None:
        self.assertEqual(client_ip(request("198.51.100.4", "10.0.0.1, 1.2.3.4")), "198.51.100.4")

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_it_believes_a_trusted_proxy_but_not_what_the_client_wrote_before_it(self) -> None:
        # The client sent "X-Forwarded-For: 6.6.6.6"; our proxy appended the real address.
        self.assertEqual(client_ip(request("10.0.0.2", "6.6.6.6, 203.0.113.9")), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=["10.0.0.2", "10.0.0.3"])
    def test_it_skips_a_chain_of_trusted_proxies(self) -> None:
        self.assertEqual(client_ip(request("10.0.0.2", "203.0.113.9, 10.0.0.3")), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_garbage_in_the_header_stops_the_walk(self) -> None:
        self.assertEqual(client_ip(request("10.0.0.2", "203.0.113.9, <script>")), "10.0.0.2")
        self.assertEqual(client_ip(request("10.0.0.2", "")), "10.0.0.2")

    @override_settings(TRUSTED_PROXIES=["not-a-range", "10.0.0.0/8"])
    def test_a_bad_trusted_proxy_entry_is_skipped(self) -> None:
        with self.assertLogs("lib.clientip", "ERROR"):
            self.assertEqual(client_ip(request("10.0.0.2", "203.0.113.9")), "203.0.113.9")

    def test_ipv6_and_mapped_addresses(self) -> None:
        self.assertEqual(client_ip(request("::ffff:198.51.100.4")), "198.51.100.4")
        self.assertEqual(client_ip(request("2001:db8::1")), "2001:db8::1")
        self.assertEqual(client_ip(request("not an address")), "")

    def test_hashes_are_daily_and_not_the_address(self) -> None:
        import datetime

        day = datetime.date(2026, 1, 1)
        self.assertEqual(address_hash("198.51.100.4", day=day), address_hash("198.51.100.4", day=day))
        self.assertNotEqual(
            address_hash("198.51.100.4", day=day), address_hash("198.51.100.4", day=day + datetime.timedelta(days=1))
        )
        self.assertNotIn("198", address_hash("198.51.100.4", day=day))

    def test_in_networks(self) -> None:
        self.assertTrue(in_networks("203.0.113.7", ["203.0.113.0/24"]))
        self.assertFalse(in_networks("203.0.114.7", ["203.0.113.0/24", "garbage"]))


class ForgedHeaderCannotDodgeLimitsTests(TestCase):
    @override_settings(COMMENTS_POSTS_PER_HOUR=2, TRUSTED_PROXIES=[])
    def test_a_changing_forged_header_does_not_reset_the_rate_limit(self) -> None:
        article = make_article()
        url = reverse("comments:create", args=[article.pk])
        codes = [
            self.client.post(
                url,
                comment_data(email=f"r{n}@example.org", text=f"text {n}"),
                REMOTE_ADDR="198.51.100.50",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
            ).status_code
            for n in range(3)
        ]
        self.assertEqual(codes, [302, 302, 429])

    @override_settings(TRUSTED_PROXIES=[])
    def test_a_forged_header_cannot_dodge_an_address_ban(self) -> None:
        from comments.models import BlockRule, Comment

        BlockRule.objects.create(kind="network", value="198.51.100.0/24")
        article = make_article()
        self.client.post(
            reverse("comments:create", args=[article.pk]),
            comment_data(),
            REMOTE_ADDR="198.51.100.50",
            HTTP_X_FORWARDED_FOR="192.0.2.1",
        )
        self.assertEqual(Comment.objects.get().status, Comment.Status.SPAM)
