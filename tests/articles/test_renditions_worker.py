import shutil
import subprocess

from django.core.files.storage import default_storage
from django.test import TransactionTestCase

from articles.models import Photo
from articles.tasks import make_renditions
from tests.conftest import BASE_DIR, python, subprocess_env
from tests.factories import image_bytes, make_photo
from tests.newsroom.test_worker import wait_for


class RenditionWorkerTests(TransactionTestCase):
    """A real worker process makes the renditions the admin enqueues."""

    def test_a_worker_makes_the_renditions_of_an_enqueued_photo(self) -> None:
        photo = make_photo(image=image_bytes(1000, 600))
        self.addCleanup(shutil.rmtree, default_storage.path(f"renditions/{photo.pk}"), ignore_errors=True)
        self.addCleanup(default_storage.delete, photo.image.name)
        make_renditions.using(backend="worker").enqueue(photo.pk)
        worker = subprocess.Popen(
            [python(), "manage.py", "run_worker", "--backend", "worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.1"],
            cwd=BASE_DIR,
            env=subprocess_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.addCleanup(worker.wait, 10)
        self.addCleanup(worker.terminate)

        def made() -> bool:
            return bool(Photo.objects.get(pk=photo.pk).renditions)

        self.assertTrue(wait_for(made), "the worker did not make the renditions")
        renditions = Photo.objects.get(pk=photo.pk).renditions
        self.assertEqual([width for width, _path in renditions["jpeg"]], [480, 800, 1000])
        for _width, path in renditions["jpeg"] + renditions["webp"]:
            self.assertTrue(default_storage.exists(path), path)
