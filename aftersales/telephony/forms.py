from django import forms

from aftersales.core.forms import StyledFormMixin
from aftersales.customers import phones
from aftersales.organisation.models import Unit
from aftersales.telephony.models import PhoneLine


class PhoneLineForm(StyledFormMixin, forms.ModelForm):
    number = forms.CharField(
        label=PhoneLine._meta.get_field("number").verbose_name,
        max_length=phones.MAX_TYPED_LENGTH,
        help_text=PhoneLine._meta.get_field("number").help_text,
    )

    class Meta:
        model = PhoneLine
        fields = ["number", "name", "unit", "is_active"]

    def __init__(self, *args, user, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        if self.instance.pk:
            self.initial["number"] = phones.display(self.instance.number)
        elif user.unit_id and "unit" not in self.initial:
            self.initial["unit"] = user.unit_id

    def clean_number(self) -> str:
        return phones.normalise(self.cleaned_data["number"])

    def validate_unique(self) -> None:
        # The service checks the number (in E.164) and answers on the field.
        pass
