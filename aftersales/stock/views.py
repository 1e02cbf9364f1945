"""The stock pages: warehouses and their balances, the movement journal, the movement forms
(receipt, defective return, write-off, stock-take), transfers and the serial lookup."""

from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from aftersales.core.history import history_of
from aftersales.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectFormMixin,
    ObjectListView,
    ObjectUpdateView,
    PositionPermissionMixin,
)
from aftersales.stock import selectors, services
from aftersales.stock.filters import BalanceFilter, MovementFilter, TransferFilter, WarehouseFilter
from aftersales.stock.forms import (
    ConfirmForm,
    DefectiveReturnForm,
    ReceiptForm,
    SerialLookupForm,
    StocktakeForm,
    TransferForm,
    WarehouseForm,
    WriteOffForm,
)
from aftersales.stock.models import (
    SerialNumber,
    StockBalance,
    StockMovement,
    Transfer,
    TransferStatus,
    Warehouse,
)
from aftersales.stock.services import format_quantity

VIEW_WAREHOUSE = "stock.view_warehouse"
ADD_WAREHOUSE = "stock.add_warehouse"
CHANGE_WAREHOUSE = "stock.change_warehouse"
VIEW_BALANCE = "stock.view_stockbalance"
VIEW_MOVEMENT = "stock.view_stockmovement"
ADD_MOVEMENT = "stock.add_stockmovement"
VIEW_TRANSFER = "stock.view_transfer"
ADD_TRANSFER = "stock.add_transfer"
RECEIVE_TRANSFER = "stock.change_transfer"
VIEW_SERIAL = "stock.view_serialnumber"


class ServiceErrorsMixin:
    """A ValidationError from the service becomes form errors (keys the form lacks become
    non-field errors) instead of a server error."""

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


def _quantity(row: Any) -> str:
    return format_quantity(row.quantity)


# --- Warehouses -------------------------------------------------------------------------------


class WarehouseListView(ObjectListView):
    model = Warehouse
    permission_required = VIEW_WAREHOUSE
    filterset_class = WarehouseFilter
    template_name = "stock/warehouse_list.html"
    sortable = {"code": "code", "name": "name", "unit": "unit__path"}
    default_sort = "code"
    columns = [
        ("code", gettext_lazy("Code")),
        ("name", gettext_lazy("Name")),
        ("unit", gettext_lazy("Unit")),
        ("", gettext_lazy("Active")),
    ]
    export_columns = [
        (gettext_lazy("Code"), "code"),
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Unit"), "unit.name"),
        (gettext_lazy("Active"), "is_active"),
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("unit")


class WarehouseFormMixin(ServiceErrorsMixin):
    form_class = WarehouseForm
    template_name = "stock/warehouse_form.html"
    form_takes_user = True
    request: Any

    def get_success_url(self) -> str:
        return reverse("stock:warehouse_detail", args=[self.object.pk])  # type: ignore[attr-defined]

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.warehouse_save(
            user=self.request.user,
            warehouse=getattr(self, "object", None),
            **form.cleaned_data,
        )


class WarehouseCreateView(WarehouseFormMixin, ObjectCreateView):
    model = Warehouse
    permission_required = ADD_WAREHOUSE
    success_message = gettext_lazy("The warehouse has been saved.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(warehouse=None, **kwargs)


class WarehouseUpdateView(WarehouseFormMixin, ObjectUpdateView):
    model = Warehouse
    permission_required = CHANGE_WAREHOUSE
    success_message = gettext_lazy("The warehouse has been saved.")
    context_object_name = "warehouse"


BALANCE_EXPORT = [
    (gettext_lazy("Warehouse"), "warehouse.code"),
    (gettext_lazy("Part number"), "part.part_number"),
    (gettext_lazy("Part"), "part.name"),
    (gettext_lazy("Condition"), "get_condition_display"),
    (gettext_lazy("Quantity"), "quantity"),
    (gettext_lazy("Unit of measure"), "part.unit_of_measure"),
    (gettext_lazy("Average cost"), "average_cost"),
    (gettext_lazy("Value"), "value"),
]
BALANCE_SORT = {
    "warehouse": "warehouse__code",
    "part": "part__part_number",
    "condition": "condition",
    "quantity": "quantity",
    "value": "value",
}
BALANCE_COLUMNS = [
    ("warehouse", gettext_lazy("Warehouse")),
    ("part", gettext_lazy("Part")),
    ("condition", gettext_lazy("Condition")),
    ("quantity", gettext_lazy("Quantity")),
    ("", gettext_lazy("Average cost")),
    ("value", gettext_lazy("Value")),
]


class BalanceListView(ObjectListView):
    """Every balance the user sees: what is on which shelf."""

    model = StockBalance
    permission_required = VIEW_BALANCE
    filterset_class = BalanceFilter
    template_name = "stock/balance_list.html"
    sortable = BALANCE_SORT
    default_sort = "part"
    columns = BALANCE_COLUMNS
    export_columns = BALANCE_EXPORT

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("warehouse", "part")


class WarehouseDetailView(BalanceListView):
    """A warehouse's page: its balances (filtered, exported) and its actions. The route's pk
    is the warehouse's."""

    model = Warehouse  # type: ignore[assignment]
    permission_required = VIEW_WAREHOUSE
    template_name = "stock/warehouse_detail.html"
    columns = [c for c in BALANCE_COLUMNS if c[0] != "warehouse"]

    @cached_property
    def warehouse(self) -> Warehouse:
        rows = Warehouse.objects.visible_to(self.request.user).select_related("unit")
        return get_object_or_404(rows, pk=self.kwargs["pk"])

    def get_queryset(self) -> models.QuerySet[Any]:
        warehouse = self.warehouse
        # The rows are balances; `model` names the route's record for the access matrix.
        self.model = StockBalance
        try:
            rows = super().get_queryset().filter(warehouse=warehouse)
        finally:
            self.model = Warehouse
        return rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            warehouse=self.warehouse,
            can_move=user.has_perm(ADD_MOVEMENT),
            can_transfer=user.has_perm(ADD_TRANSFER),
            can_change=user.has_perm(CHANGE_WAREHOUSE),
            can_see_movements=user.has_perm(VIEW_MOVEMENT),
            history=history_of(self.warehouse),
        )
        return context


# --- The journal ------------------------------------------------------------------------------


class MovementListView(ObjectListView):
    model = StockMovement
    permission_required = VIEW_MOVEMENT
    filterset_class = MovementFilter
    template_name = "stock/movement_list.html"
    sortable = {"when": "created_at", "warehouse": "warehouse__code", "part": "part__part_number"}
    default_sort = "-when"
    columns = [
        ("when", gettext_lazy("When")),
        ("warehouse", gettext_lazy("Warehouse")),
        ("", gettext_lazy("Kind")),
        ("part", gettext_lazy("Part")),
        ("", gettext_lazy("Quantity")),
        ("", gettext_lazy("Unit cost")),
        ("", gettext_lazy("Total")),
        ("", gettext_lazy("Balance after")),
        ("", gettext_lazy("Reference")),
        ("", gettext_lazy("By")),
    ]
    export_columns = [
        (gettext_lazy("When"), "created_at"),
        (gettext_lazy("Warehouse"), "warehouse.code"),
        (gettext_lazy("Kind"), "get_kind_display"),
        (gettext_lazy("Part number"), "part.part_number"),
        (gettext_lazy("Part"), "part.name"),
        (gettext_lazy("Condition"), "get_condition_display"),
        (gettext_lazy("Quantity"), "quantity"),
        (gettext_lazy("Unit cost"), "unit_cost"),
        (gettext_lazy("Total cost"), "total_cost"),
        (gettext_lazy("Balance after"), "balance_after"),
        (gettext_lazy("Reference"), "reference"),
        (gettext_lazy("Note / reason"), "note"),
        (gettext_lazy("By"), "user.username"),
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("warehouse", "part", "user")


# --- Movement forms ---------------------------------------------------------------------------


class WarehouseActionView(ServiceErrorsMixin, ObjectFormMixin, generic.FormView):
    """A form acting on one warehouse (the route's pk); the service writes."""

    model = Warehouse
    permission_required = ADD_MOVEMENT
    template_name = "stock/movement_form.html"
    title = ""
    intro = ""

    @cached_property
    def warehouse(self) -> Warehouse:
        rows = Warehouse.objects.visible_to(self.request.user).select_related("unit")
        return get_object_or_404(rows, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.warehouse  # noqa: B018 — 404 before the form
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.warehouse  # noqa: B018
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            warehouse=self.warehouse, title=self.title, intro=self.intro, **kwargs
        )

    def get_success_url(self) -> str:
        return reverse("stock:warehouse_detail", args=[self.warehouse.pk])


class ReceiptView(WarehouseActionView):
    form_class = ReceiptForm
    title = gettext_lazy("Receive parts")
    intro = gettext_lazy("Parts delivered into this warehouse, at their unit cost.")

    def save_form(self, form):  # type: ignore[no-untyped-def]
        movement = services.stock_receive(
            warehouse=self.warehouse, user=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("Received: %(what)s.") % {"what": _done(movement)})
        return movement


class DefectiveReturnView(WarehouseActionView):
    form_class = DefectiveReturnForm
    title = gettext_lazy("Take in a defective part")
    intro = gettext_lazy(
        "A faulty part taken out of a device goes to this warehouse's defective stock."
    )

    def save_form(self, form):  # type: ignore[no-untyped-def]
        movement = services.defective_return(
            warehouse=self.warehouse, user=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("Taken in: %(what)s.") % {"what": _done(movement)})
        return movement


class WriteOffView(WarehouseActionView):
    form_class = WriteOffForm
    title = gettext_lazy("Write off parts")
    intro = gettext_lazy("Parts that leave the stock for good: damaged, lost or scrapped.")

    def save_form(self, form):  # type: ignore[no-untyped-def]
        movement = services.write_off(
            warehouse=self.warehouse, user=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("Written off: %(what)s.") % {"what": _done(movement)})
        return movement


class StocktakeView(WarehouseActionView):
    form_class = StocktakeForm
    title = gettext_lazy("Stock-take")
    intro = gettext_lazy("Record what is on the shelf; the difference is booked as an adjustment.")

    def save_form(self, form):  # type: ignore[no-untyped-def]
        movement = services.stocktake_adjust(
            warehouse=self.warehouse, user=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("Adjusted: %(what)s.") % {"what": _done(movement)})
        return movement


def _done(movement: StockMovement) -> str:
    return f"{format_quantity(movement.quantity)} × {movement.part.part_number}"


# --- Transfers --------------------------------------------------------------------------------


class TransferSendView(WarehouseActionView):
    """Send parts from this warehouse (the route's pk) to another."""

    permission_required = ADD_TRANSFER
    form_class = TransferForm
    title = gettext_lazy("Send a transfer")
    intro = gettext_lazy(
        "The parts leave this warehouse now and are in transit until the receiving "
        "warehouse takes them in."
    )
    form_takes_user = True

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "source": self.warehouse}

    def save_form(self, form):  # type: ignore[no-untyped-def]
        data = form.cleaned_data
        self.transfer = services.transfer_send(
            source=self.warehouse,
            destination=data["destination"],
            lines=data["lines"],
            condition=data["condition"],
            note=data["note"],
            user=self.request.user,
        )
        messages.success(
            self.request, _("Transfer %(number)s sent.") % {"number": self.transfer.number}
        )
        return self.transfer

    def get_success_url(self) -> str:
        return reverse("stock:transfer_detail", args=[self.transfer.pk])


class TransferListView(ObjectListView):
    model = Transfer
    permission_required = VIEW_TRANSFER
    filterset_class = TransferFilter
    template_name = "stock/transfer_list.html"
    sortable = {"number": "number", "sent": "sent_at", "received": "received_at"}
    default_sort = "-sent"
    columns = [
        ("number", gettext_lazy("Number")),
        ("", gettext_lazy("From warehouse")),
        ("", gettext_lazy("To warehouse")),
        ("", gettext_lazy("Status")),
        ("sent", gettext_lazy("Sent")),
        ("received", gettext_lazy("Received")),
    ]
    export_columns = [
        (gettext_lazy("Number"), "number"),
        (gettext_lazy("From warehouse"), "source.code"),
        (gettext_lazy("To warehouse"), "destination.code"),
        (gettext_lazy("Condition"), "get_condition_display"),
        (gettext_lazy("Status"), "get_status_display"),
        (gettext_lazy("Sent"), "sent_at"),
        (gettext_lazy("Received"), "received_at"),
        (gettext_lazy("Note"), "note"),
    ]

    def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        # The list opens on what is still on its way.
        if not request.GET:
            request.GET = request.GET.copy()
            request.GET["status"] = TransferStatus.IN_TRANSIT
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("source", "destination")


class TransferDetailView(ObjectDetailView):
    model = Transfer
    permission_required = VIEW_TRANSFER
    template_name = "stock/transfer_detail.html"
    context_object_name = "transfer"

    def get_queryset(self) -> models.QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .select_related("source__unit", "destination__unit", "sent_by", "received_by")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        transfer = self.object
        context.update(
            lines=transfer.movements.select_related("part", "warehouse")
            .prefetch_related("serials")
            .order_by("pk"),
            can_receive=self.request.user.has_perm(RECEIVE_TRANSFER)
            and transfer.status == TransferStatus.IN_TRANSIT,
        )
        return context


class TransferReceiveView(ServiceErrorsMixin, ObjectFormMixin, generic.FormView):
    """Take a transfer in at its destination (the route's pk is the transfer's): a page that
    says what arrives, and its button."""

    model = Transfer
    permission_required = RECEIVE_TRANSFER
    form_class = ConfirmForm
    template_name = "stock/transfer_receive.html"

    @cached_property
    def transfer(self) -> Transfer:
        rows = Transfer.objects.visible_to(self.request.user).select_related(
            "source", "destination"
        )
        return get_object_or_404(rows, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.transfer  # noqa: B018 — 404 before the page
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.transfer  # noqa: B018
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        lines = self.transfer.movements.select_related("part").order_by("pk")
        return super().get_context_data(transfer=self.transfer, lines=lines, **kwargs)

    def save_form(self, form):  # type: ignore[no-untyped-def]
        visible = Warehouse.objects.visible_to(self.request.user)
        if not visible.filter(pk=self.transfer.destination_id).exists():
            raise ValidationError(
                _("Only the people of %(warehouse)s can take this transfer in.")
                % {"warehouse": self.transfer.destination.name}
            )
        transfer = services.transfer_receive(transfer=self.transfer, user=self.request.user)
        messages.success(
            self.request, _("Transfer %(number)s received.") % {"number": transfer.number}
        )
        return transfer

    def get_success_url(self) -> str:
        return reverse("stock:transfer_detail", args=[self.transfer.pk])


# --- Serial lookup ----------------------------------------------------------------------------


class SerialLookupView(PositionPermissionMixin, generic.TemplateView):
    """ "Where is serial X?": its status and warehouse (of the user's subtree)."""

    permission_required = VIEW_SERIAL
    template_name = "stock/serial_lookup.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = SerialLookupForm(self.request.GET or None)
        found: SerialNumber | None = None
        searched = False
        if form.is_bound and form.is_valid():
            searched = True
            found = selectors.serial_location(
                form.cleaned_data["part"], form.cleaned_data["serial"]
            )
            visible = SerialNumber.objects.visible_to(self.request.user)
            if found is not None and not visible.filter(pk=found.pk).exists():
                found = None  # outside the user's units: as unknown
        movements = (
            found.movements.visible_to(self.request.user)  # type: ignore[attr-defined]
            .select_related("warehouse")
            .order_by("-created_at", "-pk")[:20]
            if found is not None
            else []
        )
        context.update(form=form, found=found, searched=searched, movements=movements)
        return context
