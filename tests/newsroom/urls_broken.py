from django.http import HttpRequest, HttpResponse
from django.urls import path

from tests.database_errors import lose_the_connection, time_out_a_query

handler500 = "newsroom.views.server_error"  # as newsroom/urls.py names it


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a deliberate failure")


def cut_off(request: HttpRequest) -> HttpResponse:
    lose_the_connection()
    return HttpResponse("never")


def too_slow(request: HttpRequest) -> HttpResponse:
    time_out_a_query()
    return HttpResponse("never")


urlpatterns = [path("boom/", boom), path("cut-off/", cut_off), path("too-slow/", too_slow)]
