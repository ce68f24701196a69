from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language, gettext_lazy as _

from newsletter.models import Newsletter

CONSENT_TEXT = _(
    "I want to receive the newsletters I chose by e-mail. My address is used for nothing else; "
    "the e-mails carry no tracking, and every one has a link to change my choice or leave at once."
)


def language_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The language of the e-mails we send you."),
    )


def page_language() -> str:
    """The language of the page the form was sent from (its URL's), if the site offers it."""
    language = (get_language() or "").split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class NewsletterChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Newsletter) -> str:
        return obj.localized_name


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    # The box on every page has no language field: the page's language is the choice.
    language = language_field(_("Language of the e-mails"))
    newsletters = NewsletterChoiceField(
        label=_("Newsletters"),
        queryset=Newsletter.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None chosen: the ones we offer on every page."),
    )
    # A field people never see or reach (its wrapper is `hidden` and aria-hidden in the
    # templates, its input out of the tab order); simple bots fill it.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    page = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_page(self) -> str:
        page = self.cleaned_data.get("page", "")
        # Only a path on this site: it is stored as part of the consent record.
        return page if page.startswith("/") and not page.startswith("//") else ""

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or page_language()

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def chosen_newsletters(self) -> list[Newsletter]:
        chosen = list(self.cleaned_data.get("newsletters") or [])
        return chosen or list(Newsletter.objects.active().filter(in_signup_box=True))


class PreferencesForm(forms.Form):
    newsletters = NewsletterChoiceField(
        label=_("Newsletters you receive"),
        queryset=Newsletter.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    language = language_field(_("Language of the e-mails"))
