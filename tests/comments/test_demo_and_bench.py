import io

from django.core.management import call_command
from django.test import TestCase

from comments.models import Comment
from devtools import bench_comments as bench, demo_articles, demo_comments as demo
from tests.factories import make_article


class DemoTests(TestCase):
    def test_it_adds_threads_in_every_state_and_is_idempotent(self) -> None:
        make_article(slug=demo_articles.ARTICLES[0]["slug"])
        make_article(slug=demo_articles.INTERVIEWS[0]["slug"])
        demo.load(io.StringIO())
        count = Comment.objects.count()
        self.assertEqual(set(Comment.objects.values_list("status", flat=True)), set(Comment.Status.values))
        self.assertTrue(Comment.objects.filter(depth=3).exists())
        demo.load(io.StringIO())
        self.assertEqual(Comment.objects.count(), count)

    def test_it_comments_only_on_the_demo_stories(self) -> None:
        make_article(slug=demo_articles.ARTICLES[0]["slug"])
        other = make_article()
        demo.load(io.StringIO())
        self.assertTrue(Comment.objects.exists())
        self.assertFalse(other.comments.exists())

    def test_each_thread_sits_under_the_story_it_talks_about(self) -> None:
        stories = {slug: make_article(slug=slug) for slug in demo.THREADS}
        demo.load(io.StringIO())
        for slug, story in stories.items():
            texts = set(story.comments.values_list("text", flat=True))
            self.assertEqual(texts, {text for _key, _parent, _status, _name, text, *_rest in demo.THREADS[slug]})
        mandate = stories["council-extends-south-sudan-mission"]
        self.assertTrue(mandate.comments.filter(text__contains="civilian protection sites").exists())

    def test_it_works_without_articles(self) -> None:
        demo.load(io.StringIO())
        self.assertFalse(Comment.objects.exists())


class BenchTests(TestCase):
    def test_it_makes_a_story_with_500_comments_once(self) -> None:
        [(name, path)] = bench.bench_targets(io.StringIO())
        self.assertEqual(Comment.objects.approved().count(), 500)
        bench.bench_targets(io.StringIO())
        self.assertEqual(Comment.objects.count(), 500)
        response = self.client.get(path)
        self.assertContains(response, "500 Comments")


class HousekeepingTests(TestCase):
    def test_it_runs_the_periodic_work(self) -> None:
        import datetime

        from django.core import mail
        from django.test import override_settings
        from django.utils import timezone

        from tests.factories import make_comment

        old = make_comment(
            status="pending", address_hash="f" * 64, created_at=timezone.now() - datetime.timedelta(days=40)
        )
        with override_settings(COMMENTS_DIGEST_TO=["desk@example.org"]):
            call_command("comments_housekeeping", "--digest", stdout=io.StringIO())
        old.refresh_from_db()
        self.assertEqual(old.address_hash, "")
        self.assertEqual([m.to for m in mail.outbox], [["desk@example.org"]])
