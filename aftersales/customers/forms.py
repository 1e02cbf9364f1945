"""The customer card's form and its formsets (contacts, phones, e-mails, addresses).

The formsets are plain forms: they hand the service lists of dicts, the same shape the API's
nested serializers produce. Phones are normalised in the form already, so a mistyped number is
shown on its own field."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StyledFormMixin
from aftersales.customers import phones as phone_numbers
from aftersales.customers.models import Customer, PhoneKind
from aftersales.customers.selectors import region_choices, responsible_choices
from aftersales.customers.services import split_tags
from aftersales.organisation.models import Unit

CARD_FORM_FIELDS = [
    "kind",
    "name",
    "code",
    "tax_number",
    "unit",
    "responsible",
    "notes",
    "is_active",
]
# Several numbers or addresses in one field: commas (Latin or full-width), semicolons, 、
LIST_SEPARATORS = re.compile(r"[,;，；、]")


class CustomerForm(StyledFormMixin, forms.ModelForm):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas, e.g. “VIP, dealer”."),
    )

    class Meta:
        model = Customer
        fields = CARD_FORM_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        self.fields["responsible"].queryset = responsible_choices(user)
        if self.instance.pk:
            self.initial["tags"] = ", ".join(tag.name for tag in self.instance.tags.all())
        elif user.unit_id and "unit" not in self.initial:
            self.initial["unit"] = user.unit_id

    def clean_tags(self) -> list[str]:
        names = split_tags(self.cleaned_data.get("tags") or "")
        for name in names:
            if len(name) > 60:
                raise ValidationError(
                    _("A tag has at most 60 characters: “%(name)s”."), params={"name": name}
                )
        return names


def _split(value: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(value or "") if part.strip()]


def _normalised_phones(value: str) -> list[str]:
    numbers, errors = [], []
    for raw in _split(value):
        try:
            numbers.append(phone_numbers.normalise(raw))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return numbers


def _normalised_emails(value: str) -> list[str]:
    addresses, errors = [], []
    for raw in _split(value):
        address = raw.lower()
        try:
            validate_email(address)
            addresses.append(address)
        except ValidationError:
            errors.append(_("“%(value)s” is not a valid e-mail address.") % {"value": raw[:254]})
    if errors:
        raise ValidationError(errors)
    return addresses


class ContactForm(StyledFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Contact name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    phones = forms.CharField(
        label=_("Contact's phones"),
        max_length=400,
        required=False,
        help_text=_("Several: separate with commas."),
    )
    emails = forms.CharField(
        label=_("Contact's e-mails"),
        max_length=1000,
        required=False,
        help_text=_("Several: separate with commas."),
    )
    is_primary = forms.BooleanField(label=_("Main contact"), required=False)

    def clean_phones(self) -> list[str]:
        return _normalised_phones(self.cleaned_data.get("phones") or "")

    def clean_emails(self) -> list[str]:
        return _normalised_emails(self.cleaned_data.get("emails") or "")


class PhoneForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label=_("Phone"), max_length=phone_numbers.MAX_TYPED_LENGTH)
    kind = forms.ChoiceField(
        label=_("Phone type"), choices=PhoneKind.choices, initial=PhoneKind.MOBILE
    )

    def clean_number(self) -> str:
        return phone_numbers.normalise(self.cleaned_data["number"])


class EmailForm(StyledFormMixin, forms.Form):
    address = forms.EmailField(label=_("E-mail"), max_length=254)

    def clean_address(self) -> str:
        return self.cleaned_data["address"].strip().lower()


class AddressForm(StyledFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Address"), max_length=500)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Unit.objects.none(), required=False)
    is_default = forms.BooleanField(label=_("Main address"), required=False)

    def __init__(self, *args, user, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_choices(user)


class BaseNestedFormSet(forms.BaseFormSet):
    """Rows left empty or marked for removal are not part of the card."""

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data and not data.get("DELETE"):
                rows.append({k: v for k, v in data.items() if k != "DELETE"})
        return rows


def _formset(form: type[forms.Form], extra: int) -> type[forms.BaseFormSet]:
    return forms.formset_factory(
        form, formset=BaseNestedFormSet, extra=extra, can_delete=True, max_num=50
    )


FORMSET_FORMS = {
    "contacts": ContactForm,
    "phones": PhoneForm,
    "emails": EmailForm,
    "addresses": AddressForm,
}


def _initial(customer: Customer | None) -> dict[str, list[dict[str, Any]]]:
    if customer is None or customer.pk is None:
        return {name: [] for name in FORMSET_FORMS}
    contacts = customer.contacts.prefetch_related("phones", "emails")
    phones = customer.phones.filter(contact__isnull=True)
    return {
        "contacts": [
            {
                "id": contact.pk,
                "name": contact.name,
                "position": contact.position,
                "is_primary": contact.is_primary,
                "phones": ", ".join(phone_numbers.display(p.number) for p in contact.phones.all()),
                "emails": ", ".join(e.address for e in contact.emails.all()),
            }
            for contact in contacts
        ],
        "phones": [
            {"number": phone_numbers.display(phone.number), "kind": phone.kind} for phone in phones
        ],
        "emails": [
            {"address": email.address} for email in customer.emails.filter(contact__isnull=True)
        ],
        "addresses": [
            {
                "id": address.pk,
                "text": address.text,
                "postcode": address.postcode,
                "region": address.region_id,
                "is_default": address.is_default,
            }
            for address in customer.addresses.all()
        ],
    }


def customer_formsets(
    data: Any, *, customer: Customer | None, user: Any, phone: str = ""
) -> dict[str, forms.BaseFormSet]:
    """The four formsets of the card form, bound to `data` when posted. A new card may start
    with a phone filled in (the caller's number, when an agent opens it from a call)."""
    initial = _initial(customer)
    if customer is None and phone:
        initial["phones"] = [{"number": phone[:40]}]
    formsets = {}
    for name, form in FORMSET_FORMS.items():
        rows = initial[name]
        # A new card opens with one empty contact and one empty phone to fill in.
        extra = 1 if not rows and name in {"contacts", "phones"} else 0
        formsets[name] = _formset(form, extra)(
            data,
            initial=rows,
            prefix=name,
            form_kwargs={"user": user} if name == "addresses" else {},
        )
    return formsets


class MergeForm(StyledFormMixin, forms.Form):
    duplicate = forms.ModelChoiceField(
        label=_("Duplicate to merge into this customer"),
        queryset=Customer.objects.none(),
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, user, survivor, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = Customer.objects.visible_to(user).exclude(
            pk=survivor.pk
        )
