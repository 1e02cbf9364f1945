from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductionBatch, ProductModel
from aftersales.core.forms import StyledFormMixin
from aftersales.customers.models import Customer
from aftersales.installed_base.models import InstalledProduct
from aftersales.installed_base.services import MAX_WARRANTY_MONTHS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class BatchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProductionBatch) -> str:
        return f"{obj.model.code} · {obj.code}"


PRODUCT_FIELDS = [
    "model",
    "serial",
    "batch",
    "purchase_date",
    "dealer",
    "warranty_months",
    "extended_warranty_end",
    "notes",
]


class InstalledProductForm(StyledFormMixin, forms.ModelForm):
    """The product's own fields; the service checks them together (serial per model, dates)."""

    batch = BatchChoiceField(
        queryset=ProductionBatch.objects.none(), required=False, label=_("production batch")
    )

    class Meta:
        model = InstalledProduct
        fields = PRODUCT_FIELDS
        widgets = {
            "purchase_date": DateInput(),
            "extended_warranty_end": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].queryset = ProductModel.objects.filter(is_active=True) | (
            ProductModel.objects.filter(pk=self.instance.model_id)
            if self.instance.model_id
            else ProductModel.objects.none()
        )
        self.fields["batch"].queryset = ProductionBatch.objects.select_related("model").order_by(
            "model__code", "code"
        )
        self.fields["warranty_months"].max_value = MAX_WARRANTY_MONTHS
        self.fields["warranty_months"].widget.attrs.update({"min": 0, "max": MAX_WARRANTY_MONTHS})
        self.fields["purchase_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def _post_clean(self) -> None:
        # No model validation here: the service normalises the serial before it checks that it
        # is unique, and reports its own errors on the fields (views.ServiceErrorsMixin).
        pass


class TransferForm(StyledFormMixin, forms.Form):
    new_owner = forms.ModelChoiceField(
        queryset=Customer.objects.none(),
        label=_("New owner"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Find and choose the new owner.")},
    )
    changed_on = forms.DateField(label=_("Date of change"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, user: Any, product: InstalledProduct, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = Customer.objects.visible_to(user).exclude(
            pk=product.customer_id
        )
        self.fields["changed_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if product.purchase_date:
            self.fields["changed_on"].widget.attrs["min"] = product.purchase_date.isoformat()


class WarrantyCheckForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label=_("On date"), widget=DateInput())
