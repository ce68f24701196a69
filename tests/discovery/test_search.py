import datetime
import json

from django.db import connection
from django.test import TestCase
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Block, SearchDocument
from tests.factories import (
    make_article,
    make_author,
    make_block,
    make_column,
    make_interviewee,
    make_photo,
    make_tag,
)

NOW = timezone.now()


def ago(**delta) -> datetime.datetime:
    return NOW - datetime.timedelta(**delta)


class SearchTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.tag = make_tag(name="Haiti", slug="haiti", kind="country")
        cls.author = make_author(name="Lucía Moreno", slug="lucia-moreno")
        cls.in_title = make_article(
            title="Ceasefire talks resume in Geneva", standfirst="Delegations return.", published_at=ago(days=9)
        )
        cls.in_standfirst = make_article(
            title="Envoys meet again",
            standfirst="The ceasefire holds for a second week.",
            published_at=ago(days=1),
            tags=[cls.tag],
            authors=[cls.author],
        )
        cls.in_body = make_article(title="A long day at the Council", standfirst="Notes.", published_at=ago(days=2))
        make_block(cls.in_body, text="Late in the evening the ceasefire came up again.")
        cls.interview = make_article(
            title="Questions for the envoy", kind=Article.Kind.INTERVIEW, published_at=ago(days=3)
        )
        make_block(cls.interview, kind=Block.Kind.ANSWER, text="We believe the ceasefires will hold.")
        make_article(title="Ceasefire draft", status=Article.Status.DRAFT)
        make_article(title="Ceasefire embargoed", published_at=NOW + datetime.timedelta(hours=2))
        cls.accented = make_article(title="Réunion à Genève sur la sécurité", published_at=ago(days=5))

    def search(self, query: str = "", **params):
        return self.client.get("/search/", {"q": query, **params})

    def titles(self, response) -> list[str]:
        return [article.title for article, _snippet in response.context["results"]]

    def test_a_kept_card_shows_each_searchs_own_snippet(self) -> None:
        first = self.search("ceasefire")
        second = self.search("second week")
        self.assertContains(first, "<mark>ceasefire</mark> holds")
        self.assertContains(second, "<mark>second</mark> <mark>week</mark>")
        self.assertNotContains(second, "<mark>ceasefire</mark>")

    def test_the_filter_lists_mark_the_chosen_option_and_escape_names(self) -> None:
        make_author(name="<b>Bold</b> & Co", slug="bold-co")
        response = self.search("ceasefire", tag="haiti", author="bold-co")
        self.assertContains(response, '<option value="haiti" selected>Haiti</option>', html=False)
        self.assertContains(response, '<option value="bold-co" selected>&lt;b&gt;Bold&lt;/b&gt; &amp; Co</option>')
        self.assertContains(response, '<option value="lucia-moreno">Lucía Moreno</option>')

    def test_title_matches_rank_above_standfirst_above_body(self) -> None:
        # 1. rank and count, 2. the page's articles' versions, 3. those articles, 4. authors,
        # 5. highlighted snippets, 6. tags and authors for the filter form, 7. the header's
        # sections (then kept in memory for five minutes)
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(8):
            response = self.search("ceasefire")
        self.assertEqual(
            self.titles(response),
            [
                "Ceasefire talks resume in Geneva",
                "Envoys meet again",
                "A long day at the Council",
                "Questions for the envoy",
            ],
        )
        self.assertContains(response, "4 stories found")

    def test_a_repeated_search_is_three_queries_and_follows_edits_at_once(self) -> None:
        self.search("ceasefire")
        # 1. rank and count, 2. the page's articles' versions, 3. tags and authors for the filter
        # form (the results and the form drawn for them are kept in memory)
        with self.assertNumQueries(3):
            self.search("ceasefire")
        article = Article.objects.get(title="Envoys meet again")
        article.title = "Envoys meet again in Geneva"
        article.save()
        make_author(name="Zoe Newcomer", slug="zoe-newcomer")
        response = self.search("ceasefire")
        self.assertContains(response, "Envoys meet again in Geneva")
        self.assertContains(response, '<option value="zoe-newcomer">Zoe Newcomer</option>')

    def test_it_never_finds_drafts_or_embargoed_articles(self) -> None:
        response = self.search("ceasefire")
        self.assertNotContains(response, "Ceasefire draft")
        self.assertNotContains(response, "Ceasefire embargoed")

    def test_it_stems_english_and_ignores_accents(self) -> None:
        self.assertIn("Questions for the envoy", self.titles(self.search("ceasefires")))
        self.assertEqual(self.titles(self.search("geneve securite")), ["Réunion à Genève sur la sécurité"])

    def test_snippets_are_highlighted_and_escaped(self) -> None:
        make_block(self.in_body, text="A <em>ceasefire</em> &amp; more <script>alert(1)</script>")
        response = self.search("ceasefire")
        self.assertContains(response, "<mark>ceasefire</mark>")
        self.assertNotContains(response, "<script>alert")

    def test_it_filters_by_kind_tag_author_and_dates(self) -> None:
        self.assertEqual(self.titles(self.search("ceasefire", kind="interview")), ["Questions for the envoy"])
        self.assertEqual(self.titles(self.search("ceasefire", tag="haiti")), ["Envoys meet again"])
        self.assertEqual(self.titles(self.search("ceasefire", author="lucia-moreno")), ["Envoys meet again"])
        start = timezone.localdate(ago(days=4)).isoformat()
        end = timezone.localdate(ago(days=2)).isoformat()
        self.assertEqual(
            self.titles(self.search("ceasefire", start=start, end=end)),
            ["A long day at the Council", "Questions for the envoy"],
        )

    def test_filters_without_words_list_newest_first(self) -> None:
        self.assertEqual(self.titles(self.search("", tag="haiti")), ["Envoys meet again"])

    def test_a_reversed_date_range_is_explained(self) -> None:
        response = self.search("ceasefire", start="2024-05-01", end="2024-01-01")
        self.assertContains(response, "The end date is before the start date.")
        self.assertNotIn("results", response.context)

    def test_an_empty_query_shows_the_form_and_a_hint(self) -> None:
        response = self.search("")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Type a word or two")
        self.assertContains(response, 'id="id_q"')

    def test_a_too_long_query_gets_a_clear_message_and_keeps_the_text(self) -> None:
        query = "ceasefire " * 100
        response = self.search(query)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Please keep your search under 200 characters.")
        self.assertContains(response, "ceasefire ceasefire")

    def test_nonsense_and_punctuation_only_queries_find_nothing_calmly(self) -> None:
        for query in ("!!!", "&|!():*", "the and of", '"', "-", "' OR 1=1 --", "\\", "a:*", "<>"):
            with self.subTest(query=query):
                response = self.search(query)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "No stories match")

    def test_a_nul_character_is_refused_with_a_message(self) -> None:
        response = self.search("cease\x00fire")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Null characters are not allowed.")

    def test_unknown_filters_and_pages_are_handled(self) -> None:
        self.assertContains(self.search("ceasefire", tag="nowhere"), "Select a valid choice")
        self.assertEqual(self.search("ceasefire", page="9").status_code, 404)
        self.assertEqual(self.search("ceasefire", page="x").status_code, 404)

    def test_the_query_is_escaped_on_the_page(self) -> None:
        response = self.search('<img src=x onerror="alert(1)">')
        self.assertNotContains(response, '<img src=x onerror="alert(1)">')
        self.assertContains(response, "&lt;img src=x")

    def test_naughty_strings_never_break_the_page(self) -> None:
        from tests.conftest import CORPORA

        path = CORPORA / "naughty-strings" / "blns.json"
        if not path.exists():
            self.skipTest(f"the shared corpora folder is absent ({path.parent}); hostile-input tests need it")
        # Every fourth string keeps this under a few seconds; the sample spans every section of the list.
        for text in json.loads(path.read_text())[::4]:
            with self.subTest(text=text[:40]):
                response = self.search(text[:200])
                self.assertEqual(response.status_code, 200)


class SearchDocumentTests(TestCase):
    """The vector is kept current by triggers on every write path."""

    def matches(self, word: str) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT article_id FROM articles_searchdocument"
                " WHERE vector @@ websearch_to_tsquery('newsroom_search', %s) ORDER BY article_id",
                [word],
            )
            return [row[0] for row in cursor.fetchall()]

    def test_saving_an_article_or_its_blocks_updates_the_vector(self) -> None:
        article = make_article(title="Budget talks")
        self.assertEqual(self.matches("budget"), [article.pk])
        article.title = "Appointments"
        article.save()
        self.assertEqual(self.matches("budget"), [])
        block = make_block(article, text="Sanctions were discussed.")
        self.assertEqual(self.matches("sanctions"), [article.pk])
        block.text = "Refugees were discussed."
        block.save()
        self.assertEqual(self.matches("sanctions"), [])
        self.assertEqual(self.matches("refugees"), [article.pk])
        block.delete()
        self.assertEqual(self.matches("refugees"), [])

    def test_bulk_writes_and_queryset_updates_update_the_vector(self) -> None:
        article = make_article(title="Plain")
        Article.objects.filter(pk=article.pk).update(standfirst="Oceans matter")
        Block.objects.bulk_create([Block(article=article, position=1, text="Whales", html="<p>Whales</p>")])
        self.assertEqual(self.matches("oceans"), [article.pk])
        self.assertEqual(self.matches("whales"), [article.pk])

    def test_publishing_state_is_copied_for_search_filters(self) -> None:
        article = make_article(status=Article.Status.DRAFT)
        self.assertEqual(SearchDocument.objects.get(article=article).status, Article.Status.DRAFT)
        Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED, published_at=NOW)
        document = SearchDocument.objects.get(article=article)
        self.assertEqual((document.status, document.published_at), (Article.Status.PUBLISHED, NOW))

    def test_deleting_an_article_deletes_its_document(self) -> None:
        article = make_article()
        make_block(article)
        article.delete()
        self.assertFalse(SearchDocument.objects.exists())


class SearchRelatedRowsTests(TestCase):
    """Interviewees, tags, columns, bylines and captions are in the document, kept current by triggers (issue 12)."""

    matches = SearchDocumentTests.matches

    def test_a_new_interview_is_found_by_its_interviewees_surname_and_label(self) -> None:
        interview = make_article(title="Planning for peace", kind=Article.Kind.INTERVIEW)
        self.assertEqual(self.matches("haddad"), [])
        person = make_interviewee(interview, name="Nadia Haddad", label="Former planner")
        self.assertEqual(self.matches("haddad"), [interview.pk])
        self.assertEqual(self.matches("planner"), [interview.pk])
        person.name = "Nadia Salem"
        person.save()
        self.assertEqual(self.matches("haddad"), [])
        self.assertEqual(self.matches("salem"), [interview.pk])
        person.delete()
        self.assertEqual(self.matches("salem"), [])

    def test_tags_are_found_and_follow_renames_and_removals(self) -> None:
        tag = make_tag(name="Sahel")
        article = make_article(tags=[tag])
        self.assertEqual(self.matches("sahel"), [article.pk])
        tag.name = "Lake Chad basin"
        tag.save()
        self.assertEqual(self.matches("sahel"), [])
        self.assertEqual(self.matches("chad"), [article.pk])
        article.tags.remove(tag)
        self.assertEqual(self.matches("chad"), [])

    def test_the_column_and_bylines_are_found_and_follow_renames(self) -> None:
        column = make_column(name="Appointments watch")
        author = make_author(name="Lucía Moreno")
        article = make_article(column=column, authors=[author])
        self.assertEqual(self.matches("appointments"), [article.pk])
        self.assertEqual(self.matches("moreno"), [article.pk])
        column.name = "Elections desk"
        column.save()
        author.name = "Lucía Ferrer"
        author.save()
        self.assertEqual(self.matches("appointments"), [])
        self.assertEqual(self.matches("moreno"), [])
        self.assertEqual(self.matches("elections ferrer"), [article.pk])
        ArticleAuthor.objects.create(article=article, author=make_author(name="Omar Quist"), position=1)
        self.assertEqual(self.matches("quist"), [article.pk])

    def test_captions_are_found_the_photos_own_when_the_article_has_none(self) -> None:
        lead = make_photo(caption="A camp near Kakuma.")
        article = make_article(lead_photo=lead)
        inline = make_photo(caption="Trucks at the Goma border.")
        make_block(article, kind=Block.Kind.PHOTO, photo=inline, text="")
        self.assertEqual(self.matches("kakuma"), [article.pk])
        self.assertEqual(self.matches("goma"), [article.pk])
        lead.caption = "A camp near Dadaab."
        lead.save()
        self.assertEqual(self.matches("kakuma"), [])
        self.assertEqual(self.matches("dadaab"), [article.pk])
        Article.objects.filter(pk=article.pk).update(lead_caption="Our own words on Bentiu.")
        self.assertEqual(self.matches("dadaab"), [])
        self.assertEqual(self.matches("bentiu"), [article.pk])

    def test_a_reader_finds_an_interviewee_and_the_headline_still_ranks_first(self) -> None:
        about = make_article(title="Haddad named envoy", published_at=ago(days=3))
        interview = make_article(title="Planning for peace", kind=Article.Kind.INTERVIEW, published_at=ago(days=1))
        make_interviewee(interview, name="Nadia Haddad", label="NADIA HADDAD")
        mention = make_article(title="A week of talks", published_at=ago(hours=1))
        make_block(mention, text="Haddad spoke last.")
        response = self.client.get("/search/", {"q": "Haddad"})
        titles = [article.title for article, _snippet in response.context["results"]]
        self.assertEqual(titles, [about.title, interview.title, mention.title])
