from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html, json_script
from django.utils.translation import gettext, gettext_lazy as _

from articles import body, images
from articles.models import Article, Photo


class PhotoForm(forms.ModelForm):
    """The photo library's form: uploads are checked and re-encoded (articles/images.py)."""

    # A plain file field: Django's ImageField would open the file with every
    # Pillow plugin and answer "not a valid image" before our checks say why.
    image = forms.FileField(
        label=_("image"),
        help_text=_(
            "A JPEG, PNG, WebP or GIF photo. It is re-encoded on upload: location data and every other "
            "piece of metadata are removed, and the orientation the camera recorded is applied."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    class Meta:
        model = Photo
        fields = ["image", "alt_text", "caption", "credit", "licence", "focal_x", "focal_y"]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if isinstance(upload, UploadedFile):
            return images.clean_upload(upload).content
        return upload


class TranscriptForm(forms.Form):
    REPLACE = "replace"
    APPEND = "append"

    transcript = forms.CharField(
        label=_("Transcript"),
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "spellcheck": "false"}),
        strip=False,
        max_length=500_000,
        help_text=_(
            "Start each paragraph with the speaker's label and a colon, e.g. “GAUTHIER VELA: …”. "
            "Paragraphs without a label continue the previous speaker."
        ),
    )
    mode = forms.ChoiceField(
        label=_("What to do with the questions and answers already in the article"),
        choices=[
            (REPLACE, _("Replace them with the ones from this transcript")),
            (APPEND, _("Keep them and add these after the last block")),
        ],
        initial=REPLACE,
        widget=forms.RadioSelect,
    )
    create_interviewees = forms.BooleanField(
        label=_("Add the unknown labels as interviewees (you can fill in their names and descriptions after)"),
        required=False,
    )
    previewed = forms.CharField(widget=forms.HiddenInput, required=False)


class BodyEditorWidget(forms.Textarea):
    """The article body in one editor (static/js/article-editor.js, on django-prose-editor's ProseMirror).

    Without JavaScript the textarea shows the editor's HTML document, which can still be edited."""

    def __init__(self, *, config: dict | None = None, attrs: dict | None = None) -> None:
        super().__init__(attrs={"rows": 20, "cols": 80, "data-nr-body-source": "", **(attrs or {})})
        self.config = config or {}

    @property
    def media(self) -> forms.Media:
        return forms.Media(
            css={"all": ["css/admin-editor.css"]},
            js=[forms.Script("js/article-editor.js", type="module")],
        )

    def render(self, name, value, attrs=None, renderer=None) -> str:
        textarea = super().render(name, value, attrs, renderer)
        # The editor's text runs in the article's direction: an Arabic article is written right to left.
        return format_html(
            '<div class="nr-body" data-nr-body dir="{}">{}{}</div>',
            self.config.get("dir", "auto"),
            json_script(self.config, "nr-body-config"),
            textarea,
        )


def text_direction(language: str) -> str:
    """ "rtl" for a right-to-left language (settings.LANGUAGES_BIDI), else "auto"."""
    return "rtl" if language.split("-")[0] in settings.LANGUAGES_BIDI else "auto"


class ArticleForm(forms.ModelForm):
    """The article's fields plus its body as one editor document (articles/body.py).

    The admin writes the body's blocks (save_body) after the interviewees' rows, so an
    answer may name an interviewee added in the same save."""

    body = forms.CharField(
        label=_("Body"),
        required=False,
        widget=BodyEditorWidget(),
        help_text=_(
            "Write as on the page. “## ” starts a heading, “> ” a quotation, “- ” a list. "
            "A paragraph that starts with a speaker's label and a colon (“LABEL: …”) becomes a question "
            "or an answer, and so does a pasted transcript. Alt+↑ and Alt+↓ move the block you are in."
        ),
    )
    body_unchanged = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Article
        fields = ["title", "slug", "standfirst"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        article = self.instance
        self.stored_blocks = {}
        people: list = []
        if article.pk:
            self.stored_blocks = {
                block.pk: block
                for block in article.blocks.select_related("photo", "speaker").order_by("position", "id")
            }
            people = list(article.interviewees.all())
            self.fields["body"].initial = body.blocks_to_document(self.stored_blocks.values())
        self.participants = body.Participants(
            interviewer=article.interviewer, interviewees=[person.label for person in people]
        )
        self.fields["body"].widget.config = {
            "interviewer": article.interviewer,
            "speakers": [{"label": person.label, "name": person.name} for person in people],
            "clean": reverse("admin:articles_article_clean_paste"),
            "photos": reverse("admin:articles_photo_picker"),
            "upload": reverse("admin:articles_photo_upload"),
            "dir": text_direction(article.language),
        }
        # Headline, standfirst and body in the article's direction (issue 20); "auto" lets a
        # left-to-right article still show a quoted Arabic name the right way round.
        for name in ("title", "standfirst", "body"):
            if name in self.fields:
                self.fields[name].widget.attrs["dir"] = text_direction(article.language)
        if "language" in self.fields:
            # A form posted without it (an older page, a script) keeps the article's language.
            self.fields["language"].required = False
        self.body_blocks: list = []

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or self.instance.language or settings.LANGUAGE_CODE

    def posted_labels(self) -> list[str]:
        """Interviewees' labels typed into the same form (the inline rows), so a paragraph may name
        someone added in this save."""
        labels = []
        for key, value in self.data.items():
            match = re.fullmatch(r"interviewees-(\d+)-label", key)
            if match and value.strip() and not self.data.get(f"interviewees-{match[1]}-DELETE"):
                labels.append(value)
        return labels

    def clean_body(self) -> str:
        self.participants.interviewees += self.posted_labels()
        html = self.cleaned_data.get("body", "")
        unchanged = {
            int(part) for part in self.data.get(self.add_prefix("body_unchanged"), "").split(",") if part.isdigit()
        }
        blocks = body.document_to_blocks(
            html, stored=self.stored_blocks, unchanged=unchanged, participants=self.participants
        )
        photo_ids = {block.photo_id for block in blocks if block.photo_id}
        problems = body.check_blocks(
            blocks, photos=set(Photo.objects.filter(pk__in=photo_ids).values_list("pk", flat=True))
        )
        if problems:
            raise forms.ValidationError(problems)
        self.body_blocks = blocks
        return html

    def save_body(self) -> None:
        body.save_blocks(self.instance, self.body_blocks)


def other_languages() -> list[tuple[str, str]]:
    """The offered languages but the default one: those a shared name may be translated into."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


NAME_FIELDS = [f"name_{code}" for code, _name in other_languages()]


class TranslatedNamesForm(forms.ModelForm):
    """A tag's or column's form with a "Name in French"... field per offered language, kept in `names`.

    The fields are declared on the class (see translated_names_form) so the admin can list them."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for code, _name in other_languages():
            field = self.fields.get(f"name_{code}")
            if field is not None:
                field.initial = (self.instance.names or {}).get(code, "")

    def save(self, commit: bool = True):
        names = {}
        for code, _name in other_languages():
            value = (self.cleaned_data.get(f"name_{code}") or "").strip()
            if value:
                names[code] = value
        self.instance.names = names
        return super().save(commit)


def _name_label(language: str) -> str:
    return gettext("Name in %(language)s") % {"language": language}


def translated_names_form(model: type) -> type[TranslatedNamesForm]:
    fields = {
        f"name_{code}": forms.CharField(
            # Built when the form is drawn: formatting here, at import, would fix it in English.
            label=lazy(_name_label, str)(name),
            required=False,
            max_length=200,
            widget=forms.TextInput(attrs={"lang": code, "dir": text_direction(code)}),
        )
        for code, name in other_languages()
    }
    meta = type("Meta", (), {"model": model, "fields": ["name"]})
    return type(f"{model.__name__}Form", (TranslatedNamesForm,), {**fields, "Meta": meta})
