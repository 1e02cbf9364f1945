"""Forms of the field pages. The services check the rules; these only read the input."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.calendars.models import BusinessCalendar
from aftersales.catalog.models import Part, ProductCategory
from aftersales.core.forms import StyledFormMixin
from aftersales.field_service.models import Engineer, Outcome, ResponsePolicy
from aftersales.organisation.models import Unit
from aftersales.service_requests.models import Skill


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _window_fields(required: bool = True) -> tuple[forms.DateTimeField, forms.DateTimeField]:
    return (
        forms.DateTimeField(label=_("Window from"), widget=DateTimeInput(), required=required),
        forms.DateTimeField(label=_("Window until"), widget=DateTimeInput(), required=required),
    )


class EngineerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Engineer) -> str:  # type: ignore[override]
        return str(obj)


class ScheduleForm(StyledFormMixin, forms.Form):
    engineer = EngineerChoiceField(label=_("Engineer"), queryset=Engineer.objects.none())
    window_start, window_end = _window_fields()
    agreed = forms.BooleanField(
        label=_("The time is agreed with the customer (the contact clock stops)"),
        required=False,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, engineers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if engineers is not None:
            self.fields["engineer"].queryset = engineers  # type: ignore[attr-defined]


class ReassignForm(ScheduleForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["agreed"], self.fields["note"]
        self.fields["window_start"].required = self.fields["window_end"].required = False


class ContactForm(StyledFormMixin, forms.Form):
    window_start, window_end = _window_fields(required=False)
    note = forms.CharField(label=_("What was agreed"), required=False, max_length=2000)


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class DepartForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class FinishForm(StyledFormMixin, forms.Form):
    signer_name = forms.CharField(label=_("Customer's name"), max_length=200)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        required=False,
        empty_value=None,
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class PartForm(StyledFormMixin, forms.Form):
    part = forms.CharField(label=_("Part number"), max_length=60)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=12, decimal_places=3)

    def clean_part(self) -> Part:
        number = self.cleaned_data["part"].strip()
        part = Part.objects.filter(part_number__iexact=number).first()
        if part is None:
            raise forms.ValidationError(_("No part with this number."))
        return part


class LabourForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label=_("Work done"), max_length=300)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, initial=0)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )


class PhotoForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


class EngineerForm(StyledFormMixin, forms.ModelForm):
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"), queryset=Skill.objects.all(), required=False
    )

    class Meta:
        model = Engineer
        fields = ["user", "unit", "regions", "categories", "calendar", "is_active"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["regions"].queryset = Unit.objects.filter(kind="region")  # type: ignore[attr-defined]
        self.fields["categories"].queryset = ProductCategory.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["calendar"].queryset = BusinessCalendar.objects.visible_to(user)  # type: ignore[attr-defined]
        from aftersales.accounts.models import User

        self.fields["user"].queryset = User.objects.visible_to(user).filter(is_active=True)  # type: ignore[attr-defined]
        if self.instance.pk:
            del self.fields["user"]
            self.fields["skills"].initial = list(self.instance.user.skills.all())


class PolicyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ResponsePolicy
        fields = [
            "name",
            "unit",
            "kind",
            "contact_hours",
            "onsite_hours",
            "business_hours",
            "warn_minutes",
            "is_active",
        ]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)  # type: ignore[attr-defined]
