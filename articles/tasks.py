from django.tasks import task

from articles import images
from articles.models import Photo


@task
def make_renditions(photo_id: int) -> None:
    """Make a photo's JPEG and WebP renditions. Safe to run twice; a deleted photo is skipped."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is not None and photo.image:
        images.make_renditions(photo)
