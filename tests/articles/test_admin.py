import io
import shutil
import tempfile

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, Block, Photo
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


class MediaMixin:
    def setUp(self) -> None:
        super().setUp()
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        media_override = override_settings(MEDIA_ROOT=media)
        media_override.enable()
        self.addCleanup(media_override.disable)


class ArticleAdminTests(MediaMixin, TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.admin = make_user("alice", is_staff=True, is_superuser=True)
        self.client.force_login(self.admin)

    def make_rich_article(self, n: int) -> Article:
        article = make_article(
            column=make_column(),
            lead_photo=make_photo(),
            authors=[make_author(), make_author()],
            tags=[make_tag(), make_tag(kind="country")],
            kind="interview",
        )
        person = make_interviewee(article)
        for _ in range(n):
            make_block(article, kind=Block.Kind.QUESTION, text="Why?")
            make_block(article, kind=Block.Kind.ANSWER, text="Because.", speaker=person)
        return article

    def test_the_changelist_runs_a_fixed_number_of_queries(self) -> None:
        for n in range(4):
            self.make_rich_article(n)
        url = reverse("admin:articles_article_changelist")
        self.client.get(url)  # warm the content-type and permission caches
        # 1 session, 2 user, 3 column filter choices, 4 the authors who have articles (author filter),
        # 5 tag filter choices, 6 count of filtered rows, 7 count of all rows, 8 the page of articles with
        # column and lead photo joined, 9 their authors by byline position, 10 date hierarchy range,
        # 11 date hierarchy days (all rows fall in one month here)
        with self.assertNumQueries(11):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        for n in range(4):
            self.make_rich_article(n)
        with self.assertNumQueries(11):
            self.client.get(url)

    def test_the_changelist_shows_thumbnails_and_bylines(self) -> None:
        author = make_author(name="Ines Calder")
        photo = make_photo()
        make_article(title="Sanctions vote", authors=[author], lead_photo=photo)
        response = self.client.get(reverse("admin:articles_article_changelist"))
        self.assertContains(response, "Sanctions vote")
        self.assertContains(response, "Ines Calder")
        self.assertContains(response, f'src="{photo.image.url}"')

    def test_search_and_filters(self) -> None:
        tag = make_tag(name="South Sudan", kind="country")
        make_article(title="Juba talks resume", tags=[tag], kind="news")
        make_article(title="Budget fights", kind="analysis")
        url = reverse("admin:articles_article_changelist")
        self.assertContains(self.client.get(url, {"q": "Juba"}), "Juba talks resume")
        self.assertNotContains(self.client.get(url, {"q": "Juba"}), "Budget fights")
        response = self.client.get(url, {"kind__exact": "analysis"})
        self.assertContains(response, "Budget fights")
        self.assertNotContains(response, "Juba talks resume")
        response = self.client.get(url, {"tags__id__exact": tag.pk})
        self.assertContains(response, "Juba talks resume")
        self.assertNotContains(response, "Budget fights")

    def test_the_change_page_loads_with_every_inline(self) -> None:
        article = self.make_rich_article(3)
        article.corrections.create(text="An earlier version misspelled a name.")
        response = self.client.get(reverse("admin:articles_article_change", args=[article.pk]))
        self.assertContains(response, "Paste a transcript")
        for prefix in ("articleauthor_set", "tagged_items", "interviewees", "corrections"):
            self.assertContains(response, f'name="{prefix}-TOTAL_FORMS"')
        self.assertContains(response, 'name="body"')  # the blocks, in one editor
        self.assertContains(response, "An earlier version misspelled a name.")
        self.assertContains(response, f'href="{article.get_absolute_url()}" class="viewsitelink"')

    def test_view_on_site_is_the_preview_until_the_article_is_public(self) -> None:
        draft = make_article(status=Article.Status.DRAFT)
        response = self.client.get(reverse("admin:articles_article_change", args=[draft.pk]))
        preview = reverse("articles:preview", kwargs={"pk": draft.pk})
        self.assertContains(response, f'href="{preview}" class="viewsitelink"')

    def test_the_change_page_does_not_query_per_block(self) -> None:
        small = self.make_rich_article(1)
        big = self.make_rich_article(8)
        self.client.get(reverse("admin:articles_article_change", args=[small.pk]))
        counts = []
        for article in (small, big):
            with CaptureQueriesContext(connection) as queries:
                self.client.get(reverse("admin:articles_article_change", args=[article.pk]))
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])

    def test_tag_and_author_pickers_autocomplete(self) -> None:
        make_tag(name="South Sudan", kind="country")
        make_tag(name="Sudan", kind="country")
        make_tag(name="Haiti", kind="country")
        make_author(name="Ines Calder")
        url = reverse("admin:autocomplete")
        response = self.client.get(
            url, {"app_label": "articles", "model_name": "taggedarticle", "field_name": "tag", "term": "sudan"}
        )
        self.assertEqual({item["text"] for item in response.json()["results"]}, {"South Sudan", "Sudan"})
        response = self.client.get(
            url, {"app_label": "articles", "model_name": "articleauthor", "field_name": "author", "term": "calder"}
        )
        self.assertEqual([item["text"] for item in response.json()["results"]], ["Ines Calder"])

    def test_the_add_page_and_the_other_admins_load(self) -> None:
        for name in (
            "articles_article_add",
            "articles_photo_changelist",
            "articles_photo_add",
            "articles_author_changelist",
            "articles_author_add",
            "articles_column_changelist",
            "articles_tag_changelist",
            "articles_tag_add",
        ):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(f"admin:{name}")).status_code, 200)

    def test_saving_writes_the_bodys_blocks_in_order_numbered_anew(self) -> None:
        # A draft: edits to a published article wait as a revision (see the workflow tests).
        article = make_article(authors=[make_author()], status=Article.Status.DRAFT, published_at=timezone.now())
        first = make_block(article, text="First", position=10)
        second = make_block(article, text="Second", position=20)
        data = self.change_form_data(article)
        data["body"] = f'<p data-block="{first.pk}">First</p><h2>In between</h2><p data-block="{second.pk}">Second</p>'
        data["body_unchanged"] = f"{first.pk},{second.pk}"
        response = self.client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assertEqual(
            list(article.blocks.values_list("pk", "text", "position")),
            [
                (first.pk, "First", 10),
                (article.blocks.get(kind="heading").pk, "In between", 20),
                (second.pk, "Second", 30),
            ],
        )

    def change_form_data(self, article: Article) -> dict:
        byline = article.articleauthor_set.get()
        return {
            "title": article.title,
            "slug": article.slug,
            "kind": article.kind,
            "status": article.status,
            "published_at_0": article.published_at.strftime("%Y-%m-%d"),
            "published_at_1": article.published_at.strftime("%H:%M:%S"),
            "comments_open": "on",
            "articleauthor_set-TOTAL_FORMS": "1",
            "articleauthor_set-INITIAL_FORMS": "1",
            "articleauthor_set-0-id": byline.pk,
            "articleauthor_set-0-article": article.pk,
            "articleauthor_set-0-author": byline.author_id,
            "articleauthor_set-0-position": "0",
            "tagged_items-TOTAL_FORMS": "0",
            "tagged_items-INITIAL_FORMS": "0",
            "interviewees-TOTAL_FORMS": "0",
            "interviewees-INITIAL_FORMS": "0",
            "corrections-TOTAL_FORMS": "0",
            "corrections-INITIAL_FORMS": "0",
        }

    def test_a_user_without_permissions_cannot_open_the_admin(self) -> None:
        article = make_article()
        self.client.force_login(make_user("bob", is_staff=True))
        response = self.client.get(reverse("admin:articles_article_change", args=[article.pk]))
        self.assertEqual(response.status_code, 403)


class PhotoAdminTests(MediaMixin, TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(make_user("alice", is_staff=True, is_superuser=True))

    def post_photo(self, data: bytes, name: str = "upload.jpg", **fields):
        form = {"alt_text": "Delegates in the General Assembly hall", "caption": "A vote.", "credit": "ME"}
        form.update(fields)
        form["focal_x"] = form.get("focal_x", "0.5")
        form["focal_y"] = form.get("focal_y", "0.5")
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            response = self.client.post(
                reverse("admin:articles_photo_add"), {**form, "image": SimpleUploadedFile(name, data)}
            )
        return response, callbacks

    def test_an_upload_is_stored_clean_with_renditions_made_after_commit(self) -> None:
        buffer = io.BytesIO()
        exif = Image.Exif()
        exif.get_ifd(0x8825).update({1: "N", 2: (40.0, 44.0, 55.0)})
        Image.new("RGB", (1300, 650), "navy").save(buffer, "JPEG", exif=exif)
        response, callbacks = self.post_photo(buffer.getvalue(), "IMG_0001.JPG")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(callbacks), 1)
        photo = Photo.objects.get()
        self.assertEqual((photo.width, photo.height), (1300, 650))
        self.assertRegex(photo.image.name, r"^photos/\d{4}/\d{2}/img_0001\.jpg$")
        with photo.image.open("rb") as stored:
            data = stored.read()
        self.assertNotIn(b"Exif", data)
        self.assertEqual(Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), {})
        self.assertEqual([w for w, _p in photo.renditions["webp"]], [480, 800, 1200, 1300])
        for _width, path in photo.renditions["jpeg"] + photo.renditions["webp"]:
            self.assertTrue(default_storage.exists(path))

    def test_a_refused_upload_shows_why_and_keeps_what_was_typed(self) -> None:
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        response, callbacks = self.post_photo(svg, "logo.jpg", caption="Keep this caption, please.")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "SVG files are not accepted")
        self.assertContains(response, "Keep this caption, please.")
        self.assertContains(response, 'value="Delegates in the General Assembly hall"')
        self.assertEqual(callbacks, [])
        self.assertFalse(Photo.objects.exists())

    def test_a_decompression_bomb_is_refused_in_the_form(self) -> None:
        with override_settings(PHOTO_MAX_PIXELS=1000):
            response, _callbacks = self.post_photo(image_bytes(100, 100, "PNG"), "big.png")
        self.assertContains(response, "megapixels")
        self.assertFalse(Photo.objects.exists())

    def test_replacing_the_image_remakes_renditions_and_removes_old_files(self) -> None:
        self.post_photo(image_bytes(900, 600, "PNG"), "first.png")
        photo = Photo.objects.get()
        old_files = [photo.image.name, *(p for _w, p in photo.renditions["jpeg"])]
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            response = self.client.post(
                reverse("admin:articles_photo_change", args=[photo.pk]),
                {
                    "alt_text": photo.alt_text,
                    "focal_x": "0.5",
                    "focal_y": "0.5",
                    "image": SimpleUploadedFile("second.jpg", image_bytes(500, 500)),
                },
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(callbacks), 2)
        photo.refresh_from_db()
        self.assertEqual((photo.width, photo.height), (500, 500))
        self.assertEqual([w for w, _p in photo.renditions["jpeg"]], [480, 500])
        for name in old_files:
            self.assertFalse(default_storage.exists(name), name)

    def test_replacing_with_a_file_of_the_same_name_keeps_the_new_renditions(self) -> None:
        self.post_photo(image_bytes(900, 600, "PNG"), "same.png")
        photo = Photo.objects.get()
        old_renditions = photo.renditions
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("admin:articles_photo_change", args=[photo.pk]),
                {
                    "alt_text": photo.alt_text,
                    "focal_x": "0.5",
                    "focal_y": "0.5",
                    "image": SimpleUploadedFile("same.png", image_bytes(700, 700, "PNG")),
                },
            )
        photo.refresh_from_db()
        self.assertNotEqual(photo.renditions, old_renditions)
        for _width, path in photo.renditions["jpeg"] + photo.renditions["webp"]:
            self.assertTrue(default_storage.exists(path), path)

    def test_deleting_a_photo_deletes_its_files(self) -> None:
        self.post_photo(image_bytes(600, 400), "gone.jpg")
        photo = Photo.objects.get()
        files = [photo.image.name, *(p for _w, p in photo.renditions["jpeg"] + photo.renditions["webp"])]
        self.assertTrue(all(default_storage.exists(name) for name in files))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("admin:articles_photo_delete", args=[photo.pk]), {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(any(default_storage.exists(name) for name in files))

    def test_a_photo_used_in_a_block_cannot_be_deleted(self) -> None:
        photo = make_photo()
        make_block(make_article(), kind=Block.Kind.PHOTO, photo=photo)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("admin:articles_photo_delete", args=[photo.pk]), {"post": "yes"})
        self.assertTrue(Photo.objects.filter(pk=photo.pk).exists())
        self.assertTrue(default_storage.exists(photo.image.name))

    def test_editing_the_caption_only_makes_no_renditions(self) -> None:
        photo = make_photo()
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            response = self.client.post(
                reverse("admin:articles_photo_change", args=[photo.pk]),
                {"alt_text": "New alt text", "focal_x": "0.2", "focal_y": "0.5"},
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(callbacks, [])
        photo.refresh_from_db()
        self.assertEqual((photo.alt_text, photo.focal_x), ("New alt text", 0.2))

    def test_the_library_counts_uses_without_a_query_per_row(self) -> None:
        used = make_photo(alt_text="Used photo")
        article = make_article(lead_photo=used, social_image=used)
        make_block(article, kind=Block.Kind.PHOTO, photo=used)
        author = make_author()
        author.photo = used
        author.save()
        for _ in range(3):
            make_photo()
        url = reverse("admin:articles_photo_changelist")
        self.client.get(url)
        # 1 session, 2 user, 3 count, 4 count of all, 5 the photos with their usage counts in subqueries,
        # 6 date hierarchy range, 7 date hierarchy days
        with self.assertNumQueries(7):
            response = self.client.get(url)
        self.assertContains(response, '<td class="field-usage_count">4</td>', html=True)
        self.assertContains(response, '<td class="field-usage_count">0</td>', count=3, html=True)

    def test_the_library_searches_alt_text_caption_and_credit(self) -> None:
        make_photo(alt_text="Peacekeepers on patrol", credit="UN PHOTO")
        make_photo(alt_text="A ballot box", caption="Counting in Kinshasa")
        url = reverse("admin:articles_photo_changelist")
        self.assertContains(self.client.get(url, {"q": "Kinshasa"}), "A ballot box")
        self.assertNotContains(self.client.get(url, {"q": "Kinshasa"}), "Peacekeepers")


class LibraryChangelistTests(TestCase):
    """Author, column and tag lists: fixed queries however many rows."""

    def setUp(self) -> None:
        self.client.force_login(make_user("alice", is_staff=True, is_superuser=True))

    def test_the_author_list(self) -> None:
        for n in range(3):
            author = make_author(user=make_user(f"writer{n}", is_staff=True))
            make_article(authors=[author])
        url = reverse("admin:articles_author_changelist")
        self.client.get(url)
        # 1 session, 2 user, 3 count, 4 count of all, 5 authors with their staff user and article count
        with self.assertNumQueries(5):
            response = self.client.get(url)
        self.assertContains(response, '<td class="field-article_count">1</td>', count=3, html=True)

    def test_the_column_list(self) -> None:
        for _ in range(3):
            make_column()
        url = reverse("admin:articles_column_changelist")
        self.client.get(url)
        # 1 session, 2 user, 3 count, 4 count of all, 5 columns
        with self.assertNumQueries(5):
            self.client.get(url)

    def test_the_tag_list_filters_by_kind(self) -> None:
        make_tag(name="Haiti", kind="country")
        make_tag(name="UNIFIL", kind="mission", description="The UN Interim Force in Lebanon.")
        make_tag(name="Peacekeeping", kind="topic")
        url = reverse("admin:articles_tag_changelist")
        self.client.get(url)
        # 1 session, 2 user, 3 count, 4 count of all, 5 tags
        with self.assertNumQueries(5):
            response = self.client.get(url, {"kind__exact": "mission"})
        self.assertContains(response, "UNIFIL")
        self.assertNotContains(response, "Haiti")
