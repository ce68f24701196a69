"""The admin site: Django's, with a sign-in whose `next` is checked after decoding (issue #14)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

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
        return super().login(request, extra_context)


class NewsroomAdminConfig(AdminConfig):
    default_site = "newsroom.adminsite.NewsroomAdminSite"
