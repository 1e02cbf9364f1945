from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldServiceConfig(AppConfig):
    name = "aftersales.field_service"
    label = "field_service"
    verbose_name = _("Field service")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from aftersales.core.menu import MenuEntry, register
        from aftersales.field_service import signals
        from aftersales.work_orders.models import WorkOrder

        # Work orders are upstream and cannot call this app: the unit's receipt of a field
        # order starts its clocks in the same transaction as the order's creation.
        post_save.connect(
            signals.open_clocks, sender=WorkOrder, dispatch_uid="field_service_open_clocks"
        )
        register(
            MenuEntry(
                _("Field service"),
                _("Dispatch board"),
                "field_service:board",
                "field_service.dispatch_visit",
                "calendar3-week",
                60,
            ),
            MenuEntry(
                _("Field service"),
                _("My jobs today"),
                "field_service:my",
                "field_service.work_visit",
                "phone",
                61,
            ),
            MenuEntry(
                _("Field service"),
                _("Field engineers"),
                "field_service:engineer_list",
                "field_service.view_engineer",
                "person-gear",
                62,
            ),
            MenuEntry(
                _("Field service"),
                _("Response policies"),
                "field_service:policy_list",
                "field_service.view_responsepolicy",
                "stopwatch",
                63,
            ),
        )
