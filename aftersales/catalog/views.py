"""Pages of the catalog: one list, detail and form pattern for every directory (the generic
templates in templates/catalog/ take their columns and fields from the view), plus the
production batches of a model and the items of a price list."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.shortcuts import redirect
from django.template.defaultfilters import yesno
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from aftersales.catalog import services
from aftersales.catalog.filters import (
    CategoryFilter,
    FaultCodeFilter,
    LabourItemFilter,
    PartFilter,
    PriceListFilter,
    ProductModelFilter,
    RepairCodeFilter,
)
from aftersales.catalog.forms import (
    BatchForm,
    CategoryForm,
    FaultCodeForm,
    LabourItemForm,
    PartForm,
    PriceListForm,
    PriceListItemForm,
    ProductModelForm,
    RepairCodeForm,
)
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
from aftersales.core.history import history_of
from aftersales.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    PositionPermissionMixin,
    ScopedQuerysetMixin,
)

Accessor = str | Callable[[Any], Any]


def resolve(row: Any, accessor: Accessor) -> Any:
    """The value of a column: an attribute path ("category.name") or a callable of the row."""
    if callable(accessor):
        return accessor(row)
    value = row
    for part in accessor.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def shown(value: Any) -> Any:
    """A value as a cell shows it: yes/no for booleans, a dash for nothing."""
    if isinstance(value, bool):
        return yesno(value)
    if value is None or value == "":
        return "—"
    return value


def _code_parent(row: Any) -> Any:
    return row.parent.code if row.parent_id else None


def _category_or_general(row: Any) -> Any:
    return row.category.name if row.category_id else _("general")


def _batch_count(row: Any) -> int:
    return row.batch_count


# --- Generic patterns ------------------------------------------------------------------------


class CatalogListView(ObjectListView):
    """A catalog directory's table. `table` lists (sort key or "", heading, accessor); the
    first column links to the record. The export has the same columns."""

    template_name = "catalog/list.html"
    title: Any = ""
    create_url_name = ""
    add_permission = ""
    table: list[tuple[str, Any, Accessor]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.table:
            cls.columns = [(key, heading) for key, heading, _accessor in cls.table]
            if "export_columns" not in cls.__dict__:
                cls.export_columns = [(heading, accessor) for _key, heading, accessor in cls.table]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["rows"] = [
            (row, [shown(resolve(row, accessor)) for _key, _heading, accessor in self.table])
            for row in context["object_list"]
        ]
        if self.create_url_name and self.request.user.has_perm(self.add_permission):
            context["create_url"] = reverse(self.create_url_name)
        return context


class CatalogDetailView(ObjectDetailView):
    """A catalog record: `fields` as (label, accessor), related sections in the template of
    the model (extending catalog/detail.html), and the change history."""

    template_name = "catalog/detail.html"
    list_title: Any = ""
    list_url_name = ""
    update_url_name = ""
    change_permission = ""
    fields: list[tuple[Any, Accessor]] = []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["list_title"] = self.list_title
        context["list_url"] = reverse(self.list_url_name)
        context["fields"] = [
            (label, shown(resolve(self.object, accessor))) for label, accessor in self.fields
        ]
        if self.request.user.has_perm(self.change_permission):
            context["update_url"] = reverse(self.update_url_name, args=[self.object.pk])
        context["history"] = history_of(self.object)
        return context


class ServiceErrorsMixin:
    """A ValidationError from a service becomes errors on the form's fields (keys the form
    lacks become errors of the whole form), re-rendered like any invalid input."""

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        try:
            return super().form_valid(form)  # type: ignore[misc]
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, errors in error.error_dict.items():
                    form.add_error(key if key in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.form_invalid(form)  # type: ignore[attr-defined]


class CatalogFormMixin(ServiceErrorsMixin):
    """Create and edit pages share catalog/form.html; the service does the writing."""

    template_name = "catalog/form.html"
    list_title: Any = ""
    list_url_name = ""
    new_title: Any = ""
    success_message = gettext_lazy("Saved.")
    create_service: Callable[..., Any]
    update_service: Callable[..., Any]
    instance_keyword = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["list_title"] = self.list_title
        context["list_url"] = reverse(self.list_url_name)
        context["new_title"] = self.new_title
        return context

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()  # type: ignore[attr-defined]

    def save_form(self, form):  # type: ignore[no-untyped-def]
        data = dict(form.cleaned_data)
        if form.instance.pk:
            return type(self).update_service(**{self.instance_keyword: form.instance}, **data)
        return type(self).create_service(**data)


# --- Categories ------------------------------------------------------------------------------

CATEGORIES_TITLE = gettext_lazy("Product categories")


class CategoryListView(CatalogListView):
    model = ProductCategory
    permission_required = "catalog.view_productcategory"
    add_permission = "catalog.add_productcategory"
    create_url_name = "catalog:category_create"
    title = CATEGORIES_TITLE
    filterset_class = CategoryFilter
    sortable = {"code": "code", "name": "name", "parent": "parent__name"}
    default_sort = "code"
    table = [
        ("code", gettext_lazy("Code"), "code"),
        ("name", gettext_lazy("Name"), "name"),
        ("parent", gettext_lazy("Parent category"), "parent.name"),
        ("", gettext_lazy("Models"), lambda row: row.model_count),
        ("", gettext_lazy("Active"), "is_active"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("parent").annotate(model_count=Count("models"))


class CategoryDetailView(CatalogDetailView):
    permission_required = "catalog.view_productcategory"
    change_permission = "catalog.change_productcategory"
    update_url_name = "catalog:category_update"
    template_name = "catalog/category_detail.html"
    fields = [
        (gettext_lazy("Code"), "code"),
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Parent category"), "parent"),
        (gettext_lazy("Active"), "is_active"),
    ]
    model = ProductCategory
    list_title = CATEGORIES_TITLE
    list_url_name = "catalog:category_list"

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("parent")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["children"] = self.object.children.order_by("code")
        context["product_models"] = self.object.models.order_by("code")[:50]
        return context


class CategoryFormMixin(CatalogFormMixin):
    model = ProductCategory
    form_class = CategoryForm
    list_title = CATEGORIES_TITLE
    list_url_name = "catalog:category_list"
    new_title = gettext_lazy("New product category")
    success_message = gettext_lazy("The category has been saved.")
    create_service = services.category_create
    update_service = services.category_update
    instance_keyword = "category"


class CategoryCreateView(CategoryFormMixin, ObjectCreateView):
    permission_required = "catalog.add_productcategory"


class CategoryUpdateView(CategoryFormMixin, ObjectUpdateView):
    permission_required = "catalog.change_productcategory"


# --- Product models and their batches --------------------------------------------------------

MODELS_TITLE = gettext_lazy("Product models")


class ProductModelListView(CatalogListView):
    model = ProductModel
    permission_required = "catalog.view_productmodel"
    add_permission = "catalog.add_productmodel"
    create_url_name = "catalog:model_create"
    title = MODELS_TITLE
    filterset_class = ProductModelFilter
    sortable = {
        "code": "code",
        "name": "name",
        "category": "category__name",
        "warranty": "warranty_months",
    }
    default_sort = "code"
    table = [
        ("code", gettext_lazy("Model number"), "code"),
        ("name", gettext_lazy("Name"), "name"),
        ("category", gettext_lazy("Category"), "category.name"),
        ("warranty", gettext_lazy("Warranty, months"), "warranty_months"),
        ("", gettext_lazy("Batches"), _batch_count),
        ("", gettext_lazy("Active"), "is_active"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            super().get_queryset().select_related("category").annotate(batch_count=Count("batches"))
        )


class ProductModelDetailView(CatalogDetailView):
    model = ProductModel
    permission_required = "catalog.view_productmodel"
    change_permission = "catalog.change_productmodel"
    update_url_name = "catalog:model_update"
    template_name = "catalog/productmodel_detail.html"
    list_title = MODELS_TITLE
    list_url_name = "catalog:model_list"
    fields = [
        (gettext_lazy("Model number"), "code"),
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Category"), "category"),
        (gettext_lazy("Warranty, months"), "warranty_months"),
        (gettext_lazy("Active"), "is_active"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("category")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["batches"] = self.object.batches.all()
        context["part_count"] = self.object.parts.count()
        if self.request.user.has_perm("catalog.add_productionbatch"):
            context["batch_form"] = kwargs.get("batch_form") or BatchForm()
        return context


class ProductModelFormMixin(CatalogFormMixin):
    model = ProductModel
    form_class = ProductModelForm
    list_title = MODELS_TITLE
    list_url_name = "catalog:model_list"
    new_title = gettext_lazy("New product model")
    success_message = gettext_lazy("The product model has been saved.")
    create_service = services.product_model_create
    update_service = services.product_model_update
    instance_keyword = "product_model"


class ProductModelCreateView(ProductModelFormMixin, ObjectCreateView):
    permission_required = "catalog.add_productmodel"


class ProductModelUpdateView(ProductModelFormMixin, ObjectUpdateView):
    permission_required = "catalog.change_productmodel"


class BatchCreateView(ServiceErrorsMixin, ObjectUpdateView):
    """Add a production batch to a model. The model's page posts here; GET shows the same form
    on a page of its own."""

    model = ProductModel
    form_class = BatchForm
    permission_required = "catalog.add_productionbatch"
    template_name = "catalog/batch_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)  # the form makes a batch, not the model
        return kwargs

    def save_form(self, form):  # type: ignore[no-untyped-def]
        batch = services.batch_create(model=self.object, **form.cleaned_data)
        messages.success(self.request, _("Batch %(code)s added.") % {"code": batch.code})
        return self.object

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


class BatchUpdateView(ServiceErrorsMixin, ObjectUpdateView):
    model = ProductionBatch
    form_class = BatchForm
    permission_required = "catalog.change_productionbatch"
    template_name = "catalog/batch_form.html"
    success_message = gettext_lazy("The batch has been saved.")

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("model")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = history_of(self.object)
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.batch_update(batch=form.instance, **form.cleaned_data)

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


# --- Parts -----------------------------------------------------------------------------------

PARTS_TITLE = gettext_lazy("Spare parts")


class PartListView(CatalogListView):
    model = Part
    permission_required = "catalog.view_part"
    add_permission = "catalog.add_part"
    create_url_name = "catalog:part_create"
    title = PARTS_TITLE
    filterset_class = PartFilter
    sortable = {"part_number": "part_number", "price": "price", "uom": "unit_of_measure"}
    default_sort = "part_number"
    table = [
        ("part_number", gettext_lazy("Part number"), "part_number"),
        ("", gettext_lazy("Name"), "name"),
        ("uom", gettext_lazy("Unit of measure"), lambda row: row.get_unit_of_measure_display()),
        ("price", gettext_lazy("Price"), "price"),
        ("", gettext_lazy("Serial-tracked"), "serial_tracked"),
        ("", gettext_lazy("Active"), "is_active"),
    ]
    export_columns = [
        (gettext_lazy("Part number"), "part_number"),
        (gettext_lazy("Name (English)"), "name_en"),
        (gettext_lazy("Name (Simplified Chinese)"), "name_zh_hans"),
        (gettext_lazy("Name (Traditional Chinese)"), "name_zh_hant"),
        (gettext_lazy("Name (Russian)"), "name_ru"),
        (gettext_lazy("Unit of measure"), lambda row: row.get_unit_of_measure_display()),
        (gettext_lazy("Price"), "price"),
        (gettext_lazy("Serial-tracked"), "serial_tracked"),
        (gettext_lazy("Active"), "is_active"),
    ]


class PartDetailView(CatalogDetailView):
    model = Part
    permission_required = "catalog.view_part"
    change_permission = "catalog.change_part"
    update_url_name = "catalog:part_update"
    template_name = "catalog/part_detail.html"
    list_title = PARTS_TITLE
    list_url_name = "catalog:part_list"
    fields = [
        (gettext_lazy("Part number"), "part_number"),
        (gettext_lazy("Name (English)"), "name_en"),
        (gettext_lazy("Name (Simplified Chinese)"), "name_zh_hans"),
        (gettext_lazy("Name (Traditional Chinese)"), "name_zh_hant"),
        (gettext_lazy("Name (Russian)"), "name_ru"),
        (gettext_lazy("Unit of measure"), lambda part: part.get_unit_of_measure_display()),
        (gettext_lazy("Base price"), "price"),
        (gettext_lazy("Serial-tracked"), "serial_tracked"),
        (gettext_lazy("Active"), "is_active"),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["compatible_models"] = self.object.compatible_models.select_related("category")
        context["prices"] = PriceListItem.objects.filter(part=self.object).select_related(
            "price_list"
        )
        return context


class PartFormMixin(CatalogFormMixin):
    model = Part
    form_class = PartForm
    list_title = PARTS_TITLE
    list_url_name = "catalog:part_list"
    new_title = gettext_lazy("New spare part")
    success_message = gettext_lazy("The part has been saved.")
    create_service = services.part_create
    update_service = services.part_update
    instance_keyword = "part"


class PartCreateView(PartFormMixin, ObjectCreateView):
    permission_required = "catalog.add_part"


class PartUpdateView(PartFormMixin, ObjectUpdateView):
    permission_required = "catalog.change_part"


# --- Fault and repair codes ------------------------------------------------------------------


def _code_views(model: Any, prefix: str, titles: dict[str, Any], filterset: Any, form: Any) -> Any:
    """The four pages of a code directory (fault codes, repair codes): the same shape."""
    name = model._meta.model_name
    service_create = getattr(services, f"{prefix}_create")
    service_update = getattr(services, f"{prefix}_update")

    class CodeListView(CatalogListView):
        permission_required = f"catalog.view_{name}"
        add_permission = f"catalog.add_{name}"
        create_url_name = f"catalog:{name}_create"
        title = titles["list"]
        filterset_class = filterset
        sortable = {"code": "code", "name": "name", "category": "category__name"}
        default_sort = "code"
        table = [
            ("code", gettext_lazy("Code"), "code"),
            ("name", gettext_lazy("Name"), "name"),
            ("category", gettext_lazy("Category"), _category_or_general),
            ("", gettext_lazy("Parent"), _code_parent),
            ("", gettext_lazy("Active"), "is_active"),
        ]

        def get_queryset(self) -> QuerySet[Any]:
            return super().get_queryset().select_related("category", "parent")

    class CodeDetailView(CatalogDetailView):
        permission_required = f"catalog.view_{name}"
        change_permission = f"catalog.change_{name}"
        update_url_name = f"catalog:{name}_update"
        template_name = "catalog/code_detail.html"
        list_title = titles["list"]
        list_url_name = f"catalog:{name}_list"
        fields = [
            (gettext_lazy("Code"), "code"),
            (gettext_lazy("Name"), "name"),
            (gettext_lazy("Category"), lambda code: code.category or _("general")),
            (gettext_lazy("Parent"), "parent"),
            (gettext_lazy("Active"), "is_active"),
        ]

        def get_queryset(self) -> QuerySet[Any]:
            return super().get_queryset().select_related("category", "parent")

        def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
            context = super().get_context_data(**kwargs)
            context["children"] = self.object.children.order_by("code")
            return context

    class CodeFormMixin(CatalogFormMixin):
        form_class = form
        list_title = titles["list"]
        list_url_name = f"catalog:{name}_list"
        new_title = titles["new"]
        success_message = titles["saved"]
        create_service = service_create
        update_service = service_update
        instance_keyword = prefix

    class CodeCreateView(CodeFormMixin, ObjectCreateView):
        permission_required = f"catalog.add_{name}"

    class CodeUpdateView(CodeFormMixin, ObjectUpdateView):
        permission_required = f"catalog.change_{name}"

    views = (CodeListView, CodeDetailView, CodeCreateView, CodeUpdateView)
    for view in views:
        view.model = model
        view.__name__ = view.__qualname__ = f"{model.__name__}{view.__name__[4:]}"
    return views


FaultCodeListView, FaultCodeDetailView, FaultCodeCreateView, FaultCodeUpdateView = _code_views(
    FaultCode,
    "fault_code",
    {
        "list": gettext_lazy("Fault codes"),
        "new": gettext_lazy("New fault code"),
        "saved": gettext_lazy("The fault code has been saved."),
    },
    FaultCodeFilter,
    FaultCodeForm,
)
RepairCodeListView, RepairCodeDetailView, RepairCodeCreateView, RepairCodeUpdateView = _code_views(
    RepairCode,
    "repair_code",
    {
        "list": gettext_lazy("Repair codes"),
        "new": gettext_lazy("New repair code"),
        "saved": gettext_lazy("The repair code has been saved."),
    },
    RepairCodeFilter,
    RepairCodeForm,
)


# --- Labour items ----------------------------------------------------------------------------

LABOUR_TITLE = gettext_lazy("Labour items")


class LabourItemListView(CatalogListView):
    model = LabourItem
    permission_required = "catalog.view_labouritem"
    add_permission = "catalog.add_labouritem"
    create_url_name = "catalog:labour_create"
    title = LABOUR_TITLE
    filterset_class = LabourItemFilter
    sortable = {
        "code": "code",
        "name": "name",
        "category": "category__name",
        "minutes": "standard_minutes",
        "price": "price",
    }
    default_sort = "code"
    table = [
        ("code", gettext_lazy("Code"), "code"),
        ("name", gettext_lazy("Name"), "name"),
        ("category", gettext_lazy("Category"), "category.name"),
        ("minutes", gettext_lazy("Standard time, minutes"), "standard_minutes"),
        ("price", gettext_lazy("Price"), "price"),
        ("", gettext_lazy("Active"), "is_active"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("category")


class LabourItemDetailView(CatalogDetailView):
    model = LabourItem
    permission_required = "catalog.view_labouritem"
    change_permission = "catalog.change_labouritem"
    update_url_name = "catalog:labour_update"
    template_name = "catalog/labouritem_detail.html"
    list_title = LABOUR_TITLE
    list_url_name = "catalog:labour_list"
    fields = [
        (gettext_lazy("Code"), "code"),
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Category"), "category"),
        (gettext_lazy("Standard time, minutes"), "standard_minutes"),
        (gettext_lazy("Base price"), "price"),
        (gettext_lazy("Active"), "is_active"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("category")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["prices"] = PriceListItem.objects.filter(labour_item=self.object).select_related(
            "price_list"
        )
        return context


class LabourItemFormMixin(CatalogFormMixin):
    model = LabourItem
    form_class = LabourItemForm
    list_title = LABOUR_TITLE
    list_url_name = "catalog:labour_list"
    new_title = gettext_lazy("New labour item")
    success_message = gettext_lazy("The labour item has been saved.")
    create_service = services.labour_item_create
    update_service = services.labour_item_update
    instance_keyword = "labour_item"


class LabourItemCreateView(LabourItemFormMixin, ObjectCreateView):
    permission_required = "catalog.add_labouritem"


class LabourItemUpdateView(LabourItemFormMixin, ObjectUpdateView):
    permission_required = "catalog.change_labouritem"


# --- Price lists and their items -------------------------------------------------------------

PRICE_LISTS_TITLE = gettext_lazy("Price lists")


class PriceListListView(CatalogListView):
    model = PriceList
    permission_required = "catalog.view_pricelist"
    add_permission = "catalog.add_pricelist"
    create_url_name = "catalog:pricelist_create"
    title = PRICE_LISTS_TITLE
    filterset_class = PriceListFilter
    sortable = {
        "code": "code",
        "name": "name",
        "currency": "currency",
        "valid_from": "valid_from",
        "valid_to": "valid_to",
    }
    default_sort = "-valid_from"
    table = [
        ("code", gettext_lazy("Code"), "code"),
        ("name", gettext_lazy("Name"), "name"),
        ("currency", gettext_lazy("Currency"), "currency"),
        ("valid_from", gettext_lazy("Valid from"), "valid_from"),
        ("valid_to", gettext_lazy("Valid to"), "valid_to"),
        ("", gettext_lazy("Prices"), lambda row: row.item_count),
        ("", gettext_lazy("Active"), "is_active"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().annotate(item_count=Count("items"))


class PriceListDetailView(CatalogDetailView):
    model = PriceList
    permission_required = "catalog.view_pricelist"
    change_permission = "catalog.change_pricelist"
    update_url_name = "catalog:pricelist_update"
    template_name = "catalog/pricelist_detail.html"
    list_title = PRICE_LISTS_TITLE
    list_url_name = "catalog:pricelist_list"
    fields = [
        (gettext_lazy("Code"), "code"),
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Currency"), lambda row: row.get_currency_display()),
        (gettext_lazy("Valid from"), "valid_from"),
        (gettext_lazy("Valid to"), "valid_to"),
        (gettext_lazy("Active"), "is_active"),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        items = self.object.items.select_related("part", "labour_item")
        context["part_items"] = sorted(
            (item for item in items if item.part_id), key=lambda item: item.part.part_number
        )
        context["labour_items"] = sorted(
            (item for item in items if item.labour_item_id),
            key=lambda item: item.labour_item.code,
        )
        if self.request.user.has_perm("catalog.add_pricelistitem"):
            context["item_form"] = PriceListItemForm()
        context["can_change_items"] = self.request.user.has_perm("catalog.change_pricelistitem")
        return context


class PriceListFormMixin(CatalogFormMixin):
    model = PriceList
    form_class = PriceListForm
    list_title = PRICE_LISTS_TITLE
    list_url_name = "catalog:pricelist_list"
    new_title = gettext_lazy("New price list")
    success_message = gettext_lazy("The price list has been saved.")
    create_service = services.price_list_create
    update_service = services.price_list_update
    instance_keyword = "price_list"


class PriceListCreateView(PriceListFormMixin, ObjectCreateView):
    permission_required = "catalog.add_pricelist"


class PriceListUpdateView(PriceListFormMixin, ObjectUpdateView):
    permission_required = "catalog.change_pricelist"


class PriceItemCreateView(ServiceErrorsMixin, ObjectUpdateView):
    """Put a price for a part or a labour item on the list. The list's page posts here; GET
    shows the form on a page of its own."""

    model = PriceList
    form_class = PriceListItemForm
    permission_required = "catalog.add_pricelistitem"
    template_name = "catalog/priceitem_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)  # the form makes an item, not the list
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["price_list"] = self.object
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        item = services.price_list_item_create(price_list=self.object, **form.cleaned_data)
        messages.success(self.request, _("Price for %(what)s saved.") % {"what": item})
        return self.object

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


class PriceItemUpdateView(ServiceErrorsMixin, ObjectUpdateView):
    model = PriceListItem
    form_class = PriceListItemForm
    permission_required = "catalog.change_pricelistitem"
    template_name = "catalog/priceitem_form.html"
    success_message = gettext_lazy("The price has been saved.")

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("price_list", "part", "labour_item")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["price_list"] = self.object.price_list
        context["history"] = history_of(self.object)
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.price_list_item_update(item=form.instance, **form.cleaned_data)

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


class PriceItemDeleteView(PositionPermissionMixin, ScopedQuerysetMixin, generic.DeleteView):
    """GET asks for confirmation; POST takes the price off the list."""

    model = PriceListItem
    permission_required = "catalog.change_pricelistitem"
    template_name = "catalog/priceitem_confirm_delete.html"

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("price_list", "part", "labour_item")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        item = self.object
        services.price_list_item_delete(item=item)
        messages.success(self.request, _("Price for %(what)s removed.") % {"what": item})
        return redirect(item.price_list.get_absolute_url())
