"""The work order forms: creating an order, the counter's intake, the order page's actions and
the customer's link page. Forms only collect input; the services decide what is valid and
their errors come back onto these fields (views.add_service_errors)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.models import FaultCode, LabourItem, Part, ProductModel, RepairCode
from aftersales.core.forms import StyledFormMixin
from aftersales.installed_base.models import InstalledProduct
from aftersales.organisation.models import Unit
from aftersales.service_requests.forms import MultipleFileField
from aftersales.stock.models import Warehouse
from aftersales.work_orders import selectors, services
from aftersales.work_orders.models import (
    FIELD_KINDS,
    CustodyKind,
    Kind,
    PartLine,
    Photo,
    SignatureKind,
    Status,
    WorkOrder,
)

TEXTAREA = {"rows": 3}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CodeField(forms.ModelChoiceField):
    """A record typed by its code or number (a select of every part or model would not scale);
    typed in lower case it still matches."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> Any:
        value = (value or "").strip() if isinstance(value, str) else value
        try:
            return super().to_python(value)
        except forms.ValidationError:
            if isinstance(value, str) and value.upper() != value:
                return super().to_python(value.upper())
            raise


class SignatureField(forms.CharField):
    """The signature pad's hidden input (`data:image/png;base64,…`); empty is refused with the
    same words the service uses."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Signature"))
        kwargs.setdefault("error_messages", {"required": _("Please sign in the box.")})
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)


class OrderCreateForm(StyledFormMixin, forms.Form):
    """A new order for a known customer: the kind, the product (one of the customer's), what
    the customer reports, where (field work) and who does it."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    product = forms.ModelChoiceField(
        queryset=InstalledProduct.objects.none(), label=_("Product"), required=False
    )
    reported_fault = forms.CharField(
        label=_("Fault as the customer describes it"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
    )
    address = forms.CharField(
        label=_("Address of the work"),
        max_length=400,
        required=False,
        help_text=_("Field work only; empty: the customer's default address."),
    )
    technician = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Technician / engineer"), required=False
    )

    def __init__(self, *args: Any, customer: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = selectors.products_of(customer, user)
        self.fields["technician"].queryset = selectors.technicians_for(user)


class IntakeForm(StyledFormMixin, forms.Form):
    """Reception takes in a device: found among the customer's products by its serial/IMEI, or
    registered on the spot with its model; accessories, condition, the fault, photos and the
    customer's signature on the intake receipt, all in one submit."""

    serial = forms.CharField(
        label=_("Serial number / IMEI"),
        max_length=100,
        error_messages={"required": _("Enter the device's serial number or IMEI.")},
    )
    model = CodeField(
        queryset=ProductModel.objects.filter(is_active=True),
        to_field_name="code",
        label=_("Model code"),
        required=False,
        help_text=_("Only for a device the customer has not registered yet."),
        error_messages={"invalid_choice": _("No active model has this code.")},
    )
    purchase_date = forms.DateField(label=_("Purchase date"), required=False, widget=DateInput())
    accessories = forms.CharField(
        label=_("Accessories handed over"),
        max_length=500,
        required=False,
        help_text=_("Charger, case, SIM card, box…"),
    )
    condition = forms.CharField(
        label=_("Visible condition and damage"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
    )
    reported_fault = forms.CharField(
        label=_("Fault as the customer describes it"),
        widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": _("Write down the fault as the customer tells it.")},
    )
    photos = MultipleFileField(
        label=_("Photos"), help_text=_("Any number of photos of the device as received.")
    )
    technician = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Technician"), required=False
    )
    signer_name = forms.CharField(
        label=_("Name of the person signing"),
        max_length=200,
        error_messages={"required": _("Enter the name of the person signing.")},
    )
    signature = SignatureField()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = selectors.technicians_for(user)
        self.fields["photos"].widget.attrs["accept"] = "image/*"


# --- The order page's actions ----------------------------------------------------------------


class OrderPageForm(StyledFormMixin, forms.Form):
    """One action of the order page; knows its order and the user. The page holds many of
    these forms at once and several share field names (note, kind, quantity, amount), so each
    form's element ids carry its own name (StatusForm → id_status_note): a label then points
    at its own field, not at the first form's."""

    def __init__(self, *args: Any, order: WorkOrder, user: User, **kwargs: Any) -> None:
        self.order = order
        self.user = user
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__.removesuffix("Form")).lower()
        kwargs.setdefault("auto_id", f"id_{name}_%s")
        super().__init__(*args, **kwargs)


class StatusForm(OrderPageForm):
    status = forms.ChoiceField(label=_("New status"), choices=())
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when cancelling."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (status, Status(status).label) for status in services.manual_statuses(self.order)
        ]

    @property
    def targets(self) -> list[Status]:
        return [Status(value) for value, _label in self.fields["status"].choices]


class AssignForm(OrderPageForm):
    technician = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Technician / engineer"), required=False
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, help_text=_("When reassigning.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = selectors.technicians_for(self.user)


class DiagnosisForm(OrderPageForm):
    diagnosis = forms.CharField(
        label=_("Diagnosis"), widget=forms.Textarea(attrs=TEXTAREA), required=False
    )
    fault_codes = forms.ModelMultipleChoiceField(
        queryset=FaultCode.objects.none(), label=_("Fault codes"), required=False
    )
    repair_codes = forms.ModelMultipleChoiceField(
        queryset=RepairCode.objects.none(), label=_("Repair codes"), required=False
    )
    work_done = forms.CharField(
        label=_("Work done"), widget=forms.Textarea(attrs=TEXTAREA), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        faults, repairs = selectors.codes_for(self.order)
        self.fields["fault_codes"].queryset = faults
        self.fields["repair_codes"].queryset = repairs
        for name in ("fault_codes", "repair_codes"):
            self.fields[name].widget.attrs["size"] = 4


class QuoteSendForm(OrderPageForm):
    amount = forms.DecimalField(
        label=_("Price to the customer"), max_digits=14, decimal_places=2, min_value=0
    )
    note = forms.CharField(
        label=_("What the price covers"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class QuoteAnswerForm(OrderPageForm):
    answer = forms.ChoiceField(
        label=_("The customer's answer"),
        choices=[("approve", _("Approved")), ("decline", _("Declined"))],
    )


class PartIssueForm(OrderPageForm):
    part = CodeField(
        queryset=Part.objects.filter(is_active=True),
        to_field_name="part_number",
        label=_("Part number"),
        error_messages={
            "invalid_choice": _("No active part has this number."),
            "required": _("Enter the part number."),
        },
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        initial=1,
        error_messages={"required": _("Enter the quantity.")},
    )
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.none(), label=_("Warehouse"), required=False
    )
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=100,
        required=False,
        help_text=_("For a serial-tracked part."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.visible_to(self.user).filter(
            is_active=True
        )
        default = services.default_warehouse(self.order)
        if default is not None and not self.is_bound:
            self.initial.setdefault("warehouse", default.pk)
        self.fields["warehouse"].empty_label = (
            _("The unit's warehouse (%(name)s)") % {"name": default} if default else "—"
        )


class PartReturnForm(OrderPageForm):
    line = forms.ModelChoiceField(queryset=PartLine.objects.none(), label=_("Part line"))
    quantity = forms.DecimalField(
        label=_("Quantity to return"), max_digits=12, decimal_places=3, initial=1
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = (
            PartLine.objects.visible_to(self.user)
            .filter(work_order=self.order)
            .select_related("part")
        )


class LabourForm(OrderPageForm):
    labour_item = forms.ModelChoiceField(
        queryset=LabourItem.objects.none(), label=_("Labour item"), required=False
    )
    description = forms.CharField(label=_("Or describe the work"), max_length=300, required=False)
    minutes = forms.IntegerField(label=_("Minutes"), required=False)
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the labour item's price."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["labour_item"].queryset = selectors.labour_items()


class CustodyForm(OrderPageForm):
    kind = forms.ChoiceField(label=_("What happened to the device"), choices=())
    to_unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=_("To unit"),
        required=False,
        help_text=_("For a hand-off to another unit."),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("Tracking number, the factory's RMA number…"),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind, CustodyKind(kind).label) for kind in services.custody_steps_for(self.order)
        ]
        # A hand-off may go to any unit of the organisation, not only the ones the user sees.
        self.fields["to_unit"].queryset = Unit.objects.order_by("path")


class SwapForm(OrderPageForm):
    new_serial = forms.CharField(label=_("Serial number of the replacement"), max_length=100)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class PhotoForm(OrderPageForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=Photo.Stage.choices)
    files = MultipleFileField(label=_("Photos"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].required = True
        self.fields["files"].widget.attrs["accept"] = "image/*"
        if not self.is_bound:
            self.initial["stage"] = (
                Photo.Stage.ON_SITE if self.order.kind in FIELD_KINDS else Photo.Stage.DIAGNOSIS
            )


class SignForm(OrderPageForm):
    kind = forms.ChoiceField(label=_("Document"), choices=())
    signer_name = forms.CharField(
        label=_("Name of the person signing"),
        max_length=200,
        error_messages={"required": _("Enter the name of the person signing.")},
    )
    signature = SignatureField()

    def __init__(self, *args: Any, signed: set[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        signed = signed or set()
        kinds = [SignatureKind.INTAKE, SignatureKind.HANDBACK]
        if self.order.kind in FIELD_KINDS:
            kinds = [SignatureKind.SERVICE_RECORD, SignatureKind.QUOTE]
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds if k not in signed]
        if not self.is_bound:
            self.initial["signer_name"] = self.order.customer.name


class LinkForm(OrderPageForm):
    """Create a one-time link for the customer to sign the service record."""


class CompleteForm(OrderPageForm):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


# --- The customer's link page ----------------------------------------------------------------


class LinkQuoteForm(forms.Form):
    answer = forms.ChoiceField(choices=[("approve", "approve"), ("decline", "decline")])


class LinkSignForm(StyledFormMixin, forms.Form):
    signer_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Enter the name of the person signing.")},
    )
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the work?"),
        choices=[("", _("No rating")), *((str(n), str(n)) for n in range(1, 6))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    signature = SignatureField()
