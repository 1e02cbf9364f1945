from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "aftersales.work_orders"
    label = "work_orders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from aftersales.customers.card import CardSection, register_section
        from aftersales.work_orders import card

        register_section(
            CardSection(
                key="work_orders",
                template_name="work_orders/card_work_orders.html",
                context=card.work_orders_section,
                order=12,  # after the requests
            )
        )
