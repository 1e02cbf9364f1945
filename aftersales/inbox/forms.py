"""The administrator's forms on a quarantined e-mail. They find what the user may see (a
request, a customer in their units); the services decide the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StyledFormMixin
from aftersales.customers.models import Customer
from aftersales.inbox import services
from aftersales.service_requests.models import RequestType, ServiceRequest, parse_number


class AttachForm(StyledFormMixin, forms.Form):
    number = forms.CharField(
        label=_("Request number"), max_length=20, help_text=_("For example R00001234.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_number(self) -> ServiceRequest:
        text = self.cleaned_data["number"].strip()
        pk = parse_number(text if not text.isdigit() else f"R{text}")
        request = ServiceRequest.objects.visible_to(self.user).filter(pk=pk).first() if pk else None
        if request is None:
            raise forms.ValidationError(_("No request with this number in your units."))
        return request


class RegisterForm(StyledFormMixin, forms.Form):
    request_type = forms.ModelChoiceField(
        queryset=RequestType.objects.filter(is_active=True), label=_("Request type")
    )
    customer = forms.CharField(
        label=_("Customer number"),
        max_length=40,
        required=False,
        help_text=_("Empty: the customer whose card has the sender's address, or a new customer."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.fields["request_type"].initial = services.inbox_request_type()

    def clean_customer(self) -> Customer | None:
        code = self.cleaned_data["customer"].strip()
        if not code:
            return None
        customer = (
            Customer.objects.visible_to(self.user).filter(code__in={code, code.upper()}).first()
        )
        if customer is None:
            raise forms.ValidationError(_("No customer with this number in your units."))
        return customer


class RejectForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Junk, a wrong address, a duplicate…"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
