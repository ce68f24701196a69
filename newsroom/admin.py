from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from newsroom.models import Redirect

# The admin names the newsroom, never "Django administration".
admin.site.site_header = admin.site.site_title = _("%(name)s administration") % {"name": settings.SITE_NAME}


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "new_path", "note", "created_at"]
    search_fields = ["old_path", "new_path", "note"]
    fields = ["old_path", "new_path", "note"]
