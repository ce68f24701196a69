"""The body editor with a long interview: 300 questions (about 10,000 words) and 20 photos.

Issue 16's target is under 1 s of server time each to open the article in the editor,
to autosave it and to save it. The figures are printed (pytest -s shows them), each the
best of two runs. The test fails above twice the target: the suite shares two cores with
other work, and a timing test that fails at random is worse than none.
"""

import json
import re
import time

import pytest
from django.test import TestCase
from django.urls import reverse

from articles.models import Article
from tests.articles.admin_forms import form_data, with_block_text
from tests.articles.test_admin import MediaMixin
from tests.factories import make_editor, make_long_interview

TARGET = 1.0  # seconds


# It times requests against a budget, so it runs by itself, not beside the parallel tests (Makefile).
@pytest.mark.alone
class LongInterviewTests(MediaMixin, TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.article = make_long_interview(status=Article.Status.DRAFT)
        self.client.force_login(make_editor("edith"))
        self.url = reverse("admin:articles_article_change", args=[self.article.pk])

    def best_of_two(self, request) -> tuple[float, object]:
        times, response = [], None
        for _ in range(2):
            start = time.perf_counter()
            response = request()
            times.append(time.perf_counter() - start)
        return min(times), response

    def test_it_opens_autosaves_and_saves_in_under_a_second_each(self) -> None:
        words = sum(len(re.sub("<[^>]+>", " ", b.text).split()) for b in self.article.blocks.all())
        self.assertGreaterEqual(words, 10_000)
        self.assertEqual(self.article.blocks.filter(kind="photo").count(), 20)

        opened, page = self.best_of_two(lambda: self.client.get(self.url))
        self.assertEqual(page.status_code, 200)
        data = form_data(page)
        rows = [[name, str(value), ""] for name, value in data.items() if isinstance(value, str | int)]
        autosave_url = reverse("admin:articles_article_autosave", args=[self.article.pk])
        autosaved, response = self.best_of_two(
            lambda: self.client.post(autosave_url, json.dumps({"fields": rows}), content_type="application/json")
        )
        self.assertEqual(response.status_code, 200)

        first = self.article.blocks.order_by("position").first()

        def save():
            fresh = form_data(self.client.get(self.url))  # each save is based on the latest revision
            start = time.perf_counter()
            response = self.client.post(self.url, with_block_text(fresh, first.pk, "<p>Edited question?</p>"))
            return time.perf_counter() - start, response

        saves = [save() for _ in range(2)]
        saved = min(seconds for seconds, _response in saves)
        self.assertEqual(saves[-1][1].status_code, 302)
        print(
            f"\nLong interview ({words} words, {self.article.blocks.count()} blocks, "
            f"{len(data['body']) // 1024} KiB document): open {opened:.3f} s, autosave {autosaved:.3f} s, "
            f"save {saved:.3f} s"
        )
        self.assertLess(opened, 2 * TARGET)
        self.assertLess(autosaved, 2 * TARGET)
        self.assertLess(saved, 2 * TARGET)
