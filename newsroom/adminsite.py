"""The admin site: Django's, with a sign-in that checks `next` after decoding and slows guessing (issue #14)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from newsroom import loginlimit
from newsroom.nexturl import safe_next_url


class NewsroomAdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Django's sign-in; a `next` that leads off this site once decoded becomes the admin's index."""
        for method in ("GET", "POST"):
            data = getattr(request, method)
            if REDIRECT_FIELD_NAME in data and safe_next_url(data[REDIRECT_FIELD_NAME], request) is None:
                data = data.copy()
                data[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
                setattr(request, method, data)
        username = request.POST.get("username", "") if request.method == "POST" else ""
        if wait := loginlimit.seconds_to_wait(request, username):
            response = render(request, "registration/slowed_down.html", {"seconds": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
        response = super().login(request, extra_context)
        if username and request.user.is_authenticated:
            loginlimit.remember_device(response, request.user.get_username())
        elif username and response.status_code == 200:  # the form again: a wrong password
            loginlimit.record_failure(username)
        return response


class NewsroomAdminConfig(AdminConfig):
    default_site = "newsroom.adminsite.NewsroomAdminSite"
