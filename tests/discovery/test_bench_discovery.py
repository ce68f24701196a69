from io import StringIO
from unittest import mock

from django.test import TransactionTestCase

from articles.models import Article
from devtools import bench_discovery


class DiscoveryTargetsTests(TransactionTestCase):
    # TransactionTestCase: the generator commits and then runs VACUUM ANALYZE.

    def test_it_fills_an_empty_database_once_and_names_home_a_tag_and_a_search(self) -> None:
        with mock.patch.object(bench_discovery, "BENCH_MIN_ARTICLES", 30):
            targets = bench_discovery.discovery_targets(StringIO())
            self.assertEqual(Article.objects.count(), 30)
            self.assertEqual(bench_discovery.discovery_targets(StringIO()), targets)
        self.assertEqual(Article.objects.count(), 30)
        self.assertEqual([name.split(" ")[0] for name, _path in targets], ["home", "tag", "search"])
        for _name, path in targets:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 200)
