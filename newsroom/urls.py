from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from newsroom import views

# A lost database answers 503 rather than 500 (newsroom/outage.py).
handler500 = "newsroom.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("staff/", include("newsroom.twofactor")),
    path("admin/", admin.site.urls),
    path("donate/", include("donations.urls")),
]

# Reader pages in every offered language: the default language keeps today's unprefixed
# addresses (WordPress-era links keep working), the others live under /fr/, /es/...
# newsroom.middleware.LanguageMiddleware reads the prefix.
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    # Under info/: an imported WordPress site keeps its own /about/ and /privacy/ redirects.
    path("info/about/", views.about, name="about"),
    path("info/privacy/", views.privacy, name="privacy"),
    path("", include("articles.urls")),
    path("comments/", include("comments.urls")),
    path("newsletter/", include("newsletter.urls")),
    prefix_default_language=False,
)

if settings.ANYMAIL_ESP:
    # The provider posts bounces and complaints to /anymail/<esp>/tracking/ (see README).
    urlpatterns += [path("anymail/", include("anymail.urls"))]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
