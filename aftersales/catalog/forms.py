from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import (
    FaultCode,
    LabourItem,
    Part,
    PriceList,
    PriceListItem,
    ProductCategory,
    ProductionBatch,
    ProductModel,
    RepairCode,
)
from aftersales.core.forms import StyledFormMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CatalogForm(StyledFormMixin, forms.ModelForm):
    """Uniqueness and the other database constraints are the service's to check, with a
    sentence on the field (Django's own check of a constraint names only the constraint)."""

    def validate_unique(self) -> None:
        return None

    def validate_constraints(self) -> None:
        return None


def _without(queryset, instance):  # type: ignore[no-untyped-def]
    return queryset.exclude(pk=instance.pk) if instance.pk else queryset


class CategoryForm(CatalogForm):
    class Meta:
        model = ProductCategory
        fields = ["code", "name", "parent", "is_active"]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = _without(ProductCategory.objects.all(), self.instance)


class ProductModelForm(CatalogForm):
    class Meta:
        model = ProductModel
        fields = ["category", "code", "name", "warranty_months", "is_active"]


class BatchForm(CatalogForm):
    class Meta:
        model = ProductionBatch
        fields = ["code", "produced_on"]
        widgets = {"produced_on": DATE}


class PartForm(CatalogForm):
    class Meta:
        model = Part
        fields = [
            "part_number",
            "name_en",
            "name_zh_hans",
            "name_zh_hant",
            "name_ru",
            "unit_of_measure",
            "price",
            "serial_tracked",
            "compatible_models",
            "is_active",
        ]
        widgets = {"compatible_models": forms.SelectMultiple(attrs={"size": 10})}

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["compatible_models"].queryset = ProductModel.objects.order_by("code")
        self.fields["price"].help_text = _("The base price, used where no price list prices it.")


class CodeForm(CatalogForm):
    class Meta:
        fields = ["category", "parent", "code", "name", "is_active"]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        model = self._meta.model
        self.fields["category"].help_text = _("Leave empty for a code every category uses.")
        self.fields["parent"].queryset = _without(
            model.objects.select_related("category"), self.instance
        )
        self.fields["parent"].label_from_instance = _code_label
        self.fields["parent"].help_text = _("A parent code of the same category.")


def _code_label(code) -> str:  # type: ignore[no-untyped-def]
    where = code.category.name if code.category_id else _("general")
    return f"{code} ({where})"


class FaultCodeForm(CodeForm):
    class Meta(CodeForm.Meta):
        model = FaultCode


class RepairCodeForm(CodeForm):
    class Meta(CodeForm.Meta):
        model = RepairCode


class LabourItemForm(CatalogForm):
    class Meta:
        model = LabourItem
        fields = ["code", "name", "category", "standard_minutes", "price", "is_active"]


class PriceListForm(CatalogForm):
    class Meta:
        model = PriceList
        fields = ["code", "name", "currency", "valid_from", "valid_to", "is_active"]
        widgets = {"valid_from": DATE, "valid_to": DATE}


class PriceListItemForm(CatalogForm):
    class Meta:
        model = PriceListItem
        fields = ["part", "labour_item", "price"]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["part"].queryset = Part.objects.filter(is_active=True)
        self.fields["labour_item"].queryset = LabourItem.objects.filter(is_active=True)
        self.fields["part"].help_text = _("A part or a labour item, not both.")
        if self.instance.pk:
            # Keep the current choice selectable even if it has been deactivated since.
            for name, model in (("part", Part), ("labour_item", LabourItem)):
                current = getattr(self.instance, f"{name}_id")
                if current:
                    self.fields[name].queryset = model.objects.filter(is_active=True) | (
                        model.objects.filter(pk=current)
                    )
