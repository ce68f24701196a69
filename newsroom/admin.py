from django.conf import settings
from django.contrib import admin
from django.utils.functional import lazy
from django.utils.translation import gettext


def _site_header() -> str:
    return gettext("%(name)s administration") % {"name": settings.SITE_NAME}


# The admin names the newsroom, never "Django administration", in each editor's language:
# built when a page shows it (formatting a lazy string here would fix it in English).
admin.site.site_header = admin.site.site_title = lazy(_site_header, str)()
