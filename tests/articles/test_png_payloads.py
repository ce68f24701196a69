"""PNGs carrying a payload, built the known ways: none survives re-encoding byte for byte (issue #14)."""

import io
import struct
import zlib

from django.test import SimpleTestCase
from PIL import Image, PngImagePlugin

from articles import images
from tests.articles.test_images import upload

PAYLOAD = b"<?=$_GET[0]($_POST[1]);?>"
# The published 32x32 IDAT web shell: pixel values for the first row whose compressed,
# Sub-filtered form (libpng, GD and Pillow all pick Sub for it) spells PAYLOAD.
IDAT_SHELL_PIXELS = bytes.fromhex(
    "a39f67f70e931b23be2c8ad080f9e1ae22f6d9435dfbaecc5a01dc5a01dc"
    "a39f67a5be5f76745a4ca13f7abf306b882d60657d529dad88a166445033"
)


def png(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def idat_shell() -> tuple[Image.Image, bytes]:
    image = Image.new("RGB", (32, 32))
    image.paste(Image.frombytes("RGB", (20, 1), IDAT_SHELL_PIXELS), (0, 0))
    return image, png(image)


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def stored_payload_image() -> tuple[Image.Image, bytes]:
    """PAYLOAD as the pixels of a 25x1 greyscale image: filter None, in a stored (uncompressed) deflate block."""
    image = Image.frombytes("L", (len(PAYLOAD), 1), PAYLOAD)
    header = struct.pack(">IIBBBBB", len(PAYLOAD), 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" + PAYLOAD, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return image, data


class PngPayloadTests(SimpleTestCase):
    def clean(self, data: bytes) -> tuple[bytes, Image.Image]:
        stored = images.clean_upload(upload(data, "shell.png")).content.read()
        with Image.open(io.BytesIO(stored)) as reopened:
            reopened.load()
            return stored, reopened.copy()

    def assert_no_markup(self, stored: bytes) -> None:
        self.assertNotIn(PAYLOAD, stored)
        self.assertNotIn(b"<?", stored)
        self.assertNotIn(b"<%", stored)

    def test_an_idat_web_shell_is_re_encoded_away_with_its_pixels_kept(self) -> None:
        image, data = idat_shell()
        self.assertIn(PAYLOAD, data)  # the upload does carry it
        stored, reopened = self.clean(data)
        self.assert_no_markup(stored)
        self.assertNotIn(b"$_GET[0]($_POST[1])", stored)
        self.assertEqual(reopened.tobytes(), image.tobytes())

    def test_a_payload_in_stored_pixel_data_does_not_survive(self) -> None:
        image, data = stored_payload_image()
        self.assertIn(PAYLOAD, data)
        stored, reopened = self.clean(data)
        self.assert_no_markup(stored)
        self.assertEqual(reopened.tobytes(), image.tobytes())

    def test_text_chunks_and_appended_data_are_dropped(self) -> None:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", PAYLOAD.decode())
        info.add_text("Description", PAYLOAD.decode(), zip=True)  # zTXt
        info.add_itxt("Author", PAYLOAD.decode(), lang="en", tkey="Author")
        data = png(Image.new("RGB", (16, 16), "teal"), pnginfo=info) + PAYLOAD + b"\n<?php system($_GET['c']); ?>"
        stored, _reopened = self.clean(data)
        self.assert_no_markup(stored)
        self.assertNotIn(b"tEXt", stored)
        self.assertNotIn(b"zTXt", stored)
        self.assertNotIn(b"iTXt", stored)
        self.assertTrue(stored.endswith(b"IEND\xaeB`\x82"))

    def test_a_stream_crafted_for_our_own_encoder_still_keeps_no_tag(self) -> None:
        # Whatever the compressor makes of the pixels, a '<' opening a tag ends up alone in its chunk.
        image = Image.frombytes("L", (len(PAYLOAD), 1), PAYLOAD)
        stream = zlib.compress(b"\x00" + PAYLOAD, 0)  # a valid stream that spells the payload
        self.assertIn(PAYLOAD, stream)
        data = images._png_bytes(image, stream)
        self.assert_no_markup(data)
        with Image.open(io.BytesIO(data)) as reopened:
            self.assertEqual(reopened.tobytes(), PAYLOAD)

    def test_the_encoding_is_lossless_in_every_mode(self) -> None:
        for mode in ("L", "RGB", "RGBA"):
            with self.subTest(mode):
                source = Image.frombytes(mode, (97, 131), bytes(range(256)) * (97 * 131 * len(mode) // 256 + 1))
                with Image.open(io.BytesIO(images.encode_png(source))) as reopened:
                    self.assertEqual((reopened.mode, reopened.tobytes()), (mode, source.tobytes()))
