from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.contracts.models import ServiceContract
from aftersales.core.forms import StyledFormMixin
from aftersales.customers.models import Customer

CONTRACT_FIELDS = [
    "number",
    "customer",
    "title",
    "service_level",
    "status",
    "valid_from",
    "valid_to",
    "notes",
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CustomerNumberField(forms.ModelChoiceField):
    """The customer typed by their number: a list of every customer would not scale."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> Any:
        value = (value or "").strip() if isinstance(value, str) else value
        try:
            return super().to_python(value)
        except forms.ValidationError:
            # Numbers are upper case ("C000042"); typed in lower case they still match.
            if isinstance(value, str) and value.upper() != value:
                return super().to_python(value.upper())
            raise


class ContractForm(StyledFormMixin, forms.ModelForm):
    """The contract's own fields. The customer is typed by number, or fixed when the contract
    is drawn up from the customer's card or from a request; the service checks the rest."""

    customer = CustomerNumberField(
        queryset=Customer.objects.none(),
        to_field_name="code",
        label=_("Customer number"),
        error_messages={"invalid_choice": _("No customer of your units has this number.")},
    )

    class Meta:
        model = ServiceContract
        fields = CONTRACT_FIELDS
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"number": _('Leave empty for the next number ("K" and eight digits).')}

    def __init__(self, *args: Any, user: Any, fixed_customer: Customer | None = None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if fixed_customer is not None:
            del self.fields["customer"]
        else:
            self.fields["customer"].queryset = Customer.objects.visible_to(user)
            # The instance gives the customer's id; the field shows and takes the number.
            if self.instance.customer_id and self.initial.get("customer") == (
                self.instance.customer_id
            ):
                self.initial["customer"] = self.instance.customer.code
        self.fields["number"].required = False

    def _post_clean(self) -> None:
        # No model validation here: the service checks the number, the dates and the customer
        # and reports its own errors on the fields (views.ServiceErrorsMixin).
        pass
