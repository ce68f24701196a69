"""Images for imported attachments, taken from a local copy of wp-content/uploads.

Never fetched from the network: an image that is not in the media folder is
reported missing with its original address. A file that is there goes through
the same checks and re-encoding as a photo uploaded in the admin
(`articles.images.clean_upload`).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File

from articles import images

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
    """The image checked and re-encoded as an upload would be. Raises BadImage saying why."""
    with open(path, "rb") as handle:
        try:
            return images.clean_upload(File(handle, name=path.name)).content
        except ValidationError as error:
            raise BadImage(" ".join(error.messages)) from None
