from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceRequestsConfig(AppConfig):
    name = "aftersales.service_requests"
    label = "service_requests"
    verbose_name = _("Service requests")

    def ready(self) -> None:
        from aftersales.core import configuration
        from aftersales.core.menu import MenuEntry, register
        from aftersales.service_requests.models import RequestType, RequestTypeField, SlaPolicy

        configuration.watch(RequestType, RequestTypeField, SlaPolicy)
        from aftersales.customers.card import CardSection, register_section, register_timeline
        from aftersales.service_requests import card

        register(
            MenuEntry(
                _("Service requests"),
                _("My queue"),
                "service_requests:queue",
                "service_requests.view_servicerequest",
                "inbox",
                40,
            ),
        )
        register(
            MenuEntry(
                _("Service requests"),
                _("Requests report"),
                "service_requests:request_list",
                "service_requests.view_servicerequest",
                "table",
                41,
            ),
        )
        # Configuration of requests: administrators only (the configure permission).
        for order, (label, url_name, icon) in enumerate(
            [
                (_("Request types"), "service_requests:type_list", "ui-checks"),
                (_("Decisions"), "service_requests:decision_list", "check2-square"),
                (_("SLA policies"), "service_requests:sla_list", "stopwatch"),
                (_("Skills"), "service_requests:skill_list", "mortarboard"),
                (_("Routing rules"), "service_requests:routing_list", "signpost-split"),
            ],
            start=900,
        ):
            register(
                MenuEntry(
                    _("Settings"),
                    label,
                    url_name,
                    "service_requests.configure_servicerequest",
                    icon,
                    order,
                )
            )
        register_section(
            CardSection(
                key="requests",
                template_name="service_requests/card_requests.html",
                context=card.requests_section,
                order=10,
            )
        )
        register_timeline("requests", card.requests_timeline)
        # "Create contract from this request": registered here, not by contracts, which is
        # upstream of requests and must not know them.
        from aftersales.service_requests.actions import RequestAction, register_action

        register_action(
            RequestAction(
                key="contract",
                label=_("Create contract"),
                url_name="contracts:contract_from_request",
                permission="contracts.add_servicecontract",
                order=20,
                icon="file-earmark-plus",
            )
        )
