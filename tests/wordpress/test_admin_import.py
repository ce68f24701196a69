import datetime
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.utils import timezone

from articles.models import Article
from tests.factories import make_user
from tests.wordpress import exports
from wordpress import tasks
from wordpress.models import ImportRun


class AdminImportTests(TestCase):
    def setUp(self) -> None:
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        override = override_settings(WORDPRESS_IMPORT_DIR=Path(directory))
        override.enable()
        self.addCleanup(override.disable)
        self.client.force_login(make_user("editor", is_staff=True, is_superuser=True))

    def upload(self, text: str) -> ImportRun:
        upload = SimpleUploadedFile("export.xml", text.encode(), content_type="text/xml")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/admin/wordpress/importrun/add/", {"export": upload, "categories_as": "tags"}, follow=True
            )
        self.assertEqual(response.status_code, 200)
        return ImportRun.objects.get()

    def test_upload_shows_the_dry_run_then_imports_on_confirmation(self) -> None:
        run = self.upload(exports.export(exports.item(post_id="1", title="Aid reaches Juba")))
        self.assertEqual(run.status, ImportRun.Status.CHECKED)
        self.assertFalse(Article.objects.exists())
        page = self.client.get(f"/admin/wordpress/importrun/{run.pk}/change/")
        self.assertContains(page, "Looks right: import it")
        self.assertContains(page, "<th scope='row'>post</th><td>1</td>", html=True)

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/admin/wordpress/importrun/{run.pk}/confirm/")
        self.assertRedirects(response, f"/admin/wordpress/importrun/{run.pk}/change/")
        run.refresh_from_db()
        self.assertEqual((run.status, run.items_done, run.items_total), (ImportRun.Status.DONE, 1, 1))
        self.assertEqual(Article.objects.get().title, "Aid reaches Juba")
        self.assertNotContains(self.client.get(f"/admin/wordpress/importrun/{run.pk}/change/"), "Looks right")

    def test_a_refused_file_cannot_be_confirmed(self) -> None:
        run = self.upload(exports.export(exports.item())[:-40])
        self.assertEqual(run.status, ImportRun.Status.REFUSED)
        page = self.client.get(f"/admin/wordpress/importrun/{run.pk}/change/")
        self.assertContains(page, "Refused, nothing imported:")
        self.assertNotContains(page, "Looks right")
        self.client.post(f"/admin/wordpress/importrun/{run.pk}/confirm/")
        run.refresh_from_db()
        self.assertEqual(run.status, ImportRun.Status.REFUSED)
        self.assertFalse(Article.objects.exists())

    def test_exports_are_kept_outside_the_public_media_folder(self) -> None:
        run = self.upload(exports.export(exports.item()))
        self.assertFalse(Path(run.export.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()))

    def test_readers_cannot_upload(self) -> None:
        self.client.force_login(make_user("reader"))
        response = self.client.get("/admin/wordpress/importrun/add/")
        self.assertEqual(response.status_code, 302)

    def test_the_admin_shows_progress_while_importing(self) -> None:
        run = self.upload(exports.export(exports.item()))
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.IMPORTING,
            items_done=50,
            items_total=100,
            started_at=timezone.now() - datetime.timedelta(seconds=10),
        )
        page = self.client.get(f"/admin/wordpress/importrun/{run.pk}/change/")
        self.assertContains(page, "50 of 100 items, 5 items/s, about 10 s left")

    def test_an_export_gone_from_disk_is_refused_not_stuck(self) -> None:
        run = self.upload(exports.export(exports.item()))
        Path(run.export.path).unlink()
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.CHECKING)
        tasks.check_export.enqueue(run.pk)
        run.refresh_from_db()
        self.assertEqual(run.status, ImportRun.Status.REFUSED)
        self.assertIn("cannot be read", run.dry_run_report["fatal"])
