"""Images for imported attachments, taken from a local copy of wp-content/uploads.

Never fetched from the network: an image that is not in the media folder is
reported missing with its original address. Until the upload pipeline's own
validation (articles/images.py) is on main, `load_image` validates and
re-encodes with Pillow here, in one small function, so a merge can swap it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "png", "WEBP": "webp"}
MAX_FILE_BYTES = 40 * 1024 * 1024
MAX_PIXELS = 60_000_000  # about 9000 x 6600: more than any camera in a newsroom
UPLOADS = re.compile(r"/wp-content/uploads/(.+)$")


class BadImage(Exception):
    pass


def find_media_file(media_dir: Path, *, attached_file: str, url: str) -> Path | None:
    """The attachment's file inside `media_dir`, or None. Never a path outside it."""
    candidates = []
    if attached_file:
        candidates.append(attached_file)
    if match := UPLOADS.search(unquote(urlsplit(url).path)):
        candidates.append(match.group(1))
    root = media_dir.resolve()
    for relative in candidates:
        path = (root / relative.lstrip("/")).resolve()
        if path.is_relative_to(root) and path.is_file():
            return path
    return None


def load_image(path: Path) -> ContentFile:
    """The image re-encoded (metadata stripped), named after the original. Raises BadImage."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise BadImage(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        with Image.open(path) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise BadImage(f"{probe.format or 'unknown'} images are not accepted")
            if probe.width * probe.height > MAX_PIXELS:
                raise BadImage(f"{probe.width}x{probe.height} pixels is too large")
            probe.verify()
        with Image.open(path) as image:
            image.load()
            fmt = image.format
            if fmt == "JPEG":
                image = image.convert("RGB")
            elif image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            save_as = "PNG" if fmt == "GIF" else fmt
            image.save(out, save_as, **({"quality": 88, "optimize": True} if save_as == "JPEG" else {}))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise BadImage(f"not a readable image ({error})") from None
    return ContentFile(out.getvalue(), name=f"{path.stem}.{ALLOWED_FORMATS[fmt]}")
