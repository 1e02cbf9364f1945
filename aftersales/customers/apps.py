from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "aftersales.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from aftersales.core.menu import MenuEntry, register
        from aftersales.customers.card import register_timeline
        from aftersales.customers.selectors import customer_events

        register(
            MenuEntry(
                _("Customers"),
                _("Customers"),
                "customers:customer_list",
                "customers.view_customer",
                "people",
                30,
            ),
            MenuEntry(
                _("Customers"),
                _("New customer"),
                "customers:customer_create",
                "customers.add_customer",
                "person-plus",
                31,
            ),
        )
        register_timeline("customers", customer_events)
