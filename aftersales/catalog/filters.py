"""FilterSets shared by the catalog's list pages and the API lists."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.catalog import selectors
from aftersales.catalog.models import (
    Currency,
    FaultCode,
    LabourItem,
    Part,
    PriceList,
    PriceListItem,
    ProductCategory,
    ProductionBatch,
    ProductModel,
    RepairCode,
    UnitOfMeasure,
)
from aftersales.core.forms import StrictBooleanFilter, StyledFilterFormMixin

SEARCH = _("Search")


def _categories(request):  # type: ignore[no-untyped-def]
    return ProductCategory.objects.all()


class CatalogFilter(StyledFilterFormMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=SEARCH)
    search_fields: tuple[str, ...] = ("code", "name")

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    def in_category_subtree(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(**{f"{name}_id__in": selectors.category_subtree_ids(value)})


class CategoryFilter(CatalogFilter):
    parent = django_filters.ModelChoiceFilter(
        queryset=_categories, label=_("Parent category"), method="in_category_subtree"
    )
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = ProductCategory
        fields = ["q", "parent", "is_active"]

    def in_category_subtree(self, queryset, name, value):  # type: ignore[no-untyped-def]
        # Categories below the chosen one, not the chosen one itself.
        below = [pk for pk in selectors.category_subtree_ids(value) if pk != value.pk]
        return queryset.filter(pk__in=below)


class ProductModelFilter(CatalogFilter):
    category = django_filters.ModelChoiceFilter(
        queryset=_categories,
        label=_("Category (with the categories below)"),
        method="in_category_subtree",
    )
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = ProductModel
        fields = ["q", "category", "is_active"]


class BatchFilter(CatalogFilter):
    model = django_filters.ModelChoiceFilter(
        queryset=ProductModel.objects.all(), label=_("Product model")
    )
    search_fields = ("code",)

    class Meta:
        model = ProductionBatch
        fields = ["q", "model"]


class PartFilter(CatalogFilter):
    search_fields = ("part_number", "name_en", "name_zh_hans", "name_zh_hant", "name_ru")
    compatible_model = django_filters.ModelChoiceFilter(
        queryset=ProductModel.objects.all(),
        field_name="compatible_models",
        label=_("Fits model"),
    )
    unit_of_measure = django_filters.ChoiceFilter(
        choices=UnitOfMeasure.choices, label=_("Unit of measure")
    )
    serial_tracked = StrictBooleanFilter(label=_("Serial-tracked"))
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = Part
        fields = ["q", "compatible_model", "unit_of_measure", "serial_tracked", "is_active"]


class CodeFilter(CatalogFilter):
    category = django_filters.ModelChoiceFilter(
        queryset=_categories,
        label=_("Applies to category"),
        method="applies_to",
        help_text=_("The category's codes, those of the categories above it and general ones."),
    )
    general = StrictBooleanFilter(
        label=_("General (no category)"), field_name="category", lookup_expr="isnull"
    )
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        fields = ["q", "category", "general", "is_active"]

    def applies_to(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return selectors.codes_for_category(queryset, value)


class FaultCodeFilter(CodeFilter):
    class Meta(CodeFilter.Meta):
        model = FaultCode


class RepairCodeFilter(CodeFilter):
    class Meta(CodeFilter.Meta):
        model = RepairCode


class LabourItemFilter(CatalogFilter):
    category = django_filters.ModelChoiceFilter(
        queryset=_categories,
        label=_("Category (with the categories below)"),
        method="in_category_subtree",
    )
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = LabourItem
        fields = ["q", "category", "is_active"]


class PriceListFilter(CatalogFilter):
    currency = django_filters.ChoiceFilter(choices=Currency.choices, label=_("Currency"))
    valid_on = django_filters.DateFilter(
        method="valid_on_date",
        label=_("Valid on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = PriceList
        fields = ["q", "currency", "valid_on", "is_active"]

    def valid_on_date(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(valid_from__lte=value).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=value)
        )


class PriceListItemFilter(StyledFilterFormMixin, django_filters.FilterSet):
    price_list = django_filters.ModelChoiceFilter(
        queryset=PriceList.objects.all(), label=_("Price list")
    )
    part = django_filters.ModelChoiceFilter(queryset=Part.objects.all(), label=_("Part"))
    labour_item = django_filters.ModelChoiceFilter(
        queryset=LabourItem.objects.all(), label=_("Labour item")
    )

    class Meta:
        model = PriceListItem
        fields = ["price_list", "part", "labour_item"]
