"""Photo files: checking uploads, re-encoding them clean, and making renditions.

Uploads are judged by their content, never their name: Pillow must recognise a
JPEG, PNG, WebP or GIF within the size and pixel limits, and decode it whole.
What we store is a fresh encoding of the pixels only: EXIF orientation is
applied first, then everything else (EXIF with its GPS position and camera
serials, XMP, IPTC, comments, trailing bytes after the image) is left behind,
because a photo can identify a source. An embedded colour profile is applied
(the pixels are converted to sRGB) and then dropped too: the colours stay right
and no profile text survives.

A PNG is written with our own filter choice and chunking (`encode_png`), so
that no payload crafted into its compressed pixel data survives byte for byte.

Renditions (smaller JPEG and WebP copies for `srcset`) are made by a background
task after the upload is committed, never while a reader waits.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import struct
import warnings
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageChops, ImageCms, ImageOps, UnidentifiedImageError

if TYPE_CHECKING:
    from articles.models import Photo

# Pillow's name for the format -> the extension we store it under.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
RENDITION_WIDTHS = (480, 800, 1200, 1600)
JPEG_QUALITY = 85
WEBP_QUALITY = 80

# A few well-known formats we refuse, named in the message so the editor knows
# what they have. Only magic numbers: these files are never decoded.
KNOWN_SIGNATURES = (
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"8BPS", "Photoshop (PSD)"),
    (b"%PDF", "PDF"),
    (b"\x00\x00\x01\x00", "ICO"),
)
SVG_MARKERS = (b"<svg", b"http://www.w3.org/2000/svg")


@dataclass(frozen=True)
class CleanImage:
    """An upload that passed every check, re-encoded: ready to store as the photo's file."""

    content: ContentFile
    format: str
    width: int
    height: int


def _sniff(head: bytes) -> str:
    """What a refused file probably is, from its first bytes: 'svg', 'markup', a format name, or ''."""
    if head.startswith(b"\x1f\x8b"):  # gzip: an .svgz is gzipped SVG
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 4096)
        except zlib.error:
            return ""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        return "svg" if any(marker in text for marker in SVG_MARKERS) else "markup"
    for signature, name in KNOWN_SIGNATURES:
        if head.startswith(signature):
            return name
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return "HEIC/AVIF"
    return ""


def _refuse_unidentified(head: bytes) -> ValidationError:
    kind = _sniff(head)
    if kind == "svg":
        return ValidationError(
            _(
                "SVG files are not accepted: they can carry scripts. Export the picture as a PNG or JPEG "
                "and upload that."
            ),
            code="svg",
        )
    if kind == "markup":
        return ValidationError(
            _("This is a text or markup file (HTML or XML), not a photo. Upload a JPEG, PNG, WebP or GIF image."),
            code="markup",
        )
    if kind:
        return ValidationError(
            _("This file is in %(format)s format. Upload a JPEG, PNG, WebP or GIF image instead."),
            code="format",
            params={"format": kind},
        )
    return ValidationError(
        _("This file is not a JPEG, PNG, WebP or GIF image, or it is damaged. Upload a photo in one of those formats."),
        code="unidentified",
    )


def _damaged() -> ValidationError:
    return ValidationError(
        _("This image is damaged or incomplete (perhaps a broken download). Upload a complete copy."),
        code="damaged",
    )


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        _(
            "This image is %(width)s × %(height)s pixels, more than the %(limit)s megapixels we accept. "
            "Resize it and upload it again."
        ),
        code="pixels",
        params={"width": width, "height": height, "limit": f"{settings.PHOTO_MAX_PIXELS / 1_000_000:g}"},
    )


def _decompression_bomb() -> ValidationError:
    return ValidationError(
        _("This image claims a size far beyond any photo (a so-called decompression bomb) and was refused."),
        code="bomb",
    )


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Apply an embedded colour profile so the pixels are sRGB; the profile itself is then dropped."""
    if not icc_profile or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are, without it
    return converted if converted is not None else image


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says; unchanged when the EXIF is unreadable."""
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, ZeroDivisionError):
        return image


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image made from the pixel values alone: no info dict, no EXIF, no palette tricks."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if image.mode.startswith("I;16") or image.mode == "I":
        # 16-bit greyscale: scale to 8 bits (a plain convert would clip nearly everything to white).
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("L", "RGB", "RGBA"):
        mode = image.mode
    elif image.mode in ("1", "F"):
        mode = "L"
    else:
        mode = "RGBA" if has_alpha else "RGB"
    converted = image if image.mode == mode else image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        if image.mode == "RGBA":
            image = flatten(image)
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif fmt == "PNG":
        return encode_png(image)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(buffer, "GIF", optimize=True)
    return buffer.getvalue()


# A '<' that opens a PHP, ASP or server-side-include tag or a script, were /media ever served by such a server.
MARKUP_OPENING = re.compile(rb"<(?:[?%]|!--#|script)", re.IGNORECASE)
PNG_COLOR_TYPES = {"L": 0, "RGB": 2, "RGBA": 6}
PNG_BAND_ROWS = 64
PNG_MAX_CHUNK = 256 * 1024


def encode_png(image: Image.Image, *, level: int = 6) -> bytes:
    """A PNG of `image` (mode L, RGB or RGBA) in which no markup tag appears byte for byte.

    Deflate output is a function of the pixels, so pixels can be crafted to
    make an encoder's compressed stream spell `<?=$_GET[0]($_POST[1]);?>`;
    such files, built for the usual encoders' filter choices (libpng, GD,
    Pillow), kept their payload through Pillow's re-encoding (issue #14).
    Here every row uses the Up filter (which also compresses photos a little
    better than Pillow's choice), so those payloads are gone; and as that
    choice can be crafted for too, the compressed stream is cut into IDAT
    chunks so that every '<' opening a tag sits alone in a one-byte chunk: in
    the file it is followed by that chunk's checksum, while a decoder sees the
    very same stream. Raises ValueError in the (never yet seen) case where the
    chunks' own framing still spells a tag at three compression levels.
    """
    for attempt_level in (level, 9, 1):
        data = _png_bytes(image, _up_filtered_stream(image, attempt_level))
        if not MARKUP_OPENING.search(data, 33):  # after the signature and IHDR, which we write
            return data
    raise ValueError("no PNG encoding without a markup tag")


def _up_filtered_stream(image: Image.Image, level: int) -> bytes:
    """The zlib stream of `image`'s rows, each Up-filtered (the byte minus the one above, modulo 256)."""
    compressor = zlib.compressobj(level)
    parts = []
    width, height = image.size
    for top in range(0, height, PNG_BAND_ROWS):
        bottom = min(top + PNG_BAND_ROWS, height)
        band = image.crop((0, top, width, bottom))
        above = Image.new(image.mode, band.size)  # the first row's "above" is zeros
        if bottom - 1 > max(top - 1, 0):
            above.paste(image.crop((0, max(top - 1, 0), width, bottom - 1)), (0, 1 if top == 0 else 0))
        rows = ImageChops.subtract_modulo(band, above).tobytes()
        stride = len(rows) // (bottom - top)
        parts.append(compressor.compress(b"".join(b"\x02" + rows[y : y + stride] for y in range(0, len(rows), stride))))
    parts.append(compressor.flush())
    return b"".join(parts)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_bytes(image: Image.Image, stream: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", image.width, image.height, 8, PNG_COLOR_TYPES[image.mode], 0, 0, 0)
    cuts = {0, len(stream)}
    for match in MARKUP_OPENING.finditer(stream):
        cuts.update((match.start(), match.start() + 1))  # the '<' alone in its chunk
    cuts.update(range(0, len(stream), PNG_MAX_CHUNK))
    edges = sorted(cuts)
    chunks = [_png_chunk(b"IDAT", stream[start:end]) for start, end in itertools.pairwise(edges)]
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + b"".join(chunks) + _png_chunk(b"IEND", b"")


def flatten(image: Image.Image) -> Image.Image:
    """RGBA onto a white background, for JPEG, which has no transparency."""
    background = Image.new("RGB", image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    return background


def _file_name(original: str, extension: str) -> str:
    stem = original.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = slugify(stem.replace(".", "-"))[:60].strip("-") or "photo"
    return f"{stem}.{extension}"


def clean_upload(upload: File) -> CleanImage:
    """Check an uploaded file and re-encode it with only its pixels kept.

    Raises ValidationError with a message for the editor when the file is too
    big, not a JPEG/PNG/WebP/GIF by content (SVG named as such), has too many
    pixels, looks like a decompression bomb, or cannot be decoded whole.
    Animated GIFs keep their first frame. The returned file's extension is the
    one of its real format, whatever the upload was called.
    """
    size = upload.size if upload.size is not None else 0
    if size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("This file is %(size)s MB; photos may be at most %(limit)s MB. Resize or compress it first."),
            code="too_big",
            params={"size": f"{size / 1024 / 1024:.1f}", "limit": f"{settings.PHOTO_MAX_BYTES / 1024 / 1024:g}"},
        )
    upload.seek(0)
    data = upload.read(settings.PHOTO_MAX_BYTES + 1)
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise ValidationError(_("This file is larger than photos may be."), code="too_big")
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")

    # Pillow only warns about pictures between its limit and twice it; for us every
    # decompression-bomb warning is a refusal.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Corrupt EXIF data": the EXIF is dropped anyway
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS)) as probe:
                fmt = probe.format
                width, height = probe.size
                if width < 1 or height < 1:
                    raise _damaged()
                if width * height > settings.PHOTO_MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                probe.verify()  # checksums and structure, without decoding the pixels
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                if fmt == "GIF":
                    # Seeking runs Pillow's bomb check on each frame's extents, which
                    # a first-frame decode never sees. Only the first frame is kept.
                    for frame in range(1, image.n_frames):
                        image.seek(frame)
                    image.seek(0)
                image.load()  # a truncated file fails here
                icc_profile = image.info.get("icc_profile")
                upright = _upright(image)
                clean = _pixels_only(_to_srgb(upright, icc_profile))
        except UnidentifiedImageError:
            raise _refuse_unidentified(data[:4096]) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _decompression_bomb() from None
        except ValidationError:
            raise
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError, MemoryError):
            # Pillow reports damaged data with any of these, depending on the format.
            raise _damaged() from None

    try:
        encoded = _encode(clean, fmt)
    except ValueError:  # encode_png found no clean encoding
        raise ValidationError(
            _("This image could not be stored safely. Save it again in your editor, or upload it as a JPEG."),
            code="unsafe",
        ) from None
    content = ContentFile(encoded, name=_file_name(getattr(upload, "name", "") or "", ALLOWED_FORMATS[fmt]))
    return CleanImage(content=content, format=fmt, width=clean.width, height=clean.height)


def rendition_widths(width: int) -> list[int]:
    """The widths to make for an image `width` pixels wide: never wider than the original."""
    widths = [w for w in RENDITION_WIDTHS if w < width]
    if width <= RENDITION_WIDTHS[-1]:
        widths.append(width)
    return widths


def _rendition_stem(photo: Photo) -> str:
    """A file-name stem unique to this version of the image, so a replaced image never shares paths."""
    name = photo.image.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    version = hashlib.sha256(photo.image.name.encode()).hexdigest()[:8]
    return f"{re.sub(r'[^a-z0-9-]', '', name.lower())[:60] or 'photo'}-{version}"


def build_renditions(photo: Photo) -> dict[str, list[list]]:
    """Write JPEG and WebP copies of `photo` at each rendition width; return the `renditions` value.

    Files go under `renditions/<photo id>/` in the default storage, named after
    this version of the image, and are
    overwritten when made again, so running this twice is harmless. Nothing is
    cropped (the focal point is for the page's CSS), and nothing is upscaled.
    """
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        image.load()
        source = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    stem = _rendition_stem(photo)
    result: dict[str, list[list]] = {"jpeg": [], "webp": []}
    for width in rendition_widths(source.width):
        height = max(1, round(source.height * width / source.width))
        resized = source if width == source.width else source.resize((width, height), Image.Resampling.LANCZOS)
        for key, fmt, extension in (("jpeg", "JPEG", "jpg"), ("webp", "WEBP", "webp")):
            path = f"renditions/{photo.pk}/{stem}-{width}w.{extension}"
            if default_storage.exists(path):
                default_storage.delete(path)
            saved = default_storage.save(path, ContentFile(_encode(resized, fmt)))
            result[key].append([width, saved])
    return result


def make_renditions(photo: Photo) -> dict[str, list[list]]:
    """Build `photo`'s renditions and record them, unless its image was replaced meanwhile.

    The update is conditional on the image name: a task for an old upload that
    finishes after a newer one was saved must not record its stale files.
    """
    renditions = build_renditions(photo)
    type(photo).objects.filter(pk=photo.pk, image=photo.image.name).update(renditions=renditions)
    photo.renditions = renditions
    return renditions


def delete_files(names: list[str]) -> None:
    """Remove stored files (an old original and its renditions) that nothing points to any more."""
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)


def rendition_files(renditions: dict) -> list[str]:
    return [path for key in ("jpeg", "webp") for _width, path in renditions.get(key, [])]


def thumbnail_url(photo: Photo) -> str:
    """The smallest JPEG rendition's URL, or the original's while renditions are being made."""
    jpegs = (photo.renditions or {}).get("jpeg") or []
    if jpegs:
        return default_storage.url(jpegs[0][1])
    return photo.image.url if photo.image else ""
