from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "aftersales.contracts"
    label = "contracts"
    verbose_name = _("Service contracts")

    def ready(self) -> None:
        from aftersales.contracts import card
        from aftersales.core.menu import MenuEntry, register
        from aftersales.customers.card import CardSection, register_section

        register(
            MenuEntry(
                _("Customers"),
                _("Contracts"),
                "contracts:contract_list",
                "contracts.view_servicecontract",
                "file-earmark-text",
                33,  # after the installed products
            ),
        )
        register_section(
            CardSection(
                key="contracts",
                template_name="contracts/card_contracts.html",
                context=card.contracts_section,
                order=15,
            )
        )
