import io
import tempfile
from pathlib import Path
from unittest import mock

from django.test import TestCase

from articles.models import Article, Correction
from devtools import demo_newsroom as demo


class WorkflowDemoTests(TestCase):
    def test_it_adds_role_logins_and_articles_in_each_state_once(self) -> None:
        with (
            tempfile.TemporaryDirectory() as folder,
            mock.patch.object(demo, "LOGINS_FILE", Path(folder) / "logins.txt"),
        ):
            first = io.StringIO()
            demo.load(first)
            logins = (Path(folder) / "logins.txt").read_text()
            second = io.StringIO()
            demo.load(second)
            self.assertEqual((Path(folder) / "logins.txt").read_text(), logins)
        for name in ("writer", "editor"):
            self.assertIn(f"user '{name}', password '", first.getvalue())
            self.assertIn(f"\n{name} ", "\n" + logins)
            self.assertIn(f"  {name} ", second.getvalue())  # printed again on later runs
        states = {a.slug: a.state for a in Article.objects.all()}
        self.assertEqual(
            states,
            {
                "demo-fifth-committee-budget-talks": "in_review",
                "demo-council-visit-to-the-sahel": "scheduled",
                "demo-general-assembly-elects-new-members": "published",
            },
        )
        self.assertEqual(Correction.objects.count(), 1)
        writer_article = Article.objects.get(slug="demo-fifth-committee-budget-talks")
        self.assertEqual(writer_article.authors.get().user.username, "writer")
        self.assertEqual(writer_article.transitions.count(), 2)

    def test_it_recreates_the_roles_it_needs_when_they_are_gone(self) -> None:
        from django.contrib.auth.models import Group

        Group.objects.filter(name__in=["Writer", "Editor"]).delete()
        with (
            tempfile.TemporaryDirectory() as folder,
            mock.patch.object(demo, "LOGINS_FILE", Path(folder) / "logins.txt"),
        ):
            demo.load(io.StringIO())
        self.assertEqual(Article.objects.get(slug="demo-council-visit-to-the-sahel").state, "scheduled")
        self.assertTrue(Group.objects.get(name="Editor").permissions.filter(codename="publish_article").exists())
