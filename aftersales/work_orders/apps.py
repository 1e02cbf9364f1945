from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "aftersales.work_orders"
    label = "work_orders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from aftersales.core.menu import MenuEntry, register
        from aftersales.customers.card import CardSection, register_section
        from aftersales.service_requests.actions import RequestAction, register_action
        from aftersales.work_orders import card

        register(
            MenuEntry(
                _("Service"),
                _("Work orders"),
                "work_orders:order_list",
                "work_orders.view_workorder",
                "tools",
                50,  # after the requests, before field service and stock
            ),
            MenuEntry(
                _("Service"),
                _("New work order"),
                "work_orders:order_create",
                "work_orders.add_workorder",
                "plus-square",
                51,
            ),
        )
        # "Create work order" on the request page; the target page checks everything again.
        register_action(
            RequestAction(
                key="work_order",
                label=_("Create work order"),
                url_name="work_orders:order_from_request",
                permission="work_orders.add_workorder",
                order=10,
                icon="tools",
                applies=lambda request: request.is_open,
            )
        )

        register_section(
            CardSection(
                key="work_orders",
                template_name="work_orders/card_work_orders.html",
                context=card.work_orders_section,
                order=12,  # after the requests
            )
        )
