from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from articles import images
from articles.models import Photo


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
