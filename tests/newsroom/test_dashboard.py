import datetime

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from newsroom import dashboard
from tests.factories import make_article, make_editor, make_staff, make_writer

S = Article.Status


class DashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_writer("wanda")
        cls.editor = make_editor("edith")
        cls.own_draft = make_article(status=S.DRAFT, title="Wanda's draft", authors=[cls.writer.author])
        cls.other_draft = make_article(status=S.DRAFT, title="Someone else's draft")
        cls.in_review = make_article(status=S.IN_REVIEW, title="Waiting for an editor", authors=[cls.writer.author])
        cls.scheduled = make_article(
            title="Goes out tomorrow", published_at=timezone.now() + datetime.timedelta(days=1)
        )
        cls.live = [make_article(title=f"Live story {n}") for n in range(3)]

    def test_a_writer_sees_their_own_work(self) -> None:
        self.client.force_login(self.writer)
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, "Wanda&#x27;s draft")
        self.assertContains(response, "Waiting for an editor")
        self.assertNotContains(response, "Someone else&#x27;s draft")
        self.assertNotContains(response, "Goes out tomorrow")

    def test_a_writers_boxes_say_they_hold_the_writers_own_articles(self) -> None:
        self.client.force_login(self.writer)
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, "<h3>Your articles awaiting review</h3>", html=True)
        self.assertContains(response, "<h3>Your scheduled articles</h3>", html=True)
        self.assertNotContains(response, "<h3>Awaiting review</h3>", html=True)

    def test_every_role_sees_what_the_newsroom_published(self) -> None:
        for group in ("Comment moderator", "Newsletter editor"):
            with self.subTest(role=group):
                self.client.force_login(make_staff(group.split()[0].lower(), group))
                response = self.client.get(reverse("admin:index"))
                self.assertNotContains(response, "Nothing published yet.")
                for story in self.live:
                    # A reader's link: these roles may not open articles in the admin.
                    self.assertContains(response, f'<a href="{story.get_absolute_url()}">{story.title}</a>', html=True)
                self.assertNotContains(response, "Goes out tomorrow")
                self.assertNotContains(response, "Your drafts")
                self.assertNotContains(response, "Awaiting review")
        self.client.force_login(self.writer)
        self.assertContains(self.client.get(reverse("admin:index")), "Live story 2")

    def test_an_editor_sees_the_queue_the_schedule_and_what_went_out(self) -> None:
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, "Waiting for an editor")
        self.assertContains(response, "Goes out tomorrow")
        self.assertContains(response, f'datetime="{self.scheduled.published_at.isoformat()}"')
        self.assertContains(response, "Live story 2")
        self.assertContains(response, '<svg class="dashboard-chart"')
        self.assertContains(response, "Published articles per day, last 30 days: 3 in all")
        self.assertNotContains(response, "Goes out tomorrow</title>")

    def test_the_chart_counts_published_articles_per_day(self) -> None:
        make_article(published_at=timezone.now() - datetime.timedelta(days=40))  # outside the window
        dates, series = dashboard.daily_series()
        published = series[0]
        self.assertEqual(len(dates), 30)
        self.assertEqual(dates[-1], timezone.localdate())
        self.assertEqual(published.total, sum(1 for a in self.live if timezone.localdate(a.published_at) >= dates[0]))
        svg = dashboard.chart_svg(dates, published)
        self.assertEqual(svg.count("<rect"), 30)
        self.assertNotIn("style=", svg)

    def test_the_dashboard_runs_a_fixed_number_of_queries(self) -> None:
        for n in range(3):
            make_article(status=S.IN_REVIEW, title=f"More review {n}")
            make_article(status=S.DRAFT, title=f"More drafts {n}")
        self.client.force_login(self.editor)
        # 1. the session, 2. the user, 3-4. their permissions, 5-7. published, views and approved
        # comments per day, 8. drafts, 9. in review, 10. scheduled, 11. recently published,
        # 12. the admin's recent actions
        with self.assertNumQueries(12):
            self.client.get(reverse("admin:index"))
