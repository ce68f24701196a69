"""Media on S3-compatible storage (MEDIA_STORAGE=s3): uploads, the worker's renditions, URLs on reader pages.

The bucket is served by moto's S3 server, a local implementation of S3's HTTP API
(the real service cannot be reached from the tests). The worker is a real process
configured only through the environment, as on a second machine.
"""

from __future__ import annotations

import copy
import importlib
import os
import socket
import subprocess
import urllib.request

import boto3
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer

import newsroom.settings
from articles.models import Photo
from articles.tasks import make_renditions
from tests.conftest import BASE_DIR, python, subprocess_env
from tests.factories import image_bytes, make_article, make_writer
from tests.newsroom.test_worker import wait_for

BUCKET = "newsroom-media"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class S3MediaTests(TransactionTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        port = free_port()
        cls.server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        cls.server.start()
        cls.addClassCleanup(cls.server.stop)
        cls.endpoint = f"http://127.0.0.1:{port}"
        cls.s3 = boto3.client(
            "s3",
            endpoint_url=cls.endpoint,
            region_name="us-east-1",
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        cls.s3.create_bucket(Bucket=BUCKET)
        cls.environment = {
            "MEDIA_STORAGE": "s3",
            "MEDIA_S3_BUCKET": BUCKET,
            "MEDIA_S3_ENDPOINT_URL": cls.endpoint,
            "MEDIA_S3_REGION": "us-east-1",
            "MEDIA_S3_ACL": "public-read",  # or a bucket policy: readers fetch the files unsigned
            **CREDENTIALS,
        }

    def setUp(self) -> None:
        # The settings module itself turns the environment into STORAGES and the CSP, as in production.
        saved = {name: os.environ.get(name) for name in self.environment}
        os.environ.update(self.environment)
        try:
            configured = importlib.reload(newsroom.settings)
            storages, csp = copy.deepcopy(configured.STORAGES), copy.deepcopy(configured.SECURE_CSP)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            importlib.reload(newsroom.settings)
        # Only the media storage: the test settings keep static files without a manifest.
        override = override_settings(STORAGES={**settings.STORAGES, "default": storages["default"]}, SECURE_CSP=csp)
        override.enable()
        self.addCleanup(override.disable)
        self.csp_img_src = csp["img-src"]

    def stored_names(self) -> set[str]:
        listing = self.s3.list_objects_v2(Bucket=BUCKET)
        return {item["Key"] for item in listing.get("Contents", [])}

    def upload(self) -> Photo:
        self.client.force_login(make_writer("wanda"))
        data = {
            "image": SimpleUploadedFile("dawn.jpg", image_bytes(1000, 600), content_type="image/jpeg"),
            "alt_text": "Trucks at dawn",
        }
        response = self.client.post(reverse("admin:articles_photo_upload"), data)
        self.assertEqual(response.status_code, 201, response.content)
        self.client.logout()
        return Photo.objects.get()

    def test_it_stores_an_upload_and_its_renditions_in_the_bucket(self) -> None:
        self.assertIn("storages.backends.s3", default_storage.__class__.__module__)
        photo = self.upload()
        names = self.stored_names()
        self.assertIn(photo.image.name, names)
        for _width, path in photo.renditions["jpeg"] + photo.renditions["webp"]:
            self.assertIn(path, names)
        self.assertFalse((BASE_DIR / "media" / photo.image.name).exists())

    def test_a_worker_on_another_machine_makes_the_renditions_in_the_bucket(self) -> None:
        photo = self.upload()
        Photo.objects.filter(pk=photo.pk).update(renditions={})
        for _width, path in photo.renditions["jpeg"] + photo.renditions["webp"]:
            self.s3.delete_object(Bucket=BUCKET, Key=path)
        make_renditions.using(backend="worker").enqueue(photo.pk)
        worker = subprocess.Popen(
            [python(), "manage.py", "run_worker", "--backend", "worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.1"],
            cwd=BASE_DIR,
            env=subprocess_env(**self.environment),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.addCleanup(worker.wait, 10)
        self.addCleanup(worker.terminate)
        self.assertTrue(wait_for(lambda: bool(Photo.objects.get(pk=photo.pk).renditions)), "no renditions")
        renditions = Photo.objects.get(pk=photo.pk).renditions
        self.assertEqual([width for width, _path in renditions["jpeg"]], [480, 800, 1000])
        self.assertTrue({path for _w, path in renditions["jpeg"] + renditions["webp"]} <= self.stored_names())

    def test_reader_pages_point_at_the_bucket_and_the_csp_allows_it(self) -> None:
        photo = self.upload()
        article = make_article(title="Convoy", lead_photo=photo)
        response = self.client.get(article.get_absolute_url())
        first_rendition = photo.renditions["jpeg"][0][1]
        url = f"{self.endpoint}/{BUCKET}/{first_rendition}"
        self.assertContains(response, url)
        self.assertIn(self.endpoint, self.csp_img_src)
        with urllib.request.urlopen(url, timeout=10) as served:
            self.assertEqual(served.read()[:3], b"\xff\xd8\xff")  # a JPEG, as the browser will fetch it
