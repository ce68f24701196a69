"""Read replica routing (newsroom/replicas.py).

"replica1" is a second connection to the test database (see tests/settings.py): what
these tests check is where each query goes, counted per connection. Rows are really
committed (TransactionTestCase), since the replica's connection must see them.
The real streaming replica, lag included, is exercised by tests/newsroom/test_cluster.py.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.db import connections, transaction
from django.test import TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from newsroom import replicas
from tests.factories import make_article

WITH_REPLICA = {
    "REPLICA_DATABASES": ["replica1"],
    "DATABASE_ROUTERS": ["newsroom.replicas.ReplicaRouter"],
    "MIDDLEWARE": [
        *settings.MIDDLEWARE[: settings.MIDDLEWARE.index("newsroom.outage.DatabaseOutageMiddleware")],
        "newsroom.replicas.ReplicaMiddleware",
        *settings.MIDDLEWARE[settings.MIDDLEWARE.index("newsroom.outage.DatabaseOutageMiddleware") :],
    ],
}


class RoutingTestCase(TransactionTestCase):
    databases = {"default", "replica1", "replica_dead"}

    def setUp(self) -> None:
        replicas.forget_health()
        self.addCleanup(replicas.forget_health)
        self.article = make_article(title="Read from a copy")

    def get_counting(self, path: str, **kwargs) -> tuple:
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections["replica1"]) as replica,
        ):
            response = self.client.get(path, **kwargs)
        return response, primary, replica


@override_settings(**WITH_REPLICA)
class ReplicaRoutingTests(RoutingTestCase):
    def test_it_reads_an_anonymous_readers_page_from_the_replica(self) -> None:
        # The shared cache as on a live site, already holding the most-read list (kept ten minutes):
        # the one request that fills it writes to the primary, and so reads the rest of its page there.
        self.client.get(self.article.get_absolute_url())
        caches["fragments"].clear()
        replicas.forget_health()
        response, primary, replica = self.get_counting(self.article.get_absolute_url())
        self.assertContains(response, "Read from a copy")
        self.assertGreater(len(replica), 1)  # the lag check, then the page's reads
        # Only the shared cache's table is read on the primary: its counters are read, then written.
        self.assertEqual([q["sql"] for q in primary if '"newsroom_cache"' not in q["sql"]], [])

    def test_it_asks_the_replica_its_lag_once_per_check_interval(self) -> None:
        self.get_counting(self.article.get_absolute_url())
        _response, _primary, replica = self.get_counting(self.article.get_absolute_url())
        self.assertFalse(any("pg_last_xact_replay_timestamp" in q["sql"] for q in replica))

    def test_it_sends_a_post_to_the_primary_and_pins_the_reader_there(self) -> None:
        with CaptureQueriesContext(connections["replica1"]) as replica:
            response = self.client.post(self.article.get_absolute_url())
        self.assertEqual(len(replica), 0)
        pin = response.cookies[replicas.PIN_COOKIE]
        self.assertEqual(pin["max-age"], settings.DATABASE_PIN_SECONDS)
        self.assertTrue(pin["httponly"])

        response, primary, replica = self.get_counting(self.article.get_absolute_url())
        self.assertContains(response, "Read from a copy")
        self.assertEqual(len(replica), 0)
        self.assertGreater(len(primary), 0)
        self.assertNotIn(replicas.PIN_COOKIE, response.cookies)  # a GET does not extend the pin

    def test_it_reads_from_the_primary_for_a_session(self) -> None:
        self.client.cookies[settings.SESSION_COOKIE_NAME] = "anything"
        _response, primary, replica = self.get_counting(self.article.get_absolute_url())
        self.assertEqual(len(replica), 0)
        self.assertGreater(len(primary), 0)

    def test_it_reads_from_the_primary_outside_a_request(self) -> None:
        with CaptureQueriesContext(connections["replica1"]) as replica:
            self.assertTrue(Article.objects.filter(pk=self.article.pk).exists())
        self.assertEqual(len(replica), 0)


class RequestDatabaseTests(RoutingTestCase):
    """Inside one request the choice only moves from the replica to the primary, never back."""

    def setUp(self) -> None:
        super().setUp()
        self.token = replicas._read_alias.set("replica1")
        self.addCleanup(replicas._read_alias.reset, self.token)

    @override_settings(**WITH_REPLICA)
    def test_it_reads_inside_a_transaction_from_the_primary_and_stays_there(self) -> None:
        with CaptureQueriesContext(connections["replica1"]) as replica:
            Article.objects.get(pk=self.article.pk)
            self.assertEqual(len(replica), 1)
            with transaction.atomic():
                Article.objects.get(pk=self.article.pk)
            # The version read in the transaction came from the primary: so must the content after it.
            Article.objects.get(pk=self.article.pk)
            self.assertEqual(len(replica), 1)
        self.assertEqual(replicas.read_alias(), "default")

    @override_settings(**WITH_REPLICA)
    def test_it_reads_its_own_write_from_the_primary(self) -> None:
        Article.objects.filter(pk=self.article.pk).update(title="Changed")
        with CaptureQueriesContext(connections["replica1"]) as replica:
            self.assertEqual(Article.objects.get(pk=self.article.pk).title, "Changed")
        self.assertEqual(len(replica), 0)


@override_settings(**{**WITH_REPLICA, "REPLICA_DATABASES": ["replica_dead"]})
class DeadReplicaTests(RoutingTestCase):
    def test_it_reads_from_the_primary_when_the_replica_does_not_answer(self) -> None:
        with self.assertLogs("newsroom.replicas", "WARNING") as logs:
            response, primary, _replica = self.get_counting(self.article.get_absolute_url())
        self.assertContains(response, "Read from a copy")
        self.assertGreater(len(primary), 0)
        self.assertIn("replica_dead does not answer", logs.output[0])
        self.assertFalse(replicas.is_usable("replica_dead"))  # kept: not asked again at once

    def test_it_serves_a_request_again_from_the_primary_when_the_replica_fails_during_it(self) -> None:
        # The last check said the replica was fine; it died since.
        replicas._health["replica_dead"] = (float("inf"), True)
        with self.assertLogs("newsroom.replicas", "WARNING") as logs:
            response, primary, _replica = self.get_counting(self.article.get_absolute_url())
        self.assertContains(response, "Read from a copy")
        self.assertGreater(len(primary), 0)
        self.assertIn("failed during a request", logs.output[0])
        self.assertEqual(replicas._health["replica_dead"][1], False)


@override_settings(**{**WITH_REPLICA, "DATABASE_REPLICA_MAX_LAG": -1})
class LaggingReplicaTests(RoutingTestCase):
    def test_it_reads_from_the_primary_when_the_replica_lags_past_the_limit(self) -> None:
        # With a limit below zero even a caught-up replica is "too far behind".
        with self.assertLogs("newsroom.replicas", "WARNING"):
            _response, primary, replica = self.get_counting(self.article.get_absolute_url())
        self.assertEqual([q["sql"] for q in replica if "pg_is_in_recovery" not in q["sql"]], [])
        self.assertGreater(len(primary), 0)


class WaitForReplicasTests(RoutingTestCase):
    @override_settings(REPLICA_DATABASES=["replica1", "replica_dead"])
    def test_it_returns_once_every_answering_replica_has_replayed_the_primarys_position(self) -> None:
        with CaptureQueriesContext(connections["replica1"]) as replica:
            self.assertTrue(replicas.wait_for_replicas(timeout=5))
        self.assertIn("pg_last_wal_replay_lsn", replica[0]["sql"])
