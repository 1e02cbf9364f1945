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

# Everyone may look at the organisation and the calendars that apply to them.
_BASE = {
    "organisation.view_unit",
    "calendars.view_businesscalendar",
}
_ADMIN = _BASE | {
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
}

SYSTEM_POSITION_PERMISSIONS: dict[str, set[str]] = {
    "hotline_agent": set(_BASE),
    "dispatcher": set(_BASE) | {"accounts.view_user"},
    "field_engineer": set(_BASE),
    "outlet_reception": set(_BASE),
    "technician": set(_BASE),
    "storekeeper": set(_BASE),
    "settlement_clerk": set(_BASE),
    "quality_engineer": set(_BASE),
    "trainer": set(_BASE) | {"accounts.view_user"},
    "unit_head": set(_BASE) | {"accounts.view_user", "calendars.change_businesscalendar"},
    "executive": set(_BASE) | {"accounts.view_user", "accounts.view_position"},
    "administrator": _ADMIN,
}
