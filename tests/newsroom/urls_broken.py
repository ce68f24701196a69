from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

handler500 = "newsroom.views.server_error"  # as newsroom/urls.py names it


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a deliberate failure")


def cut_off(request: HttpRequest) -> HttpResponse:
    """The request's connection goes, as when the database restarts under it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    return HttpResponse("never")


def too_slow(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '20ms'")
        cursor.execute("SELECT pg_sleep(1)")
    return HttpResponse("never")


urlpatterns = [path("boom/", boom), path("cut-off/", cut_off), path("too-slow/", too_slow)]
