from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static


def site(request: HttpRequest | None) -> dict:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "SITE_LOGO": static(settings.SITE_LOGO) if settings.SITE_LOGO else "",
        "SITE_CONTACT_EMAIL": settings.SITE_CONTACT_EMAIL,
    }
