"""The positions the product ships with, and the permissions each one carries.

Feature apps add their permissions here as they arrive; `sync_system_positions` (run by
migrate and by seed_demo) writes them to the database. Administrators may still edit them.
"""

from django.utils.translation import gettext_lazy as _

SYSTEM_POSITION_NAMES = {
    "hotline_agent": _("Hotline agent"),
    "dispatcher": _("Dispatcher"),
    "field_engineer": _("Field engineer"),
    "outlet_reception": _("Outlet reception"),
    "technician": _("Technician"),
    "storekeeper": _("Storekeeper"),
    "settlement_clerk": _("Settlement clerk"),
    "quality_engineer": _("Quality engineer"),
    "trainer": _("Trainer"),
    "unit_head": _("Unit head"),
    "executive": _("Executive"),
    "administrator": _("Administrator"),
}

# Everyone may look at the organisation, the calendars that apply to them and the catalog.
_CATALOG = {
    f"catalog.view_{model}"
    for model in (
        "productcategory",
        "productmodel",
        "productionbatch",
        "part",
        "faultcode",
        "repaircode",
        "labouritem",
        "pricelist",
        "pricelistitem",
    )
}
_BASE = {
    "organisation.view_unit",
    "calendars.view_businesscalendar",
} | _CATALOG
_CATALOG_KEEPER = {
    perm.replace(".view_", f".{action}_") for perm in _CATALOG for action in ("add", "change")
}
# Reading customers and their products: everyone who serves customers.
_CUSTOMERS_READ = {"customers.view_customer", "installed_base.view_installedproduct"}
# Registering and correcting them: the front line (hotline, reception, dispatch).
_CUSTOMERS_WRITE = _CUSTOMERS_READ | {
    "customers.add_customer",
    "customers.change_customer",
    "installed_base.add_installedproduct",
    "installed_base.change_installedproduct",
}
# Service requests: everyone who serves customers sees them; the front line registers them;
# whoever handles them works on them (status, messages, decision).
_REQUESTS_READ = {"service_requests.view_servicerequest", "contracts.view_servicecontract"}
_REQUESTS_WORK = _REQUESTS_READ | {
    "service_requests.add_servicerequest",
    "service_requests.change_servicerequest",
    "service_requests.work_servicerequest",
}
_REQUESTS_DISPATCH = _REQUESTS_WORK | {
    "service_requests.reassign_servicerequest",
    "contracts.add_servicecontract",
    "contracts.change_servicecontract",
}
# Field service: engineers record their own visits and the contact with the customer;
# dispatchers and unit heads run the board; administrators keep engineers and policies.
_FIELD_WORK = {
    "field_service.view_visit",
    "field_service.work_visit",
    "field_service.view_fieldjob",
    "field_service.contact_fieldjob",
    "field_service.view_clockbreach",
    "field_service.view_engineer",
}
_FIELD_SETUP = {
    "field_service.view_engineer",
    "field_service.add_engineer",
    "field_service.change_engineer",
    "field_service.view_responsepolicy",
    "field_service.add_responsepolicy",
    "field_service.change_responsepolicy",
}
_FIELD_DISPATCH = (
    _FIELD_WORK
    | _FIELD_SETUP
    | {
        "field_service.add_visit",
        "field_service.change_visit",
        "field_service.dispatch_visit",
    }
)
# Telephony: the calls of one's units (the pop-up, the missed calls); phone lines are
# configured by administrators, whose position also lets a phone exchange report calls.
_CALLS = {"telephony.view_call"}
_ADMIN = (
    _BASE
    | _CALLS
    | _CATALOG_KEEPER
    | _CUSTOMERS_WRITE
    | _REQUESTS_DISPATCH
    | _FIELD_DISPATCH
    | {
        "service_requests.configure_servicerequest",
        "customers.merge_customer",
        "imports.add_importjob",
        "imports.view_importjob",
        "inbox.view_inboundmessage",
        "inbox.change_inboundmessage",
        "organisation.add_unit",
        "organisation.change_unit",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_position",
        "accounts.add_position",
        "accounts.change_position",
        "calendars.add_businesscalendar",
        "calendars.change_businesscalendar",
        "telephony.add_call",
        "telephony.view_phoneline",
        "telephony.add_phoneline",
        "telephony.change_phoneline",
    }
)

SYSTEM_POSITION_PERMISSIONS: dict[str, set[str]] = {
    "hotline_agent": _BASE
    | _CUSTOMERS_WRITE
    | _REQUESTS_WORK
    | _CALLS
    | {"contracts.add_servicecontract"},
    "dispatcher": _BASE
    | _CUSTOMERS_WRITE
    | _REQUESTS_DISPATCH
    | _CALLS
    | _FIELD_DISPATCH
    | {"accounts.view_user"},
    "field_engineer": _BASE | _CUSTOMERS_READ | _REQUESTS_WORK | _FIELD_WORK,
    "outlet_reception": _BASE | _CUSTOMERS_WRITE | _REQUESTS_WORK,
    "technician": _BASE | _CUSTOMERS_READ | _REQUESTS_WORK,
    "storekeeper": set(_BASE),
    "settlement_clerk": _BASE | _CUSTOMERS_READ | _REQUESTS_READ,
    "quality_engineer": _BASE | _CUSTOMERS_READ | _REQUESTS_READ,
    "trainer": set(_BASE) | {"accounts.view_user"},
    "unit_head": _BASE
    | _CUSTOMERS_WRITE
    | _REQUESTS_DISPATCH
    | _CALLS
    | {"accounts.view_user", "calendars.change_businesscalendar", "customers.merge_customer"}
    | {"inbox.view_inboundmessage", "inbox.change_inboundmessage"}
    | _FIELD_DISPATCH,
    "executive": _BASE
    | _CUSTOMERS_READ
    | _REQUESTS_READ
    | {"accounts.view_user", "accounts.view_position"},
    "administrator": _ADMIN,
}

# Work orders: reception, technicians and field engineers take in and do the work; dispatchers
# and unit heads also dispatch it to engineers; settlement, quality and executives read it.
_WORK_ORDERS_READ = {"work_orders.view_workorder"}
_WORK_ORDERS_WORK = _WORK_ORDERS_READ | {
    "work_orders.add_workorder",
    "work_orders.change_workorder",
    "work_orders.work_workorder",
}
_WORK_ORDERS_DISPATCH = _WORK_ORDERS_WORK | {"work_orders.dispatch_workorder"}
for _code, _perms in {
    "outlet_reception": _WORK_ORDERS_WORK,
    "technician": _WORK_ORDERS_WORK,
    "field_engineer": _WORK_ORDERS_WORK,
    "dispatcher": _WORK_ORDERS_DISPATCH,
    "unit_head": _WORK_ORDERS_DISPATCH,
    "settlement_clerk": _WORK_ORDERS_READ,
    "quality_engineer": _WORK_ORDERS_READ,
    "executive": _WORK_ORDERS_READ,
    "administrator": _WORK_ORDERS_DISPATCH,
}.items():
    SYSTEM_POSITION_PERMISSIONS[_code] = SYSTEM_POSITION_PERMISSIONS[_code] | _perms

# Spare-parts stock: storekeepers and administrators keep it (warehouses, every movement,
# transfers); unit heads record movements and transfers; technicians and field engineers see
# what is on the shelves; settlement clerks and executives read the ledger.
_STOCK_SHELVES = {"stock.view_warehouse", "stock.view_stockbalance"}
_STOCK_READ = _STOCK_SHELVES | {
    "stock.view_stockmovement",
    "stock.view_transfer",
    "stock.view_serialnumber",
}
_STOCK_MOVE = _STOCK_READ | {
    "stock.add_stockmovement",
    "stock.add_transfer",
    "stock.change_transfer",
}
_STOCK_KEEP = _STOCK_MOVE | {"stock.add_warehouse", "stock.change_warehouse"}
for _code, _perms in {
    "storekeeper": _STOCK_KEEP,
    "administrator": _STOCK_KEEP,
    "unit_head": _STOCK_MOVE,
    "technician": _STOCK_SHELVES,
    "field_engineer": _STOCK_SHELVES,
    "settlement_clerk": _STOCK_READ,
    "executive": _STOCK_READ,
}.items():
    SYSTEM_POSITION_PERMISSIONS[_code] = SYSTEM_POSITION_PERMISSIONS[_code] | _perms
