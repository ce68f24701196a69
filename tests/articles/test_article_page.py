import datetime
import json
import re
from html.parser import HTMLParser

from django.test import TestCase
from django.utils import timezone

from articles.models import Article, Block, Correction, Tag
from tests.factories import (
    image_bytes,
    make_article,
    make_author,
    make_block,
    make_column,
    make_interviewee,
    make_photo,
    make_tag,
    make_user,
)


class _HeadParser(HTMLParser):
    """Collects <meta>, <link> and JSON-LD from a page, as a crawler reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "meta":
            key = attributes.get("property") or attributes.get("name")
            if key:
                self.meta[key] = attributes.get("content", "")
        elif tag == "link" and attributes.get("rel"):
            self.links[attributes["rel"]] = attributes.get("href", "")
        elif tag == "script" and attributes.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld[-1] += data


def without_tokens(content: bytes) -> str:
    """The page without its per-request values: CSRF tokens and the comment form's signed time."""
    return re.sub(r'(name="(?:csrfmiddlewaretoken|issued)" value=")[^"]*"', r"\1", content.decode())


def parse_head(content: bytes) -> _HeadParser:
    parser = _HeadParser()
    parser.feed(content.decode())
    return parser


def make_interview(**fields) -> Article:
    article = make_article(kind=Article.Kind.INTERVIEW, **fields)
    article.interviewee = make_interviewee(
        article, name="Ana Ribeiro", label="Ana Ribeiro", description="a researcher on peace operations"
    )
    return article


class BlockRenderingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.inline = make_photo(alt_text="Blue helmets at a checkpoint", caption="A patrol at dawn.", credit="UN PHOTO")
        cls.wide = make_photo(alt_text="The General Assembly hall", caption="Own caption", credit="Own credit")
        cls.article = make_interview(title="On the withdrawal", editors_note="This interview was edited and condensed.")
        make_block(cls.article, kind=Block.Kind.PARAGRAPH, text="An <em>introduction</em> to the talk.")
        make_block(cls.article, kind=Block.Kind.HEADING, text="Why the mission ends")
        make_block(cls.article, kind=Block.Kind.QUESTION, text="How did it start?")
        make_block(
            cls.article, kind=Block.Kind.ANSWER, text="Slowly, then all at once.", speaker=cls.article.interviewee
        )
        make_block(cls.article, kind=Block.Kind.PHOTO, photo=cls.inline, size=Block.Size.INLINE)
        make_block(
            cls.article,
            kind=Block.Kind.PHOTO,
            photo=cls.wide,
            size=Block.Size.WIDE,
            caption="Block caption",
            credit="Block credit",
        )
        make_block(cls.article, kind=Block.Kind.PHOTO, photo=cls.inline, size=Block.Size.FULL)
        make_block(cls.article, kind=Block.Kind.PULL_QUOTE, text="Peace is a process.", attribution="Ana Ribeiro")
        make_block(cls.article, kind=Block.Kind.QUESTION, text="And now?")
        make_block(cls.article, kind=Block.Kind.ANSWER, text="We wait.")

    def setUp(self) -> None:
        self.response = self.client.get(self.article.get_absolute_url())

    def test_it_renders_paragraphs_and_headings(self) -> None:
        self.assertContains(self.response, "<p>An <em>introduction</em> to the talk.</p>", html=True)
        self.assertContains(self.response, '<h2 class="block block--heading">Why the mission ends</h2>', html=True)

    def test_questions_carry_the_interviewer_label_and_answers_the_speaker(self) -> None:
        self.assertContains(self.response, '<strong class="speaker">NEWSROOM:</strong> How did it start?')
        self.assertContains(self.response, '<strong class="speaker">ANA RIBEIRO:</strong> Slowly, then all at once.')

    def test_an_answer_without_a_speaker_is_the_sole_interviewees(self) -> None:
        self.assertContains(self.response, '<strong class="speaker">ANA RIBEIRO:</strong> We wait.')

    def test_questions_get_numbered_anchors_with_a_share_link(self) -> None:
        content = self.response.content.decode()
        self.assertEqual(re.findall(r'id="(q\d+)"', content), ["q1", "q2"])
        self.assertContains(
            self.response,
            '<a class="qa__link" href="#q2"><span aria-hidden="true">#</span>'
            '<span class="visually-hidden">Link to question 2</span></a>',
            html=True,
        )

    def test_it_renders_photo_blocks_in_every_size_with_caption_then_credit(self) -> None:
        for size in ("inline", "wide", "full"):
            self.assertContains(self.response, f'<figure class="block photo photo--{size}">')
        self.assertContains(
            self.response,
            '<figcaption><span class="caption">A patrol at dawn.</span> '
            '<span class="credit">UN PHOTO</span></figcaption>',
            html=True,
        )
        # The block's own caption and credit win over the photo's.
        self.assertContains(self.response, '<span class="caption">Block caption</span>', html=True)
        self.assertNotContains(self.response, "Own caption")
        self.assertContains(self.response, 'alt="Blue helmets at a checkpoint" loading="lazy"')
        self.assertContains(self.response, f'width="{self.inline.width}" height="{self.inline.height}"')

    def test_it_renders_pull_quotes_with_attribution(self) -> None:
        self.assertContains(
            self.response,
            # dir="auto": a quote in another script (Arabic in an English story) runs its own way.
            '<figure class="block pull-quote"><blockquote dir="auto"><p>Peace is a process.</p></blockquote>'
            '<figcaption dir="auto">Ana Ribeiro</figcaption></figure>',
            html=True,
        )

    def test_the_participants_box_and_editors_note_come_before_the_first_question(self) -> None:
        content = self.response.content.decode()
        box = content.index('class="participants"')
        self.assertLess(content.index("An <em>introduction</em>"), box)
        self.assertLess(box, content.index("This interview was edited and condensed."))
        self.assertLess(content.index("This interview was edited and condensed."), content.index('id="q1"'))
        self.assertContains(self.response, "<strong>Ana Ribeiro</strong>, a researcher on peace operations", html=True)

    def test_it_keeps_the_slot_markers_out_of_the_page(self) -> None:
        self.assertNotContains(self.response, "slot:")


class ArticlePageTests(TestCase):
    def test_it_shows_the_column_promo_bylines_dates_and_lead_photo(self) -> None:
        column = make_column(
            name="Blue Smoke", cadence="A monthly column", partner="UNA-UK", description="on appointments"
        )
        first, second = make_author(name="Lea Moreau"), make_author(name="Sam Okafor")
        lead = make_photo(caption="The photo's caption", credit="PHOTO CREDIT")
        published = timezone.now() - datetime.timedelta(days=2)
        article = make_article(
            column=column,
            authors=[first, second],
            lead_photo=lead,
            lead_caption="The article's caption",
            published_at=published,
            updated_at=published + datetime.timedelta(days=1),
        )
        response = self.client.get(article.get_absolute_url())
        self.assertContains(
            response, f'<a class="column-promo__name" href="/column/{column.slug}/">Blue Smoke</a>', html=True
        )
        self.assertContains(response, "A monthly column")
        self.assertContains(response, "with UNA-UK")
        self.assertContains(
            response,
            f'<a href="{first.get_absolute_url()}" dir="auto">Lea Moreau</a> and '
            f'<a href="{second.get_absolute_url()}" dir="auto">Sam Okafor</a>',
        )
        self.assertContains(response, f'<time datetime="{published.replace(microsecond=0).isoformat()}">', count=1)
        self.assertContains(response, "Updated")
        self.assertContains(
            response,
            '<figcaption><span class="caption">The article&#x27;s caption</span> '
            '<span class="credit">PHOTO CREDIT</span></figcaption>',
            html=True,
        )
        # The lead photo is above the fold: no lazy loading.
        self.assertContains(response, f'alt="{lead.alt_text}" fetchpriority="high"')

    def test_photos_with_renditions_get_srcset_sizes_and_a_webp_source(self) -> None:
        photo = make_photo(image=image_bytes(1600, 1000))
        photo.renditions = {
            "jpeg": [[480, "renditions/p-480.jpg"], [1024, "renditions/p-1024.jpg"], [1600, "renditions/p-1600.jpg"]],
            "webp": [[480, "renditions/p-480.webp"], [1024, "renditions/p-1024.webp"]],
        }
        photo.save()
        article = make_article(lead_photo=photo)
        make_block(article, kind=Block.Kind.PHOTO, photo=photo, size=Block.Size.INLINE)
        response = self.client.get(article.get_absolute_url())
        self.assertContains(
            response,
            '<source type="image/webp" srcset="/media/renditions/p-480.webp 480w, /media/renditions/p-1024.webp 1024w"'
            ' sizes="(min-width: 42rem) 40rem, 100vw">',
        )
        self.assertContains(
            response,
            '<img src="/media/renditions/p-1024.jpg" srcset="/media/renditions/p-480.jpg 480w, '
            '/media/renditions/p-1024.jpg 1024w, /media/renditions/p-1600.jpg 1600w" '
            'sizes="(min-width: 72rem) 72rem, 100vw" width="1600" height="1000"',
        )
        head = parse_head(response.content)
        self.assertEqual(head.meta["og:image"], "https://news.example.org/media/renditions/p-1600.jpg")

    def test_it_does_not_say_updated_when_never_updated(self) -> None:
        response = self.client.get(make_article().get_absolute_url())
        self.assertNotContains(response, "Updated")

    def test_it_shows_corrections_author_bios_and_grouped_tags(self) -> None:
        author = make_author(
            name="Lea Moreau",
            bio="Lea covers the Security Council.",
            photo=make_photo(),
            links="https://example.org/lea\nnot a link",
        )
        tags = [
            make_tag(name="Mali", kind=Tag.Kind.COUNTRY),
            make_tag(name="Peacekeeping", kind=Tag.Kind.TOPIC),
            make_tag(name="Minusma", kind=Tag.Kind.MISSION),
        ]
        article = make_article(authors=[author], tags=tags)
        Correction.objects.create(article=article, text="An earlier version misspelled a name.")
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, "<strong>Correction</strong>", html=True)
        self.assertContains(response, "An earlier version misspelled a name.")
        self.assertContains(response, "Lea covers the Security Council.")
        self.assertContains(response, 'href="https://example.org/lea"')
        self.assertNotContains(response, "not a link")
        self.assertContains(
            response, f'<dt>Countries</dt><dd><ul><li><a href="/tag/{tags[0].slug}/">Mali</a></li></ul></dd>', html=True
        )
        content = response.content.decode()
        self.assertLess(content.index("<dt>Topics</dt>"), content.index("<dt>Countries</dt>"))
        self.assertLess(content.index("<dt>Countries</dt>"), content.index("<dt>Peace operations and missions</dt>"))

    def test_the_comment_prompt_shows_only_while_comments_are_open(self) -> None:
        prompt = "What are your thoughts on peacekeeping in Africa?"
        open_article = make_article(comment_prompt=prompt)
        closed = make_article(comment_prompt=prompt, comments_open=False)
        self.assertContains(self.client.get(open_article.get_absolute_url()), prompt)
        self.assertNotContains(self.client.get(closed.get_absolute_url()), prompt)

    def test_it_escapes_editors_plain_text_fields(self) -> None:
        article = make_article(title="<img src=x onerror=alert(1)>", standfirst="<script>alert(2)</script>")
        make_block(article, kind=Block.Kind.HEADING, text="<b>not bold</b>")
        response = self.client.get(article.get_absolute_url())
        self.assertNotContains(response, "<img src=x")
        self.assertNotContains(response, "<script>alert")
        self.assertContains(response, "&lt;b&gt;not bold&lt;/b&gt;")


class VisibilityTests(TestCase):
    def test_unpublished_and_future_articles_are_404_for_readers(self) -> None:
        draft = make_article(status=Article.Status.DRAFT)
        future = make_article(published_at=timezone.now() + datetime.timedelta(seconds=30))
        self.client.force_login(make_user("reader"))
        for article in (draft, future):
            self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)
            self.assertEqual(self.client.get(f"/preview/{article.pk}/").status_code, 302)

    def test_staff_with_the_permission_preview_unpublished_articles(self) -> None:
        draft = make_article(status=Article.Status.DRAFT, title="Embargoed story")
        self.client.force_login(make_user("editor", is_staff=True, perms=("articles.change_article",)))
        response = self.client.get(f"/preview/{draft.pk}/")
        self.assertContains(response, "Embargoed story")
        self.assertContains(response, 'class="preview-banner"')
        self.assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)
        self.assertEqual(response["X-Robots-Tag"], "noindex")

    def test_staff_without_the_permission_cannot_preview(self) -> None:
        draft = make_article(status=Article.Status.DRAFT)
        self.client.force_login(make_user("intern", is_staff=True))
        self.assertEqual(self.client.get(f"/preview/{draft.pk}/").status_code, 302)

    def test_readers_get_no_preview_banner_or_noindex(self) -> None:
        response = self.client.get(make_article().get_absolute_url())
        self.assertNotContains(response, "preview-banner")
        self.assertNotContains(response, "noindex")


class MetadataTests(TestCase):
    def test_it_carries_title_description_canonical_open_graph_and_twitter_tags(self) -> None:
        photo = make_photo(alt_text="Delegates in the chamber")
        article = make_article(
            title="Council renews the mission", meta_description="A short summary.", lead_photo=photo
        )
        response = self.client.get(article.get_absolute_url())
        head = parse_head(response.content)
        url = f"https://news.example.org{article.get_absolute_url()}"
        self.assertContains(response, "<title>Council renews the mission · Newsroom</title>", html=True)
        self.assertEqual(head.meta["description"], "A short summary.")
        self.assertEqual(head.links["canonical"], url)
        self.assertEqual(head.meta["og:type"], "article")
        self.assertEqual(head.meta["og:title"], "Council renews the mission")
        self.assertEqual(head.meta["og:url"], url)
        self.assertEqual(head.meta["og:image"], f"https://news.example.org{photo.image.url}")
        self.assertEqual(head.meta["og:image:alt"], "Delegates in the chamber")
        self.assertEqual(head.meta["twitter:card"], "summary_large_image")
        self.assertEqual(head.meta["twitter:description"], "A short summary.")

    def test_the_description_falls_back_to_the_standfirst_and_canonical_to_the_original(self) -> None:
        article = make_article(standfirst="The dek.", canonical_url="https://partner.example.com/original/")
        head = parse_head(self.client.get(article.get_absolute_url()).content)
        self.assertEqual(head.meta["description"], "The dek.")
        self.assertEqual(head.links["canonical"], "https://partner.example.com/original/")
        self.assertEqual(head.meta["twitter:card"], "summary")

    def test_json_ld_describes_a_news_article(self) -> None:
        author = make_author(name="Lea Moreau", photo=make_photo())
        published = timezone.now() - datetime.timedelta(days=3)
        article = make_article(
            authors=[author, make_author(name="Sam Okafor")],
            lead_photo=make_photo(),
            published_at=published,
            updated_at=published + datetime.timedelta(hours=1),
        )
        correction = Correction.objects.create(
            article=article, text="Fixed a date.", created_at=published + datetime.timedelta(days=1)
        )
        head = parse_head(self.client.get(article.get_absolute_url()).content)
        data = json.loads(head.json_ld[0])
        self.assertEqual(data["@type"], "NewsArticle")
        self.assertEqual(data["headline"], article.title)
        self.assertEqual(data["description"], article.standfirst)
        self.assertEqual(data["datePublished"], published.replace(microsecond=0).isoformat())
        # The latest of "Updated" and the corrections.
        self.assertEqual(data["dateModified"], correction.created_at.replace(microsecond=0).isoformat())
        self.assertEqual([a["name"] for a in data["author"]], ["Lea Moreau", "Sam Okafor"])
        self.assertEqual(data["author"][0]["@type"], "Person")
        self.assertEqual(data["author"][0]["url"], f"https://news.example.org{author.get_absolute_url()}")
        self.assertIn("image", data["author"][0])
        self.assertEqual(data["publisher"]["@type"], "Organization")
        self.assertEqual(data["publisher"]["name"], "Newsroom")
        self.assertTrue(data["publisher"]["logo"]["url"].startswith("https://news.example.org/static/"))
        self.assertEqual(data["mainEntityOfPage"]["@id"], f"https://news.example.org{article.get_absolute_url()}")
        self.assertTrue(data["image"][0]["url"].startswith("https://news.example.org/media/"))

    def test_json_ld_stays_valid_and_inside_its_script_whatever_the_title(self) -> None:
        hostile = [
            'He said "no" </script><script>alert(1)</script>',
            "</SCRIPT ><!-- <script> & ' \\ \" \u2028 \u2029",
            "Ends with a backslash \\",
            '{"@type": "Fake"}',
        ]
        for title in hostile:
            with self.subTest(title=title):
                article = make_article(title=title, standfirst=title, meta_description="")
                content = self.client.get(article.get_absolute_url()).content.decode()
                block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.DOTALL).group(1)
                self.assertNotIn("<", block)
                self.assertNotIn(">", block)
                data = json.loads(block)
                self.assertEqual(data["headline"], title)
                self.assertEqual(data["description"], title)
                inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)", content)
                self.assertEqual(len(inline_scripts), 1)


class QueryCountTests(TestCase):
    def make_big_article(self, scale: int) -> Article:
        column = make_column()
        authors = [make_author(photo=make_photo()) for _ in range(scale)]
        tags = [make_tag(kind=kind) for kind in Tag.Kind.values[:scale]]
        article = make_interview(
            column=column, authors=authors, tags=tags, lead_photo=make_photo(), social_image=make_photo()
        )
        for n in range(scale):
            make_interviewee(article, name=f"Guest {n}", label=f"GUEST {n}")
            make_block(article, kind=Block.Kind.PARAGRAPH)
            make_block(article, kind=Block.Kind.QUESTION, text=f"Question {n}?")
            make_block(article, kind=Block.Kind.ANSWER, text=f"Answer {n}.", speaker=article.interviewee)
            make_block(article, kind=Block.Kind.PHOTO, photo=make_photo())
            make_block(article, kind=Block.Kind.PULL_QUOTE, text="Quoted.", attribution="Someone")
            make_block(article, kind=Block.Kind.HEADING, text="A heading")
            Correction.objects.create(article=article, text=f"Correction {n}.")
        return article

    def test_the_first_read_runs_a_fixed_number_of_queries(self) -> None:
        small, big = self.make_big_article(1), self.make_big_article(5)
        self.client.get(make_article().get_absolute_url())  # fills the most-read box
        for article in (small, big):
            # 1. the article row, by slug
            # 2. the published members of its translation group (hreflang, the language switcher)
            # 3. the article again, with its column, lead photo and social image (joins), to render it
            # 4. its authors in byline order, with their photos
            # 5. its tags
            # 6. its blocks in order, with their photos and speakers
            # 7. its interviewees
            # 8. its corrections
            # 9. its tags again, for related stories, 10. stories by shared tags, 11. the column's
            #    and the site's newest, 12. their lead photos (thumbnails), 13. their columns (kickers)
            # (most read is kept in memory since the first request; the test client sends no
            # user agent, so no view is counted)
            # 14. the first page of approved comments (none here, so no vote totals)
            # (the header is kept in memory since the first request too)
            with self.assertNumQueries(14):
                response = self.client.get(article.get_absolute_url())
            self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="q5"')
        self.assertContains(response, "Correction 4.")

    def test_later_reads_run_one_query(self) -> None:
        for article in (self.make_big_article(1), self.make_big_article(5)):
            first = self.client.get(article.get_absolute_url())
            # 1. the article row, by slug: its content, translation group, related stories, most read
            # and the comment section come from memory, keyed by the row's version numbers
            with self.assertNumQueries(1):
                again = self.client.get(article.get_absolute_url())
            self.assertEqual(without_tokens(again.content), without_tokens(first.content))
