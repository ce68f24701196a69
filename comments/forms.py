from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments.models import Comment, Report


class CommentForm(forms.ModelForm):
    """A reader's comment. The article is the view's; the parent is checked against it."""

    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    notify_replies = forms.BooleanField(label=_("Notify me of replies to my comments"), required=False)
    notify_all = forms.BooleanField(label=_("Notify me of all new comments on this story"), required=False)
    # The honeypot: its wrapper is `hidden` and aria-hidden in the markup (comments/form.html),
    # so no person sees or reaches it; bots that fill every field give themselves away.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    issued = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Comment
        fields = ["name", "email", "text"]
        labels = {"name": _("Name"), "email": _("E-mail"), "text": _("Comment")}
        help_texts = {
            "name": _("Shown with your comment."),
            "email": _("Never shown publicly."),
            "text": _("Plain text, up to 5,000 characters. Links are kept as text links."),
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, article: Article, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.article = article
        self.parent_comment: Comment | None = None
        self.fields["email"].required = True
        self.fields["text"].error_messages["required"] = _("Write something before posting.")
        self.fields["name"].error_messages["required"] = _("Enter the name to show with your comment.")
        self.fields["email"].error_messages["required"] = _("Enter your e-mail address; it is never shown.")
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def is_trapped(self) -> bool:
        """Whether the hidden field was filled: a bot, or a browser that filled what no person sees."""
        return bool(self.cleaned_data.get("website", "").strip())

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write something before posting."))
        return text

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the name to show with your comment."))
        return name

    def clean_parent(self) -> int | None:
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        parent = Comment.objects.filter(pk=parent_id).first()
        if parent is None or parent.article_id != self.article.pk:
            raise forms.ValidationError(_("The comment you are replying to is not on this story."))
        if parent.status != Comment.Status.APPROVED:
            raise forms.ValidationError(_("You can only reply to a published comment."))
        self.parent_comment = parent
        return parent_id


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why should moderators look at this comment?"), choices=Report.Reason.choices)


class StaffReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
