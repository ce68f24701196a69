from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from donations.money import format_money, to_minor

OTHER = "other"


def amount_choices() -> list[tuple[str, str]]:
    currency = settings.DONATIONS_CURRENCY
    suggested = [(str(a), format_money(to_minor(a, currency), currency)) for a in settings.DONATIONS_SUGGESTED_AMOUNTS]
    return [*suggested, (OTHER, _("Another amount"))]


class DonateForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[("once", _("One time")), ("monthly", _("Monthly"))],
        widget=forms.RadioSelect,
        initial="once",
    )
    amount = forms.ChoiceField(label=_("Amount"), choices=amount_choices, widget=forms.RadioSelect, required=False)
    other_amount = forms.DecimalField(
        label=_("Another amount"),
        required=False,
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    dedication = forms.CharField(
        label=_("Dedicate this gift (optional)"),
        help_text=_("For example: in memory of a colleague. It is printed on your receipt."),
        max_length=200,
        required=False,
    )
    list_as = forms.CharField(
        label=_("List me among our supporters as (optional)"),
        help_text=_("Leave empty to give anonymously. Donors are listed by band of yearly giving."),
        max_length=100,
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        currency = settings.DONATIONS_CURRENCY.upper()
        self.fields["other_amount"].label = _("Another amount (%(currency)s)") % {"currency": currency}

    def clean(self) -> dict:
        data = super().clean()
        choice, other = data.get("amount"), data.get("other_amount")
        if other is not None and choice in ("", None, OTHER):
            amount = other
        elif choice and choice != OTHER:
            amount = Decimal(choice)
        else:
            raise forms.ValidationError(_("Choose an amount, or type one in."))
        low, high = settings.DONATIONS_MIN_AMOUNT, settings.DONATIONS_MAX_AMOUNT
        if not low <= amount <= high:
            raise forms.ValidationError(
                _("A gift here can be from %(low)s to %(high)s.")
                % {
                    "low": format_money(to_minor(low, settings.DONATIONS_CURRENCY), settings.DONATIONS_CURRENCY),
                    "high": format_money(to_minor(high, settings.DONATIONS_CURRENCY), settings.DONATIONS_CURRENCY),
                }
            )
        data["gift_amount"] = amount
        return data

    @property
    def is_monthly(self) -> bool:
        return self.cleaned_data["frequency"] == "monthly"
