"""Search in each language (issue 20): each article's vector in its language's configuration,
queries parsed with the searched language's, and Chinese found through character pairs."""

import datetime
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test import TestCase
from django.utils import timezone, translation

from articles import search
from articles.models import SearchDocument
from tests.factories import make_article, make_block

NOW = timezone.now()


def ago(**delta) -> datetime.datetime:
    return NOW - datetime.timedelta(**delta)


def titles(query: str, language: str | None = None) -> list[str]:
    return [article.title for article in search.search_page(1, query, language=language).object_list]


class LanguageConfigurationTests(TestCase):
    def test_every_language_has_its_configuration(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname LIKE 'newsroom_search%%'")
            names = {name for (name,) in cursor.fetchall()}
        self.assertEqual(
            names,
            {"newsroom_search", "newsroom_search_fr", "newsroom_search_es", "newsroom_search_ru", "newsroom_search_ar"},
        )

    def test_the_language_defaults_to_the_request_language(self) -> None:
        with translation.override("fr"):
            self.assertEqual(search.search_language(), "fr")
        with translation.override("zh-hans"):
            self.assertEqual(search.search_language(), "zh")
        with translation.override("de"):  # not offered: the default
            self.assertEqual(search.search_language(), "en")
        self.assertEqual(search.search_language("ES"), "es")

    def test_tags_and_columns_are_indexed_under_their_name_in_the_article_language(self) -> None:
        from tests.factories import make_column, make_tag

        tag = make_tag(name="Food security", slug="food-security", names={"fr": "Sécurité alimentaire"})
        column = make_column(name="Dispatches", slug="dispatches", names={"fr": "Chroniques"})
        french = make_article(title="Au Sahel", language="fr", tags=[tag], column=column)
        english = make_article(title="In the Sahel", language="en", tags=[tag], column=column)
        self.assertEqual(titles("alimentaire", "fr"), [french.title])
        self.assertEqual(titles("chronique", "fr"), [french.title])
        self.assertEqual(titles("food security", "en"), [english.title])
        tag.names = {"fr": "Faim"}  # a change of the translated name alone refreshes the vectors
        tag.save(update_fields=["names"])
        self.assertEqual(titles("alimentaire", "fr"), [])
        self.assertEqual(titles("faim", "fr"), [french.title])
        column.names = {"fr": "Reportages"}
        column.save(update_fields=["names"])
        self.assertEqual(titles("reportage", "fr"), [french.title])

    def test_a_change_of_language_rebuilds_the_vector(self) -> None:
        article = make_article(title="Les élections au Mali", language="fr")
        self.assertEqual(SearchDocument.objects.get(article=article).language, "fr")
        self.assertEqual(titles("élection", "fr"), ["Les élections au Mali"])
        article.language = "es"
        article.save(update_fields=["language"])
        self.assertEqual(SearchDocument.objects.get(article=article).language, "es")
        self.assertEqual(titles("élection", "fr"), [])


class StemmingPerLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.fr = make_article(
            title="Le Conseil prépare l'élection présidentielle",
            standfirst="Les observateurs arrivent à Bamako.",
            language="fr",
            published_at=ago(days=1),
        )
        cls.es = make_article(
            title="La Asamblea aprueba las resoluciones sobre refugiados",
            standfirst="Votación en Nueva York.",
            language="es",
            published_at=ago(days=2),
        )
        cls.ru = make_article(
            title="Совет Безопасности обсудил выборы в Гаити",
            standfirst="Делегации говорили о морфологии кризиса.",
            language="ru",
            published_at=ago(days=3),
        )
        cls.ar = make_article(
            title="مجلس الأمن يناقش الانتخابات في هايتي",
            standfirst="الأمين العام يدعو إلى الحوار.",
            language="ar",
            published_at=ago(days=4),
        )
        cls.en = make_article(
            title="The Council prepares the presidential election",
            standfirst="Observers arrive in Bamako.",
            language="en",
            published_at=ago(days=5),
        )

    def test_french_inflections_and_accents(self) -> None:
        self.assertEqual(titles("élections", "fr"), [self.fr.title])  # plural finds the singular
        self.assertEqual(titles("election presidentielle", "fr"), [self.fr.title])  # without accents
        self.assertEqual(titles("observateur", "fr"), [self.fr.title])

    def test_spanish_inflections(self) -> None:
        self.assertEqual(titles("resolución", "es"), [self.es.title])  # the singular finds the plural
        self.assertEqual(titles("refugiado votacion", "es"), [self.es.title])  # without the accent
        self.assertEqual(titles("aprobar", "es"), [])  # the infinitive is another stem: no false hope

    def test_russian_morphology(self) -> None:
        self.assertEqual(titles("выборов", "ru"), [self.ru.title])  # genitive plural finds the nominative
        self.assertEqual(titles("морфология", "ru"), [self.ru.title])
        self.assertEqual(titles("Совета безопасности", "ru"), [self.ru.title])

    def test_arabic_stemming(self) -> None:
        # الانتخابات (the elections) is found from the singular, with or without the article;
        # الأمن (security) from أمن, its hamza normalised; الحوار (the dialogue) from حوار.
        self.assertEqual(titles("الانتخاب", "ar"), [self.ar.title])
        self.assertEqual(titles("انتخاب", "ar"), [self.ar.title])
        self.assertEqual(titles("أمن", "ar"), [self.ar.title])
        self.assertEqual(titles("حوار", "ar"), [self.ar.title])
        self.assertEqual(titles("لاجئين", "ar"), [])

    def test_a_search_stays_in_its_language(self) -> None:
        self.assertEqual(titles("Bamako", "fr"), [self.fr.title])
        self.assertEqual(titles("Bamako", "en"), [self.en.title])
        self.assertEqual(titles("election", "en"), [self.en.title])
        self.assertEqual(titles("", "ru"), [self.ru.title])  # browsing by filters only, too

    def test_the_language_comes_from_the_request(self) -> None:
        with translation.override("fr"):
            self.assertEqual(titles("élections"), [self.fr.title])
        with translation.override("es"):
            self.assertEqual(titles("élections"), [])

    def test_the_search_page_under_a_language_prefix_searches_that_language(self) -> None:
        response = self.client.get("/fr/search/", {"q": "élections"})
        self.assertEqual([a.title for a, _s in response.context["results"]], [self.fr.title])
        self.assertContains(response, '<html lang="fr"')
        response = self.client.get("/ru/search/", {"q": "выборов"})
        self.assertEqual([a.title for a, _s in response.context["results"]], [self.ru.title])

    def test_highlights_use_the_language_configuration(self) -> None:
        make_block(self.fr, text="Les élections auront lieu en juillet, selon la commission électorale.")
        snippets = search.highlight("élection", [self.fr], language="fr")
        self.assertIn("<mark>élections</mark>", snippets[self.fr.pk])

    def test_the_search_page_counts_the_same_queries_in_every_language(self) -> None:
        # 1. rank and count, 2. the page's articles, 3. authors, 4. highlighted snippets,
        # 5. tags and 6. authors for the filter form, 7. the header's sections, 8. the match campaign
        with self.assertNumQueries(8):
            response = self.client.get("/search/", {"q": "election"})
        self.assertEqual([a.title for a, _s in response.context["results"]], [self.en.title])


class ChineseSearchTests(TestCase):
    """Chinese has no spaces between words: two or three characters inside a longer run are found."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.council = make_article(
            title="联合国安全理事会延长马里维持和平行动的任务期限",
            standfirst="安理会一致通过决议，秘书长表示欢迎。",
            language="zh",
            published_at=ago(days=1),
        )
        make_block(cls.council, text="秘书长古特雷斯呼吁各方保护平民，并支持维持和平人员的工作。")
        cls.secretary = make_article(
            title="秘书长呼吁加强气候行动",
            standfirst="古特雷斯在纽约总部发表讲话。",
            language="zh",
            published_at=ago(days=2),
        )
        cls.body_only = make_article(
            title="人权理事会在日内瓦开幕",
            standfirst="各国代表出席会议。",
            language="zh",
            published_at=ago(days=3),
        )
        make_block(cls.body_only, text="会议期间，与会者也讨论了维持和平行动的资金问题。")
        cls.unrelated = make_article(
            title="世界卫生组织发布疫苗报告",
            standfirst="报告涉及儿童免疫接种。",
            language="zh",
            published_at=ago(days=4),
        )
        cls.english = make_article(title="Security Council extends the Mali mission", language="en")

    def test_two_characters_inside_a_longer_run(self) -> None:
        # 理事 sits inside 安全理事会 and 人权理事会; 安理 only inside 安理会.
        self.assertEqual(set(titles("理事", "zh")), {self.council.title, self.body_only.title})
        self.assertEqual(titles("安理", "zh"), [self.council.title])

    def test_three_characters_inside_a_longer_run(self) -> None:
        self.assertEqual(titles("秘书长", "zh"), [self.secretary.title, self.council.title])
        self.assertEqual(set(titles("理事会", "zh")), {self.council.title, self.body_only.title})

    def test_a_phrase_matches_its_characters_in_order_only(self) -> None:
        self.assertEqual(titles("维持和平行动", "zh"), [self.council.title, self.body_only.title])
        self.assertEqual(titles("和平维持", "zh"), [])  # the same characters, another order
        self.assertEqual(titles("会理事", "zh"), [])

    def test_unrelated_text_is_not_found(self) -> None:
        self.assertEqual(titles("气候", "zh"), [self.secretary.title])
        self.assertEqual(titles("安全理事会", "zh"), [self.council.title])
        self.assertEqual(titles("难民署", "zh"), [])
        self.assertNotIn(self.unrelated.title, titles("秘书长", "zh"))

    def test_headline_matches_rank_above_body_matches(self) -> None:
        # 维持和平行动 is in the council story's headline, only in the other's body.
        self.assertEqual(titles("维持和平", "zh")[0], self.council.title)
        # 秘书长 leads the second story's headline; the first has it in standfirst and body.
        self.assertEqual(titles("秘书长", "zh")[0], self.secretary.title)

    def test_several_words_exclusions_and_latin_words(self) -> None:
        self.assertEqual(titles("秘书长 气候", "zh"), [self.secretary.title])
        self.assertEqual(titles("秘书长 -气候", "zh"), [self.council.title])
        self.assertEqual(titles('"安理会一致通过"', "zh"), [self.council.title])
        self.assertEqual(titles('"安理会通过"', "zh"), [])
        latin = make_article(title="UNIFIL维和部队报告", language="zh")
        self.assertEqual(titles("unifil 维和", "zh"), [latin.title])

    def test_the_chinese_search_page_counts_the_same_queries(self) -> None:
        # 1. rank and count, 2. the page's articles, 3. authors, 4. the text for snippets,
        # 5. tags and 6. authors for the filter form, 7. the header's sections, 8. the match campaign
        with self.assertNumQueries(8):
            response = self.client.get("/zh/search/", {"q": "秘书长"})
        self.assertEqual([a.title for a, _s in response.context["results"]], [self.secretary.title, self.council.title])
        self.assertContains(response, "<mark>秘书长</mark>")

    def test_chinese_and_english_stay_apart(self) -> None:
        self.assertEqual(titles("Security Council", "zh"), [])
        self.assertEqual(titles("安理会", "en"), [])

    def test_snippets_mark_the_characters_found(self) -> None:
        snippets = search.highlight("维持和平", [self.body_only, self.council], language="zh")
        self.assertIn("<mark>维持和平</mark>行动的资金问题", snippets[self.body_only.pk])
        self.assertIn("<mark>维持和平</mark>人员", snippets[self.council.pk])

    def test_snippets_escape_the_text(self) -> None:
        article = make_article(title="安理会", standfirst="安理会<script>alert(1)</script>", language="zh")
        snippet = search.highlight("安理会", [article], language="zh")[article.pk]
        self.assertNotIn("<script>", snippet)
        self.assertIn("<mark>安理会</mark>&lt;script&gt;", snippet)


class HostileQueryTests(TestCase):
    """Every line of the shared hostile lists in a Chinese query (its own parsing and snippets; the
    other languages share the English path, which tests/newsroom/test_hostile_content.py sweeps)."""

    @pytest.fixture(autouse=True)
    def _corpora(self, corpora: Path) -> None:
        lines: list[str] = []
        for path in sorted((corpora / "xss").glob("*.txt")):
            lines += path.read_text(errors="replace").splitlines()
        lines += json.loads((corpora / "naughty-strings" / "blns.json").read_text())
        self.lines = list(dict.fromkeys(line.replace("\x00", "")[:200] for line in lines if line.strip()))

    def test_no_query_breaks_the_search_or_escapes_its_snippet(self) -> None:
        article = make_article(title="安理会", standfirst="安理会讨论了决议。", language="zh")
        make_block(article, text="秘书长发言 <b>&amp;</b> 安理会")
        for line in self.lines:
            query = f"安理会 {line}"
            search.search_page(1, query, language="zh")
            snippets = search.highlight(query, [article], language="zh")
            self.assertNotIn("<script", snippets[article.pk].lower())
            self.assertEqual(snippets[article.pk].count("<mark>"), snippets[article.pk].count("</mark>"))
        self.assertEqual(list(search.search_page(1, "安理会", language="zh").object_list), [article])
