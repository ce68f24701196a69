"""Photos from the body editor and the library's "Upload several": the picker and the upload endpoint."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from articles.models import Photo
from tests.articles.test_admin import MediaMixin
from tests.factories import image_bytes, make_photo, make_user, make_writer


class PhotoUploadTests(MediaMixin, TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.writer = make_writer("wanda")
        self.client.force_login(self.writer)

    def upload(self, **fields):
        data = {"image": SimpleUploadedFile("dawn.jpg", image_bytes(), content_type="image/jpeg"), **fields}
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("admin:articles_photo_upload"), data)

    def test_an_upload_with_alt_text_becomes_a_library_photo(self) -> None:
        response = self.upload(alt_text="Trucks at dawn", credit="UN PHOTO", caption="Leaving.")
        self.assertEqual(response.status_code, 201)
        photo = Photo.objects.get()
        self.assertEqual(response.json()["photo"]["id"], photo.pk)
        self.assertEqual((photo.alt_text, photo.credit, photo.uploaded_by), ("Trucks at dawn", "UN PHOTO", self.writer))
        self.assertTrue(photo.renditions)  # made after the commit, as for the photo form

    def test_an_upload_without_alt_text_or_with_a_bad_file_is_refused_and_says_why(self) -> None:
        response = self.upload(alt_text="")
        self.assertEqual(response.status_code, 400)
        self.assertIn("required", " ".join(response.json()["errors"]))
        bad = self.client.post(
            reverse("admin:articles_photo_upload"),
            {"image": SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>"), "alt_text": "x"},
        )
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(Photo.objects.exists())

    def test_the_picker_searches_the_library(self) -> None:
        make_photo(alt_text="Delegates vote in the Assembly hall")
        make_photo(alt_text="A harbour at dusk")
        answer = self.client.get(reverse("admin:articles_photo_picker"), {"q": "harbour"}).json()
        self.assertEqual([photo["alt"] for photo in answer["photos"]], ["A harbour at dusk"])
        self.assertTrue(answer["photos"][0]["src"])

    def test_upload_several_has_a_drop_zone_and_needs_the_add_permission(self) -> None:
        page = self.client.get(reverse("admin:articles_photo_upload_several"))
        self.assertContains(page, "data-nr-drop")
        self.assertContains(page, 'type="file" id="nr-files" multiple')
        self.assertContains(self.client.get(reverse("admin:articles_photo_changelist")), "Upload several")
        self.client.force_login(make_user("reader", is_staff=True))
        self.assertEqual(self.client.get(reverse("admin:articles_photo_upload_several")).status_code, 403)
        self.assertEqual(self.upload(alt_text="x").status_code, 403)
