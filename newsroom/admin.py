from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# The admin names the newsroom, never "Django administration".
admin.site.site_header = admin.site.site_title = _("%(name)s administration") % {"name": settings.SITE_NAME}
