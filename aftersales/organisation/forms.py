from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.calendars.models import BusinessCalendar
from aftersales.core.forms import StyledFormMixin
from aftersales.organisation.models import Unit

UNIT_FIELDS = [
    "name",
    "code",
    "kind",
    "ownership",
    "address",
    "phones",
    "email",
    "timezone",
    "calendar",
    "is_active",
]


class UnitForm(StyledFormMixin, forms.ModelForm):
    parent = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Parent unit"))

    class Meta:
        model = Unit
        fields = UNIT_FIELDS

    def __init__(self, *args, user, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = BusinessCalendar.objects.visible_to(user)
        if self.instance.pk:
            del self.fields["parent"]
        else:
            # A new unit goes under a unit the user can see: never outside their subtree.
            self.fields["parent"].queryset = Unit.objects.visible_to(user)
