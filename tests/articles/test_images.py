import io
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from PIL import Image, ImageCms

from articles import images
from tests.factories import make_photo

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg_with_gps_and_comment() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0131] = "SecretSoftware 1.0"  # Software
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (40.0, 44.0, 55.0), 3: "W", 4: (73.0, 59.0, 11.0)})
    return encoded(Image.new("RGB", (320, 200), "olive"), "JPEG", exif=exif, comment=b"source: Jane in Goma")


class CleanUploadTests(TestCase):
    def test_it_accepts_each_allowed_format_and_names_it_by_content(self) -> None:
        for fmt, extension in images.ALLOWED_FORMATS.items():
            with self.subTest(fmt=fmt):
                data = encoded(Image.new("RGB", (60, 40), "teal"), fmt)
                clean = images.clean_upload(upload(data, "holiday.bmp"))
                self.assertEqual(clean.format, fmt)
                self.assertEqual(clean.content.name, f"holiday.{extension}")
                self.assertEqual((clean.width, clean.height), (60, 40))
                self.assertEqual(Image.open(io.BytesIO(clean.content.read())).format, fmt)

    def test_a_png_named_jpg_is_stored_as_png(self) -> None:
        data = encoded(Image.new("RGBA", (30, 30), (10, 20, 30, 128)), "PNG")
        clean = images.clean_upload(upload(data, "scan.jpg"))
        self.assertEqual(clean.format, "PNG")
        self.assertEqual(clean.content.name, "scan.png")

    def test_it_removes_gps_exif_and_comments(self) -> None:
        original = jpeg_with_gps_and_comment()
        self.assertIn(b"SecretSoftware", original)
        self.assertTrue(Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD))
        stored = images.clean_upload(upload(original)).content.read()
        with Image.open(io.BytesIO(stored)) as image:
            self.assertEqual(dict(image.getexif()), {})
            self.assertEqual(image.getexif().get_ifd(GPS_IFD), {})
            self.assertNotIn("exif", image.info)
            self.assertNotIn("comment", image.info)
        for secret in (b"SecretSoftware", b"CameraMaker", b"Goma", b"Exif"):
            self.assertNotIn(secret, stored)

    def test_it_drops_trailing_data_and_xmp(self) -> None:
        xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>reporter-phone</rdf:Description></x:xmpmeta>'
        data = encoded(Image.new("RGB", (40, 40), "red"), "JPEG", xmp=xmp) + b"PK\x03\x04hidden zip payload"
        stored = images.clean_upload(upload(data)).content.read()
        self.assertNotIn(b"hidden zip payload", stored)
        self.assertNotIn(b"reporter-phone", stored)
        self.assertTrue(stored.endswith(b"\xff\xd9"))

    def test_it_applies_the_exif_orientation_first(self) -> None:
        # 40 wide, 20 high, left half black; orientation 6 says "turn 90° clockwise to view".
        image = Image.new("RGB", (40, 20), "white")
        image.paste((0, 0, 0), (0, 0, 20, 20))
        exif = Image.Exif()
        exif[ORIENTATION] = 6
        clean = images.clean_upload(upload(encoded(image, "JPEG", exif=exif, quality=95)))
        self.assertEqual((clean.width, clean.height), (20, 40))
        with Image.open(io.BytesIO(clean.content.read())) as stored:
            self.assertNotIn(ORIENTATION, stored.getexif())
            self.assertLess(stored.getpixel((10, 5))[0], 60)  # the black half is now on top
            self.assertGreater(stored.getpixel((10, 35))[0], 200)

    def test_it_converts_a_colour_profile_to_srgb_and_drops_it(self) -> None:
        profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
        data = encoded(Image.new("RGB", (20, 20), "purple"), "PNG", icc_profile=profile)
        with Image.open(io.BytesIO(images.clean_upload(upload(data, "p.png")).content.read())) as stored:
            self.assertNotIn("icc_profile", stored.info)

    def test_a_cmyk_jpeg_is_stored_as_rgb(self) -> None:
        data = encoded(Image.new("CMYK", (30, 30), (0, 255, 255, 0)), "JPEG", quality=95)
        with Image.open(io.BytesIO(images.clean_upload(upload(data)).content.read())) as stored:
            self.assertEqual(stored.mode, "RGB")
            red, green, blue = stored.getpixel((15, 15))
            self.assertGreater(red, 200)
            self.assertLess(max(green, blue), 60)

    def test_a_16_bit_png_is_accepted(self) -> None:
        data = encoded(Image.new("I;16", (30, 30), 40000), "PNG")
        clean = images.clean_upload(upload(data, "scan.png"))
        self.assertEqual((clean.format, clean.width), ("PNG", 30))
        with Image.open(io.BytesIO(clean.content.read())) as stored:
            self.assertEqual(stored.mode, "L")
            self.assertAlmostEqual(stored.getpixel((5, 5)), 40000 // 256, delta=2)  # scaled, not clipped

    def test_it_refuses_files_over_the_size_limit(self) -> None:
        data = encoded(Image.new("RGB", (200, 200), "blue"), "PNG")
        with override_settings(PHOTO_MAX_BYTES=len(data) - 1), self.assertRaises(ValidationError) as caught:
            images.clean_upload(upload(data))
        self.assertEqual(caught.exception.code, "too_big")

    def test_it_refuses_images_over_the_pixel_limit(self) -> None:
        data = encoded(Image.new("RGB", (101, 100), "blue"), "PNG")
        with override_settings(PHOTO_MAX_PIXELS=10_000), self.assertRaises(ValidationError) as caught:
            images.clean_upload(upload(data))
        self.assertEqual(caught.exception.code, "pixels")
        self.assertIn("101 × 100", caught.exception.messages[0])

    def test_a_bmp_named_jpg_is_refused_and_named(self) -> None:
        data = encoded(Image.new("RGB", (20, 20), "blue"), "BMP")
        with self.assertRaises(ValidationError) as caught:
            images.clean_upload(upload(data, "photo.jpg"))
        self.assertEqual(caught.exception.code, "format")
        self.assertIn("BMP", caught.exception.messages[0])

    def test_a_tiff_named_jpg_is_refused(self) -> None:
        data = encoded(Image.new("RGB", (20, 20), "blue"), "TIFF")
        with self.assertRaises(ValidationError) as caught:
            images.clean_upload(upload(data, "photo.jpg"))
        self.assertIn("TIFF", caught.exception.messages[0])

    def test_an_svg_gets_its_own_message(self) -> None:
        svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        with self.assertRaises(ValidationError) as caught:
            images.clean_upload(upload(svg, "logo.jpg"))
        self.assertEqual(caught.exception.code, "svg")
        self.assertIn("SVG", caught.exception.messages[0])

    def test_a_truncated_jpeg_is_refused_as_damaged(self) -> None:
        data = encoded(Image.new("RGB", (300, 300), "green"), "JPEG")
        with self.assertRaises(ValidationError) as caught:
            images.clean_upload(upload(data[: len(data) // 2]))
        self.assertEqual(caught.exception.code, "damaged")

    def test_an_empty_file_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            images.clean_upload(upload(b""))

    def test_an_animated_gif_keeps_its_first_frame(self) -> None:
        frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "blue")]
        data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
        with Image.open(io.BytesIO(images.clean_upload(upload(data, "a.gif")).content.read())) as stored:
            self.assertEqual(getattr(stored, "n_frames", 1), 1)
            self.assertEqual(stored.convert("RGB").getpixel((5, 5)), (255, 0, 0))


class CorporaUploadTests(TestCase):
    """Hostile files from Pillow's own test suite and public SVG payload lists."""

    @pytest.fixture(autouse=True)
    def _corpora(self, corpora: Path) -> None:
        self.pillow = corpora / "uploads" / "pillow"
        self.svg = corpora / "uploads" / "svg"

    def refused(self, path: Path, name: str | None = None) -> ValidationError:
        with self.assertRaises(ValidationError) as caught:
            images.clean_upload(upload(path.read_bytes(), name or path.name))
        return caught.exception

    def test_decompression_bombs_are_refused(self) -> None:
        for name in ("decompression_bomb.gif", "decompression_bomb_extents.gif"):
            with self.subTest(name=name):
                self.assertEqual(self.refused(self.pillow / name).code, "bomb")

    def test_a_truncated_jpeg_is_refused(self) -> None:
        self.assertEqual(self.refused(self.pillow / "truncated_jpeg.jpg").code, "damaged")

    def test_broken_pngs_are_refused(self) -> None:
        for name in ("broken.png", "truncated_image.png", "broken_data_stream.png", "zero_width.gif"):
            with self.subTest(name=name):
                self.refused(self.pillow / name)

    def test_other_formats_renamed_jpg_are_refused(self) -> None:
        for name in (
            "reallybig.bmp",
            "oom-225817ca0f8c663be7ab4b9e717b02c661e66834.tif",
            "timeout-1ee28a249896e05b83840ae8140622de8e648ba9.psd",
            "decompression_bomb.ico",
        ):
            with self.subTest(name=name):
                self.assertEqual(self.refused(self.pillow / name, "holiday.jpg").code, "format")

    def test_a_png_renamed_jpg_is_accepted_as_png(self) -> None:
        clean = images.clean_upload(upload((self.pillow / "hopper.png").read_bytes(), "hopper.jpg"))
        self.assertEqual((clean.format, clean.content.name), ("PNG", "hopper.png"))

    def test_every_svg_is_refused(self) -> None:
        for path in sorted(self.svg.iterdir()):
            with self.subTest(name=path.name):
                self.assertIn(self.refused(path, "picture.jpg").code, {"svg", "markup"})
        self.assertEqual(self.refused(self.svg / "SVG_XSS1.svg").code, "svg")

    def test_a_jpeg_with_bad_exif_is_accepted_clean(self) -> None:
        for name in ("hopper_bad_exif.jpg", "invalid-exif.jpg"):
            with self.subTest(name=name):
                clean = images.clean_upload(upload((self.pillow / name).read_bytes(), name))
                with Image.open(io.BytesIO(clean.content.read())) as stored:
                    self.assertEqual(dict(stored.getexif()), {})


class RenditionTests(TestCase):
    def setUp(self) -> None:
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        settings_override = override_settings(MEDIA_ROOT=media)
        settings_override.enable()
        self.addCleanup(settings_override.disable)

    def make(self, width: int, height: int, fmt: str = "JPEG", mode: str = "RGB"):
        return make_photo(image=encoded(Image.new(mode, (width, height), "orange"), fmt))

    def test_it_makes_jpeg_and_webp_at_each_width_without_upscaling(self) -> None:
        photo = self.make(1000, 500)
        renditions = images.make_renditions(photo)
        self.assertEqual([width for width, _path in renditions["jpeg"]], [480, 800, 1000])
        self.assertEqual([width for width, _path in renditions["webp"]], [480, 800, 1000])
        for key, fmt in (("jpeg", "JPEG"), ("webp", "WEBP")):
            for width, path in renditions[key]:
                with default_storage.open(path) as stored, Image.open(stored) as image:
                    self.assertEqual(image.format, fmt)
                    self.assertEqual(image.size, (width, width // 2))
        photo.refresh_from_db()
        self.assertEqual(photo.renditions, renditions)

    def test_a_large_photo_stops_at_the_largest_width(self) -> None:
        photo = self.make(2000, 1000)
        self.assertEqual([w for w, _p in images.make_renditions(photo)["webp"]], [480, 800, 1200, 1600])

    def test_a_small_photo_gets_one_rendition_at_its_own_width(self) -> None:
        photo = self.make(300, 200, "PNG", "RGBA")
        renditions = images.make_renditions(photo)
        self.assertEqual([w for w, _p in renditions["jpeg"]], [300])

    def test_running_it_twice_overwrites_the_same_files(self) -> None:
        photo = self.make(900, 600)
        first = images.make_renditions(photo)
        second = images.make_renditions(photo)
        self.assertEqual(first, second)
        folder = Path(default_storage.path(f"renditions/{photo.pk}"))
        self.assertEqual(len(list(folder.iterdir())), 6)

    def test_a_stale_task_does_not_record_renditions_of_a_replaced_image(self) -> None:
        photo = self.make(600, 400)
        # An editor saves a new image while the task for the old one is running.
        type(photo).objects.filter(pk=photo.pk).update(image="photos/replaced-meanwhile.jpg")
        images.make_renditions(photo)
        self.assertEqual(type(photo).objects.values_list("renditions", flat=True).get(pk=photo.pk), {})

    def test_the_task_makes_renditions(self) -> None:
        from articles.tasks import make_renditions

        photo = self.make(700, 700)
        make_renditions.enqueue(photo.pk)
        photo.refresh_from_db()
        self.assertEqual([w for w, _p in photo.renditions["jpeg"]], [480, 700])
        make_renditions.enqueue(photo.pk + 1000)  # a deleted photo is skipped quietly
