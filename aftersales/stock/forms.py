"""The stock pages' forms. They read what the user typed; the services decide (and their
messages land on the fields, see views.ServiceErrorsMixin)."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Part
from aftersales.core.forms import StyledFormMixin
from aftersales.organisation.models import Unit
from aftersales.stock.models import Condition, Warehouse
from aftersales.stock.selectors import transfer_destinations

QUANTITY_FIELD = {"max_digits": 14, "decimal_places": 3}
SERIALS_HELP = _("Serial-tracked parts only: one serial number per unit, one per line.")


class PartNumberField(forms.ModelChoiceField):
    """A part typed by its number: a list of every part would not scale."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Part number"))
        super().__init__(
            queryset=Part.objects.all(),
            to_field_name="part_number",
            error_messages={"invalid_choice": _("No part has this number.")},
            **kwargs,
        )

    def to_python(self, value: Any) -> Any:
        value = value.strip() if isinstance(value, str) else value
        try:
            return super().to_python(value)
        except forms.ValidationError:
            if isinstance(value, str) and value.upper() != value:
                return super().to_python(value.upper())
            raise


def split_serials(text: str) -> list[str]:
    return [s for s in re.split(r"[\s,;]+", text or "") if s]


class SerialsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Serial numbers"))
        kwargs.setdefault("help_text", SERIALS_HELP)
        super().__init__(required=False, **kwargs)

    def clean(self, value: Any) -> list[str]:  # type: ignore[override]
        return split_serials(super().clean(value))


class WarehouseForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = ["unit", "code", "name", "is_active"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)

    def _post_clean(self) -> None:
        # The service checks the unit, the code and the name (views.ServiceErrorsMixin).
        pass


class ReceiptForm(StyledFormMixin, forms.Form):
    part = PartNumberField()
    quantity = forms.DecimalField(label=_("Quantity"), **QUANTITY_FIELD)
    unit_cost = forms.DecimalField(
        label=_("Unit cost"), max_digits=14, decimal_places=4, min_value=Decimal("0")
    )
    reference = forms.CharField(label=_("Delivery note or document"), max_length=60, required=False)
    serials = SerialsField()
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DefectiveReturnForm(StyledFormMixin, forms.Form):
    part = PartNumberField()
    quantity = forms.DecimalField(label=_("Quantity"), **QUANTITY_FIELD)
    reference = forms.CharField(
        label=_("Work order"),
        max_length=60,
        help_text=_("The work order the faulty part was taken out in."),
    )
    serials = SerialsField()
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class WriteOffForm(StyledFormMixin, forms.Form):
    part = PartNumberField()
    condition = forms.ChoiceField(label=_("Stock"), choices=Condition.choices)
    quantity = forms.DecimalField(label=_("Quantity"), **QUANTITY_FIELD)
    reason = forms.CharField(label=_("Reason"), max_length=500)
    serials = SerialsField()


class StocktakeForm(StyledFormMixin, forms.Form):
    part = PartNumberField()
    condition = forms.ChoiceField(label=_("Stock"), choices=Condition.choices)
    counted_quantity = forms.DecimalField(
        label=_("Counted on the shelf"), min_value=Decimal("0"), **QUANTITY_FIELD
    )
    serials = SerialsField(
        help_text=_(
            "Serial-tracked parts only: the serial numbers missing (count below the balance) "
            "or found (count above it)."
        )
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class TransferForm(StyledFormMixin, forms.Form):
    destination = forms.ModelChoiceField(label=_("To warehouse"), queryset=Warehouse.objects.none())
    condition = forms.ChoiceField(label=_("Stock"), choices=Condition.choices)
    lines = forms.CharField(
        label=_("Parts"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One part a line: part number, quantity, then its serial numbers if it is "
            'serial-tracked, e.g. "P-100 2".'
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, user: Any, source: Warehouse, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = transfer_destinations(user).exclude(pk=source.pk)

    def clean_lines(self) -> list[tuple[Part, Decimal, list[str]]]:
        parsed: list[tuple[Part, Decimal, list[str]]] = []
        numbers: list[tuple[int, str, str, list[str]]] = []
        for index, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            words = split_serials(raw)
            if not words:
                continue
            if len(words) < 2:
                raise forms.ValidationError(
                    _("Line %(line)d: give the part number and the quantity.") % {"line": index}
                )
            numbers.append((index, words[0], words[1], words[2:]))
        parts = {
            p.part_number.upper(): p
            for p in Part.objects.filter(part_number__in=[n for _, n, _, _ in numbers])
        } | {
            p.part_number.upper(): p
            for p in Part.objects.filter(part_number__in=[n.upper() for _, n, _, _ in numbers])
        }
        for index, number, quantity, serials in numbers:
            part = parts.get(number.upper())
            if part is None:
                raise forms.ValidationError(
                    _("Line %(line)d: no part has the number %(number)s.")
                    % {"line": index, "number": number}
                )
            try:
                amount = Decimal(quantity.replace(",", "."))
            except ArithmeticError:
                amount = None
            if amount is None or not amount.is_finite():
                raise forms.ValidationError(
                    _("Line %(line)d: the quantity is not a number.") % {"line": index}
                )
            parsed.append((part, amount, serials))
        if not parsed:
            raise forms.ValidationError(_("Name at least one part."))
        return parsed


class ConfirmForm(StyledFormMixin, forms.Form):
    """A button: the action's page says what will happen."""


class SerialLookupForm(StyledFormMixin, forms.Form):
    part = PartNumberField()
    serial = forms.CharField(label=_("Serial number"), max_length=100)
