"""The site's URLs plus the minimal view `make bench` compares pages with.

Selected only when BENCH_URLCONF=true (see settings.py); never in production.
"""

from django.urls import path

from devtools.bench import MINIMAL_PATH, minimal
from newsroom.urls import urlpatterns as site_urlpatterns

urlpatterns = [path(MINIMAL_PATH.lstrip("/"), minimal, name="bench-minimal"), *site_urlpatterns]
